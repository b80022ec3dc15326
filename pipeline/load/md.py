"""Markdown: YAML front matter (between `---` lines at the top) is metadata, not text; `title` and `date` are used,
the title falls back to the first heading or line."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.load.base import OnError, first_line_title, make_document
from pipeline.load.txt import read_text
from pipeline.models import Document

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def front_matter(text: str) -> tuple[dict, str]:
    """The front matter's fields (empty when there is none, or it is not a YAML mapping) and the text after it."""
    import yaml

    found = FRONT_MATTER.match(text)
    if not found:
        return {}, text
    try:
        fields = yaml.safe_load(found.group(1))
    except yaml.YAMLError:
        return {}, text  # a thematic break followed by prose, not front matter
    if not isinstance(fields, dict):
        return {}, text
    return fields, text[found.end():]


class MarkdownReader:
    name = "md"
    suffixes = (".md", ".markdown")

    def read(self, path: Path, data: bytes, doc_id: str, on_error: OnError, skipped: list[str]) -> list[Document]:
        text, encoding = read_text(path, data, doc_id)
        fields, body = front_matter(text)
        if not body.strip():
            body = text  # front matter alone: keep what there is
        title = fields.get("title")
        title = str(title).strip()[:200] if title else first_line_title(body, path.stem)
        date = fields.get("date") or fields.get("published")
        url = fields.get("url")
        return [make_document(doc_id, title, str(path), body, encoding=encoding, format=self.name,
                              published=str(date) if date else None, url=str(url) if url else None)]
