"""Shared fixtures: real stores in temp dirs, built once per session where tests only read them."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from pipeline import Verifier
from tests.serving import served  # noqa: F401  (the `citetrail serve` process, for tests/test_serve*.py)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"

# Fuzz tests: no per-example deadline (this machine's CPU is shared), and every case counted.
settings.register_profile("citetrail", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("citetrail")
FUZZ_CASES: Counter[str] = Counter()
KILL_OUTCOMES: Counter[str] = Counter()


def pytest_terminal_summary(terminalreporter) -> None:
    """Say how many fuzz cases ran and where the crash-safety kills landed, so a report can quote them."""
    for title, counts in (("fuzz cases run", FUZZ_CASES), ("ingest kills", KILL_OUTCOMES)):
        if counts:
            terminalreporter.write_sep("-", f"{title}: {sum(counts.values())}")
            for name, n in sorted(counts.items()):
                terminalreporter.write_line(f"{n:6d}  {name}")


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory) -> Path:
    """A store with the two sample articles; tests must not write to it."""
    path = tmp_path_factory.mktemp("store") / ".citetrail"
    Verifier.open(path, create=True).ingest([CORPUS])
    return path


@pytest.fixture(scope="session")
def sample_verifier(sample_store) -> Verifier:
    return Verifier.open(sample_store)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the sample corpus."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture
def store_copy(sample_store, tmp_path) -> Path:
    """A writable copy of the sample store, for tests that write runs into it."""
    dest = tmp_path / "store"
    shutil.copytree(sample_store, dest)
    return dest


def citetrail(*args: str, cwd=None, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """The real command in its own process, as a user runs it; `env` adds to the environment."""
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def store_files(path):
    """What the store holds: every chunk's id, text and metadata, and the collection's metadata.

    (Chroma rewrites its SQLite header whenever it opens a store, so bytes are no measure.)"""
    store = Verifier.open(path).store
    ids, texts, metas = store.all_chunks()
    return sorted(zip(ids, texts, (sorted(m.items()) for m in metas), strict=True)), sorted(store.collection.metadata.items())


PLACES = ["harbour", "council", "bridge", "museum", "railway", "library", "airport", "market", "stadium", "hospital"]


def write_generated_corpus(dest: Path, n: int, variant: int = 0, prefix: str = "town", pdf_every: int = 0) -> list[Path]:
    """`n` made-up local reports, a few chunks each; another `variant` rewrites every one of them and
    lengthens a third, so an ingest of it replaces every document and drops or adds chunks. With `pdf_every`,
    every so many reports are PDFs of two pages instead of text files."""
    from tests.pdf_maker import make_pdf

    dest.mkdir(parents=True, exist_ok=True)
    rng = random.Random(n)
    paths = []
    for i in range(n):
        sentences = []
        for j in range(rng.randint(5, 12) + variant * 4 * (i % 3 == 0)):
            a, b, c = rng.sample(PLACES, 3)
            sentences.append(f"The {a} of Town {i} counted {rng.randint(10, 9999) + variant} visitors in {1990 + j}, "
                             f"more than the {b} and fewer than the {c}.")
        if pdf_every and i % pdf_every == 0:
            path = dest / f"{prefix}-{i:03d}.pdf"
            half = len(sentences) // 2
            path.write_bytes(make_pdf([[f"Town {i} report", *sentences[:half]], sentences[half:]]))
        else:
            path = dest / f"{prefix}-{i:03d}.txt"
            path.write_text(f"Town {i} report\n" + " ".join(sentences) + "\n")
        paths.append(path)
    return paths
