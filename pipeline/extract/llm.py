"""The LLM extractor: any LangChain chat model, prompts from prompts/*.toml, replies parsed into
pydantic models. Sentences come from the same spaCy segmentation as the rules back-end, so spans
agree; boilerplate, headings and questions are dropped before any LLM call.

Document text only ever travels as data: inside <context>/<sentence>/<claims> tags in the human
message, with any such tags in the text defused, while the system message says the tags hold data."""

from __future__ import annotations

import os
import re
import tomllib
from functools import cache
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable
from pydantic import BaseModel, Field, ValidationError

from pipeline.config import Settings
from pipeline.errors import CitetrailError, InputError
from pipeline.extract.base import Extractor, early_drop, numbered
from pipeline.extract.nlp import parse, sentence_spans
from pipeline.extract.normalise import normalise
from pipeline.models import Claim, Document, DropReason, ExtractedClaim, Span

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
CONTEXT_SENTENCES = 3
CONTEXT_CHARS = 1200
TAG = re.compile(r"<(/?)(context|sentence|claims?|passages)>", re.IGNORECASE)
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


def load_prompt(name: str) -> ChatPromptTemplate:
    """prompts/NAME.toml: a system and a human message template."""
    spec = tomllib.loads((PROMPTS / f"{name}.toml").read_text(encoding="utf-8"))
    return ChatPromptTemplate.from_messages([("system", spec["system"]), ("human", spec["human"])])


def as_data(text: str) -> str:
    """Text safe to put between the prompt's tags: a tag inside the text cannot close them."""
    return TAG.sub(lambda m: f"‹{m.group(1)}{m.group(2)}›", text)


def chat_model(settings: Settings) -> BaseChatModel:
    """The LangChain chat model named by the settings; only llama.cpp is installed by the `llm` extra."""
    provider = settings.llm_provider
    if provider == "llamacpp":
        from pipeline.extract.llamacpp import ChatLlamaCppJSON, llama_class, local_model_path

        llama_class()  # fail before assembling the model when llama.cpp is missing
        path = Path(settings.llm_model) if settings.llm_model else local_model_path()
        if not path.is_file():
            raise InputError(f"llm_model {path} is not a file (a GGUF model is needed for llm_provider llamacpp)")
        return ChatLlamaCppJSON(model_path=str(path), threads=min(2, os.cpu_count() or 1))
    if not settings.llm_model:
        raise InputError(f"llm_provider {provider} needs llm_model (the model's name on that server)")
    try:
        if provider == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(model=settings.llm_model, base_url=settings.llm_base_url, temperature=0, seed=0)
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=settings.llm_model, base_url=settings.llm_base_url, temperature=0, seed=0)
    except ImportError:
        raise CitetrailError(f"llm_provider {provider} needs langchain-{provider}: pip install langchain-{provider}") from None


def structured(model: BaseChatModel, schema: type[BaseModel]) -> Runnable:
    from pipeline.extract.llamacpp import ChatLlamaCppJSON

    if isinstance(model, ChatLlamaCppJSON):
        return model.with_structured_output(schema)
    return model.with_structured_output(schema, method="json_schema")


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

    def __init__(self, settings: Settings, model: BaseChatModel | None = None) -> None:
        self.settings = settings
        self._model = model
        self.extraction = load_prompt("extraction")
        self.decontextualisation = load_prompt("decontextualisation")

    @property
    def model(self) -> BaseChatModel:
        if self._model is None:
            self._model = chat_model(self.settings)
        return self._model

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
            found = structured(self.model, LLMClaims).invoke(self.messages(context, sentence)).claims
            found = [c for c in found if c.claim.strip()]
            texts = self.decontextualise(context + " " + sentence, [c.claim for c in found])
        except (ValidationError, ValueError) as exc:
            return [ExtractedClaim(claim=Claim(id="", text=" ".join(sentence.split()), span=span), sentence=sentence,
                                   check_worthy=False, drop_reason=DropReason.FRAGMENT,
                                   drop_detail=f"the LLM's reply did not parse: {str(exc).splitlines()[0]}", extractor=self.name)]
        out = []
        for c, text in zip(found, texts, strict=True):
            text = normalise(" ".join(text.split()))
            speaker = (c.speaker or "").strip() or None
            out.append(ExtractedClaim(
                claim=Claim(id="", text=text, span=span, speaker=speaker), sentence=sentence, check_worthy=c.check_worthy,
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
        rewritten = structured(self.model, Rewritten).invoke(messages).claims
        return rewritten if len(rewritten) == len(claims) and all(r.strip() for r in rewritten) else claims


@cache
def llm_available() -> bool:
    """Whether the local back-end can run here: llama-cpp-python, and the model assembled before or
    every part of it installed."""
    try:
        import llama_cpp  # noqa: F401

        from pipeline.extract.llamacpp import PARTS, cached_model, part_path

        if cached_model():
            return True
        for n in range(1, PARTS + 1):
            part_path(n)
    except (ImportError, CitetrailError):
        return False
    return True
