"""What every reader shares: the Reader interface, decoding by detection, and building a Document."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path
from typing import Literal, Protocol

from pipeline.errors import InputError
from pipeline.models import Document
from pipeline.textnorm import normalise_space

OnError = Literal["stop", "skip"]


class Reader(Protocol):
    """One format: the file suffixes it reads and how it turns a file's bytes into Documents.

    `read` raises InputError (one line naming the file) for a file it cannot use; `skipped` collects bad lines
    of multi-document files when `on_error` is "skip"."""

    name: str
    suffixes: tuple[str, ...]

    def read(self, path: Path, data: bytes, doc_id: str, on_error: OnError, skipped: list[str]) -> list[Document]: ...


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_document(doc_id: str, title: str, source: str, text: str, **extra) -> Document:
    return Document(id=doc_id, title=title, source=source, text=text, content_hash=content_hash(text), **extra)


GENERIC_TITLES = {"", "untitled", "enscript output", "word document", "microsoft word", "document", "pdf"}


def useful_title(title: str | None) -> str | None:
    """A title from a file's properties, unless it is a tool's placeholder ("Word Document", "Microsoft Word - x.doc")."""
    title = normalise_space(title or "")
    if title.lower() in GENERIC_TITLES or title.lower().startswith("microsoft word - "):
        return None
    return title[:200]


def first_line_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return fallback


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark: NULs in one byte of most pairs, and valid UTF-16 that way."""
    if len(data) < 4 or len(data) % 2:
        return None
    pairs = len(data) // 2
    for offset, encoding in ((1, "utf-16-le"), (0, "utf-16-be")):
        if data[offset::2].count(0) >= 0.6 * pairs:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            if all(ch.isprintable() or ch in "\r\n\t\f" for ch in text):
                return encoding
    return None


def detect(data: bytes, path: Path) -> tuple[str, str]:
    """The text of `data` and the encoding it was read in.

    UTF-8 (a BOM allowed) and BOM-marked UTF-16 are taken as they say; UTF-16 without a BOM is recognised by its
    NUL bytes; anything else is decoded by charset-normalizer's detection, preferring Windows-1252 among equally
    likely single-byte code pages (what Word and Excel save on Western systems). Binary data is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(f"{path}: not valid UTF-16 despite its byte-order mark") from None
    if b"\x00" in data[:8192]:  # valid UTF-8, but no text file holds NULs: UTF-16 without a BOM, or binary
        if encoding := _utf16_without_bom(data):
            return data.decode(encoding), encoding
        raise InputError(f"{path}: looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise InputError(f"{path}: not text in any encoding citetrail can detect; convert it to UTF-8")
    best = matches[0]
    western = next((m for m in matches if "cp1252" in m.could_be_from_charset and m.chaos <= best.chaos + 0.05), None)
    chosen = western or best
    encoding = "cp1252" if western else chosen.encoding
    return data.decode(encoding, errors="strict") if western else str(chosen), encoding


def decode(data: bytes, path: Path) -> str:
    """The text of a file's bytes, in whatever encoding `detect` finds; binary data is refused."""
    return detect(data, path)[0]
