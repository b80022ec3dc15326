"""The judges: the `Judge` interface (`base.py`), cross-encoder NLI models (`model.py`: the shipped int8 verifier
and any Hugging Face NLI model) and an LLM (`llm.py`); `load_judge` picks one by the `verifier` setting."""

from __future__ import annotations

from functools import cache

from pipeline.config import Settings
from pipeline.judge.base import LABELS, Judge

__all__ = ["LABELS", "Judge", "load_judge"]


@cache
def _nli_judge(spec: str, labels: tuple[tuple[str, str], ...]) -> Judge:
    """One model per process, however many verifiers open it."""
    from pipeline.judge.model import nli_judge

    return nli_judge(spec, dict(labels) if labels else None)


def load_judge(settings: Settings) -> Judge:
    """`verifier`: 'shipped' (the default), 'llm' (the chat model of the `llm_*` settings), or a Hugging Face NLI
    model's name or path, its labels read from its config or mapped by `verifier_labels`."""
    if settings.verifier == "llm":
        from pipeline.judge.llm import LLMJudge

        return LLMJudge(settings)
    return _nli_judge(settings.verifier, tuple(sorted((settings.verifier_labels or {}).items())))
