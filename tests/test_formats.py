"""Every format behind the one loader interface, on the shared cases (`../shared/cases/ingest/`) and on files made
here: encodings detected and recorded, Markdown front matter, HTML holding plain text, PDF pages kept through to
citations, Word files, web pages by URL from a local server, and a bad file costing only itself."""

import http.server
import io
import shutil
import threading
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline import Verifier
from pipeline.errors import InputError
from pipeline.load import load_paths
from pipeline.models import PageStart, Run, RunStatus, page_at
from pipeline.render.files import report_md
from pipeline.render.html import report_html
from tests.conftest import SHARED, citetrail
from tests.pdf_maker import make_pdf

CASES = SHARED / "cases" / "ingest"
LIMIT = 10_000_000


def load_one(path: Path):
    docs = load_paths([path], LIMIT).documents
    assert len(docs) == 1
    return docs[0]


def test_windows_1252_and_utf16_without_bom_are_detected_and_recorded():
    cp = load_one(CASES / "cp1252.txt")
    assert cp.encoding == "cp1252" and cp.format == "txt"
    assert cp.text.startswith("Café owners in São Paulo said the “new tax” of 5€ per day") and "– naïve" in cp.text
    utf16 = load_one(CASES / "utf16nobom.txt")
    assert utf16.encoding == "utf-16-le"
    assert utf16.title == "Harbour news in UTF-16 without BOM" and "The harbour crane is 80 metres tall." in utf16.text


def test_markdown_front_matter_is_metadata_not_text():
    doc = load_one(CASES / "pier.md")
    assert doc.title == "Front matter title" and doc.published == "2026-01-01"
    assert doc.text.startswith("# Harbour pier report") and "---" not in doc.text.split("\n")[0]
    assert "title:" not in doc.text


def test_markdown_thematic_break_is_not_front_matter(tmp_path):
    (tmp_path / "notes.md").write_text("---\nThe council met on Monday. It approved the budget.\n---\nMore.\n")
    doc = load_one(tmp_path / "notes.md")
    assert doc.text.startswith("---\nThe council met") and doc.title == "---"


def test_html_named_file_holding_plain_text_is_read_as_text():
    doc = load_one(CASES / "plain-text-named.html")
    assert doc.text == "The bridge is 300 metres long. It opened in 1999.\n" and doc.format == "txt"


def test_docx_paragraphs_and_pdf_pages():
    word = load_one(CASES / "tram.docx")
    assert word.format == "docx" and word.title.startswith("The Harbour city council voted 31 to 12")
    assert word.text == ("The Harbour city council voted 31 to 12 on Tuesday to approve a new tram line.\n\n"
                         "The line will cost 2.4 billion euros.")
    pdf = load_one(CASES / "tram.pdf")
    assert pdf.format == "pdf" and pdf.pages == [PageStart(page=1, start=0)]
    assert "The Harbour city council voted 31 to 12 on Tuesday to approve a new tram line." in pdf.text


def test_pdf_page_offsets_and_a_pdf_without_text(tmp_path):
    (tmp_path / "two.pdf").write_bytes(make_pdf([["Harbour report", "The ferry runs every hour."], [],
                                                 ["The new pier is 120 metres long."]]))
    doc = load_one(tmp_path / "two.pdf")
    third = doc.text.index("The new pier")
    assert [p.page for p in doc.pages] == [1, 3]  # the blank page 2 holds no text
    assert page_at(doc.pages, 0) == 1 and page_at(doc.pages, third) == 3 and page_at(doc.pages, third - 2) == 1
    (tmp_path / "scan.pdf").write_bytes(make_pdf([[], []]))
    with pytest.raises(InputError, match=r"scan\.pdf: the PDF has no text layer \(a scan\?\)"):
        load_paths([tmp_path / "scan.pdf"], LIMIT)


@pytest.fixture(scope="module")
def pdf_verifier(tmp_path_factory) -> Verifier:
    folder = tmp_path_factory.mktemp("pdf")
    (folder / "harbour.pdf").write_bytes(make_pdf([
        ["Harbour works report", "The harbour board met on Monday to review the works."],
        ["The new northern pier is 120 metres long and opened in May.", "Ferries now dock there every hour."]]))
    verifier = Verifier.open(folder / "store", create=True)
    verifier.ingest([folder / "harbour.pdf"])
    return verifier


def test_check_cites_the_pdf_page_with_an_exact_quote(pdf_verifier):
    result = pdf_verifier.check("The new northern pier is 120 metres long.")
    assert result.verdict.value == "SUPPORTED", result
    top = result.citations[0]
    assert top.page == 2 and top.quote == "The new northern pier is 120 metres long and opened in May."
    chunk = pdf_verifier.store.get_chunks([top.chunk_id])[top.chunk_id][0]
    assert chunk.text[top.start - chunk.start:top.end - chunk.start] == top.quote
    assert '"page": 2' in result.model_dump_json(indent=1)
    run = Run(id="r1", created=datetime(2026, 1, 1, tzinfo=UTC), input="claims.txt", status=RunStatus.DONE, settings={},
              versions=result.versions, claims=1, checked=1)
    assert "p. 2, characters" in report_md(run, [result]) and "p. 2, characters" in report_html(run, [result])


def test_a_mixed_folder_is_ingested_and_the_bad_files_listed(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.txt").write_text("Plain text about the harbour ferry.\n")
    shutil.copy(CASES / "pier.md", folder)
    (folder / "page.html").write_text("<html><head><title>Bridge</title></head><body><article><p>The bridge is 300 "
                                      "metres long and opened in 1999 after four years of work.</p></article></body></html>")
    (folder / "rows.jsonl").write_text('{"id": "row1", "text": "The tram costs 2 euros."}\n')
    shutil.copy(CASES / "tram.pdf", folder)
    shutil.copy(CASES / "tram.docx", folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    store = tmp_path / "store"
    proc = citetrail("ingest", "--store", str(store), str(folder))
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout.startswith("6 added, 0 updated")
    lines = proc.stderr.splitlines()
    assert lines[0] == "2 files left out (--strict stops at the first):"
    assert lines[1:] == [f"  {folder / 'empty.txt'}: the file is empty",
                         f"  {folder / 'image.txt'}: looks like a binary file (NUL bytes), not text"]
    state = Verifier.open(store).store.document_state()
    assert sorted(state) == ["a", "page", "pier", "row1", "tram", "tram-" + sorted(state)[-1].split("-")[-1]]
    assert {Path(info["source"].split("#L")[0]).name for info in state.values()} == {
        "a.txt", "pier.md", "page.html", "rows.jsonl", "tram.pdf", "tram.docx"}
    proc = citetrail("ingest", "--store", str(tmp_path / "strict"), "--strict", str(folder))
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "empty.txt: the file is empty" in proc.stderr
    assert not (tmp_path / "strict" / "chroma.sqlite3").exists() or Verifier.open(tmp_path / "strict").store.count() == 0


def test_a_missing_path_among_others_costs_only_itself(tmp_path):
    (tmp_path / "a.txt").write_text("The ferry runs every hour.\n")
    result = load_paths([tmp_path / "a.txt", tmp_path / "gone.txt"], LIMIT, strict=False)
    assert [d.id for d in result.documents] == ["a"] and result.failed == [f"{tmp_path / 'gone.txt'}: no such file or folder"]
    with pytest.raises(InputError, match="no such file or folder"):
        load_paths([tmp_path / "a.txt", tmp_path / "gone.txt"], LIMIT)


def test_folder_with_an_empty_file_case(tmp_path):
    proc = citetrail("ingest", "--store", str(tmp_path / "store"), str(CASES / "folder-with-empty"))
    assert proc.returncode == 2 and proc.stdout.startswith("1 added")
    assert "folder-with-empty/empty.txt: the file is empty" in proc.stderr
    assert list(Verifier.open(tmp_path / "store").store.document_state()) == ["tram"]


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/news/pier.html":
            self.send_error(404)
            return
        body = (b"<html><head><title>Pier opens</title><meta property='article:published_time' content='2025-05-02'>"
                b"</head><body><nav>Home | News</nav><article><h1>Pier opens</h1><p>The new northern pier opened on "
                b"Friday after two years of work, the harbour board said.</p></article></body></html>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_web_page_by_url_from_a_local_server(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/news/pier.html"
        verifier = Verifier.open(tmp_path / "store", create=True)
        report = verifier.ingest([url, f"http://127.0.0.1:{server.server_address[1]}/missing.html"])
    finally:
        server.shutdown()
    assert len(report.added) == 1 and len(report.failed) == 1 and "missing.html: cannot fetch" in report.failed[0]
    (info,) = verifier.store.document_state().values()
    assert info["source"] == url
    _, texts, metas = verifier.store.all_chunks()
    assert metas[0]["title"] == "Pier opens" and metas[0]["url"] == url and metas[0]["published"] == "2025-05-02"
    assert "northern pier opened on Friday after two years of work" in texts[0]


def test_a_word_file_with_broken_xml_is_refused_naming_it(tmp_path):
    source = zipfile.ZipFile(CASES / "tram.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in source.infolist():
            data = source.read(item.filename)
            damaged.writestr(item, data[:len(data) // 2] if item.filename == "word/document.xml" else data)
    (tmp_path / "half.docx").write_bytes(out.getvalue())
    with pytest.raises(InputError, match=r"half\.docx: not a readable Word \(\.docx\) file \(XMLSyntaxError\)"):
        load_paths([tmp_path / "half.docx"], LIMIT)
