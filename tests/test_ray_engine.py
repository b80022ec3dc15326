"""`batch --engine ray` on a local Ray cluster (2 CPUs): same run store, same results as the local engine."""

import json
import subprocess
import sys

import pytest
import ray

from pipeline import RunStatus, Verifier, check_claims, read_claims, run_batch, start_run
from pipeline.ray_engine import ray_engine
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # a Ray cluster and two workers loading the models

SAMPLE_CLAIMS = [json.loads(line) for line in (ROOT / "eval/data/sample_claims.jsonl").read_text().splitlines()]


@pytest.fixture
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_workers_give_the_local_engines_results_in_the_same_run_store(tmp_path, store_copy, local_ray):
    rows = [*SAMPLE_CLAIMS, {"id": "again", "claim": SAMPLE_CLAIMS[0]["claim"]}]
    path = tmp_path / "claims.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    verifier = Verifier.open(store_copy)
    claims = read_claims(path)

    local = run_batch(verifier, start_run(verifier, claims), engine=check_claims)
    spread = run_batch(verifier, start_run(verifier, claims), engine=ray_engine(workers=2))
    assert spread.status == RunStatus.DONE and spread.checked == spread.claims == len(rows)
    assert spread.verdicts == local.verdicts

    def comparable(run):
        return {r.claim.id: (r.claim.text, r.verdict, r.rule, {(c.chunk_id, c.start, c.end, c.stance) for c in r.citations})
                for r in verifier.runs.results(run.id)}

    assert comparable(spread) == comparable(local)
    # Confidences agree to float noise: a fresh process can shift a borderline claim's by ~0.02 (eval.batch_engines)
    confidences = {r.claim.id: r.confidence for r in verifier.runs.results(local.id)}
    assert all(abs(r.confidence - confidences[r.claim.id]) < 0.05 for r in verifier.runs.results(spread.id))
    assert [r.claim.id for r in verifier.runs.results(spread.id)] == [r["id"] for r in rows]


def test_ray_flags_without_the_ray_engine_are_one_line(tmp_path, store_copy):
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "batch", str(tmp_path / "c.txt"), "--store", str(store_copy),
                           "--workers", "2"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--engine ray" in done.stderr
