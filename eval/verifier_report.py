"""The verifier's dev table: accuracy and macro-F1 on every held-out set, speed, and quantisation cost.

    python -m eval.verifier_report [--data build/verifier-data] [--fp32 build/verifier/model]

Scores the shipped int8 model (and, when the fp32 training output is at hand, the model before
quantisation) on the held-out files written by `python -m pipeline.training.data`, none of which is
trained on. Writes eval/reports/verifier.md and verifier.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from pipeline.judge.metrics import classification_report, expected_calibration_error
from pipeline.judge.model import SHIPPED_DIR, NLIJudge, nli_judge
from pipeline.training.data import LABELS, pair_key, read_jsonl

REPORTS = Path(__file__).parent / "reports"
SPEED_PAIRS = 1024
TARGETS = {"scifact_dev": ("macro_f1", 0.60), "vitaminc_heldout": ("macro_f1", 0.72), "mnli_dev_mismatched": ("accuracy", 0.72),
           "phenomenon_negation": ("accuracy", 0.85), "phenomenon_veridicality": ("accuracy", 0.85),
           "phenomenon_numbers": ("accuracy", 0.85)}
NEWS_TARGETS = {"entailment_recall": (">=", 0.80), "contradiction_recall": (">=", 0.70), "non_evidence_as_contradiction": ("<=", 0.03)}


def news_pairs_report(judge: NLIJudge, rows: list[dict]) -> dict:
    """The news dev split's gold sentences in context against their claims: recall of entailment (SUPPORTED claims)
    and contradiction (REFUTED claims), the share of gold supporting sentences read as contradiction, and the share
    of the same articles' other sentences read as contradiction. `judge`: anything with `score` (`eval.reads`)."""
    probs = judge.score([r["premise"] for r in rows], [r["hypothesis"] for r in rows])
    pred = [LABELS[i] for i in probs.argmax(1)]

    def share(label: str, source_end: str, predicted: str) -> float:
        hits = [p == predicted for r, p in zip(rows, pred, strict=True)
                if r["label"] == label and r["source"].endswith(source_end)]
        return round(sum(hits) / len(hits), 4) if hits else 0.0

    return {"entailment_recall": share("entailment", "gold", "entailment"),
            "contradiction_recall": share("contradiction", "gold", "contradiction"),
            "supporting_read_as_contradiction": share("entailment", "gold", "contradiction"),
            "non_evidence_as_contradiction": share("neutral", "other", "contradiction"),
            "gold_pairs": sum(r["source"].endswith("gold") for r in rows),
            "other_pairs": sum(r["source"].endswith("other") for r in rows)}


def score_set(judge: NLIJudge, rows: list[dict]) -> tuple[dict, np.ndarray]:
    probs = judge.score([r["premise"] for r in rows], [r["hypothesis"] for r in rows])
    gold = np.array([LABELS.index(r["label"]) for r in rows])
    pred = probs.argmax(1)
    if rows and rows[0].get("binary"):  # two-way set: entailment vs not
        gold, pred = (gold == 0).astype(int), (pred == 0).astype(int)
    report = classification_report(gold.tolist(), pred.tolist())
    report["ece"] = expected_calibration_error(probs.max(1), probs.argmax(1) == np.array([LABELS.index(r["label"]) for r in rows]))
    return report, probs


def pairs_per_second(judge: NLIJudge, rows: list[dict]) -> float:
    premises, hyps = [r["premise"] for r in rows], [r["hypothesis"] for r in rows]
    judge.score(premises[:64], hyps[:64])  # warm-up
    started = time.perf_counter()
    judge.score(premises, hyps, batch_size=32)
    return len(rows) / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("build/verifier-data"), help="output of pipeline.training.data")
    ap.add_argument("--fp32", type=Path, default=Path("build/verifier-v2/model"), help="the model before quantisation, if at hand")
    ap.add_argument("--previous", type=Path, default=None,
                    help="the previously shipped model folder, scored on the same pairs (a new version ships only if it wins)")
    ap.add_argument("--out", type=Path, default=REPORTS)
    args = ap.parse_args()

    judges = {"int8": nli_judge(str(SHIPPED_DIR))}
    if (args.fp32 / "config.json").exists():
        judges = {"fp32": nli_judge(str(args.fp32)), **judges}
        judges["fp32"].temperature = judges["int8"].temperature
    if args.previous:
        judges["previous"] = nli_judge(str(args.previous))
    sets = sorted(p.stem for p in (args.data / "heldout").glob("*.jsonl"))
    trained_on = {pair_key(r) for r in read_jsonl(args.data / "train.jsonl")}
    table: dict[str, dict] = {}
    for name in sets:
        rows = list(read_jsonl(args.data / "heldout" / f"{name}.jsonl"))
        kept = [r for r in rows if pair_key(r) not in trained_on]  # a held-out pair seen in training is not scored
        entry: dict = {"n": len(kept), "dropped_as_seen_in_training": len(rows) - len(kept)}
        rows = kept
        preds = {}
        for kind, judge in judges.items():
            report, probs = score_set(judge, rows)
            entry[kind] = {k: round(v, 4) for k, v in report.items() if k in ("accuracy", "macro_f1", "ece")}
            preds[kind] = probs.argmax(1)
        if "fp32" in preds:
            entry["agreement"] = round(float((preds["fp32"] == preds["int8"]).mean()), 4)
        table[name] = entry
        print(name, json.dumps(entry), flush=True)

    from eval.news_pairs import claim_pairs

    news = claim_pairs("dev")
    table_news = {kind: news_pairs_report(j, news) for kind, j in judges.items()}
    print("news_dev", json.dumps(table_news), flush=True)
    speed_rows = list(read_jsonl(args.data / "heldout" / "vitaminc_heldout.jsonl"))[:SPEED_PAIRS]
    speed = {kind: round(pairs_per_second(j, speed_rows), 1) for kind, j in judges.items() if kind != "previous"}
    context_rows = [r for r in news if r["source"].endswith("other")][:SPEED_PAIRS]
    speed_context = {kind: round(pairs_per_second(j, context_rows), 1) for kind, j in judges.items() if kind != "previous"}
    calibration = json.loads((SHIPPED_DIR / "calibration.json").read_text())
    result = {"sets": table, "news_dev": table_news, "pairs_per_s": speed, "speed_pairs": f"{len(speed_rows)} VitaminC held-out pairs",
              "pairs_per_s_context": speed_context, "speed_pairs_context": f"{len(context_rows)} news dev pairs in context form",
              "calibration": calibration, "machine": f"{platform.machine()}, {judges['int8'].threads} threads",
              "model_bytes": (SHIPPED_DIR / "model.onnx").stat().st_size}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "verifier.json").write_text(json.dumps(result, indent=1) + "\n")
    (args.out / "verifier.md").write_text(render(result, list(judges)))
    print((args.out / "verifier.md").read_text())


def render(result: dict, kinds: list[str]) -> str:
    lines = ["# Verifier dev table", "",
             "Produced by `python -m eval.verifier_report`; no set below was trained on "
             "(held-out slices built by `python -m pipeline.training.data`; eval-only sets sampled to at most 2,000 pairs).",
             "RTE is two-way (entailment vs not). ECE uses the calibrated confidence, 10 bins. "
             "`previous`, when present, is the version shipped before this one, scored on the same pairs.", ""]
    head = "| set | n | " + " | ".join(f"{k} acc | {k} macro-F1" for k in kinds) + " | int8 ECE |"
    if "fp32" in kinds:
        head += " fp32/int8 agreement |"
    lines += [head, "|" + "---|" * (head.count("|") - 1)]
    for name, e in result["sets"].items():
        row = f"| {name} | {e['n']} | " + " | ".join(f"{e[k]['accuracy']:.3f} | {e[k]['macro_f1']:.3f}" for k in kinds)
        row += f" | {e['int8']['ece']:.3f} |"
        if "agreement" in e:
            row += f" {e['agreement']:.3f} |"
        lines.append(row)
    lines += ["", "News dev split, the gold sentence in context (title, date, the sentence it refers back to) against its "
              "claim (`eval.news_pairs`); non-evidence: the same articles' other sentences:", "",
              "| model | entailment recall | contradiction recall | non-evidence read as contradiction |", "|---|---|---|---|"]
    for kind, n in result["news_dev"].items():
        lines.append(f"| {kind} | {n['entailment_recall']:.3f} | {n['contradiction_recall']:.3f} "
                     f"| {n['non_evidence_as_contradiction']:.3f} |")
    lines += ["", "News targets (int8): " + "; ".join(f"{k} {op} {goal}" for k, (op, goal) in NEWS_TARGETS.items())]
    lines += ["", "Targets: " + "; ".join(
        f"{name} {metric} >= {goal} (int8: {result['sets'][name]['int8'][metric]:.3f})"
        for name, (metric, goal) in TARGETS.items() if name in result["sets"]), ""]
    lines += [f"Speed, {result['speed_pairs']}, {result['machine']} (int8 ONNX: one pair at a time per thread; "
              "PyTorch: batches of 32 pairs of about the same length): "
              + ", ".join(f"{k} {v} pairs/s" for k, v in result["pairs_per_s"].items()),
              f"Speed in context form, {result['speed_pairs_context']}: "
              + ", ".join(f"{k} {v} pairs/s" for k, v in result["pairs_per_s_context"].items()), "",
              f"Calibration: temperature {result['calibration']['temperature']} fitted on {result['calibration']['fitted_on']}; "
              f"ECE there {result['calibration']['ece_before']} -> {result['calibration']['ece_after']}.",
              f"Shipped model.onnx: {result['model_bytes'] / 1e6:.1f} MB.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
