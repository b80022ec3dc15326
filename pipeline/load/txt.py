"""Plain text: the title is the first non-blank line."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError
from pipeline.load.base import OnError, detect, first_line_title, make_document
from pipeline.models import Document


def read_text(path: Path, data: bytes, doc_id: str, fmt: str = "txt") -> tuple[str, str]:
    """The decoded text of a one-document file, refusing an empty one."""
    text, encoding = detect(data, path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    return text, encoding


class TextReader:
    name = "txt"
    suffixes = (".txt",)

    def read(self, path: Path, data: bytes, doc_id: str, on_error: OnError, skipped: list[str]) -> list[Document]:
        text, encoding = read_text(path, data, doc_id)
        return [make_document(doc_id, first_line_title(text, path.stem), str(path), text, encoding=encoding, format=self.name)]
