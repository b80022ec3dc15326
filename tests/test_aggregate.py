"""Verdict rules on judged sentences: which side wins, when it is CONFLICTING, what is cited."""

import pytest

from pipeline.aggregate import aggregate, restance
from pipeline.models import Candidate, Chunk, Judgement, Probabilities, Span, Stance, Verdict, VerdictRules

RULES = VerdictRules(support=0.5, refute=0.5, conflict=0.7)


def candidate(doc: str, rank: int) -> Candidate:
    text = f"{doc} reports {rank} things about {doc * 3}"  # each document its own words: not near-copies
    chunk = Chunk(id=f"{doc}#0", doc_id=doc, index=0, start=0, end=len(text), text=text, sentences=[Span(start=0, end=len(text))])
    return Candidate(chunk=chunk, title=doc.upper(), source=f"{doc}.txt", rank=rank, fused_score=1 / rank)


def judged(doc: str, e: float, c: float, start: int = 0, coverage: float = 1.0) -> Judgement:
    """A sentence as the judge stage leaves it: its stance decided by RULES (`restance` for other rules)."""
    p = Probabilities(entailment=e, neutral=round(1 - e - c, 6), contradiction=c)
    j = Judgement(doc_id=doc, chunk_id=f"{doc}#0", start=start, end=start + 5, quote=f"{doc}:{start}", probabilities=p,
                  stance=Stance.NEUTRAL, retrieval_rank=1, retrieval_score=0.5, claim_coverage=coverage)
    return j.model_copy(update={"stance": RULES.stance(j)})


CANDS = [candidate("a", 1), candidate("b", 2)]


def test_strong_support_and_refutation_in_different_documents_conflict():
    d = aggregate([judged("a", 0.9, 0.05), judged("b", 0.05, 0.8)], CANDS, RULES)
    assert d.verdict == Verdict.CONFLICTING
    assert {c.stance for c in d.citations} == {Stance.SUPPORTS, Stance.REFUTES}
    assert d.raw_confidence == pytest.approx(0.8)


def test_a_refutation_below_the_conflict_threshold_only_discounts_support():
    d = aggregate([judged("a", 0.9, 0.05), judged("b", 0.05, 0.6)], CANDS, RULES)
    assert d.verdict == Verdict.SUPPORTED
    assert d.raw_confidence == pytest.approx(0.9 * 0.4)
    assert [c.stance for c in d.citations] == [Stance.SUPPORTS, Stance.REFUTES]  # both sides stay visible


def test_support_and_refutation_in_one_document_never_conflict():
    d = aggregate([judged("a", 0.75, 0.1, 0), judged("a", 0.05, 0.9, 20)], CANDS, RULES)
    assert d.verdict == Verdict.REFUTED
    assert d.citations[0].start == 20


def test_nothing_over_threshold_is_not_enough_info_citing_the_closest_sentences():
    d = aggregate([judged("a", 0.2, 0.1, 0), judged("b", 0.1, 0.45, 0), judged("a", 0.05, 0.05, 9)], CANDS, RULES)
    assert d.verdict == Verdict.NOT_ENOUGH_INFO
    assert d.raw_confidence == pytest.approx(0.55)
    assert [c.quote for c in d.citations] == ["b:0", "a:0", "a:9"]
    assert all(c.stance == Stance.NEUTRAL for c in d.citations)
    assert aggregate([], CANDS, RULES).verdict == Verdict.NOT_ENOUGH_INFO


def test_aggregation_reads_the_stored_stance_and_a_trail_can_be_reaggregated_under_other_rules():
    sentences = [judged("a", 0.45, 0.1)]
    lower = RULES.model_copy(update={"support": 0.4})
    assert aggregate(sentences, CANDS, RULES).verdict == Verdict.NOT_ENOUGH_INFO
    assert aggregate(sentences, CANDS, lower).verdict == Verdict.NOT_ENOUGH_INFO  # the stance stored is what counts
    restanced = restance(sentences, lower)
    assert [j.stance for j in restanced] == [Stance.SUPPORTS] and sentences[0].stance == Stance.NEUTRAL
    d = aggregate(restanced, CANDS, lower)
    assert d.verdict == Verdict.SUPPORTED and [c.stance for c in d.citations] == [j.stance for j in restanced]


def test_a_sentence_covering_too_little_of_the_claim_cannot_support_it_but_can_still_refute():
    rules = RULES.model_copy(update={"support_coverage": 0.3})
    assert aggregate(restance([judged("a", 0.9, 0.05, coverage=0.25)], rules), CANDS, rules).verdict == Verdict.NOT_ENOUGH_INFO
    assert aggregate(restance([judged("a", 0.9, 0.05, coverage=0.3)], rules), CANDS, rules).verdict == Verdict.SUPPORTED
    d = aggregate(restance([judged("a", 0.9, 0.05, coverage=0.2), judged("b", 0.1, 0.8, coverage=0.2)], rules), CANDS, rules)
    assert d.verdict == Verdict.REFUTED and [c.doc_id for c in d.citations] == ["b"]


def test_confidence_map_is_monotone_and_the_identity_by_default():
    assert VerdictRules().calibrated(0.83) == pytest.approx(0.83)
    squeezed = VerdictRules(confidence_scale=0.5, confidence_shift=-0.2)
    values = [squeezed.calibrated(x / 10) for x in range(11)]
    assert values == sorted(values) and values[0] > 0 and values[-1] < 1
    d = aggregate(restance([judged("a", 0.9, 0.0)], squeezed), CANDS, squeezed)
    assert d.confidence == pytest.approx(squeezed.calibrated(0.9), abs=1e-4) and d.raw_confidence == pytest.approx(0.9)


def test_near_copies_of_one_story_are_one_source():
    """The same wire story in two outlets cannot conflict with itself: the stronger side wins."""
    story = "Acme said on Monday that its York plant employs 945 people and will hire 50 more next year."
    cands = []
    for i, doc in enumerate(("wire", "outlet"), 1):
        chunk = Chunk(id=f"{doc}#0", doc_id=doc, index=0, start=0, end=len(story), text=story,
                      sentences=[Span(start=0, end=len(story))])
        cands.append(Candidate(chunk=chunk, title=doc, source=f"{doc}.txt", rank=i, fused_score=1 / i))
    d = aggregate([judged("wire", 0.9, 0.05), judged("outlet", 0.05, 0.8)], cands, RULES)
    assert d.verdict == Verdict.SUPPORTED and d.rule_id == "support_outweighs"


def test_a_sentence_not_about_the_claim_takes_no_stance():
    j = restance([judged("a", 0.95, 0.0).model_copy(update={"names_match": False})], RULES)[0]
    assert j.stance == Stance.NEUTRAL
    assert aggregate([j], CANDS, RULES).verdict == Verdict.NOT_ENOUGH_INFO
    unread = j.model_copy(update={"probabilities": None})
    d = aggregate([unread], CANDS, RULES)
    assert d.verdict == Verdict.NOT_ENOUGH_INFO and d.citations == [] and d.rule_id == "no_evidence"


def test_a_sentence_that_does_not_name_the_subject_may_support_but_never_refute():
    j = judged("a", 0.05, 0.9).model_copy(update={"same_subject": False})
    assert RULES.stance(j) == Stance.NEUTRAL
    assert RULES.stance(j.model_copy(update={"same_subject": True})) == Stance.REFUTES


def value(kind: str, claim: str, evidence: str, agrees: bool):
    from pipeline.models import QuantityComparison

    return QuantityComparison(kind=kind, claim=claim, evidence=evidence, agrees=agrees)


def test_a_date_names_the_event_a_value_belongs_to():
    """Another date with other values differing too is another event; with them agreeing, a wrong date."""
    rules = VerdictRules(quantity_coverage=0.5, date_coverage=0.8)
    base = judged("a", 0.3, 0.1, coverage=0.7)
    june = value("date", "10 May 2006", "today (29 June 2006)", False)
    assert not rules.value_mismatch(base.model_copy(update={"quantities": [june, value("percent", "5%", "5.25 percent", False)]}))
    assert rules.value_mismatch(base.model_copy(update={"quantities": [june, value("percent", "5.25%", "5.25 percent", True)]}))
    only_date = [value("date", "February 2014", "February 2022", False)]
    assert not rules.value_mismatch(base.model_copy(update={"quantities": only_date}))
    assert rules.value_mismatch(base.model_copy(update={"quantities": only_date, "claim_coverage": 0.8}))
    assert rules.value_mismatch(base.model_copy(update={"quantities": [value("count:peopl", "945", "105", False)]}))


def test_a_sentence_in_near_copies_of_one_story_is_cited_once():
    story = "Acme said on Monday that its York plant employs 945 people and will hire 50 more next year."
    cands = []
    for i, doc in enumerate(("wire", "outlet", "other"), 1):
        text = story if doc != "other" else "The regional paper also reported that Acme employs 945 people in York."
        chunk = Chunk(id=f"{doc}#0", doc_id=doc, index=0, start=0, end=len(text), text=text, sentences=[Span(start=0, end=len(text))])
        cands.append(Candidate(chunk=chunk, title=doc, source=f"{doc}.txt", rank=i, fused_score=1 / i))
    same = [judged(d, 0.9 - 0.1 * i, 0.0).model_copy(update={"quote": "Acme employs 945 people."})
            for i, d in enumerate(("wire", "outlet"))]
    other = judged("other", 0.7, 0.0)
    d = aggregate([*same, other], cands, RULES)
    assert [c.doc_id for c in d.citations] == ["wire", "other"]


def test_the_date_line_places_a_sentence_that_states_no_date():
    """Another day's statement with its own figure is another event, not a refutation; in a document of the
    claim's day, another date in the sentence names another event ("since the Committee met in June")."""
    rules = VerdictRules(quantity_coverage=0.5, date_coverage=0.8)
    base = judged("a", 0.3, 0.1, coverage=0.9)
    rate = value("percent", "5.25%", "5 percent", False)
    other_day = value("published", "29 June 2006", "published 10 May 2006", False)
    same_day = value("published", "12 August 2009", "published 12 August 2009", True)
    assert not rules.value_mismatch(base.model_copy(update={"quantities": [rate, other_day]}))
    assert rules.value_mismatch(base.model_copy(update={"quantities": [rate, same_day]}))
    june = value("date", "12 August 2009", "June", False)
    assert not rules.value_mismatch(base.model_copy(update={"quantities": [june, same_day]}))
    assert rules.value_mismatch(base.model_copy(update={"quantities": [june]}))
    assert rules.stance(judged("a", 0.9, 0.05, coverage=0.9).model_copy(update={"quantities": [other_day]})) == Stance.SUPPORTS


def test_values_that_all_agree_support_whatever_the_verifier_reads():
    """"left its target unchanged at 1.75%" against "decided today to keep its target unchanged at 1 3/4 percent",
    read as contradiction by the verifier: the figures and the date agree, so the sentence supports; not when a
    name of the claim is missing, the sentence reverses or denies it, or only dates agree."""
    rules = VerdictRules(support=0.5, refute=0.5, value_support_coverage=0.8)
    rate = value("percent", "1.75%", "1 3/4 percent", True)
    day = value("published", "13 August 2002", "published 13 August 2002", True)
    sentence = judged("a", 0.2, 0.75, coverage=0.9).model_copy(update={"quantities": [rate, day]})
    assert rules.stance(sentence) == Stance.SUPPORTS
    d = aggregate([sentence.model_copy(update={"stance": Stance.SUPPORTS})], CANDS, rules)
    assert d.verdict == Verdict.SUPPORTED and d.rule_id == "quantity_match" and d.raw_confidence == pytest.approx(0.8)
    for update in ({"names_coverage": 0.5}, {"polarity_differs": True}, {"claim_coverage": 0.7}, {"quantities": [day]},
                   {"unmatched": ["down 3.30 points"]},
                   {"quantities": [rate, value("published", "13 August 2002", "published 26 June 2002", False)]}):
        assert rules.stance(sentence.model_copy(update=update)) != Stance.SUPPORTS, update


def test_a_denial_of_the_claim_about_its_subject_refutes_at_the_fitted_coverage():
    """"USAF also denied that creating jobs in the US was a factor" against "officials said that creating jobs had
    been a factor", which the verifier reads as neutral; off (1.01) unless the rules are fitted to it."""
    rules = VerdictRules(support=0.5, refute=0.5, polarity_coverage=0.6)
    denial = judged("a", 0.05, 0.2, coverage=0.62).model_copy(update={"polarity_differs": True,
                                                                      "polarity_differs_in_clause": True})
    assert rules.stance(denial) == Stance.REFUTES
    d = aggregate([denial.model_copy(update={"stance": Stance.REFUTES})], CANDS, rules)
    assert d.verdict == Verdict.REFUTED and d.rule_id == "polarity_mismatch"
    for update in ({"claim_coverage": 0.5}, {"names_coverage": 0.5}, {"same_subject": False}, {"polarity_differs_in_clause": False}):
        assert rules.stance(denial.model_copy(update=update)) == Stance.NEUTRAL, update
    assert VerdictRules(support=0.5, refute=0.5).stance(denial) == Stance.NEUTRAL


def test_words_given_to_another_speaker_do_not_support():
    """"The Prime Minister said the assistance was designed to help farmers" entails the words but not that
    Robert McClelland said them: the sentence cannot support (nor can its figures)."""
    sentence = judged("a", 0.99, 0.01, coverage=0.9)
    assert RULES.stance(sentence) == Stance.SUPPORTS
    assert RULES.stance(sentence.model_copy(update={"speaker_named": False})) == Stance.NEUTRAL
    figures = sentence.model_copy(update={"speaker_named": False, "quantities": [value("percent", "2%", "2 percent", True)]})
    assert not RULES.value_match(figures)


def test_the_claims_words_given_to_another_named_speaker_refute_the_attribution():
    """"The Prime Minister said the assistance was designed to help farmers" against "Robert McClelland said ...":
    the words are entailed, the speaker is another: REFUTED (misattribution), never when the words are not."""
    sentence = judged("a", 0.9, 0.05, coverage=0.9).model_copy(update={"speaker_named": False, "other_speaker": True})
    assert RULES.stance(sentence) == Stance.REFUTES
    d = aggregate([sentence.model_copy(update={"stance": Stance.REFUTES})], CANDS, RULES)
    assert d.verdict == Verdict.REFUTED and d.rule_id == "misattribution" and d.raw_confidence == pytest.approx(0.9)
    assert RULES.stance(sentence.model_copy(update={"probabilities": Probabilities(
        entailment=0.2, neutral=0.75, contradiction=0.05)})) == Stance.NEUTRAL
    assert RULES.stance(sentence.model_copy(update={"other_speaker": False})) == Stance.NEUTRAL  # no one named


def test_a_sentence_dated_otherwise_refutes_only_by_its_values():
    """Another meeting's statement ("Voting against was Jeffrey M. Lacker" against "Lacker voted in favour ... at
    its June 2009 meeting") is read as contradiction by the verifier, but it may be another occurrence: only a
    wrong date with agreeing values (`value_mismatch`) refutes."""
    rules = VerdictRules(support=0.5, refute=0.5, quantity_coverage=0.5, date_coverage=0.8)
    other_day = value("published", "June 2009", "published 28 January 2009", False)
    sentence = judged("a", 0.02, 0.95, coverage=0.6)
    assert rules.stance(sentence) == Stance.REFUTES
    assert rules.stance(sentence.model_copy(update={"quantities": [other_day]})) == Stance.NEUTRAL
    same_rate = value("percent", "5.25%", "5-1/4 percent", True)
    wrong_date = value("date", "29 June 2005", "today (29 June 2006)", False)
    assert rules.stance(sentence.model_copy(update={"quantities": [same_rate, wrong_date]})) == Stance.REFUTES


def test_a_sentence_on_another_matter_does_not_refute_by_the_verifiers_reading_alone():
    """News dev C-032: "Australians in every corner of our country can be proud of what they've raised for the flood
    victims" read as contradiction (0.99) of "the federal and Queensland governments each agreed to put another
    10 million dollars into the flood relief fund", holding 21% of its words: under `refute_coverage` it takes no
    stance, while its values, where they differ, still refute by `quantity_coverage`."""
    rules = VerdictRules(support=0.5, refute=0.5, relevance_coverage=0.2, refute_coverage=0.25, quantity_coverage=0.2)
    other_matter = judged("a", 0.0, 0.99, coverage=0.21)
    assert rules.stance(other_matter) == Stance.NEUTRAL and not rules.contradicts(other_matter)
    assert rules.stance(other_matter.model_copy(update={"claim_coverage": 0.3})) == Stance.REFUTES
    other_value = other_matter.model_copy(update={"quantities": [value("currency:$", "$10 million", "$5 million", False)]})
    assert rules.stance(other_value) == Stance.REFUTES and rules.strength(other_value, Stance.REFUTES) == rules.quantity_strength
    d = aggregate([other_value.model_copy(update={"stance": Stance.REFUTES})], CANDS, rules)
    assert d.verdict == Verdict.REFUTED and d.rule_id == "quantity_mismatch"
