"""Batch checking: claims files as users write them, then real runs on a copy of the sample store.

Runs use the real embedding model and the shipped verifier; they assert ids, counts, statuses and
what was (not) checked again, never particular verdicts."""

import codecs
import json
import signal
import subprocess
import sys
from functools import partial

import pytest

from pipeline import Claim, RunStatus, Verifier, check_claims, read_claims, run_batch, start_run
from pipeline.errors import InputError, StoreError
from tests.conftest import ROOT

SAMPLE_CLAIMS = [json.loads(line) for line in (ROOT / "eval/data/sample_claims.jsonl").read_text().splitlines()]


def write(path, text: str, bom: bool = False):
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
    return path


# ---- reading claims files ---------------------------------------------------------------------

def test_jsonl_ids_default_to_line_numbers_and_extra_fields_are_kept(tmp_path):
    path = write(tmp_path / "c.jsonl", '{"claim": "Vance spoke on NBC", "source": "tv", "rank": 2}\n\n'
                                       '{"id": 7, "claim": "  Trump   met Putin\\tin Alaska "}\n'
                                       '{"id": "x", "claim": "Lavrov spoke on Sunday", "tags": ["a"]}\n', bom=True)
    got = read_claims(path)
    assert [(c.id, c.text) for c in got.claims] == [("L1", "Vance spoke on NBC"), ("7", "Trump met Putin in Alaska"),
                                                    ("x", "Lavrov spoke on Sunday")]
    assert got.claims[0].metadata == {"source": "tv", "rank": 2}
    assert got.claims[2].metadata == {"tags": ["a"]}
    assert got.skipped == []


def test_csv_quoting_multiline_fields_and_other_columns(tmp_path):
    path = write(tmp_path / "c.csv", 'topic,claim,id\r\n'
                                     'war,"Russia wants 6,000 square kilometres, Vance said",a1\r\n'
                                     '\r\n'
                                     'talks,"A claim ""quoted"" that spans\ntwo lines",\r\n'
                                     'misc,Lavrov spoke on Sunday,\r\n', bom=True)
    got = read_claims(path)
    assert [(c.id, c.text) for c in got.claims] == [
        ("a1", "Russia wants 6,000 square kilometres, Vance said"),
        ("L4", 'A claim "quoted" that spans two lines'),
        ("L6", "Lavrov spoke on Sunday"),  # the quoted field of the row before took two lines
    ]
    assert [c.metadata for c in got.claims] == [{"topic": "war"}, {"topic": "talks"}, {"topic": "misc"}]


def test_text_file_one_claim_a_line(tmp_path):
    got = read_claims(write(tmp_path / "c.txt", "Vance spoke on NBC\r\n\n   \nTrump met Putin in Alaska\n"))
    assert [(c.id, c.text) for c in got.claims] == [("L1", "Vance spoke on NBC"), ("L4", "Trump met Putin in Alaska")]


BAD_JSONL = "\n".join([
    '{"id": "a", "claim": "A fine claim"}',
    '{"id": "b", "claim": "broken',
    '{"id": "c"}',
    '{"id": "d", "claim": "   "}',
    '{"id": "e", "claim": 42}',
    '{"id": ["f"], "claim": "Id of the wrong type"}',
    '{"id": "g", "claim": "' + "x" * 1001 + '"}',
    '{"id": "a", "claim": "Same id as line 1"}',
    '["not", "an", "object"]',
    '{"claim": "Default id L10"}',
    '{"id": "L10", "claim": "Takes the default id of line 10"}',
])


def test_bad_rows_stop_everything_with_one_line_naming_them(tmp_path):
    path = write(tmp_path / "c.jsonl", BAD_JSONL)
    with pytest.raises(InputError) as exc:
        read_claims(path)
    message = str(exc.value)
    assert "\n" not in message and message.startswith(f"{path}: 9 bad row(s), nothing checked")
    assert "line 2: not valid JSON" in message and "line 3: no 'claim'" in message and "line 4: the claim is empty" in message
    assert "line 5: 'claim' must be text, not int" in message and "line 6: 'id' must be text" in message
    assert "--skip-bad-rows" in message and "and 4 more" in message


def test_skip_bad_rows_keeps_the_good_ones_and_says_which_were_skipped(tmp_path):
    got = read_claims(write(tmp_path / "c.jsonl", BAD_JSONL), skip_bad_rows=True)
    assert [c.id for c in got.claims] == ["a", "L10"]
    skipped = {line.split(":")[1]: line for line in got.skipped}
    assert sorted(skipped, key=int) == ["2", "3", "4", "5", "6", "7", "8", "9", "11"]
    assert "limit is 1000" in skipped["7"]
    assert "id 'a' is already used on line 1" in skipped["8"]
    assert "id 'L10' is already used on line 10" in skipped["11"]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("c.csv", "id,text\n1,hello\n", "no 'claim' column"),
    ("c.csv", 'claim\n"never closed\n', "not valid CSV"),
    ("c.csv", "claim,id\nfine,1\nthree,fields,here\n", "line 3: 3 fields where the header has 2"),
    ("c.json", "[]", "unsupported claims file '.json'"),
    ("c.txt", "\n  \n", "no claims to check"),
])
def test_unusable_files_are_refused(tmp_path, name, text, message):
    with pytest.raises(InputError, match=message):
        read_claims(write(tmp_path / name, text))


def test_missing_or_binary_claims_file(tmp_path):
    with pytest.raises(InputError, match="no such claims file"):
        read_claims(tmp_path / "nope.jsonl")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01binary")
    with pytest.raises(InputError, match="binary"):
        read_claims(tmp_path / "b.txt")


# ---- runs on a real store ---------------------------------------------------------------------

class CountingVerifier(Verifier):
    """The real verifier, noting which claims reach `check_many`."""

    checked: list[str]

    def check_many(self, claims, **kwargs):
        self.checked += [c.id for c in claims]
        return super().check_many(claims, **kwargs)


def counting(store) -> CountingVerifier:
    opened = Verifier.open(store)
    verifier = CountingVerifier(opened.settings, opened.store)
    verifier.checked = []
    return verifier


def claims_file(tmp_path, rows) -> object:
    return write(tmp_path / "claims.jsonl", "".join(json.dumps(r) + "\n" for r in rows))


def test_run_stores_one_trail_per_claim_and_checks_repeated_text_once(tmp_path, store_copy):
    rows = [*SAMPLE_CLAIMS[:3], {"id": "again", "claim": "  " + SAMPLE_CLAIMS[0]["claim"].replace(" ", "  ")}]
    verifier = counting(store_copy)
    run = start_run(verifier, read_claims(claims_file(tmp_path, rows)))
    assert run.status == RunStatus.PENDING and run.claims == 4 and run.checked == 0
    seen = []
    run = run_batch(verifier, run, progress=lambda done, total: seen.append((done, total)))
    assert run.status == RunStatus.DONE and run.checked == 4 and sum(run.verdicts.values()) == 4
    assert run.finished is not None and run.versions == verifier.versions()
    assert sorted(verifier.checked) == ["s01", "s02", "s03"]  # "again" repeats s01's text
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    results = verifier.runs.results(run.id)
    assert [r.claim.id for r in results] == ["s01", "s02", "s03", "again"]
    assert results[0].claim.metadata == {"label": rows[0]["label"], "evidence": rows[0]["evidence"]}
    again, first = results[3], results[0]
    assert again.claim.text == first.claim.text and again.verdict == first.verdict and again.citations == first.citations
    for r in results:
        assert r.trail and r.trail.candidates and r.trail.judgements
        assert all(c.fused_score > 0 and c.rank >= 1 for c in r.trail.candidates)
    stored = verifier.runs.result(run.id, "s02")
    assert stored == results[1]


def test_an_interrupted_run_resumes_checking_only_what_is_missing(tmp_path, store_copy):
    verifier = counting(store_copy)
    run = start_run(verifier, read_claims(claims_file(tmp_path, SAMPLE_CLAIMS[:5])))
    engine = partial(check_claims, group_size=2)

    def stop_after_first_group(done, total):
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(verifier, run, progress=stop_after_first_group, engine=engine)
    stopped = verifier.runs.run(run.id)
    assert stopped.status == RunStatus.INTERRUPTED and stopped.checked == 2
    assert [c.id for c in verifier.runs.claims(run.id, pending=True)] == ["s03", "s04", "s05"]

    verifier.checked.clear()
    done = run_batch(verifier, stopped, engine=engine)
    assert verifier.checked == ["s03", "s04", "s05"]
    assert done.status == RunStatus.DONE and done.checked == done.claims == 5
    assert [r.claim.id for r in verifier.runs.results(run.id)] == [r["id"] for r in SAMPLE_CLAIMS[:5]]

    verifier.checked.clear()
    assert run_batch(verifier, done) == done and verifier.checked == []  # nothing left: nothing checked, nothing added


KILLED_WHILE_CHECKING = """
import os, signal, sys
from pipeline.models import RunStatus
from pipeline.runs import RunStore
runs = RunStore(sys.argv[1])
with runs.checking(sys.argv[2]):
    runs.set_status(sys.argv[2], RunStatus.RUNNING)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_run_whose_process_was_killed_shows_interrupted_and_one_process_checks_a_run(tmp_path, store_copy):
    """SIGKILL leaves the run marked running in the store; its lock, which nobody holds any more, tells."""
    verifier = Verifier.open(store_copy)
    run = start_run(verifier, read_claims(claims_file(tmp_path, SAMPLE_CLAIMS[:2])))
    assert run.status == RunStatus.PENDING
    killed = subprocess.run([sys.executable, "-c", KILLED_WHILE_CHECKING, str(verifier.runs.path), run.id], cwd=ROOT)
    assert killed.returncode == -signal.SIGKILL
    assert verifier.runs.run(run.id).status == RunStatus.INTERRUPTED
    with verifier.runs.checking(run.id):  # as another live process would
        assert verifier.runs.run(run.id).status == RunStatus.RUNNING
        with pytest.raises(StoreError, match=f"run {run.id} is being checked by another process"):
            run_batch(Verifier.open(store_copy), run)
    done = run_batch(verifier, verifier.runs.run(run.id))
    assert done.status == RunStatus.DONE and done.checked == 2

    (verifier.runs.path.parent / "run-locks" / run.id).unlink()  # a run killed before runs had locks
    verifier.runs.set_status(run.id, RunStatus.RUNNING)
    assert verifier.runs.run(run.id).status == RunStatus.INTERRUPTED


def test_a_run_is_not_resumed_on_a_changed_index(tmp_path, store_copy):
    verifier = Verifier.open(store_copy)
    run = start_run(verifier, read_claims(claims_file(tmp_path, SAMPLE_CLAIMS[:1])))
    extra = write(tmp_path / "extra.txt", "Harbour news\n\nThe harbour reopened on 3 May after storm damage.\n")
    verifier.ingest([extra])
    with pytest.raises(StoreError, match=f"run {run.id} was made with other versions \\(index_fingerprint changed"):
        run_batch(verifier, run)
    assert verifier.runs.run(run.id).checked == 0


def test_engine_takes_claims_objects_and_keeps_their_ids(sample_verifier):
    claims = [Claim(id="one", text="Vance spoke on NBC"), Claim(id="two", text="Vance  spoke on NBC"),
              Claim(id="three", text="Lavrov spoke on Sunday")]
    groups = list(check_claims(claims, sample_verifier, group_size=1))
    assert [[r.claim.id for r in g] for g in groups] == [["one", "two"], ["three"]]
    assert groups[0][1].claim.text == "Vance spoke on NBC"
