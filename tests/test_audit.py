"""Auditing an article against the rest of the corpus: real store, real verifier, the article's own
document excluded. Verdicts are not asserted (the verifier is being retrained); what holds whatever
the verifier says is."""

import subprocess
import sys

import pytest

from pipeline.chunk import sentence_spans
from pipeline.extract import to_document
from pipeline.models import AuditReport, Extraction
from tests.conftest import CORPUS

ARTICLE = CORPUS / "vance-talks-narrowed-to-core-issues.txt"
ARTICLE_ID = "vance-talks-narrowed-to-core-issues"


def citetrail(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, input=stdin, timeout=300)


@pytest.fixture(scope="module")
def report(sample_verifier) -> AuditReport:
    return sample_verifier.audit(ARTICLE)


def test_audit_checks_every_claim_without_citing_the_article_itself(report):
    text = ARTICLE.read_text(encoding="utf-8")
    assert report.doc_id == ARTICLE_ID and report.excluded_docs == [ARTICLE_ID]
    assert report.results
    sentences = {(s.start, s.end) for s in sentence_spans(text)}  # the spans citations quote
    for r in report.results:
        assert all(c.doc_id != ARTICLE_ID for c in r.citations)
        assert (r.claim.span.start, r.claim.span.end) in sentences
    six = [r for r in report.results if "6,000 square kilometers" in r.claim.text]
    assert len(six) == 1 and six[0].claim.speaker == "J.D. Vance"
    assert text[six[0].claim.span.start:six[0].claim.span.end].startswith("“The Russians want about 6,000")


def test_audit_summary_adds_up(report):
    s = report.summary
    assert s.checked == len(report.results) == s.supported + s.refuted + s.conflicting + s.unverified
    assert s.dropped == len(report.dropped) >= 1
    assert all(not d.check_worthy and d.drop_reason for d in report.dropped)
    ids = [r.claim.id for r in report.results] + [d.claim.id for d in report.dropped]
    assert len(ids) == len(set(ids))


def test_audit_of_plain_text_excludes_nothing(sample_verifier):
    report = sample_verifier.audit("Trump met Putin in Alaska. Is peace near?")
    assert report.doc_id == "text" and [r.claim.text for r in report.results] == ["Trump met Putin in Alaska."]
    assert report.summary.dropped == 1 and report.dropped[0].drop_reason == "question"
    assert any(c.doc_id == "vance-russia-softening-demands" for c in report.results[0].citations)


@pytest.mark.slow
def test_audit_json_on_the_command_line(sample_store):
    proc = citetrail("audit", "--store", str(sample_store), "--json", str(ARTICLE))
    assert proc.returncode == 0, proc.stderr
    report = AuditReport.model_validate_json(proc.stdout)
    assert report.excluded_docs == [ARTICLE_ID] and report.summary.checked == len(report.results) > 0
    assert all(c.doc_id != ARTICLE_ID for r in report.results for c in r.citations)


@pytest.mark.slow
def test_audit_table_on_the_command_line(sample_store):
    proc = citetrail("audit", "--store", str(sample_store), "-", stdin="Trump met Putin in Alaska. Share this article")
    assert proc.returncode == 0, proc.stderr
    assert "c1" in proc.stdout and "stdin" in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("1 checked: ") and proc.stdout.endswith("; 1 dropped as not check-worthy\n")


def test_extract_on_the_command_line():
    proc = citetrail("extract", str(ARTICLE))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "The Russians want about 6,000 square kilometers they have not yet conquered through force." in lines
    proc = citetrail("extract", "--json", str(ARTICLE))
    extraction = Extraction.model_validate_json(proc.stdout)
    assert extraction.doc_id == ARTICLE_ID and extraction.extractor == "rules"
    assert len(extraction.checkable()) == len(lines) < len(extraction.claims)  # dropped ones only in the JSON


def test_extract_reads_standard_input():
    proc = citetrail("extract", "--all", "-", stdin="Share this article\nRussia invaded Ukraine in 2022.\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["# dropped (boilerplate: site boilerplate or navigation): Share this article",
                                        "Russia invaded Ukraine in 2022."]


BAD = {"missing.txt": None, "binary.txt": b"\x00\x01\x02abc", "empty.txt": b"", "broken.pdf": b"%PDF-1.4\n%%EOF\n",
       "table.csv": b"a,b\n1,2\n"}


@pytest.mark.parametrize("command", ["extract", "audit"])
@pytest.mark.parametrize(("name", "message"), [
    ("missing.txt", "no such file"), ("binary.txt", "binary file"), ("empty.txt", "the file is empty"),
    ("broken.pdf", "not a readable PDF"), ("table.csv", "unsupported file type"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, sample_store, command, name, message):
    path = tmp_path / name
    if BAD[name] is not None:
        path.write_bytes(BAD[name])
    store = ["--store", str(sample_store)] if command == "audit" else []
    proc = citetrail(command, *store, str(path))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and message in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_unknown_extractor_is_a_bad_flag():
    proc = citetrail("extract", "--extractor", "magic", str(ARTICLE))
    assert proc.returncode == 2 and proc.stderr.startswith("error: bad setting extractor")


def test_audit_leaves_out_the_article_by_content_not_by_name(sample_verifier, tmp_path):
    """A renamed copy, and the text itself (as read from standard input), find the stored article by its content."""
    renamed = tmp_path / "draft-final-v2.txt"
    renamed.write_bytes(ARTICLE.read_bytes())
    edited = ARTICLE.read_text(encoding="utf-8").replace("Vance", "Vance,", 1) + "\nCorrection appended later.\n"
    for doc in (to_document(renamed, 10**7), to_document(ARTICLE.read_text(encoding="utf-8"), 10**7), to_document(edited, 10**7)):
        assert sample_verifier.copies_of(doc) == [ARTICLE_ID], doc.source
    assert sample_verifier.copies_of(to_document("Trump met Putin in Alaska. Vance spoke on Sunday.", 10**7)) == []


@pytest.mark.slow
def test_audit_of_the_article_from_standard_input_does_not_cite_it(sample_store):
    proc = citetrail("audit", "--store", str(sample_store), "--json", "-", stdin=ARTICLE.read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stderr
    report = AuditReport.model_validate_json(proc.stdout)
    assert report.excluded_docs == [ARTICLE_ID] and report.summary.checked > 0
    assert all(c.doc_id != ARTICLE_ID for r in report.results for c in r.citations)
