"""Batch checking: read a claims file, check every claim into a run of the run store, resume a stopped run.

`check_claims` is the local engine: pending claims in, finished results out, a small group at a time.
The Ray engine (`pipeline.ray_engine`) checks the same groups on Ray workers; `run_batch` stores
each group in one transaction as it comes, so a stop loses at most the groups in flight.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pipeline.api import Verifier, clean_claim
from pipeline.config import Settings, load_settings
from pipeline.errors import InputError, StoreError
from pipeline.load import decode
from pipeline.models import CheckResult, Claim, Run, RunStatus, Versions
from pipeline.runs import RUNS_FILE, RunStore
from pipeline.textnorm import normalise_space

CLAIMS_PER_GROUP = 8
BAD_ROWS_SHOWN = 5
Engine = Callable[[list[Claim], Verifier], Iterable[list[CheckResult]]]
Row = dict[str, Any] | ValueError


class ClaimFile(BaseModel):
    path: str
    claims: list[Claim]
    skipped: list[str] = []


# ---- reading claims ------------------------------------------------------------------------

def jsonl_rows(text: str, path: Path) -> Iterator[tuple[int, Row]]:
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield lineno, row if isinstance(row, dict) else ValueError(f"not a JSON object but {type(row).__name__}")


SEPARATORS = ",;\t|"


def sniff_separator(text: str) -> str:
    """The separator of a CSV file, from its header line: the most frequent of , ; tab | (Excel saves ';' where the
    decimal mark is a comma)."""
    header = next((line for line in text.split("\n") if line.strip()), "")
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def header_name(name: str) -> str:
    """A header cell: trimmed, and `claim` / `id` in any case (Excel's `Claim`, `ID`) taken as those columns."""
    name = name.strip()
    return name.lower() if name.lower() in ("claim", "id") else name


def csv_rows(text: str, path: Path) -> Iterator[tuple[int, Row]]:
    """Rows keyed by the header; a quoted field may span lines, and a row's number is its first line. The separator
    is sniffed from the header; `claim` and `id` are found whatever their case."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=sniff_separator(text))
    header: list[str] | None = None
    line = 0
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not any(field.strip() for field in record):
                continue
            if header is None:
                header = [header_name(name) for name in record]
                if "claim" not in header:
                    raise InputError(f"{path}: no 'claim' column in the header (columns: {', '.join(header)})")
                if len(set(header)) < len(header):
                    raise InputError(f"{path}: the header names a column twice")
            elif len(record) != len(header):
                yield start, ValueError(f"{len(record)} fields where the header has {len(header)}")
            else:
                yield start, dict(zip(header, record, strict=True))
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from None


def txt_rows(text: str, path: Path) -> Iterator[tuple[int, Row]]:
    for lineno, line in enumerate(text.split("\n"), 1):
        if line.strip():
            yield lineno, {"claim": line}


READERS = {".jsonl": jsonl_rows, ".ndjson": jsonl_rows, ".csv": csv_rows, ".txt": txt_rows}


def claim_from_row(row: dict[str, Any], lineno: int, max_claim_chars: int) -> Claim:
    """`claim` is the text, `id` (optional, default `L<line>`) names it; every other field is kept as metadata."""
    text, claim_id = row.get("claim"), row.get("id")
    if text is None:
        raise ValueError("no 'claim'")
    if not isinstance(text, str):
        raise ValueError(f"'claim' must be text, not {type(text).__name__}")
    try:
        text = clean_claim(text, max_claim_chars)
    except InputError as exc:
        raise ValueError(str(exc)) from None
    if isinstance(claim_id, bool) or not isinstance(claim_id, str | int | None):
        raise ValueError(f"'id' must be text or a whole number, not {type(claim_id).__name__}")
    claim_id = str(claim_id).strip() if claim_id is not None else ""
    return Claim(id=claim_id or f"L{lineno}", text=text,
                 metadata={k: v for k, v in row.items() if k not in ("claim", "id")})


def read_claims(path: str | Path, max_claim_chars: int = Settings.model_fields["max_claim_chars"].default,
                skip_bad_rows: bool = False) -> ClaimFile:
    """Claims from .jsonl (`claim`, optional `id`, other fields kept), .csv (a `claim` column) or .txt (one a line).

    A bad row stops everything with one error naming every bad line, unless `skip_bad_rows`."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"{path}: unsupported claims file '{path.suffix}' (use .jsonl, .csv or .txt)")
    try:
        text = decode(path.read_bytes(), path)
    except FileNotFoundError:
        raise InputError(f"no such claims file: {path}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    claims: list[Claim] = []
    bad: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    for lineno, row in reader(text, path):
        try:
            if isinstance(row, ValueError):
                raise row
            claim = claim_from_row(row, lineno, max_claim_chars)
            if claim.id in first_line:
                raise ValueError(f"id '{claim.id}' is already used on line {first_line[claim.id]}")
        except ValueError as exc:
            bad.append((lineno, str(exc)))
            continue
        first_line[claim.id] = lineno
        claims.append(claim)
    if bad and not skip_bad_rows:
        shown = "; ".join(f"line {n}: {why}" for n, why in bad[:BAD_ROWS_SHOWN])
        more = f"; and {len(bad) - BAD_ROWS_SHOWN} more" if len(bad) > BAD_ROWS_SHOWN else ""
        raise InputError(f"{path}: {len(bad)} bad row(s), nothing checked (--skip-bad-rows skips them): {shown}{more}")
    if not claims:
        raise InputError(f"{path}: no claims to check")
    return ClaimFile(path=str(path), claims=claims, skipped=[f"{path}:{n}: {why}" for n, why in bad])


# ---- checking ------------------------------------------------------------------------------

def claim_groups(claims: list[Claim], group_size: int = CLAIMS_PER_GROUP) -> list[list[list[Claim]]]:
    """Claims in groups of `group_size` distinct texts; each text with every claim that repeats it
    (whitespace normalised), so a repeated claim is checked once. Every engine checks these same groups,
    so every engine batches the verifier alike and gives the same results."""
    same_text: dict[str, list[Claim]] = {}
    for claim in claims:
        same_text.setdefault(normalise_space(claim.text), []).append(claim)
    texts = list(same_text.values())
    return [texts[i:i + group_size] for i in range(0, len(texts), group_size)]


def check_group(verifier: Verifier, group: list[list[Claim]]) -> list[CheckResult]:
    """One `check_many` call for the group's distinct texts (judging batched across claims); each repeat
    gets its text's result under its own id."""
    results = verifier.check_many([same[0] for same in group], trail=True)
    return [result.model_copy(update={"claim": claim.model_copy(update={"text": result.claim.text})})
            for result, same in zip(results, group, strict=True) for claim in same]


def check_claims(claims: list[Claim], verifier: Verifier, group_size: int = CLAIMS_PER_GROUP) -> Iterator[list[CheckResult]]:
    """The local engine: results, trails included, a group at a time, in this process."""
    for group in claim_groups(claims, group_size):
        yield check_group(verifier, group)


def start_run(verifier: Verifier, claims: ClaimFile) -> Run:
    """A new run of these claims with the verifier's settings and versions; nothing is checked yet."""
    return verifier.runs.create(str(Path(claims.path).resolve()), claims.claims, verifier.settings, verifier.versions(),
                                claims.skipped)


def resume_run(run_id: str, store: str | Path | None = None, config: Path | None = None) -> tuple[Verifier, Run]:
    """The run, and a verifier on its store with the settings it was started with."""
    where = load_settings(config, store=store).store
    run = RunStore(where / RUNS_FILE).run(run_id)
    # only what the run recorded: a setting added since comes from the config file and environment, as it would have
    settings = run.settings.model_dump(exclude={"store"}, exclude_unset=True)
    return Verifier.open(where, config=config, **settings), run


def changed_versions(a: Versions, b: Versions) -> list[str]:
    return [name for name in Versions.model_fields if getattr(a, name) != getattr(b, name)]


def run_batch(verifier: Verifier, run: Run, progress: Callable[[int, int], None] | None = None,
              engine: Engine = check_claims) -> Run:
    """Check the run's claims that have no result yet, storing each group as it finishes; the run as it ends.

    `progress(done, total)` counts claims. A run is only ever finished with the versions it began
    with, so one run never mixes results from two indexes or models."""
    runs = verifier.runs
    if run.status == RunStatus.DONE and not runs.claims(run.id, pending=True):
        return run  # before locking, so a finished run can be read from a store this user cannot write
    with runs.checking(run.id):
        pending = runs.claims(run.id, pending=True)
        changed = changed_versions(run.versions, verifier.versions())
        if changed:
            raise StoreError(f"run {run.id} was made with other versions ({', '.join(changed)} changed since); "
                             "start a new run")
        done = run.claims - len(pending)
        runs.set_status(run.id, RunStatus.RUNNING)
        if progress:
            progress(done, run.claims)
        try:
            for results in engine(pending, verifier):
                runs.add_results(run.id, results)
                done += len(results)
                if progress:
                    progress(done, run.claims)
        except (KeyboardInterrupt, SystemExit):
            runs.mark_stopped(run.id, RunStatus.INTERRUPTED)
            raise
        except BaseException:
            runs.mark_stopped(run.id, RunStatus.FAILED)
            raise
        runs.set_status(run.id, RunStatus.DONE)
    return runs.run(run.id)
