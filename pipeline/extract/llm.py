"""The LLM extractor: any LangChain chat model, prompts from prompts/*.toml, replies parsed into
pydantic models. Sentences come from the same spaCy segmentation as the rules back-end, so spans
agree; boilerplate, headings and questions are dropped before any LLM call.

Document text only ever travels as data: inside <context>/<sentence>/<claims> tags in the human
message, with any such tags in the text defused, while the system message says the tags hold data.

Replies are cached, retried and bounded in time by `pipeline.llm.StructuredChat`: the same sentence is never
sent twice, and a server that does not answer is a one-line error (exit 1)."""

from __future__ import annotations

import re

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field, ValidationError

from pipeline.config import Settings
from pipeline.extract.base import Extractor, early_drop, numbered
from pipeline.extract.dates import anchor, time_metadata
from pipeline.extract.nlp import parse, sentence_spans
from pipeline.extract.normalise import normalise
from pipeline.llm import ReplyCache, StructuredChat, as_data, load_prompt
from pipeline.models import Claim, Document, DropReason, ExtractedClaim, Span
from pipeline.textnorm import normalise_space

CONTEXT_SENTENCES = 3
CONTEXT_CHARS = 1200
NEEDS_CONTEXT = re.compile(r"\b(he|she|it|they|him|her|his|its|their|them|the (ministry|government|president|minister|"
                           r"country|company|agency|group|official|spokesman|spokeswoman))\b", re.IGNORECASE)
LOWERCASE_STARTS = {"the", "a", "an", "there", "this", "these", "those", "any", "some", "its", "their", "fresh", "no"}
EXTRACTOR = "llm"


class LLMClaim(BaseModel):
    claim: str = Field(description="one atomic fact, a complete sentence")
    speaker: str | None = Field(description="who the sentence says made the claim, else null")
    check_worthy: bool
    reason: str | None = Field(description="why not check-worthy: opinion, question, instruction, boilerplate, fragment")


class LLMClaims(BaseModel):
    claims: list[LLMClaim]


class Rewritten(BaseModel):
    claims: list[str]


def drop_reason(reason: str | None) -> DropReason:
    text = (reason or "").lower()
    for r in (DropReason.QUESTION, DropReason.INSTRUCTION, DropReason.BOILERPLATE, DropReason.FRAGMENT):
        if r.value in text:
            return r
    return DropReason.OPINION


def attribution(speaker: str, claim: str) -> str:
    first = claim.split(" ", 1)[0].lower()
    return f"{speaker} said that {claim[:1].lower() + claim[1:] if first in LOWERCASE_STARTS else claim}"


class LLMExtractor(Extractor):
    name = EXTRACTOR

    def __init__(self, settings: Settings, model: BaseChatModel | None = None, cache: ReplyCache | None = None) -> None:
        self.chat = StructuredChat(settings, model, cache)
        self.extraction = load_prompt("extraction")
        self.decontextualisation = load_prompt("decontextualisation")

    def extract(self, doc: Document) -> list[ExtractedClaim]:
        spans = [span for span, _, _ in sentence_spans(parse(doc.text))]
        out: list[ExtractedClaim] = []
        for n, span in enumerate(spans):
            if found := early_drop(doc, span, self.name):
                out.append(found)
                continue
            before = [doc.text[s.start:s.end] for s in spans[max(0, n - CONTEXT_SENTENCES):n]]
            out.extend(self.sentence_claims(doc, span, " ".join(before)[-CONTEXT_CHARS:]))
        return numbered(out)

    def messages(self, context: str, sentence: str) -> list:
        return self.extraction.format_messages(context=as_data(context), sentence=as_data(sentence))

    def sentence_claims(self, doc: Document, span: Span, context: str) -> list[ExtractedClaim]:
        sentence = doc.text[span.start:span.end]
        try:
            found = self.chat.ask(LLMClaims, self.messages(context, sentence)).claims
            found = [c for c in found if c.claim.strip()]
            texts = self.decontextualise(context + " " + sentence, [c.claim for c in found])
        except (ValidationError, ValueError) as exc:
            return [ExtractedClaim(claim=Claim(id="", text=normalise_space(sentence), span=span), sentence=sentence,
                                   check_worthy=False, drop_reason=DropReason.FRAGMENT,
                                   drop_detail=f"the LLM's reply did not parse: {str(exc).splitlines()[0]}", extractor=self.name)]
        out = []
        for c, text in zip(found, texts, strict=True):
            anchored = anchor(normalise(normalise_space(text)), doc.published)
            text = anchored.text
            speaker = (c.speaker or "").strip() or None
            out.append(ExtractedClaim(
                claim=Claim(id="", text=text, span=span, speaker=speaker, metadata=time_metadata(anchored)), sentence=sentence,
                check_worthy=c.check_worthy,
                drop_reason=None if c.check_worthy else drop_reason(c.reason),
                drop_detail=None if c.check_worthy else f"LLM: {c.reason or 'not check-worthy'}",
                attribution=attribution(speaker, text) if speaker else None, extractor=self.name))
        return out

    def decontextualise(self, context: str, claims: list[str]) -> list[str]:
        """Claims rewritten to stand alone; only asked for when one needs it, and kept as they were
        when the reply does not line up with them."""
        if not any(NEEDS_CONTEXT.search(c) for c in claims):
            return claims
        numbered_claims = "\n".join(f"{i}. {c}" for i, c in enumerate(claims, 1))
        messages = self.decontextualisation.format_messages(context=as_data(context), claims=as_data(numbered_claims))
        rewritten = self.chat.ask(Rewritten, messages).claims
        return rewritten if len(rewritten) == len(claims) and all(r.strip() for r in rewritten) else claims
