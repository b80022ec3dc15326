"""How often the reverse reading (`VerdictRules.claim_entails`) withdraws a contradiction, by gold label.

    python -m eval.reverse_reads [--data build/verifier-data-v3e] [--per-set 1500] [--out eval/reports/reverse_reads.json]

For each held-out pair set that `python -m pipeline.training.data` writes (`heldout/*.jsonl`, three-way rows only;
a seeded sample of `--per-set` pairs), the shipped verifier reads every pair; the pairs it reads as contradiction
(P >= the shipped `refute`) are read again the other way round, the hypothesis as premise. A withdrawal is right
where the gold label is not contradiction. Counted twice: by the reverse reading alone, and by the shipped rule,
which withdraws nothing where a compared value differs or where the hypothesis's words are nearly all in the premise
(`reverse_coverage`).
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

from pipeline.aggregate import verdict_rules
from pipeline.config import Settings
from pipeline.judge import load_judge
from pipeline.judge.stage import claim_coverage
from pipeline.models import Judgement, Probabilities, Stance
from pipeline.quantities import compare, find_quantities
from pipeline.training.data import read_jsonl


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("build/verifier-data-v3e"), help="written by pipeline.training.data")
    ap.add_argument("--per-set", type=int, default=1500, help="pairs sampled from each set (seeded)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None, help="also write the table here as JSON")
    args = ap.parse_args()
    settings = Settings()
    judge = load_judge(settings)
    rules = verdict_rules(judge, settings)
    table = {}
    for path in sorted((args.data / "heldout").glob("*.jsonl")):
        rows = [r for r in read_jsonl(path) if not r.get("binary")]
        random.Random(args.seed).shuffle(rows)
        rows = rows[:args.per_set]
        if not rows:
            continue
        forward = judge.score([r["premise"] for r in rows], [r["hypothesis"] for r in rows])
        read = [i for i, p in enumerate(forward) if p[2] >= rules.refute]
        reverse = judge.score([rows[i]["hypothesis"] for i in read], [rows[i]["premise"] for i in read])
        counts: Counter = Counter()
        for i, back in zip(read, reverse, strict=True):
            r, p = rows[i], forward[i]
            j = Judgement(doc_id=path.stem, chunk_id=path.stem, start=0, end=len(r["premise"]), quote=r["premise"],
                          stance=Stance.NEUTRAL, retrieval_rank=1, retrieval_score=0.0,
                          probabilities=Probabilities(entailment=float(p[0]), neutral=float(p[1]), contradiction=float(p[2])),
                          reverse_entailment=round(float(back[0]), 4),
                          claim_coverage=claim_coverage(r["hypothesis"], r["premise"]),
                          quantities=compare(find_quantities(r["hypothesis"]), find_quantities(r["premise"])))
            right = "right" if r["label"] != "contradiction" else "wrong"
            counts[f"reverse_alone_{right}"] += float(back[0]) >= rules.reverse_entailment
            counts[f"rule_{right}"] += rules.claim_entails(j)
        table[path.stem] = {"pairs": len(rows), "read_as_contradiction": len(read), **dict(sorted(counts.items()))}
        print(path.stem, json.dumps(table[path.stem]), flush=True)
    total = Counter()
    for row in table.values():
        total.update({k: v for k, v in row.items()})
    table["all"] = dict(total)
    print("all", json.dumps(table["all"]))
    if args.out:
        args.out.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
