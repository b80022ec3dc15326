"""A read-only store (an archive, read-only media) answers `check`, `runs`, `trail` and `report`, and nothing in it is
written. Run as a user who cannot write it: when the tests run as root (whom file modes do not stop), the commands
run as `nobody` through setpriv."""

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pipeline.embed import cache_dir
from tests.conftest import ROOT, citetrail

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def as_reader(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([*NOBODY, sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, timeout=600)


@pytest.fixture
def archive(sample_store):
    """A copy of the sample store with one batch run, made unwritable, in a folder `nobody` can reach."""
    if NOBODY and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: no way to be a user the file modes stop")
    folder = Path(tempfile.mkdtemp(prefix="citetrail-archive-"))
    os.chmod(folder, 0o755)
    store = folder / "store"
    shutil.copytree(sample_store, store)
    claims = folder / "claims.txt"
    claims.write_text("Trump met Putin in Alaska.\nRussia invaded Ukraine in 2022.\n")
    proc = citetrail("batch", str(claims), "--store", str(store))
    assert proc.returncode == 0, proc.stderr
    run_id = proc.stdout.split()[1].rstrip(":")
    cache = folder / "cache"  # the embedding export, where `nobody` can read it
    shutil.copytree(cache_dir(), cache / "citetrail")
    out = folder / "out"
    out.mkdir()
    for path in (folder, *folder.rglob("*")):
        mode = path.stat().st_mode
        if path == out:
            path.chmod(0o777)
        elif path.is_relative_to(store):
            path.chmod((mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH | (0o111 if path.is_dir() else 0)) & ~0o222)
        else:
            path.chmod(mode | 0o755 if path.is_dir() else mode | 0o444)
    yield store, run_id, {"XDG_CACHE_HOME": str(cache)}, out
    for path in (folder, *folder.rglob("*")):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    shutil.rmtree(folder)


def test_a_read_only_store_answers_and_is_not_written(archive):
    store, run_id, env, out = archive
    before = snapshot(store)
    probe = as_reader("check", "--store", str(store), "--json", "Trump met Putin in Alaska", env=env)
    assert probe.returncode == 0, probe.stderr
    assert '"verdict"' in probe.stdout
    proc = as_reader("runs", "--store", str(store), env=env)
    assert proc.returncode == 0 and run_id in proc.stdout and "done" in proc.stdout, proc.stderr
    proc = as_reader("trail", run_id, "L1", "--store", str(store), env=env)
    assert proc.returncode == 0 and f"run {run_id}, claim L1" in proc.stdout, proc.stderr
    proc = as_reader("report", run_id, "--md", str(out / "r.md"), "--store", str(store), env=env)
    assert proc.returncode == 0 and (out / "r.md").read_text().startswith(f"# citetrail run {run_id}"), proc.stderr
    assert snapshot(store) == before
    proc = as_reader("ingest", "--store", str(store), str(ROOT / "corpus"), env=env)
    assert proc.returncode == 3 and proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
