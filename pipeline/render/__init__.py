"""Renderers: a run's results as terminal tables, JSONL, CSV, Markdown or one HTML file.

They read only what the run store holds (results with their trails); none runs a model or
touches Chroma. Files are written atomically, so a reader never sees half a report.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from pipeline.errors import InputError
from pipeline.models import CheckResult, Citation

JSONL_SOURCE = re.compile(r"(.*)#(L\d+)")


class Passage(NamedTuple):
    """A citation in its retrieved chunk: the quote, with the chunk's text before and after it."""

    citation: Citation
    before: str
    quote: str
    after: str
    href: str


def source_href(source: str, url: str | None) -> str:
    """The document's http(s) URL when it has one, else a file link to where it was read from."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    match = JSONL_SOURCE.fullmatch(source)
    path, fragment = (match.group(1), "#" + match.group(2)) if match else (source, "")
    return Path(path).resolve().as_uri() + fragment


def passages(result: CheckResult) -> list[Passage]:
    """Each citation placed in its chunk by offsets (the trail holds the chunk); just the quote without a trail."""
    chunks = {c.chunk.id: c for c in result.trail.candidates} if result.trail else {}
    out = []
    for cit in result.citations:
        cand = chunks.get(cit.chunk_id)
        before, quote, after = "", cit.quote, ""
        if cand is not None:
            text, start, end = cand.chunk.text, cit.start - cand.chunk.start, cit.end - cand.chunk.start
            if 0 <= start <= end <= len(text):
                before, quote, after = text[:start], text[start:end], text[end:]
        out.append(Passage(cit, before, quote, after, source_href(cit.source, cand.url if cand else None)))
    return out


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, text: str) -> None:
    """Write a temp file in the same folder, then rename it over `path`: readers see the old file or the new one."""
    path = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
