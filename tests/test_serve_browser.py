"""The web app in real Chromium (Debian's, driven by Playwright): log in, check a claim, open its document,
audit an article, run a batch with its progress bar, filter runs, open a trail, upload documents; the
hostile documents of ../shared/cases/regressions shown with no script of theirs running.

Screenshots go to $CITETRAIL_SCREENSHOTS when set (eval/reports/serve/ holds the committed ones)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SHARED
from tests.serving import TOKEN

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[dev]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

CLAIM = "Russia wants about 6,000 sq km it has not conquered"
REGRESSIONS = SHARED / "cases" / "regressions"
ARTICLE = ("Vance talks\n\nUS Vice President JD Vance said Russia wants about 6,000 square kilometres it has not yet conquered. "
           "He said the talks had narrowed to a couple of core issues. Trump met Putin in Moscow last week. What comes next?")


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    where = os.environ.get("CITETRAIL_SCREENSHOTS")
    path = Path(where) if where else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class Watched:
    """A page that records every dialog, page error and console error (a script that ran where none should)."""

    def __init__(self, browser, width: int = 1280, height: int = 900) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def login(self, base: str, route: str = "#/check") -> None:
        self.page.goto(f"{base}/{route}")
        self.page.fill("#token", TOKEN)
        self.page.click("form button[type=submit]")
        self.page.wait_for_selector("#nav a[aria-current=page]")
        self.errors.clear()  # the 401 that asked for the token

    def clean(self) -> None:
        """Nothing ran that a document could have planted."""
        assert self.dialogs == []
        assert [e for e in self.errors if "favicon" not in e] == []
        assert "PWNED" not in self.page.title()
        assert self.page.evaluate("document.querySelector('[data-pwned]')") is None


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.page.close()


def test_check_a_claim_and_open_its_document(served, watched, shots):
    page = watched.page
    watched.login(served.base)
    expected = served.post("/v1/check", json={"claim": CLAIM}).json()
    page.fill("#claim-input", CLAIM)
    page.click("#check-button")
    page.wait_for_selector(".result")
    assert page.inner_text(".result .badge").replace(" ", "_") == expected["verdict"]
    assert page.locator(".result mark").all_inner_texts() == [c["quote"] for c in expected["citations"]]
    page.screenshot(path=str(shots / "check.png"), full_page=True)
    page.click(".open-doc >> nth=0")
    page.wait_for_selector("#cited")
    assert page.inner_text("#cited") == expected["citations"][0]["quote"]
    assert page.evaluate("document.getElementById('cited').getBoundingClientRect().top") < 900  # scrolled to the span
    page.screenshot(path=str(shots / "document.png"))
    watched.clean()


def test_audit_an_article(served, watched, shots):
    page = watched.page
    watched.login(served.base)
    page.fill("#claim-input", ARTICLE)
    page.click("#audit-button")
    page.wait_for_selector(".result")
    claims = page.locator(".result .claim").all_inner_texts()
    assert len(claims) >= 2 and any("6,000 square kilometres" in c for c in claims)
    assert page.inner_text("#audit-summary").startswith(f"{len(claims)} claims checked:")
    page.screenshot(path=str(shots / "audit.png"), full_page=True)
    watched.clean()


def test_batch_with_progress_then_filter_runs_and_open_a_trail(served, watched, shots):
    page = watched.page
    watched.login(served.base, "#/batch")
    page.fill("#claims-lines", "\n".join([CLAIM, "Trump met Putin in Moscow", "Vance is the US vice president",
                                          "Russia wants about 9,000 sq km it has not conquered"]))
    page.click("#batch-start")
    page.wait_for_selector("#batch-progress")
    page.wait_for_selector("#batch-open", timeout=120_000)
    assert page.get_attribute("#batch-progress", "value") == page.get_attribute("#batch-progress", "max") == "4"
    page.screenshot(path=str(shots / "batch.png"))
    page.click("#batch-open")
    page.wait_for_selector("#run-results tbody tr")
    assert page.locator("#run-results tbody tr").count() == 4
    page.screenshot(path=str(shots / "run.png"), full_page=True)
    page.click("#claimreview-button")
    page.wait_for_selector("#claimreview")
    assert page.inner_text("#claimreview").count('"@type": "ClaimReview"') == 4
    page.goto(page.url)  # the same run page again, without the JSON
    verdict = page.get_attribute("#run-results tbody tr >> nth=0", "data-verdict")
    page.click(f"#verdict-filter a[data-verdict={verdict}]")
    page.wait_for_selector(f"#verdict-filter a[data-verdict={verdict}][aria-current=true]")
    rows = page.locator("#run-results tbody tr")
    assert rows.count() >= 1 and {rows.nth(i).get_attribute("data-verdict") for i in range(rows.count())} == {verdict}
    page.screenshot(path=str(shots / "run-filtered.png"), full_page=True)
    page.click("#run-results tbody tr >> nth=0 >> a")
    page.wait_for_selector(".result")
    assert page.locator("table").count() == 2  # retrieved passages and judged sentences
    page.screenshot(path=str(shots / "trail.png"), full_page=True)
    page.goto(served.base + "/#/runs")
    page.wait_for_selector("#runs-table")
    page.screenshot(path=str(shots / "runs.png"), full_page=True)
    watched.clean()


def test_hostile_documents_run_no_script(served, watched, shots):
    page = watched.page
    watched.login(served.base, "#/documents")
    for name in ("xss-text.txt", "xss-entities.html", "hostile.jsonl", "injection.txt"):
        page.set_input_files("#document-file", str(REGRESSIONS / name))
        page.click("#upload-button")
        page.wait_for_selector("#upload-status .notice, #upload-status .error")
        assert page.locator("#upload-status .error").count() == 0, page.inner_text("#upload-status")
    page.wait_for_selector("#documents-table a:text('id with html')")
    page.screenshot(path=str(shots / "documents.png"), full_page=True)
    watched.clean()
    ids = [d["id"] for d in served.get("/v1/documents").json()]
    for doc_id in ("xss-text", "xss-entities", "js-url", "attr-break", "data-url", "<img src=x onerror=alert(1)>", "injection"):
        assert doc_id in ids
        page.goto(served.base + "/#/documents/" + doc_id.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20"))
        page.wait_for_selector("#doc-text")
        page.wait_for_timeout(200)  # an onerror or onload would have fired by now
        watched.clean()
    page.goto(served.base + "/#/documents/xss-text")
    page.wait_for_selector("#doc-text:has-text('PWNED-TXT')")  # not the previous document's text, still shown
    assert "<script>document.title='PWNED-TXT'" in page.inner_text("#doc-text")  # shown as text
    page.screenshot(path=str(shots / "hostile-document.png"), full_page=True)

    page.goto(served.base + "/#/batch")
    page.set_input_files("#claims-file", str(REGRESSIONS / "hostile-claims.jsonl"))
    page.click("#batch-start")
    page.wait_for_selector("#batch-open", timeout=120_000)
    page.click("#batch-open")
    page.wait_for_selector("#run-results tbody tr")
    assert "<img src=x onerror=" in page.inner_text("#run-results")
    page.wait_for_timeout(200)
    page.screenshot(path=str(shots / "hostile-run.png"), full_page=True)
    page.goto(served.base + "/#/check")
    page.fill("#claim-input", "The Harbour ferry carries 5,000 passengers a day.")
    page.click("#check-button")
    page.wait_for_selector(".result mark")
    assert "xss-text" in page.get_attribute(".open-doc >> nth=0", "href")
    page.wait_for_timeout(200)
    page.screenshot(path=str(shots / "hostile-check.png"), full_page=True)
    watched.clean()


def test_phone_width_and_api_page(served, browser, shots):
    phone = Watched(browser, 390, 844)
    try:
        phone.login(served.base)
        phone.page.fill("#claim-input", CLAIM)
        phone.page.click("#check-button")
        phone.page.wait_for_selector(".result mark")
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        phone.page.screenshot(path=str(shots / "check-phone.png"), full_page=True)
        phone.page.goto(served.base + "/#/api")
        phone.page.wait_for_selector("#api-table")
        assert phone.page.locator("#api-table tbody tr").count() >= 16
        phone.page.set_viewport_size({"width": 1280, "height": 900})
        phone.page.screenshot(path=str(shots / "api.png"), full_page=True)
        phone.clean()
    finally:
        phone.page.close()
