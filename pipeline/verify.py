"""Re-verifiable citations: re-read each cited source as `ingest` reads it and say, per citation, whether the quote
still stands at its span, moved, or is gone (the source changed since the verdict).

`verify_results(results)` is the library call; `citetrail verify RUN` runs it over a stored run."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.errors import InputError
from pipeline.load import content_hash, load_file
from pipeline.load.identity import file_of, is_url
from pipeline.models import CheckResult, Document


class CitationStatus(StrEnum):
    """unchanged: the document is the text that was cited (same hash); stands: the text changed, but the quote is
    still at its span; moved: the quote is elsewhere in the text now; gone: the text no longer holds it;
    unreadable: the source cannot be read (deleted, moved away); not_checked: a web page (re-fetching goes online)."""

    UNCHANGED = "unchanged"
    STANDS = "stands"
    MOVED = "moved"
    GONE = "gone"
    UNREADABLE = "unreadable"
    NOT_CHECKED = "not_checked"


class CitationCheck(BaseModel):
    """One citation of one claim, checked against its source as it is now."""

    claim_id: str
    doc_id: str
    source: str
    start: int
    end: int
    page: int | None = None
    quote: str
    status: CitationStatus
    found_start: int | None = Field(None, description="where the quote is now, when it moved")
    found_end: int | None = None
    hash_matches: bool | None = Field(None, description="the document's text hash equals the cited one (None: the "
                                      "citation predates hashes, or the source could not be read)")
    detail: str = ""


def _current_text(source: str, doc_id: str, max_bytes: int, cache: dict[str, list[Document] | str]) -> Document | str:
    """The document as `ingest` would read it now, or why it cannot be read."""
    path = file_of(source)
    if path not in cache:
        try:
            cache[path] = load_file(Path(path), max_bytes, on_error="skip", skipped=[])
        except InputError as exc:
            cache[path] = str(exc)
    found = cache[path]
    if isinstance(found, str):
        return found
    if len(found) == 1 and source == path:
        return found[0]
    for doc in found:  # a JSONL line: its id, else its line
        if doc.id == doc_id or doc.source == source:
            return doc
    return f"{path}: no document '{doc_id}' in it any more"


def verify_results(results: list[CheckResult], max_bytes: int = 20_000_000) -> list[CitationCheck]:
    """Every citation of `results`, re-read from its source."""
    cache: dict[str, list[Document] | str] = {}
    checks = []
    for result in results:
        for c in result.citations:
            base = {"claim_id": result.claim.id, "doc_id": c.doc_id, "source": c.source, "start": c.start, "end": c.end,
                    "page": c.page, "quote": c.quote}
            if is_url(c.source):
                checks.append(CitationCheck(**base, status=CitationStatus.NOT_CHECKED, detail="a web page: not re-fetched"))
                continue
            doc = _current_text(c.source, c.doc_id, max_bytes, cache)
            if isinstance(doc, str):
                checks.append(CitationCheck(**base, status=CitationStatus.UNREADABLE, detail=doc))
                continue
            same = content_hash(doc.text) == c.doc_hash if c.doc_hash else None
            if doc.text[c.start:c.end] == c.quote:
                status = CitationStatus.UNCHANGED if same else CitationStatus.STANDS
                checks.append(CitationCheck(**base, status=status, hash_matches=same))
                continue
            at = doc.text.find(c.quote)
            if at >= 0:
                checks.append(CitationCheck(**base, status=CitationStatus.MOVED, hash_matches=same, found_start=at,
                                            found_end=at + len(c.quote)))
            else:
                checks.append(CitationCheck(**base, status=CitationStatus.GONE, hash_matches=same))
    return checks
