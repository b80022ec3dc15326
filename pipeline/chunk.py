"""Sentence-aware chunking: whole sentences packed up to a size, neighbours sharing a few sentences.

Every chunk and sentence keeps its character offsets into the document's text, so a citation can
point at the exact span it quotes.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Literal

import nupunkt

from pipeline.models import Chunk, Document, Span

_LINE_BREAK = re.compile(r"\n\s*")
_LIST_ITEM = re.compile(r"(?:[-*•–]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s")
# How line breaks end sentences: "paragraph" (blank lines, headings and list items; a single break inside a
# paragraph is hard wrapping, as in wrapped text and PDF text) or "every" (stores made before 0.3).
LineBreaks = Literal["paragraph", "every"]
LINE_BREAKS: LineBreaks = "paragraph"
# A heading: a line not ending mid-phrase that is this much shorter than the next one, or this short before a
# capital (hard-wrapped prose has long lines; its last line is followed by a blank line anyway).
HEADING_RATIO = 0.6
HEADING_WORDS = 6


def chunker_settings(chunk_size: int, chunk_overlap: int, line_breaks: LineBreaks = LINE_BREAKS) -> dict:
    return {"splitter": f"nupunkt-{version('nupunkt')}", "chunk_size": chunk_size, "chunk_overlap": chunk_overlap,
            "line_breaks": line_breaks}


def ends_block(text: str, brk: re.Match) -> bool:
    """Whether a line break ends a sentence: a blank line, a list item after it, or a heading before it (a line
    much shorter than the next, not ending in a comma, a hyphen or a joining word)."""
    if brk.group().count("\n") > 1 or _LIST_ITEM.match(text, brk.end()):
        return True
    line = text[text.rfind("\n", 0, brk.start()) + 1:brk.start()].strip()
    following = text[brk.end():text.find("\n", brk.end()) if "\n" in text[brk.end():] else len(text)].strip()
    if _LIST_ITEM.match(line) and following[:1].isupper():
        return True
    joined = line.endswith((",", ";", "-", "–")) or (line.split() or [""])[-1].lower() in ("and", "or", "the", "of", "to", "a")
    short = len(line) < HEADING_RATIO * len(following) or len(line.split()) <= HEADING_WORDS
    return bool(line) and not joined and not line.endswith((".", "!", "?")) and following[:1].isupper() and short


def doc_of(chunk_id: str) -> str:
    """The document of a chunk id made by `chunk_document`, without fetching the chunk: retrieval
    drops excluded documents before it fetches (fetching every fused hit was half its time)."""
    return chunk_id.rpartition("#")[0]


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start=start, end=end) if end > start else None


def _cut_long(text: str, span: Span, limit: int) -> list[Span]:
    """Cut a run-on 'sentence' longer than `limit` at whitespace, so no chunk grows unbounded."""
    pieces, start = [], span.start
    while span.end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = cut if cut > start else start + limit
        if piece := _trim(text, start, cut):
            pieces.append(piece)
        start = cut
    if piece := _trim(text, start, span.end):
        pieces.append(piece)
    return pieces


def sentence_spans(text: str, max_len: int = 2000, line_breaks: LineBreaks = LINE_BREAKS) -> list[Span]:
    """Sentence spans by nupunkt, also split where a line break ends a block (headlines and list items rarely
    end in a full stop; see `ends_block`), trimmed of surrounding whitespace."""
    spans: list[Span] = []
    for start, end in nupunkt.sent_spans(text):
        pos = start
        for brk in _LINE_BREAK.finditer(text, start, end):
            if line_breaks == "paragraph" and not ends_block(text, brk):
                continue
            if span := _trim(text, pos, brk.start()):
                spans.extend(_cut_long(text, span, max_len))
            pos = brk.end()
        if span := _trim(text, pos, end):
            spans.extend(_cut_long(text, span, max_len))
    return spans


def chunk_document(doc: Document, chunk_size: int = 600, chunk_overlap: int = 1,
                   line_breaks: LineBreaks = LINE_BREAKS) -> list[Chunk]:
    sentences = sentence_spans(doc.text, max_len=2 * chunk_size, line_breaks=line_breaks)
    chunks: list[Chunk] = []
    i = 0
    while i < len(sentences):
        j = i + 1
        while j < len(sentences) and sentences[j].end - sentences[i].start <= chunk_size:
            j += 1
        group = sentences[i:j]
        start, end = group[0].start, group[-1].end
        pages = [p for k, p in enumerate(doc.pages)
                 if start < p.start < end or (p.start <= start and (k + 1 == len(doc.pages) or doc.pages[k + 1].start > start))]
        chunks.append(Chunk(id=f"{doc.id}#{len(chunks)}", doc_id=doc.id, index=len(chunks), start=start,
                            end=end, text=doc.text[start:end], sentences=group, pages=pages))
        if j >= len(sentences):
            break
        i = max(j - chunk_overlap, i + 1)
    return chunks
