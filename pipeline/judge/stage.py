"""The judge stage: every sentence of the retrieved chunks, read against its claim.

Sentences, not whole chunks, are judged: the verifier was trained on sentence-length evidence,
and a sentence is what a citation quotes. With `window=2` each pair of neighbouring sentences is
judged too, for evidence that a pronoun splits over two sentences ("Trump threatened ... The
warning came after he met Putin in Alaska"). Spans shared by overlapping chunks are judged once.
With `min_shared_words` > 0 a sentence that shares fewer content words (stemmed to 5 letters)
with the claim is not judged: the verifier is most of a check's time, and such sentences are
almost never evidence. Each judgement records its claim coverage, the share of the claim's content
words in the sentence: the verdict rules let only well-covered sentences support a claim.
"""

from __future__ import annotations

import re

from bm25s.stopwords import STOPWORDS_EN_PLUS

from pipeline.aggregate import VerdictRules
from pipeline.judge.model import NLIJudge
from pipeline.models import Candidate, Claim, Judgement, Probabilities

STOPWORDS = frozenset(STOPWORDS_EN_PLUS)


def content_words(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS}


def coverage(claim_words: set[str], sentence_words: set[str]) -> float:
    """The share of the claim's content words found in the sentence (see VerdictRules.support_coverage)."""
    return round(len(claim_words & sentence_words) / len(claim_words), 4) if claim_words else 1.0


def claim_coverage(claim: str, sentence: str) -> float:
    return coverage(content_words(claim), content_words(sentence))


def judge_claims(judge: NLIJudge, claims: list[Claim], candidates: list[list[Candidate]], rules: VerdictRules,
                 batch_size: int = 32, window: int = 1, min_shared_words: int = 0) -> list[list[Judgement]]:
    """Judge all claims' sentences in one batched pass (batching across claims keeps the model busy)."""
    units: list[tuple[int, Candidate, int, int, str, float]] = []
    for ci, cands in enumerate(candidates):
        claim_words = content_words(claims[ci].text)
        seen: set[tuple[str, int, int]] = set()
        for cand in cands:
            sents = cand.chunk.sentences
            spans = [(s.start, s.end) for s in sents]
            spans += [(sents[i - window + 1].start, sents[i].end) for i in range(window - 1, len(sents))] if window > 1 else []
            for start, end in spans:
                key = (cand.chunk.doc_id, start, end)
                if key in seen:
                    continue
                seen.add(key)
                text = cand.chunk.text[start - cand.chunk.start:end - cand.chunk.start]
                words = content_words(text)
                if min_shared_words and len(claim_words & words) < min_shared_words:
                    continue
                units.append((ci, cand, start, end, text, coverage(claim_words, words)))
    probs = judge.score([u[4] for u in units], [claims[u[0]].text for u in units], batch_size=batch_size)
    out: list[list[Judgement]] = [[] for _ in claims]
    for (ci, cand, s, e, quote, covered), row in zip(units, probs, strict=True):
        p = Probabilities(entailment=float(row[0]), neutral=float(row[1]), contradiction=float(row[2]))
        out[ci].append(Judgement(doc_id=cand.chunk.doc_id, chunk_id=cand.chunk.id, start=s, end=e, quote=quote,
                                 probabilities=p, stance=rules.stance(p, covered), claim_coverage=covered,
                                 retrieval_rank=cand.rank, retrieval_score=cand.fused_score))
    return out
