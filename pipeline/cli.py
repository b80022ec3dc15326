"""The `citetrail` command: a thin layer over `pipeline.api.Verifier`."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from shlex import quote as shell_quote
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from pipeline.config import load_settings
from pipeline.errors import CitetrailError, InputError
from pipeline.models import CheckResult, Document, Verdict
from pipeline.render.terminal import print_audit, print_record, print_result, print_runs, shown
from pipeline.runs import RUNS_FILE, RunStore

app = typer.Typer(add_completion=False, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
                  help="Check claims against your own corpus, citing the passages that decide.")


def console(stderr: bool = False) -> Console:
    """A Rich console that wraps lines only on a terminal: into a pipe or a file each line stays whole (no width limit),
    so paths and quotes are never split mid-word."""
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty() or os.environ.get("COLUMNS"):
        return Console(stderr=stderr)
    return Console(stderr=stderr, soft_wrap=True, width=100_000)


out = console()
err = console(stderr=True)


def show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("citetrail")
        except PackageNotFoundError:  # run from a source checkout that was never installed
            found = "unknown (not installed)"
        sys.stdout.write(f"citetrail {found}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=show_version, is_eager=True,
                                          help="print citetrail's version and exit")] = False,
) -> None:
    """Check claims against your own corpus, citing the passages that decide."""

StoreOpt = Annotated[Path | None, typer.Option("--store", help="store folder [env CITETRAIL_STORE; default .citetrail]")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML config file [env CITETRAIL_CONFIG; default ./citetrail.toml]")]
ChromaOpt = Annotated[str | None, typer.Option("--chroma-url", help="a Chroma server, http://host:port, instead of the "
                                              "embedded store [env CITETRAIL_CHROMA_URL]")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar (there is none in a pipe either)")]


class RateColumn(ProgressColumn):
    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f} {self.unit}/s" if task.speed else f"- {self.unit}/s", style="progress.data.speed")


@contextmanager
def progress_bar(label: str, unit: str, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A bar with rate and ETA on stderr when it is a terminal; `update(done, total)` moves it."""
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), RateColumn(unit), TimeRemainingColumn(),
                  console=err, disable=quiet or not err.is_terminal) as bar:
        task = bar.add_task(label, total=None)
        started = False

        def update(done: int, total: int) -> None:
            nonlocal started
            if not started:  # work done before this call (a resumed run) must not count towards the rate
                bar.reset(task, total=total, completed=done)
                started = True
            bar.update(task, completed=done, total=total)

        yield update
ExtractorOpt = Annotated[str | None, typer.Option("--extractor", help="rules (spaCy, offline) or llm [env CITETRAIL_EXTRACTOR; "
                                                                    "default rules]")]
SourceArg = Annotated[str, typer.Argument(help="the article: a .txt, .md or .html file, or - for standard input")]


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="files or folders (.txt .md .html .jsonl .pdf .docx), or http(s) URLs "
                                               "to fetch (the only time citetrail goes online)")],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_url: ChromaOpt = None,
    prune: Annotated[bool, typer.Option("--prune", help="remove stored documents whose files are gone")] = False,
    skip_bad_lines: Annotated[bool, typer.Option("--skip-bad-lines", help="skip malformed JSONL lines instead of stopping")] = False,
    follow_symlinks: Annotated[bool, typer.Option("--follow-symlinks", help="follow symlinks that leave the folder")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="stop at the first unusable file, writing nothing (default: "
                                         "leave it out, write the rest, list it, exit 2)")] = False,
) -> None:
    """Chunk, embed and store documents; unchanged ones are skipped, changed ones replaced."""
    from pipeline.api import Verifier

    verifier = Verifier.open(store, create=True, config=config, chroma_url=chroma_url)
    with progress_bar("ingest", "docs") as update:
        report = verifier.ingest(paths, prune=prune, on_error="skip" if skip_bad_lines else "stop",
                                 follow_symlinks=follow_symlinks, progress=update, strict=strict)
    for line in report.skipped_lines:
        err.print(f"skipped {shown(line)}", highlight=False)
    for line in report.warnings:
        err.print(f"warning: {shown(line)}", highlight=False)
    out.print(f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
              f"{len(report.removed)} removed; {report.chunks_written} chunks written in {report.seconds:.1f} s "
              f"(store {shown(str(verifier.settings.store))}, fingerprint {report.fingerprint})", highlight=False)
    if report.failed:
        err.print(f"{len(report.failed)} file{'s' if len(report.failed) > 1 else ''} left out (--strict stops at the first):",
                  highlight=False)
        for line in report.failed:
            err.print(f"  {shown(line)}", highlight=False)
        sys.exit(InputError.exit_code)


@app.command()
def check(
    claim: Annotated[str, typer.Argument(help="the claim to check")],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_url: ChromaOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON (see `citetrail schema`)")] = False,
    top_k: Annotated[int | None, typer.Option("--top-k", help="retrieved chunks to judge")] = None,
    verifier_model: Annotated[str | None, typer.Option("--verifier", help="'shipped', 'llm' or an NLI model name/path")] = None,
    trail: Annotated[bool, typer.Option("--trail", help="include every retrieved chunk and judged sentence")] = False,
) -> None:
    """Say whether the corpus supports or refutes a claim, citing the passages."""
    from pipeline.api import Verifier

    verifier = Verifier.open(store, config=config, top_k=top_k, verifier=verifier_model, chroma_url=chroma_url)
    result = verifier.check(claim, trail=trail)
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        print_result(out, result)


@app.command()
def batch(
    claims: Annotated[Path | None, typer.Argument(help=".jsonl (claim, optional id, other fields kept), .csv (a claim "
                                                       "column) or .txt (one claim a line)", show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="also write the results here, one CheckResult "
                                                "JSON a line")] = None,
    trail: Annotated[bool, typer.Option("--trail", help="include the trail in --output (the run store always keeps it)")] = False,
    resume: Annotated[str | None, typer.Option("--resume", metavar="RUN_ID", help="finish a stopped run: check only its "
                                               "claims without a result, with its settings")] = None,
    skip_bad_rows: Annotated[bool, typer.Option("--skip-bad-rows", help="skip bad rows (reported) instead of stopping")] = False,
    quiet: QuietOpt = False,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_url: ChromaOpt = None,
    top_k: Annotated[int | None, typer.Option("--top-k", help="retrieved chunks to judge")] = None,
    verifier_model: Annotated[str | None, typer.Option("--verifier", help="'shipped', 'llm' or an NLI model name/path")] = None,
    engine: Annotated[str, typer.Option("--engine", help="local (this process) or ray (Ray workers; pip install "
                                        "'citetrail[ray]')")] = "local",
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="a running Ray cluster (default: start a "
                                                    "local one)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Ray workers (default: one per CPU)")] = None,
) -> None:
    """Check every claim in a file into a new run of the run store; see `citetrail runs`, `trail`, `report`."""
    from pipeline import batch as batching
    from pipeline.api import Verifier

    if output and not output.parent.is_dir():  # found out now, not after the whole run
        raise InputError(f"cannot write {output}: no folder {output.parent}")
    if engine not in ("local", "ray"):
        raise InputError(f"--engine must be local or ray, not {engine!r}")
    if engine == "local" and (ray_address or workers):
        raise InputError("--ray-address and --workers go with --engine ray")
    if engine == "ray":
        from pipeline.ray_engine import ray_engine

        check_engine = ray_engine(ray_address, workers)
    else:
        check_engine = batching.check_claims
    if resume:
        if claims or top_k or verifier_model or skip_bad_rows:
            raise InputError("--resume takes the claims and settings from the run: give no claims file, --top-k, "
                             "--verifier or --skip-bad-rows with it")
        verifier, run = batching.resume_run(resume, store, config)
    elif claims is None:
        raise InputError("give a claims file (.jsonl, .csv or .txt), or --resume RUN_ID")
    else:
        verifier = Verifier.open(store, config=config, top_k=top_k, verifier=verifier_model, chroma_url=chroma_url)
        parsed = batching.read_claims(claims, verifier.settings.max_claim_chars, skip_bad_rows)
        for line in parsed.skipped:
            err.print(f"skipped {shown(line)}", highlight=False, soft_wrap=True)
        run = batching.start_run(verifier, parsed)
    # A plain `kill` stops the run like Ctrl-C: recorded as interrupted, resumable.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with progress_bar(f"run {run.id}", "claims", quiet) as update:
            run = batching.run_batch(verifier, run, progress=update, engine=check_engine)
    except KeyboardInterrupt:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the message short
        where = f" --store {shell_quote(str(store))}" if store else ""
        try:
            stopped = verifier.runs.run(run.id)
            done = f" with {stopped.checked} of {stopped.claims} claims checked"
        except CitetrailError:
            done = ""
        fail(f"interrupted: run {run.id} stopped{done}; `citetrail batch --resume {run.id}{where}` finishes it", 130)
    if output:
        from pipeline.render import write_atomic
        from pipeline.render.files import results_jsonl

        write_atomic(output, results_jsonl(verifier.runs.results(run.id), trail))
    counts = ", ".join(f"{run.verdicts.get(v, 0)} {v.value}" for v in Verdict)
    out.print(f"run {run.id}: {run.checked} claims checked ({counts}){f'; results in {output}' if output else ''}",
              highlight=False, soft_wrap=True)


def open_runs(store: Path | None, config: Path | None) -> RunStore:
    """The run store for reading: opened read-only, so `runs`, `trail` and `report` write nothing (an archive answers)."""
    return RunStore(load_settings(config, store=store).store / RUNS_FILE, read_only=True)


@app.command()
def runs(
    store: StoreOpt = None,
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the runs as JSON")] = False,
) -> None:
    """List past batch runs, newest first: id, date, input, claims, verdict counts, status."""
    found = open_runs(store, config).runs()
    if as_json:
        sys.stdout.write(json.dumps([r.model_dump(mode="json") for r in found], indent=2) + "\n")
    elif found:
        print_runs(out, found)
    else:
        out.print("no runs yet: `citetrail batch CLAIMS_FILE` makes one", highlight=False)


@app.command("trail")
def trail_command(
    run_id: Annotated[str, typer.Argument(help="the run (see `citetrail runs`)")],
    claim_id: Annotated[str, typer.Argument(help="the claim's id in that run")],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the stored CheckResult, trail included, as JSON")] = False,
) -> None:
    """Everything behind one verdict of a run: citations, retrieval candidates and their scores, judged sentences."""
    runs_store = open_runs(store, config)
    result = runs_store.result(run_id, claim_id)
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        print_record(out, runs_store.run(run_id), result)


@app.command()
def report(
    run_id: Annotated[str, typer.Argument(help="the run (see `citetrail runs`)")],
    html: Annotated[Path | None, typer.Option("--html", help="one self-contained HTML file: filters, highlighted passages")] = None,
    md: Annotated[Path | None, typer.Option("--md", help="a Markdown report")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="one claim a row")] = None,
    claimreview: Annotated[Path | None, typer.Option("--claimreview", help="schema.org ClaimReview JSON-LD, one per "
                                                     "verdict, marked as automated")] = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write a run's results as HTML, Markdown, CSV and/or ClaimReview JSON-LD (at least one)."""
    from pipeline.render import write_atomic
    from pipeline.render.claimreview import claimreview_json
    from pipeline.render.files import report_csv, report_md
    from pipeline.render.html import report_html

    if not (html or md or csv or claimreview):
        raise InputError("say which report to write: --html FILE, --md FILE, --csv FILE and/or --claimreview FILE")
    runs_store = open_runs(store, config)
    run, results = runs_store.run(run_id), runs_store.results(run_id)
    for path, render in ((html, lambda: report_html(run, results)), (md, lambda: report_md(run, results)),
                         (csv, lambda: report_csv(results)), (claimreview, lambda: claimreview_json(run, results))):
        if path:
            write_atomic(path, render())
            out.print(f"wrote {shown(str(path))}", highlight=False)


@app.command()
def verify(
    run_id: Annotated[str, typer.Argument(help="the run (see `citetrail runs`)")],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="one object per citation, as a JSON list")] = False,
) -> None:
    """Re-read every cited source of a run: does each quote still stand at its span, has it moved, or is it gone?
    Exit 1 when any has moved, is gone or cannot be read."""
    from pipeline.verify import CitationStatus, verify_results

    settings = load_settings(config, store=store)
    checks = verify_results(open_runs(store, config).results(run_id), settings.max_document_bytes)
    if as_json:
        sys.stdout.write(json.dumps([c.model_dump(mode="json") for c in checks], indent=2) + "\n")
    else:
        for c in checks:
            where = f"{c.start}-{c.end}" + (f" p. {c.page}" if c.page else "")
            moved = f" -> {c.found_start}-{c.found_end}" if c.status == CitationStatus.MOVED else ""
            detail = f" ({shown(c.detail)})" if c.detail else ""
            out.print(f"{c.status.value:<11} {shown(c.claim_id)}  {shown(c.doc_id)} {where}{moved}{detail}", highlight=False)
        counts = {s: sum(c.status == s for c in checks) for s in CitationStatus}
        out.print(f"{len(checks)} citations: " + ", ".join(f"{n} {s.value}" for s, n in counts.items() if n), highlight=False)
    bad = {CitationStatus.MOVED, CitationStatus.GONE, CitationStatus.UNREADABLE}
    if any(c.status in bad for c in checks):
        sys.exit(1)


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
            out.print(shown(c.claim.text), highlight=False, soft_wrap=True)
        elif show_all:
            out.print(f"[dim]# dropped ({c.drop_reason.value}: {shown(c.drop_detail or '')}): {shown(c.claim.text)}[/]",
                      highlight=False, soft_wrap=True)


@app.command()
def audit(
    source: SourceArg,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_url: ChromaOpt = None,
    extractor: ExtractorOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="the audit as JSON: a CheckResult per claim, and a summary")] = False,
    top_k: Annotated[int | None, typer.Option("--top-k", help="retrieved chunks to judge")] = None,
) -> None:
    """Extract an article's claims and check each against the rest of the corpus (the article's own
    document is left out of retrieval)."""
    from pipeline.config import load_settings

    article = read_source(source, load_settings(config, store=store, top_k=top_k, extractor=extractor).max_document_bytes)
    from pipeline.api import Verifier  # after the article is read: bad input fails fast

    report = Verifier.open(store, config=config, top_k=top_k, extractor=extractor, chroma_url=chroma_url).audit(article)
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        print_audit(out, report)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@app.command()
def serve(
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_url: ChromaOpt = None,
    host: Annotated[str, typer.Option("--host", help="address to bind; any but 127.0.0.1/localhost/::1 needs --token")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="port to listen on")] = 8765,
    token: Annotated[str | None, typer.Option("--token", envvar="CITETRAIL_TOKEN", show_envvar=False,
                                              help="require Authorization: Bearer TOKEN on the API and MCP "
                                                   "[env CITETRAIL_TOKEN]")] = None,
    cors_origin: Annotated[list[str] | None, typer.Option("--cors-origin", help="allow browser calls from this origin "
                                                           "(repeatable; default: none)")] = None,
    max_body_mb: Annotated[float, typer.Option("--max-body-mb", min=0.001, help="largest request body, uploads included")] = 25.0,
    no_mcp: Annotated[bool, typer.Option("--no-mcp", help="do not serve MCP at /mcp")] = False,
) -> None:
    """Serve the HTTP API (/v1), the web app (/) and MCP (/mcp) from one process that loads the models once."""
    import uvicorn

    from pipeline.api import Verifier
    from pipeline.serve.app import create_app
    from pipeline.serve.service import Service

    if host not in LOCAL_HOSTS and not token:
        raise InputError(f"--host {host} makes the server reachable from other machines: give --token (or CITETRAIL_TOKEN) too")
    if token is not None and len(token) < 16:
        raise InputError("the token must be at least 16 characters (e.g. python -c 'import secrets; print(secrets.token_urlsafe())')")
    service = Service(Verifier.open(store, config=config, chroma_url=chroma_url))
    service.warm()
    asgi = create_app(service, token=token, max_body_bytes=int(max_body_mb * 1_000_000), cors_origins=cors_origin or None,
                      mcp=not no_mcp)
    shown_host = f"[{host}]" if ":" in host else host
    err.print(f"citetrail serve: http://{shown_host}:{port}/ (store {shown(service.verifier.store.where)}; "
              f"{'a token is required: Authorization: Bearer TOKEN' if token else 'no token: local use only'}"
              f"{'; CORS for ' + ', '.join(cors_origin) if cors_origin else ''})", highlight=False, soft_wrap=True)
    uvicorn.run(asgi, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)


@app.command()
def mcp(
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_url: ChromaOpt = None,
) -> None:
    """Serve the MCP tools (check_claim, check_text, search_corpus) over stdio, for an AI assistant."""
    from pipeline.api import Verifier
    from pipeline.serve.mcp import build_mcp
    from pipeline.serve.service import Service

    service = Service(Verifier.open(store, config=config, chroma_url=chroma_url))
    service.warm()
    build_mcp(service).run("stdio")


eval_app = typer.Typer(no_args_is_help=True, help="Measure citetrail on labelled claims (reports go to --out, by default "
                                                   "<stores>/reports; never into the installed package).")
app.add_typer(eval_app, name="eval")
OutOpt = Annotated[Path | None, typer.Option("--out", help="folder the reports are written to [default: <stores>/reports]")]


@eval_app.command("scifact")
def eval_scifact(
    split: Annotated[str, typer.Option("--split", help="train or dev")] = "dev",
    data: Annotated[Path | None, typer.Option("--data", help="SciFact folder [default ../shared/eval/scifact]")] = None,
    stores: Annotated[Path, typer.Option("--stores", help="where the cached SciFact store is kept")] = Path("build"),
    limit: Annotated[int, typer.Option("--limit", help="first N claims only")] = 0,
    report_dir: OutOpt = None,
) -> None:
    """SciFact with its official metrics, open retrieval over all abstracts."""
    from pipeline.evaluation import scifact_eval
    from pipeline.evaluation.scifact import DEFAULT_DIR

    if split not in ("train", "dev"):
        raise InputError("--split must be train or dev")
    report = scifact_eval.run(split, data or DEFAULT_DIR, stores, report_dir or stores / "reports", limit)
    out.print(scifact_eval.render(report), highlight=False)


@eval_app.command("claims")
def eval_claims(
    claims: Annotated[Path, typer.Argument(help="JSONL: id, claim, label, optional evidence [{doc_id, quote}]")],
    corpus: Annotated[list[Path], typer.Option("--corpus", help="corpus folder or file (repeatable)")],
    stores: Annotated[Path, typer.Option("--stores", help="where the corpus store is kept")] = Path("build"),
    name: Annotated[str | None, typer.Option("--name", help="report name [default: the claim file's stem]")] = None,
    report_dir: OutOpt = None,
) -> None:
    """Any labelled claim set against any corpus: accuracy, macro-F1, confusion, citation accuracy, per REFUTED kind."""
    from pipeline.evaluation import claims_eval

    report = claims_eval.run(claims, corpus, stores, name, report_dir or stores / "reports")
    out.print(claims_eval.summary(report), highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON schema of a check result."""
    sys.stdout.write(json.dumps(CheckResult.model_json_schema(), indent=2) + "\n")


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, whatever the message holds, then exit."""
    err.print(f"error: {shown(' '.join(message.splitlines()))}", highlight=False, soft_wrap=True)
    sys.exit(code)


def quiet_libraries() -> None:
    """Keep library warnings (chromadb's "Could not reconstruct embedding function", transformers' advice) off stderr:
    citetrail says what matters itself. CITETRAIL_DEBUG=1 shows them."""
    if os.environ.get("CITETRAIL_DEBUG"):
        return
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.getLogger().addHandler(logging.NullHandler())  # no "last resort" printing of library log records
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def main() -> None:
    """Run the app; user errors become one line on stderr and a non-zero exit, never a traceback."""
    quiet_libraries()
    try:
        code = app(standalone_mode=False)
    except CitetrailError as exc:
        fail(str(exc), exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors (typer's own click: `click.ClickException` never matches them)
        if not exc.format_message().strip():  # bare `citetrail`: the help was printed
            sys.exit(InputError.exit_code)
        fail(exc.format_message(), InputError.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        fail("interrupted", 130)
    except Exception as exc:  # a bug: still one line, with the traceback on request
        if os.environ.get("CITETRAIL_DEBUG"):
            raise
        fail(f"unexpected {type(exc).__name__}: {exc} (set CITETRAIL_DEBUG=1 for details)", 70)
    if code == 130:  # Typer turns Ctrl-C (and SIGTERM during a batch) into this return value, not an exception
        err.print("error: interrupted")
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
