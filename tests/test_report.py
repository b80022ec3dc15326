"""Reports of a real run whose corpus holds a hostile document: escaping, highlights, links, and a real browser."""

import base64
import csv
import hashlib
import html
import io
import json
import os
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser

import pytest

from pipeline import Verifier, read_claims, run_batch, start_run
from pipeline.errors import InputError
from pipeline.render import write_atomic
from pipeline.render.files import report_csv, report_md
from pipeline.render.html import report_html
from tests.test_cli import citetrail

PWN = "document.body.setAttribute('data-pwned','{}')"
HOSTILE = {"id": "hostile", "title": "<b>Zorblax</b> & co", "url": "javascript:" + PWN.format(3),
           "text": "The Zorblax council met in Paris on 3 May 2024 to vote on its budget. "
                   f"<script>{PWN.format(1)}</script> The council approved the Zorblax budget of 12 million euros. "
                   f"<img src=x onerror=\"{PWN.format(2)}\"> Critics said the Zorblax vote was rushed."}
LINKED = {"id": "harbour", "title": "Harbour news", "url": "https://example.org/harbour?a=1&b=2",
          "text": "The harbour reopened on 3 May after a two-week closure caused by storm damage to the northern pier. "
                  "Officials said the harbour repairs cost 2.4 million euros."}
CLAIMS = [{"id": "z1", "claim": "The Zorblax council approved its budget in Paris", "note": "<script>alert(1)</script>"},
          {"id": "h1", "claim": "=The harbour reopened after storm damage"},
          {"id": "<img src=x onerror=alert(1)>", "claim": "Vance spoke on NBC's Meet the Press"}]
CHROMIUM = shutil.which("chromium")
TEMPLATE_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "code", "nav", "button", "table",
                 "thead", "tbody", "tr", "th", "td", "a", "span", "main", "section", "figure", "figcaption", "blockquote",
                 "mark", "script"}


class Elements(HTMLParser):
    """Every element of a page with its attributes: what a browser would build, not what the text says."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def hostile_run(sample_store, tmp_path_factory):
    """A run over the sample store plus a document full of markup and one with an https URL."""
    root = tmp_path_factory.mktemp("hostile")
    store = root / "store"
    shutil.copytree(sample_store, store)
    (root / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in (HOSTILE, LINKED)))
    (root / "claims.jsonl").write_text("".join(json.dumps(c) + "\n" for c in CLAIMS))
    verifier = Verifier.open(store)
    verifier.ingest([root / "docs.jsonl"])
    run = run_batch(verifier, start_run(verifier, read_claims(root / "claims.jsonl")))
    results = verifier.runs.results(run.id)
    cited = {r.claim.id: {c.doc_id for c in r.citations} for r in results}
    assert "hostile" in cited["z1"] and "harbour" in cited["h1"], cited  # what the checks below are about
    return store, run, results


def chunk_text(result, chunk_id):
    return next(c.chunk.text for c in result.trail.candidates if c.chunk.id == chunk_id)


def assert_highlights_are_the_quotes(page, results):
    """Each <mark> holds its citation's quote, inside the whole text of the chunk it came from."""
    cited = [c for r in results for c in r.citations]
    marks = [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", page, re.S)]
    assert marks == [c.quote for c in cited]
    quotes = [html.unescape(re.sub(r"</?mark>", "", q)) for q in re.findall(r"<blockquote>(.*?)</blockquote>", page, re.S)]
    assert quotes == [chunk_text(r, c.chunk_id) for r in results for c in r.citations]


def test_html_is_self_contained_escaped_and_links_to_sources(hostile_run):
    _, run, results = hostile_run
    page = report_html(run, results)
    elements = Elements(page).elements
    assert {tag for tag, _ in elements} <= TEMPLATE_TAGS  # no element came from claim or document text
    assert not [(tag, name) for tag, attrs in elements for name in attrs if name.startswith("on") or name in ("src", "style")]
    assert [tag for tag, _ in elements].count("script") == 1  # ours, the verdict filter, inline
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page and "default-src 'none'" in page
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert "url(" not in style and "@import" not in style  # nothing to fetch
    assert "&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page  # the hostile claim id, as text
    assert "&lt;b&gt;Zorblax&lt;/b&gt; &amp; co" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    hrefs = [attrs["href"] for tag, attrs in elements if tag == "a"]
    assert not any(h.lower().startswith("javascript:") for h in hrefs)
    assert "https://example.org/harbour?a=1&b=2" in hrefs
    assert any(h.startswith("file://") and h.endswith("docs.jsonl#L1") for h in hrefs)  # no usable URL: the file
    assert any(h.startswith("file://") and h.endswith(".txt") for h in hrefs)
    assert_highlights_are_the_quotes(page, results)


def test_markdown_and_csv_keep_text_inert(hostile_run):
    _, run, results = hostile_run
    md = report_md(run, results)
    assert "<script" not in md and "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "&lt;b&gt;Zorblax&lt;/b&gt; &amp; co" in md and "javascript:" not in md
    assert "[Harbour news](<https://example.org/harbour?a=1&b=2>)" in md
    rows = list(csv.DictReader(io.StringIO(report_csv(results))))
    assert [r["id"] for r in rows] == ["z1", "h1", "<img src=x onerror=alert(1)>"]
    assert rows[1]["claim"] == "'=The harbour reopened after storm damage"  # a spreadsheet must not run it


def test_files_are_replaced_atomically_or_not_at_all(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["report.html"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # as an ordinary write would leave it, not mkstemp's 0600
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match="cannot write"):
        write_atomic(tmp_path / "folder", "x")
    with pytest.raises(InputError, match="cannot write"):
        write_atomic(tmp_path / "missing" / "r.md", "x")
    assert sorted(os.listdir(tmp_path)) == ["folder", "report.html"] and target.read_text() == "new"


def chromium(url: str, *args: str, profile) -> subprocess.CompletedProcess:
    # Without the networking flags Chromium hangs on a closed network.
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={profile}", *args, url], capture_output=True, text=True, timeout=120)


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (`make test` installs it with apt-get when run "
                                              "as root), so the HTML report was not opened in a browser")
def test_report_in_headless_chromium(hostile_run, tmp_path):
    store, run, results = hostile_run
    report = tmp_path / "report.html"
    proc = citetrail("report", run.id, "--html", str(report), "--store", str(store))
    assert proc.returncode == 0 and proc.stdout == f"wrote {report}\n", proc.stderr

    shot = tmp_path / "report.png"
    proc = chromium(report.as_uri(), f"--screenshot={shot}", "--window-size=1280,1600", profile=tmp_path / "profile")
    assert shot.exists(), proc.stderr
    assert png_size(shot) == (1280, 1600) and shot.stat().st_size > 30_000  # a page of text, not a blank one

    dom = chromium(report.as_uri(), "--dump-dom", profile=tmp_path / "profile").stdout
    assert '<body data-filter="all">' in dom  # our filter script ran: the policy let it
    assert 'data-pwned="' not in dom and "<img" not in dom  # no script of a document ran, no element came from one
    assert f"&lt;script&gt;{PWN.format(1)}&lt;/script&gt;" in dom
    assert_highlights_are_the_quotes(dom, results)

    verdict = results[0].verdict.value
    dom = chromium(report.as_uri() + f"#verdict={verdict}", "--dump-dom", profile=tmp_path / "profile").stdout
    assert f'<body data-filter="{verdict}">' in dom
    rows = re.findall(r'<tr data-verdict="([A-Z_]+)"( hidden="")?>', dom)
    assert len(rows) == len(results)
    assert all(bool(hidden) == (v != verdict) for v, hidden in rows)
