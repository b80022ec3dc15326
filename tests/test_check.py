"""End to end on the sample corpus: real store, real embedding model, shipped verifier."""

import json

import pytest

from pipeline import Verdict, Verifier
from pipeline.errors import InputError
from pipeline.judge.model import SHIPPED_DIR
from pipeline.load import load_paths
from pipeline.models import Stance, VerdictRules
from tests.conftest import CORPUS

TEXTS = {d.id: d.text for d in load_paths([CORPUS], 10**7).documents}


def assert_citations_quote_exactly(result):
    assert result.citations
    for c in result.citations:
        assert TEXTS[c.doc_id][c.start:c.end] == c.quote
        assert c.chunk_id.startswith(c.doc_id + "#")
        assert c.retrieval_rank >= 1


def test_supported_claim_cites_the_6000_sq_km_sentence(sample_verifier):
    result = sample_verifier.check("Russia wants about 6,000 square kilometres it has not yet conquered")
    assert result.verdict == Verdict.SUPPORTED
    assert 0.0 < result.confidence <= 1.0
    assert_citations_quote_exactly(result)
    top = result.citations[0]
    assert top.doc_id == "vance-talks-narrowed-to-core-issues"
    assert "6,000 square kilometers" in top.quote


@pytest.mark.xfail(strict=True, reason="SUPPORTED now, by the Alaska sentence: verifier v2 reads 'The warning came just a "
                   "week after he met with Putin in Alaska' (in context: Trump named before it) as entailing 'Trump met "
                   "Putin in Moscow' at 0.67; requiring every claim name (support_names 1) would stop it but cost more "
                   "true supports on the fit sets; verifier v3 trains on place swaps; strict, so it fails loudly once fixed")
def test_refuted_claim_cites_the_alaska_sentence(sample_verifier):
    result = sample_verifier.check("Trump met Putin in Moscow")
    assert result.verdict == Verdict.REFUTED
    assert_citations_quote_exactly(result)
    assert "Alaska" in result.citations[0].quote


def test_unrelated_claim_is_not_enough_info(sample_verifier):
    result = sample_verifier.check("The EU approved new sanctions on Russia")
    assert result.verdict == Verdict.NOT_ENOUGH_INFO
    assert all(c.stance == "neutral" for c in result.citations)


def test_result_carries_versions_and_timings(sample_verifier):
    result = sample_verifier.check("Vance spoke on NBC's Meet the Press")
    v = result.versions
    assert v.embedding_model == "sentence-transformers/all-MiniLM-L6-v2" and len(v.embedding_model_sha256) == 64
    assert v.verifier_model == "citetrail-verifier" and len(v.verifier_model_sha256) == 64
    assert v.chunker.chunk_size == 600 and v.index_fingerprint == sample_verifier.store.fingerprint
    assert set(result.timings_ms) == {"retrieve", "judge", "aggregate"}
    assert result.judged_pairs > 0
    calibration = json.loads((SHIPPED_DIR / "calibration.json").read_text())
    assert v.thresholds == VerdictRules(**calibration["rules"]) and v.verifier_temperature == calibration["temperature"]


def test_a_stored_trail_agrees_with_its_verdict(sample_verifier):
    """The stance is decided once, in the judge stage: every citation takes its judgement's stance, and the
    verdict follows from the stances the trail shows."""
    for claim in ("Russia wants about 6,000 square kilometres it has not yet conquered",
                  "Trump threatened sanctions on Russia within two weeks", "The EU approved new sanctions on Russia"):
        result = sample_verifier.check(claim, trail=True)
        stance = {(j.doc_id, j.start, j.end): j.stance for j in result.trail.judgements}
        assert [c.stance for c in result.citations] == [stance[(c.doc_id, c.start, c.end)] for c in result.citations]
        sides = {j.stance for j in result.trail.judgements}
        if result.verdict == Verdict.SUPPORTED:
            assert Stance.SUPPORTS in sides
        if result.verdict == Verdict.NOT_ENOUGH_INFO:
            assert sides == {Stance.NEUTRAL}


def test_settings_override_the_verifiers_fitted_rules(sample_store, monkeypatch):
    monkeypatch.setenv("CITETRAIL_CONFLICT_THRESHOLD", "0.95")
    verifier = Verifier.open(sample_store, support_threshold=0.99)
    rules = verifier.rules()
    assert (rules.support, rules.conflict) == (0.99, 0.95)
    assert rules.refute == json.loads((SHIPPED_DIR / "calibration.json").read_text())["rules"]["refute"]  # not given: fitted
    assert verifier.check("Russia wants about 6,000 square kilometres it has not yet conquered").versions.thresholds.support == 0.99


@pytest.mark.parametrize(("claim", "message"), [("", "empty"), ("  \n\t ", "empty"), ("x" * 5000, "limit")])
def test_bad_claims_are_refused(sample_verifier, claim, message):
    with pytest.raises(InputError, match=message):
        sample_verifier.check(claim)


def test_support_needs_the_sentence_to_cover_enough_of_the_claim(sample_store):
    """The verifier alone reads sentences that share only a name with the claim as support ('Trump met Putin
    in Moscow' entailed by 'He pointed to Trump's recent move to slap a 25% tariff ...'); the coverage rule
    stops that, and every judgement records its coverage."""
    from pipeline.judge.stage import claim_coverage

    claim = "Trump met Putin in Moscow"
    ungated = Verifier.open(sample_store, support_coverage=0.0, relevance_coverage=0.0).check(claim, trail=True)
    rules = Verifier.open(sample_store, support_coverage=0.5).rules()
    name_only = {(j.doc_id, j.start) for j in ungated.trail.judgements
                 if j.stance == "supports" and j.claim_coverage < rules.support_coverage}
    assert name_only  # the verifier alone reads a shared name as support
    gated = Verifier.open(sample_store, support_coverage=0.5).check(claim, trail=True)
    assert not {(c.doc_id, c.start) for c in gated.citations if c.stance == "supports"} & name_only
    for j in gated.trail.judgements:
        assert j.claim_coverage == claim_coverage(claim, j.quote)
        assert j.stance != "supports" or j.claim_coverage >= rules.support_coverage


def test_min_shared_words_skips_only_sentences_without_enough_claim_words(sample_store):
    """The speed lever: fewer sentences considered, none sharing fewer content words than asked, same evidence kept."""
    from pipeline.judge.stage import content_words

    claim = "Russia wants about 6,000 square kilometres it has not yet conquered"
    full = Verifier.open(sample_store).check(claim, trail=True)
    pruned = Verifier.open(sample_store, min_shared_words=2).check(claim, trail=True)
    assert len(pruned.trail.judgements) < len(full.trail.judgements)
    assert pruned.judged_pairs <= full.judged_pairs
    assert all(len(content_words(claim) & content_words(j.quote)) >= 2 for j in pruned.trail.judgements)
    assert pruned.versions.retrieval.min_shared_words == 2
    assert pruned.verdict == full.verdict == Verdict.SUPPORTED
    assert "6,000 square kilometers" in pruned.citations[0].quote
