"""The wheel built from this checkout, installed into a fresh venv and run from another folder: it installs the
`pipeline` package alone (no top-level `eval` or `prompts`), carries every file of the package and the prompts,
and `citetrail check` and `citetrail eval claims` work from it without writing into the installed package.

The venv is made without pip and the wheel installed into it with --no-deps; its dependencies come from this
test's own environment through a .pth file (a path line in a .pth file puts that folder on sys.path but runs none
of its .pth files, so the checkout's editable install is not seen). Nothing is downloaded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT

NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "__pycache__", "*.egg-info", ".citetrail",
                                   ".pytest_cache", ".ruff_cache", ".hypothesis")


def package_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def files_with_times(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of a copy of this checkout (setuptools writes build/ and egg-info beside the sources)."""
    src = tmp_path_factory.mktemp("src") / "citetrail"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCE)
    dist = src / "dist"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                           str(src)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (built,) = dist.glob("citetrail-*.whl")
    return built


def test_the_wheel_holds_the_package_alone(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert {n.split("/")[0] for n in names} == {"pipeline", dist_info}
    shipped = {n for n in names if n.startswith("pipeline/")}
    assert {f"pipeline/{f}" for f in package_files(ROOT / "pipeline")} <= shipped  # no subpackage or data file forgotten
    assert {f"pipeline/prompts/{p.name}" for p in (ROOT / "prompts").glob("*.toml")} <= shipped


@pytest.mark.slow
def test_the_installed_wheel_checks_and_evaluates_from_another_folder(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    installed = site / "pipeline"
    before = files_with_times(installed)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    citetrail = [str(env_dir / ("Scripts/citetrail.exe" if os.name == "nt" else "bin/citetrail"))]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*citetrail, *args], capture_output=True, text=True, cwd=work, env=env, timeout=900)

    where = subprocess.run([python, "-c", "import pipeline, pipeline.llm as llm; print(pipeline.__file__); "
                            "print(llm.PROMPTS)"], capture_output=True, text=True, cwd=work, env=env, check=True).stdout.split()
    assert where == [str(installed / "__init__.py"), str(installed / "prompts")]

    assert run("ingest", str(CORPUS)).returncode == 0
    checked = run("check", "--json", "Trump met Putin in Alaska.")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["verdict"] == "SUPPORTED"

    claims = work / "three.jsonl"
    claims.write_text("".join((ROOT / "eval" / "data" / "sample_claims.jsonl").read_text(encoding="utf-8").splitlines(True)[:3]),
                      encoding="utf-8")
    evaluated = run("eval", "claims", str(claims), "--corpus", str(CORPUS))
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads((work / "build" / "reports" / "three.json").read_text(encoding="utf-8"))
    assert report["n"] == 3 and len(report["per_claim"]) == 3
    assert files_with_times(installed) == before  # nothing written into the installed package
