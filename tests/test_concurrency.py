"""Several processes on one store. Chroma's embedded client keeps the vector index in each process's
memory: without the store lock two writers corrupt it (searches return some chunks twice and miss
others), and a process that opened the store before another wrote searches a stale index (deleted
chunks come back, new ones are missing). These tests run real citetrail processes against each other."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import Verifier
from pipeline.errors import StoreError
from pipeline.store import store_lock
from tests.conftest import CORPUS, citetrail, write_generated_corpus


def held_exclusively(store: Path) -> bool:
    """Whether some process holds the store's lock as a writer (a reader's lock cannot be had at once)."""
    try:
        with store_lock(store, exclusive=False, timeout=0):
            return False
    except StoreError as exc:
        return "is busy" in str(exc)


def ingest_process(store: Path, *paths: Path, timeout: float = 600) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", "--store", str(store), *map(str, paths)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CITETRAIL_LOCK_TIMEOUT": str(timeout)})


def assert_consistent(verifier: Verifier, expected_docs: set[str]) -> None:
    """Every expected document complete and nothing else; dense search finds every chunk by its own text and
    no chunk the store does not hold (HNSW is approximate: one query for all n chunks may return fewer than n)."""
    state = verifier.store.document_state()
    assert set(state) == expected_docs and all(s["complete"] for s in state.values())
    ids, texts, _ = verifier.store.all_chunks()
    assert len(set(ids)) == len(ids)
    hits = verifier.store.dense_search(texts, 10)
    assert all(cid in {h for h, _ in found} for cid, found in zip(ids, hits, strict=True))
    assert {h for found in hits for h, _ in found} <= set(ids)


@pytest.mark.slow
def test_two_ingests_at_once_both_land_whole(tmp_path):
    """Started together on a new store, one waits for the other; the store ends up with both corpora."""
    store = tmp_path / "store"
    first, second = tmp_path / "a", tmp_path / "b"
    write_generated_corpus(first, 20)
    write_generated_corpus(second, 20, prefix="city")
    procs = [ingest_process(store, first), ingest_process(store, second, CORPUS)]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    expected = {p.stem for p in [*first.iterdir(), *second.iterdir(), *CORPUS.iterdir()]}
    assert_consistent(Verifier.open(store), expected)


@pytest.mark.slow
def test_a_reader_waits_for_the_writer_and_then_sees_what_it_wrote(tmp_path, corpus_copy):
    """A Verifier opened (and searched) before another process ingests: while the ingest holds the
    store it is told the store is busy, or waits if it may; afterwards it finds the new documents and
    never a chunk the ingest deleted."""
    store = tmp_path / "store"
    reader = Verifier.open(store, create=True, lock_timeout=0.2)
    reader.ingest([corpus_copy])  # the folder the writer ingests: the same files, so the same documents
    towns = write_generated_corpus(corpus_copy, 60)
    before = reader.check("Russia wants about 6,000 square kilometres", trail=True)
    shrunk = corpus_copy / "vance-talks-narrowed-to-core-issues.txt"
    shrunk.write_text("Talks narrowed to two issues, Vance said.\n")

    writer = ingest_process(store, corpus_copy)
    while writer.poll() is None and not held_exclusively(store):
        time.sleep(0.02)
    assert writer.poll() is None, "the ingest ended before it was seen holding the store"
    with pytest.raises(StoreError, match=r"is busy: another citetrail process is using it \(waited 0.2 s"):
        reader.check("Town 7 counted visitors")
    reader.store.lock_timeout = 600
    during = reader.check("Town 7 counted visitors", trail=True)  # waits for the writer
    assert writer.wait(timeout=900) == 0, writer.stderr.read()

    assert during.versions.index_fingerprint == Verifier.open(store).store.fingerprint != before.versions.index_fingerprint
    retrieved = {c.chunk.id for c in during.trail.candidates}
    assert any(cid.startswith(towns[7].stem + "#") for cid in retrieved)
    gone = {c.chunk.id for c in before.trail.candidates if c.chunk.doc_id == shrunk.stem} - {f"{shrunk.stem}#0"}
    after = reader.check("Russia wants about 6,000 square kilometres", trail=True)
    assert gone and not gone & {c.chunk.id for c in after.trail.candidates}
    assert_consistent(reader, {p.stem for p in corpus_copy.iterdir()})


def test_busy_store_is_one_clear_line_with_exit_3(sample_store, tmp_path, corpus_copy):
    """While an ingest holds the store (here: this process, through the same lock), `check` and
    `ingest` wait lock_timeout seconds and then say so in one line; a reader holding it blocks ingest
    but not another check."""
    quick = {"CITETRAIL_LOCK_TIMEOUT": "0.5"}
    with store_lock(sample_store, exclusive=True, timeout=0):
        for args in (["check", "Trump met Putin"], ["ingest", str(corpus_copy)]):
            proc = citetrail(args[0], "--store", str(sample_store), *args[1:], env=quick)
            assert proc.returncode == 3, proc.stderr
            assert proc.stderr == f"error: the store at {sample_store} is busy: another citetrail process is using it " \
                                  "(waited 0.5 s, lock_timeout); try again when it finishes\n"
    with store_lock(sample_store, exclusive=False, timeout=0):
        assert citetrail("ingest", "--store", str(sample_store), str(corpus_copy), env=quick).returncode == 3
        assert citetrail("check", "--store", str(sample_store), "Trump met Putin", env=quick).returncode == 0


def test_database_held_by_another_program_is_busy_not_a_hang(sample_store):
    """Chroma waits forever for a SQLite file that another program is writing; citetrail gives up
    after lock_timeout with one line."""
    con = sqlite3.connect(sample_store / "chroma.sqlite3", isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        proc = citetrail("check", "--store", str(sample_store), "Trump met Putin", env={"CITETRAIL_LOCK_TIMEOUT": "1"},
                         timeout=300)
    finally:
        con.execute("ROLLBACK")
        con.close()
    assert proc.returncode == 3
    assert proc.stderr.startswith(f"error: the store at {sample_store} is busy: another program holds its database file")
    assert proc.stderr.count("\n") == 1
