"""HTML: the main text by trafilatura (navigation, comments and boilerplate dropped), with its title, URL and date.
A file named .html that holds no markup is read as plain text."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import InputError
from pipeline.load.base import OnError, first_line_title, make_document
from pipeline.load.txt import read_text
from pipeline.models import Document

MARKUP = re.compile(r"<\s*(?:!doctype|html|head|body|p|div|article|section|span|a|h[1-6]|br|table|ul|ol|li|main|title)\b",
                    re.IGNORECASE)


def html_document(html: str, doc_id: str, source: str, fallback_title: str, **extra) -> Document:
    """The main text of an HTML page, with trafilatura's title, URL and date."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)
    if not text or not text.strip():
        raise InputError(f"{source}: no main text found in the HTML")
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta and meta.title else None) or first_line_title(text, fallback_title)
    fields = {"url": meta.url if meta else None, "published": meta.date if meta else None, **extra}
    return make_document(doc_id, title, source, text, **fields)


class HtmlReader:
    name = "html"
    suffixes = (".html", ".htm")

    def read(self, path: Path, data: bytes, doc_id: str, on_error: OnError, skipped: list[str]) -> list[Document]:
        text, encoding = read_text(path, data, doc_id)
        if not MARKUP.search(text):  # plain text saved under an .html name
            return [make_document(doc_id, first_line_title(text, path.stem), str(path), text, encoding=encoding,
                                  format="txt")]
        return [html_document(text, doc_id, str(path), path.stem, encoding=encoding, format=self.name)]
