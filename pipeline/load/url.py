"""Web pages by URL, fetched with trafilatura, only when the user asks (`citetrail ingest https://...`): citetrail is
offline by default. The document keeps the URL as its source, and the page's title and date."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from pipeline.errors import InputError
from pipeline.load.html import html_document
from pipeline.models import Document

URL = re.compile(r"\Ahttps?://", re.IGNORECASE)


def is_url(value: str) -> bool:
    return bool(URL.match(value))


def url_id(url: str) -> str:
    """A stable id for a page: its host and last path segment, and a short hash of the whole URL (two pages named
    index.html on one site stay apart)."""
    parts = urlsplit(url)
    tail = [p for p in parts.path.split("/") if p]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{parts.hostname or 'page'}-{tail[-1] if tail else 'index'}").strip("-")
    return f"{stem[:80]}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def fetch_url(url: str, max_bytes: int, timeout: float = 30.0) -> Document:
    """Download `url` and read its main text; one line for a page that cannot be fetched or holds no text."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "citetrail (+offline claim verification)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
            charset = response.headers.get_content_charset()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"{url}: cannot fetch: {reason}") from None
    if len(data) > max_bytes:
        raise InputError(f"{url}: over the limit of {max_bytes} bytes (max_document_bytes)")
    if charset:
        try:
            html = data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            charset = None
    if not charset:
        from pipeline.load.base import detect

        html, charset = detect(data, url)  # type: ignore[arg-type]
    doc = html_document(html, url_id(url), url, url, encoding=charset, format="url")
    return doc.model_copy(update={"url": url})
