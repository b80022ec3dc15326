"""Classification metrics and calibration error, shared by training logs and the dev table."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def classification_report(gold: Sequence[int], pred: Sequence[int], n_labels: int = 3) -> dict:
    """Accuracy, per-label F1 and macro-F1 over the labels that occur in gold or pred."""
    gold_a, pred_a = np.asarray(gold), np.asarray(pred)
    f1s = {}
    for label in range(n_labels):
        tp = int(((pred_a == label) & (gold_a == label)).sum())
        fp = int(((pred_a == label) & (gold_a != label)).sum())
        fn = int(((pred_a != label) & (gold_a == label)).sum())
        if tp + fp + fn:
            f1s[label] = 2 * tp / (2 * tp + fp + fn)
    return {
        "n": len(gold_a),
        "accuracy": float((gold_a == pred_a).mean()) if len(gold_a) else 0.0,
        "macro_f1": float(np.mean(list(f1s.values()))) if f1s else 0.0,
        "f1": f1s,
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
