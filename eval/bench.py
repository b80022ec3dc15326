"""Speed and memory on the SciFact corpus, phase by phase, with the levers that move them.

    python -m eval.bench [--data ../shared/eval/scifact] [--ingest-docs 0] [--skip ingest,levers,...]

Each phase runs in its own process, so its peak resident memory is its own:
- ingest: all 5,183 abstracts (or --ingest-docs N) into a fresh store: documents/s, chunks/s, the
  share of time spent embedding, and the store's retrieval (gold abstract in the top 1 / 3 / 10
  fused chunks, dev claims);
- ingest_fp32: the same with `embedding_precision = "fp32"` (int8 is the default);
- embed: the embedding model alone on the chunks of 1,000 abstracts, the ceiling on ingest's
  chunks/s: int8 one text at a time (as ingest runs it), in padded batches of 8 and 32, and fp32;
- check: warm, one claim at a time over 100 dev claims: p50 / p95 latency split into retrieve /
  judge / aggregate, sentence pairs judged per claim, judge pairs/s;
- batch: 300 dev claims through `Verifier.check_many`, 32 at a time: claims/s and verdict accuracy,
  at the defaults and with min_shared_words 1 (--profile profiles a third, untimed run);
- levers: the same 100 claims under other settings (chunks judged, sentence windows, skipping
  sentences that share few words with the claim (min_shared_words), batching
  across claims, the fp32 model instead of int8, the BM25 index cached or rebuilt);
- baseline: the recipe users would otherwise pick, a LangChain Chroma retriever (same store, same
  embeddings) whose top 3 chunks go to the local LLM with prompts/judge.toml (the LLM judge's prompt), against
  citetrail on the same --baseline-claims claims: latency and accuracy side by side, as ratios.
  Needs the `llm` extra and langchain-chroma; says so and skips otherwise.
- serve_load: `citetrail serve` on the same store, 8 concurrent HTTP clients sending --load-claims
  checks (dev claims, repeated as needed): errors, p50 / p95 latency and claims/s, beside the
  in-process figures of the same claims in the same run (one at a time, and 8 at a time through
  check_many, which is what the server's batching of concurrent checks does). --load-docs N serves a
  store of the first N abstracts instead, for a short run.
Check, batch and levers use the cached SciFact store that `citetrail eval scifact` uses.
Prints a table and writes eval/reports/bench.json (phases skipped keep their last figures, each dated).
Extras: pip install '.[bench]' (and '.[llm]' for the baseline).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from pipeline.evaluation.scifact import DEFAULT_DIR, claim_label, load_corpus
from pipeline.evaluation.scifact_eval import load_rows, open_store, retrieval_hits, store_path

REPORTS = Path(__file__).parent / "reports"
PHASES = ("ingest", "ingest_fp32", "embed", "check", "batch", "levers", "baseline", "serve_load")
LOAD_CLIENTS = 8


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def folder_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def dev_claims(data: Path, n: int) -> list[dict]:
    return load_rows(data, "dev")[:n]


def phase_ingest(args: argparse.Namespace, precision: str | None = None) -> dict:
    """Ingest into a fresh store (int8 embeddings unless asked otherwise), then its retrieval on dev claims."""
    from pipeline import Verifier

    docs, _ = load_corpus(args.data)
    docs = docs[: args.ingest_docs] if args.ingest_docs else docs
    with tempfile.TemporaryDirectory(dir=args.stores) as tmp:
        verifier = Verifier.open(Path(tmp) / "store", create=True, embedding_precision=precision)
        started = time.perf_counter()
        report = verifier.ingest_documents(docs)
        wall = time.perf_counter() - started
        out = {"documents": len(docs), "chunks": report.chunks_written, "wall_s": round(wall, 1),
               "documents_per_s": round(len(docs) / wall, 1), "chunks_per_s": round(report.chunks_written / wall, 1),
               "embedding_share": round(report.embed_seconds / wall, 3), "store_mb": folder_mb(Path(tmp) / "store"),
               "peak_rss_mb": peak_rss_mb(), "embedding_precision": verifier.store.embedding.precision}
        if not args.ingest_docs:
            out["retrieval"] = retrieval_hits(verifier, load_rows(args.data, "dev"))
        return out


def phase_embed(args: argparse.Namespace) -> dict:
    """The embedding model alone, on the chunks of the first 1,000 abstracts: the ceiling on ingest speed.

    int8 one text at a time (what ingest does, tokenising included) against int8 in length-sorted padded
    batches (tokenised beforehand, so a bound from above), and fp32."""
    from pipeline.chunk import chunk_document
    from pipeline.embed import OnnxInt8Embedder, SentenceTransformerEmbedder
    from pipeline.onnx_session import run_each

    docs, _ = load_corpus(args.data)
    texts = [c.text for doc in docs[:1000] for c in chunk_document(doc)]
    int8 = OnnxInt8Embedder()
    ids = int8.tokenizer(texts, truncation=True, max_length=int8.max_length)["input_ids"]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))

    def padded(batch: list[int]) -> None:
        width = max(len(ids[i]) for i in batch)
        tokens = np.zeros((len(batch), width), dtype=np.int64)
        for row, i in enumerate(batch):
            tokens[row, :len(ids[i])] = ids[i]
        int8.session.run(None, {"input_ids": tokens, "attention_mask": (tokens > 0).astype(np.int64),
                                "token_type_ids": np.zeros_like(tokens)})

    def rate(run, items: list) -> float:
        """Chunks/s of `run` over `items` (all the chunks, in some grouping), after a warm-up on a few."""
        run(items[:4])
        started = time.perf_counter()
        run(items)
        return round(len(texts) / (time.perf_counter() - started), 1)

    out = {"chunks": len(texts), "mean_tokens": round(float(np.mean([len(i) for i in ids])), 1),
           "int8, one text at a time (ingest)": rate(int8.embed, texts)}
    for size in (8, 32):
        batches = [order[i:i + size] for i in range(0, len(order), size)]
        out[f"int8, padded batches of {size}"] = rate(lambda b: run_each(padded, b, int8.threads), batches)
    out["fp32, sentence-transformers (batches of 8)"] = rate(SentenceTransformerEmbedder().embed, texts)
    return out | {"unit": "chunks/s", "peak_rss_mb": peak_rss_mb()}


def phase_ingest_fp32(args: argparse.Namespace) -> dict:
    return phase_ingest(args, "fp32")


def timed_checks(verifier, claims: list[str]) -> dict:
    """Check claims one at a time after a warm-up: latency percentiles and where the time goes."""
    verifier.check("warm-up: aspirin reduces the risk of heart attack")
    latencies, parts = [], []
    for claim in claims:
        t0 = time.perf_counter()
        result = verifier.check(claim)
        latencies.append((time.perf_counter() - t0) * 1000)
        parts.append(result.timings_ms | {"pairs": result.judged_pairs})
    judge_s = sum(p["judge"] for p in parts) / 1000
    return {"claims": len(claims), "p50_ms": round(float(np.percentile(latencies, 50)), 1),
            "p95_ms": round(float(np.percentile(latencies, 95)), 1),
            **{f"mean_{k}_ms": round(float(np.mean([p[k] for p in parts])), 1) for k in ("retrieve", "judge", "aggregate")},
            "pairs_per_claim": round(float(np.mean([p["pairs"] for p in parts])), 1),
            "judge_pairs_per_s": round(sum(p["pairs"] for p in parts) / judge_s, 1)}


def phase_check(args: argparse.Namespace) -> dict:
    verifier = open_store(args.data, args.stores)
    claims = [r["claim"] for r in dev_claims(args.data, args.check_claims)]
    return timed_checks(verifier, claims) | {"peak_rss_mb": peak_rss_mb(), "embedding_precision": verifier.store.embedding.precision}


def accuracy(results, rows: list[dict]) -> float:
    return round(sum(r.verdict.value == claim_label(row) for r, row in zip(results, rows, strict=True)) / len(rows), 4)


def phase_batch(args: argparse.Namespace) -> dict:
    from pipeline import Verifier
    from pipeline.models import Claim

    verifier = open_store(args.data, args.stores)
    rows = dev_claims(args.data, args.batch_claims)
    claims = [Claim(id=str(r["id"]), text=r["claim"]) for r in rows]

    def run(verifier) -> list:
        return [result for start in range(0, len(claims), 32) for result in verifier.check_many(claims[start:start + 32])]

    def timed(verifier) -> tuple[list, float]:
        verifier.check("warm-up: aspirin reduces the risk of heart attack")
        started = time.perf_counter()
        return run(verifier), time.perf_counter() - started

    results, wall = timed(verifier)
    # the lever that reaches 20 claims/s
    pruned_results, pruned_wall = timed(Verifier.open(store_path(args.data, args.stores), min_shared_words=1))
    if args.profile:  # a second, profiled run: the profiler's overhead stays out of the timing
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
        run(verifier)
        profiler.stop()
        (REPORTS / "bench_batch_profile.txt").write_text(profiler.output_text(show_all=False))
    return {"claims": len(rows), "wall_s": round(wall, 1), "claims_per_s": round(len(rows) / wall, 2),
            "verdict_accuracy": accuracy(results, rows), "peak_rss_mb": peak_rss_mb(),
            "with min_shared_words 1": {"claims_per_s": round(len(rows) / pruned_wall, 2),
                                        "verdict_accuracy": accuracy(pruned_results, rows)}}


def phase_levers(args: argparse.Namespace) -> dict:
    """One setting changed at a time against the defaults, on the same claims."""
    from pipeline import Verifier
    from pipeline.judge.model import SHIPPED_DIR
    from pipeline.models import Claim
    from pipeline.retrieve import LexicalIndex

    store = store_path(args.data, args.stores)
    rows = dev_claims(args.data, args.check_claims)
    claims = [r["claim"] for r in rows]
    out: dict = {}
    variants = {"default (top_k 5, window 1, int8)": {}, "top_k 3": {"top_k": 3}, "top_k 8": {"top_k": 8},
                "window 2": {"window": 2}, "min_shared_words 1": {"min_shared_words": 1},
                "min_shared_words 2": {"min_shared_words": 2}}
    if args.fp32 and Path(args.fp32).exists():
        variants["fp32 verifier (PyTorch)"] = {"verifier": str(args.fp32)}
    shipped = Verifier.open(store).rules()  # every variant decides with the shipped thresholds
    for name, overrides in variants.items():
        verifier = Verifier.open(store, support_threshold=shipped.support, refute_threshold=shipped.refute,
                                 conflict_threshold=shipped.conflict, **overrides)
        timing = timed_checks(verifier, claims)
        results = verifier.check_many([Claim(id=str(r["id"]), text=r["claim"]) for r in rows])
        out[name] = {k: timing[k] for k in ("p50_ms", "p95_ms", "pairs_per_claim", "judge_pairs_per_s")} | {
            "verdict_accuracy": accuracy(results, rows)}
    verifier = Verifier.open(store)
    verifier.check("warm-up")
    for size in (1, 32):
        started = time.perf_counter()
        for start in range(0, len(rows), size):
            verifier.check_many([Claim(id=str(r["id"]), text=r["claim"]) for r in rows[start:start + size]])
        out[f"claims per check_many call: {size}"] = {"claims_per_s": round(len(rows) / (time.perf_counter() - started), 2)}
    for cached in (True, False):
        if not cached:
            shutil.rmtree(store / "bm25", ignore_errors=True)
        started = time.perf_counter()
        LexicalIndex(verifier.store)
        out[f"BM25 index {'loaded from cache' if cached else 'rebuilt from the store'}"] = {
            "seconds": round(time.perf_counter() - started, 2)}
    out["shipped verifier file MB"] = round((SHIPPED_DIR / "model.onnx").stat().st_size / 1e6, 1)
    return out


def phase_baseline(args: argparse.Namespace) -> dict:
    """Retriever -> LLM judge, the common recipe, beside citetrail on the same claims."""
    from langchain_core.embeddings import Embeddings

    from pipeline.errors import CitetrailError
    from pipeline.judge.llm import PROMPT, JudgeReply
    from pipeline.llm import as_data, load_prompt, structured
    from pipeline.models import Claim

    try:
        from langchain_chroma import Chroma

        from pipeline.llm.llamacpp import ChatLlamaCppJSON, local_model_path

        model_path = local_model_path()
        ChatLlamaCppJSON(model_path=str(model_path), max_tokens=1).invoke("warm-up")  # loads the model
    except (ImportError, CitetrailError) as exc:
        return {"skipped": f"no LLM baseline: {exc} (pip install '.[llm,bench]')"}

    verifier = open_store(args.data, args.stores)
    store = verifier.store

    class StoreEmbeddings(Embeddings):
        """The store's own embedding model behind LangChain's interface, so both sides retrieve alike."""

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [list(map(float, v)) for v in store.embedding(texts)]

        def embed_query(self, text: str) -> list[float]:
            return self.embed_documents([text])[0]

    retriever = Chroma(client=store._client(), collection_name=store.name,
                       embedding_function=StoreEmbeddings()).as_retriever(search_kwargs={"k": 3})
    judge = load_prompt(PROMPT) | structured(ChatLlamaCppJSON(model_path=str(model_path), max_tokens=32), JudgeReply)
    rows = dev_claims(args.data, args.baseline_claims)
    latencies, correct = [], 0
    for row in rows:
        started = time.perf_counter()
        passages = "\n".join(f"[{i}] {as_data(d.page_content)}" for i, d in enumerate(retriever.invoke(row["claim"]), 1))
        verdict = judge.invoke({"claim": as_data(row["claim"]), "passages": passages}).verdict
        latencies.append((time.perf_counter() - started) * 1000)
        correct += verdict == claim_label(row)
    ours = timed_checks(verifier, [r["claim"] for r in rows])
    ours_accuracy = accuracy(verifier.check_many([Claim(id=str(r["id"]), text=r["claim"]) for r in rows]), rows)
    base = {"p50_ms": round(float(np.percentile(latencies, 50)), 1), "mean_ms": round(float(np.mean(latencies)), 1),
            "verdict_accuracy": round(correct / len(rows), 4)}
    return {"claims": len(rows), "llm": model_path.name, "baseline (Chroma top 3 -> LLM)": base,
            "citetrail": {"p50_ms": ours["p50_ms"], "verdict_accuracy": ours_accuracy},
            "speed-up (baseline p50 / citetrail p50)": round(base["p50_ms"] / ours["p50_ms"], 1),
            "accuracy gain (citetrail - baseline)": round(ours_accuracy - base["verdict_accuracy"], 4),
            "peak_rss_mb": peak_rss_mb()}


def phase_serve_load(args: argparse.Namespace) -> dict:
    """8 clients against a real server process, and the same claims in this process, in one run."""
    import threading
    from queue import Empty, SimpleQueue

    import httpx

    from pipeline import Verifier
    from tests.serving import start_server  # the same start-up the serve tests use

    if args.load_docs:
        store = args.stores / f"scifact-first-{args.load_docs}"
        verifier = Verifier.open(store, create=True)
        if verifier.store.count() == 0:
            verifier.ingest_documents(load_corpus(args.data)[0][:args.load_docs])
    else:
        verifier = open_store(args.data, args.stores)
        store = store_path(args.data, args.stores)
    rows = dev_claims(args.data, args.load_claims)
    claims = [rows[i % len(rows)]["claim"] for i in range(args.load_claims)]

    verifier.check("warm-up: aspirin reduces the risk of heart attack")
    started = time.perf_counter()
    for claim in claims:
        verifier.check(claim)
    one_at_a_time = len(claims) / (time.perf_counter() - started)
    started = time.perf_counter()
    for at in range(0, len(claims), LOAD_CLIENTS):
        verifier.check_many(claims[at:at + LOAD_CLIENTS])
    eight_at_a_time = len(claims) / (time.perf_counter() - started)
    del verifier

    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_server(store, Path(tmp) / "serve.log")
        try:
            httpx.post(base + "/v1/check", json={"claim": "warm-up: aspirin reduces the risk of heart attack"}, timeout=120)
            todo: SimpleQueue = SimpleQueue()
            for claim in claims:
                todo.put(claim)
            latencies: list[float] = []
            errors: list[str] = []

            def client() -> None:
                with httpx.Client(timeout=120) as http:
                    while True:
                        try:
                            claim = todo.get_nowait()
                        except Empty:
                            return
                        t0 = time.perf_counter()
                        r = http.post(base + "/v1/check", json={"claim": claim})
                        latencies.append((time.perf_counter() - t0) * 1000)
                        if r.status_code != 200:
                            errors.append(f"{r.status_code}: {r.text[:200]}")

            threads = [threading.Thread(target=client) for _ in range(LOAD_CLIENTS)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    served = len(claims) / wall
    return {"store": store.name, "clients": LOAD_CLIENTS, "checks": len(claims), "errors": len(errors),
            "first_error": errors[0] if errors else None,
            "p50_ms": round(float(np.percentile(latencies, 50)), 1), "p95_ms": round(float(np.percentile(latencies, 95)), 1),
            "served_claims_per_s": round(served, 2), "in_process_claims_per_s": round(one_at_a_time, 2),
            "in_process_8_at_a_time_claims_per_s": round(eight_at_a_time, 2),
            "served_vs_in_process_8": round(served / eight_at_a_time, 3)}


PHASE_FUNCS = {"ingest": phase_ingest, "ingest_fp32": phase_ingest_fp32, "embed": phase_embed,
               "check": phase_check, "batch": phase_batch,
               "levers": phase_levers, "baseline": phase_baseline, "serve_load": phase_serve_load}


def run_phase(name: str, args: argparse.Namespace) -> dict:
    """Run one phase in a fresh interpreter and read its JSON back."""
    cmd = [sys.executable, "-m", "eval.bench", "--phase", name, "--data", str(args.data), "--stores", str(args.stores),
           "--ingest-docs", str(args.ingest_docs), "--check-claims", str(args.check_claims),
           "--batch-claims", str(args.batch_claims), "--baseline-claims", str(args.baseline_claims),
           "--load-claims", str(args.load_claims), "--load-docs", str(args.load_docs)]
    if args.profile:
        cmd.append("--profile")
    if args.fp32:
        cmd += ["--fp32", str(args.fp32)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(figures: dict) -> None:
    for phase, values in figures.items():
        print(phase)
        for k, v in values.items():
            print(f"  {k:<42} {json.dumps(v) if isinstance(v, dict) else v}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--stores", type=Path, default=Path("build"), help="where the cached SciFact store is kept")
    ap.add_argument("--ingest-docs", type=int, default=0, help="abstracts to ingest (0: all 5,183)")
    ap.add_argument("--check-claims", type=int, default=100)
    ap.add_argument("--batch-claims", type=int, default=300)
    ap.add_argument("--baseline-claims", type=int, default=30, help="claims for the LLM-judge baseline (about 10 s each)")
    ap.add_argument("--load-claims", type=int, default=400, help="checks sent by the serve_load phase's 8 clients")
    ap.add_argument("--load-docs", type=int, default=0, help="serve_load: a store of the first N abstracts (0: all)")
    ap.add_argument("--fp32", type=Path, default=Path("build/verifier-v2/model"),
                    help="the verifier before quantisation, for the int8-vs-fp32 lever (skipped when absent)")
    ap.add_argument("--profile", action="store_true",
                    help="profile the batch phase with pyinstrument -> eval/reports/bench_batch_profile.txt")
    ap.add_argument("--skip", default="", help=f"comma-separated phases to skip, of {','.join(PHASES)}")
    ap.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.stores.mkdir(parents=True, exist_ok=True)
    if args.phase:
        print(json.dumps(PHASE_FUNCS[args.phase](args)))
        return
    open_store(args.data, args.stores)  # the shared store, ingested once, before anything is timed
    skip = {s for s in args.skip.split(",") if s}
    figures = {}
    for name in PHASES:
        if name not in skip:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            figures[name] = run_phase(name, args) | {"measured": time.strftime("%Y-%m-%d %H:%M")}
    print_table(figures)
    report = REPORTS / "bench.json"  # phases skipped this time keep their last figures
    kept = json.loads(report.read_text()) if report.exists() else {}
    report.write_text(json.dumps({name: figures.get(name) or kept.get(name) for name in PHASES}, indent=1) + "\n")


if __name__ == "__main__":
    main()
