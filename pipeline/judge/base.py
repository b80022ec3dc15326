"""The interface every judge implements: (premise, claim) pairs in, P(entailment, neutral, contradiction) out.

A judge only reads pairs. Which sentences it reads, and what its probabilities mean for a verdict, are the
judge stage's and the verdict rules' (`pipeline.models.VerdictRules`) business; a judge may bring rules
fitted for it in a calibration.json beside it, which `pipeline.aggregate.verdict_rules` reads.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

LABELS = ("entailment", "neutral", "contradiction")  # the columns of every judge's scores, in this order


def read_calibration(path: Path | None) -> dict:
    """A judge's calibration.json ({} when it has none): its softmax `temperature` and its fitted verdict `rules`."""
    return json.loads(path.read_text(encoding="utf-8")) if path is not None and path.is_file() else {}


class Judge(ABC):
    """Reads (premise, claim) pairs: the premise is the evidence as the reader meets it (title, date,
    context, sentence), the claim the hypothesis."""

    name: str  # recorded in every result's Versions as verifier_model
    version: str  # verifier_model_sha256: the weights' sha256, or a hash of what else fixes the judge's answers
    temperature: float | None = None  # what its logits are divided by before the softmax, when it has logits
    calibration: Path | None = None  # its calibration.json, when one was fitted for it

    @abstractmethod
    def score(self, premises: list[str], hypotheses: list[str], batch_size: int = 32) -> np.ndarray:
        """One row per pair, columns `LABELS`, each row summing to 1 (float32, shape (n, 3)); a pair's row
        must not depend on the other pairs scored with it. `batch_size` is a hint a judge may ignore."""
