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
    report = verifier.ingest(paths, prune=prune, on_error="skip" if skip_bad_lines else "stop",
                             follow_symlinks=follow_symlinks)
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
) -> None:
    """Say whether the corpus supports or refutes a claim, citing the passages."""
    from pipeline.api import Verifier

    verifier = Verifier.open(store, config=config, top_k=top_k, verifier=verifier_model)
    result = verifier.check(claim)
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        print_result(result)


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
