"""`citetrail ingest` killed with SIGKILL at random points, then run again: the store must end up
exactly as a clean ingest of the same corpus makes it, and stay readable after every kill."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from pipeline import Verifier
from pipeline.errors import StoreError
from tests.conftest import CORPUS, KILL_OUTCOMES, citetrail, store_files, write_generated_corpus

KILLS = 20
PDF_EVERY = 4  # every fourth generated report is a two-page PDF: kills land during PDF ingests too
TOWNS = 100
QUERIES = ["visitors at the harbour", "Town 42 report", "Russia wants territory", "the museum and the stadium"]


def generation(store: Path) -> str:
    path = store / "generation"
    return path.read_text() if path.exists() else ""


def timed_ingest(store: Path, corpus: Path) -> tuple[float, float]:
    """Run an ingest to the end, watching for its first write: (seconds to first write, seconds in all)."""
    before, started, first_write = generation(store), time.monotonic(), None
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", "--store", str(store), str(corpus)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None:
        if first_write is None and generation(store) != before:
            first_write = time.monotonic() - started
        time.sleep(0.01)
    assert proc.returncode == 0, proc.stderr.read()
    total = time.monotonic() - started
    return first_write or total, total


def kill_after(store: Path, corpus: Path, delay: float) -> str:
    """Start an ingest, SIGKILL it after `delay` seconds, and say where the kill landed, from the store."""
    before = generation(store)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", "--store", str(store), str(corpus)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    finished = proc.poll() is not None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    try:
        verifier = Verifier.open(store)  # must open after any kill
    except StoreError as exc:
        assert "no corpus ingested" in str(exc)  # killed before the collection was made: the next ingest makes it
        return "before the store was made"
    assert_searchable(verifier)
    if finished:
        return "finished before the kill"
    if generation(store) == before:
        return "before any write (loading models, reading, chunking, embedding)"
    return "while writing (store marked as changing)" if verifier.store.fingerprint == "" else "after the last write"


def assert_searchable(verifier: Verifier) -> None:
    """Chroma's SQLite and vector index agree: a search for everything finds only stored chunks, each once,
    and all but a few. (HNSW after many replacements can leave a node that no search path reaches; a CI
    run saw one of ~450 unchanged chunks missed that way, so exhaustive recall is not what a kill breaks.)"""
    ids, _, _ = verifier.store.all_chunks()
    if ids:
        found = [cid for cid, _ in verifier.store.dense_search(["visitors"], len(ids))[0]]
        assert len(set(ids)) == len(ids) and len(set(found)) == len(found)
        assert set(found) <= set(ids), "the vector index holds chunks the store does not"
        assert len(ids) - len(found) <= max(1, len(ids) // 100), f"{len(ids) - len(found)} of {len(ids)} chunks unsearchable"


def stored_vectors(store: Path) -> dict[str, np.ndarray]:
    got = Verifier.open(store).store.collection.get(include=["embeddings"])
    return dict(zip(got["ids"], np.asarray(got["embeddings"]), strict=True))


def top_hits(store: Path, n: int = 10) -> list[list[tuple[str, float]]]:
    """The best `n` hits per query, from a search over every chunk (so HNSW's search list is the whole
    store, and only a node no path reaches could drop out; the full list is not compared for that reason)."""
    verifier = Verifier.open(store)
    return [[(cid, round(score, 4)) for cid, score in hits[:n]]
            for hits in verifier.store.dense_search(QUERIES, verifier.store.count())]


def same_but_one_unreachable(got: list, want: list) -> bool:
    """Equal, or equal once one chunk is taken out of either list: HNSW after many replacements can
    leave a node that no search path reaches, even one that belongs in the top 10 (a CI run saw it)."""
    if got == want:
        return True
    return any(x[:i] + x[i + 1:] == y[:len(x) - 1] for x, y in ((got, want), (want, got)) for i in range(len(x)))


@pytest.mark.slow
def test_ingest_killed_at_random_points_is_finished_by_the_next_ingest(tmp_path):
    """Kills land before any write, during the writes and after them; a clean reference run, watched,
    tells when its first write happens, and half the kills fall before it, half after. Between kills
    the corpus alternates between two rewrites of every generated document, so every run has
    replacing to do (chunks added and dropped); the last run, on the reference corpus, must leave the
    store equal to the reference: ids, texts, metadata, fingerprint, stored vectors and the top of dense search."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    write_generated_corpus(corpus, TOWNS, pdf_every=PDF_EVERY)
    reference, store = tmp_path / "reference", tmp_path / "store"
    first_write, total = timed_ingest(reference, corpus)
    rng = random.Random(20)
    delays = [rng.uniform(0.0, first_write) for _ in range(KILLS // 2)]
    delays += [rng.uniform(first_write, total * 1.1) for _ in range(KILLS - KILLS // 2)]
    rng.shuffle(delays)
    outcomes = Counter()
    for i, delay in enumerate(delays):
        write_generated_corpus(corpus, TOWNS, variant=1 + i % 2, pdf_every=PDF_EVERY)
        outcomes[kill_after(store, corpus, delay)] += 1
    KILL_OUTCOMES.update(outcomes)
    print(f"\nreference ingest: first write at {first_write:.1f} s of {total:.1f} s; kills: {dict(outcomes)}")

    write_generated_corpus(corpus, TOWNS, pdf_every=PDF_EVERY)
    assert citetrail("ingest", "--store", str(store), str(corpus)).returncode == 0
    assert store_files(store) == store_files(reference)
    vectors, expected = stored_vectors(store), stored_vectors(reference)
    assert vectors.keys() == expected.keys()
    assert all(np.allclose(vectors[cid], expected[cid], atol=1e-5) for cid in expected)
    for got, want in zip(top_hits(store), top_hits(reference), strict=True):
        assert same_but_one_unreachable(got, want), (got, want)
    assert_searchable(Verifier.open(store))
