"""A real `citetrail serve` process on a free port, over a copy of the sample store, shared by the serve tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

TOKEN = "test-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    base: str
    store: Path
    log: Path
    client: httpx.Client  # sends the token

    def get(self, path: str, **kw) -> httpx.Response:
        return self.client.get(self.base + path, **kw)

    def post(self, path: str, **kw) -> httpx.Response:
        return self.client.post(self.base + path, **kw)

    def delete(self, path: str, **kw) -> httpx.Response:
        return self.client.delete(self.base + path, **kw)


def start_server(store: Path, log: Path, *args: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start `citetrail serve` and wait until it answers; its stderr goes to `log`."""
    port = free_port()
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--store", str(store), "--port", str(port), *args],
                                stdout=err, stderr=err, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"citetrail serve exited with {proc.returncode}: {log.read_text()}")
        try:
            httpx.get(base + "/", timeout=2)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError(f"citetrail serve did not answer within 180 s: {log.read_text()}")


@pytest.fixture(scope="module")
def served(sample_store, tmp_path_factory):
    """The server, with a token, a 2 MB body limit and a 2 s lock timeout, over a writable copy of the sample store;
    one per test module, so one module's uploads never change what another compares with the sample store."""
    root = tmp_path_factory.mktemp("served")
    store = root / "store"
    shutil.copytree(sample_store, store)
    proc, base = start_server(store, root / "serve.log", "--token", TOKEN, "--max-body-mb", "2",
                              env={"CITETRAIL_LOCK_TIMEOUT": "2"})
    client = httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    try:
        yield Served(base, store, root / "serve.log", client)
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_run(served: Served, run_id: str, timeout: float = 300) -> dict:
    """Poll a run until the batch worker has finished it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = served.get(f"/v1/runs/{run_id}").json()
        if run["status"] in ("done", "failed", "interrupted"):
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")
