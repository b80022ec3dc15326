"""The data that flows between citetrail's stages; the JSON output is these models serialised."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Document(BaseModel):
    """A source text as loaded; `text` is what every character offset refers to."""

    id: str
    title: str
    source: str = Field(description="path or URL the document came from")
    text: str
    content_hash: str = Field(description="sha256 of the text")
    url: str | None = None
    published: str | None = None


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


class Claim(BaseModel):
    id: str
    text: str
    span: Span | None = Field(None, description="where the claim came from in an input text, if it did")
    speaker: str | None = Field(None, description="who the input text attributes the claim to, if anyone")
    metadata: dict[str, Any] = Field(default_factory=dict, description="extra fields given with the claim, kept as given")


class Candidate(BaseModel):
    """A retrieved chunk with the scores and ranks of each retriever and of the fusion."""

    chunk: Chunk
    title: str
    source: str
    url: str | None = Field(None, description="the document's URL, when it has one")
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


class Judgement(BaseModel):
    """The verifier's reading of one sentence of a candidate against the claim."""

    doc_id: str
    chunk_id: str
    start: int
    end: int
    quote: str
    probabilities: Probabilities
    stance: Stance
    retrieval_rank: int
    retrieval_score: float


class Citation(BaseModel):
    doc_id: str
    title: str
    source: str
    chunk_id: str
    start: int = Field(description="character offset into the document's text")
    end: int
    quote: str = Field(description="exactly document_text[start:end]")
    stance: Stance
    probabilities: Probabilities
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
    verifier_model: str
    verifier_model_sha256: str
    chunker: dict
    index_fingerprint: str
    thresholds: dict
    retrieval: dict = Field(description="dense_k, lexical_k, top_k and the judging window")


class Trail(BaseModel):
    """Everything behind a verdict: what retrieval returned and how each sentence was judged."""

    candidates: list[Candidate]
    judgements: list[Judgement]


class CheckResult(BaseModel):
    claim: Claim
    verdict: Verdict
    confidence: float = Field(ge=0.0, le=1.0)
    rule: str = Field(description="the aggregation rule that decided the verdict")
    citations: list[Citation]
    judged_pairs: int
    versions: Versions
    timings_ms: dict[str, float]
    trail: Trail | None = Field(None, description="retrieval candidates and every judged sentence, when asked for")


class RunStatus(StrEnum):
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
