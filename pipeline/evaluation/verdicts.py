"""Claim-level verdict metrics shared by every evaluation: accuracy, macro-F1, confusion, ECE."""

from __future__ import annotations

from pipeline.judge.metrics import expected_calibration_error
from pipeline.models import Verdict

VERDICTS = [v.value for v in Verdict]


def verdict_metrics(gold: list[str], pred: list[str], confidence: list[float]) -> dict:
    """Macro-F1 averages over the labels that occur in gold (a set without CONFLICTING is not
    scored on it); the confusion matrix has gold labels as rows, predictions as columns."""
    confusion = {g: {p: 0 for p in VERDICTS} for g in VERDICTS if g in gold}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] += 1
    f1s = []
    for label in confusion:
        tp = confusion[label][label]
        fp = sum(row[label] for g, row in confusion.items() if g != label)
        fn = sum(n for p, n in confusion[label].items() if p != label)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    correct = [g == p for g, p in zip(gold, pred, strict=True)]
    return {"n": len(gold), "accuracy": round(sum(correct) / len(gold), 4) if gold else 0.0,
            "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0, "confusion": confusion,
            "ece": round(expected_calibration_error(confidence, correct), 4)}
