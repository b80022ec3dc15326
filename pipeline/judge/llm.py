"""The LLM judge (`verifier = "llm"`): a LangChain chat model reads each (evidence, claim) pair with
prompts/judge.toml and answers SUPPORTED, REFUTED or NOT_ENOUGH_INFO, forced into `JudgeReply`.

The model is the one the `llm_*` settings name (the bundled llama.cpp model, Ollama, or any OpenAI-compatible
server), asked through `pipeline.llm.StructuredChat`: replies cached on disk, `llm_timeout` and `llm_retries`
for a server, an unreachable server a one-line error (exit 1).

An answer is a label, not a probability: SUPPORTED is P(entailment) = 1, REFUTED P(contradiction) = 1,
NOT_ENOUGH_INFO P(neutral) = 1 (an LLM's stated confidence is not calibrated, so none is asked for). A reply
that does not parse reads as NOT_ENOUGH_INFO: that sentence takes no stance. The judge has no calibration.json,
so `VerdictRules`' defaults apply, with any the settings give; a verdict's confidence is then 1 whenever one
side is unopposed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

import numpy as np
from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ValidationError

from pipeline.config import Settings
from pipeline.judge.base import Judge
from pipeline.llm import ReplyCache, StructuredChat, as_data, load_prompt, prompt_text

PROMPT = "judge"
PROBABILITIES = {"SUPPORTED": (1.0, 0.0, 0.0), "NOT_ENOUGH_INFO": (0.0, 1.0, 0.0), "REFUTED": (0.0, 0.0, 1.0)}


class JudgeReply(BaseModel):
    """What the judge prompt's answer is forced into (eval/bench.py's baseline uses it too)."""

    verdict: Literal["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]


def model_identity(settings: Settings) -> str:
    """What names the model: the bundled GGUF's sha256, a GGUF file's name and size, or a server's model name and URL."""
    if settings.llm_provider != "llamacpp":
        return f"{settings.llm_model}@{settings.llm_base_url or 'default'}"
    if not settings.llm_model:
        from pipeline.llm.llamacpp import GGUF_SHA256

        return GGUF_SHA256
    path = Path(settings.llm_model)
    return f"{path.name}:{path.stat().st_size if path.is_file() else 'missing'}"


class LLMJudge(Judge):
    """Each pair one request (cached: a pair already judged by this model and prompt is never sent again).
    `model` and `cache` replace the settings' own (tests)."""

    def __init__(self, settings: Settings, model: BaseChatModel | None = None, cache: ReplyCache | None = None) -> None:
        self.chat = StructuredChat(settings, model, cache)
        self.prompt = load_prompt(PROMPT)
        identity = model_identity(settings)
        self.name = f"llm:{settings.llm_provider}:{settings.llm_model or 'bundled'}"
        self.version = hashlib.sha256(json.dumps({"model": identity, "prompt": prompt_text(PROMPT),
                                                  "reply": JudgeReply.model_json_schema()}, sort_keys=True).encode()).hexdigest()

    def messages(self, premise: str, claim: str) -> list:
        return self.prompt.format_messages(claim=as_data(claim), passages=f"[1] {as_data(premise)}")

    def verdict(self, premise: str, claim: str) -> str:
        try:
            return self.chat.ask(JudgeReply, self.messages(premise, claim)).verdict
        except (ValidationError, ValueError):
            return "NOT_ENOUGH_INFO"

    def score(self, premises: list[str], hypotheses: list[str], batch_size: int = 32) -> np.ndarray:
        """One request per pair, in order (a local model runs one at a time; a server's replies come from the cache
        when asked again). `batch_size` is not used."""
        rows = [PROBABILITIES[self.verdict(p, h)] for p, h in zip(premises, hypotheses, strict=True)]
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), 3)
