"""Classification metrics and calibration error, shared by training logs and the dev table."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, f1_score


def classification_report(gold: Sequence[int], pred: Sequence[int]) -> dict:
    """Accuracy, per-label F1 and macro-F1 over the labels that occur in gold or pred (scikit-learn)."""
    labels = sorted(set(gold) | set(pred))
    f1s = f1_score(gold, pred, labels=labels, average=None) if labels else []
    return {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, pred)) if len(gold) else 0.0,
        "macro_f1": float(np.mean(f1s)) if labels else 0.0,
        "f1": {int(label): float(f1) for label, f1 in zip(labels, f1s, strict=True)},
    }


def reliability_bins(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> list[dict]:
    """Equal-width confidence bins that hold predictions: midpoint, mean confidence, accuracy, share."""
    conf, ok = np.asarray(confidence, dtype=float), np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    return [{"mid": (edges[b] + edges[b + 1]) / 2, "confidence": conf[which == b].mean(),
             "accuracy": ok[which == b].mean(), "share": (which == b).mean()}
            for b in range(bins) if (which == b).any()]


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """ECE with equal-width bins: mean |accuracy - confidence| weighted by bin size."""
    return float(sum(abs(b["accuracy"] - b["confidence"]) * b["share"] for b in reliability_bins(confidence, correct, bins)))
