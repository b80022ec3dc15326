"""Retrieval: dense search in Chroma plus BM25 over the same chunks, fused by reciprocal rank.

Dense search finds paraphrases; BM25 finds the rare names and numbers that claims hinge on.
The BM25 index is built from the store and cached beside it, keyed by the store's fingerprint.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import bm25s

from pipeline.chunk import doc_of
from pipeline.evidence import published_label
from pipeline.models import Candidate
from pipeline.quantities import find_quantities, published_comparison
from pipeline.store import ChunkStore
from pipeline.textnorm import normalise_space

RRF_K = 60
DUPLICATE_POOL = 2  # candidates read per slot, so that copies of one text dropped still leave top_k distinct ones


LEXICAL_FORM = "titled"  # what each BM25 entry holds (part of the cache's key): the chunk after its title and date


def lexical_text(text: str, meta: dict) -> str:
    """What BM25 indexes for a chunk: its document's title and date line, then the chunk. A recurring event's
    statements share their wording and differ only in the date their title or date line gives ("FOMC statement,
    August 13, 2002"), so a claim's date finds its own statement."""
    return " ".join(filter(None, (meta.get("title"), published_label(meta.get("published")), text)))


class LexicalIndex:
    """BM25 over every chunk in the store (`lexical_text`)."""

    def __init__(self, store: ChunkStore) -> None:
        folder = store.path / "bm25" / f"{LEXICAL_FORM}-{store.fingerprint or 'none'}"
        if (folder / "ids.txt").exists():
            self.bm25 = bm25s.BM25.load(str(folder))
            self.ids = (folder / "ids.txt").read_text(encoding="utf-8").split("\n")
            return
        ids, texts, metas = store.all_chunks()
        self.ids = ids
        self.bm25 = bm25s.BM25()
        if ids:
            self.bm25.index(bm25s.tokenize([lexical_text(t, m) for t, m in zip(texts, metas, strict=True)],
                                           stopwords="en", show_progress=False), show_progress=False)
        if store.fingerprint and ids:
            self._save(folder)

    def _save(self, folder: Path) -> None:
        """Cache the index for the next process, dropping those of older fingerprints.

        Best effort: readers share the store, so another may be saving the same index at the same
        time; each writes its own temporary folder and renames it into place, and a loser of that
        race (or of a cleanup) keeps its index in memory only."""
        try:
            folder.parent.mkdir(exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
            self.bm25.save(str(tmp))
            (tmp / "ids.txt").write_text("\n".join(self.ids), encoding="utf-8")
            tmp.rename(folder)
        except OSError:
            pass
        for old in folder.parent.iterdir():
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)

    def search(self, texts: list[str], k: int) -> list[list[tuple[str, float]]]:
        if not self.ids:
            return [[] for _ in texts]
        tokens = bm25s.tokenize(texts, stopwords="en", show_progress=False)
        docs, scores = self.bm25.retrieve(tokens, k=min(k, len(self.ids)), show_progress=False, n_threads=1)
        return [[(self.ids[d], float(s)) for d, s in zip(row_d, row_s, strict=True) if s > 0]
                for row_d, row_s in zip(docs, scores, strict=True)]


class Retriever:
    def __init__(self, store: ChunkStore, dense_k: int, lexical_k: int, top_k: int) -> None:
        self.store, self.dense_k, self.lexical_k, self.top_k = store, dense_k, lexical_k, top_k
        self.lexical = LexicalIndex(store)

    def retrieve(self, claims: list[str], exclude_docs: set[str] | frozenset[str] = frozenset()) -> list[list[Candidate]]:
        """The top_k fused candidates for each claim, best first, from documents not in `exclude_docs`; chunks whose
        text repeats a better-ranked one's word for word are left out. A chunk of a document dated as the claim is
        (`published_comparison`) gets one more first-rank vote: a recurring event's statements share their words,
        and the claim's date is what tells its own from the others."""
        dense = self.store.dense_search(claims, self.dense_k)
        lexical = self.lexical.search(claims, self.lexical_k)
        dated = [[q for q in find_quantities(c) if q.kind in ("date", "year")] for c in claims]
        published = self.store.published_of(sorted({cid for i, (d, lx) in enumerate(zip(dense, lexical, strict=True))
                                                     if dated[i] for cid, _ in d + lx}))
        fused_ids: list[list[tuple[str, dict]]] = []
        for d_hits, l_hits, claim_dates in zip(dense, lexical, dated, strict=True):
            scores: dict[str, dict] = {}
            for field, hits in (("dense", d_hits), ("lexical", l_hits)):
                for rank, (cid, score) in enumerate(hits, 1):
                    entry = scores.setdefault(cid, {"fused": 0.0})
                    entry[f"{field}_score"], entry[f"{field}_rank"] = score, rank
                    entry["fused"] += 1.0 / (RRF_K + rank)
            for cid, entry in scores.items():  # a document dated as the claim is: one more first-rank vote
                if (seen := published_comparison(claim_dates, published.get(cid))) is not None and seen.agrees:
                    entry["fused"] += 1.0 / (RRF_K + 1)
            ranked = [(cid, s) for cid, s in sorted(scores.items(), key=lambda kv: -kv[1]["fused"])
                      if doc_of(cid) not in exclude_docs]
            fused_ids.append(ranked[:self.top_k * DUPLICATE_POOL])
        records = self.store.get_chunks(sorted({cid for hits in fused_ids for cid, _ in hits}))
        out = []
        for hits in fused_ids:
            out.append([])
            # a chunk whose text a better-ranked one already has (a press release and its repost) takes no slot
            distinct: dict[str, tuple[str, dict]] = {}
            for cid, s in hits:
                distinct.setdefault(normalise_space(records[cid][0].text), (cid, s))
            for rank, (cid, s) in enumerate(list(distinct.values())[:self.top_k], 1):
                chunk, meta = records[cid]
                out[-1].append(Candidate(chunk=chunk, title=meta["title"], source=meta["source"], url=meta.get("url"),
                                         published=meta.get("published"), doc_hash=meta.get("doc_hash"), rank=rank,
                                         fused_score=s["fused"],
                                         dense_score=s.get("dense_score"),
                                         dense_rank=s.get("dense_rank"), lexical_score=s.get("lexical_score"),
                                         lexical_rank=s.get("lexical_rank")))
        return out
