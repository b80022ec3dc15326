"""What each part of the evidence-in-context form does to a judge's reading of the news dev pairs.

    python -m eval.reads [--split dev] [--verifier shipped] [--per-label 0] [--full-and-undated] [--out build/reads.json]

The judge reads a sentence with its document's title, date line and, when it refers back, the sentence before
it (`pipeline.evidence.evidence_text`). This scores the news claim set's pairs (`eval.news_pairs`: gold
sentences against their SUPPORTED / REFUTED claims, the same articles' other sentences as non-evidence) with
each subset of those parts, and prints per reading the entailment recall, the contradiction recall, gold
supporting sentences read as contradiction and non-evidence read as contradiction. `--verifier` is any
`verifier` setting ('llm': the local chat model); `--per-label N` scores a seeded sample of N pairs per label
and only the full reading (for slow judges: the LLM takes seconds a pair); `--full-and-undated` scores only the
full reading and the one without the date line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from pathlib import Path

from eval.news_pairs import READ_PARTS, claim_pairs
from eval.verifier_report import news_pairs_report
from pipeline.config import Settings
from pipeline.judge import LABELS, load_judge


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--verifier", default="shipped", help="a `verifier` setting: 'shipped', 'llm', a model path")
    ap.add_argument("--per-label", type=int, default=0, help="score this many seeded pairs per label, full reading only")
    ap.add_argument("--full-and-undated", action="store_true", help="only the full reading and the one without the date")
    ap.add_argument("--out", type=Path, default=None, help="also write the table here as JSON")
    args = ap.parse_args()
    judge = load_judge(Settings(verifier=args.verifier))
    subsets = ([READ_PARTS] if args.per_label else [READ_PARTS, ("title", "context")] if args.full_and_undated
               else [c for n in range(len(READ_PARTS), -1, -1) for c in itertools.combinations(READ_PARTS, n)])
    table = {}
    for parts in subsets:
        rows = claim_pairs(args.split, parts=parts)
        if args.per_label:
            rng = random.Random(13)
            pools = [[r for r in rows if r["label"] == label] for label in LABELS]
            rows = [r for pool in pools for r in rng.sample(pool, min(args.per_label, len(pool)))]
        name = " + ".join(("sentence", *parts))
        table[name] = news_pairs_report(judge, rows)
        print(name, json.dumps(table[name]), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"split": args.split, "verifier": args.verifier, "readings": table}, indent=1))


if __name__ == "__main__":
    main()
