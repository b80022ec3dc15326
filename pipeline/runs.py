"""The run store: every batch run and the whole trail behind each of its verdicts, in SQLite.

It lives beside the Chroma store (`<store>/runs.sqlite`). Each result is its `CheckResult`, trail
included, as JSON, plus the columns that listing and counting need. Results are committed group
by group as they finish, so a stopped run keeps what it had and a resume checks only the rest;
the (run, claim) key makes a second result for one claim impossible. WAL mode lets `citetrail
runs` read while a batch writes. A new run is pending; the process checking it marks it running
and holds its lock file (`<store>/run-locks/<run id>`, a filelock FileLock, which leaves the file
in place, so no two processes can lock two files of one name) until it has marked it done, failed
or interrupted. The operating system drops the lock when the process dies, so a run marked running
whose lock nobody holds was killed (SIGKILL, out of memory, power loss) and is shown interrupted.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from filelock import FileLock, Timeout, lock_descriptor

from pipeline.config import Settings
from pipeline.errors import InputError, StoreError
from pipeline.models import CheckResult, Claim, Run, RunStatus, Versions

RUNS_FILE = "runs.sqlite"
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    finished TEXT,
    input TEXT NOT NULL,
    status TEXT NOT NULL,
    settings TEXT NOT NULL,
    versions TEXT NOT NULL,
    skipped_rows TEXT NOT NULL
);
CREATE TABLE claims (
    run_id TEXT NOT NULL REFERENCES runs (id),
    claim_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    claim TEXT NOT NULL,
    PRIMARY KEY (run_id, claim_id)
);
CREATE TABLE results (
    run_id TEXT NOT NULL,
    claim_id TEXT NOT NULL,
    verdict TEXT NOT NULL,
    confidence REAL NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (run_id, claim_id),
    FOREIGN KEY (run_id, claim_id) REFERENCES claims (run_id, claim_id)
);
CREATE INDEX results_by_verdict ON results (run_id, verdict);
"""


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def new_run_id(created: datetime) -> str:
    """Sortable by time and short enough to type: 20260124-091502-3fa2."""
    return f"{created:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class RunStore:
    """The runs of one store. Reading a store that has no runs file yet creates nothing."""

    def __init__(self, path: str | Path, busy_timeout: float = 10.0, read_only: bool = False) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.read_only = read_only
        self._conn: sqlite3.Connection | None = None

    def _connect_read_only(self) -> sqlite3.Connection:
        """The run store for reading only (`runs`, `trail`, `report`): nothing written, not even a WAL index, so an
        archived store on read-only media answers. A store whose folder cannot be written gets SQLite's immutable
        mode (a WAL database needs its shared-memory file otherwise)."""
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        for extra in ("", "&immutable=1"):
            conn = sqlite3.connect(uri + extra, uri=True, timeout=self.busy_timeout, isolation_level=None)
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                conn.execute("SELECT COUNT(*) FROM runs").fetchone()
            except sqlite3.OperationalError:
                conn.close()
                if extra:
                    raise
                continue
            if version != SCHEMA_VERSION:
                conn.close()
                raise StoreError(f"the run store {self.path} has schema version {version}; this citetrail reads {SCHEMA_VERSION}")
            return conn
        raise AssertionError("unreachable")

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None and self.read_only:
            self._conn = self._connect_read_only()
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("BEGIN IMMEDIATE")
                if conn.execute("PRAGMA user_version").fetchone()[0] == 0:  # another process may have won the race
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            elif version != SCHEMA_VERSION:
                conn.close()
                raise StoreError(f"the run store {self.path} has schema version {version}; this citetrail reads {SCHEMA_VERSION}")
            self._conn = conn
        return self._conn

    @contextmanager
    def _db(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """The connection, inside one transaction when writing; SQLite errors become one-line StoreErrors."""
        try:
            conn = self._connect()
            if not write:
                yield conn
                return
            if self.read_only:
                raise StoreError(f"the run store {self.path} was opened read-only")
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _error(self, exc: sqlite3.Error) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
            return StoreError(f"the run store {self.path} is locked by another process (waited {self.busy_timeout:g} s); "
                              "try again when it has finished")
        return StoreError(f"cannot use the run store {self.path}: {exc}")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # ---- writing ---------------------------------------------------------------------------

    def create(self, input: str, claims: list[Claim], settings: Settings, versions: Versions,
               skipped_rows: list[str] | None = None) -> Run:
        """A new run holding its claims, none checked yet."""
        created = now()
        run_id = new_run_id(created)
        with self._db(write=True) as db:
            db.execute("INSERT INTO runs VALUES (?, ?, NULL, ?, ?, ?, ?, ?)",
                       (run_id, created.isoformat(), input, RunStatus.PENDING.value, settings.model_dump_json(),
                        versions.model_dump_json(), json.dumps(skipped_rows or [])))
            db.executemany("INSERT INTO claims VALUES (?, ?, ?, ?)",
                           [(run_id, c.id, i, c.model_dump_json()) for i, c in enumerate(claims)])
        return self.run(run_id)

    def add_results(self, run_id: str, results: list[CheckResult]) -> None:
        """Store a group of results in one transaction; a claim that already has one keeps it."""
        with self._db(write=True) as db:
            db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           [(run_id, r.claim.id, r.verdict.value, r.confidence, r.model_dump_json()) for r in results])

    def set_status(self, run_id: str, status: RunStatus) -> None:
        finished = now().isoformat() if status == RunStatus.DONE else None
        with self._db(write=True) as db:
            db.execute("UPDATE runs SET status = ?, finished = ? WHERE id = ?", (status.value, finished, run_id))

    def _lock_path(self, run_id: str) -> Path:
        return self.path.parent / "run-locks" / run_id

    @contextmanager
    def checking(self, run_id: str, wait: float = 1.0) -> Iterator[None]:
        """Hold the run's lock (filelock's FileLock: flock on Unix, LockFileEx on Windows) while its claims are
        checked; a second process checking it is refused. Readers probe the lock for an instant (see `run`), so
        taking it is retried for `wait` seconds."""
        path = self._lock_path(run_id)
        try:
            path.parent.mkdir(exist_ok=True)
            lock = FileLock(path, timeout=wait, is_singleton=False)
            lock.acquire()
        except Timeout:
            raise StoreError(f"run {run_id} is being checked by another process; wait for it to finish") from None
        except OSError as exc:
            raise StoreError(f"cannot lock run {run_id} at {path}: {exc.strerror}") from None
        try:
            yield
        finally:
            lock.release()

    def mark_stopped(self, run_id: str, status: RunStatus) -> None:
        """Record why a run stopped, without hiding the error that stopped it if the store fails too."""
        with suppress(StoreError):
            self.set_status(run_id, status)

    # ---- reading ---------------------------------------------------------------------------

    def runs(self) -> list[Run]:
        """Every run, newest first."""
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT id FROM runs ORDER BY created DESC, id DESC").fetchall()
        return [self.run(run_id) for (run_id,) in rows]

    def run(self, run_id: str) -> Run:
        row = None
        if self.path.exists():
            with self._db() as db:
                row = db.execute("SELECT id, created, finished, input, status, settings, versions, skipped_rows, "
                                 "(SELECT COUNT(*) FROM claims WHERE run_id = runs.id) FROM runs WHERE id = ?",
                                 (run_id,)).fetchone()
                verdicts = dict(db.execute("SELECT verdict, COUNT(*) FROM results WHERE run_id = ? GROUP BY verdict",
                                           (run_id,)).fetchall())
        if row is None:
            raise InputError(f"no run '{run_id}' in {self.path} (see `citetrail runs`)")
        rid, created, finished, input, status, settings, versions, skipped, n_claims = row
        if status == RunStatus.RUNNING and lock_is_held(self._lock_path(rid)) is not True:
            status = RunStatus.INTERRUPTED  # its process died without saying so
        return Run(id=rid, created=created, finished=finished, input=input, status=status,
                   settings=stored_settings(settings), versions=Versions.model_validate_json(versions),
                   claims=n_claims, checked=sum(verdicts.values()), verdicts=verdicts, skipped_rows=json.loads(skipped))

    def claims(self, run_id: str, pending: bool = False) -> list[Claim]:
        """The run's claims in input order; `pending`: only those without a result."""
        self.run(run_id)
        where = " AND claim_id NOT IN (SELECT claim_id FROM results WHERE run_id = ?)" if pending else ""
        with self._db() as db:
            rows = db.execute(f"SELECT claim FROM claims WHERE run_id = ?{where} ORDER BY position",
                              (run_id, run_id) if pending else (run_id,)).fetchall()
        return [Claim.model_validate_json(claim) for (claim,) in rows]

    def results(self, run_id: str) -> list[CheckResult]:
        """The run's stored results, in input order."""
        self.run(run_id)
        with self._db() as db:
            rows = db.execute("SELECT r.result FROM results r JOIN claims c USING (run_id, claim_id) "
                              "WHERE r.run_id = ? ORDER BY c.position", (run_id,)).fetchall()
        return [CheckResult.model_validate_json(result) for (result,) in rows]

    def result(self, run_id: str, claim_id: str) -> CheckResult:
        run = self.run(run_id)
        with self._db() as db:
            known = db.execute("SELECT 1 FROM claims WHERE run_id = ? AND claim_id = ?", (run_id, claim_id)).fetchone()
            row = db.execute("SELECT result FROM results WHERE run_id = ? AND claim_id = ?", (run_id, claim_id)).fetchone()
        if not known:
            raise InputError(f"run {run_id} has no claim '{claim_id}'")
        if not row:
            raise InputError(f"claim '{claim_id}' of run {run_id} has no result yet (the run is {run.status.value}; "
                             f"`citetrail batch --resume {run_id}` finishes it)")
        return CheckResult.model_validate_json(row[0])


def lock_is_held(lock_file: Path) -> bool | None:
    """Whether a live process holds `lock_file` (a run's lock), probed for an instant with the lock `checking`
    takes; None when there is no such file. Opened read-only: a read-only store's runs are listed too."""
    try:
        fd = os.open(lock_file, os.O_RDONLY)
    except OSError:
        return None
    try:
        return not lock_descriptor(fd, blocking=False)
    finally:
        os.close(fd)  # releases the probe's lock


def stored_settings(text: str) -> Settings:
    """A run's recorded settings as `Settings`; a setting since retired is dropped (its run still loads and resumes)."""
    given = json.loads(text)
    return Settings.model_validate({k: v for k, v in given.items() if k in Settings.model_fields})
