"""The Python API: `Verifier.open(".citetrail").check("claim")`. The CLI is a thin layer over it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from pipeline.aggregate import aggregate, verdict_rules
from pipeline.chunk import chunk_document, chunker_settings, doc_of
from pipeline.config import Settings, load_settings, override
from pipeline.embed import EMBEDDING_MODEL, embedding_model_sha256
from pipeline.errors import InputError, StoreError
from pipeline.judge import Judge, load_judge
from pipeline.judge.stage import judge_claims
from pipeline.language import document_warning, not_english, result_warnings
from pipeline.load import OnError, load_paths
from pipeline.load.identity import assign_ids, file_of
from pipeline.models import (
    AuditReport,
    AuditSummary,
    CheckResult,
    ChunkerSettings,
    Claim,
    Document,
    RetrievalSettings,
    Trail,
    Verdict,
    VerdictRules,
    Versions,
    page_at,
)
from pipeline.retrieve import Retriever
from pipeline.runs import RUNS_FILE, RunStore
from pipeline.store import ChunkStore, described
from pipeline.textnorm import normalise_space

EMBED_BATCH_CHUNKS = 256
NEAR_COPY = 0.8  # word Jaccard at which two documents are one text (an edited or re-wrapped copy)


class IngestReport(BaseModel):
    """What an ingest did, by document id; `failed` lists each file left out ("path: reason")."""

    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    skipped_lines: list[str] = []
    failed: list[str] = []
    warnings: list[str] = Field(default_factory=list, description="documents written that are not in English, one line each")
    chunks_written: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    fingerprint: str = ""


def citetrail_version() -> str:
    try:
        return version("citetrail")
    except PackageNotFoundError:
        return "0+unknown"


def clean_claim(text: str, max_chars: int) -> str:
    """Reject claims that cannot be checked; collapse whitespace and drop control characters."""
    if not isinstance(text, str):
        raise InputError("the claim must be text")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = normalise_space(text)
    if not text:
        raise InputError("the claim is empty")
    if len(text) > max_chars:
        raise InputError(f"the claim is {len(text)} characters long; the limit is {max_chars} (max_claim_chars)")
    return text


class Verifier:
    """A store of chunked, embedded documents plus the verifier model that checks claims against it."""

    def __init__(self, settings: Settings, store: ChunkStore, judge: Judge | None = None) -> None:
        self.settings = settings
        self.store = store
        self._retriever: Retriever | None = None
        self._retriever_generation = ""
        self._judge = judge
        self._runs: RunStore | None = None

    @classmethod
    def open(cls, store: str | Path | None = None, *, create: bool = False, config: Path | None = None,
             judge: Judge | None = None, **overrides: Any) -> Verifier:
        """Open the store at `store` (default from settings: .citetrail); `create` makes one if missing. `judge`: a
        `Judge` of your own instead of the one the `verifier` setting names (docs/extending.md)."""
        settings = load_settings(config, store=store, **overrides)
        chunk_store = ChunkStore(settings.store, settings.collection,
                                 chunker_settings(settings.chunk_size, settings.chunk_overlap), create=create,
                                 lock_timeout=settings.lock_timeout, chroma_url=settings.chroma_url,
                                 embedding_precision=settings.embedding_precision)
        return cls(settings, chunk_store, judge)

    # ---- ingest ----------------------------------------------------------------------------

    def ingest(self, paths: Iterable[str | Path], *, prune: bool = False, on_error: OnError = "stop",
               follow_symlinks: bool = False, progress: Callable[[int, int], None] | None = None,
               strict: bool = False) -> IngestReport:
        """Add new documents, replace changed ones, leave unchanged ones; optionally prune vanished files.

        Every file is read and validated before the store is touched. A file that cannot be used (empty, binary,
        damaged, unsupported) is left out and listed in `failed`, and the rest are written; `strict` stops at the
        first such file instead, writing nothing. `http(s)://` URLs among `paths` are fetched (the only time
        citetrail goes online)."""
        from pipeline.load.url import fetch_url, is_url

        started = time.perf_counter()
        given = [str(p) for p in paths]
        urls = [p for p in given if is_url(p)]
        files = [Path(p) for p in given if not is_url(p)]
        docs, failed, skipped = [], [], []
        if files:
            loaded = load_paths(files, self.settings.max_document_bytes, on_error, follow_symlinks, strict=strict)
            docs, failed, skipped = loaded.documents, loaded.failed, loaded.skipped
        for url in urls:
            try:
                docs.append(fetch_url(url, self.settings.max_document_bytes))
            except InputError as exc:
                if strict:
                    raise
                failed.append(str(exc))
        report = self.ingest_documents(docs, prune=prune, skipped_lines=skipped, progress=progress, started=started)
        report.failed = failed
        return report

    def ingest_documents(self, docs: list[Document], *, prune: bool = False, skipped_lines: list[str] | None = None,
                         progress: Callable[[int, int], None] | None = None, started: float | None = None) -> IngestReport:
        """Write `docs` holding the store's lock, so no other citetrail process reads or writes it meanwhile.

        For an fp32 store (PyTorch): oneDNN keeps a primitive, with its buffers, for every input shape it has
        run; chunks of every length made that cache much of ingest's memory (1,000 SciFact abstracts in batches
        of 64: 1.4 GB peak with it, 1.1 GB without, at the same speed), so it is switched off unless the process
        has run the model already (the setting is read once) or the user set it. Queries keep it (about 18 ms a
        check). An int8 store never runs PyTorch."""
        os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")
        started = started or time.perf_counter()
        with self.store.writing():
            report = self._write_documents(docs, prune, skipped_lines or [], progress)
        report.seconds = time.perf_counter() - started
        return report

    def _write_documents(self, docs: list[Document], prune: bool, skipped_lines: list[str],
                         progress: Callable[[int, int], None] | None) -> IngestReport:
        report = IngestReport(skipped_lines=skipped_lines)
        state = self.store.document_state()
        # Ids against the store, under its lock: a same-stem file ingested earlier, or by another process meanwhile,
        # keeps its document and this one gets an id of its own.
        docs = assign_ids(docs, {doc_id: info["source"] for doc_id, info in state.items()},
                          {doc_id: info["hash"] for doc_id, info in state.items()})
        limit = self.settings.max_chunks_per_document
        todo = []
        for doc in docs:
            old = state.get(doc.id)
            if old and old["complete"] and old["hash"] == doc.content_hash and old["described"] == described(doc):
                if old["source"] != doc.source:  # an old store's relative path, made absolute
                    self.store.set_source(doc.id, doc.source)
                report.unchanged.append(doc.id)
                continue
            chunks = chunk_document(doc, self.settings.chunk_size, self.settings.chunk_overlap, self.store.line_breaks)
            if len(chunks) > limit:
                raise InputError(f"{doc.source}: document '{doc.id}' makes {len(chunks)} chunks; the limit is {limit} "
                                 "(max_chunks_per_document); nothing was written")
            (report.updated if old else report.added).append(doc.id)
            todo.append((doc, chunks))
            if language := not_english(doc.text):
                report.warnings.append(document_warning(doc.id, doc.source, language))
        done = 0
        while todo:
            group, n = [], 0
            while todo and (not group or n + len(todo[0][1]) <= EMBED_BATCH_CHUNKS):
                n += len(todo[0][1])
                group.append(todo.pop(0))
            texts = [c.text for _, chunks in group for c in chunks]
            t0 = time.perf_counter()
            vectors = self.store.embedding(texts) if texts else []
            report.embed_seconds += time.perf_counter() - t0
            self.store.put_documents(group, vectors)
            report.chunks_written += n
            done += len(group)
            if progress:
                progress(done, done + len(todo))
        if prune:
            given = {d.id for d in docs}
            for doc_id, info in state.items():
                path = file_of(info["source"])
                # Only an absolute path can be judged gone from anywhere; URLs and old relative paths are kept.
                if doc_id not in given and os.path.isabs(path) and not Path(path).exists():
                    self.store.delete_document(doc_id)
                    report.removed.append(doc_id)
        report.fingerprint = self.store.refresh_fingerprint()
        return report

    # ---- check -----------------------------------------------------------------------------

    @property
    def retriever(self) -> Retriever:
        """Built for the store as it is now: again after any write to it, by this process or another."""
        if self._retriever is None or self._retriever_generation != self.store.generation:
            if self.store.count() == 0:
                raise StoreError(f"the store at {self.settings.store} holds no documents: run `citetrail ingest PATH`")
            s = self.settings
            self._retriever = Retriever(self.store, s.dense_k, s.lexical_k, s.top_k)
            self._retriever_generation = self.store.generation
        return self._retriever

    @property
    def judge(self) -> Judge:
        """The judge the `verifier` setting names (`pipeline.judge.load_judge`), loaded on first use."""
        if self._judge is None:
            self._judge = load_judge(self.settings)
        return self._judge

    @property
    def runs(self) -> RunStore:
        """The batch runs checked against this store (`<store>/runs.sqlite`)."""
        if self._runs is None:
            self._runs = RunStore(self.settings.store / RUNS_FILE)
        return self._runs

    def rules(self) -> VerdictRules:
        """The verdict rules fitted for the judge, with any threshold the settings give instead."""
        return verdict_rules(self.judge, self.settings)

    def versions(self) -> Versions:
        s = self.settings
        return Versions(citetrail=citetrail_version(), embedding_model=EMBEDDING_MODEL,
                        embedding_model_sha256=embedding_model_sha256(), embedding_precision=self.store.embedding.precision,
                        verifier_model=self.judge.name, verifier_model_sha256=self.judge.version,
                        verifier_temperature=self.judge.temperature,
                        chunker=ChunkerSettings(**chunker_settings(s.chunk_size, s.chunk_overlap, self.store.line_breaks)),
                        index_fingerprint=self.store.fingerprint, thresholds=self.rules(),
                        retrieval=RetrievalSettings(dense_k=s.dense_k, lexical_k=s.lexical_k, top_k=s.top_k, window=s.window,
                                                    min_shared_words=s.min_shared_words))

    def check(self, claim: str, *, exclude_docs: Iterable[str] = (), trail: bool = False) -> CheckResult:
        """Check one claim against the store."""
        return self.check_many([claim], exclude_docs=exclude_docs, trail=trail)[0]

    def check_many(self, claims: list[str | Claim], *, exclude_docs: Iterable[str] = (), trail: bool = False) -> list[CheckResult]:
        """Check several claims; retrieval and judging are batched across them. `trail` keeps every
        candidate and judged sentence in the result."""
        s = self.settings
        parsed = [c if isinstance(c, Claim) else Claim(id=f"c{i + 1}", text=c) for i, c in enumerate(claims)]
        parsed = [c.model_copy(update={"text": clean_claim(c.text, s.max_claim_chars)}) for c in parsed]
        rules = self.rules()
        t0 = time.perf_counter()
        with self.store.reading():  # only retrieval touches the store; judging needs no lock
            candidates = self.retriever.retrieve([c.text for c in parsed], frozenset(exclude_docs))
            versions = self.versions()
        t1 = time.perf_counter()
        judgements = judge_claims(self.judge, parsed, candidates, rules, batch_size=s.batch_size, window=s.window,
                                  min_shared_words=s.min_shared_words)
        t2 = time.perf_counter()
        results = []
        for claim, cands, judged in zip(parsed, candidates, judgements, strict=True):
            decision = aggregate(judged, cands, rules, s.max_citations)
            by_chunk = {c.chunk.id: c for c in cands}
            for citation in decision.citations:  # the page (PDF) and the cited text's hash, for `citetrail verify`
                cand = by_chunk.get(citation.chunk_id)
                if cand is not None:
                    citation.doc_hash = cand.doc_hash
                    citation.page = page_at(cand.chunk.pages, citation.start)
            results.append(CheckResult(claim=claim, verdict=decision.verdict, confidence=decision.confidence,
                                       rule=decision.rule, rule_id=decision.rule_id, citations=decision.citations,
                                       judged_pairs=sum(j.probabilities is not None for j in judged),
                                       versions=versions, timings_ms={}, warnings=result_warnings(claim.text, cands),
                                       trail=Trail(candidates=cands, judgements=judged) if trail else None))
        t3 = time.perf_counter()
        per = 1000.0 / len(parsed)
        for r in results:
            r.timings_ms = {"retrieve": round((t1 - t0) * per, 2), "judge": round((t2 - t1) * per, 2),
                            "aggregate": round((t3 - t2) * per, 2)}
        return results

    def verify(self, run_id: str) -> list:
        """Each citation of a stored run re-read from its source: unchanged, stands, moved, gone or unreadable
        (`pipeline.verify.CitationCheck`)."""
        from pipeline.verify import verify_results

        return verify_results(self.runs.results(run_id), self.settings.max_document_bytes)

    # ---- audit -----------------------------------------------------------------------------

    def copies_of(self, doc: Document, probes: int = 3, similarity: float = NEAR_COPY) -> list[str]:
        """The stored documents that are this text, whatever their name: the same content hash, or near-copies (an
        edited, re-encoded or re-wrapped version: word Jaccard at least `similarity`; a text quoting only a part of
        a document is not a copy of it), found
        among the documents dense search returns for a few of its chunks. An audit leaves them all out, so an
        article is never checked against itself, read from standard input or renamed."""
        with self.store.reading():
            same = self.store.collection.get(where={"doc_hash": doc.content_hash}, include=["metadatas"])
            found = {m["doc_id"] for m in same["metadatas"]}
            chunks = chunk_document(doc, self.settings.chunk_size, self.settings.chunk_overlap, self.store.line_breaks)
            if not chunks or self.store.count() == 0:
                return sorted(found)
            picked = [chunks[i * (len(chunks) - 1) // max(1, probes - 1)] for i in range(min(probes, len(chunks)))]
            hits = self.store.dense_search([c.text for c in picked], 5)
            candidates = {doc_of(cid) for row in hits for cid, _ in row} - found
            stored = self.store.document_chunks(sorted(candidates))
        words = set(doc.text.lower().split())
        for doc_id, parts in stored.items():
            theirs = set(" ".join(chunk.text for chunk, _ in parts).lower().split())
            if words and theirs and len(words & theirs) / len(words | theirs) >= similarity:
                found.add(doc_id)
        return sorted(found)

    def audit(self, source: str | Path | Document, *, extractor: str | None = None, trail: bool = False) -> AuditReport:
        """Extract the claims of an article and check each against the rest of the corpus.

        `source`: a Path or a str naming a file (read as `ingest` reads it, so its id is the file stem
        and its own stored copy is excluded from retrieval), a Document, or the text itself."""
        from pipeline.extract import extract_claims, to_document

        doc = to_document(source, self.settings.max_document_bytes)
        extraction = extract_claims(doc, settings=override(self.settings, extractor=extractor))
        checkable = extraction.checkable()
        started = time.perf_counter()
        own = self.copies_of(doc) if checkable else []
        results = self.check_many([c.claim for c in checkable], exclude_docs=set(own), trail=trail) if checkable else []
        counts = {v: sum(r.verdict == v for r in results) for v in Verdict}
        summary = AuditSummary(checked=len(results), supported=counts[Verdict.SUPPORTED], refuted=counts[Verdict.REFUTED],
                               conflicting=counts[Verdict.CONFLICTING], unverified=counts[Verdict.NOT_ENOUGH_INFO],
                               dropped=len(extraction.claims) - len(checkable))
        return AuditReport(doc_id=doc.id, source=doc.source, extractor=extraction.extractor, excluded_docs=own,
                           results=results, dropped=[c for c in extraction.claims if not c.check_worthy], summary=summary,
                           extract_seconds=extraction.seconds, check_seconds=round(time.perf_counter() - started, 3))
