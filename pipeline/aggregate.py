"""Judgements -> one verdict with a confidence, the rule that decided it, and the citations."""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from pipeline.models import Candidate, Citation, Judgement, Stance, Verdict


class VerdictRules(BaseModel):
    """Where a verifier's probabilities become stances and verdicts. Fitted per verifier (its calibration.json,
    by `python -m eval.fit_rules` on news dev, SciFact train's held-out claims and the sample claims); settings
    may override each."""

    support: float = Field(0.5, description="P(entailment) at which a sentence supports the claim")
    refute: float = Field(0.5, description="P(contradiction) at which a sentence refutes the claim")
    conflict: float = Field(0.7, description="CONFLICTING needs support and refutation, from different documents, "
                            "both at least this strong; below it the stronger side wins")
    support_coverage: float = Field(0.0, ge=0.0, le=1.0, description="share of the claim's content words a sentence "
                                    "(with its document's date) must contain to support it: the verifier alone reads "
                                    "topical overlap as support")
    support_names: float = Field(0.0, ge=0.0, le=1.0, description="share of the claim's names (people, organisations, "
                                 "places) that a sentence, with its context and title, must name to support it")
    relevance_coverage: float = Field(0.2, ge=0.0, le=1.0, description="share of the claim's content words a sentence "
                                      "(with its document's date) must contain to be read at all; it must also name, "
                                      "with its context and title, one of the claim's names, if the claim has any")
    quantity_coverage: float = Field(0.6, ge=0.0, le=1.0, description="claim coverage at which a sentence of the claim's "
                                     "subject that states another value of the same kind refutes the claim")
    date_coverage: float = Field(0.8, ge=0.0, le=1.0, description="claim coverage at which a sentence that states only "
                                 "another date than the claim's refutes it")
    quantity_strength: float = Field(0.8, ge=0.0, le=1.0, description="the strength given to a refutation by values, "
                                     "where the verifier's P(contradiction) is lower")
    confidence_scale: float = Field(1.0, description="reported confidence is sigmoid(scale * logit(raw) + shift), "
                                    "fitted so that it matches accuracy")
    confidence_shift: float = 0.0

    def is_relevant(self, names_match: bool, claim_coverage: float, names: set[str] | None = None) -> tuple[bool, str]:
        """Whether a sentence is about the claim, and why: it names one of the claim's names (if the claim has
        any) and holds `relevance_coverage` of the claim's content words."""
        if not names_match:
            return False, f"names none of the claim's names ({', '.join(sorted(names or []))})"
        if claim_coverage < self.relevance_coverage:
            return False, f"holds {claim_coverage:.0%} of the claim's content words (under {self.relevance_coverage:.0%})"
        return True, "about the claim"

    def value_mismatch(self, j: Judgement) -> bool:
        """The sentence, about the claim's subject, states another value of a kind the claim states. Dates are
        read as naming the event: another date with other values differing too is another event (the Fed's
        June statement says nothing of its May rate); another date with the other values agreeing is the same
        event told with a wrong date; a date alone refutes only when the sentence holds `date_coverage` of the
        claim ("Russia invaded Ukraine in February 2014" against "... invaded Ukraine in February 2022")."""
        if not (self.is_relevant(j.names_match, j.claim_coverage)[0] and j.same_subject
                and j.claim_coverage >= self.quantity_coverage):
            return False
        dates = [q for q in j.quantities if q.kind in ("date", "year")]
        other = [q for q in j.quantities if q.kind not in ("date", "year")]
        other_differs = any(not q.agrees for q in other)
        if any(not q.agrees for q in dates):
            return not other_differs and (bool(other) or j.claim_coverage >= self.date_coverage)
        return other_differs

    def stance(self, j: Judgement) -> Stance:
        """The sentence's stance: never one when it is not about the claim; refuting when it states another
        value, or the verifier reads contradiction (and it names the claim's subject); supporting when the
        verifier reads entailment, it covers the claim, no value disagrees and it does not deny what the claim
        asserts (or assert what it denies)."""
        p = j.probabilities
        if p is None or not self.is_relevant(j.names_match, j.claim_coverage)[0]:
            return Stance.NEUTRAL
        if self.value_mismatch(j):
            return Stance.REFUTES
        mismatch = any(not q.agrees for q in j.quantities)
        if (p.entailment >= self.support and p.entailment >= p.contradiction and j.claim_coverage >= self.support_coverage
                and j.names_coverage >= self.support_names and not mismatch and not j.polarity_differs):
            return Stance.SUPPORTS
        if p.contradiction >= self.refute and j.same_subject:
            return Stance.REFUTES
        return Stance.NEUTRAL

    def strength(self, j: Judgement, stance: Stance) -> float:
        """How strongly the sentence takes its stance: P(entailment) or P(contradiction), a refutation by values
        at least `quantity_strength`."""
        if stance == Stance.SUPPORTS:
            return j.probabilities.entailment
        if stance == Stance.REFUTES:
            value = self.quantity_strength if self.value_mismatch(j) else 0.0
            return max(j.probabilities.contradiction, value)
        return 0.0

    def calibrated(self, raw: float) -> float:
        raw = min(max(raw, 1e-6), 1 - 1e-6)
        return 1.0 / (1.0 + math.exp(-(self.confidence_scale * math.log(raw / (1 - raw)) + self.confidence_shift)))


class Decision(BaseModel):
    verdict: Verdict
    confidence: float = Field(description="calibrated: the chance, measured on held-out claims, that such a verdict is right")
    raw_confidence: float = Field(description="before calibration: the deciding probability, discounted by the other side")
    rule: str
    rule_id: str
    citations: list[Citation]


RULES = {
    "conflict": "conflict: strong supporting and refuting passages in different sources",
    "support_outweighs": "support outweighs a weaker refutation, or one from the same source",
    "refutation_outweighs": "refutation outweighs a weaker support, or one from the same source",
    "support": "support: a passage entails the claim, none contradicts it",
    "refutation": "refutation: a passage contradicts the claim, none entails it",
    "quantity_mismatch": "refutation: a passage about the claim's subject states another value",
    "no_evidence": "no passage about the claim entails or contradicts it above threshold",
}
NEAR_DUPLICATE = 0.5  # word Jaccard of two chunks at which their documents count as one source


def cite(j: Judgement, titles: dict[str, tuple[str, str]], stance: Stance | None = None) -> Citation:
    title, source = titles[j.doc_id]
    return Citation(doc_id=j.doc_id, title=title, source=source, chunk_id=j.chunk_id, start=j.start, end=j.end,
                    quote=j.quote, stance=stance or j.stance, probabilities=j.probabilities, quantities=j.quantities,
                    retrieval_rank=j.retrieval_rank, retrieval_score=j.retrieval_score)


def near_copies(x: Judgement, y: Judgement, chunks: dict[str, str]) -> bool:
    """Whether two passages come from one source: the same document, or documents that are near-copies of each
    other (the same wire story in two outlets, a release and its copy): word Jaccard of their chunks."""
    if x.doc_id == y.doc_id:
        return True
    wx, wy = (set(chunks.get(j.chunk_id, "").lower().split()) for j in (x, y))
    return len(wx & wy) / max(1, len(wx | wy)) >= NEAR_DUPLICATE


def independent_sources(a: list[Judgement], b: list[Judgement], chunks: dict[str, str]) -> bool:
    """Whether some passage of `a` and some of `b` come from different sources (`near_copies`)."""
    return any(not near_copies(x, y, chunks) for x in a for y in b)


def one_per_copy(judged: list[Judgement], chunks: dict[str, str], n: int) -> list[Judgement]:
    """The first `n` passages, skipping the same sentence in a near-copy of a document already cited (a wire story
    in two outlets is cited once, not as two sources)."""
    out: list[Judgement] = []
    for j in judged:
        if not any(o.doc_id != j.doc_id and o.quote == j.quote and near_copies(o, j, chunks) for o in out):
            out.append(j)
        if len(out) == n:
            break
    return out


def aggregate(judgements: list[Judgement], candidates: list[Candidate], rules: VerdictRules,
              max_citations: int = 3) -> Decision:
    """Stances come from `rules` (the judge stage stored the same, decided by the same rules), so one judged
    trail can be re-aggregated under other rules without running a model."""
    titles = {c.chunk.doc_id: (c.title, c.source) for c in candidates}
    chunks = {c.chunk.id: c.chunk.text for c in candidates}
    stances = [(j, rules.stance(j)) for j in judgements]
    strength = {id(j): rules.strength(j, s) for j, s in stances}
    support = sorted((j for j, s in stances if s == Stance.SUPPORTS), key=lambda j: -strength[id(j)])
    refute = sorted((j for j, s in stances if s == Stance.REFUTES), key=lambda j: -strength[id(j)])
    best_s = strength[id(support[0])] if support else 0.0
    best_r = strength[id(refute[0])] if refute else 0.0
    cite_s = [cite(j, titles, Stance.SUPPORTS) for j in one_per_copy(support, chunks, max_citations)]
    cite_r = [cite(j, titles, Stance.REFUTES) for j in one_per_copy(refute, chunks, max_citations)]

    def decide(verdict: Verdict, raw: float, rule_id: str, citations: list[Citation]) -> Decision:
        return Decision(verdict=verdict, confidence=round(rules.calibrated(raw), 4), raw_confidence=round(raw, 4),
                        rule=RULES[rule_id], rule_id=rule_id, citations=citations)

    if support and refute:
        strong_s = [j for j in support if strength[id(j)] >= rules.conflict]
        strong_r = [j for j in refute if strength[id(j)] >= rules.conflict]
        if strong_s and strong_r and independent_sources(strong_s, strong_r, chunks):
            return decide(Verdict.CONFLICTING, min(best_s, best_r), "conflict", cite_s + cite_r)
        if best_s >= best_r:
            return decide(Verdict.SUPPORTED, best_s * (1 - best_r), "support_outweighs", cite_s + cite_r)
        return decide(Verdict.REFUTED, best_r * (1 - best_s), "refutation_outweighs", cite_r + cite_s)
    if support:
        return decide(Verdict.SUPPORTED, best_s, "support", cite_s)
    if refute:
        by_value = rules.value_mismatch(refute[0])
        return decide(Verdict.REFUTED, best_r, "quantity_mismatch" if by_value else "refutation", cite_r)
    closest = sorted((j for j in judgements if j.relevant and j.probabilities), key=lambda j: -j.strength)
    best = closest[0].strength if closest else 0.0
    return decide(Verdict.NOT_ENOUGH_INFO, 1.0 - best, "no_evidence",
                  [cite(j, titles, Stance.NEUTRAL) for j in closest[:max_citations]])
