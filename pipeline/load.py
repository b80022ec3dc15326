"""Readers for .txt, .md, .html and .jsonl files, turning them into Documents with stable ids."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from pipeline.errors import InputError
from pipeline.models import Document

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")
OnError = Literal["stop", "skip"]


class LoadResult(BaseModel):
    documents: list[Document]
    skipped: list[str] = []
    sources: list[str] = []


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_document(doc_id: str, title: str, source: str, text: str, **extra: str | None) -> Document:
    return Document(id=doc_id, title=title, source=source, text=text, content_hash=content_hash(text), **extra)


def decode(data: bytes, path: Path) -> str:
    """Decode UTF-8 (BOM allowed) or BOM-marked UTF-16; refuse binary files and other encodings."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{path}: not valid UTF-16 despite its byte-order mark") from None
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (bad byte at offset {exc.start}); convert it to UTF-8") from None


def first_line_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return fallback


def read_text_file(path: Path, text: str) -> Document:
    return make_document(path.stem, first_line_title(text, path.stem), str(path), text)


def read_html(path: Path, html: str) -> Document:
    """Main text by trafilatura (drops navigation, comments and boilerplate)."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)
    if not text or not text.strip():
        raise InputError(f"{path}: no main text found in the HTML")
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta and meta.title else None) or first_line_title(text, path.stem)
    return make_document(path.stem, title, str(path), text,
                         url=meta.url if meta else None, published=meta.date if meta else None)


def lone_surrogate(value: str) -> int | None:
    """The code point of the first lone surrogate in `value` (which no UTF-8 output can hold), or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return ord(value[exc.start])
    return None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def string_field(row: dict, key: str, required: bool = False) -> str | None:
    """A string field of a JSONL row: present and non-blank if required, valid Unicode (no lone surrogates)."""
    value = row.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        kind = "non-empty string" + (" or integer" if key == "id" else "") if required else "string"
        raise ValueError(f"'{key}' must be a {kind}")
    if (code := lone_surrogate(value)) is not None:
        raise ValueError(f"'{key}' holds a lone surrogate (\\u{code:04x}), which is not text")
    return value


def read_jsonl(path: Path, text: str, on_error: OnError, skipped: list[str]) -> list[Document]:
    """One document per line: `id` (string or integer) and `text` required; `title`, `url`, `published`
    optional strings. Integers are kept as written (an id of 40 digits stays those digits)."""
    docs = []
    for lineno, line in enumerate(text.split("\n"), 1):  # not splitlines(): JSON strings may hold U+2028 or \x85 as is
        if not line.strip():
            continue
        try:
            try:
                row = json.loads(line, parse_int=str, parse_constant=_reject_constant)
            except RecursionError:
                raise ValueError("nested too deeply") from None
            if not isinstance(row, dict):
                raise ValueError("not a JSON object")
            doc_id, body = string_field(row, "id", required=True), string_field(row, "text", required=True)
            extra = {k: string_field(row, k) for k in ("url", "published")}
            title = string_field(row, "title") or first_line_title(body, doc_id)
            docs.append(make_document(doc_id, title, f"{path}#L{lineno}", body, **extra))
        except ValueError as exc:
            msg = f"{path}:{lineno}: {exc}"
            if on_error == "stop":
                raise InputError(msg + " (use --skip-bad-lines to skip such lines)") from None
            skipped.append(msg)
    return docs


def load_file(path: Path, max_bytes: int, on_error: OnError = "stop", skipped: list[str] | None = None) -> list[Document]:
    skipped = skipped if skipped is not None else []
    if lone_surrogate(str(path)) is not None:  # how Python hands over bytes that are not UTF-8
        raise InputError(f"{os.fsencode(path).decode('utf-8', 'replace')}: the file name is not valid UTF-8; rename the file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(f"{path}: unsupported file type '{suffix}' (supported: {', '.join(SUPPORTED)})")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: {size} bytes is over the limit of {max_bytes} (max_document_bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    text = decode(data, path)
    if suffix == ".jsonl":
        return read_jsonl(path, text, on_error, skipped)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    if suffix in (".html", ".htm"):
        return [read_html(path, text)]
    return [read_text_file(path, text)]


def discover(paths: Iterable[Path], follow_symlinks: bool = False) -> list[Path]:
    """The supported files named, or found below the folders named, in a stable order.

    Names starting with '.' (files and folders, such as a store kept inside the corpus) are skipped.
    A symlinked file inside a folder is taken only when it stays inside that folder, and symlinked
    folders are not entered, unless `follow_symlinks`; then each real folder is entered once, so a
    symlink loop ends."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"no such file or folder: {path}")
        if path.is_file():
            found.append(path)
            continue
        root, entered = path.resolve(), set()
        below: list[Path] = []
        for folder, subfolders, files in os.walk(path, followlinks=follow_symlinks):
            real = os.path.realpath(folder)
            if real in entered:  # a symlink back to a folder already walked: a loop, or a second way in
                subfolders.clear()
                continue
            entered.add(real)
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            for name in files:
                child = Path(folder, name)
                if name.startswith(".") or child.suffix.lower() not in SUPPORTED or not child.is_file():
                    continue
                if follow_symlinks or child.resolve().is_relative_to(root):
                    below.append(child)
        found.extend(sorted(below))
    return found


def load_paths(paths: Iterable[Path], max_bytes: int, on_error: OnError = "stop", follow_symlinks: bool = False) -> LoadResult:
    files = discover(paths, follow_symlinks)
    if not files:
        raise InputError("no supported files found (supported: " + ", ".join(SUPPORTED) + ")")
    skipped: list[str] = []
    docs: list[Document] = []
    seen: dict[str, str] = {}
    for path in files:
        for doc in load_file(path, max_bytes, on_error, skipped):
            if doc.id in seen:
                raise InputError(f"document id '{doc.id}' is given twice: {seen[doc.id]} and {doc.source}")
            seen[doc.id] = doc.source
            docs.append(doc)
    return LoadResult(documents=docs, skipped=skipped, sources=[str(p) for p in files])
