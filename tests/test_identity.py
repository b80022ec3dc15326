"""Document identity: same-stem files get distinct, stable ids in any order (`../shared/cases/ingest/stems-collision`),
sources are absolute so `--prune` works from any folder, and a store made by the release before keeps working."""

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from pipeline import Verifier
from pipeline.errors import InputError
from pipeline.load.identity import assign_ids, hashed_id
from tests.conftest import ROOT, SHARED, citetrail

STEMS = SHARED / "cases" / "ingest" / "stems-collision"
HERE = {"PYTHONPATH": str(ROOT)}  # run from another folder, `pipeline` is still this checkout's
RELEASE_BEFORE = "88e8ab9"  # main before this branch: its loader stored relative sources and stem ids only


def budgets(store: Path) -> dict[str, str]:
    """doc id -> the year its source folder names."""
    return {doc_id: Path(info["source"]).parent.name for doc_id, info in Verifier.open(store).store.document_state().items()}


def check_finds_each(store: Path) -> None:
    """Each year's figure is found in, and cited from, that year's document (the verdict, with the other year's figure
    beside it, is the judge's business)."""
    verifier = Verifier.open(store)
    for figure, year in (("100", "2024"), ("120", "2025")):
        result = verifier.check(f"The city budget was {figure} million euros.")
        cited = {c.title.split()[-1]: c.quote for c in result.citations}  # titles "Budget 2024", "Budget 2025"
        assert cited.get(year) == f"The city budget was {figure} million euros.", result.citations


@pytest.mark.parametrize("order", [["2024", "2025"], ["2025", "2024"], ["both"]])
def test_same_stem_files_keep_distinct_stable_ids(tmp_path, order):
    store = tmp_path / "store"
    for step in order:
        given = [STEMS / "2024", STEMS / "2025"] if step == "both" else [STEMS / step]
        proc = citetrail("ingest", "--store", str(store), *map(str, given))
        assert proc.returncode == 0 and proc.stdout.startswith(f"{len(given)} added, 0 updated"), proc.stdout + proc.stderr
    first = order[0] if order[0] != "both" else "2024"
    second = "2025" if first == "2024" else "2024"
    assert budgets(store) == {"budget": first, hashed_id("budget", str(STEMS / second / "budget.txt")): second}
    proc = citetrail("ingest", "--store", str(store), str(STEMS))  # again, both at once: nothing changes
    assert proc.returncode == 0 and proc.stdout.startswith("0 added, 0 updated, 2 unchanged, 0 removed"), proc.stdout
    check_finds_each(store)


def test_two_ingests_of_same_stem_files_at_once_keep_both(tmp_path):
    store = tmp_path / "store"
    assert citetrail("ingest", "--store", str(store), str(ROOT / "corpus")).returncode == 0
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", "--store", str(store), str(STEMS / year)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for year in ("2024", "2025")]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and out.startswith("1 added"), out + err
    assert sorted(budgets(store).values()) == ["2024", "2025", "corpus", "corpus"]


def test_prune_from_another_folder_removes_only_what_is_gone(tmp_path, corpus_copy):
    store = tmp_path / "store"
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "gone.txt").write_text("A note that will be deleted.\n")
    proc = citetrail("ingest", "--store", str(store), "corpus", "extra", cwd=tmp_path, env=HERE)  # relative paths
    assert proc.returncode == 0 and proc.stdout.startswith("3 added")
    (extra / "gone.txt").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.txt").write_text("Another note.\n")
    proc = citetrail("ingest", "--store", str(store), "--prune", "other.txt", cwd=elsewhere, env=HERE)
    assert proc.returncode == 0 and proc.stdout.startswith("1 added, 0 updated, 0 unchanged, 1 removed"), proc.stdout
    assert sorted(budgets(store)) == ["other", "vance-russia-softening-demands", "vance-talks-narrowed-to-core-issues"]


@pytest.fixture
def release_store(tmp_path) -> tuple[Path, Path]:
    """A store made by the release before this one, run from its own source tree, with relative paths."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", RELEASE_BEFORE, "pipeline"], capture_output=True,
                                 check=True).stdout
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        pytest.skip(f"the release before ({RELEASE_BEFORE}) is not in this checkout's history: {exc}")
    old = tmp_path / "old"
    old.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(old, filter="data")
    shutil.copytree(STEMS / "2024", old / "corpus")
    env = {**os.environ, "PYTHONPATH": str(old)}
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "ingest", "--store", "store", "corpus"], cwd=old, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return old / "store", old / "corpus"


def test_a_store_made_by_the_release_before_keeps_working(release_store, tmp_path):
    store, corpus = release_store
    (source,) = [info["source"] for info in Verifier.open(store).store.document_state().values()]
    assert source == "corpus/budget.txt"  # what that release wrote
    assert Verifier.open(store).check("The city budget was 100 million euros.").verdict.value == "SUPPORTED"
    # Ingested again from another folder: the same document (not a copy), its source now absolute.
    proc = citetrail("ingest", "--store", str(store), str(corpus), str(STEMS / "2025"), cwd=tmp_path, env=HERE)
    assert proc.returncode == 0 and proc.stdout.startswith("1 added, 0 updated, 1 unchanged"), proc.stdout + proc.stderr
    state = Verifier.open(store).store.document_state()
    assert state["budget"]["source"] == str(corpus / "budget.txt")
    proc = citetrail("ingest", "--store", str(store), "--prune", str(STEMS / "2025"), cwd=tmp_path, env=HERE)
    assert proc.returncode == 0 and "0 removed" in proc.stdout
    check_finds_each(store)


def test_an_old_relative_source_is_claimed_only_by_its_own_file():
    """`budget.txt` stored (relative) by an old release is the absolute file ending with it that holds the same
    text; another `budget.txt` with other text, somewhere else, becomes a document of its own."""
    from pipeline.load import make_document

    stored, hashes = {"budget": "budget.txt"}, {"budget": make_document("x", "", "", "The budget was 100.").content_hash}
    same = make_document("budget", "", "/archive/2024/budget.txt", "The budget was 100.", format="txt")
    other = make_document("budget", "", "/elsewhere/budget.txt", "The budget was 120.", format="txt")
    assert [d.id for d in assign_ids([same], stored, hashes)] == ["budget"]
    assert [d.id for d in assign_ids([other], stored, hashes)] == [hashed_id("budget", "/elsewhere/budget.txt")]
    given = make_document("budget", "", "/data/rows.jsonl#L3", "Other text.", format="jsonl")
    with pytest.raises(InputError, match=r"document id 'budget' of /data/rows\.jsonl#L3 is already the id of budget\.txt"):
        assign_ids([given], stored, hashes)
    moved = make_document("row1", "", "/data/rows.jsonl#L1", "Row text.", format="jsonl")  # its stored file is gone
    assert [d.id for d in assign_ids([moved], {"row1": "/no/longer/here/rows.jsonl#L1"})] == ["row1"]
    with pytest.raises(InputError, match="already the id of"):
        assign_ids([moved], {"row1": f"{ROOT / 'README.md'}#L1"})  # a file that exists keeps its id
    made = make_document("budget", "", "scifact:budget", "Made by the caller.")  # ingest_documents: the id is the caller's
    assert [d.id for d in assign_ids([made], stored, hashes)] == ["budget"]


def test_a_moved_corpus_keeps_its_ids(tmp_path, corpus_copy):
    store = tmp_path / "store"
    assert citetrail("ingest", "--store", str(store), str(corpus_copy)).returncode == 0
    moved = tmp_path / "moved"
    corpus_copy.rename(moved)
    proc = citetrail("ingest", "--store", str(store), str(moved))
    assert proc.returncode == 0 and proc.stdout.startswith("0 added, 0 updated, 2 unchanged"), proc.stdout
    state = Verifier.open(store).store.document_state()
    assert sorted(state) == ["vance-russia-softening-demands", "vance-talks-narrowed-to-core-issues"]
    assert {Path(info["source"]).parent for info in state.values()} == {moved}
