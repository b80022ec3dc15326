"""A run as one self-contained HTML file: claims table, verdict filter, each citation highlighted in its passage.

Every piece of claim and document text goes through Jinja2's autoescape. The page loads nothing
from anywhere, and its Content-Security-Policy allows no script but our own filter (by hash), so
a `<script>` inside a document could not run even if it slipped through.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipeline.models import CheckResult, Run, Verdict
from pipeline.render import passages

HERE = Path(__file__).parent


@cache
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(HERE), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def report_html(run: Run, results: list[CheckResult]) -> str:
    script = (HERE / "report.js").read_text(encoding="utf-8")
    script_hash = "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return environment().get_template("report.html.j2").render(
        run=run, items=[(r, passages(r)) for r in results], verdicts=list(Verdict),
        script=script, script_hash=script_hash)
