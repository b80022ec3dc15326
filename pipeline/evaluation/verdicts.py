"""Claim-level verdict metrics shared by every evaluation: accuracy, macro-F1, confusion, ECE (scikit-learn counts)."""

from __future__ import annotations

from sklearn.metrics import confusion_matrix, f1_score

from pipeline.judge.metrics import expected_calibration_error
from pipeline.models import Verdict

VERDICTS = [v.value for v in Verdict]


def verdict_metrics(gold: list[str], pred: list[str], confidence: list[float]) -> dict:
    """Macro-F1 averages over the labels that occur in gold (a set without CONFLICTING is not
    scored on it); the confusion matrix has gold labels as rows, predictions as columns."""
    present = [v for v in VERDICTS if v in gold]
    counts = confusion_matrix(gold, pred, labels=VERDICTS) if gold else []
    confusion = {g: dict(zip(VERDICTS, map(int, counts[VERDICTS.index(g)]), strict=True)) for g in present}
    correct = [g == p for g, p in zip(gold, pred, strict=True)]
    return {"n": len(gold), "accuracy": round(sum(correct) / len(gold), 4) if gold else 0.0,
            "macro_f1": round(float(f1_score(gold, pred, labels=present, average="macro")), 4) if present else 0.0,
            "confusion": confusion, "ece": round(expected_calibration_error(confidence, correct), 4)}
