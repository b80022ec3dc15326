"""The `citetrail` command: a thin layer over `pipeline.api.Verifier`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline.errors import CitetrailError, InputError
from pipeline.models import AuditReport, CheckResult, Document, Verdict

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Check claims against your own corpus, citing the passages that decide.")
out = Console()
err = Console(stderr=True)

StoreOpt = Annotated[Path | None, typer.Option("--store", help="store folder [env CITETRAIL_STORE; default .citetrail]")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML config file [env CITETRAIL_CONFIG; default ./citetrail.toml]")]
ExtractorOpt = Annotated[str | None, typer.Option("--extractor", help="rules (spaCy, offline) or llm [env CITETRAIL_EXTRACTOR; "
                                                                    "default rules]")]
SourceArg = Annotated[str, typer.Argument(help="the article: a .txt, .md or .html file, or - for standard input")]
COLOURS = {Verdict.SUPPORTED: "green", Verdict.REFUTED: "red", Verdict.CONFLICTING: "yellow", Verdict.NOT_ENOUGH_INFO: "blue"}


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="files or folders (.txt .md .html .jsonl)")],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    prune: Annotated[bool, typer.Option("--prune", help="remove stored documents whose files are gone")] = False,
    skip_bad_lines: Annotated[bool, typer.Option("--skip-bad-lines", help="skip malformed JSONL lines instead of stopping")] = False,
    follow_symlinks: Annotated[bool, typer.Option("--follow-symlinks", help="follow symlinks that leave the folder")] = False,
) -> None:
    """Chunk, embed and store documents; unchanged ones are skipped, changed ones replaced."""
    from pipeline.api import Verifier

    verifier = Verifier.open(store, create=True, config=config)
    with Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, disable=not err.is_terminal) as bar:
        task = bar.add_task("ingest", total=None)
        report = verifier.ingest(paths, prune=prune, on_error="skip" if skip_bad_lines else "stop",
                                 follow_symlinks=follow_symlinks,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total))
    for line in report.skipped_lines:
        err.print(f"skipped {escape(line)}", highlight=False)
    out.print(f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
              f"{len(report.removed)} removed; {report.chunks_written} chunks written in {report.seconds:.1f} s "
              f"(store {verifier.settings.store}, fingerprint {report.fingerprint})", highlight=False)


@app.command()
def check(
    claim: Annotated[str, typer.Argument(help="the claim to check")],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON (see `citetrail schema`)")] = False,
    top_k: Annotated[int | None, typer.Option("--top-k", help="retrieved chunks to judge")] = None,
    verifier_model: Annotated[str | None, typer.Option("--verifier", help="'shipped' or a Hugging Face NLI model name/path")] = None,
    trail: Annotated[bool, typer.Option("--trail", help="include every retrieved chunk and judged sentence")] = False,
) -> None:
    """Say whether the corpus supports or refutes a claim, citing the passages."""
    from pipeline.api import Verifier

    verifier = Verifier.open(store, config=config, top_k=top_k, verifier=verifier_model)
    result = verifier.check(claim, trail=trail)
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        print_result(result)


def read_source(source: str, max_bytes: int) -> Document:
    """The article named on the command line; '-' reads standard input."""
    from pipeline.extract import to_document
    from pipeline.load import decode, make_document

    if source != "-":
        return to_document(Path(source), max_bytes)
    text = decode(sys.stdin.buffer.read(max_bytes + 1), Path("<stdin>"))
    if len(text.encode()) > max_bytes or not text.strip():
        raise InputError("standard input is empty or over max_document_bytes")
    return make_document("stdin", "", "<stdin>", text)


@app.command()
def extract(
    source: SourceArg,
    config: ConfigOpt = None,
    extractor: ExtractorOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="every claim as JSON, dropped ones with their reason")] = False,
    show_all: Annotated[bool, typer.Option("--all", help="also list dropped sentences, each with its reason")] = False,
) -> None:
    """Pull the checkable claims out of an article, one per line."""
    from pipeline.config import load_settings
    from pipeline.extract import extract_claims

    settings = load_settings(config, extractor=extractor)
    extraction = extract_claims(read_source(source, settings.max_document_bytes), settings=settings)
    if as_json:
        sys.stdout.write(extraction.model_dump_json(indent=2) + "\n")
        return
    for c in extraction.claims:
        if c.check_worthy:
            out.print(escape(c.claim.text), highlight=False, soft_wrap=True)
        elif show_all:
            out.print(f"[dim]# dropped ({c.drop_reason.value}: {escape(c.drop_detail or '')}): {escape(c.claim.text)}[/]",
                      highlight=False, soft_wrap=True)


@app.command()
def audit(
    source: SourceArg,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    extractor: ExtractorOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="the audit as JSON: a CheckResult per claim, and a summary")] = False,
    top_k: Annotated[int | None, typer.Option("--top-k", help="retrieved chunks to judge")] = None,
) -> None:
    """Extract an article's claims and check each against the rest of the corpus (the article's own
    document is left out of retrieval)."""
    from pipeline.config import load_settings

    article = read_source(source, load_settings(config, store=store, top_k=top_k, extractor=extractor).max_document_bytes)
    from pipeline.api import Verifier  # after the article is read: bad input fails fast

    report = Verifier.open(store, config=config, top_k=top_k, extractor=extractor).audit(article)
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        print_audit(report)


eval_app = typer.Typer(no_args_is_help=True, help="Measure citetrail on labelled claims (reports go to eval/reports/).")
app.add_typer(eval_app, name="eval")


@eval_app.command("scifact")
def eval_scifact(
    split: Annotated[str, typer.Option("--split", help="train or dev")] = "dev",
    data: Annotated[Path | None, typer.Option("--data", help="SciFact folder [default ../shared/eval/scifact]")] = None,
    stores: Annotated[Path, typer.Option("--stores", help="where the cached SciFact store is kept")] = Path("build"),
    limit: Annotated[int, typer.Option("--limit", help="first N claims only")] = 0,
    fit: Annotated[bool, typer.Option("--fit", help="fit verdict thresholds (train only) into the shipped model")] = False,
) -> None:
    """SciFact with its official metrics, open retrieval over all abstracts."""
    from eval import scifact_eval

    if split not in ("train", "dev"):
        raise InputError("--split must be train or dev")
    report = scifact_eval.run(split, data or scifact_eval.DEFAULT_DIR, stores, limit, fit)
    out.print(scifact_eval.render(report), highlight=False)


@eval_app.command("claims")
def eval_claims(
    claims: Annotated[Path, typer.Argument(help="JSONL: id, claim, label, optional evidence [{doc_id, quote}]")],
    corpus: Annotated[list[Path], typer.Option("--corpus", help="corpus folder or file (repeatable)")],
    stores: Annotated[Path, typer.Option("--stores", help="where the corpus store is kept")] = Path("build"),
) -> None:
    """Any labelled claim set against any corpus: accuracy, macro-F1, confusion, citation accuracy."""
    from eval import claims_eval

    out.print(claims_eval.summary(claims_eval.run(claims, corpus, stores)), highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON schema of a check result."""
    sys.stdout.write(json.dumps(CheckResult.model_json_schema(), indent=2) + "\n")


def print_result(result: CheckResult) -> None:
    colour = COLOURS[result.verdict]
    out.print(f"[bold {colour}]{result.verdict.value}[/] (confidence {result.confidence:.2f}) {escape(result.claim.text)}",
              highlight=False)
    out.print(f"[dim]rule: {escape(result.rule)}; {result.judged_pairs} sentences judged[/]", highlight=False)
    if not result.citations:
        return
    table = Table(show_lines=True)
    for col in ("stance", "P(e/n/c)", "document", "span", "quote"):
        table.add_column(col, overflow="fold")
    for c in result.citations:
        p = c.probabilities
        table.add_row(c.stance.value, f"{p.entailment:.2f}/{p.neutral:.2f}/{p.contradiction:.2f}",
                      escape(f"{c.doc_id}\n{c.chunk_id}"), f"{c.start}-{c.end}", escape(c.quote))
    out.print(table)
    if result.trail:
        print_trail(result)


def print_audit(report: AuditReport) -> None:
    table = Table(show_lines=True, title=f"{report.doc_id}: {report.summary.checked} claims checked against the corpus "
                  f"(its own document excluded; {report.extractor} extractor)")
    for col in ("claim", "verdict", "span", "speaker", "claim text", "top citation"):
        table.add_column(col, overflow="fold")
    for r in report.results:
        top = r.citations[0] if r.citations else None
        span = f"{r.claim.span.start}-{r.claim.span.end}" if r.claim.span else "-"
        table.add_row(r.claim.id, f"[{COLOURS[r.verdict]}]{r.verdict.value}[/] {r.confidence:.2f}", span,
                      escape(r.claim.speaker or "-"), escape(r.claim.text),
                      escape(f"{top.doc_id}: {top.quote}") if top else "-")
    out.print(table)
    s = report.summary
    out.print(f"{s.checked} checked: {s.supported} supported, {s.refuted} refuted, {s.conflicting} conflicting, "
              f"{s.unverified} unverified; {s.dropped} dropped as not check-worthy", highlight=False, soft_wrap=True)


def print_trail(result: CheckResult) -> None:
    trail = result.trail
    table = Table(title=f"retrieved {len(trail.candidates)} chunks, judged {len(trail.judgements)} sentences", show_lines=False)
    for col in ("rank", "fused", "dense", "bm25", "chunk"):
        table.add_column(col, overflow="fold")
    for c in trail.candidates:
        table.add_row(str(c.rank), f"{c.fused_score:.4f}", "-" if c.dense_rank is None else f"#{c.dense_rank} {c.dense_score:.3f}",
                      "-" if c.lexical_rank is None else f"#{c.lexical_rank} {c.lexical_score:.2f}", escape(c.chunk.id))
    out.print(table)
    table = Table(show_lines=True)
    for col in ("stance", "P(e/n/c)", "span", "sentence"):
        table.add_column(col, overflow="fold")
    for j in sorted(trail.judgements, key=lambda j: -max(j.probabilities.entailment, j.probabilities.contradiction)):
        p = j.probabilities
        table.add_row(j.stance.value, f"{p.entailment:.2f}/{p.neutral:.2f}/{p.contradiction:.2f}",
                      escape(f"{j.chunk_id} {j.start}-{j.end}"), escape(j.quote))
    out.print(table)


def main() -> None:
    """Run the app; user errors become one line on stderr and a non-zero exit, never a traceback."""
    try:
        app(standalone_mode=False)
    except CitetrailError as exc:
        err.print(f"error: {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        err.print(f"error: {escape(exc.format_message())}", highlight=False, soft_wrap=True)
        sys.exit(InputError.exit_code)
    except click.exceptions.Abort:
        err.print("error: interrupted")
        sys.exit(130)
    except KeyboardInterrupt:
        err.print("error: interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug: still one line, with the traceback on request
        if os.environ.get("CITETRAIL_DEBUG"):
            raise
        err.print(f"error: unexpected {type(exc).__name__}: {escape(str(exc))} (set CITETRAIL_DEBUG=1 for details)",
                  highlight=False, soft_wrap=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
