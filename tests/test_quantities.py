"""Quantities, dates and durations compared as values, whatever their wording."""

import pytest

from pipeline.quantities import compare, find_quantities, published_comparison, today_quantity, worded_as_evidence


def comparison(claim: str, evidence: str) -> list[tuple[str, str, bool]]:
    return [(q.claim, q.evidence, q.agrees) for q in compare(find_quantities(claim), find_quantities(evidence))]


@pytest.mark.parametrize(("claim", "evidence", "expected"), [
    ("employs twelve hundred workers", "employs 1,200 workers", [("twelve hundred", "1,200", True)]),
    ("sales of 7.1 bn dollars", "sales of 7.1 billion dollars", [("7.1 bn dollars", "7.1 billion dollars", True)]),
    ("a contract worth US$40 billion", "a $40 billion contract", [("US$40 billion", "$40 billion", True)]),
    ("about 6,000 square kilometres", "6,000 square kilometers", [("6,000 square kilometres", "6,000 square kilometers", True)]),
    ("1.2 billion dollars", "1,234 million dollars", [("1.2 billion dollars", "1,234 million dollars", True)]),
    ("rose 12 per cent", "rose 12%", [("rose 12 per cent", "rose 12%", True)]),
    ("by 0.25 percentage points", "by 25 basis points", [("0.25 percentage", "25 basis points", True)]),
    ("to 5-1/4 percent", "to 5.25 percent", [("5-1/4 percent", "5.25 percent", True)]),
    ("unchanged at 1.75%", "unchanged at 1 3/4 percent", [("1.75%", "1 3/4 percent", True)]),
    ("the price falls to 99 US dollars", "the price will be reduced to US $99, and", [("99 US dollars", "US $99", True)]),
    ("an extra 450 gigalitres of water", "an additional 450GL of water", [("450 gigalitres", "450GL", True)]),
    ("a 450 megawatt plant", "a 450MW plant", [("450 megawatt", "450MW", True)]),
    # a count that names nothing after it is a count of what the words around it say (news dev A-018)
    ("The reduction in Airbus's own staff, about 5,000 people, represents roughly 9% of its European full-time workforce.",
     "Actual Airbus employee reduction would be about 5,000, or 9% of the total European work force of 55,000 full-time "
     "Airbus employees.",
     [("5,000", "5,000", True), ("9%", "9%", True)]),
])
def test_the_same_value_written_differently_agrees(claim, evidence, expected):
    assert comparison(claim, evidence) == expected


@pytest.mark.parametrize(("claim", "evidence"), [
    ("The bridge is 15 miles long.", "The bridge is 15 kilometres long."),
    ("for six months", "a six-week trial"),
    ("rise by 25 percent", "rise by 9 percent"),
    ("Aer Lingus shares rose 2.5% on the day", "Aer Lingus shares fell 2.5 percent to 2.73 euros the day"),  # a rise is no fall
    ("approved a 25 basis point increase in the discount rate", "approved a 25 basis point cut in the discount rate"),
    ("could support drawings of up to 30 million US dollars", "would support drawings of up to $30 billion"),
    ("The plant employs 945 people.", "The plant employs 105 people."),
    ("founded in 1905", "founded in 1910"),
    ("on 3 May 2009", "on 3 June 2009"),
    ("exploded 73 minutes after liftoff", "exploded 73 seconds after liftoff"),  # time, not minutes of arc
    ("a catalogue value of 1.78 billion US dollars", "a catalogue value of €1.78 billion (US$2.4 billion)"),
    ("unchanged at 1.75%", "unchanged at 1-1/4 percent"),  # a fraction is exact to half its step, not to its whole
    ("to 1 3/4 percent", "to 1.25%"),
    ("an extra 450 megalitres of environmental water", "an additional 450GL of water"),  # SI prefixes, news dev C-055
    ("lowered the discount rate to 2% on 2 October 2001", "a reduction in the discount rate to 2-1/2 percent"),  # half off
    ("a loss of 1.2 billion dollars", "a loss of 1.25 billion dollars"),
])
def test_other_values_of_the_same_kind_disagree(claim, evidence):
    assert [agrees for _, _, agrees in comparison(claim, evidence)] == [False]


def test_values_of_other_kinds_and_bounds_are_not_compared():
    # the same kind of value, of another thing: the words around the two figures share none
    assert comparison("The Government's 2.2 billion dollar mental health package is spread over five years.",
                      "The Government has committed $2.5 billion to build a world-class cancer care system.") == []
    assert comparison("The museum has 12 rooms.", "The museum was built for 3 million dollars.") == []
    assert comparison("more than 500 people came", "612 people came") == []
    assert comparison("The hospital has 400 beds.", "The hospital hired 400 nurses.") == []
    # a count that names nothing after it counts the claim's noun only where it agrees (it may count anything)
    assert comparison("The plant cut 945 jobs.", "The plant cut 105, the union said.") == []
    # another currency is another kind of value; a bare "$" is any country's dollar, never a euro
    assert comparison("estimated to cost 26 million US dollars", "at an estimated cost of NZ $ 26 million") == []
    assert comparison("estimated to cost 5 million euros", "at an estimated cost of $5 million") == []
    assert comparison("estimated to cost A$5 million", "at an estimated cost of $5 million") == [
        ("A$5 million", "$5 million", True)]


def test_a_change_and_a_level_are_two_values():
    assert comparison("the price was cut by $200 to $399", "Apple cut the price by $200, to $399") == [
        ("cut by $200", "cut the price by $200", True), ("$399", "$399", True)]
    assert comparison("the rate rose to 5 percent", "the rate fell to 5 percent") == [("5 percent", "5 percent", True)]
    # a change is compared with changes only, the one between "from" and "to" among them
    assert comparison("The Board raised the discount rate by half a percentage point, to 3.5%.",
                      "The Board approved an increase in the discount rate from 3 percent to 3-1/2 percent.") == [
        ("raised the discount rate by half a percentage", "from 3 percent to 3-1/2 percent", True),
        ("3.5%", "3-1/2 percent", True)]
    assert comparison("The price fell by 10 dollars.", "The price rose from $30 to $40.") == [
        ("fell by 10 dollars", "from $30 to $40", False)]
    assert comparison("The rate was raised by 50 basis points.", "The rate was raised to 5 percent.") == []
    assert comparison("It lowered its target by 75 basis points to 3%.", "It decided to lower its target 50 basis points, "
                      "to 3 percent.") == [("lowered its target by 75 basis points", "50 basis points", False),
                                           ("3%", "3 percent", True)]



def test_an_article_or_a_verb_before_a_sum_is_not_read_as_part_of_it():
    """Found by a review with made-up sentences (session 12): "A $45 million grant" is no Australian sum, "funded by
    a $45 million donation" no change, "hand over $71.3 billion" no bound; "A$45 million", "cut ... by $200", "by a
    further $100" and "paid over $71.3 billion" still are."""
    def read(text: str) -> list[tuple[str, str, bool]]:
        return [(q.kind, q.bound, q.change) for q in find_quantities(text)]
    assert read("A $45 million grant was approved.") == [("currency:$", "", False)]
    assert read("It cost A$45 million.") == [("currency:AUD", "", False)]
    assert read("The school was funded by a $45 million donation.") == [("currency:$", "", False)]
    assert read("Prices rose by a further $100.") == [("currency:$", "", True)]
    assert read("The bank agreed to hand over $71.3 billion.") == [("currency:$", "", False)]
    assert read("The bank paid over $71.3 billion.") == [("currency:$", "above", False)]


@pytest.mark.xfail(strict=True, reason="known fault (MODEL.md, session 12): a list's values are not told apart by whose "
                   "they are; two attempts by punctuation wrongly refuted true claims")
def test_a_value_in_a_list_is_compared_with_its_own_items():
    assert comparison("Victoria will receive $4.154 billion under the deal.",
                      "Under the deal, NSW will receive $4.154 billion and Victoria $2.077 billion.") == [
        ("$4.154 billion", "$2.077 billion", False)]


def test_a_partial_date_agrees_with_a_fuller_one():
    assert comparison("in March 2008", "before the end of March 2008") == [("March 2008", "March 2008", True)]
    assert comparison("in May 2009", "on 3 June 2009") == [("May 2009", "3 June 2009", False)]


def test_today_is_the_documents_date():
    (q,) = today_quantity("The Committee decided today to raise its target.", "2006-06-29")
    assert q.kind == "date" and q.value == (2006, 6, 29)
    assert today_quantity("The Committee decided to raise its target.", "2006-06-29") == []
    assert today_quantity("It was decided today.", None) == []


def test_a_run_of_digits_no_quantity_has_is_not_parsed_for_ever():
    """quantulum3's number patterns take exponential time on long digit runs (a fuzzed claim of 1,000 zeros)."""
    import time

    started = time.perf_counter()
    assert find_quantities("0" * 1000) == []
    assert [q.surface for q in find_quantities("12 apples and 1234567890123456789 pears")] == ["12"]
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("text", [
    "Apple launched the iPhone 4 and cut the iPhone 3GS price.", "About 5,700 Boeing 737s were delivered in the 1990s.",
    "Adam Air Flight 574 crashed.", "It will supply A330-200 aircraft.",
])
def test_names_and_model_numbers_are_not_quantities(text):
    """A figure in a name ("iPhone 4", "Flight 574", "737s", "3GS") compared as a value refuted true news claims."""
    assert [q.surface for q in find_quantities(text) if q.kind not in ("date", "year")] in ([], ["5,700"])


@pytest.mark.parametrize(("published", "agrees"), [("2006-06-29", True), ("2006-07-03", True), ("2006-05-10", False), (None, None)])
def test_the_claims_date_is_set_beside_the_documents_date_line(published, agrees):
    q = published_comparison(find_quantities("On 29 June 2006 the Committee raised its target to 5.25%."), published)
    assert (q.agrees if q else None) == agrees
    assert published_comparison(find_quantities("The Committee raised its target to 5.25%."), "2006-06-29") is None


@pytest.mark.parametrize(("claim", "evidence", "read"), [
    ("Apple Computer paid 80,000 US dollars when the first lawsuit was settled out of court in 1981.",
     "The first lawsuit was settled out of court in 1981, with the young computer maker paying $80,000.",
     "Apple Computer paid $80,000 when the first lawsuit was settled out of court in 1981."),
    # a change's words hold its verb and subject: only its level is reworded
    ("On 17 May 1994 the Board raised the discount rate by half a percentage point, to 3.5%.",
     "The Board approved an increase in the discount rate from 3 percent to 3-1/2 percent.",
     "On 17 May 1994 the Board raised the discount rate by half a percentage point, to 3-1/2 percent."),
    ("The rate was cut to 2% on 2 October 2001.", "a reduction in the discount rate to 2-1/2 percent",
     "The rate was cut to 2% on 2 October 2001."),  # values that differ keep the claim's words
])
def test_the_verifier_reads_agreeing_values_in_the_evidences_words(claim, evidence, read):
    assert worded_as_evidence(claim, compare(find_quantities(claim), find_quantities(evidence))) == read
