"""citetrail inside LangChain apps: a retriever of stance-scored passages and a Runnable that checks claims.

A RAG chain can fetch evidence with `CitetrailRetriever` and verify its own answer with
`check_runnable(verifier, extract=True)`, which pulls the answer's claims out before checking them.
"""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict, Field

from pipeline.api import Verifier
from pipeline.models import CheckResult


class CitetrailRetriever(BaseRetriever):
    """The sentences citetrail judged for a query (read as a claim) and found to be about it, strongest stance first, as
    LangChain Documents whose metadata carry the citation: document, chunk, character span, title,
    source, stance and the verifier's probabilities."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    verifier: Verifier
    k: int = Field(5, ge=1, description="passages returned")

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        result = self.verifier.check(query, trail=True)
        chunks = {c.chunk.id: c for c in result.trail.candidates}
        judged = sorted((j for j in result.trail.judgements if j.probabilities), key=lambda j: -j.strength)
        return [LCDocument(page_content=j.quote, metadata={
            "doc_id": j.doc_id, "chunk_id": j.chunk_id, "start": j.start, "end": j.end,
            "title": chunks[j.chunk_id].title, "source": chunks[j.chunk_id].source, "stance": j.stance.value,
            **j.probabilities.model_dump(), "retrieval_rank": j.retrieval_rank, "verdict": result.verdict.value,
        }) for j in judged[:self.k]]


def check_runnable(verifier: Verifier, *, extract: bool = False, extractor: str | None = None) -> Runnable:
    """A Runnable from text to a list of CheckResults.

    Without `extract` the input is one claim (or a list of claims), checked as given. With it the
    input is free text, such as an LLM's answer: its check-worthy claims are extracted first (the
    `rules` back-end unless `extractor` says otherwise) and each is checked."""

    def run(text: str | list[str]) -> list[CheckResult]:
        if not extract:
            return verifier.check_many([text] if isinstance(text, str) else list(text))
        from pipeline.extract import extract_claims

        extraction = extract_claims(text, extractor=extractor, settings=verifier.settings)
        claims = [c.claim for c in extraction.checkable()]
        return verifier.check_many(claims) if claims else []

    return RunnableLambda(run, name="citetrail_check")

