"""Using the command line: usage errors exit 2 in one line, --version, output unwrapped in a pipe, tables readable at
80 columns, no library warnings on stderr."""

import json
import signal
from datetime import UTC, datetime

import pytest
from rich.console import Console

from pipeline.models import Run, RunStatus
from pipeline.render.terminal import print_result, print_runs, shortened
from tests.conftest import citetrail
from tests.test_cli_batch import INTERRUPTED_CLAIMS, interrupted_batch


def test_version_exits_0():
    proc = citetrail("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("citetrail ") and proc.stderr == ""


@pytest.mark.parametrize(("args", "message"), [
    (["check", "--top-k", "abc", "x"], "error: Invalid value for '--top-k'"),
    (["chekc", "x"], "error: No such command 'chekc'"),
    (["check"], "error: Missing argument 'claim'"),
    (["check", "--no-such-flag", "x"], "error: No such option: --no-such-flag"),
    (["ingest"], "error: Missing argument 'paths'"),
])
def test_usage_errors_exit_2_in_one_line(args, message):
    proc = citetrail(*args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(message) and proc.stderr.count("\n") == 1, proc.stderr


def test_bare_command_shows_help_and_exits_2_and_dash_h_is_help():
    proc = citetrail()
    assert proc.returncode == 2 and "Usage" in proc.stdout and "Traceback" not in proc.stderr
    for args in (["-h"], ["check", "-h"]):
        proc = citetrail(*args)
        assert proc.returncode == 0 and "Usage" in proc.stdout


def test_output_into_a_pipe_is_not_wrapped_and_has_no_library_warnings(tmp_path, corpus_copy):
    store = tmp_path / ("a-store-folder-with-a-name-long-enough-to-pass-eighty-columns-on-its-own" * 2)
    for _ in range(2):  # the second ingest opens an existing store (where chromadb used to warn)
        proc = citetrail("ingest", "--store", str(store), str(corpus_copy))
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert proc.stdout.count("\n") == 1 and f"(store {store}, fingerprint" in proc.stdout
    proc = citetrail("check", "--store", str(store), "Russia wants about 6,000 sq km it has not conquered")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_shortened_keeps_both_ends():
    assert shortened("vance-talks-narrowed-to-core-issues#5", 20) == "vance-tal…e-issues#5"
    assert shortened("short#1", 20) == "short#1"
    assert len(shortened("/a/very/long/path/to/claims.jsonl", 15, 0.2)) == 15


def test_tables_at_80_columns_split_no_id(sample_verifier):
    result = sample_verifier.check("Russia wants about 6,000 sq km it has not conquered")
    assert result.citations
    console = Console(width=80, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    print_result(console, result)
    run = Run(id="20261130-133816-2682", created=datetime(2026, 11, 30, 13, 38, tzinfo=UTC), status=RunStatus.INTERRUPTED,
              input="/home/someone/newsroom/fact-checks/2026/november/claims-from-the-evening-debate.jsonl",
              settings={}, versions=result.versions, claims=120, checked=64)
    print_runs(console, [run])
    lines = console.export_text().splitlines()
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    text = "\n".join(lines)
    assert shortened(result.citations[0].chunk_id, 22) in text  # the chunk id on one line, shortened in its middle
    row = next(line for line in lines if line.startswith(run.id))
    assert "interrupted" in row and "64/120" in row and row.split()[1].endswith("ning-debate.jsonl")


def test_ctrl_c_during_a_batch_names_the_run_and_the_resume_command(tmp_path, store_copy):
    proc, stderr = interrupted_batch(tmp_path, store_copy, signal.SIGINT)
    (run,) = json.loads(citetrail("runs", "--json", "--store", str(store_copy)).stdout)
    assert proc.returncode == 130 and run["status"] == "interrupted"
    assert stderr == (f"error: interrupted: run {run['id']} stopped with {run['checked']} of {INTERRUPTED_CLAIMS} claims checked; "
                      f"`citetrail batch --resume {run['id']} --store {store_copy}` finishes it\n"), stderr
