"""`citetrail batch / runs / trail / report` as a user runs them: real processes on a copy of the sample store."""

import codecs
import csv
import json
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from pipeline.cli import main
from pipeline.models import CheckResult
from tests.test_batch import SAMPLE_CLAIMS
from tests.test_cli import citetrail


def jsonl(rows) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def with_terminal_stderr(*args: str) -> tuple[int, str, str]:
    """Run citetrail with stderr on a pseudo-terminal (where the progress bar shows) and stdout in a pipe."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    seen = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        seen.append(data)
    stdout = proc.stdout.read().decode()
    proc.wait(timeout=300)
    os.close(master)
    return proc.returncode, stdout, b"".join(seen).decode(errors="replace")


@pytest.fixture
def cli(monkeypatch, capsys):
    """citetrail run in this process, through `main()` as the console script runs it (no model loads here)."""

    def run(*args: str) -> subprocess.CompletedProcess:
        monkeypatch.setattr(sys, "argv", ["citetrail", *args])
        with pytest.raises(SystemExit) as exit_:
            main()
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(args, exit_.value.code, captured.out, captured.err)

    return run


def run_id_of(stdout: str) -> str:
    assert stdout.startswith("run "), stdout
    return stdout.split()[1].rstrip(":")


def test_batch_then_runs_trail_and_reports(tmp_path, store_copy, cli):
    rows = [*SAMPLE_CLAIMS[:3], {"id": "dup", "claim": SAMPLE_CLAIMS[1]["claim"]}]
    lines = jsonl(rows).splitlines()
    claims = tmp_path / "claims.jsonl"
    claims.write_bytes(codecs.BOM_UTF8 + "\n".join([lines[0], '{"claim": ', *lines[1:]]).encode())
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, stdout, terminal = with_terminal_stderr("batch", str(claims), "--store", str(store_copy), "--skip-bad-rows",
                                                  "-o", str(out_dir / "results.jsonl"))
    assert code == 0, terminal
    assert f"skipped {claims}:2: not valid JSON" in terminal
    assert "claims/s" in terminal and "4/4" in terminal  # the progress bar, with its rate
    run_id = run_id_of(stdout)
    assert "4 claims checked" in stdout and "Traceback" not in terminal

    written = [CheckResult.model_validate_json(line) for line in (out_dir / "results.jsonl").read_text().splitlines()]
    assert [r.claim.id for r in written] == ["s01", "s02", "s03", "dup"]
    assert all(r.trail is None for r in written) and written[3].verdict == written[1].verdict
    assert sorted(p.name for p in out_dir.iterdir()) == ["results.jsonl"]  # no temp file left behind

    proc = cli("runs", "--store", str(store_copy))
    assert proc.returncode == 0 and run_id in proc.stdout and "done" in proc.stdout
    listed = json.loads(cli("runs", "--store", str(store_copy), "--json").stdout)
    assert [(r["id"], r["claims"], r["checked"], r["status"]) for r in listed] == [(run_id, 4, 4, "done")]
    assert sum(listed[0]["verdicts"].values()) == 4 and len(listed[0]["skipped_rows"]) == 1
    assert listed[0]["input"] == str(claims.resolve())

    proc = cli("trail", run_id, "s02", "--store", str(store_copy))
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert f"run {run_id}, claim s02" in text and written[1].verdict.value in text and "rule:" in text
    assert text.index("rule:") < text.index("retrieved") < text.index("lexical (BM25)") < text.rindex("P(e/n/c)")
    proc = cli("trail", run_id, "s02", "--json", "--store", str(store_copy))
    stored = CheckResult.model_validate_json(proc.stdout)
    assert stored.claim.id == "s02" and stored.trail.candidates and stored.trail.judgements
    assert stored.claim.metadata["label"] == SAMPLE_CLAIMS[1]["label"]

    proc = cli("report", run_id, "--md", str(out_dir / "r.md"), "--csv", str(out_dir / "r.csv"), "--store", str(store_copy))
    assert proc.returncode == 0, proc.stderr
    table = list(csv.DictReader((out_dir / "r.csv").open(newline="")))
    assert [r["id"] for r in table] == ["s01", "s02", "s03", "dup"]
    assert all(0 <= float(r["confidence"]) <= 1 and r["top_quote"] for r in table)
    md = (out_dir / "r.md").read_text()
    assert md.startswith(f"# citetrail run {run_id}") and md.count("\n## ") == 4

    # Resuming a finished run checks nothing; in a pipe there is no progress bar; --trail keeps the trails.
    proc = citetrail("batch", "--resume", run_id, "--store", str(store_copy), "--trail", "-o", str(out_dir / "all.jsonl"))
    assert proc.returncode == 0 and proc.stderr == "" and "4 claims checked" in proc.stdout
    again = [CheckResult.model_validate_json(line) for line in (out_dir / "all.jsonl").read_text().splitlines()]
    assert [r.claim.id for r in again] == ["s01", "s02", "s03", "dup"] and all(r.trail for r in again)


@pytest.mark.parametrize(("args", "message"), [
    (["trail", "nope", "s01"], "error: no run 'nope' in "),
    (["report", "nope", "--md", "x.md"], "error: no run 'nope' in "),
    (["report", "nope"], "error: say which report to write"),
    (["batch"], "error: give a claims file"),
    (["batch", "--resume", "nope", "c.txt"], "error: --resume takes the claims and settings from the run"),
    (["batch", "--resume", "nope"], "error: no run 'nope' in "),
    (["batch", "c.txt", "-o", "no/such/r.jsonl"], "error: cannot write no/such/r.jsonl: no folder no/such"),
])
def test_wrong_ids_and_flags_are_one_line_and_exit_2(tmp_path, monkeypatch, cli, args, message):
    monkeypatch.chdir(tmp_path)
    proc = cli(*args[:1], "--store", str(tmp_path / "store"), *args[1:])
    assert proc.returncode == 2 and proc.stderr.startswith(message) and proc.stderr.count("\n") == 1, proc.stderr
    assert not (tmp_path / "x.md").exists() and not (tmp_path / "store").exists()


def test_bad_rows_stop_the_batch_before_anything_is_stored(tmp_path, store_copy, cli):
    claims = tmp_path / "claims.csv"
    claims.write_text('id,claim\na,"A fine claim"\nb,\nc,"Another, fine"\na,"Same id"\n')
    proc = cli("batch", str(claims), "--store", str(store_copy), "-o", str(tmp_path / "r.jsonl"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {claims}: 2 bad row(s), nothing checked (--skip-bad-rows skips them): "
                                  "line 3: the claim is empty; line 5: id 'a' is already used on line 2")
    assert not (store_copy / "runs.sqlite").exists() and not (tmp_path / "r.jsonl").exists()


def results_stored(store) -> int:
    if not (store / "runs.sqlite").exists():
        return 0
    db = sqlite3.connect(store / "runs.sqlite", timeout=10)
    try:
        return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        db.close()


INTERRUPTED_CLAIMS = 140  # the sample claims four times, each copy worded apart (a repeated text is checked once,
# so four identical copies were 35 checks, which could finish before the signal arrived)
INTERRUPTED_ROWS = [{**row, "id": f"{row['id']}-{copy}", "claim": f"{row['claim']} ({copy})" if copy else row["claim"]}
                    for copy in range(4) for row in SAMPLE_CLAIMS][:INTERRUPTED_CLAIMS]


def interrupted_batch(tmp_path, store, sig: int) -> tuple[subprocess.Popen, str]:
    """A real `citetrail batch` of `INTERRUPTED_CLAIMS` claims, sent `sig` once it has stored a first result; the
    finished process and its stderr. It starts as from a terminal, Ctrl-C's SIGINT at its default: a suite run as a
    shell's background job ignores SIGINT, and its children would inherit that (and finish the batch)."""
    claims = tmp_path / "claims.jsonl"
    claims.write_text(jsonl(INTERRUPTED_ROWS))
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "batch", str(claims), "--store", str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 240
    while results_stored(store) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    return proc, stderr


@pytest.mark.slow
def test_a_killed_batch_resumes_and_a_locked_store_is_one_line(tmp_path, store_copy, cli):
    proc, stderr = interrupted_batch(tmp_path, store_copy, signal.SIGTERM)
    (run,) = json.loads(cli("runs", "--json", "--store", str(store_copy)).stdout)
    assert run["status"] == "interrupted" and 0 < run["checked"] < INTERRUPTED_CLAIMS
    assert proc.returncode == 130 and stderr == (
        f"error: interrupted: run {run['id']} stopped with {run['checked']} of {INTERRUPTED_CLAIMS} claims checked; "
        f"`citetrail batch --resume {run['id']} --store {store_copy}` finishes it\n"), stderr

    other = sqlite3.connect(store_copy / "runs.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing: the resume waits its busy timeout, then says so
    try:
        locked = citetrail("batch", "--resume", run["id"], "--store", str(store_copy))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert locked.returncode == 3 and locked.stderr.count("\n") == 1, locked.stderr
    assert locked.stderr.startswith(f"error: the run store {store_copy / 'runs.sqlite'} is locked by another process")

    resumed = citetrail("batch", "--resume", run["id"], "--store", str(store_copy), "-o", str(tmp_path / "r.jsonl"))
    assert resumed.returncode == 0, resumed.stderr
    assert f"run {run['id']}: {INTERRUPTED_CLAIMS} claims checked" in resumed.stdout
    ids = [json.loads(line)["claim"]["id"] for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert ids == [r["id"] for r in INTERRUPTED_ROWS] and results_stored(store_copy) == INTERRUPTED_CLAIMS
