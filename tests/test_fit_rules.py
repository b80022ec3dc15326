"""The verdict rules' search (`eval.fit_rules.search_rules`) on a made-up objective with a known optimum."""

import pytest

from eval.fit_rules import search_rules
from pipeline.models import VerdictRules

GRID = {"support": (0.4, 0.5, 0.6, 0.7), "refute": (0.35, 0.45, 0.55)}


def score(rules: VerdictRules) -> tuple[float, dict]:
    """Two sets: "a" peaks at support 0.6, "b" falls with refute; both are flat in `support_names`."""
    a = 1 - abs(rules.support - 0.6)
    b = 1 - rules.refute / 2
    return (a + b) / 2, {"a": round(a, 4), "b": round(b, 4)}


@pytest.mark.parametrize("search", ["coordinate", "grid"])
def test_the_search_finds_the_best_allowed_rules(search):
    base = VerdictRules(support=0.4, refute=0.55)
    rules, per_set = search_rules(base, GRID, score, lambda r: r.refute != 0.35, search)
    assert (rules.support, rules.refute) == (0.6, 0.45)  # 0.35 scores higher but is not allowed
    assert per_set == {"a": 1.0, "b": 0.775}


@pytest.mark.parametrize("search", ["coordinate", "grid"])
def test_a_tie_keeps_the_base_value_and_no_set_may_fall_below_the_base(search):
    base = VerdictRules(support=0.7, support_names=0.5)
    # a lower support scores higher on the mean and on "a", but lowers "b" below the base's score
    rules, _ = search_rules(base, {"support": GRID["support"], "support_names": (0.0, 0.5, 1.0)},
                            lambda r: (1 - r.support, {"a": 2 - 2 * r.support, "b": 1 - abs(r.support - 0.7)}),
                            lambda r: True, search)
    assert (rules.support, rules.support_names) == (0.7, 0.5)


def test_nothing_allowed_gives_no_scores():
    assert search_rules(VerdictRules(), GRID, score, lambda r: False)[1] == {}
