"""Claim extraction: text in, atomic, decontextualised claims out, each with its source sentence's span.

    from pipeline.extract import extract_claims
    extraction = extract_claims(Path("article.txt"))          # or a string of text, or a Document
    for c in extraction.checkable(): print(c.claim.text, c.claim.speaker)
"""

from __future__ import annotations

import time
from pathlib import Path

from pipeline.config import Settings, load_settings, override
from pipeline.errors import InputError
from pipeline.extract.base import Extractor
from pipeline.load import load_file, make_document
from pipeline.models import Document, Extraction

TEXT_ID = "text"


def get_extractor(settings: Settings) -> Extractor:
    """The back-end named by `settings.extractor`: 'rules' (spaCy, offline default) or 'llm' (LangChain)."""
    if settings.extractor == "llm":
        from pipeline.extract.llm import LLMExtractor

        return LLMExtractor(settings)
    from pipeline.extract.rules import RulesExtractor

    return RulesExtractor()


def names_a_file(text: str) -> bool:
    """Whether a one-line str is the path of an existing file; a sentence longer than a file name may be is not
    (the OS refuses to look it up: OSError 'File name too long')."""
    try:
        return Path(text).is_file()
    except OSError:
        return False


def to_document(source: str | Path | Document, max_bytes: int) -> Document:
    """A Path, or a str naming an existing file, is read as `citetrail ingest` reads it (same id, same
    text, so offsets agree with the store); any other str is the text itself."""
    if isinstance(source, Document):
        return source
    if isinstance(source, Path) or (source and "\n" not in source and len(source) < 4096 and names_a_file(source)):
        path = Path(source)
        if not path.is_file():
            raise InputError(f"no such file: {path}")
        docs = load_file(path, max_bytes)
        if len(docs) != 1:
            raise InputError(f"{path}: holds {len(docs)} documents; give one article (a .txt, .md or .html file)")
        return docs[0]
    if not source.strip():
        raise InputError("the text is empty")
    return make_document(TEXT_ID, "", "<text>", source)


def extract_claims(source: str | Path | Document, *, extractor: str | None = None,
                   settings: Settings | None = None) -> Extraction:
    """Every claim of the source, check-worthy or not, with spans into the text that was read."""
    settings = override(settings or load_settings(), extractor=extractor)
    doc = to_document(source, settings.max_document_bytes)
    started = time.perf_counter()
    backend = get_extractor(settings)
    claims = backend.extract(doc)
    return Extraction(doc_id=doc.id, source=doc.source, extractor=backend.name, claims=claims,
                      seconds=round(time.perf_counter() - started, 3))
