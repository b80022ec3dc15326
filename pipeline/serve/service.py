"""What `citetrail serve` does, apart from HTTP: one Verifier shared by every request, its models loaded once.

The Verifier is not made for several threads at once, so checks, extraction, ingest and removal take
turns through one lock; checks that arrive while another is running wait together and are then
checked in one `check_many`, so concurrent clients share the batched retrieval and judging.
An ingest running in this process makes checks answer at once that the store is busy (503) instead
of waiting behind it, and a second ingest is refused (409). Batch runs are checked one at a time on a
worker thread, a group of claims per turn of the lock, so interactive checks slip in between groups.
SQLite connections belong to the thread that made them, so every read of the run store opens its own.
"""

from __future__ import annotations

import copy
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.api import IngestReport, Verifier, clean_claim
from pipeline.batch import ClaimFile, check_claims, run_batch
from pipeline.errors import CitetrailError, InputError, StoreError
from pipeline.load import SUPPORTED, load_file
from pipeline.models import AuditReport, CheckResult, Claim, Extraction, Run
from pipeline.runs import RUNS_FILE, RunStore


class StoreBusy(StoreError):
    """The store is being written by this server (an ingest or a removal): a check cannot read it now."""


class IngestRunning(CitetrailError):
    """A second write was asked for while one is running."""

    exit_code = 1


GATHER_S = 0.004  # how long a check waits for others to join its turn, at most
GATHER_CLAIMS = 8  # no waiting once this many requests are queued


@dataclass(eq=False)
class Pending:
    """One request's claims waiting for a turn of the verifier, and what came of them."""

    claims: list[Claim]
    trail: bool
    done: threading.Event = field(default_factory=threading.Event)
    results: list[CheckResult] = field(default_factory=list)
    error: BaseException | None = None


class DocumentInfo(BaseModel):
    """A stored document as listed: enough to show it and open it."""

    id: str
    title: str
    source: str
    url: str | None = None
    published: str | None = None
    chunks: int


class DocumentText(DocumentInfo):
    """A stored document with its text rebuilt from its chunks, so citation offsets index into `text`."""

    text: str = Field(description="the document's text as stored: character offsets of citations index into it")


class SearchHit(BaseModel):
    """A passage of the corpus near a query (`search_corpus`): where it is and what it says."""

    doc_id: str
    title: str
    chunk_id: str
    start: int
    end: int
    text: str
    rank: int
    score: float


def stored_text(chunks: list) -> str:
    """A document's text from its chunks placed at their offsets; characters no chunk covers become spaces."""
    end = max((c.end for c, _ in chunks), default=0)
    chars = [" "] * end
    for chunk, _ in chunks:
        chars[chunk.start:chunk.start + len(chunk.text)] = chunk.text
    return "".join(chars)


class Service:
    """The server's state: the verifier, the lock its users take turns through, and the batch worker."""

    def __init__(self, verifier: Verifier) -> None:
        self.verifier = verifier
        self.lock = threading.Lock()
        self.writing = threading.Event()
        self.write_guard = threading.Lock()
        self.batches = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citetrail-batch")
        self.progress: dict[str, tuple[int, int]] = {}
        self.errors: dict[str, str] = {}
        self.queue: list[Pending] = []
        self.stopping = threading.Event()
        self.queue_lock = threading.Lock()

    def warm(self) -> None:
        """Load the models and build the retriever now, so the first request is as fast as the rest."""
        with self.lock:
            _ = self.verifier.judge
            if self.verifier.store.count():
                with self.verifier.store.reading():
                    _ = self.verifier.retriever

    def close(self) -> None:
        """Stop: a run being checked stops after its current group and is marked interrupted (resumable with
        `citetrail batch --resume`); queued runs stay pending."""
        self.stopping.set()
        self.batches.shutdown(wait=True, cancel_futures=True)

    @property
    def runs_path(self) -> Path:
        return self.verifier.settings.store / RUNS_FILE

    def runs(self) -> RunStore:
        """A run store connection for this thread (SQLite connections cannot cross threads)."""
        return RunStore(self.runs_path)

    @contextmanager
    def turn(self) -> Iterator[Verifier]:
        """The verifier, for a reader; refused at once while this server writes to the store."""
        if self.writing.is_set():
            raise StoreBusy(f"the store at {self.verifier.store.where} is busy with an ingest; try again when it has finished")
        if not self.lock.acquire(timeout=self.verifier.settings.lock_timeout):
            raise StoreBusy(f"the store at {self.verifier.store.where} is busy (waited "
                            f"{self.verifier.settings.lock_timeout:g} s); try again")
        try:
            yield self.verifier
        finally:
            self.lock.release()

    @contextmanager
    def write_turn(self) -> Iterator[Verifier]:
        """The verifier, for a writer: one at a time, readers turned away meanwhile."""
        if not self.write_guard.acquire(blocking=False):
            raise IngestRunning("an ingest is already running on this server; try again when it has finished")
        try:
            self.writing.set()
            with self.lock:
                yield self.verifier
        finally:
            self.writing.clear()
            self.write_guard.release()

    # ---- reading and checking ---------------------------------------------------------------

    def check(self, claims: list[str], trail: bool = False) -> list[CheckResult]:
        """Check claims, together with whatever other requests are waiting: whoever gets the lock checks every
        pending request's claims in one `check_many`, so concurrent clients share the batched judging. Each
        claim is read alone by the shipped verifier, so a result does not depend on the claims beside it."""
        if self.writing.is_set():
            raise StoreBusy(f"the store at {self.verifier.store.where} is busy with an ingest; try again when it has finished")
        limit = self.verifier.settings.max_claim_chars
        item = Pending([Claim(id=f"c{i + 1}", text=clean_claim(c, limit)) for i, c in enumerate(claims)], trail)
        with self.queue_lock:
            self.queue.append(item)
        deadline = time.monotonic() + self.verifier.settings.lock_timeout
        while not item.done.is_set():
            if self.lock.acquire(timeout=0.02):
                try:
                    gather_until = time.monotonic() + GATHER_S  # let the other clients' requests join this turn
                    while len(self.queue) < GATHER_CLAIMS and time.monotonic() < gather_until:
                        time.sleep(0.001)
                    with self.queue_lock:
                        group, self.queue = self.queue, []
                    self._check_group(group)
                finally:
                    self.lock.release()
            elif time.monotonic() > deadline:
                with self.queue_lock:
                    if item in self.queue:
                        self.queue.remove(item)
                        raise StoreBusy(f"the store at {self.verifier.store.where} is busy (waited "
                                        f"{self.verifier.settings.lock_timeout:g} s); try again")
        if item.error is not None:
            raise item.error
        return item.results

    def _check_group(self, group: list[Pending]) -> None:
        if not group:
            return
        claims = [c for item in group for c in item.claims]
        try:
            results = self.verifier.check_many(claims, trail=any(item.trail for item in group))
        except Exception as exc:
            for item in group:
                item.error = exc
                item.done.set()
            return
        at = 0
        for item in group:
            mine, at = results[at:at + len(item.claims)], at + len(item.claims)
            item.results = mine if item.trail else [r.model_copy(update={"trail": None}) for r in mine]
            item.done.set()

    def extract(self, text: str, title: str = "") -> Extraction:
        from pipeline.extract import extract_claims

        doc = self.text_document(text, title)
        with self.turn() as v:
            return extract_claims(doc, settings=v.settings)

    def audit(self, text: str, title: str = "", trail: bool = False) -> AuditReport:
        doc = self.text_document(text, title)
        with self.turn() as v:
            return v.audit(doc, trail=trail)

    def text_document(self, text: str, title: str = ""):
        from pipeline.load import make_document

        if not isinstance(text, str) or not text.strip():
            raise InputError("the text is empty")
        if len(text.encode("utf-8")) > self.verifier.settings.max_document_bytes:
            raise InputError(f"the text is over the limit of {self.verifier.settings.max_document_bytes} bytes (max_document_bytes)")
        return make_document("pasted-text", title or text.strip().splitlines()[0][:120], "<pasted text>", text)

    def search(self, query: str, k: int = 5) -> list[SearchHit]:
        """The corpus passages nearest a query, by the same fused retrieval a check uses."""
        with self.turn() as v:
            query = clean_claim(query, v.settings.max_claim_chars)
            with v.store.reading():
                found = v.retriever.retrieve([query], frozenset())[0][:k]
        return [SearchHit(doc_id=c.chunk.doc_id, title=c.title, chunk_id=c.chunk.id, start=c.chunk.start, end=c.chunk.end,
                          text=c.chunk.text, rank=c.rank, score=c.fused_score) for c in found]

    def documents(self) -> list[DocumentInfo]:
        with self.turn() as v, v.store.reading():
            got = v.store.collection.get(include=["metadatas"])
        docs: dict[str, DocumentInfo] = {}
        for meta in got["metadatas"]:
            if meta["doc_id"] not in docs:
                docs[meta["doc_id"]] = DocumentInfo(id=meta["doc_id"], title=meta.get("title", ""), source=meta["source"],
                                                    url=meta.get("url"), published=meta.get("published"), chunks=0)
            docs[meta["doc_id"]].chunks += 1
        return sorted(docs.values(), key=lambda d: d.id)

    def document(self, doc_id: str) -> DocumentText:
        with self.turn() as v, v.store.reading():
            chunks = v.store.document_chunks([doc_id])[doc_id]
        if not chunks:
            raise InputError(f"no document '{doc_id}' in the store")
        meta = chunks[0][1]
        return DocumentText(id=doc_id, title=meta.get("title", ""), source=meta["source"], url=meta.get("url"),
                            published=meta.get("published"), chunks=len(chunks), text=stored_text(chunks))

    # ---- writing ----------------------------------------------------------------------------

    def ingest_upload(self, filename: str, data: bytes) -> IngestReport:
        """Ingest an uploaded file. Only its name's stem and suffix are used (as the document id and format):
        the bytes go to a private temp folder, never to a path the client names, and the documents'
        source says they were uploaded."""
        name = Path(filename.replace("\\", "/")).name
        suffix = Path(name).suffix.lower()
        stem = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in Path(name).stem).strip(".-") or "upload"
        if suffix not in SUPPORTED:
            raise InputError(f"{name}: unsupported file type '{suffix}' (supported: {', '.join(SUPPORTED)})")
        limit = self.verifier.settings.max_document_bytes
        if len(data) > limit:
            raise InputError(f"{name}: {len(data)} bytes is over the limit of {limit} (max_document_bytes)")
        with tempfile.TemporaryDirectory(prefix="citetrail-upload-") as folder:
            path = Path(folder) / f"{stem}{suffix}"
            path.write_bytes(data)
            skipped: list[str] = []
            docs = load_file(path, limit, "stop", skipped)
        docs = [d.model_copy(update={"source": d.source.replace(str(path), f"upload:{stem}{suffix}")}) for d in docs]
        with self.write_turn() as v:
            return v.ingest_documents(docs, skipped_lines=skipped)

    def remove_document(self, doc_id: str) -> IngestReport:
        with self.write_turn() as v:
            with v.store.writing():
                if doc_id not in v.store.document_state():
                    raise InputError(f"no document '{doc_id}' in the store")
                v.store.delete_document(doc_id)
                fingerprint = v.store.refresh_fingerprint()
            return IngestReport(removed=[doc_id], fingerprint=fingerprint)

    # ---- batch runs -------------------------------------------------------------------------

    def start_batch(self, claims: ClaimFile) -> Run:
        """Record a new run now (pending) and check it on the batch worker; poll `run(id)` for progress."""
        with self.turn() as v:
            settings, versions = v.settings, v.versions()
        run = self.runs().create(claims.path, claims.claims, settings, versions, claims.skipped)
        self.progress[run.id] = (0, run.claims)
        self.batches.submit(self._check_run, run)
        return run

    def _check_run(self, run: Run) -> None:
        worker = copy.copy(self.verifier)  # the same models and store, with a run store of this thread's own
        worker._runs = None

        def engine(claims: list[Claim], _: Verifier) -> Iterator[list[CheckResult]]:
            groups = check_claims(claims, self.verifier)
            while True:
                while self.writing.is_set() and not self.stopping.is_set():  # an ingest goes first; the run continues after it
                    time.sleep(0.2)
                if self.stopping.is_set():
                    raise KeyboardInterrupt  # run_batch marks the run interrupted
                with self.lock:
                    group = next(groups, None)
                if group is None:
                    return
                yield group

        if self.stopping.is_set():
            return
        try:
            run_batch(worker, run, progress=lambda done, total: self.progress.__setitem__(run.id, (done, total)),
                      engine=engine)
        except KeyboardInterrupt:
            pass  # the server is stopping; run_batch marked the run interrupted
        except Exception as exc:  # recorded as failed in the run store by run_batch; the reason kept for the API
            self.errors[run.id] = str(exc) if isinstance(exc, CitetrailError) else f"unexpected {type(exc).__name__}: {exc}"
        finally:
            worker.runs.close()
