"""Core figures on the SciFact corpus: ingest speed and size, warm check latency, peak memory.

    python -m eval.bench_core [--data ../shared/eval/scifact] [--claims 20] [--reuse]

Ingests all 5,183 abstracts into a fresh store (the one `citetrail eval scifact` then reuses), or
keeps it with --reuse, then checks the first N dev claims one at a time after a warm-up claim,
and prints a table plus JSON (eval/reports/bench_core.json).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
from pathlib import Path

import numpy as np

from eval.scifact import DEFAULT_DIR, load_claims, load_corpus
from eval.scifact_eval import store_path
from pipeline import Verifier


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--stores", type=Path, default=Path("build"), help="where the SciFact store is kept")
    ap.add_argument("--claims", type=int, default=20)
    ap.add_argument("--reuse", action="store_true", help="keep an existing store instead of ingesting afresh")
    args = ap.parse_args()

    figures: dict = {}
    store = store_path(args.data, args.stores)
    if not args.reuse:
        shutil.rmtree(store, ignore_errors=True)
    verifier = Verifier.open(store, create=True)
    docs, _ = load_corpus(args.data)
    started = time.perf_counter()
    report = verifier.ingest_documents(docs)
    wall = time.perf_counter() - started
    figures["ingest"] = {"documents": len(docs), "chunks_written": report.chunks_written, "wall_s": round(wall, 1),
                         "documents_per_s": round(len(docs) / wall, 1),
                         "chunks_per_s": round(report.chunks_written / wall, 1) if report.chunks_written else None,
                         "embedding_share": round(report.embed_seconds / wall, 3),
                         "store_mb": round(folder_mb(store), 1), "peak_rss_mb": round(peak_rss_mb())}

    claims = [c.claim for c in load_claims("dev", args.data)[: args.claims]]
    verifier.check("warm-up: aspirin reduces the risk of heart attack")
    latencies, parts = [], []
    for claim in claims:
        t0 = time.perf_counter()
        result = verifier.check(claim)
        latencies.append((time.perf_counter() - t0) * 1000)
        parts.append(result.timings_ms | {"pairs": result.judged_pairs})
    figures["check_warm"] = {
        "claims": len(claims), "p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "p95_ms": round(float(np.percentile(latencies, 95)), 1),
        **{f"mean_{k}_ms": round(float(np.mean([p[k] for p in parts])), 1) for k in ("retrieve", "judge", "aggregate")},
        "mean_pairs_judged": round(float(np.mean([p["pairs"] for p in parts])), 1),
        "peak_rss_mb": round(peak_rss_mb())}
    out = Path(__file__).parent / "reports" / "bench_core.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1) + "\n")
    for phase, values in figures.items():
        print(phase)
        for k, v in values.items():
            print(f"  {k:<22} {v}")


if __name__ == "__main__":
    main()
