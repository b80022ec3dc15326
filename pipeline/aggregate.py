"""Judgements -> one verdict with a confidence, the rule that decided it, and the citations."""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from pipeline.models import Candidate, Citation, Judgement, Probabilities, Stance, Verdict


class VerdictRules(BaseModel):
    """Where a verifier's probabilities become stances and verdicts. Fitted per verifier (its
    calibration.json, by `citetrail eval scifact --split train --fit`); settings may override each."""

    support: float = Field(0.5, description="P(entailment) at which a sentence supports the claim")
    refute: float = Field(0.5, description="P(contradiction) at which a sentence refutes the claim")
    conflict: float = Field(0.7, description="CONFLICTING needs support and refutation, from different documents, "
                            "both at least this strong; below it the stronger side wins")
    support_coverage: float = Field(0.0, ge=0.0, le=1.0, description="share of the claim's content words a sentence "
                                    "must contain to support it: the verifier alone reads topical overlap as support")
    confidence_scale: float = Field(1.0, description="reported confidence is sigmoid(scale * logit(raw) + shift), "
                                    "fitted so that it matches accuracy")
    confidence_shift: float = 0.0

    def stance(self, p: Probabilities, claim_coverage: float = 1.0) -> Stance:
        if p.entailment >= self.support and p.entailment >= p.contradiction and claim_coverage >= self.support_coverage:
            return Stance.SUPPORTS
        if p.contradiction >= self.refute:
            return Stance.REFUTES
        return Stance.NEUTRAL

    def calibrated(self, raw: float) -> float:
        raw = min(max(raw, 1e-6), 1 - 1e-6)
        return 1.0 / (1.0 + math.exp(-(self.confidence_scale * math.log(raw / (1 - raw)) + self.confidence_shift)))


class Decision(BaseModel):
    verdict: Verdict
    confidence: float = Field(description="calibrated: the chance, measured on held-out claims, that such a verdict is right")
    raw_confidence: float = Field(description="before calibration: the deciding probability, discounted by the other side")
    rule: str
    citations: list[Citation]


def cite(j: Judgement, titles: dict[str, tuple[str, str]], stance: Stance | None = None) -> Citation:
    title, source = titles[j.doc_id]
    return Citation(doc_id=j.doc_id, title=title, source=source, chunk_id=j.chunk_id, start=j.start, end=j.end,
                    quote=j.quote, stance=stance or j.stance, probabilities=j.probabilities,
                    retrieval_rank=j.retrieval_rank, retrieval_score=j.retrieval_score)


def aggregate(judgements: list[Judgement], candidates: list[Candidate], rules: VerdictRules,
              max_citations: int = 3) -> Decision:
    """Stances come from `rules` (not from the judgements' own stance), so one judged trail can be
    re-aggregated under other rules without running a model."""
    titles = {c.chunk.doc_id: (c.title, c.source) for c in candidates}
    stances = [(j, rules.stance(j.probabilities, j.claim_coverage)) for j in judgements]
    support = sorted((j for j, s in stances if s == Stance.SUPPORTS), key=lambda j: -j.probabilities.entailment)
    refute = sorted((j for j, s in stances if s == Stance.REFUTES), key=lambda j: -j.probabilities.contradiction)
    best_s = support[0].probabilities.entailment if support else 0.0
    best_r = refute[0].probabilities.contradiction if refute else 0.0
    cite_s = [cite(j, titles, Stance.SUPPORTS) for j in support[:max_citations]]
    cite_r = [cite(j, titles, Stance.REFUTES) for j in refute[:max_citations]]

    def decide(verdict: Verdict, raw: float, rule: str, citations: list[Citation]) -> Decision:
        return Decision(verdict=verdict, confidence=round(rules.calibrated(raw), 4), raw_confidence=round(raw, 4),
                        rule=rule, citations=citations)

    if support and refute:
        other_docs = len({j.doc_id for j in support} | {j.doc_id for j in refute}) > 1
        if other_docs and min(best_s, best_r) >= rules.conflict:
            return decide(Verdict.CONFLICTING, min(best_s, best_r),
                          "conflict: strong supporting and refuting passages in different documents", cite_s + cite_r)
        if best_s >= best_r:
            return decide(Verdict.SUPPORTED, best_s * (1 - best_r),
                          "support outweighs a weaker or same-document refutation", cite_s + cite_r)
        return decide(Verdict.REFUTED, best_r * (1 - best_s),
                      "refutation outweighs a weaker or same-document support", cite_r + cite_s)
    if support:
        return decide(Verdict.SUPPORTED, best_s, "support: a passage entails the claim, none contradicts it", cite_s)
    if refute:
        return decide(Verdict.REFUTED, best_r, "refutation: a passage contradicts the claim, none entails it", cite_r)
    closest = sorted(judgements, key=lambda j: -max(j.probabilities.entailment, j.probabilities.contradiction))
    best = max(closest[0].probabilities.entailment, closest[0].probabilities.contradiction) if closest else 0.0
    return decide(Verdict.NOT_ENOUGH_INFO, 1.0 - best, "no passage entails or contradicts the claim above threshold",
                  [cite(j, titles, Stance.NEUTRAL) for j in closest[:max_citations]])
