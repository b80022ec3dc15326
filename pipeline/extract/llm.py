"""The LLM extractor: any LangChain chat model, prompts from prompts/*.toml, replies parsed into
pydantic models. Sentences come from the same spaCy segmentation as the rules back-end, so spans
agree; boilerplate, headings and questions are dropped before any LLM call.

Document text only ever travels as data: inside <context>/<sentence>/<claims> tags in the human
message, with any such tags in the text defused, while the system message says the tags hold data.

Every reply is kept on disk (`~/.cache/citetrail/llm-replies/`, keyed by provider, model and the exact
messages), so the same sentence is never sent twice. A server call waits `llm_timeout` seconds and is
retried `llm_retries` times (tenacity, exponential back-off) after a network or server error; then it is
an `LLMUnavailable` error: one line, exit 1."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import tomllib
from functools import cache
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable
from pydantic import BaseModel, Field, ValidationError
from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from pipeline.config import Settings
from pipeline.embed import cache_dir
from pipeline.errors import CitetrailError, InputError
from pipeline.extract.base import Extractor, early_drop, numbered
from pipeline.extract.dates import anchor, time_metadata
from pipeline.extract.nlp import parse, sentence_spans
from pipeline.extract.normalise import normalise
from pipeline.models import Claim, Document, DropReason, ExtractedClaim, Span
from pipeline.textnorm import normalise_space

# prompts/ beside the package in a source checkout; inside it (pipeline/prompts) in a wheel, where pyproject puts it
_PACKAGE = Path(__file__).resolve().parents[1]
PROMPTS = _PACKAGE / "prompts" if (_PACKAGE / "prompts").is_dir() else _PACKAGE.parent / "prompts"
CONTEXT_SENTENCES = 3
CONTEXT_CHARS = 1200
TAG = re.compile(r"<(/?)(context|sentence|claims?|passages)>", re.IGNORECASE)
NEEDS_CONTEXT = re.compile(r"\b(he|she|it|they|him|her|his|its|their|them|the (ministry|government|president|minister|"
                           r"country|company|agency|group|official|spokesman|spokeswoman))\b", re.IGNORECASE)
LOWERCASE_STARTS = {"the", "a", "an", "there", "this", "these", "those", "any", "some", "its", "their", "fresh", "no"}
EXTRACTOR = "llm"
CACHE_VERSION = 1  # bump when a prompt's reply model changes shape
NETWORK_MODULES = ("httpx", "httpcore", "ollama", "openai", "requests", "urllib3", "aiohttp")


class LLMUnavailable(CitetrailError):
    """The LLM server could not be reached or kept failing: a user's problem to fix (exit 1), not a bug."""


def is_network_error(exc: BaseException) -> bool:
    """A timeout, refused connection or server error from the client library, not a reply that failed to parse."""
    if isinstance(exc, (TimeoutError, ConnectionError)):
        return True
    module = type(exc).__module__.split(".")[0]
    return module in NETWORK_MODULES and not isinstance(exc, (ValidationError, ValueError, TypeError))


class ReplyCache:
    """Replies on disk, one JSON file per request, written atomically; a damaged file is a miss."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or cache_dir() / "llm-replies"

    @staticmethod
    def key(settings: Settings, schema: type[BaseModel], messages: list) -> str:
        payload = json.dumps({"v": CACHE_VERSION, "provider": settings.llm_provider, "model": settings.llm_model,
                              "base_url": settings.llm_base_url, "schema": schema.__name__,
                              "messages": [[m.type, m.content] for m in messages]}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()

    def get(self, key: str) -> dict | None:
        try:
            return json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, reply: dict) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.folder, suffix=".tmp", delete=False, encoding="utf-8") as f:
                json.dump(reply, f, ensure_ascii=False)
            os.replace(f.name, self.folder / f"{key}.json")
        except OSError:
            pass  # a cache that cannot be written only costs time


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

            return ChatOllama(model=settings.llm_model, base_url=settings.llm_base_url, temperature=0, seed=0,
                              client_kwargs={"timeout": settings.llm_timeout})
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=settings.llm_model, base_url=settings.llm_base_url, temperature=0, seed=0,
                          timeout=settings.llm_timeout, max_retries=0)  # retried here, by tenacity
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

    def __init__(self, settings: Settings, model: BaseChatModel | None = None, cache: ReplyCache | None = None) -> None:
        self.settings = settings
        self._model = model
        self.cache = cache or ReplyCache()
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

    def ask(self, schema: type[BaseModel], messages: list) -> BaseModel:
        """The model's reply as `schema`: from the cache when this exact request was answered before, else from
        the model, retried after network or server errors."""
        key = ReplyCache.key(self.settings, schema, messages)
        if (hit := self.cache.get(key)) is not None:
            try:
                return schema.model_validate(hit)
            except ValidationError:
                pass
        where = self.settings.llm_base_url or self.settings.llm_provider
        try:
            for attempt in Retrying(retry=retry_if_exception(is_network_error), stop=stop_after_attempt(self.settings.llm_retries + 1),
                                    wait=wait_exponential(multiplier=0.5, max=8), reraise=False):
                with attempt:
                    reply = structured(self.model, schema).invoke(messages)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise LLMUnavailable(f"the LLM at {where} did not answer after {self.settings.llm_retries + 1} tries "
                                 f"({type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else 'no detail'}); "
                                 "check that the server runs, or raise llm_timeout") from None
        except Exception as exc:
            if is_network_error(exc):
                raise LLMUnavailable(f"the LLM at {where} failed: {type(exc).__name__}") from None
            raise
        self.cache.put(key, reply.model_dump())
        return reply

    def messages(self, context: str, sentence: str) -> list:
        return self.extraction.format_messages(context=as_data(context), sentence=as_data(sentence))

    def sentence_claims(self, doc: Document, span: Span, context: str) -> list[ExtractedClaim]:
        sentence = doc.text[span.start:span.end]
        try:
            found = self.ask(LLMClaims, self.messages(context, sentence)).claims
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
        rewritten = self.ask(Rewritten, messages).claims
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
