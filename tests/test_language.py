"""The language check: English text passes, plainly foreign text is named, too-short text is not judged."""

import json
from pathlib import Path

import pytest

from pipeline.language import detect_language, not_english
from pipeline.models import Stance, Verdict
from tests.conftest import citetrail

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


FRENCH_ARTICLE = """# La banque centrale relève son taux

La banque centrale a relevé mardi son taux directeur d'un quart de point, pour le porter à 4,5 %. Le comité a expliqué
que l'inflation restait trop élevée et que le marché du travail demeurait solide.
"""


def test_ingest_warns_about_a_document_in_another_language_and_still_stores_it(tmp_path, corpus_copy):
    (corpus_copy / "banque.md").write_text(FRENCH_ARTICLE, encoding="utf-8")
    result = citetrail("ingest", str(corpus_copy), "--store", str(tmp_path / "store"))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "'banque'" in warnings[0] and "'fr'" in warnings[0]
    assert "3 added" in result.stdout


def test_a_claim_in_another_language_carries_a_warning_and_its_sentences_the_language(sample_verifier):
    english, french = sample_verifier.check_many(["Russia invaded Ukraine in February 2014.",
                                                  "La Russie a envahi l'Ukraine en février 2014."], trail=True)
    assert english.verdict == Verdict.REFUTED and english.warnings == []
    assert all(j.language is None for j in english.trail.judgements)
    assert french.verdict != Verdict.REFUTED
    assert len(french.warnings) == 1 and "'fr'" in french.warnings[0] and "never REFUTED" in french.warnings[0]
    assert french.trail.judgements and all(j.language == "fr" for j in french.trail.judgements)


def test_a_sentence_read_as_contradiction_refutes_only_in_english(sample_verifier):
    """The rule itself: the same relevant, contradicting, value-mismatched sentence, with and without a language."""
    result = sample_verifier.check("Russia invaded Ukraine in February 2014.", trail=True)
    refuting = next(j for j in result.trail.judgements if j.stance == Stance.REFUTES)
    rules = sample_verifier.rules()
    assert rules.stance(refuting) == Stance.REFUTES
    assert rules.stance(refuting.model_copy(update={"language": "de"})) == Stance.NEUTRAL


def test_a_document_in_another_language_is_named_in_the_results_citing_it(tmp_path, corpus_copy):
    (corpus_copy / "banque.md").write_text(FRENCH_ARTICLE, encoding="utf-8")
    from pipeline.api import Verifier

    verifier = Verifier.open(tmp_path / "store", create=True)
    verifier.ingest([corpus_copy])
    result = verifier.check("La banque centrale a relevé mardi son taux directeur d'un demi-point.", trail=True)
    french = [j for j in result.trail.judgements if j.doc_id == "banque"]
    assert french and all(j.language == "fr" and j.stance != Stance.REFUTES for j in french)
    assert any("document 'banque'" in w for w in result.warnings)
