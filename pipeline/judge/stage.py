"""The judge stage: every sentence of the retrieved chunks, read in context against its claim.

For each sentence, in order:
1. evidence: the sentence with its document's title and date and, when it refers back ("he", "the
   Committee", "today"), the sentence before it (`pipeline.evidence`); the citation still quotes the sentence;
2. relevance: is it about the claim's subject? Sentences that are not are never read by the verifier and
   never take a stance (an NLI model assumes both texts speak of one scene);
3. quantities: numbers, units, dates and durations of the claim and the sentence compared as values;
   where they agree, the claim reaches the verifier in the evidence's wording ("twelve hundred" -> "1,200"), and
   in its spelling and names ("refuelling" -> "refueling", "New South Wales" -> "NSW": `pipeline.evidence.claim_read`);
4. the judge's P(entailment, neutral, contradiction) (any `Judge`: the shipped verifier, a Hugging Face NLI model,
   an LLM); a sentence too long for it is read in overlapping windows and the most decided window counts;
5. the stance, decided once by the verdict rules from all of the above, and stored: aggregation reads it;
   a claim or chunk not in English never refutes (`pipeline.language`).
With `window=2` each pair of neighbouring sentences is judged too. Spans shared by overlapping chunks are
judged once. With `min_shared_words` > 0 a sentence sharing fewer content words with the claim is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from pipeline.evidence import (
    acronym_words,
    claim_anchors,
    claim_read,
    evidence_head,
    needs_context,
    polarity_differs,
    published_label,
    relevance,
    reports_speech,
    sentence_read,
)
from pipeline.judge.base import Judge
from pipeline.language import not_english
from pipeline.models import Candidate, Claim, Judgement, Probabilities, Stance, VerdictRules, dated_as_claim
from pipeline.quantities import compare, find_quantities, published_comparison, today_quantity, worded_as_evidence
from pipeline.textnorm import content_words, coverage

WINDOW_WORDS, WINDOW_OVERLAP = 120, 40  # windows over a sentence longer than the verifier reads


@dataclass
class Unit:
    claim: int
    cand: Candidate
    start: int
    end: int
    quote: str
    context: str | None


def claim_coverage(claim: str, sentence: str) -> float:
    """The share of the claim's content words found in the sentence (see VerdictRules.support_coverage)."""
    return coverage(content_words(claim), content_words(sentence))


def units_of(ci: int, cands: list[Candidate], window: int) -> list[Unit]:
    """The sentences (and windows of neighbours) of one claim's candidates, each with its preceding sentence
    when that is in the same or the previous chunk, and it refers back."""
    sentences: dict[str, list[tuple[int, int, int, str]]] = {}
    for cand in cands:
        for s in cand.chunk.sentences:
            text = cand.chunk.text[s.start - cand.chunk.start:s.end - cand.chunk.start]
            sentences.setdefault(cand.chunk.doc_id, []).append((s.start, s.end, cand.chunk.index, text))
    previous: dict[tuple[str, int], str] = {}
    for doc_id, rows in sentences.items():
        rows = sorted(set(rows), key=lambda r: (r[0], r[2]))
        for before, after in pairwise(rows):
            if before[1] <= after[0] and after[2] - before[2] <= 1:
                previous.setdefault((doc_id, after[0]), before[3])
    seen: set[tuple[str, int, int]] = set()
    out = []
    for cand in cands:
        sents = cand.chunk.sentences
        spans = [(s.start, s.end) for s in sents]
        spans += [(sents[i - window + 1].start, sents[i].end) for i in range(window - 1, len(sents))] if window > 1 else []
        for start, end in spans:
            key = (cand.chunk.doc_id, start, end)
            if key in seen:
                continue
            seen.add(key)
            quote = cand.chunk.text[start - cand.chunk.start:end - cand.chunk.start]
            context = previous.get((cand.chunk.doc_id, start)) if needs_context(quote) else None
            out.append(Unit(ci, cand, start, end, quote, context))
    return out


def windows(premise_head: str, quote: str) -> list[str]:
    """The quote cut into overlapping word windows, each after the same head (title, date, context)."""
    words = quote.split()
    if len(words) <= WINDOW_WORDS:
        return [f"{premise_head}{quote}"]
    step = WINDOW_WORDS - WINDOW_OVERLAP
    return [f"{premise_head}{' '.join(words[i:i + WINDOW_WORDS])}" for i in range(0, len(words) - WINDOW_OVERLAP, step)]


def judge_claims(judge: Judge, claims: list[Claim], candidates: list[list[Candidate]], rules: VerdictRules,
                 batch_size: int = 32, window: int = 1, min_shared_words: int = 0) -> list[list[Judgement]]:
    """Judge all claims' sentences in one batched pass (batching across claims keeps the model busy)."""
    anchors = claim_anchors([c.text for c in claims])
    claim_values = [find_quantities(c.text) for c in claims]
    claim_language = [not_english(c.text) for c in claims]
    out: list[list[Judgement]] = [[] for _ in claims]
    pending: list[tuple[Unit, dict, list[int]]] = []
    premises: list[str] = []
    hypotheses: list[str] = []
    for ci, cands in enumerate(candidates):
        for u in units_of(ci, cands, window):
            quote_words = content_words(u.quote)
            if min_shared_words and len(anchors[ci].words & quote_words) < min_shared_words:
                continue
            title, published = u.cand.title, u.cand.published
            head, said = evidence_head(u.quote, title, published, u.context), sentence_read(u.quote, published)
            read = head + said
            # what the sentence states (with its date) covers the claim; its context and title only name things:
            # a sentence after the one that states the claim would otherwise be credited with it
            stated = quote_words | content_words(published_label(published) or "") | acronym_words(claims[ci].text, u.quote)
            around = f"{title} {u.context or ''}"
            named_around = content_words(around) | acronym_words(claims[ci].text, around)
            own_speaker = reports_speech(u.quote)
            rel = relevance(anchors[ci], stated, named_around, set() if own_speaker else named_around)
            fields = {"doc_id": u.cand.chunk.doc_id, "chunk_id": u.cand.chunk.id, "start": u.start, "end": u.end,
                      "quote": u.quote, "context": u.context, "evidence": read, "names_match": rel.names_match,
                      "names_coverage": round(rel.names_coverage, 4),
                      "same_subject": rel.same_subject, "speaker_named": rel.speaker_named,
                      "other_speaker": own_speaker and not rel.speaker_named, "claim_coverage": rel.coverage,
                      "polarity_differs": polarity_differs(claims[ci].text, u.quote),
                      "polarity_differs_in_clause": polarity_differs(claims[ci].text, u.quote, in_clause=True),
                      "language": claim_language[ci] or not_english(u.cand.chunk.text),
                      "retrieval_rank": u.cand.rank, "retrieval_score": u.cand.fused_score}
            relevant, why = rules.is_relevant(rel.names_match, rel.coverage, anchors[ci].names)
            if not relevant:
                out[ci].append(Judgement(**fields, relevant=False, relevance=why, stance=Stance.NEUTRAL))
                continue
            fields |= {"relevance": why if rel.same_subject else f"{why}; does not name the claim's subject"}
            hypothesis = claims[ci].text
            if claim_values[ci]:
                values = find_quantities(u.quote) + today_quantity(u.quote, published)
                fields["quantities"] = compare(claim_values[ci], values)
                compared = {q.claim for q in fields["quantities"]}
                fields["unmatched"] = [q.surface for q in claim_values[ci]
                                       if q.kind not in ("date", "year") and q.surface not in compared]
                if dated := published_comparison(claim_values[ci], published):
                    fields["quantities"].append(dated)
                # the verifier reads the context too: a value it states in other words is reworded as well
                hypothesis = worded_as_evidence(hypothesis, fields["quantities"] + (
                    compare(claim_values[ci], find_quantities(u.context)) if u.context else []))
            hypothesis = claim_read(hypothesis, read)
            texts = windows(head, said)
            pending.append((u, fields, list(range(len(premises), len(premises) + len(texts)))))
            premises += texts
            hypotheses += [hypothesis] * len(texts)
    probs = judge.score(premises, hypotheses, batch_size=batch_size)
    dated = {u.claim for u, fields, _ in pending if fields["same_subject"] and dated_as_claim(fields.get("quantities", []))}
    for u, fields, rows in pending:
        if u.claim in dated and dated_as_claim(fields.get("quantities", [])) is False:
            fields |= {"another_event": True, "relevance": f"{fields['relevance']}; another occurrence of the event: "
                       "dated otherwise than the claim, while another document is dated as it is"}
        best = max(rows, key=lambda r: max(probs[r][0], probs[r][2]))
        p = Probabilities(entailment=float(probs[best][0]), neutral=float(probs[best][1]), contradiction=float(probs[best][2]))
        j = Judgement(**fields, probabilities=p, windows=len(rows), stance=Stance.NEUTRAL)
        out[u.claim].append(j.model_copy(update={"stance": rules.stance(j)}))
    for judged in out:
        judged.sort(key=lambda j: (j.retrieval_rank, j.start, j.end))
    return out

