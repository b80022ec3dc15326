"""Results, trails and runs as Rich tables; every piece of claim or document text goes through `shown`."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.models import AuditReport, CheckResult, Run, Verdict, values_text

COLOURS = {Verdict.SUPPORTED: "green", Verdict.REFUTED: "red", Verdict.CONFLICTING: "yellow", Verdict.NOT_ENOUGH_INFO: "blue"}
SHORT = {Verdict.SUPPORTED: "S", Verdict.REFUTED: "R", Verdict.CONFLICTING: "C", Verdict.NOT_ENOUGH_INFO: "N"}


def shown(text: str) -> str:
    """Text for the terminal: rich markup escaped, and control and format characters (ANSI escapes,
    bidi overrides, bytes that were not UTF-8) replaced, so no document or claim can drive the terminal."""
    return escape("".join(ch if ch.isprintable() or ch == "\n" else " " if ch == "\t" else "\ufffd" for ch in text))


def shortened(text: str, width: int, head_share: float = 0.5) -> str:
    """`text` in at most `width` characters, its middle replaced by '…': the start of an id and its end (the chunk
    number, a file name) both stay readable, and nothing is split across lines."""
    if len(text) <= width:
        return text
    head = int((width - 1) * head_share)
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


def print_result(console: Console, result: CheckResult) -> None:
    """Verdict, confidence, rule and citations; then the trail, when the result has one."""
    colour = COLOURS[result.verdict]
    console.print(f"[bold {colour}]{result.verdict.value}[/] (confidence {result.confidence:.2f}) {shown(result.claim.text)}",
                  highlight=False)
    console.print(f"[dim]rule: {shown(result.rule)}; {result.judged_pairs} sentences judged[/]", highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]warning: {shown(warning)}[/]", highlight=False)
    if result.citations:
        # Short cells never wrap (an id split over three lines cannot be read); the quote takes the rest of the width.
        table = Table(show_lines=True, box=box.SQUARE)
        table.add_column("stance, P(e/n/c)", no_wrap=True)
        table.add_column("chunk, span", no_wrap=True)
        table.add_column("quote", overflow="fold", ratio=1, min_width=20)
        for c in result.citations:
            p = c.probabilities
            values = f"\n[dim]{shown(values_text(c.quantities))}[/]" if c.quantities else ""
            page = f" p. {c.page}" if getattr(c, "page", None) else ""
            table.add_row(f"{c.stance.value}\n{p.entailment:.2f}/{p.neutral:.2f}/{p.contradiction:.2f}",
                          f"{shown(shortened(c.chunk_id, 22))}\n{c.start}-{c.end}{page}", shown(c.quote) + values)
        console.print(table)
    if result.trail:
        print_trail(console, result)


def print_trail(console: Console, result: CheckResult) -> None:
    """The retrieval candidates with each retriever's score and rank, then every judged sentence, strongest first."""
    trail = result.trail
    table = Table(title=f"retrieved {len(trail.candidates)} chunks, judged {len(trail.judgements)} sentences", show_lines=False)
    for col in ("rank", "fused", "dense", "lexical (BM25)", "chunk"):
        table.add_column(col, overflow="fold")
    for c in trail.candidates:
        table.add_row(str(c.rank), f"{c.fused_score:.4f}", "-" if c.dense_rank is None else f"#{c.dense_rank} {c.dense_score:.3f}",
                      "-" if c.lexical_rank is None else f"#{c.lexical_rank} {c.lexical_score:.2f}", shown(c.chunk.id))
    console.print(table)
    table = Table(show_lines=True)
    for col in ("stance", "P(e/n/c)", "span", "sentence"):
        table.add_column(col, overflow="fold")
    for j in sorted(trail.judgements, key=lambda j: (-j.relevant, -j.strength)):
        p = j.probabilities
        read = f"{p.entailment:.2f}/{p.neutral:.2f}/{p.contradiction:.2f}" if p else "not read"
        notes = [f"context: {j.context}"] if j.context else []
        notes += [j.relevance or ""] if not j.relevant else []
        notes += [values_text(j.quantities)] if j.quantities else []
        extra = "".join(f"\n[dim]{shown(n)}[/]" for n in notes if n)
        table.add_row(j.stance.value, read, shown(f"{j.chunk_id} {j.start}-{j.end}"), shown(j.quote) + extra)
    console.print(table)


def print_record(console: Console, run: Run, result: CheckResult) -> None:
    """One claim of a run: where it sits, then its result and whole trail."""
    meta = "".join(f"; {shown(str(k))}: {shown(str(v))}" for k, v in result.claim.metadata.items())
    timings = ", ".join(f"{k} {v:.0f} ms" for k, v in result.timings_ms.items())
    console.print(f"[bold]run {shown(run.id)}, claim {shown(result.claim.id)}[/]{meta}", highlight=False)
    console.print(f"[dim]index {result.versions.index_fingerprint}, verifier {shown(result.versions.verifier_model)}; "
                  f"{timings}[/]", highlight=False)
    print_result(console, result)


def print_runs(console: Console, runs: list[Run]) -> None:
    """One line per run. Under 100 columns the creation time is left out (the run id holds it: 20261130-133816) and the
    input path is shortened in its middle (its file name stays): nothing is split across lines."""
    wide = console.width >= 100
    table = Table(caption="UTC; S supported, R refuted, C conflicting, N not enough info", box=None, pad_edge=False,
                  header_style="bold underline")
    columns = ["run", "created", "input", "claims", "verdicts", "status"] if wide else ["run", "input", "claims", "verdicts",
                                                                                          "status"]
    for col in columns:
        table.add_column(col, no_wrap=True)
    rows = []
    for run in runs:
        counts = " ".join(f"{SHORT[v]}{run.verdicts.get(v, 0)}" for v in Verdict)
        done = str(run.claims) if run.checked == run.claims else f"{run.checked}/{run.claims}"
        rows.append({"run": run.id, "created": f"{run.created:%Y-%m-%d %H:%M}", "input": run.input, "claims": done,
                     "verdicts": counts, "status": run.status.value})
    fixed = sum(max(len(col), *(len(r[col]) for r in rows)) + 2 for col in columns if col != "input") + 2
    for r in rows:
        r["input"] = shown(shortened(r["input"], max(10, console.width - fixed), 0.2))
        table.add_row(*(r[col] for col in columns))
    console.print(table)


def print_audit(console: Console, report: AuditReport) -> None:
    """One row per checked claim of the article, then the summary counts."""
    table = Table(show_lines=True, title=f"{report.doc_id}: {report.summary.checked} claims checked against the corpus "
                  f"(its own document excluded; {report.extractor} extractor)")
    for col in ("claim", "verdict", "span", "speaker", "claim text", "top citation"):
        table.add_column(col, overflow="fold")
    for r in report.results:
        top = r.citations[0] if r.citations else None
        span = f"{r.claim.span.start}-{r.claim.span.end}" if r.claim.span else "-"
        table.add_row(r.claim.id, f"[{COLOURS[r.verdict]}]{r.verdict.value}[/] {r.confidence:.2f}", span,
                      shown(r.claim.speaker or "-"), shown(r.claim.text),
                      shown(f"{top.doc_id}: {top.quote}") if top else "-")
    console.print(table)
    s = report.summary
    console.print(f"{s.checked} checked: {s.supported} supported, {s.refuted} refuted, {s.conflicting} conflicting, "
                  f"{s.unverified} unverified; {s.dropped} dropped as not check-worthy", highlight=False, soft_wrap=True)
