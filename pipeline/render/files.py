"""A run's results as JSONL (one CheckResult a line), CSV (one claim a row) and Markdown."""

from __future__ import annotations

import csv
import html
import io
import re

from pipeline.models import CheckResult, Run, Verdict, values_text
from pipeline.render import passages
from pipeline.textnorm import normalise_space

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def results_jsonl(results: list[CheckResult], trail: bool = False) -> str:
    """What `citetrail check --json` prints, one result a line; trails only if asked for."""
    return "".join((r if trail else r.model_copy(update={"trail": None})).model_dump_json() + "\n" for r in results)


def cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (a quote or claim may start with '=')."""
    return "'" + text if text.startswith(FORMULA_START) else text


def report_csv(results: list[CheckResult]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["id", "claim", "verdict", "confidence", "rule", "judged_sentences", "cited_documents",
                     "top_quote", "top_source", "warnings"])
    for r in results:
        top = r.citations[0] if r.citations else None
        writer.writerow([cell(r.claim.id), cell(r.claim.text), r.verdict.value, f"{r.confidence:.4f}", r.rule, r.judged_pairs,
                         cell(";".join(dict.fromkeys(c.doc_id for c in r.citations))),
                         cell(top.quote) if top else "", cell(top.source) if top else "", cell(" | ".join(r.warnings))])
    return buf.getvalue()


def md(text: str) -> str:
    """Text as one Markdown line that renders as itself: no HTML, no emphasis, no table breaks."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(normalise_space(str(text)), quote=False))


def md_link(label: str, href: str) -> str:
    return f"[{md(label)}](<{href.replace('<', '%3C').replace('>', '%3E').replace(' ', '%20')}>)"


def report_md(run: Run, results: list[CheckResult]) -> str:
    v = run.versions
    temperature = f", temperature {v.verifier_temperature:g}" if v.verifier_temperature is not None else ""
    lines = [f"# citetrail run {run.id}", "",
             f"{md(run.input)} · created {run.created:%Y-%m-%d %H:%M} UTC · {run.status.value} · "
             f"{run.checked} of {run.claims} claims checked", "",
             f"verifier {md(v.verifier_model)} ({v.verifier_model_sha256[:12]}{temperature}) · index {v.index_fingerprint} · "
             f"thresholds {md(', '.join(f'{k} {x:g}' for k, x in v.thresholds.model_dump().items()))}", "",
             "| verdict | claims |", "|---|---|"]
    lines += [f"| {verdict.value} | {run.verdicts.get(verdict, 0)} |" for verdict in Verdict]
    lines += ["", "| id | claim | verdict | confidence |", "|---|---|---|---|"]
    lines += [f"| {md(r.claim.id)} | {md(r.claim.text)} | {r.verdict.value} | {r.confidence:.2f} |" for r in results]
    for r in results:
        lines += ["", f"## {md(r.claim.id)}: {r.verdict.value} ({r.confidence:.2f})", "", md(r.claim.text), "",
                  f"rule: {md(r.rule)}; {r.judged_pairs} sentences judged"]
        lines += [f"\n**warning**: {md(w)}" for w in r.warnings]
        for p in passages(r):
            c = p.citation
            prob = c.probabilities
            page = f"p. {c.page}, " if c.page else ""
            lines += ["", f"- **{c.stance.value}** (P e/n/c {prob.entailment:.2f}/{prob.neutral:.2f}/{prob.contradiction:.2f}) "
                          f"{md_link(c.title, p.href)}, {page}characters {c.start}-{c.end}:", "", f"  > {md(c.quote)}"]
            lines += ["", f"  values: {md(values_text(c.quantities))}"] if c.quantities else []
    return "\n".join(lines) + "\n"
