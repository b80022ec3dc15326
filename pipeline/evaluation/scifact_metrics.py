"""The official SciFact metrics (allenai/scifact doc/evaluation.md) as pure functions over the raw JSON rows.

Gold claims are rows of claims_*.jsonl: ``{"id", "evidence": {doc_id: [{"sentences": [...], "label"}]}, ...}``.
Predictions use the official submission format: ``{"id", "evidence": {doc_id: {"label", "sentences": [...]}}}``.
Doc ids are compared as strings (JSON object keys are strings anyway; int keys are converted).

The rules are matched line by line against the leaderboard scorer, allenai/scifact-evaluator evaluator/eval.py
(which implements the same rules as allenai/scifact verisci/evaluate/lib/metrics.py):

- abstract level: only the FIRST 3 predicted sentences, in the order given, are used for the rationale check,
  since abstract-level scoring does not otherwise penalise over-predicting; every predicted abstract counts as
  retrieved, including one with no sentences; recall's denominator is the number of gold (claim, abstract) pairs.
- sentence level: ALL predicted sentences count (over-prediction is penalised by precision). Precision's
  denominator is ``len(sentences)`` as given, duplicates included, while correctness is judged on the set.
- a zero denominator gives 0.0 (upstream's ``safe_divide``), never an exception.
- a predicted label other than SUPPORT / CONTRADICT raises, as upstream; so does a gold abstract whose evidence
  sets carry conflicting labels. Callers holding SUPPORTED / REFUTED must map them back first.

One deliberate difference: upstream demands one prediction row per gold claim, in gold order. Here predictions
are matched by claim id, and a gold claim with no row counts as predicting nothing (its gold abstracts and
sentences still count toward recall), which equals upstream whenever every claim has a row. A prediction for a
claim id not in the gold data, or two rows for one id, raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

LABELS = ("SUPPORT", "CONTRADICT")
MAX_ABSTRACT_SENTS = 3  # abstract-level rationale check reads only this many predicted sentences

Row = Mapping[str, Any]


class _GoldAbstract(NamedTuple):
    label: str
    rationales: list[list[int]]  # evidence sets, as given (lists, so duplicate indices count like upstream)


def _div(num: float, denom: float) -> float:
    return num / denom if denom else 0.0


def _prf(correct: int, retrieved: int, relevant: int, prefix: str) -> dict[str, float]:
    precision, recall = _div(correct, retrieved), _div(correct, relevant)
    return {
        f"{prefix}_precision": precision,
        f"{prefix}_recall": recall,
        f"{prefix}_f1": _div(2 * precision * recall, precision + recall),
    }


def _gold_evidence(claim: Row) -> dict[str, _GoldAbstract]:
    """Put the label at the abstract level, as upstream does: SciFact gives one label per (claim, abstract)."""
    out = {}
    for doc_id, sets in claim["evidence"].items():
        labels = {s["label"] for s in sets}
        if len(labels) != 1:
            raise ValueError(f"claim {claim['id']} abstract {doc_id}: expected one gold label, got {sorted(labels)}")
        out[str(doc_id)] = _GoldAbstract(labels.pop(), [list(s["sentences"]) for s in sets])
    return out


def _paired(gold_claims: Iterable[Row], predictions: Iterable[Row]) -> list[tuple[dict[str, _GoldAbstract], dict[str, Row]]]:
    """(gold evidence, predicted evidence) per gold claim, both keyed by string doc id; validates the predictions."""
    by_id: dict[Any, Row] = {}
    for pred in predictions:
        if pred["id"] in by_id:
            raise ValueError(f"two predictions for claim {pred['id']}")
        by_id[pred["id"]] = pred
    golds = list(gold_claims)
    unknown = by_id.keys() - {g["id"] for g in golds}
    if unknown:
        raise ValueError(f"predictions for claims not in the gold data: {sorted(unknown, key=str)}")
    out = []
    for gold in golds:
        pred_ev = {str(k): v for k, v in by_id.get(gold["id"], {}).get("evidence", {}).items()}
        for doc_id, doc_pred in pred_ev.items():
            if doc_pred["label"] not in LABELS:
                raise ValueError(f"claim {gold['id']} abstract {doc_id}: label {doc_pred['label']!r} not in {LABELS}")
        out.append((_gold_evidence(gold), pred_ev))
    return out


def abstract_level(gold_claims: Iterable[Row], predictions: Iterable[Row]) -> dict[str, float]:
    """Abstract-level Label-only and Label+Rationale precision / recall / F1.

    A predicted (claim, abstract) is correct for Label-only when the abstract is a gold evidence abstract and its
    label matches; for Label+Rationale the first 3 predicted sentences must also contain a whole gold evidence set.
    Keys: abstract_label_only_{precision,recall,f1}, abstract_rationalized_{precision,recall,f1}.
    """
    relevant = retrieved = label_only = rationalized = 0
    for gold, pred in _paired(gold_claims, predictions):
        relevant += len(gold)
        for doc_id, doc_pred in pred.items():
            retrieved += 1
            g = gold.get(doc_id)
            if g is None or doc_pred["label"] != g.label:
                continue
            label_only += 1
            first = set(doc_pred["sentences"][:MAX_ABSTRACT_SENTS])
            rationalized += any(set(s) <= first for s in g.rationales)
    return _prf(label_only, retrieved, relevant, "abstract_label_only") | _prf(
        rationalized, retrieved, relevant, "abstract_rationalized"
    )


def sentence_level(gold_claims: Iterable[Row], predictions: Iterable[Row]) -> dict[str, float]:
    """Sentence-level Selection-only and Selection+Label precision / recall / F1.

    A predicted sentence is correct when its abstract is a gold evidence abstract and it belongs to a gold evidence
    set all of whose sentences were predicted; for Selection+Label the abstract's predicted label must also match.
    Precision's denominator is every predicted sentence, recall's every gold evidence sentence.
    Keys: sentence_selection_{precision,recall,f1}, sentence_label_{precision,recall,f1}.
    """
    relevant = retrieved = selection = labelled = 0
    for gold, pred in _paired(gold_claims, predictions):
        relevant += sum(len(s) for g in gold.values() for s in g.rationales)
        for doc_id, doc_pred in pred.items():
            retrieved += len(doc_pred["sentences"])
            g = gold.get(doc_id)
            if g is None:
                continue
            predicted = set(doc_pred["sentences"])
            # Upstream asserts a sentence is in at most one gold set; `any` agrees with it whenever that holds.
            n_correct = sum(any(ix in s and set(s) <= predicted for s in g.rationales) for ix in predicted)
            selection += n_correct
            labelled += n_correct if doc_pred["label"] == g.label else 0
    return _prf(selection, retrieved, relevant, "sentence_selection") | _prf(labelled, retrieved, relevant, "sentence_label")
