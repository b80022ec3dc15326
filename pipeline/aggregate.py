"""Judgements -> one verdict with a confidence, the rule that decided it, and the citations."""

from __future__ import annotations

from pydantic import BaseModel

from pipeline.models import Candidate, Citation, Judgement, Stance, Verdict


class Decision(BaseModel):
    verdict: Verdict
    confidence: float
    rule: str
    citations: list[Citation]


def cite(j: Judgement, titles: dict[str, tuple[str, str]], stance: Stance | None = None) -> Citation:
    title, source = titles[j.doc_id]
    return Citation(doc_id=j.doc_id, title=title, source=source, chunk_id=j.chunk_id, start=j.start, end=j.end,
                    quote=j.quote, stance=stance or j.stance, probabilities=j.probabilities,
                    retrieval_rank=j.retrieval_rank, retrieval_score=j.retrieval_score)


def aggregate(judgements: list[Judgement], candidates: list[Candidate], max_citations: int = 3) -> Decision:
    titles = {c.chunk.doc_id: (c.title, c.source) for c in candidates}
    support = sorted((j for j in judgements if j.stance == Stance.SUPPORTS), key=lambda j: -j.probabilities.entailment)
    refute = sorted((j for j in judgements if j.stance == Stance.REFUTES), key=lambda j: -j.probabilities.contradiction)
    best_s = support[0].probabilities.entailment if support else 0.0
    best_r = refute[0].probabilities.contradiction if refute else 0.0
    cite_s = [cite(j, titles) for j in support[:max_citations]]
    cite_r = [cite(j, titles) for j in refute[:max_citations]]
    if support and refute:
        if len({j.doc_id for j in support} | {j.doc_id for j in refute}) > 1:
            return Decision(verdict=Verdict.CONFLICTING, confidence=min(best_s, best_r),
                            rule="conflict: supporting and refuting passages in different documents",
                            citations=cite_s + cite_r)
        if best_s >= best_r:
            return Decision(verdict=Verdict.SUPPORTED, confidence=best_s - best_r * (1 - best_s),
                            rule="support outweighs refutation within one document", citations=cite_s + cite_r)
        return Decision(verdict=Verdict.REFUTED, confidence=best_r - best_s * (1 - best_r),
                        rule="refutation outweighs support within one document", citations=cite_r + cite_s)
    if support:
        return Decision(verdict=Verdict.SUPPORTED, confidence=best_s,
                        rule="support: a passage entails the claim, none contradicts it", citations=cite_s)
    if refute:
        return Decision(verdict=Verdict.REFUTED, confidence=best_r,
                        rule="refutation: a passage contradicts the claim, none entails it", citations=cite_r)
    closest = sorted(judgements, key=lambda j: -max(j.probabilities.entailment, j.probabilities.contradiction))
    best = max(closest[0].probabilities.entailment, closest[0].probabilities.contradiction) if closest else 0.0
    return Decision(verdict=Verdict.NOT_ENOUGH_INFO, confidence=1.0 - best,
                    rule="no passage entails or contradicts the claim above threshold",
                    citations=[cite(j, titles, Stance.NEUTRAL) for j in closest[:max_citations]])
