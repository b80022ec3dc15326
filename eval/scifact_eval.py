"""SciFact, end to end: open retrieval over all 5,183 abstracts, every claim, official metrics.

    python -m eval.scifact_eval --split dev [--data ../shared/eval/scifact]
    python -m eval.scifact_eval --split train            # the claims the verdict rules are fitted on (eval.fit_rules)

`--split train` scores only the fifth of SciFact train claims that verifier training leaves out
(`pipeline.training.data.scifact_fit_ids`): on the rest the verifier's probabilities are in-sample.

The corpus is ingested once into a store keyed by the corpus file's hash (build/scifact-<hash>).
Writes eval/reports/scifact_<split>.{json,md} and a reliability plot.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

from eval.scifact import DEFAULT_DIR, claim_label, load_corpus
from eval.scifact_metrics import abstract_level, sentence_level
from eval.verdicts import VERDICTS as VERDICT_NAMES
from eval.verdicts import verdict_metrics
from pipeline import Verifier
from pipeline.aggregate import aggregate, restance
from pipeline.errors import InputError
from pipeline.judge.metrics import reliability_bins
from pipeline.judge.stage import judge_claims
from pipeline.models import Candidate, CheckResult, Claim, Span, Stance, Trail, Verdict, VerdictRules
from pipeline.training.data import scifact_fit_ids

REPORTS = Path(__file__).parent / "reports"
OFFICIAL = {Stance.SUPPORTS: "SUPPORT", Stance.REFUTES: "CONTRADICT"}
VERDICT_OFFICIAL = {Verdict.SUPPORTED: "SUPPORT", Verdict.REFUTED: "CONTRADICT"}
BATCH = 32
LAYOUT = "p2"  # the document layout of eval.scifact (sentences a blank line apart): a new layout is a new store
COVERAGE_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)


def store_path(data_dir: Path, base: Path) -> Path:
    """One store per corpus file content, so every eval and bench run shares the same ingest."""
    return base / f"scifact-{hashlib.sha256((data_dir / 'corpus.jsonl').read_bytes()).hexdigest()[:12]}-{LAYOUT}"


def open_store(data_dir: Path, base: Path) -> Verifier:
    verifier = Verifier.open(store_path(data_dir, base), create=True)
    if verifier.store.count() == 0:
        docs, _ = load_corpus(data_dir)
        report = verifier.ingest_documents(docs)
        print(f"ingested {len(docs)} abstracts, {report.chunks_written} chunks in {report.seconds:.0f} s", flush=True)
    return verifier


def check_all(verifier: Verifier, rows: list[dict]) -> list[CheckResult]:
    results: list[CheckResult] = []
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        batch = [Claim(id=str(r["id"]), text=r["claim"]) for r in rows[start:start + BATCH]]
        results += verifier.check_many(batch, trail=True)
        print(f"  {len(results)}/{len(rows)} claims, {len(results) / (time.perf_counter() - started):.1f}/s", flush=True)
    return results


def oracle_check(verifier: Verifier, rows: list[dict], results: list[CheckResult]) -> list[CheckResult]:
    """The same claims judged with their gold abstracts' chunks put before the retrieved ones (oracle
    retrieval): the gap between these scores and the open-retrieval ones is what retrieval costs."""
    s = verifier.settings
    gold = verifier.store.document_chunks(sorted({d for r in rows for d in r["evidence"]}))
    claims, candidates = [], []
    for row, result in zip(rows, results, strict=True):
        given = [Candidate(chunk=chunk, title=meta["title"], source=meta["source"], rank=0, fused_score=1.0)
                 for d in row["evidence"] for chunk, meta in gold[d]]
        retrieved = [c for c in result.trail.candidates if c.chunk.doc_id not in row["evidence"]]
        cands = (given + retrieved)[: max(s.top_k, len(given))]
        candidates.append([c.model_copy(update={"rank": i}) for i, c in enumerate(cands, 1)])
        claims.append(result.claim)
    rules = verifier.rules()
    judged = judge_claims(verifier.judge, claims, candidates, rules, batch_size=s.batch_size, window=s.window,
                              min_shared_words=s.min_shared_words)
    out = []
    for result, cands, judgements in zip(results, candidates, judged, strict=True):
        d = aggregate(judgements, cands, rules, s.max_citations)
        out.append(result.model_copy(update={"verdict": d.verdict, "confidence": d.confidence, "rule": d.rule,
                                             "citations": d.citations, "trail": Trail(candidates=cands, judgements=judgements)}))
    return out


def reaggregate(result: CheckResult, rules: VerdictRules, max_citations: int = 3) -> CheckResult:
    """The same judged sentences, aggregated under other rules (no model is run)."""
    d = aggregate(restance(result.trail.judgements, rules), result.trail.candidates, rules, max_citations)
    return result.model_copy(update={"verdict": d.verdict, "confidence": d.confidence, "rule": d.rule, "citations": d.citations})


def to_prediction(result: CheckResult, spans: dict[str, list[Span]]) -> dict:
    """Official prediction format: each cited abstract with its label and cited sentence indices, in citation order."""
    evidence: dict[str, dict] = {}
    if result.verdict != Verdict.NOT_ENOUGH_INFO:
        for c in result.citations:
            if c.stance not in OFFICIAL:
                continue
            if result.verdict != Verdict.CONFLICTING and OFFICIAL[c.stance] != VERDICT_OFFICIAL[result.verdict]:
                continue
            entry = evidence.setdefault(c.doc_id, {"label": OFFICIAL[c.stance], "sentences": []})
            for i, s in enumerate(spans[c.doc_id]):
                if s.start < c.end and c.start < s.end and i not in entry["sentences"]:
                    entry["sentences"].append(i)
    return {"id": int(result.claim.id), "evidence": evidence}


def retrieval_hits(verifier: Verifier, rows: list[dict], ks=(1, 3, 10)) -> dict:
    """Share of claims with evidence whose gold abstract is among the first k retrieved abstracts."""
    from pipeline.retrieve import Retriever

    s = verifier.settings
    wide = Retriever(verifier.store, max(s.dense_k, 50), max(s.lexical_k, 50), top_k=50)
    with_evidence = [r for r in rows if r["evidence"]]
    hits = Counter()
    for start in range(0, len(with_evidence), BATCH):
        batch = with_evidence[start:start + BATCH]
        for row, cands in zip(batch, wide.retrieve([r["claim"] for r in batch]), strict=True):
            docs = list(dict.fromkeys(c.chunk.doc_id for c in cands))
            for k in ks:
                hits[k] += bool(set(docs[:k]) & set(row["evidence"]))
    return {f"hit@{k}": round(hits[k] / len(with_evidence), 4) for k in ks} | {"claims_with_evidence": len(with_evidence)}


def non_evidence_stances(results: list[CheckResult], rows: list[dict], spans: dict[str, list[Span]]) -> dict:
    """Judged sentences that are not a gold rationale sentence of their claim: how many, and the share read as
    refuting or supporting it (every sentence judged for a claim without evidence counts)."""
    judged = refuting = supporting = 0
    for result, row in zip(results, rows, strict=True):
        gold = {(str(d), spans[str(d)][i].start) for d, sets in row["evidence"].items() for ev in sets for i in ev["sentences"]}
        for j in result.trail.judgements:
            if (j.doc_id, j.start) in gold:
                continue
            judged += 1
            refuting += j.stance == Stance.REFUTES
            supporting += j.stance == Stance.SUPPORTS
    return {"judged": judged, "refuting_share": round(refuting / judged, 4) if judged else None,
            "supporting_share": round(supporting / judged, 4) if judged else None}


def score(results: list[CheckResult], rows: list[dict], spans: dict[str, list[Span]]) -> dict:
    preds = [to_prediction(r, spans) for r in results]
    official = {k: round(v, 4) for k, v in (abstract_level(rows, preds) | sentence_level(rows, preds)).items()}
    labels = verdict_metrics([claim_label(r) for r in rows], [r.verdict.value for r in results], [r.confidence for r in results])
    return {"official": official, "labels": labels}


def fit_confidence_map(raw: list[float], correct: list[bool]) -> tuple[float, float]:
    """Platt scaling of the raw verdict confidence: (scale, shift) minimising log-loss, by grid search."""
    x = np.log(np.clip(raw, 1e-6, 1 - 1e-6) / (1 - np.clip(raw, 1e-6, 1 - 1e-6)))
    y = np.asarray(correct, dtype=float)
    best = ((1.0, 0.0), float("inf"))
    for a in np.arange(0.05, 3.01, 0.05):
        for b in np.arange(-3.0, 3.01, 0.05):
            p = np.clip(1 / (1 + np.exp(-(a * x + b))), 1e-9, 1 - 1e-9)
            loss = float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())
            if loss < best[1]:
                best = ((round(float(a), 2), round(float(b), 2)), loss)
    return best[0]


def reliability_plot(results: list[CheckResult], rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bins = reliability_bins([r.confidence for r in results],
                            [claim_label(row) == r.verdict.value for r, row in zip(results, rows, strict=True)])
    mids, accs = [b["mid"] for b in bins], [b["accuracy"] for b in bins]
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], "--", color="grey")
    ax.bar(mids, accs, width=0.09, alpha=0.7)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title("SciFact verdict reliability")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def load_rows(data: Path, split: str) -> list[dict]:
    """The claims of a split; for train, only those held out of verifier training."""
    path = data / f"claims_{split}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if split == "train":
        fit_ids = scifact_fit_ids(path)
        rows = [r for r in rows if r["id"] in fit_ids]
    return rows


def run(split: str = "dev", data: Path = DEFAULT_DIR, stores: Path = Path("build"), limit: int = 0,
        reports: Path = REPORTS) -> dict:
    """Check every claim of a split and write the report (verdict rules are fitted by `eval.fit_rules`, on a
    broad mix of which SciFact train's held-out claims are a third)."""
    if not (data / "corpus.jsonl").exists():
        raise InputError(f"no SciFact data at {data} (expected corpus.jsonl and claims_{split}.jsonl); pass --data")
    verifier = open_store(data, stores)
    _, spans = load_corpus(data)
    rows = load_rows(data, split)
    rows = rows[:limit] if limit else rows
    started = time.perf_counter()
    results = check_all(verifier, rows)
    seconds = time.perf_counter() - started
    report: dict = {"split": split, "claims": len(rows), "seconds": round(seconds, 1),
                    "claims_per_s": round(len(rows) / seconds, 2), "versions": results[0].versions.model_dump()}
    report |= score(results, rows, spans)
    report["non_evidence"] = non_evidence_stances(results, rows, spans)
    report["retrieval"] = retrieval_hits(verifier, rows)
    report["oracle_retrieval"] = score(oracle_check(verifier, rows, results), rows, spans)
    reports.mkdir(parents=True, exist_ok=True)
    (reports / f"scifact_{split}.json").write_text(json.dumps(report, indent=1) + "\n")
    (reports / f"scifact_{split}.md").write_text(render(report))
    reliability_plot(results, rows, reports / f"scifact_{split}_reliability.png")
    return report


def render(report: dict) -> str:
    o, lab = report["official"], report["labels"]
    which = "train claims held out of verifier training" if report["split"] == "train" else "claims"
    lines = [f"# SciFact {report['split']} ({report['claims']} {which}, open retrieval over 5,183 abstracts)", "",
             f"Produced by `citetrail eval scifact --split {report['split']}`; {report['claims_per_s']} claims/s.", "",
             "| metric | precision | recall | F1 |", "|---|---|---|---|"]
    for key, name in (("abstract_label_only", "abstract Label-only"), ("abstract_rationalized", "abstract Label+Rationale"),
                      ("sentence_selection", "sentence Selection-only"), ("sentence_label", "sentence Selection+Label")):
        lines.append(f"| {name} | {o[key + '_precision']:.3f} | {o[key + '_recall']:.3f} | {o[key + '_f1']:.3f} |")
    lines += ["", f"Verdicts: accuracy {lab['accuracy']:.3f}, macro-F1 {lab['macro_f1']:.3f}, ECE {lab['ece']:.3f} (10 bins).", ""]
    if "non_evidence" in report:
        ne = report["non_evidence"]
        lines += [f"Judged sentences that are no gold rationale ({ne['judged']}): read as refuting {ne['refuting_share']:.2%}, "
                  f"as supporting {ne['supporting_share']:.2%}.", ""]
    lines += ["| gold \\ predicted | " + " | ".join(VERDICT_NAMES) + " |", "|---" * (len(VERDICT_NAMES) + 1) + "|"]
    for gold, row in lab["confusion"].items():
        lines.append(f"| {gold} | " + " | ".join(str(row[p]) for p in VERDICT_NAMES) + " |")
    if "retrieval" in report:
        r = report["retrieval"]
        lines += ["", f"Retrieval ({r['claims_with_evidence']} claims with evidence): gold abstract at rank 1 "
                  f"{r['hit@1']:.3f}, in top 3 {r['hit@3']:.3f}, in top 10 {r['hit@10']:.3f}."]
    if "oracle_retrieval" in report:
        oracle = report["oracle_retrieval"]
        lines += ["", "Open retrieval against oracle retrieval (each claim's gold abstracts judged first, the same verifier "
                  "and rules): what retrieval costs is the gap, what judging costs is the oracle's distance from 1.", "",
                  "| | open retrieval | oracle retrieval |", "|---|---|---|"]
        for key, name in (("abstract_rationalized_f1", "abstract Label+Rationale F1"),
                          ("abstract_label_only_f1", "abstract Label-only F1"), ("sentence_label_f1", "sentence Selection+Label F1")):
            lines.append(f"| {name} | {o[key]:.3f} | {oracle['official'][key]:.3f} |")
        lines.append(f"| verdict macro-F1 | {lab['macro_f1']:.3f} | {oracle['labels']['macro_f1']:.3f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["train", "dev"], default="dev")
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--stores", type=Path, default=Path("build"), help="where the cached SciFact store lives")
    ap.add_argument("--limit", type=int, default=0, help="first N claims only (smoke runs)")
    args = ap.parse_args()
    report = run(args.split, args.data, args.stores, args.limit)
    print(render(report))


if __name__ == "__main__":
    main()
