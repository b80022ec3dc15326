"""The command line as a user runs it: real processes, one-line errors, exit codes, store untouched."""

import json

import pytest

from pipeline.models import CheckResult
from tests.conftest import citetrail, store_files


def test_check_json_is_a_check_result(sample_store):
    proc = citetrail("check", "--store", str(sample_store), "--json", "Trump met Putin in Moscow")
    assert proc.returncode == 0, proc.stderr
    result = CheckResult.model_validate_json(proc.stdout)
    assert result.claim.text == "Trump met Putin in Moscow"


def test_schema_command_prints_the_result_schema():
    proc = citetrail("schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    assert schema["title"] == "CheckResult" and "citations" in schema["properties"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["check", ""], 2, "error: the claim is empty"),
    (["check", "y" * 2000], 2, "error: the claim is 2000 characters long"),
    (["ingest", "/no/such/folder"], 2, "error: no such file or folder"),
    (["check", "--top-k", "0", "x"], 2, "error: bad setting top_k"),
])
def test_bad_input_is_one_line_and_leaves_the_store_untouched(tmp_path, corpus_copy, args, code, message):
    store = tmp_path / "store"
    assert citetrail("ingest", "--store", str(store), str(corpus_copy)).returncode == 0
    before = store_files(store)
    proc = citetrail(*args[:1], "--store", str(store), *args[1:])
    assert proc.returncode == code
    assert proc.stderr.startswith(message) and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert store_files(store) == before


def test_bad_file_in_ingest_stops_before_touching_the_store(tmp_path, corpus_copy):
    store = tmp_path / "store"
    assert citetrail("ingest", "--store", str(store), str(corpus_copy)).returncode == 0
    before = store_files(store)
    (corpus_copy / "zz.jsonl").write_text('{"id": "a", "text": "fine"}\nnot json\n')
    proc = citetrail("ingest", "--store", str(store), str(corpus_copy))
    assert proc.returncode == 2 and "zz.jsonl:2:" in proc.stderr and proc.stderr.count("\n") == 1
    assert store_files(store) == before
    proc = citetrail("ingest", "--store", str(store), "--skip-bad-lines", str(corpus_copy))
    assert proc.returncode == 0 and "1 added" in proc.stdout and "zz.jsonl:2" in proc.stderr


def test_check_without_a_store_says_to_ingest(tmp_path):
    proc = citetrail("check", "--store", str(tmp_path / "empty"), "anything")
    assert proc.returncode == 3 and proc.stderr.startswith("error: no corpus ingested")
    assert not (tmp_path / "empty").exists()


def test_every_command_has_help():
    for cmd in ("ingest", "check", "schema", "batch", "runs", "trail", "report", "extract", "audit"):
        proc = citetrail(cmd, "--help")
        assert proc.returncode == 0 and "Usage" in proc.stdout
