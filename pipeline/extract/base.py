"""The interface every claim extractor implements, and what they share: sentences and early drops."""

from __future__ import annotations

from abc import ABC, abstractmethod

from pipeline.extract.worthiness import sentence_drop
from pipeline.models import Claim, Document, DropReason, ExtractedClaim, Span
from pipeline.textnorm import normalise_space


class Extractor(ABC):
    """Text in, claims out: each claim decontextualised, with the span of its source sentence."""

    name: str

    @abstractmethod
    def extract(self, doc: Document) -> list[ExtractedClaim]:
        """Every claim of `doc` in text order, check-worthy or not; claim ids are c1, c2, ..."""


def dropped(doc: Document, span: Span, reason: DropReason, detail: str, extractor: str) -> ExtractedClaim:
    """A sentence kept in the output only to say why it yields nothing to check."""
    sentence = doc.text[span.start:span.end]
    return ExtractedClaim(claim=Claim(id="", text=normalise_space(sentence), span=span), sentence=sentence,
                          check_worthy=False, drop_reason=reason, drop_detail=detail, extractor=extractor)


def early_drop(doc: Document, span: Span, extractor: str) -> ExtractedClaim | None:
    if found := sentence_drop(doc.text[span.start:span.end]):
        return dropped(doc, span, *found, extractor)
    return None


def numbered(claims: list[ExtractedClaim]) -> list[ExtractedClaim]:
    """Ids c1, c2, ... in text order."""
    for n, c in enumerate(claims, 1):
        c.claim.id = f"c{n}"
    return claims
