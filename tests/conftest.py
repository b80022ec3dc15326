"""Shared fixtures: real stores in temp dirs, built once per session where tests only read them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import Verifier

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


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
