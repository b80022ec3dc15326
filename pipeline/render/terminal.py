"""Results, trails and runs as Rich tables; every piece of claim or document text is markup-escaped."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.models import CheckResult, Run, Verdict

COLOURS = {Verdict.SUPPORTED: "green", Verdict.REFUTED: "red", Verdict.CONFLICTING: "yellow", Verdict.NOT_ENOUGH_INFO: "blue"}
SHORT = {Verdict.SUPPORTED: "S", Verdict.REFUTED: "R", Verdict.CONFLICTING: "C", Verdict.NOT_ENOUGH_INFO: "N"}


def print_result(console: Console, result: CheckResult) -> None:
    """Verdict, confidence, rule and citations; then the trail, when the result has one."""
    colour = COLOURS[result.verdict]
    console.print(f"[bold {colour}]{result.verdict.value}[/] (confidence {result.confidence:.2f}) {escape(result.claim.text)}",
                  highlight=False)
    console.print(f"[dim]rule: {escape(result.rule)}; {result.judged_pairs} sentences judged[/]", highlight=False)
    if result.citations:
        table = Table(show_lines=True)
        for col in ("stance", "P(e/n/c)", "document", "span", "quote"):
            table.add_column(col, overflow="fold")
        for c in result.citations:
            p = c.probabilities
            table.add_row(c.stance.value, f"{p.entailment:.2f}/{p.neutral:.2f}/{p.contradiction:.2f}",
                          escape(f"{c.doc_id}\n{c.chunk_id}"), f"{c.start}-{c.end}", escape(c.quote))
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
                      "-" if c.lexical_rank is None else f"#{c.lexical_rank} {c.lexical_score:.2f}", escape(c.chunk.id))
    console.print(table)
    table = Table(show_lines=True)
    for col in ("stance", "P(e/n/c)", "span", "sentence"):
        table.add_column(col, overflow="fold")
    for j in sorted(trail.judgements, key=lambda j: -max(j.probabilities.entailment, j.probabilities.contradiction)):
        p = j.probabilities
        table.add_row(j.stance.value, f"{p.entailment:.2f}/{p.neutral:.2f}/{p.contradiction:.2f}",
                      escape(f"{j.chunk_id} {j.start}-{j.end}"), escape(j.quote))
    console.print(table)


def print_record(console: Console, run: Run, result: CheckResult) -> None:
    """One claim of a run: where it sits, then its result and whole trail."""
    meta = "".join(f"; {escape(str(k))}: {escape(str(v))}" for k, v in result.claim.metadata.items())
    timings = ", ".join(f"{k} {v:.0f} ms" for k, v in result.timings_ms.items())
    console.print(f"[bold]run {escape(run.id)}, claim {escape(result.claim.id)}[/]{meta}", highlight=False)
    console.print(f"[dim]index {result.versions.index_fingerprint}, verifier {escape(result.versions.verifier_model)}; "
                  f"{timings}[/]", highlight=False)
    print_result(console, result)


def print_runs(console: Console, runs: list[Run]) -> None:
    table = Table(caption="verdicts: S supported, R refuted, C conflicting, N not enough info")
    for col in ("run", "created (UTC)", "input", "claims", "verdicts", "status"):
        table.add_column(col, overflow="fold", no_wrap=col != "input")
    for run in runs:
        counts = " ".join(f"{SHORT[v]} {run.verdicts.get(v, 0)}" for v in Verdict)
        done = str(run.claims) if run.checked == run.claims else f"{run.checked} of {run.claims}"
        table.add_row(run.id, f"{run.created:%Y-%m-%d %H:%M}", escape(run.input), done, counts, run.status.value)
    console.print(table)
