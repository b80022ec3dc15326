"""Evidence in context and relevance: what the verifier reads, and which sentences it reads at all."""

import time

import pytest

from pipeline.chunk import sentence_spans
from pipeline.evidence import (
    claim_anchors,
    evidence_text,
    named_as,
    needs_context,
    published_label,
    relevance,
    reports_speech,
)
from pipeline.models import VerdictRules
from pipeline.textnorm import content_words, spelled_as, stem


def test_the_verifier_reads_title_date_and_the_sentence_referred_back_to():
    assert published_label("2007-12-03") == "3 December 2007"
    assert published_label("December 3, 2007") == "3 December 2007"
    assert published_label("not a date") is None and published_label(None) is None
    text = evidence_text("Today I signed it.", "Ratifying the Kyoto Protocol", "2007-12-03", "The Government met.")
    # the sentence's relative dates are resolved against the date line; the context is read as written
    assert text == "Ratifying the Kyoto Protocol (3 December 2007). The Government met. On 3 December 2007 I signed it."
    assert evidence_text("Yesterday, at this year's conference, Apple unveiled iPhone 4.", "iPhone 4", "2010-06-08") == (
        "iPhone 4 (8 June 2010). On 7 June 2010, at 2010's conference, Apple unveiled iPhone 4.")
    assert evidence_text("Budget up.", None, None) == "Budget up."
    assert evidence_text("Trial update", "Trial update", "2025-01-02") == "(2 January 2025). Trial update"


def test_sentences_that_refer_back_get_their_context():
    for sentence in ("He met Putin in Alaska.", "The Committee decided today to raise rates.", "It was the second recall.",
                     "The company denied it.", "This is the largest order."):
        assert needs_context(sentence), sentence
    for sentence in ("Kevin Rudd signed the Kyoto Protocol.", "Acme Ltd hired 40 nurses in 2024."):
        assert not needs_context(sentence), sentence


def test_a_sentence_is_relevant_only_if_it_names_the_claims_names_and_covers_it():
    (york,) = claim_anchors(["The York plant employs 945 people."])
    rules = VerdictRules(relevance_coverage=0.2)
    leeds = relevance(york, content_words("The Leeds plant employs 105 people."), content_words("Acme annual report"))
    assert not leeds.names_match and not rules.is_relevant(leeds.names_match, leeds.coverage)[0]
    own = relevance(york, content_words("The York plant employs 945 people."), set())
    assert own.names_match and own.same_subject and own.coverage == 1.0
    (beds,) = claim_anchors(["The new hospital has 400 beds."])
    war = relevance(beds, content_words("Russia invaded Ukraine in February 2022."), set())
    assert war.coverage == 0.0 and not rules.is_relevant(war.names_match, war.coverage)[0]


def test_a_claim_of_who_said_what_is_supported_only_where_that_speaker_is_named():
    """Attribution errors put one person's words in another's mouth: the sentence (or the one before it) must name
    the claim's speaker, by name and not by office, and a title naming everyone does not count."""
    (claim,) = claim_anchors(["Attorney-General Robert McClelland said the assistance was designed to help farmers."])
    assert claim.speaker == {"robert", "mcclelland"}
    said = content_words("The Prime Minister said the Commonwealth assistance was designed to help out our farmers.")
    title = content_words("Prime Minister Julia Gillard and Attorney-General Robert McClelland announce flood assistance")
    assert not relevance(claim, said, title).speaker_named  # "The Prime Minister said": its own speaker
    assert reports_speech("The Prime Minister said the Commonwealth assistance was designed to help out our farmers.")
    # a sentence that does not name who said it is read as its context's or title's speaker's
    assert not reports_speech("The assistance is designed to help out our farmers.")
    assert not reports_speech("The assistance is designed to help out our farmers, he said.")
    assert not reports_speech("According to company statistics, about one out of every 200 customers called.")
    assert reports_speech("According to Yonhap news agency, the military has been placed on high alert.")
    # a view held is attributed as a statement is (news test D-062: a dissenter's view is not the Committee's)
    assert reports_speech("Mr. Hoenig believed the risks of additional securities purchases outweighed the benefits.")
    assert relevance(claim, content_words("The assistance is designed to help out our farmers."), title, title).speaker_named
    (according,) = claim_anchors(["According to Apple, about one in 200 customers called AppleCare."])
    assert according.speaker == {stem("Apple")}
    assert claim_anchors(["The Fed raised its rate to 2%."])[0].speaker == set()


def test_the_title_names_but_does_not_state():
    (claim,) = claim_anchors(["Kevin Rudd ratified the Kyoto Protocol."])
    rel = relevance(claim, content_words("Today I signed the instrument."), content_words("Kevin Rudd: Kyoto Protocol"))
    assert rel.names_match and rel.same_subject
    assert rel.coverage < 0.5  # the title's words do not count as the sentence stating the claim


def test_line_breaks_end_sentences_only_at_blocks():
    text = ("Budget 2025\nThe council met\nand approved the budget, which\nraises spending.\n\n- item one\n- item two\n"
            "Short heading\nA much longer line of text that goes on well past the heading above it.")
    assert [text[s.start:s.end] for s in sentence_spans(text)] == [
        "Budget 2025", "The council met\nand approved the budget, which\nraises spending.", "- item one", "- item two",
        "Short heading", "A much longer line of text that goes on well past the heading above it."]
    assert len(sentence_spans("one line\nanother line", line_breaks="every")) == 2


def test_a_denial_or_negation_on_one_side_only_is_a_polarity_difference():
    from pipeline.evidence import polarity_differs

    assert polarity_differs("The company admitted hiding side effects.", "The company denied hiding side effects.")
    assert polarity_differs("The drug damages the liver.", "Doctors found no evidence that the drug damages the liver.")
    assert polarity_differs("Fresh sanctions will force a ceasefire.", "Fresh penalties are unlikely to force a ceasefire.")
    assert not polarity_differs("The mayor will not veto the budget.", "She said she would not veto the budget.")
    assert not polarity_differs("Sales rose 5% in 2024.", "Sales rose 5% in 2024, the company said.")
    # an opposite predicate of change: what one raises the other lowers
    assert polarity_differs("The Committee said it would likely increase the pace of its asset purchases.",
                            "The Committee will likely reduce the pace of asset purchases in further measured steps.")
    assert not polarity_differs("The Board raised the discount rate.", "The Board approved an increase in the discount rate.")
    assert not polarity_differs("Prices rose after the tax cut.", "Prices fell.")  # the claim raises and lowers
    # opposite outcomes: a contest, a decision, a trade (news dev claims the verifier read as supported)
    assert polarity_differs("Apple Corps won its High Court case against Apple Computer.",
                            "The Beatles' label Apple Corps lost its court case against Apple Computer today.")
    assert polarity_differs("The Senate approved the bill.", "The Senate rejected the bill.")
    assert polarity_differs("The Government agreed to sell its shares.", "The Government agreed to buy the shares.")
    assert not polarity_differs("The bank opened a swap line.", "The talks are close to ending, and it opened a line.")
    # an opposite verb in another clause is about another thing (news test B-002, SUPPORTED)
    assert not polarity_differs("The talks collapsed after Republican leaders demanded that the union accept larger wage cuts.",
                                "The bill was rejected after the talks broke down when Republican leaders insisted that "
                                "the union agree to increase wage cuts by next year.")
    # "declined to" denies before a verb, and is a fall before a level
    assert polarity_differs("Consumer Reports gave the iPhone 4 a recommended rating.",
                            "Consumer Reports declined to give Apple's newest phone a recommended rating.")
    assert not polarity_differs("Exports fell to $5 billion.", "Exports declined to $5 billion in May.")
    assert not polarity_differs("Exports fell to a record low.", "Exports declined to a record low.")
    # a loss is a fall, and a slower pace the opposite of a faster one (news test B-004, dev D-068: REFUTED)
    assert polarity_differs("Japan's Nikkei average rose 5.6% after the Senate vote.",
                            "Stock markets fell, with Japan's Nikkei average losing 484.68 points, or 5.6 percent.")
    assert polarity_differs("Household spending had grown at a somewhat slower pace in recent months.",
                            "Household spending has increased at a somewhat faster pace in recent months.")
    assert not polarity_differs("GM lost 5 billion dollars.", "GM lost $5 billion in the quarter.")
    # continuing is not halting, easing not tightening; "dropped" denies a plan, not a price
    assert polarity_differs("South Korea said it would halt its propaganda broadcasts.",
                            "The broadcasts began on August 10, 2015 and South Korea says the broadcasts will continue.")
    assert polarity_differs("The Committee tightened monetary policy.", "The Committee eased monetary policy.")
    assert polarity_differs("Job gains had been strong.", "Job gains had been weak.")
    assert not polarity_differs("Shares fell 5%.", "Shares dropped 5 percent.")
    assert polarity_differs("The company kept its plan to build the plant.", "The company dropped its plan to build the plant.")
    # "no." before a number abbreviates it (../shared/cases ingest 12-dense: the water board's statement no. 2024/117-B)
    assert not polarity_differs("The price of drinking water will rise by 9 percent.",
                                "In its statement no. 2024/117-B, the board decided the price of drinking water will rise "
                                "by 9 percent.")
    assert polarity_differs("There were injuries.", "There were no injuries.")
    assert not polarity_differs("Harry Reid said he was disappointed that the bill failed to pass.",
                                "Harry Reid said that he was disappointed by the failure of the bill to pass.")


def test_a_denial_refutes_only_in_the_clause_the_claim_is_about():
    """A denial anywhere keeps a sentence from supporting; only one in the claim's own clause may refute it (news dev
    B-075, SUPPORTED: the "No injuries" clause says nothing of the evacuation)."""
    from pipeline.evidence import polarity_differs

    sentence = ("No injuries or deaths were reported in the attacks from either side, but South Korea evacuated about "
                "80 people in the town of Yeoncheon after at least one shell landed near the area.")
    claim = "South Korea evacuated about 80 people from the town of Yeoncheon."
    assert polarity_differs(claim, sentence)
    assert not polarity_differs(claim, sentence, in_clause=True)
    assert polarity_differs("Injuries were reported on both sides after the artillery exchange.", sentence, in_clause=True)
    # a denial in the claim's clause and one in another clause of the sentence: no support, but a refutation
    snowy = ("Importantly, Snowy Hydro will continue to be in public ownership, and employment levels and existing head "
             "office locations will not change.")
    assert polarity_differs("Snowy Hydro will not remain in public ownership.", snowy)
    assert polarity_differs("Snowy Hydro will not remain in public ownership.", snowy, in_clause=True)


def test_an_acronym_covers_the_name_it_stands_for():
    """"GAO" in the sentence covers "Government Accountability Office" in the claim, and the other way round."""
    from pipeline.evidence import acronym_words

    assert acronym_words("The Air Force must answer the Government Accountability Office.", "It must answer the GAO.") \
        == {"govern", "account", "offic"}
    assert acronym_words("The FOMC raised its target.", "The Federal Open Market Committee raised its target.") == {"fomc"}
    assert acronym_words("The US Air Force chose it.", "The USAF chose it.") == {"us", "air", "forc"}
    assert acronym_words("The cat sat on the mat.", "The USAF chose it.") == set()
    # inside a longer run of names (news test D-090: the voter list names the FOMC, the claim its Vice Chairman)
    assert acronym_words("Timothy Geithner was Vice Chairman of the Federal Open Market Committee.",
                         "Voting for the FOMC monetary policy action were: Timothy F. Geithner, Vice Chairman") \
        == {"feder", "open", "market", "committe"}
    # a title-case line of hundreds of words is read in linear time: runs of at most six capitalised words
    started = time.perf_counter()
    assert acronym_words("The FOMC met. " + "Word " * 600, "Federal Open Market Committee " + "Other " * 600) == {"fomc"}
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(("claim", "evidence", "read"), [
    ("They bought refuelling tankers.", "179 new aerial refueling tankers", "They bought refueling tankers."),
    ("A reorganisation plan for GM", "presented a reorganization plan", "A reorganization plan for GM"),
    ("The Labor Party's defense policy", "the Labour Party's defence review", "The Labour Party's defence policy"),
    ("Organisations were cancelled.", "organizations canceled the talks", "Organizations were canceled."),
    ("GST top up payments", "GST top-up payments", "GST top-up payments"),
    ("GST top-up payments", "GST top up payments", "GST top up payments"),
    ("Co-operation with the centre", "cooperation at the center", "Cooperation with the center"),
    # nothing the evidence does not spell: a pattern's other form that is no word of the evidence is never used
    ("The water rose for four hours.", "the waiter rose for hours", "The water rose for four hours."),
    ("The organisation met.", "a meeting of the board", "The organisation met."),
    # another word, not another spelling; a compound's capitals kept
    ("GM filed for bankruptcy.", "The posts GM filled were cut.", "GM filed for bankruptcy."),
    ("The US Russia summit", "the US-Russia summit in Alaska", "The US-Russia summit"),
])
def test_the_verifier_reads_the_claim_in_the_evidences_spelling(claim, evidence, read):
    assert spelled_as(claim, evidence) == read


@pytest.mark.parametrize(("claim", "evidence", "read"), [
    ("New South Wales will receive $4.154 billion.", "NSW will receive $4.154 billion and Victoria $2.077 billion.",
     "NSW will receive $4.154 billion."),
    ("The NSW Government agreed.", "The New South Wales Government agreed.", "The New South Wales Government agreed."),
    ("The Federal Open Market Committee left its target unchanged.", "The FOMC left its target unchanged.",
     "The FOMC left its target unchanged."),
    ("Ties between the RAAF and the US Air Force", "the Royal Australian Air Force and the U.S. Air Force",
     "Ties between the Royal Australian Air Force and the US Air Force"),
    ("The Reserve Bank of Australia cut rates.", "The RBA cut rates.", "The RBA cut rates."),
    ("The Royal Air Force's new tankers replace the VC10.", "They replace the RAF VC10 fleet.",
     "The RAF's new tankers replace the VC10."),
    # a name the evidence also writes in full, or an acronym it also uses, stays as the claim has it
    ("The Bank of England agreed.", "The Bank of England (BoE) and the BOE agreed.", "The Bank of England agreed."),
    ("Apple sold shares in the US.", "Apple, a US company, sold shares in the United States.", "Apple sold shares in the US."),
])
def test_the_verifier_reads_a_name_as_the_evidence_writes_it(claim, evidence, read):
    assert named_as(claim, evidence) == read
