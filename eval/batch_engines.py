"""300 SciFact dev claims through `citetrail batch`, as a user runs it: the local engine, a run killed
half-way and resumed, and the Ray engine with 2 workers; claims/s and whether the runs agree.

    python -m eval.batch_engines [--data ../shared/eval/scifact] [--claims 300] [--skip-ray]

Uses the cached SciFact store of `citetrail eval scifact`; writes eval/reports/batch_engines.json.
"""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from pipeline.evaluation.scifact import DEFAULT_DIR
from pipeline.evaluation.scifact_eval import load_rows, open_store, store_path
from pipeline.runs import RUNS_FILE, RunStore

REPORTS = Path(__file__).parent / "reports"


def batch(store: Path, *args: str) -> tuple[str, float]:
    """Run `citetrail batch`; the id of the run it made or finished, and its wall-clock seconds."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "batch", "--store", str(store), "-q", *args],
                          capture_output=True, text=True, check=True)
    return done.stdout.split()[1].rstrip(":"), round(time.perf_counter() - started, 1)


def run_rows(store: Path, run_id: str) -> dict[str, tuple]:
    with sqlite3.connect(store / RUNS_FILE) as con:
        return {claim_id: (verdict, round(conf, 4), [(c["chunk_id"], c["start"], c["end"]) for c in json.loads(res)["citations"]])
                for claim_id, verdict, conf, res in con.execute(
                    "SELECT claim_id, verdict, confidence, result FROM results WHERE run_id = ?", (run_id,))}


def run_info(store: Path, run_id: str) -> dict:
    with sqlite3.connect(store / RUNS_FILE) as con:
        created, finished = con.execute("SELECT created, finished FROM runs WHERE id = ?", (run_id,)).fetchone()
        rows, distinct = con.execute("SELECT count(*), count(DISTINCT claim_id) FROM results WHERE run_id = ?", (run_id,)).fetchone()
    seconds = (datetime.fromisoformat(finished) - datetime.fromisoformat(created)).total_seconds() if finished else None
    status = RunStore(store / RUNS_FILE).run(run_id).status.value  # as `citetrail runs` shows it
    return {"run": run_id, "status": status, "results": rows, "distinct_claims": distinct, "run_seconds": seconds,
            "claims_per_s": round(rows / seconds, 2) if seconds else None}


def latest_run(store: Path) -> str | None:
    with sqlite3.connect(store / RUNS_FILE) as con:
        row = con.execute("SELECT id FROM runs ORDER BY created DESC, rowid DESC LIMIT 1").fetchone()
    return row[0] if row else None


def kill_half_way(store: Path, claims: Path, n: int) -> dict:
    """Start a batch, SIGKILL it once half the claims have results, resume it; what each step left."""
    before = latest_run(store)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "batch", "--store", str(store), "-q", str(claims)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run_id, checked = None, 0
    while proc.poll() is None and checked < n // 2:
        time.sleep(0.2)
        if (latest := latest_run(store)) != before:
            run_id, checked = latest, run_info(store, latest)["results"]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    at_kill = run_info(store, run_id)
    resumed_id, wall = batch(store, "--resume", run_id)
    return {"killed_at": at_kill["results"], "status_after_kill": at_kill["status"], "resume_wall_s": wall,
            **run_info(store, resumed_id)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--stores", type=Path, default=Path("build"))
    ap.add_argument("--claims", type=int, default=300)
    ap.add_argument("--skip-ray", action="store_true", help="no Ray run (it needs `pip install '.[ray]'`)")
    args = ap.parse_args()
    open_store(args.data, args.stores)  # ingested once, before anything is timed
    store = store_path(args.data, args.stores)
    claims = args.stores / f"scifact-dev-{args.claims}.jsonl"
    claims.write_text("".join(json.dumps({"id": str(r["id"]), "claim": r["claim"]}) + "\n"
                              for r in load_rows(args.data, "dev")[:args.claims]))
    local_id, local_wall = batch(store, str(claims))
    report = {"claims": args.claims, "local": run_info(store, local_id) | {"wall_s": local_wall}}
    report["killed and resumed"] = kill_half_way(store, claims, args.claims)
    reference = run_rows(store, local_id)
    resumed = run_rows(store, report["killed and resumed"]["run"])
    report["killed and resumed"] |= {
        "same_verdicts_as_local": sum(resumed.get(k, ("",))[0] == v[0] for k, v in reference.items()),
        "same_verdict_confidence_citations": sum(resumed.get(k) == v for k, v in reference.items())}
    if not args.skip_ray:
        ray_id, ray_wall = batch(store, "--engine", "ray", "--workers", "2", str(claims))
        spread = run_rows(store, ray_id)
        report["ray, 2 workers"] = run_info(store, ray_id) | {
            "wall_s": ray_wall, "same_verdicts_as_local": sum(spread.get(k, ("",))[0] == v[0] for k, v in reference.items()),
            "same_verdict_confidence_citations": sum(spread.get(k) == v for k, v in reference.items())}
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "batch_engines.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
