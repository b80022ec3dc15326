"""The store on a real Chroma server (`chroma run` from the chromadb package) instead of the embedded one."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import chromadb
import pytest

from pipeline import Verdict, Verifier
from pipeline.errors import StoreError
from tests.conftest import CORPUS

CLAIM = "Russia wants about 6,000 square kilometres it has not yet conquered"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            break
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("chroma run did not start")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", proc
    proc.terminate()
    proc.wait(timeout=30)


def test_ingest_and_check_on_a_chroma_server_match_the_embedded_store(chroma_server, tmp_path, sample_verifier):
    url, proc = chroma_server
    local = tmp_path / "local"
    verifier = Verifier.open(local, create=True, chroma_url=url)
    first = verifier.ingest([CORPUS])
    assert len(first.added) == 2 and first.chunks_written > 0
    assert not (local / "chroma.sqlite3").exists()  # the vectors are on the server
    again = Verifier.open(local, chroma_url=url).ingest([CORPUS])
    assert len(again.unchanged) == 2 and again.chunks_written == 0

    served = Verifier.open(local, chroma_url=url).check(CLAIM)
    embedded = sample_verifier.check(CLAIM)
    assert served.verdict == embedded.verdict == Verdict.SUPPORTED
    assert [(c.chunk_id, c.start, c.end) for c in served.citations] == [(c.chunk_id, c.start, c.end) for c in embedded.citations]
    assert served.versions.index_fingerprint == embedded.versions.index_fingerprint

    proc.terminate()
    proc.wait(timeout=30)
    with pytest.raises(StoreError, match="cannot reach the Chroma server"):
        Verifier.open(tmp_path / "elsewhere", chroma_url=url)


def test_a_server_without_the_corpus_or_a_bad_url_is_one_clear_error(chroma_server, tmp_path):
    url, _ = chroma_server
    with pytest.raises(StoreError, match="no corpus ingested"):
        Verifier.open(tmp_path / "local", chroma_url=url)
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "check", CLAIM, "--store", str(tmp_path / "x"),
                           "--chroma-url", "ftp://nowhere"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "chroma_url" in done.stderr
