"""The `citetrail` command: a thin layer over `pipeline.api.Verifier`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline.errors import CitetrailError, InputError
from pipeline.models import CheckResult, Verdict

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Check claims against your own corpus, citing the passages that decide.")
out = Console()
err = Console(stderr=True)

StoreOpt = Annotated[Path | None, typer.Option("--store", help="store folder [env CITETRAIL_STORE; default .citetrail]")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML config file [env CITETRAIL_CONFIG; default ./citetrail.toml]")]
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
        err.print(f"skipped {shown(line)}", highlight=False)
    out.print(f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
              f"{len(report.removed)} removed; {report.chunks_written} chunks written in {report.seconds:.1f} s "
              f"(store {shown(str(verifier.settings.store))}, fingerprint {report.fingerprint})", highlight=False)


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


def shown(text: str) -> str:
    """Text for the terminal: rich markup escaped, and control and format characters (ANSI escapes,
    bidi overrides, bytes that were not UTF-8) replaced, so no document or claim can drive the terminal."""
    return escape("".join(ch if ch.isprintable() or ch == "\n" else " " if ch == "\t" else "\ufffd" for ch in text))


def print_result(result: CheckResult) -> None:
    colour = COLOURS[result.verdict]
    out.print(f"[bold {colour}]{result.verdict.value}[/] (confidence {result.confidence:.2f}) {shown(result.claim.text)}",
              highlight=False)
    out.print(f"[dim]rule: {shown(result.rule)}; {result.judged_pairs} sentences judged[/]", highlight=False)
    if not result.citations:
        return
    table = Table(show_lines=True)
    for col in ("stance", "P(e/n/c)", "document", "span", "quote"):
        table.add_column(col, overflow="fold")
    for c in result.citations:
        p = c.probabilities
        table.add_row(c.stance.value, f"{p.entailment:.2f}/{p.neutral:.2f}/{p.contradiction:.2f}",
                      shown(f"{c.doc_id}\n{c.chunk_id}"), f"{c.start}-{c.end}", shown(c.quote))
    out.print(table)
    if result.trail:
        print_trail(result)


def print_trail(result: CheckResult) -> None:
    trail = result.trail
    table = Table(title=f"retrieved {len(trail.candidates)} chunks, judged {len(trail.judgements)} sentences", show_lines=False)
    for col in ("rank", "fused", "dense", "bm25", "chunk"):
        table.add_column(col, overflow="fold")
    for c in trail.candidates:
        table.add_row(str(c.rank), f"{c.fused_score:.4f}", "-" if c.dense_rank is None else f"#{c.dense_rank} {c.dense_score:.3f}",
                      "-" if c.lexical_rank is None else f"#{c.lexical_rank} {c.lexical_score:.2f}", shown(c.chunk.id))
    out.print(table)
    table = Table(show_lines=True)
    for col in ("stance", "P(e/n/c)", "span", "sentence"):
        table.add_column(col, overflow="fold")
    for j in sorted(trail.judgements, key=lambda j: -max(j.probabilities.entailment, j.probabilities.contradiction)):
        p = j.probabilities
        table.add_row(j.stance.value, f"{p.entailment:.2f}/{p.neutral:.2f}/{p.contradiction:.2f}",
                      shown(f"{j.chunk_id} {j.start}-{j.end}"), shown(j.quote))
    out.print(table)


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, whatever the message holds, then exit."""
    err.print(f"error: {shown(' '.join(message.splitlines()))}", highlight=False, soft_wrap=True)
    sys.exit(code)


def main() -> None:
    """Run the app; user errors become one line on stderr and a non-zero exit, never a traceback."""
    try:
        app(standalone_mode=False)
    except CitetrailError as exc:
        fail(str(exc), exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        fail(exc.format_message(), InputError.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        fail("interrupted", 130)
    except Exception as exc:  # a bug: still one line, with the traceback on request
        if os.environ.get("CITETRAIL_DEBUG"):
            raise
        fail(f"unexpected {type(exc).__name__}: {exc} (set CITETRAIL_DEBUG=1 for details)", 70)


if __name__ == "__main__":
    main()
