"""Loading documents: one reader per format behind one interface (`base.Reader`), files found below folders, and a
bad file costing only itself.

Formats: txt, md (YAML front matter as metadata), html (a file without markup is read as text), jsonl, pdf (pages
kept), docx; web pages by URL (`url.fetch_url`), only when asked."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from pipeline.errors import InputError
from pipeline.load.base import OnError, Reader, content_hash, decode, detect, first_line_title, make_document
from pipeline.load.docx import DocxReader
from pipeline.load.html import HtmlReader
from pipeline.load.identity import assign_ids, canonical
from pipeline.load.jsonl import JsonlReader, lone_surrogate, read_jsonl, string_field
from pipeline.load.md import MarkdownReader
from pipeline.load.pdf import PdfReader
from pipeline.load.txt import TextReader
from pipeline.models import Document

READERS: list[Reader] = [TextReader(), MarkdownReader(), HtmlReader(), JsonlReader(), PdfReader(), DocxReader()]
BY_SUFFIX: dict[str, Reader] = {s: r for r in READERS for s in r.suffixes}
SUPPORTED = tuple(BY_SUFFIX)

__all__ = [
    "SUPPORTED",
    "LoadResult",
    "OnError",
    "Reader",
    "assign_ids",
    "content_hash",
    "decode",
    "detect",
    "discover",
    "first_line_title",
    "load_file",
    "load_paths",
    "lone_surrogate",
    "make_document",
    "read_jsonl",
    "string_field",
]


class LoadResult(BaseModel):
    """What a load found: the documents, the JSONL lines skipped, the files read, and the files that failed
    (each as "path: reason") when not strict."""

    documents: list[Document]
    skipped: list[str] = []
    sources: list[str] = []
    failed: list[str] = []


class BadLine(InputError):
    """A malformed line of a multi-document file: it stops the whole ingest unless lines may be skipped."""


def doc_id_for(path: Path) -> str:
    return path.stem


def load_file(path: Path, max_bytes: int, on_error: OnError = "stop", skipped: list[str] | None = None) -> list[Document]:
    """The documents of one file, read by the reader for its suffix; InputError (one line naming it) if unusable."""
    skipped = skipped if skipped is not None else []
    if lone_surrogate(str(path)) is not None:  # how Python hands over bytes that are not UTF-8
        raise InputError(f"{os.fsencode(path).decode('utf-8', 'replace')}: the file name is not valid UTF-8; rename the file")
    suffix = path.suffix.lower()
    reader = BY_SUFFIX.get(suffix)
    if reader is None:
        raise InputError(f"{path}: unsupported file type '{suffix}' (supported: {', '.join(SUPPORTED)})")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: {size} bytes is over the limit of {max_bytes} (max_document_bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    path = Path(canonical(path))  # sources are absolute: prune and report links work from any folder
    if isinstance(reader, JsonlReader):
        try:
            return reader.read(path, data, doc_id_for(path), on_error, skipped)
        except InputError as exc:
            if "(use --skip-bad-lines" in str(exc):
                raise BadLine(str(exc)) from None
            raise
    return reader.read(path, data, doc_id_for(path), on_error, skipped)


def discover(paths: Iterable[Path], follow_symlinks: bool = False, unsupported: list[Path] | None = None) -> list[Path]:
    """The supported files named, or found below the folders named, in a stable order.

    Names starting with '.' (files and folders, such as a store kept inside the corpus) are skipped.
    A symlinked file inside a folder is taken only when it stays inside that folder, and symlinked
    folders are not entered, unless `follow_symlinks`; then each real folder is entered once, so a
    symlink loop ends. Other files found in folders go to `unsupported`, when given."""
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
                if name.startswith(".") or not child.is_file():
                    continue
                if not (follow_symlinks or child.resolve().is_relative_to(root)):
                    continue
                if child.suffix.lower() in SUPPORTED:
                    below.append(child)
                elif unsupported is not None:
                    unsupported.append(child)
        found.extend(sorted(below))
    return found


def load_paths(paths: Iterable[Path], max_bytes: int, on_error: OnError = "stop", follow_symlinks: bool = False,
               strict: bool = True) -> LoadResult:
    """Every document of the files and folders named.

    `strict`: the first unusable file stops the load (InputError naming it). Otherwise each unusable file (empty,
    binary, undecodable, damaged, unsupported, over the size limit) is left out and listed in `failed` with its
    reason, and the rest load. A malformed JSONL line stops the load either way unless `on_error` is "skip"."""
    paths = list(paths)
    missing = [] if strict else [p for p in paths if not p.exists()]
    if missing and len(missing) == len(paths):
        raise InputError(f"no such file or folder: {missing[0]}")
    unsupported: list[Path] = []
    files = discover([p for p in paths if p not in missing], follow_symlinks, None if strict else unsupported)
    failed = [f"{p}: no such file or folder" for p in missing]
    failed += [f"{p}: unsupported file type '{p.suffix.lower() or '(none)'}'" for p in sorted(unsupported)]
    if not files and not failed:
        raise InputError("no supported files found (supported: " + ", ".join(SUPPORTED) + ")")
    skipped: list[str] = []
    docs: list[Document] = []
    for path in files:
        try:
            loaded = load_file(path, max_bytes, on_error, skipped)
        except BadLine:
            raise
        except InputError as exc:
            if strict:
                raise
            failed.append(str(exc))
            continue
        docs.extend(loaded)
    return LoadResult(documents=assign_ids(docs), skipped=skipped, sources=[str(p) for p in files], failed=failed)
