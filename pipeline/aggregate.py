"""Judgements -> one verdict with a confidence, the rule that decided it, and the citations."""

from __future__ import annotations

from pydantic import BaseModel, Field

from pipeline.config import Settings
from pipeline.judge.base import Judge, read_calibration
from pipeline.models import Candidate, Citation, Judgement, Stance, Verdict, VerdictRules


def verdict_rules(judge: Judge, settings: Settings) -> VerdictRules:
    """The verdict rules in effect: `VerdictRules`' defaults, then the rules fitted for the judge (the "rules" of its
    calibration.json), then each threshold the settings give."""
    given = {"support": settings.support_threshold, "refute": settings.refute_threshold,
             "conflict": settings.conflict_threshold, "support_coverage": settings.support_coverage,
             "relevance_coverage": settings.relevance_coverage}
    fitted = read_calibration(judge.calibration).get("rules", {})
    return VerdictRules(**{**fitted, **{k: v for k, v in given.items() if v is not None}})


def restance(judgements: list[Judgement], rules: VerdictRules) -> list[Judgement]:
    """The same judged sentences with the stances `rules` give them: a stored trail, re-aggregated under other rules
    without running a model (`eval.fit_rules`)."""
    return [j.model_copy(update={"stance": rules.stance(j)}) for j in judgements]


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
    "quantity_match": "support: a passage about the claim's subject states its values, none contradicts it",
    "refutation": "refutation: a passage contradicts the claim, none entails it",
    "quantity_mismatch": "refutation: a passage about the claim's subject states another value",
    "polarity_mismatch": "refutation: a passage about the claim's subject denies or reverses what it asserts",
    "misattribution": "refutation: a passage gives the claim's words to another speaker",
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
    """Each sentence's stance is the one the judge stage stored (`restance` gives a trail other rules' stances);
    `rules` set how strong each is, when sides conflict, and the confidence."""
    titles = {c.chunk.doc_id: (c.title, c.source) for c in candidates}
    chunks = {c.chunk.id: c.chunk.text for c in candidates}
    stances = [(j, j.stance) for j in judgements]
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
        by_value = rules.value_match(support[0]) and support[0].probabilities.entailment < rules.support
        return decide(Verdict.SUPPORTED, best_s, "quantity_match" if by_value else "support", cite_s)
    if refute:
        top = refute[0]
        by_rule = not rules.contradicts(top)
        rule_id = ("quantity_mismatch" if rules.value_mismatch(top) else
                   "polarity_mismatch" if by_rule and rules.polarity_mismatch(top) else
                   "misattribution" if by_rule and rules.misattribution(top) else "refutation")
        return decide(Verdict.REFUTED, best_r, rule_id, cite_r)
    closest = sorted((j for j in judgements if j.relevant and j.probabilities), key=lambda j: -j.strength)
    best = closest[0].strength if closest else 0.0
    return decide(Verdict.NOT_ENOUGH_INFO, 1.0 - best, "no_evidence",
                  [cite(j, titles, Stance.NEUTRAL) for j in closest[:max_citations]])
