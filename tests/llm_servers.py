"""Real local servers on free ports that stand in for an LLM server: one that never answers, and just enough of
Ollama's /api/chat for langchain-ollama's ChatOllama. Shared by the LLM extractor's and the LLM judge's tests."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

try:
    import langchain_ollama  # noqa: F401
    has_ollama = True
except ImportError:
    has_ollama = False
needs_ollama = pytest.mark.skipif(not has_ollama, reason="langchain-ollama is not installed (the dev extra has it)")


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers: what a hung LLM server looks like."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def closed_port() -> int:
    """A port nothing listens on: bound, then closed again."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def ollama_like(reply: Callable[[dict], dict]) -> Iterator[tuple[int, list[dict]]]:
    """An Ollama-like server on a free port answering each chat request with `reply(request body)` as the message's JSON
    content; yields its port and the requests it received."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(body)
            line = json.dumps({"model": body["model"], "created_at": "2025-01-01T00:00:00Z", "done": True, "done_reason": "stop",
                               "message": {"role": "assistant", "content": json.dumps(reply(body))}})
            data = (line + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()
