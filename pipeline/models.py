"""The data that flows between citetrail's stages; the JSON output is these models serialised."""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, model_validator

from pipeline.config import Settings


class PageStart(BaseModel):
    """Where a page of a paged source (PDF) begins in the document's text."""

    page: int = Field(description="1-based page number")
    start: int = Field(description="character offset of the page's first character")


class Document(BaseModel):
    """A source text as loaded; `text` is what every character offset refers to."""

    id: str
    title: str
    source: str = Field(description="path or URL the document came from")
    text: str
    content_hash: str = Field(description="sha256 of the text")
    url: str | None = None
    published: str | None = None
    encoding: str | None = Field(None, description="the encoding the file was decoded from, when it was a text file")
    format: str | None = Field(None, description="the reader that loaded it: txt, md, html, jsonl, pdf, docx, url")
    pages: list[PageStart] = Field(default_factory=list, description="where each page begins (PDF); empty when unpaged")


def page_at(pages: list[PageStart], offset: int) -> int | None:
    """The page holding character `offset`, or None for an unpaged document."""
    found = None
    for p in pages:
        if p.start > offset:
            break
        found = p.page
    return found


class Span(BaseModel):
    start: int
    end: int


class Chunk(BaseModel):
    """A run of whole sentences of one document, with offsets into the document's text."""

    id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    sentences: list[Span] = Field(description="sentence spans, absolute offsets into the document")
    pages: list[PageStart] = Field(default_factory=list, description="the page starts that bear on this chunk (PDF): "
                                   "the page it begins on, then any beginning inside it")


class Claim(BaseModel):
    id: str
    text: str
    span: Span | None = Field(None, description="where the claim came from in an input text, if it did")
    speaker: str | None = Field(None, description="who the input text attributes the claim to, if anyone")
    metadata: dict[str, Any] = Field(default_factory=dict, description="extra fields given with the claim, kept as given")


class DropReason(StrEnum):
    """Why a sentence or clause yields no claim worth checking."""

    BOILERPLATE = "boilerplate"
    HEADING = "heading"
    QUESTION = "question"
    INSTRUCTION = "instruction"
    OPINION = "opinion"
    FRAGMENT = "fragment"
    UNRESOLVED = "unresolved"  # names nothing the article lets it name ("It was the second recall"), so it cannot read alone


class ExtractedClaim(BaseModel):
    """One claim pulled out of a text: the decontextualised claim and where and how it was found.

    `claim.span` is the span of the source sentence in the text that was read; `claim.speaker` is
    who the text attributes the content to, and `attribution` the claim that they said it."""

    claim: Claim
    sentence: str = Field(description="the source sentence, exactly text[span.start:span.end]")
    check_worthy: bool
    drop_reason: DropReason | None = Field(None, description="why the claim is not worth checking, when it is not")
    drop_detail: str | None = Field(None, description="what triggered the drop reason")
    attribution: str | None = Field(None, description="the attribution claim, e.g. 'JD Vance said that ...'")
    extractor: str = Field(description="the back-end that extracted it: rules or llm")


class Extraction(BaseModel):
    """Every claim found in one document, check-worthy or not, in text order."""

    doc_id: str
    source: str
    extractor: str
    claims: list[ExtractedClaim]
    seconds: float

    def checkable(self) -> list[ExtractedClaim]:
        return [c for c in self.claims if c.check_worthy]


class Candidate(BaseModel):
    """A retrieved chunk with the scores and ranks of each retriever and of the fusion."""

    chunk: Chunk
    title: str
    source: str
    url: str | None = Field(None, description="the document's URL, when it has one")
    published: str | None = Field(None, description="the document's publication date, when it has one")
    doc_hash: str | None = Field(None, description="sha256 of the document's text")
    rank: int
    fused_score: float
    dense_score: float | None = None
    dense_rank: int | None = None
    lexical_score: float | None = None
    lexical_rank: int | None = None


class Stance(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    NEUTRAL = "neutral"


class Probabilities(BaseModel):
    entailment: float
    neutral: float
    contradiction: float


class QuantityComparison(BaseModel):
    """A quantity, date or duration of the claim beside the evidence's of the same kind, compared as values."""

    kind: str = Field(description="what is compared: 'count:worker', 'length:meter', 'currency:EUR', 'currency:$' "
                      "(a dollar of no stated country), 'percent', 'date', 'time:second' (a duration), 'year', "
                      "'published' (the claim's date beside the document's date line)...")
    claim: str = Field(description="the claim's wording, e.g. '2 months'")
    evidence: str = Field(description="the evidence's wording, e.g. 'two weeks'")
    agrees: bool
    change: bool = Field(False, description="a change ('raised the rate by half a percentage point'), whose wording "
                         "holds more than its value")


def values_text(quantities: list[QuantityComparison]) -> str:
    """The values compared, as the trail and reports show them: "claim: 2 months; evidence: two weeks (differ)"."""
    return "; ".join(f"claim: {q.claim}; evidence: {q.evidence} ({'agree' if q.agrees else 'differ'})" for q in quantities)


class Judgement(BaseModel):
    """One sentence of a candidate read against the claim: first whether it is about the claim's subject
    (relevance), then, if it is, the verifier's probabilities and the quantities compared as values.
    `stance` is decided once, in the judge stage, by the verdict rules (`VerdictRules.stance`), and aggregation
    reads it: a stored trail always agrees with its verdict."""

    doc_id: str
    chunk_id: str
    start: int
    end: int
    quote: str = Field(description="exactly document_text[start:end]: what a citation quotes")
    context: str | None = Field(None, description="the preceding sentence, read with the quote because the quote "
                                "refers back to it ('he', 'the Committee', 'today')")
    evidence: str | None = Field(None, description="the whole text the verifier read: title (date). context quote")
    names_match: bool = Field(True, description="names one of the claim's names (or the claim names nothing)")
    names_coverage: float = Field(1.0, ge=0.0, le=1.0, description="share of the claim's names that the sentence, its "
                                  "context or its title names: a claim about Norm Dicks is not supported by a sentence "
                                  "that never names him")
    relevant: bool = Field(True, description="about the claim (names one of its names and holds enough of its words): "
                           "only relevant sentences are read by the verifier")
    relevance: str | None = Field(None, description="why the sentence is or is not about the claim's subject")
    same_subject: bool = Field(True, description="names the claim's subject: only then may it refute the claim")
    speaker_named: bool = Field(True, description="names who the claim says said it (itself or, when it does not say who "
                                "said it, its context or title), or the claim reports no one: else it cannot support the claim")
    other_speaker: bool = Field(False, description="says by name or office that another than the claim's speaker said it "
                                "('The Prime Minister said ...' against 'Robert McClelland said ...'): the words entailed "
                                "refute the attribution")
    polarity_differs: bool = Field(False, description="one of sentence and claim negates or denies and the other does not, "
                                   "or one raises what the other lowers: then the sentence cannot support the claim")
    polarity_differs_in_clause: bool = Field(False, description="as `polarity_differs`, a denial counting only in the "
                                             "clause of the sentence the claim is about: only then may it refute the claim "
                                             "by `VerdictRules.polarity_coverage`")
    probabilities: Probabilities | None = Field(None, description="the verifier's reading; None when not relevant")
    quantities: list[QuantityComparison] = Field(default_factory=list)
    unmatched: list[str] = Field(default_factory=list, description="the claim's figures (dates aside) that the sentence "
                                 "states nothing of the same kind for: then its agreeing values are not all the claim's")
    windows: int = Field(1, description="overlapping windows the sentence was read in, when too long for the verifier")
    stance: Stance
    retrieval_rank: int
    retrieval_score: float
    claim_coverage: float = Field(1.0, ge=0.0, le=1.0, description="share of the claim's content words (stemmed) that "
                                  "the sentence (with its document's date) contains; 1.0 in trails stored before it was recorded")
    another_event: bool = Field(False, description="the sentence is dated otherwise than the claim (its own date, or its "
                                "document's date line when it states none) while another judged document, about the "
                                "claim's subject, is dated as the claim is: a recurring event's other occurrence (the "
                                "Fed's statement of another meeting), which neither supports nor refutes")
    language: str | None = Field(None, description="the language of the claim, or else of the sentence's chunk, when "
                                 "one of them is not English (`pipeline.language`): the models read English only, so "
                                 "such a sentence never refutes; None when both are English")

    @property
    def strength(self) -> float:
        """The larger of P(entailment) and P(contradiction): how decided the verifier was (0 when not read)."""
        p = self.probabilities
        return max(p.entailment, p.contradiction) if p else 0.0


def dated_as_claim(quantities: list[QuantityComparison]) -> bool | None:
    """Whether a sentence is dated as its claim is: True when one of its own dates or its document's date line
    agrees with the claim's date, False when they all differ, None when there is no date to compare."""
    told = [q.agrees for q in quantities if q.kind in ("date", "year", "published")]
    return any(told) if told else None


def dated_otherwise(j: Judgement) -> bool:
    """The sentence is dated otherwise than the claim (`dated_as_claim` False): another occurrence of a recurring
    event, or the claim's event with a wrong date, which only values can tell apart (`VerdictRules.value_mismatch`);
    the verifier reads either as contradiction."""
    return dated_as_claim(j.quantities) is False


class VerdictRules(BaseModel):
    """Where a verifier's probabilities become stances and verdicts: the one home of every threshold. The defaults
    below hold for a judge with no rules fitted for it; a judge's calibration.json replaces them (the shipped
    verifier's, by `python -m eval.fit_rules` on news dev, SciFact train's held-out claims and the sample claims),
    and settings replace those (`pipeline.aggregate.verdict_rules` does both)."""

    support: float = Field(0.5, description="P(entailment) at which a sentence supports the claim")
    refute: float = Field(0.5, description="P(contradiction) at which a sentence refutes the claim")
    conflict: float = Field(0.7, description="CONFLICTING needs support and refutation, from different documents, "
                            "both at least this strong; below it the stronger side wins")
    support_coverage: float = Field(0.0, ge=0.0, le=1.0, description="share of the claim's content words a sentence "
                                    "(with its document's date) must contain to support it: the verifier alone reads "
                                    "topical overlap as support")
    refute_coverage: float = Field(0.0, ge=0.0, le=1.0, description="share of the claim's content words a sentence "
                                   "(with its document's date) must contain to refute it by the verifier's reading "
                                   "alone: a sentence on another matter is read as contradiction by a verifier trained "
                                   "where two scenes that differ contradict (SNLI); its values and denials refute by "
                                   "their own coverage (`quantity_coverage`, `polarity_coverage`)")
    support_names: float = Field(0.0, ge=0.0, le=1.0, description="share of the claim's names (people, organisations, "
                                 "places) that a sentence, with its context and title, must name to support it")
    relevance_coverage: float = Field(0.2, ge=0.0, le=1.0, description="share of the claim's content words a sentence "
                                      "(with its document's date) must contain to be read at all; it must also name, "
                                      "with its context and title, one of the claim's names, if the claim has any")
    quantity_coverage: float = Field(0.6, ge=0.0, le=1.0, description="claim coverage at which a sentence of the claim's "
                                     "subject that states another value of the same kind refutes the claim")
    date_coverage: float = Field(0.8, ge=0.0, le=1.0, description="claim coverage at which a sentence that states only "
                                 "another date than the claim's refutes it")
    quantity_strength: float = Field(0.8, ge=0.0, le=1.0, description="the strength given to a refutation or a support "
                                     "by values, where the verifier's probability is lower")
    value_support_coverage: float = Field(0.8, ge=0.0, le=1.01, description="claim coverage at which a sentence of the "
                                          "claim's subject, naming all its names, whose values all agree with the claim's "
                                          "(a figure besides any date) supports it whatever the verifier reads; 1.01: never")
    polarity_coverage: float = Field(1.01, ge=0.0, le=1.01, description="claim coverage at which a sentence of the "
                                     "claim's subject, naming all its names, that denies or reverses what the claim "
                                     "asserts (`Judgement.polarity_differs`) refutes it whatever the verifier reads; "
                                     "1.01: never")
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
        claim ("Russia invaded Ukraine in February 2014" against "... invaded Ukraine in February 2022"). The
        document's date line (kind "published") places a sentence that states no date of its own: another
        day's document with other figures is another event, and in a document of the claim's day another date
        names another event."""
        if not (self.is_relevant(j.names_match, j.claim_coverage)[0] and j.same_subject
                and j.claim_coverage >= self.quantity_coverage):
            return False
        dates = [q for q in j.quantities if q.kind in ("date", "year")]
        other = [q for q in j.quantities if q.kind not in ("date", "year", "published")]
        dated = [q.agrees for q in j.quantities if q.kind == "published"]  # the document's date line
        other_differs = any(not q.agrees for q in other)
        if any(not q.agrees for q in dates):
            if dated and dated[0]:  # a document of the claim's day: its other dates name other events
                return other_differs
            return not other_differs and (bool(other) or j.claim_coverage >= self.date_coverage)
        if dated and not dated[0] and not dates:  # another day's statement, with its own figures
            return False
        return other_differs

    def value_match(self, j: Judgement) -> bool:
        """The sentence states all the claim's figures (at least one besides dates), all agreeing, about the claim's
        subject, naming all its names and holding `value_support_coverage` of its words, without denying or
        reversing it: the issue's "when the values agree, that supports", for the paraphrases the verifier misreads
        ("left its target unchanged at 1.75%" / "decided today to keep its target unchanged at 1 3/4 percent")."""
        figures = [q for q in j.quantities if q.kind not in ("date", "year", "published")]
        return (bool(figures) and not j.unmatched and all(q.agrees for q in j.quantities) and j.same_subject
                and j.speaker_named and j.names_coverage >= 1.0 and j.claim_coverage >= self.value_support_coverage
                and not j.polarity_differs and j.language is None)

    def stance(self, j: Judgement) -> Stance:
        """The sentence's stance: never one when it is not about the claim or about another occurrence of its
        event (`Judgement.another_event`); refuting when it states another value, when the verifier reads
        contradiction (it names the claim's subject, holds `refute_coverage` of its words and is not dated otherwise:
        `dated_otherwise`), when it denies the claim (`polarity_mismatch`) or gives its words to another speaker
        (`misattribution`); supporting when the verifier reads entailment, it covers the claim, no value disagrees,
        it does not deny what the claim asserts (or assert what it denies) and names the claim's speaker, or when it
        states the claim's figures (`value_match`). Never refuting when the claim or the sentence is not in English."""
        p = j.probabilities
        if p is None or j.another_event or not self.is_relevant(j.names_match, j.claim_coverage)[0]:
            return Stance.NEUTRAL
        if self.value_mismatch(j) and j.language is None:
            return Stance.REFUTES
        mismatch = any(not q.agrees for q in j.quantities if q.kind != "published")
        if (p.entailment >= self.support and p.entailment >= p.contradiction and j.claim_coverage >= self.support_coverage
                and j.names_coverage >= self.support_names and not mismatch and not j.polarity_differs
                and j.speaker_named) or self.value_match(j):
            return Stance.SUPPORTS
        if ((self.contradicts(j) and not dated_otherwise(j)) or self.polarity_mismatch(j)) and j.same_subject \
                and j.language is None:
            return Stance.REFUTES
        if self.misattribution(j) and not mismatch:
            return Stance.REFUTES
        return Stance.NEUTRAL

    def contradicts(self, j: Judgement) -> bool:
        """The verifier reads contradiction (P >= `refute`) in a sentence holding `refute_coverage` of the claim."""
        return j.probabilities is not None and j.probabilities.contradiction >= self.refute \
            and j.claim_coverage >= self.refute_coverage

    def misattribution(self, j: Judgement) -> bool:
        """The sentence gives the claim's words, as the verifier reads them (P(entailment) >= `support`, holding
        `support_coverage` of the claim), to another speaker than the claim's: the attribution is wrong."""
        p = j.probabilities
        return (j.other_speaker and p is not None and p.entailment >= self.support and p.entailment >= p.contradiction
                and j.claim_coverage >= self.support_coverage and not j.polarity_differs and j.language is None)

    def polarity_mismatch(self, j: Judgement) -> bool:
        """The sentence, about the claim's subject and naming all its names, holds `polarity_coverage` of its words
        and denies or reverses it ("USAF also denied that creating jobs in the US was a factor" against "officials
        said that creating jobs had been a factor"): what small verifiers read as neutral or even entailment."""
        return (j.polarity_differs_in_clause and j.same_subject and j.names_coverage >= 1.0
                and j.claim_coverage >= self.polarity_coverage and j.language is None)

    def strength(self, j: Judgement, stance: Stance) -> float:
        """How strongly the sentence takes its stance: P(entailment) or P(contradiction), a refutation by values
        at least `quantity_strength`."""
        if stance == Stance.SUPPORTS:
            return max(j.probabilities.entailment, self.quantity_strength if self.value_match(j) else 0.0)
        if stance == Stance.REFUTES:
            if self.misattribution(j) and not self.contradicts(j):
                return j.probabilities.entailment
            value = self.quantity_strength if self.value_mismatch(j) or self.polarity_mismatch(j) else 0.0
            return max(j.probabilities.contradiction if self.contradicts(j) else 0.0, value)
        return 0.0

    def calibrated(self, raw: float) -> float:
        raw = min(max(raw, 1e-6), 1 - 1e-6)
        return 1.0 / (1.0 + math.exp(-(self.confidence_scale * math.log(raw / (1 - raw)) + self.confidence_shift)))


class Citation(BaseModel):
    doc_id: str
    title: str
    source: str
    chunk_id: str
    start: int = Field(description="character offset into the document's text")
    end: int
    quote: str = Field(description="exactly document_text[start:end]")
    page: int | None = Field(None, description="the page the quote starts on, for a paged source (PDF)")
    doc_hash: str | None = Field(None, description="sha256 of the document's text when it was cited: `citetrail verify` "
                                 "tells whether the source changed since")
    stance: Stance
    probabilities: Probabilities
    quantities: list[QuantityComparison] = Field(default_factory=list, description="values compared with the claim's")
    retrieval_rank: int
    retrieval_score: float


class Verdict(StrEnum):
    SUPPORTED = "SUPPORTED"
    REFUTED = "REFUTED"
    CONFLICTING = "CONFLICTING"
    NOT_ENOUGH_INFO = "NOT_ENOUGH_INFO"


class ChunkerSettings(BaseModel):
    """How documents were cut into chunks (`pipeline.chunk.chunker_settings`)."""

    splitter: str = Field(description="the sentence splitter and its version")
    chunk_size: int
    chunk_overlap: int
    line_breaks: str = Field("every", description="which line breaks end a sentence: 'paragraph' (blocks only) or 'every' "
                             "(stores made before the rule existed, and results stored before it was recorded)")


class RetrievalSettings(BaseModel):
    """What was retrieved and judged per claim."""

    dense_k: int
    lexical_k: int
    top_k: int
    window: int = 1
    min_shared_words: int = Field(0, description="0 in results stored before it existed")


class Versions(BaseModel):
    """Everything that, changed, could change a result."""

    citetrail: str
    embedding_model: str
    embedding_model_sha256: str
    embedding_precision: str = Field("fp32", description="the embedding model's precision at ingest and query (fp32 or int8)")
    verifier_model: str = Field(description="the judge's name: citetrail-verifier, a Hugging Face model, llm:PROVIDER:MODEL")
    verifier_model_sha256: str = Field(description="the judge's version: its weights' sha256 (hub:NAME for a hub model "
                                       "read from the cache), for an LLM judge a hash of its model, prompt and reply shape")
    verifier_temperature: float | None = Field(None, description="what the judge's logits were divided by before the "
                                               "softmax (its calibration.json); None for a judge without logits")
    chunker: ChunkerSettings
    index_fingerprint: str
    thresholds: VerdictRules = Field(description="the verdict rules in effect")
    retrieval: RetrievalSettings

    @model_validator(mode="before")
    @classmethod
    def _temperature_beside_the_rules(cls, data: Any) -> Any:
        """Results stored before the rules were typed kept the temperature among the thresholds."""
        if isinstance(data, dict) and isinstance(data.get("thresholds"), dict) and "temperature" in data["thresholds"]:
            thresholds = dict(data["thresholds"])
            data = {**data, "thresholds": thresholds, "verifier_temperature": thresholds.pop("temperature")}
        return data


class Trail(BaseModel):
    """Everything behind a verdict: what retrieval returned and how each sentence was judged."""

    candidates: list[Candidate]
    judgements: list[Judgement]


class CheckResult(BaseModel):
    claim: Claim
    verdict: Verdict
    confidence: float = Field(ge=0.0, le=1.0)
    rule: str = Field(description="the aggregation rule that decided the verdict, in words")
    rule_id: str = Field("", description="the same rule as a stable id: support, quantity_match, refutation, "
                         "polarity_mismatch, misattribution, quantity_mismatch, conflict, support_outweighs, "
                         "refutation_outweighs, no_evidence ('' in results stored before it existed)")
    citations: list[Citation]
    judged_pairs: int
    versions: Versions
    timings_ms: dict[str, float]
    trail: Trail | None = Field(None, description="retrieval candidates and every judged sentence, when asked for")
    warnings: list[str] = Field(default_factory=list, description="what the reader should know about this verdict, one "
                                "line each: a claim or retrieved document not in English")


class RunStatus(StrEnum):
    """pending: made, not yet checked by any process; running: a live process is checking it;
    interrupted: stopped (Ctrl-C, a signal, or its process killed), resumable."""

    PENDING = "pending"
    RUNNING = "running"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    DONE = "done"


class Run(BaseModel):
    """One batch of claims checked against one store: what went in, with what, and how far it got."""

    id: str
    created: datetime
    finished: datetime | None = None
    input: str = Field(description="the claims file, as given")
    status: RunStatus
    settings: Settings = Field(description="the settings it was started with")
    versions: Versions
    claims: int = Field(description="claims in the run")
    checked: int = Field(0, description="claims with a stored result")
    verdicts: dict[Verdict, int] = Field(default_factory=dict, description="stored results per verdict")
    skipped_rows: list[str] = Field(default_factory=list, description="input rows left out with --skip-bad-rows, and why")


class AuditSummary(BaseModel):
    checked: int
    supported: int
    refuted: int
    conflicting: int
    unverified: int = Field(description="NOT_ENOUGH_INFO")
    dropped: int = Field(description="sentences or clauses not worth checking")


class AuditReport(BaseModel):
    """An article checked claim by claim against the rest of the corpus (its own document excluded)."""

    doc_id: str
    source: str
    extractor: str
    excluded_docs: list[str]
    results: list[CheckResult] = Field(description="one per check-worthy claim; claim.span is its sentence in the article")
    dropped: list[ExtractedClaim]
    summary: AuditSummary
    extract_seconds: float
    check_seconds: float
