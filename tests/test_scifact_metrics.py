"""SciFact official metrics on hand-made cases; every expected number is worked out by hand in the comments."""

from __future__ import annotations

import pytest

from pipeline.evaluation.scifact_metrics import abstract_level, sentence_level


def gold(cid: int, evidence: dict[str, list[tuple[list[int], str]]]) -> dict:
    return {
        "id": cid,
        "claim": f"claim {cid}",
        "cited_doc_ids": [int(d) for d in evidence],
        "evidence": {d: [{"sentences": s, "label": lab} for s, lab in sets] for d, sets in evidence.items()},
    }


def pred(cid: int, evidence: dict[str, tuple[str, list[int]]]) -> dict:
    return {"id": cid, "evidence": {d: {"label": lab, "sentences": s} for d, (lab, s) in evidence.items()}}


def prf(metrics: dict[str, float], prefix: str) -> tuple[float, float, float]:
    return metrics[f"{prefix}_precision"], metrics[f"{prefix}_recall"], metrics[f"{prefix}_f1"]


def both(golds: list[dict], preds: list[dict]) -> dict[str, float]:
    return abstract_level(golds, preds) | sentence_level(golds, preds)


ALL = ("abstract_label_only", "abstract_rationalized", "sentence_selection", "sentence_label")
S, C = "SUPPORT", "CONTRADICT"


def test_keys():
    m = both([gold(1, {})], [])
    assert set(abstract_level([gold(1, {})], [])) == {f"{p}_{k}" for p in ALL[:2] for k in ("precision", "recall", "f1")}
    assert set(sentence_level([gold(1, {})], [])) == {f"{p}_{k}" for p in ALL[2:] for k in ("precision", "recall", "f1")}
    assert all(isinstance(v, float) for v in m.values())


def test_perfect_prediction_scores_one():
    golds = [gold(1, {"10": [([2, 5], S), ([7], S)]}), gold(2, {"20": [([0], C)], "21": [([3], C)]}), gold(3, {})]
    preds = [pred(1, {"10": (S, [2, 5, 7])}), pred(2, {"20": (C, [0]), "21": (C, [3])}), pred(3, {})]
    m = both(golds, preds)
    for p in ALL:
        assert prf(m, p) == (1.0, 1.0, 1.0), p


def test_official_worked_example():
    # doc/evaluation.md: gold 11 = {[0,1],[11]} SUPPORT, 15 = {[4]} SUPPORT; predicted 11 = [1,11,13] SUPPORT, 16 = [18,20].
    golds = [gold(52, {"11": [([0, 1], S), ([11], S)], "15": [([4], S)]})]
    preds = [pred(52, {"11": (S, [1, 11, 13]), "16": (C, [18, 20])})]
    m = both(golds, preds)
    # abstracts: 11 correct, 16 not gold -> 1/2 predicted, 1/2 gold.
    assert prf(m, "abstract_label_only") == (0.5, 0.5, 0.5)
    assert prf(m, "abstract_rationalized") == (0.5, 0.5, 0.5)
    # sentences: only 11 is credited (1 lacks 0); 5 predicted, 4 gold -> P 1/5, R 1/4, F1 2/9.
    for p in ALL[2:]:
        assert prf(m, p) == pytest.approx((1 / 5, 1 / 4, 2 / 9))


def test_wrong_label():
    golds = [gold(1, {"10": [([2], S)]})]
    m = both(golds, [pred(1, {"10": (C, [2])})])
    assert prf(m, "abstract_label_only") == (0.0, 0.0, 0.0)
    assert prf(m, "abstract_rationalized") == (0.0, 0.0, 0.0)
    assert prf(m, "sentence_selection") == (1.0, 1.0, 1.0)  # selection ignores the label
    assert prf(m, "sentence_label") == (0.0, 0.0, 0.0)


def test_missing_one_sentence_of_a_two_sentence_set():
    golds = [gold(1, {"10": [([0, 1], S)]})]
    m = both(golds, [pred(1, {"10": (S, [0])})])
    assert prf(m, "abstract_label_only") == (1.0, 1.0, 1.0)
    assert prf(m, "abstract_rationalized") == (0.0, 0.0, 0.0)
    # sentence 0 gets no credit without 1: 0 correct of 1 predicted, 2 gold.
    assert prf(m, "sentence_selection") == (0.0, 0.0, 0.0)


def test_other_whole_set_still_rationalizes():
    golds = [gold(1, {"10": [([0, 1], S), ([5], S)]})]
    m = both(golds, [pred(1, {"10": (S, [0, 5])})])
    assert prf(m, "abstract_rationalized") == (1.0, 1.0, 1.0)
    # only 5 credited: P 1/2, R 1/3, F1 = 2*(1/6)/(5/6) = 0.4.
    assert prf(m, "sentence_label") == pytest.approx((0.5, 1 / 3, 0.4))


def test_extra_sentences_abstract_reads_only_first_three():
    golds = [gold(1, {"10": [([3], S)]})]
    late = both(golds, [pred(1, {"10": (S, [0, 1, 2, 3])})])
    early = both(golds, [pred(1, {"10": (S, [3, 0, 1, 2])})])
    assert prf(late, "abstract_label_only") == prf(early, "abstract_label_only") == (1.0, 1.0, 1.0)
    assert prf(late, "abstract_rationalized") == (0.0, 0.0, 0.0)  # 3 is the 4th sentence: cut off
    assert prf(early, "abstract_rationalized") == (1.0, 1.0, 1.0)
    # sentence level counts all 4 whatever the order: P 1/4, R 1, F1 = 0.5/1.25 = 0.4.
    for m in (late, early):
        assert prf(m, "sentence_label") == pytest.approx((0.25, 1.0, 0.4))


def test_duplicate_sentences_count_in_precision_like_upstream():
    m = sentence_level([gold(1, {"10": [([3], S)]})], [pred(1, {"10": (S, [3, 3])})])
    assert prf(m, "sentence_label") == pytest.approx((0.5, 1.0, 2 / 3))


def test_prediction_on_non_evidence_abstract():
    golds = [gold(1, {"10": [([0], S)]}), gold(2, {})]
    preds = [pred(1, {"10": (S, [0]), "99": (S, [0])}), pred(2, {"50": (C, [1, 2])})]
    m = both(golds, preds)
    # abstracts: 3 predicted, 1 correct, 1 gold -> P 1/3, R 1, F1 = (2/3)/(4/3) = 0.5.
    assert prf(m, "abstract_rationalized") == pytest.approx((1 / 3, 1.0, 0.5))
    # sentences: 1 + 1 + 2 = 4 predicted, 1 correct, 1 gold -> P 1/4, R 1, F1 0.4.
    assert prf(m, "sentence_label") == pytest.approx((0.25, 1.0, 0.4))


def test_missing_prediction_row_counts_against_recall():
    golds = [gold(1, {"10": [([0], S)]}), gold(2, {"20": [([1, 2], C)]})]
    m = both(golds, [pred(1, {"10": (S, [0])})])
    # 1 of 2 gold abstracts, 1 of 3 gold sentences; precision stays 1.
    assert prf(m, "abstract_rationalized") == pytest.approx((1.0, 0.5, 2 / 3))
    assert prf(m, "sentence_label") == pytest.approx((1.0, 1 / 3, 0.5))


@pytest.mark.parametrize("golds", [[], [gold(1, {})], [gold(1, {"10": [([0], S)]})]])
@pytest.mark.parametrize("empty", [[], [pred(1, {})]])
def test_empty_predictions_give_zeros(golds, empty):
    preds = empty if golds else []
    assert set(both(golds, preds).values()) == {0.0}


def test_int_doc_ids_are_read_as_strings():
    golds = [gold(1, {"10": [([0], S)]})]
    m = both(golds, [{"id": 1, "evidence": {10: {"label": S, "sentences": [0]}}}])
    assert set(m.values()) == {1.0}


@pytest.mark.parametrize(
    "preds",
    [
        [pred(7, {})],  # unknown claim
        [pred(1, {}), pred(1, {})],  # duplicate row
        [pred(1, {"10": ("SUPPORTED", [0])})],  # not an official label
        [pred(1, {"10": ("NOT_ENOUGH_INFO", [])})],
    ],
)
def test_invalid_predictions_raise(preds):
    with pytest.raises(ValueError):
        abstract_level([gold(1, {"10": [([0], S)]})], preds)


def test_conflicting_gold_labels_raise():
    with pytest.raises(ValueError):
        sentence_level([gold(1, {"10": [([0], S), ([1], C)]})], [])
