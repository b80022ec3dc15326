"""Hostile input to the real command, in its own process: claims, documents, config files and env
vars as the web and users produce them. Each case ends in a result or in one `error:` line with a
documented exit code (never a traceback, never exit 70), and a refused ingest leaves the store as it was.

Hypothesis drives the same parsers in process with many more cases (test_fuzz.py); here are the
representative ones, since each command loads its models (seconds)."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys

import pytest

from pipeline import Verifier
from pipeline.models import CheckResult
from tests.conftest import CORPUS, FUZZ_CASES, citetrail, store_files


def assert_one_error_line(proc: subprocess.CompletedProcess, code: int, message: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.startswith("error: " + message) and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "unexpected" not in proc.stderr


# ---- claims ------------------------------------------------------------------------------------

CLAIMS = [
    ("  \t\n  ", 2, "the claim is empty"),
    ("\x1b\x07\x7f", 2, "the claim is empty"),
    ("x " * 50_000, 2, "the claim is 99999 characters long; the limit is 1000"),  # about argv's limit for one argument
]


@pytest.mark.parametrize(("claim", "code", "message"), CLAIMS)
def test_unusable_claims_are_refused(sample_store, claim, code, message):
    FUZZ_CASES["cli check"] += 1
    assert_one_error_line(citetrail("check", "--store", str(sample_store), claim), code, message)


def test_claim_in_any_script_with_controls_and_bytes_that_are_not_utf8(sample_store):
    """argv is bytes: bytes that are not UTF-8 reach Python as lone surrogates, which are dropped with
    the control characters; right-to-left marks, emoji and other scripts stay. (A NUL cannot be in an
    argument at all, and an argument over 128 KiB is refused by the kernel: the API takes both.)"""
    FUZZ_CASES["cli check"] += 2
    claim = "Trump \u202emet\u202c Putin \x1b[31min\x1b[0m 🙂 Moscow, עברית, العربية, 中文".encode() + b" \xff\xed\xa0\x80"
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "check", "--json", "--store", os.fsencode(sample_store), claim],
                          capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    result = CheckResult.model_validate_json(proc.stdout.decode("utf-8"))
    assert result.claim.text == "Trump met Putin [31min [0m 🙂 Moscow, עברית, العربية, 中文"  # format characters (RLO) go too
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "check", "--store", os.fsencode(sample_store), b"\xff\xfe"],
                          capture_output=True, text=True, timeout=600)
    assert_one_error_line(proc, 2, "the claim is empty")


# ---- documents ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("inputs") / "store"
    Verifier.open(path, create=True).ingest([CORPUS])
    return path


def fifty_megabytes(path):
    with open(path, "w") as fh:
        for _ in range(50):
            fh.write("The harbour reopened after a closure. " * 27_600)
    assert path.stat().st_size > 50_000_000


DOCUMENTS = [
    ("image.txt", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))), {}, "looks like a binary file"),
    ("scan.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n%%EOF\n"), {}, "not a readable PDF"),
    ("empty.txt", lambda p: p.write_bytes(b""), {}, "the file is empty"),
    ("huge.txt", fifty_megabytes, {}, "bytes is over the limit of 20000000 (max_document_bytes)"),  # refused before it is read
    ("deep.html", lambda p: p.write_text("<html><body>" + "<div>" * 100_000 + "<p>The harbour reopened on 3 May.</p>"
                                         + "</div>" * 100_000 + "</body></html>"), {}, "no main text found in the HTML"),
    ("rows.jsonl", lambda p: p.write_bytes(codecs.BOM_UTF8 + b'{"id": "a", "text": "Fine."}\n{"id": true, "text": "x"}\n'), {},
     "2: 'id' must be a non-empty string or integer"),
    ("rows.jsonl", lambda p: p.write_text('{"id": "a", "text": "lone \\udc80 surrogate"}\n'), {}, "1: 'text' holds a lone surrogate"),
    ("rows.jsonl", lambda p: p.write_text('{"id": "a"}\n'), {}, "1: 'text' must be a non-empty string"),
    ("long.txt", lambda p: p.write_text("A sentence about the harbour and its ferries. " * 200),
     {"CITETRAIL_MAX_CHUNKS_PER_DOCUMENT": "3"}, ": document 'long' makes 17 chunks; the limit is 3 (max_chunks_per_document)"),
]


@pytest.mark.parametrize(("name", "write", "env", "message"), DOCUMENTS, ids=[d[0] + ":" + d[3][:20] for d in DOCUMENTS])
def test_unusable_documents_are_refused_naming_the_file(tmp_path, small_store, name, write, env, message):
    FUZZ_CASES["cli ingest"] += 1
    path = tmp_path / name
    write(path)
    before = store_files(small_store)
    proc = citetrail("ingest", "--store", str(small_store), "--strict", str(CORPUS), str(path), env=env)
    assert_one_error_line(proc, 2, str(path))
    assert message in proc.stderr
    assert store_files(small_store) == before
    if name not in ("long.txt", "rows.jsonl"):  # not a bad line or document: without --strict the file is left out, listed
        proc = citetrail("ingest", "--store", str(small_store), str(CORPUS), str(path), env=env)
        assert proc.returncode == 2 and proc.stdout.startswith("0 added, 0 updated, 2 unchanged"), proc.stdout + proc.stderr
        assert proc.stderr.startswith("1 file left out") and f"  {path}: " in proc.stderr and message in proc.stderr
        assert store_files(small_store) == before


# ---- settings ----------------------------------------------------------------------------------

SETTINGS = [
    ("[store\nchunk_size = ", {}, "config file"),
    ('chunk_size = "big"\n', {}, "bad setting chunk_size: Input should be a valid integer"),
    ("dense_k = true\n", {}, "bad setting dense_k: a true/false value"),
    ('verifier = "a\\u0000b"\n', {}, "bad setting verifier: Value error, a path cannot contain a NUL character"),
    ("", {"CITETRAIL_COLLECTION": "x"}, "bad setting collection: Chroma refuses the name 'x'"),
    ("", {"CITETRAIL_LOCK_TIMEOUT": "-1"}, "bad setting lock_timeout"),
    ("", {"CITETRAIL_MAX_CHUNKS_PER_DOCUMENT": "lots"}, "bad setting max_chunks_per_document"),
]


@pytest.mark.parametrize(("toml", "env", "message"), SETTINGS)
def test_bad_settings_are_one_line_and_leave_the_store_untouched(tmp_path, small_store, toml, env, message):
    FUZZ_CASES["cli settings"] += 1
    (tmp_path / "citetrail.toml").write_text(toml)
    before = store_files(small_store)
    proc = citetrail("ingest", "--store", str(small_store), str(CORPUS), cwd=tmp_path, env=env)
    assert_one_error_line(proc, 2, message)
    assert store_files(small_store) == before
