"""The data that flows between citetrail's stages; the JSON output is these models serialised."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


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

    kind: str = Field(description="what is compared: 'count:worker', 'length:meter', 'currency', 'percent', 'date', "
                      "'time:second' (a duration), 'year'...")
    claim: str = Field(description="the claim's wording, e.g. '2 months'")
    evidence: str = Field(description="the evidence's wording, e.g. 'two weeks'")
    agrees: bool


def values_text(quantities: list[QuantityComparison]) -> str:
    """The values compared, as the trail and reports show them: "claim: 2 months; evidence: two weeks (differ)"."""
    return "; ".join(f"claim: {q.claim}; evidence: {q.evidence} ({'agree' if q.agrees else 'differ'})" for q in quantities)


class Judgement(BaseModel):
    """One sentence of a candidate read against the claim: first whether it is about the claim's subject
    (relevance), then, if it is, the verifier's probabilities and the quantities compared as values.
    `stance` is decided once, here, by the verdict rules (`VerdictRules.stance`)."""

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
    polarity_differs: bool = Field(False, description="one of sentence and claim negates or denies and the other does not: "
                                   "then the sentence cannot support the claim")
    probabilities: Probabilities | None = Field(None, description="the verifier's reading; None when not relevant")
    quantities: list[QuantityComparison] = Field(default_factory=list)
    windows: int = Field(1, description="overlapping windows the sentence was read in, when too long for the verifier")
    stance: Stance
    retrieval_rank: int
    retrieval_score: float
    claim_coverage: float = Field(1.0, ge=0.0, le=1.0, description="share of the claim's content words (stemmed) that "
                                  "the sentence (with its document's date) contains; 1.0 in trails stored before it was recorded")

    @property
    def strength(self) -> float:
        """The larger of P(entailment) and P(contradiction): how decided the verifier was (0 when not read)."""
        p = self.probabilities
        return max(p.entailment, p.contradiction) if p else 0.0


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


class Versions(BaseModel):
    """Everything that, changed, could change a result."""

    citetrail: str
    embedding_model: str
    embedding_model_sha256: str
    embedding_precision: str = Field("fp32", description="the embedding model's precision at ingest and query (fp32 or int8)")
    verifier_model: str
    verifier_model_sha256: str
    chunker: dict
    index_fingerprint: str
    thresholds: dict
    retrieval: dict = Field(description="dense_k, lexical_k, top_k, the judging window and min_shared_words")


class Trail(BaseModel):
    """Everything behind a verdict: what retrieval returned and how each sentence was judged."""

    candidates: list[Candidate]
    judgements: list[Judgement]


class CheckResult(BaseModel):
    claim: Claim
    verdict: Verdict
    confidence: float = Field(ge=0.0, le=1.0)
    rule: str = Field(description="the aggregation rule that decided the verdict, in words")
    rule_id: str = Field("", description="the same rule as a stable id: support, refutation, quantity_mismatch, conflict, "
                         "support_outweighs, refutation_outweighs, no_evidence ('' in results stored before it existed)")
    citations: list[Citation]
    judged_pairs: int
    versions: Versions
    timings_ms: dict[str, float]
    trail: Trail | None = Field(None, description="retrieval candidates and every judged sentence, when asked for")


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
    settings: dict[str, Any]
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
