"""The SQLite run store: one result per claim, whole groups or nothing, clear errors when locked or foreign."""

import json
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from filelock import lock_descriptor

from pipeline import Claim, RunStatus, RunStore
from pipeline.config import Settings
from pipeline.errors import InputError, StoreError
from pipeline.models import VerdictRules, Versions
from pipeline.runs import SCHEMA_VERSION

CLAIMS = [Claim(id="a", text="Vance spoke on NBC", metadata={"row": 1}), Claim(id="b", text="Lavrov spoke on Sunday")]


@pytest.fixture(scope="module")
def results(sample_verifier):
    """Real results, trails included, for the two claims."""
    return sample_verifier.check_many(CLAIMS, trail=True)


@pytest.fixture
def store(tmp_path):
    runs = RunStore(tmp_path / "runs.sqlite", busy_timeout=0.2)
    yield runs
    runs.close()


def new_run(store, sample_verifier):
    return store.create("claims.jsonl", CLAIMS, sample_verifier.settings, sample_verifier.versions(), ["claims.jsonl:3: no 'claim'"])


def test_reading_a_store_without_runs_creates_nothing(tmp_path):
    store = RunStore(tmp_path / "sub" / "runs.sqlite")
    assert store.runs() == []
    with pytest.raises(InputError, match="no run 'x'"):
        store.run("x")
    assert not (tmp_path / "sub").exists()


def test_results_round_trip_with_trails_and_one_per_claim(store, sample_verifier, results):
    run = new_run(store, sample_verifier)
    assert run.claims == 2 and run.checked == 0 and run.skipped_rows == ["claims.jsonl:3: no 'claim'"]
    assert [c.id for c in store.claims(run.id)] == ["a", "b"] and store.claims(run.id)[0].metadata == {"row": 1}
    store.add_results(run.id, results[:1])
    store.add_results(run.id, results)  # "a" again: it keeps its first result
    assert store.results(run.id) == results
    assert store.result(run.id, "b").trail == results[1].trail
    again = store.run(run.id)
    assert again.checked == 2 and sum(again.verdicts.values()) == 2
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 2
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.set_status(run.id, RunStatus.DONE)
    assert store.run(run.id).finished is not None
    assert [r.id for r in store.runs()] == [run.id]


def test_a_group_is_stored_whole_or_not_at_all(store, sample_verifier, results):
    run = new_run(store, sample_verifier)
    stranger = results[1].model_copy(update={"claim": Claim(id="not-in-run", text="x")})
    with pytest.raises(StoreError, match="cannot use the run store"):
        store.add_results(run.id, [results[0], stranger])
    assert store.results(run.id) == [] and store.claims(run.id, pending=True) == CLAIMS


def test_unknown_run_or_claim_and_missing_result(store, sample_verifier, results):
    run = new_run(store, sample_verifier)
    store.add_results(run.id, results[:1])
    with pytest.raises(InputError, match=f"run {run.id} has no claim 'zz'"):
        store.result(run.id, "zz")
    with pytest.raises(InputError, match=f"claim 'b' of run {run.id} has no result yet .* --resume {run.id}"):
        store.result(run.id, "b")
    with pytest.raises(InputError, match="no run 'nope'"):
        store.results("nope")


def test_a_locked_store_is_a_one_line_store_error(store, sample_verifier):
    run = new_run(store, sample_verifier)
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match=r"is locked by another process \(waited 0.2 s\)"):
            store.set_status(run.id, RunStatus.DONE)
        assert store.run(run.id).status == RunStatus.PENDING  # WAL: reading goes on while another writes
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.set_status(run.id, RunStatus.DONE)


def test_a_reader_probing_a_runs_lock_does_not_refuse_the_process_taking_it(store, sample_verifier):
    """`run()` tells a killed run from a live one by probing its lock for an instant; a batch starting
    at that instant waits the probe out instead of being refused."""
    run = new_run(store, sample_verifier)
    with store.checking(run.id):
        pass  # makes the lock file
    probe = os.open(store.path.parent / "run-locks" / run.id, os.O_RDONLY)
    assert lock_descriptor(probe, blocking=False)  # what the probe in `run()` does
    with pytest.raises(StoreError, match="being checked by another process"), store.checking(run.id, wait=0):
        pass
    threading.Timer(0.2, os.close, [probe]).start()
    with store.checking(run.id, wait=1.0):
        store.set_status(run.id, RunStatus.RUNNING)
        assert store.run(run.id).status == RunStatus.RUNNING
    assert store.run(run.id).status == RunStatus.INTERRUPTED  # left running, and nobody holds it


def test_a_store_from_another_schema_is_refused(tmp_path):
    path = tmp_path / "runs.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="schema version 99"):
        RunStore(path).runs()
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot use the run store"):
        RunStore(path).runs()


OLD_STORE = Path(__file__).parent / "data" / "run_store_0.2.0.sql"


def test_runs_stored_before_settings_and_versions_were_typed_still_load(tmp_path, sample_verifier):
    path = tmp_path / "runs.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_STORE.read_text())
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        # and a run from before embedding_precision, min_shared_words and line_breaks were recorded, with a setting since gone
        settings, versions = map(json.loads, db.execute("SELECT settings, versions FROM runs").fetchone())
        del versions["embedding_precision"], versions["retrieval"]["min_shared_words"], versions["chunker"]["line_breaks"]
        del settings["llm_timeout"]
        db.execute("INSERT INTO runs SELECT 'older', created, finished, input, status, ?, ?, skipped_rows FROM runs",
                   (json.dumps({**settings, "retired_setting": 1}), json.dumps(versions)))
    store = RunStore(path, read_only=True)
    run, older = store.run("20261130-161338-ea51"), store.run("older")
    assert run.status == RunStatus.DONE and run.claims == run.checked == 2
    assert isinstance(run.settings, Settings) and run.settings.verifier == "shipped" and run.settings.top_k == 5
    assert isinstance(run.versions.thresholds, VerdictRules) and run.versions.thresholds.refute == 0.75
    assert run.versions.verifier_temperature == 1.18 and run.versions.chunker.line_breaks == "paragraph"
    assert (older.versions.embedding_precision, older.versions.retrieval.min_shared_words, older.versions.chunker.line_breaks) \
        == ("fp32", 0, "every")
    assert "llm_timeout" not in older.settings.model_fields_set  # a resume takes it from today's config, not a default
    results = store.results(run.id)
    assert [r.claim.id for r in results] == ["a", "b"] and all(r.trail.judgements for r in results)
    assert results[0].versions == run.versions


def test_versions_in_the_old_form_compare_equal_to_todays(sample_verifier):
    """A run is resumed only if its versions equal today's: the old form of the same versions (the temperature among the
    thresholds) must read as equal."""
    today = sample_verifier.versions()
    old = today.model_dump(mode="json")
    old["thresholds"]["temperature"] = old.pop("verifier_temperature")
    assert Versions.model_validate(old) == today
