"""The shared regression cases (`../shared/cases/regressions/`), read from their files: prompt injection and fake
citations in documents, markup in document text shown in reports (nothing may run, checked in Chromium when it is
installed), a sentence repeated three times, emoji and other astral characters, abbreviations and decimals. They
passed before the loader layer; these tests keep them passing through it."""

import html
import re
import shutil

import pytest

from pipeline import Verifier, read_claims, run_batch, start_run
from pipeline.chunk import sentence_spans
from pipeline.models import Stance
from pipeline.render.files import report_md
from pipeline.render.html import report_html
from pipeline.verify import verify_results
from tests.conftest import CORPUS, SHARED
from tests.test_report import CHROMIUM, assert_highlights_are_the_quotes, chromium

CASES = SHARED / "cases" / "regressions"
DOCUMENTS = ["injection.txt", "hostile.jsonl", "xss-text.txt", "xss-entities.html", "01-harbour.txt", "10-split.txt",
             "21-emoji.txt"]
INSTRUCTIONS = re.compile(r"ignore previous instructions|SYSTEM:|Assistant:", re.IGNORECASE)


@pytest.fixture(scope="module")
def regressions_run(tmp_path_factory):
    """The sample corpus and every regression document in one store; the hostile claims checked in one run."""
    root = tmp_path_factory.mktemp("regressions")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    for name in DOCUMENTS:
        shutil.copy(CASES / name, corpus)
    verifier = Verifier.open(root / "store", create=True)
    report = verifier.ingest([corpus])
    assert not report.failed and len(report.added) == 2 + len(DOCUMENTS) - 1 + 4, report  # hostile.jsonl holds 4
    run = run_batch(verifier, start_run(verifier, read_claims(CASES / "hostile-claims.jsonl")))
    return verifier, run, verifier.runs.results(run.id)


def test_instructions_in_a_document_decide_nothing(regressions_run):
    _, _, results = regressions_run
    for r in results:
        for c in r.citations:
            if c.stance != Stance.NEUTRAL:
                assert not INSTRUCTIONS.search(c.quote), (r.claim.text, c.quote)
            if c.doc_id == "injection":  # a fact the document states may count, cited as that document, quoted exactly
                assert c.quote in (CASES / "injection.txt").read_text()


def test_every_citation_is_exact_in_its_source(regressions_run):
    """Re-read from the files (emoji, markup, JSONL lines): every quote is at its span, the text unchanged."""
    _, _, results = regressions_run
    checks = verify_results(results)
    assert checks and {c.status.value for c in checks} == {"unchanged"}, [c for c in checks if c.status != "unchanged"]


def test_repeated_sentence_is_cited_at_each_copy(regressions_run):
    verifier, _, _ = regressions_run
    text = (CASES / "01-harbour.txt").read_text()
    sentence = "The harbour master confirmed that the port will close on Friday."
    copies = {(m.start(), m.end()) for m in re.finditer(re.escape(sentence), text)}
    assert len(copies) == 3
    result = verifier.check(sentence, trail=True)
    judged = {(j.start, j.end) for j in result.trail.judgements if j.doc_id == "01-harbour" and j.quote == sentence}
    assert judged == copies
    assert all(text[c.start:c.end] == c.quote for c in result.citations if c.doc_id == "01-harbour")


def test_emoji_offsets_are_exact_in_every_report(regressions_run):
    verifier, run, _ = regressions_run
    text = (CASES / "21-emoji.txt").read_text()
    result = verifier.check("The parade drew 20,000 fans to the old town on Sunday.", trail=True)
    cited = [c for c in result.citations if c.doc_id == "21-emoji"]
    assert cited and all(text[c.start:c.end] == c.quote for c in cited)
    page = report_html(run, [result])
    assert_highlights_are_the_quotes(page, [result])
    assert all(c.quote in report_md(run, [result]) for c in cited)


def test_abbreviations_decimals_and_quotes_do_not_end_a_sentence():
    text = (CASES / "10-split.txt").read_text()
    sentences = [text[s.start:s.end] for s in sentence_spans(text)]
    for whole in ("A film studio has been fined £1.6m after an actor broke his leg on set.",
                  "The U.S. economy grew 2.5% in Q3, i.e. faster than expected.", "Prices rose 33.33% in one year.",
                  '"We will appeal," the studio said.',
                  "Dr. A. Smith, of St. Mary's Hospital, treated the actor at approx. 9 p.m. on Jan. 5."):
        assert whole in sentences, sentences


def test_markup_in_documents_stays_text_in_the_html_report(regressions_run, tmp_path):
    _, run, results = regressions_run
    page = report_html(run, results)
    assert "PWNED" in page  # the hostile text is there, as text
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S)
    assert all("PWNED" not in s for s in scripts) and "<img" not in page and "<svg" not in page
    assert "javascript:" not in re.sub(r"&[a-z]+;|&#\d+;", "", " ".join(re.findall(r'href="([^"]*)"', page)))
    if CHROMIUM is None:
        pytest.skip("chromium is not installed: the report was checked as text only")
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    dom = chromium(report.as_uri(), "--dump-dom", profile=tmp_path / "profile").stdout
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title and "PWNED" not in html.unescape(title.group(1)) and 'data-pwned="' not in dom
    assert "<img" not in dom and "<svg" not in dom
