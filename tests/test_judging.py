"""Judging as users meet it (`../shared/cases/judging/`, `ingest/` wrapped and long-sentence cases): relevance
before stance, values compared as values, evidence read in context, long sentences read whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import Verifier
from pipeline.models import Stance, Verdict
from tests.conftest import SHARED

CASES = SHARED / "cases"


@pytest.fixture(scope="module")
def cases_verifier(tmp_path_factory) -> Verifier:
    """A store of the judging cases' documents and the long-sentence case (not the claim list)."""
    folder = tmp_path_factory.mktemp("cases")
    for name in ("judging/acme-plants.txt", "judging/15-numbers.txt", "judging/14-clinic.txt",
                 "ingest/12-dense-long-sentence.txt", "ingest/12-long-sentence-under-limit.txt"):
        shutil.copy(CASES / name, folder / Path(name).name)
    verifier = Verifier.open(tmp_path_factory.mktemp("store") / ".citetrail", create=True)
    verifier.ingest([folder])
    return verifier


def test_a_record_beside_sibling_records_is_supported_by_its_own_sentence(cases_verifier):
    """The other plants' sentences name another plant: they are not about the York plant, so they refute nothing."""
    result = cases_verifier.check("The York plant employs 945 people.", trail=True)
    assert result.verdict == Verdict.SUPPORTED
    assert result.citations[0].quote == "The York plant employs 945 people."
    leeds = next(j for j in result.trail.judgements if "Leeds" in j.quote)
    assert not leeds.relevant and leeds.stance == Stance.NEUTRAL and leeds.probabilities is None


@pytest.mark.parametrize(("claim", "verdict", "compared"), [
    ("The factory employs twelve hundred workers.", Verdict.SUPPORTED, ("twelve hundred", "1,200", True)),
    ("The bridge is 15 miles long.", Verdict.REFUTED, ("15 miles", "15 kilometres", False)),
    ("The company said its sales reached 7.1 bn dollars last year.", Verdict.SUPPORTED, None),
])
def test_numbers_and_units_are_compared_as_values(cases_verifier, claim, verdict, compared):
    result = cases_verifier.check(claim)
    assert result.verdict == verdict
    if compared:
        q = result.citations[0].quantities[0]
        assert (q.claim, q.evidence, q.agrees) == compared
    if verdict == Verdict.REFUTED:
        assert result.rule_id == "quantity_mismatch"


def test_a_denial_is_not_read_as_an_admission(cases_verifier):
    admitted = cases_verifier.check("The company admitted that it had hidden side effects from regulators.")
    assert admitted.verdict in (Verdict.REFUTED, Verdict.NOT_ENOUGH_INFO)
    liver = cases_verifier.check("Doctors found that the drug damages the liver.")
    assert liver.verdict == Verdict.REFUTED


def test_a_wrong_duration_refutes(cases_verifier):
    result = cases_verifier.check("The patients who received the new drug showed no improvement in blood pressure "
                                  "after six months.")
    assert result.verdict == Verdict.REFUTED
    assert any(not q.agrees and q.claim == "six months" for c in result.citations for q in c.quantities)


@pytest.mark.parametrize(("percent", "verdict"), [("9", Verdict.SUPPORTED), ("25", Verdict.REFUTED)])
def test_a_sentence_longer_than_the_verifier_reads_is_judged_whole(cases_verifier, percent, verdict):
    """The figure sits at the end of a 150-word sentence: it is read in overlapping windows, not cut off."""
    result = cases_verifier.check(f"The price of drinking water for households will rise by {percent} percent from July.",
                                  trail=True)
    assert result.verdict == verdict
    long = [j for j in result.trail.judgements if len(j.quote.split()) > 120]
    assert long and all(j.windows > 1 for j in long if j.probabilities)


def test_claims_about_things_the_corpus_never_mentions_are_never_refuted(sample_verifier):
    claims = (CASES / "judging" / "offtopic-claims.txt").read_text(encoding="utf-8").splitlines()
    results = sample_verifier.check_many([c for c in claims if c.strip()])
    refuted = [r.claim.text for r in results if r.verdict == Verdict.REFUTED]
    assert refuted == []
    assert sum(r.verdict == Verdict.NOT_ENOUGH_INFO for r in results) == len(results)


def test_hard_wrapped_text_gives_the_sentences_and_verdict_of_unwrapped_text(tmp_path):
    verdicts, quotes = [], []
    for name in ("11-wrapped.txt", "11-unwrapped.txt"):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(CASES / "ingest" / name, folder / "budget.txt")
        verifier = Verifier.open(tmp_path / f"{name}.store", create=True)
        verifier.ingest([folder])
        result = verifier.check("The mayor said she would not veto the budget.")
        verdicts.append(result.verdict)
        quotes.append(" ".join(result.citations[0].quote.split()))
    assert verdicts[0] == verdicts[1] == Verdict.SUPPORTED
    assert quotes[0] == quotes[1] == "The mayor, who had opposed the cuts, said she would not veto the budget."


@pytest.fixture(scope="module")
def fomc_2002(tmp_path_factory) -> Verifier:
    """The Fed's eight statements of 2002 (`../shared/news/fomc_statements`, public domain): most open with the
    same sentence, "decided today to keep its target ... unchanged at 1 3/4 percent"."""
    import gzip
    import json

    folder = tmp_path_factory.mktemp("fomc")
    with gzip.open(SHARED / "news/fomc_statements/articles.jsonl.gz", "rt") as f:
        rows = [r for r in map(json.loads, f) if r["published"].startswith("2002")]
    (folder / "fomc-2002.jsonl").write_text("".join(json.dumps(
        {k: r[k] for k in ("id", "title", "text", "published")}) + "\n" for r in rows))
    verifier = Verifier.open(tmp_path_factory.mktemp("store") / ".citetrail", create=True)
    verifier.ingest([folder])
    return verifier


def test_a_recurring_events_other_occurrences_neither_support_nor_refute(fomc_2002):
    """Where the corpus holds the statement of the claim's day, the other meetings' statements are other events:
    neutral, not "the same figure on a wrong date". Where it holds none, a wrong date is still refuted."""
    result = fomc_2002.check("The Federal Open Market Committee left its federal funds rate target unchanged at 1.75% "
                             "on 13 August 2002.", trail=True)
    assert result.verdict == Verdict.SUPPORTED
    assert {c.doc_id for c in result.citations} == {"fomc-statement-2002-08-13"}
    assert result.trail.candidates[0].chunk.doc_id == "fomc-statement-2002-08-13"  # the claim's date finds its statement
    others = [j for j in result.trail.judgements if j.doc_id != "fomc-statement-2002-08-13" and j.quote.startswith(
        "The Federal Open Market Committee decided today to keep its target")]
    assert others and all(j.another_event and j.stance == Stance.NEUTRAL for j in others)
    wrong_year = fomc_2002.check("The Federal Open Market Committee lowered its federal funds rate target by 50 basis "
                                 "points to 1.25% on 6 November 2001.")
    assert wrong_year.verdict == Verdict.REFUTED


@pytest.mark.parametrize(("title", "sentence", "claim"), [
    # British "refuelling" against American "refueling" (news dev claim A-001)
    ("EADS defeats Boeing for US airtanker contract", "Northrop Grumman and Airbus parent company EADS have unexpectedly "
     "defeated Boeing for a US$40 billion contract to supply the United States Air Force with 179 new aerial refueling "
     "tankers.", "Northrop Grumman and EADS beat Boeing to a US$40 billion contract for new US Air Force refuelling tankers."),
    # "New South Wales" against "NSW" (news dev claim C-067)
    ("Historic Snowy Deal", "Allowing for Snowy Hydro’s debt as of 31 December 2017, NSW will receive $4.154 billion and "
     "Victoria $2.077 billion.", "New South Wales will receive $4.154 billion from the Snowy Hydro sale."),
])
def test_a_claim_spelling_or_naming_things_otherwise_is_read_in_the_evidences_words(tmp_path, title, sentence, claim):
    """The verifier read each pair as contradiction (0.75, 0.98) with the claim in its own words."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "news.md").write_text(f"---\ntitle: {title}\npublished: 2008-03-01\n---\n{sentence}\n\n"
                                               "The first payments are to be made next year.\n", encoding="utf-8")
    verifier = Verifier.open(tmp_path / "store", create=True)
    verifier.ingest([tmp_path / "docs"])
    result = verifier.check(claim, trail=True)
    read = next(j for j in result.trail.judgements if j.quote == sentence)
    assert read.probabilities.entailment > 0.9 and read.stance == Stance.SUPPORTS
    assert result.verdict == Verdict.SUPPORTED


@pytest.mark.parametrize(("claim", "verdicts"), [
    # the verifier reads this as neutral (news dev C-070, REFUTED): the denial in the claim's clause refutes it
    ("Snowy Hydro will not remain in public ownership.", {Verdict.REFUTED}),
    # the denial is in another clause of the same sentence (news dev B-075, SUPPORTED): it refutes nothing
    ("South Korea evacuated about 80 people from the town of Yeoncheon.", {Verdict.SUPPORTED, Verdict.NOT_ENOUGH_INFO}),
])
def test_a_denial_refutes_only_in_the_clause_the_claim_is_about(tmp_path, claim, verdicts):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "news.md").write_text(
        "---\ntitle: Historic Snowy Deal\npublished: 2018-03-02\n---\nImportantly, Snowy Hydro will continue to be in "
        "public ownership, and employment levels and existing head office locations will not change.\n\n"
        "No injuries or deaths were reported in the attacks from either side, but South Korea evacuated about 80 people "
        "in the town of Yeoncheon after at least one shell landed near the area.\n", encoding="utf-8")
    verifier = Verifier.open(tmp_path / "store", create=True)
    verifier.ingest([tmp_path / "docs"])
    result = verifier.check(claim)
    assert result.verdict in verdicts
    if Verdict.REFUTED in verdicts:
        assert result.rule_id == "polarity_mismatch"
