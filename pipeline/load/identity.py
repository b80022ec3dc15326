"""Document identity: which id a loaded document gets, so that no document ever silently replaces another.

A file's id is its stem (`budget` for `.../2024/budget.txt`) unless that id already belongs to another source, in
the store or earlier in the same load; then it is the stem and a hash of its canonical path (`budget-1f2e3d4c`),
the same every time. A source already in the store keeps the id it has; a file whose stored namesake's file is
gone (a moved corpus) takes over its id. JSONL ids are the user's: one given by two
different files is refused, naming both. Stores made before sources were absolute hold paths relative to where the
ingest ran; such a path is the same source as an absolute one that ends with it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePath

from pipeline.errors import InputError
from pipeline.models import Document

NAMED_BY_FILE = {"txt", "md", "html", "pdf", "docx", "url"}  # formats whose documents are named after their file or URL


def canonical(path: Path) -> str:
    """The absolute, normalised path (symlinks not resolved: a linked file keeps its own name and id)."""
    return os.path.abspath(path)


def file_of(source: str) -> str:
    """The file part of a source: a JSONL document's `path#L12` gives `path`."""
    head, sep, line = source.rpartition("#L")
    return head if sep and line.isdigit() else source


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def stem_of(source: str) -> str:
    """The file-name stem a document is named by: its path's stem, or for a source such as "upload:budget.txt"
    (a file `citetrail serve` received, which has no path of its own) the received name's."""
    path = file_of(source)
    scheme, sep, rest = path.partition(":")
    if sep and len(scheme) > 1 and scheme.isalpha() and not is_url(path):
        path = rest
    return Path(path).stem


def hashed_id(stem: str, source: str) -> str:
    return f"{stem}-{hashlib.sha256(file_of(source).encode()).hexdigest()[:8]}"


class StoredSources:
    """The store's documents by source, matching an old relative source to the absolute one that ends with it."""

    def __init__(self, stored: dict[str, str], hashes: dict[str, str | None] | None = None) -> None:
        self.hashes = hashes or {}
        self.ids = dict(stored)  # doc id -> source
        self.by_file: dict[str, list[str]] = {}
        self.relative: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for doc_id, source in stored.items():
            self.add(doc_id, source)

    def add(self, doc_id: str, source: str) -> None:
        if os.path.isabs(file_of(source)):  # an old relative source, now known: no other file may claim it
            for name, entries in self.relative.items():
                self.relative[name] = [e for e in entries if e[1] != doc_id]
        self.ids[doc_id] = source
        path = file_of(source)
        self.by_file.setdefault(path, []).append(doc_id)
        if not is_url(path) and not os.path.isabs(path):
            parts = tuple(p for p in PurePath(path).parts if p != ".")
            if parts and ".." not in parts:
                self.relative.setdefault(parts[-1], []).append((parts, doc_id))

    def ids_of(self, source: str, text_hash: str | None = None) -> list[str]:
        """Ids stored for this source's file, as it is stored now or under an old relative path. An old relative
        path is this file when it names it from here, or ends its path and holds the same text (`bare.txt` stored
        from some folder is not every `bare.txt` anywhere: a changed one becomes a document of its own)."""
        path = file_of(source)
        found = list(self.by_file.get(path, []))
        if not is_url(path):
            parts = PurePath(path).parts
            for rel, doc_id in self.relative.get(parts[-1] if parts else "", []):
                same_here = os.path.abspath(file_of(self.ids.get(doc_id, ""))) == path
                same_text = text_hash is not None and self.hashes.get(doc_id) == text_hash
                if parts[-len(rel):] == rel and (same_here or same_text) and doc_id not in found:
                    found.append(doc_id)
        return found


def moved_here(stored_source: str, doc: Document, docs: list[Document]) -> bool:
    """Whether the stored document of this stem is this file moved: its own file is gone (an absolute path that no
    longer exists, not loaded now). Replacing it loses nothing that still exists; prune would have removed it."""
    path = file_of(stored_source)
    if is_url(path) or not os.path.isabs(path) or os.path.exists(path):
        return False
    return all(file_of(d.source) != path for d in docs)


def assign_ids(docs: list[Document], stored: dict[str, str] | None = None,
               hashes: dict[str, str | None] | None = None) -> list[Document]:
    """`docs` with the ids they get in a store holding `stored` (doc id -> source; `hashes`: doc id -> text hash);
    see the module's rules. Documents of other formats (made by the caller) keep their ids."""
    sources = StoredSources(stored or {}, hashes)
    out: list[Document] = []
    given: dict[str, str] = {}
    for doc in docs:  # ids the user gave (JSONL) first: they are never changed
        if doc.format != "jsonl":
            continue
        if doc.id in given:
            raise InputError(f"document id '{doc.id}' is given twice: {given[doc.id]} and {doc.source}")
        owner = sources.ids.get(doc.id)
        if (owner is not None and file_of(owner) != file_of(doc.source) and doc.id not in sources.ids_of(doc.source, doc.content_hash)
                and not moved_here(owner, doc, docs)):
            raise InputError(f"document id '{doc.id}' of {doc.source} is already the id of {owner} in the store; "
                             "give it another id")
        given[doc.id] = doc.source
    for doc_id, source in given.items():
        sources.add(doc_id, source)
    for doc in docs:
        if doc.format not in NAMED_BY_FILE:
            out.append(doc)
            continue
        stem = stem_of(doc.source) if not is_url(doc.source) else doc.id
        known = [i for i in sources.ids_of(doc.source, doc.content_hash) if i == stem or i.startswith(stem)]
        if known:
            doc_id = known[0]
        elif stem not in sources.ids or moved_here(sources.ids[stem], doc, docs):
            doc_id = stem
        else:
            doc_id = hashed_id(stem, doc.source)
        sources.add(doc_id, doc.source)
        out.append(doc if doc_id == doc.id else doc.model_copy(update={"id": doc_id}))
    return out
