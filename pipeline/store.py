"""The Chroma store of chunks, with citetrail's own embedding function (Chroma's default downloads).

The collection's metadata records the embedding model and chunker settings it was built with, so
opening it with others is refused instead of silently mixing vectors. Each chunk's metadata
carries its document's id, title, source, hash and chunk count, which is all incremental
ingest and pruning need.

Chroma's embedded client is for one process: each process keeps the vector index in memory, so a
process that opened the store before another one wrote searches a stale index, and two writing
at once corrupt it. So every operation holds a lock on `<store>/lock` (filelock's reader/writer lock:
writers exclusive, readers shared), and every write first records a new generation in
`<store>/generation`; a process that finds the generation changed since it opened Chroma opens
it afresh before touching it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InvalidArgumentError
from filelock import ReadWriteLock, Timeout

from pipeline.chunk import LineBreaks
from pipeline.embed import EMBEDDING_MODEL, Precision, embedding_model_sha256, load_embedder
from pipeline.errors import InputError, StoreError
from pipeline.models import Chunk, Document, PageStart, Span

# Stores built before the embedding precision was a setting lack its key; they were built at fp32.
LEGACY_SETTINGS = {"embedding_precision": "fp32", "chunker_line_breaks": "every"}
# A new store's precision when none is asked for: SciFact ingest 2.3x faster than fp32, the same retrieval.
DEFAULT_PRECISION: Precision = "int8"


class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """Chroma's view of citetrail's embedder (pipeline.embed): its own, since Chroma's default downloads."""

    def __init__(self, precision: Precision = "fp32") -> None:
        self.precision = precision

    def __call__(self, input: Documents) -> Embeddings:
        return load_embedder(self.precision).embed(list(input))

    @staticmethod
    def name() -> str:
        return "citetrail-minilm"

    def get_config(self) -> dict:
        return {"precision": self.precision}

    @staticmethod
    def build_from_config(config: dict) -> MiniLMEmbedding:
        return MiniLMEmbedding(config.get("precision", "fp32"))

    def default_space(self) -> str:
        return "cosine"


def chunk_metadata(chunk: Chunk, doc: Document, n_chunks: int) -> dict:
    return {
        "doc_id": doc.id, "title": doc.title, "source": doc.source, "doc_hash": doc.content_hash,
        "n_chunks": n_chunks, "index": chunk.index, "start": chunk.start, "end": chunk.end,
        "sentences": json.dumps([[s.start, s.end] for s in chunk.sentences]),
        **{k: v for k, v in (("url", doc.url), ("published", doc.published), ("encoding", doc.encoding),
                             ("format", doc.format)) if v},
        **({"pages": json.dumps([[p.page, p.start] for p in chunk.pages])} if chunk.pages else {}),
    }


DESCRIBED = ("title", "url", "published")


def described(doc: Document) -> list[str | None]:
    """What a document says of itself besides its text, as its chunks' metadata keeps it: [title, url, published].
    A document whose text is unchanged but whose title or date is not is written again on ingest."""
    return [getattr(doc, field) or None for field in DESCRIBED]


def chunk_from_record(chunk_id: str, text: str, meta: dict) -> Chunk:
    return Chunk(id=chunk_id, doc_id=meta["doc_id"], index=meta["index"], start=meta["start"], end=meta["end"],
                 text=text, sentences=[Span(start=s, end=e) for s, e in json.loads(meta["sentences"])],
                 pages=[PageStart(page=p, start=s) for p, s in json.loads(meta.get("pages") or "[]")])


def writable(path: Path) -> bool:
    """Whether this process may write the store folder and its database (root may write whatever the modes say)."""
    db = path / "chroma.sqlite3"
    return os.access(path, os.W_OK) and (not db.exists() or os.access(db, os.W_OK))


def private_copy(path: Path) -> Path:
    """A copy of a read-only store (an archive, read-only media) in a private temp folder, removed at exit: Chroma
    writes to its database whenever it opens one, and a reader must not change an archive. The original is only read."""
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="citetrail-readonly-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    copy = folder / "store"
    try:
        shutil.copytree(path, copy, ignore=shutil.ignore_patterns("lock", "run-locks", "runs.sqlite*"))
        for sub in (copy, *copy.rglob("*")):
            sub.chmod(0o700 if sub.is_dir() else 0o600)
    except OSError as exc:
        raise StoreError(f"cannot read the store at {path}: {exc.strerror or exc}") from None
    return copy


@dataclass(eq=False)
class OpenClient:
    """This process's Chroma client for one store folder, and the generation its in-memory index reflects."""

    client: ClientAPI
    generation: str


_CLIENTS: dict[str, OpenClient] = {}  # Chroma shares one client per folder within a process; so do we


def busy_error(path: Path, waited: float, holder: str = "another citetrail process is using it") -> StoreError:
    return StoreError(f"the store at {path} is busy: {holder} (waited {waited:g} s, lock_timeout); try again when it finishes")


@contextmanager
def store_lock(path: Path, exclusive: bool, timeout: float) -> Iterator[None]:
    """Hold `<path>/lock`, exclusive for writers and shared for readers, waiting up to `timeout` seconds.

    filelock's ReadWriteLock: a SQLite transaction on the lock file, so it works wherever SQLite does (flock is
    Unix-only), and dies with its process, so a killed ingest never leaves the store locked. One instance per
    hold: threads of one process (the server's) wait for each other as processes do."""
    try:
        lock = ReadWriteLock(path / "lock", timeout=timeout, is_singleton=False)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot lock the store at {path}: {getattr(exc, 'strerror', None) or exc}") from None
    with closing(lock):
        try:
            lock.acquire_write() if exclusive else lock.acquire_read()
        except Timeout:
            raise busy_error(path, timeout) from None
        except sqlite3.Error as exc:  # a lock file that is not SQLite's
            raise StoreError(f"cannot lock the store at {path}: {exc} (delete {path / 'lock'} while no citetrail runs)") from None
        yield


def wait_for_database(path: Path, timeout: float) -> None:
    """Chroma never reports "database is locked": opening a store whose SQLite file another program
    is writing (a database browser, a backup) waits forever. So try for a write lock first, as long
    as lock_timeout allows, and say so instead."""
    db = path / "chroma.sqlite3"
    if not db.exists():
        return
    con = sqlite3.connect(db, timeout=timeout, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise busy_error(path, timeout, f"another program holds its database file {db}") from None
        raise StoreError(f"cannot open the store at {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from None
    finally:
        con.close()


class ChunkStore:
    """One Chroma collection of chunks, opened with the settings it must have been built with.

    Reading and writing happen inside `reading()` / `writing()`, which lock the store and bring this
    process's view of it up to date."""

    def __init__(self, path: Path, collection: str, chunker: dict, create: bool, lock_timeout: float = 10.0,
                 chroma_url: str | None = None, embedding_precision: Precision | None = None) -> None:
        self.path = Path(path)
        self.url = chroma_url
        try:
            if create or self.url:  # with a server, the folder holds only the lock, the BM25 cache and runs
                self.path.mkdir(parents=True, exist_ok=True)
            elif not (self.path / "chroma.sqlite3").exists():
                raise StoreError(f"no corpus ingested at {self.path}: run `citetrail ingest PATH` first")
        except OSError as exc:
            raise StoreError(f"cannot use {self.path} as a store: {exc.strerror}") from None
        self.origin = self.path
        if not create and not self.url and not writable(self.path):
            self.path = private_copy(self.path)
        self.name = collection
        self.lock_timeout = lock_timeout
        self.expected = {"embedding_model": EMBEDDING_MODEL, "embedding_sha256": embedding_model_sha256(),
                         "embedding_precision": embedding_precision, **{f"chunker_{k}": v for k, v in chunker.items()}}
        self.embedding = MiniLMEmbedding(embedding_precision or DEFAULT_PRECISION)
        self._bound: tuple[OpenClient, str] | None = None
        self._collection: Collection | None = None
        self._dirty = False
        exclusive = create and (self.url is not None or not (self.path / "chroma.sqlite3").exists())
        with store_lock(self.path, exclusive, lock_timeout):
            found = self._find_collection(create=exclusive)
        if not found and create:  # a store without our collection (a first ingest cut short): make it holding the store alone
            with store_lock(self.path, True, lock_timeout):
                found = self._find_collection(create=True)
        if not found:
            raise StoreError(f"no corpus ingested at {self.where} (collection '{collection}' is missing)")

    @property
    def line_breaks(self) -> LineBreaks:
        """How this store's chunker ends sentences at line breaks (see `pipeline.chunk.ends_block`)."""
        return self.expected["chunker_line_breaks"]

    def _find_collection(self, create: bool) -> bool:
        """Whether the collection exists (made now if `create`), checked against the settings asked for."""
        client = self._client()
        try:
            names = {c.name for c in client.list_collections()}
        except Exception as exc:  # chroma raises many types for a damaged store
            raise StoreError(f"cannot open the store at {self.where}: {exc}") from None
        if self.name not in names and not create:
            return False
        if self.name in names:
            meta = client.get_collection(self.name, embedding_function=self.embedding).metadata or {}
            # a store keeps the sentence rules it was built with: its citations' spans stay where they are
            self.expected["chunker_line_breaks"] = meta.get("chunker_line_breaks", LEGACY_SETTINGS["chunker_line_breaks"])
            if self.expected["embedding_precision"] is None:  # none asked for: the store's own
                self.embedding = MiniLMEmbedding(meta.get("embedding_precision", LEGACY_SETTINGS["embedding_precision"]))
        self.expected["embedding_precision"] = self.embedding.precision
        if self.name not in names:
            try:
                client.create_collection(self.name, embedding_function=self.embedding,
                                         metadata={**self.expected, "fingerprint": ""},
                                         configuration={"hnsw": {"space": "cosine"}})
            except InvalidArgumentError as exc:
                raise InputError(f"bad setting collection: Chroma refuses the name {self.name!r} ({exc})") from None
        self._check_settings()
        return True

    # ---- locking and freshness -------------------------------------------------------------

    def _read_generation(self) -> str:
        try:
            return (self.path / "generation").read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    @property
    def where(self) -> str:
        return f"{self.url} (Chroma server)" if self.url else str(self.origin)

    @property
    def _key(self) -> str:
        return f"{self.url}|{self.path}" if self.url else str(self.path)

    def _client(self) -> ClientAPI:
        """This process's client for the folder, opened afresh if another process wrote since it was opened
        (a server's index is always current, so its client is kept)."""
        generation = self._read_generation()
        entry = _CLIENTS.get(self._key)
        if entry is not None and entry.generation != generation:
            if self.url:
                entry.generation = generation
            else:
                entry.client.close()
                entry = None
        if entry is None:
            client = self._server_client() if self.url else self._embedded_client()
            entry = _CLIENTS[self._key] = OpenClient(client, generation)
        return entry.client

    def _embedded_client(self) -> ClientAPI:
        wait_for_database(self.path, self.lock_timeout)
        try:
            return chromadb.PersistentClient(path=str(self.path), settings=ChromaSettings(anonymized_telemetry=False))
        except Exception as exc:  # chroma raises many types for a damaged or locked store
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from None

    def _server_client(self) -> ClientAPI:
        url = urlsplit(self.url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise InputError(f"bad setting chroma_url: {self.url!r} is not an http(s)://host:port URL")
        try:
            return chromadb.HttpClient(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                                       ssl=url.scheme == "https", settings=ChromaSettings(anonymized_telemetry=False))
        except Exception as exc:  # connection refused, a wrong server, a version mismatch
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(f"cannot reach the Chroma server at {self.url}: {reason}") from None

    @property
    def _entry(self) -> OpenClient:
        return _CLIENTS[self._key]

    @property
    def generation(self) -> str:
        """The store generation this process's view reflects; changes with every write, from any process."""
        return self._entry.generation

    @property
    def collection(self) -> Collection:
        """The collection through this process's current client, fetched again after any write."""
        entry = self._entry
        if self._bound != (entry, entry.generation):
            self._collection = entry.client.get_collection(self.name, embedding_function=self.embedding)
            self._bound = (entry, entry.generation)
        return self._collection

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Share the store with other readers; wait for a writer to finish."""
        with store_lock(self.path, False, self.lock_timeout):
            self._client()
            yield

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Have the store to ourselves; the first write in it marks the store as changing (see `_begin_write`)."""
        with store_lock(self.path, True, self.lock_timeout):
            self._client()
            self._dirty = False
            try:
                yield
            finally:
                self._dirty = False

    def _begin_write(self) -> None:
        """Before the first write: a new generation, so other processes re-open Chroma, and no fingerprint
        until `refresh_fingerprint`, so a write cut short is never taken for the indexed state it replaced."""
        if self._dirty:
            return
        generation = uuid.uuid4().hex
        tmp = self.path / "generation.tmp"
        tmp.write_text(generation, encoding="utf-8")
        os.replace(tmp, self.path / "generation")
        self._entry.generation = generation
        self.collection.modify(metadata={**(self.collection.metadata or {}), "fingerprint": ""})
        self._dirty = True

    def _check_settings(self) -> None:
        meta = self.collection.metadata or {}
        diff = [f"{k}: store has {meta.get(k, LEGACY_SETTINGS.get(k))!r}, asked for {v!r}"
                for k, v in self.expected.items() if meta.get(k, LEGACY_SETTINGS.get(k)) != v]
        if diff:
            raise StoreError(f"the store at {self.where} was built with other settings ({'; '.join(diff)}); "
                             "use those settings or another --store")

    # ---- documents -------------------------------------------------------------------------

    def document_state(self) -> dict[str, dict]:
        """doc_id -> {hash, source, n_chunks, complete, described} from the chunks' metadata; `described` is
        the document's [title, url, published] (see `described`)."""
        got = self.collection.get(include=["metadatas"])
        docs: dict[str, dict] = {}
        for meta in got["metadatas"]:
            state = docs.setdefault(meta["doc_id"], {"hashes": set(), "source": meta["source"],
                                                     "n_chunks": meta["n_chunks"], "count": 0,
                                                     "described": [meta.get(field) or None for field in DESCRIBED]})
            state["hashes"].add(meta["doc_hash"])
            state["count"] += 1
        return {doc_id: {"hash": next(iter(s["hashes"])) if len(s["hashes"]) == 1 else None,
                         "source": s["source"], "n_chunks": s["n_chunks"], "described": s["described"],
                         "complete": len(s["hashes"]) == 1 and s["count"] == s["n_chunks"]}
                for doc_id, s in docs.items()}

    def put_documents(self, docs: list[tuple[Document, list[Chunk]]], vectors: Embeddings) -> None:
        """Write documents' chunks, then delete any of their chunks left from older versions.

        Upsert first, delete after: a crash in between, or between two of the batches Chroma takes
        at most, leaves a document marked incomplete (mixed hashes or a wrong chunk count), and the
        next ingest rewrites it."""
        self._begin_write()
        chunks = [(c, doc, len(cs)) for doc, cs in docs for c in cs]
        step = self._entry.client.get_max_batch_size()
        for at in range(0, len(chunks), step):
            batch = chunks[at:at + step]
            self.collection.upsert(
                ids=[c.id for c, _, _ in batch], documents=[c.text for c, _, _ in batch], embeddings=vectors[at:at + step],
                metadatas=[chunk_metadata(c, doc, n) for c, doc, n in batch],
            )
        keep = {c.id for c, _, _ in chunks}
        ids = [doc.id for doc, _ in docs]
        stale = self.collection.get(where={"doc_id": {"$in": ids}}, include=[])
        old = [cid for cid in stale["ids"] if cid not in keep]
        for at in range(0, len(old), step):
            self.collection.delete(ids=old[at:at + step])

    def set_source(self, doc_id: str, source: str) -> None:
        """Record a document's source anew (a store made before sources were absolute gets them as it is ingested)."""
        self._begin_write()
        got = self.collection.get(where={"doc_id": doc_id}, include=["metadatas"])
        if got["ids"]:
            self.collection.update(ids=got["ids"], metadatas=[{**m, "source": source} for m in got["metadatas"]])

    def delete_document(self, doc_id: str) -> None:
        self._begin_write()
        self.collection.delete(where={"doc_id": doc_id})

    # ---- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        return self.collection.count()

    def all_chunks(self) -> tuple[list[str], list[str], list[dict]]:
        got = self.collection.get(include=["documents", "metadatas"])
        return got["ids"], got["documents"], got["metadatas"]

    def dense_search(self, texts: list[str], k: int) -> list[list[tuple[str, float]]]:
        """For each query, (chunk id, cosine similarity) of the k nearest chunks."""
        k = min(k, self.count())
        res = self.collection.query(query_texts=texts, n_results=k, include=["distances"])
        return [[(cid, 1.0 - dist) for cid, dist in zip(ids, dists, strict=True)]
                for ids, dists in zip(res["ids"], res["distances"], strict=True)]

    def document_chunks(self, doc_ids: list[str]) -> dict[str, list[tuple[Chunk, dict]]]:
        """Every chunk of the given documents, in document order."""
        got = self.collection.get(where={"doc_id": {"$in": doc_ids}}, include=["documents", "metadatas"]) if doc_ids else {
            "ids": [], "documents": [], "metadatas": []}
        out: dict[str, list[tuple[Chunk, dict]]] = {d: [] for d in doc_ids}
        for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            out[meta["doc_id"]].append((chunk_from_record(cid, text, meta), meta))
        return {d: sorted(chunks, key=lambda cm: cm[0].index) for d, chunks in out.items()}

    def published_of(self, ids: list[str]) -> dict[str, str | None]:
        """Each chunk's document date line (its `published` metadata, None when it has none)."""
        got = self.collection.get(ids=ids, include=["metadatas"]) if ids else {"ids": [], "metadatas": []}
        return {cid: meta.get("published") for cid, meta in zip(got["ids"], got["metadatas"], strict=True)}

    def get_chunks(self, ids: list[str]) -> dict[str, tuple[Chunk, dict]]:
        got = self.collection.get(ids=ids, include=["documents", "metadatas"])
        return {cid: (chunk_from_record(cid, text, meta), meta)
                for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}

    # ---- fingerprint -----------------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        return (self.collection.metadata or {}).get("fingerprint", "")

    def refresh_fingerprint(self) -> str:
        """A hash of every (doc id, content hash, title, url, date): equal fingerprints mean equal indexed text and
        equal titles and dates (the lexical index reads titles; the verifier reads titles and dates)."""
        state = self.document_state()
        digest = hashlib.sha256(json.dumps(sorted((d, s["hash"], s["described"]) for d, s in state.items())).encode()).hexdigest()[:16]
        if self.fingerprint != digest:
            self._begin_write()
            self.collection.modify(metadata={**(self.collection.metadata or {}), "fingerprint": digest})
        return digest
