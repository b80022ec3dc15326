"""Settings: defaults, overridden by a config file, then `CITETRAIL_*` env vars, then flags (pydantic-settings merges them).

Env var names are matched without regard to case, as pydantic-settings does (and Windows does anyway)."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict, TomlConfigSettingsSource

from pipeline.errors import InputError

CONFIG_FILE = "citetrail.toml"
_config_file: ContextVar[Path | None] = ContextVar("config_file", default=None)  # the file `load_settings` reads


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITETRAIL_", extra="forbid")

    store: Path = Field(Path(".citetrail"), description="folder of the Chroma store")
    collection: str = Field("citetrail", description="Chroma collection name")
    chroma_url: str | None = Field(None, description="a Chroma server (http://host:port) that holds the vectors instead of "
                                   "the embedded store; the store folder then keeps only the lock, BM25 cache and runs")
    embedding_precision: Literal["fp32", "int8"] | None = Field(None, description="the embedding model's precision; "
                                                                "default: an existing store's own, int8 for a new store")
    chunk_size: int = Field(600, ge=100, le=8000, description="target chunk length in characters")
    chunk_overlap: int = Field(1, ge=0, le=5, description="sentences repeated between neighbouring chunks")
    dense_k: int = Field(20, ge=1, description="chunks taken from the embedding search")
    lexical_k: int = Field(20, ge=1, description="chunks taken from BM25")
    top_k: int = Field(5, ge=1, le=100, description="fused chunks whose sentences are judged")
    window: int = Field(1, ge=1, le=3, description="also judge runs of this many neighbouring sentences (1: sentences only)")
    min_shared_words: int = Field(0, ge=0, le=10, description="judge only sentences sharing at least this many content "
                                  "words with the claim (0: every sentence of the retrieved chunks)")
    verifier: str = Field("shipped", description="the judge: 'shipped', 'llm' (the chat model of the llm_* settings), "
                          "or a Hugging Face NLI cross-encoder name or path")
    verifier_labels: dict[str, Literal["entailment", "neutral", "contradiction"]] | None = Field(
        None, description="the verifier's label names mapped to ours, for a model that names them otherwise "
        "(JSON in the environment); a two-way model's missing label gets probability 0")
    support_threshold: float | None = Field(None, ge=0, le=1, description="P(entailment) that counts as support; "
                                            "default: the value fitted for the verifier (calibration.json), else 0.5")
    refute_threshold: float | None = Field(None, ge=0, le=1, description="P(contradiction) that counts as refutation; "
                                           "default as for support_threshold")
    conflict_threshold: float | None = Field(None, ge=0, le=1, description="both sides at least this strong, from "
                                             "different documents, make CONFLICTING; default as for support_threshold")
    support_coverage: float | None = Field(None, ge=0, le=1, description="share of the claim's content words a sentence "
                                           "must contain to support it; default as for support_threshold")
    relevance_coverage: float | None = Field(None, ge=0, le=1, description="share of the claim's content words a sentence "
                                             "must contain to be read at all; default as for support_threshold")
    max_citations: int = Field(3, ge=1, description="citations kept per stance")
    max_claim_chars: int = Field(1000, ge=10, description="longest claim accepted")
    max_document_bytes: int = Field(20_000_000, ge=1, description="largest file ingested")
    max_chunks_per_document: int = Field(10_000, ge=1, description="most chunks one document may make (about 6 MB "
                                         "of prose at the default chunk size); more is refused before the store is touched")
    lock_timeout: float = Field(10.0, ge=0, le=86_400, description="seconds to wait while another citetrail process uses the store")
    batch_size: int = Field(32, ge=1, description="pairs per batch for a PyTorch (Hugging Face) verifier; the shipped "
                            "ONNX verifier scores each pair alone, so its results never depend on the batch")
    extractor: Literal["rules", "llm"] = Field("rules", description="claim extraction back-end: spaCy rules or an LLM")
    llm_provider: Literal["llamacpp", "ollama", "openai"] = Field("llamacpp", description="chat model behind the llm "
                                                                  "extractor and the llm verifier")
    llm_model: str | None = Field(None, description="GGUF path (llamacpp; default: the bundled Qwen2.5-Coder-1.5B) or model name")
    llm_base_url: str | None = Field(None, description="server URL for ollama / OpenAI-compatible providers")
    llm_timeout: float = Field(120.0, gt=0, le=3600, description="seconds to wait for one reply from an LLM server")
    llm_retries: int = Field(2, ge=0, le=10, description="retries of an LLM call after a network or server error")

    @field_validator("*", mode="before")
    @classmethod
    def _no_flags(cls, value: Any) -> Any:
        """No setting is a flag: a TOML `true` is refused, not read as 1."""
        if isinstance(value, bool):
            raise PydanticCustomError("flag", "a true/false value where a number or text is expected")
        return value

    @field_validator("verifier_labels", mode="before")
    @classmethod
    def _json_labels(cls, value: Any) -> Any:
        """From an environment variable the mapping is JSON text."""
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError('must be a JSON object, e.g. {"supported": "entailment", "unsupported": "neutral"}') from None
        return value

    @field_validator("store", "verifier", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """A NUL cannot be in a path; refused here, it would surface as a crash when the path is used."""
        if "\x00" in str(value):
            raise ValueError("a path cannot contain a NUL character")
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
        """Flags (init values) over `CITETRAIL_*` env vars over the config file over the defaults."""
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, _config_file.get())


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Merge defaults, the config file, env vars and explicit overrides (None means 'not given')."""
    path = config or Path(os.environ.get("CITETRAIL_CONFIG", CONFIG_FILE))
    if config is not None and not path.is_file():
        raise InputError(f"config file not found: {path}")
    token = _config_file.set(path if path.is_file() else None)
    try:
        return validated(lambda: Settings(**{k: v for k, v in overrides.items() if v is not None}), path)
    finally:
        _config_file.reset(token)


def override(settings: Settings, **changes: Any) -> Settings:
    """The settings with some values replaced (None means 'not given'), checked like any others. Every value is
    given, so no env var or config file is read again."""
    return validated(lambda: Settings(**{**settings.model_dump(), **{k: v for k, v in changes.items() if v is not None}}))


def validated(make: Callable[[], Settings], path: Path | None = None) -> Settings:
    """The settings `make` builds, or one InputError naming the unknown settings or the first bad one."""
    try:
        return make()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"config file {path} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        errors = exc.errors()
        if unknown := sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden"):
            raise InputError(f"unknown setting(s): {', '.join(unknown)}") from None
        raise InputError(f"bad setting {'.'.join(map(str, errors[0]['loc']))}: {errors[0]['msg']}") from None
