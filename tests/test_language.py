"""The language check: English text passes, plainly foreign text is named, too-short text is not judged."""

import json
from pathlib import Path

import pytest

from pipeline.language import detect_language, not_english

ROOT = Path(__file__).resolve().parents[1]


def test_english_claims_are_never_flagged():
    claims = [json.loads(line)["claim"] for line in (ROOT / "eval/data/sample_claims.jsonl").read_text().splitlines()]
    claims += ["Trump met Putin in Alaska.", "Zelensky met Vance in Kyiv.", "N348I mutations cause resistance to zidovudine (AZT)."]
    assert [c for c in claims if not_english(c)] == []


@pytest.mark.parametrize(("text", "language"), [
    ("La banque centrale a relevé son taux directeur d'un quart de point mardi.", "fr"),
    ("Der Impfstoff ist sicher.", "de"),
    ("El presidente visitó Madrid el martes.", "es"),
    ("Центральный банк повысил ключевую ставку.", "ru"),
    ("中央银行周二宣布加息。", "zh"),
])
def test_other_languages_are_named(text, language):
    assert not_english(text) == language


def test_too_little_text_is_not_judged():
    assert detect_language("Merci.") is None
    assert detect_language("1,234 5.6%") is None
    guess = detect_language("The committee raised the target range by a quarter point.")
    assert guess is not None and guess.is_english and guess.language == "en"


def test_the_foreign_check_set_is_mostly_caught():
    rows = [json.loads(line) for line in (ROOT / "eval/data/language/foreign.jsonl").read_text(encoding="utf-8").splitlines()]
    caught = sum(not_english(row["text"]) is not None for row in rows)
    assert caught >= 0.9 * len(rows)
