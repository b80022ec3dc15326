"""PDF: the text layer by pypdf (BSD; not PyMuPDF, whose AGPL would bind users), page by page, each page's start
kept so chunks and citations carry their page. A PDF without a text layer (a scan) is refused in one line."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from pipeline.errors import InputError
from pipeline.load.base import OnError, first_line_title, make_document, useful_title
from pipeline.models import Document, PageStart
from pipeline.textnorm import normalise_space


class PdfReader:
    name = "pdf"
    suffixes = (".pdf",)

    def read(self, path: Path, data: bytes, doc_id: str, on_error: OnError, skipped: list[str]) -> list[Document]:
        from pypdf import PdfReader as Pdf
        from pypdf.errors import PyPdfError

        logging.getLogger("pypdf").setLevel(logging.ERROR)  # its notes on damaged xref tables it repairs
        if not data.strip():
            raise InputError(f"{path}: the file is empty")
        try:
            pdf = Pdf(io.BytesIO(data))
            if pdf.is_encrypted and not pdf.decrypt(""):
                raise InputError(f"{path}: the PDF is encrypted with a password")
            texts = [(page.extract_text() or "").strip("\n") for page in pdf.pages]
            meta = pdf.metadata
        except InputError:
            raise
        except (PyPdfError, Exception) as exc:  # a damaged file breaks a parser in many ways: all are this file's fault
            raise InputError(f"{path}: not a readable PDF ({type(exc).__name__}: {normalise_space(str(exc))[:200]})") from None
        text, pages = "", []
        for number, page_text in enumerate(texts, 1):
            if not page_text.strip():
                continue
            if text:
                text += "\n"  # one break: a sentence running over a page end stays one sentence
            pages.append(PageStart(page=number, start=len(text)))
            text += page_text
        if not text.strip():
            raise InputError(f"{path}: the PDF has no text layer (a scan?); run OCR on it first (e.g. ocrmypdf)")
        title = useful_title(str(meta.title) if meta and meta.title else None) or first_line_title(text, path.stem)
        published = str(meta.creation_date.date()) if meta and meta.get("/CreationDate") and _safe_date(meta) else None
        return [make_document(doc_id, title[:200], str(path), text, format=self.name, pages=pages, published=published)]


def _safe_date(meta) -> bool:
    try:
        return meta.creation_date is not None
    except (ValueError, TypeError):
        return False
