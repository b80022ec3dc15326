"""The verifier's data recipe: which public pairs train it and which are held out to measure it.

Run once before training (`python -m pipeline.judge.data`); it writes JSONL files of
`{"premise", "hypothesis", "label", "source"}` to the output folder:
- `train.jsonl`: the mix the shipped model learns from (only sets whose licenses allow it);
- `stage2.jsonl`: hard neutrals mined by retrieval plus a replay of train pairs, for a second stage;
- `calib.jsonl`: a train-side split never trained on, for dev logging and temperature scaling;
- `heldout/*.jsonl`: the dev table's sets, never trained on.
Everything is seeded, so the same inputs give the same files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

LABELS = ("entailment", "neutral", "contradiction")
SCIFACT_LABEL = {"SUPPORT": "entailment", "CONTRADICT": "contradiction"}

# (folder/file stem, how many rows to sample at most; None keeps all). Only "train" sets.
TRAIN_SETS: list[tuple[str, int | None]] = [
    ("vitaminc/synthetic_test", 8000),
    ("fever_nli/dev", 9000),
    ("fever_symmetric/v01_full", None),
    ("fever_symmetric/v02_dev", None),
    ("fever_adversarial/fever2_fixers_dev", None),
    ("fever_adversarial/fever_triggers", None),
    ("fm2/dev", None),
    ("snli/dev", 5000),
    ("snli/test", 5000),
    ("cad_snli/train", 6000),
    ("mnli_taxinli/train_subset", None),
    ("mnli_taxinli/dev_matched_subset", None),
]
# Sets we may only measure on (non-commercial, research-only or unstated licenses).
EVAL_ONLY_SETS = [
    "sick/test", "xnli_en/test", "rte/dev", "rte/train", "covidfact/test", "healthver/dev",
    "sufficient_facts/fever", "sufficient_facts/hover", "sufficient_facts/vitaminc",
]
EVAL_SAMPLE = 2000  # rows per eval-only set, to keep the dev table quick to rerun
VITAMINC_HELDOUT_SHARE = 0.1
SCIFACT_POSITIVE_REPEAT = 2
SCIFACT_RETRIEVED_NEUTRALS = 4
SCIFACT_SAME_ABSTRACT_NEUTRALS = 3
FACT_SOURCES = {"vitaminc", "fever_nli", "fm2", "fever_symmetric", "fever2_adversarial"}
STAGE2_NEUTRAL_CLAIMS = 12000
STAGE2_REPLAY = 20000


def read_jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def write_jsonl(path: Path, rows: Iterable[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def pair_key(row: dict) -> tuple[str, str]:
    return (" ".join(row["premise"].lower().split()), " ".join(row["hypothesis"].lower().split()))


def nli_set(nli_dir: Path, name: str) -> list[dict]:
    return [
        {k: r[k] for k in ("premise", "hypothesis", "label", "source")} | ({"binary": True} if r.get("binary") else {})
        for r in read_jsonl(nli_dir / f"{name}.jsonl.gz")
    ]


def sample(rows: list[dict], n: int | None, rng: random.Random) -> list[dict]:
    if n is None or len(rows) <= n:
        return list(rows)
    return rng.sample(rows, n)


def scifact_pairs(claims_path: Path, corpus_path: Path, seed: int = 13) -> list[dict]:
    """Claim-sentence pairs from SciFact: gold rationale sentences carry the claim's label;
    non-rationale sentences of the evidence abstracts and BM25-retrieved sentences from the
    whole corpus that are not rationales become hard neutral pairs."""
    import bm25s

    rng = random.Random(seed)
    corpus = {int(d["doc_id"]): d["abstract"] for d in read_jsonl(corpus_path)}
    sent_ids = [(doc, i) for doc, sents in corpus.items() for i in range(len(sents))]
    sent_text = [corpus[doc][i] for doc, i in sent_ids]
    index = bm25s.BM25()
    index.index(bm25s.tokenize(sent_text, stopwords="en", show_progress=False), show_progress=False)
    claims = list(read_jsonl(claims_path))
    hits, _ = index.retrieve(
        bm25s.tokenize([c["claim"] for c in claims], stopwords="en", show_progress=False),
        k=SCIFACT_RETRIEVED_NEUTRALS + 6, show_progress=False,
    )
    rows: list[dict] = []
    for claim, claim_hits in zip(claims, hits, strict=True):
        text = claim["claim"]
        rationale: set[tuple[int, int]] = set()
        for doc_id, sets in claim["evidence"].items():
            for ev in sets:
                for i in ev["sentences"]:
                    rationale.add((int(doc_id), i))
                    rows.append({"premise": corpus[int(doc_id)][i], "hypothesis": text,
                                 "label": SCIFACT_LABEL[ev["label"]], "source": "scifact"})
        neutral: list[tuple[int, int]] = []
        for doc_id in claim["evidence"]:
            others = [(int(doc_id), i) for i in range(len(corpus[int(doc_id)])) if (int(doc_id), i) not in rationale]
            neutral += rng.sample(others, min(SCIFACT_SAME_ABSTRACT_NEUTRALS, len(others)))
        retrieved = [sent_ids[j] for j in claim_hits if sent_ids[j] not in rationale and sent_ids[j] not in neutral]
        neutral += retrieved[:SCIFACT_RETRIEVED_NEUTRALS]
        rows += [{"premise": corpus[d][i], "hypothesis": text, "label": "neutral", "source": "scifact"}
                 for d, i in neutral]
    return rows


def tokens(text: str) -> set[str]:
    return {w for w in "".join(ch.lower() if ch.isalnum() else " " for ch in text).split() if len(w) > 2}


def mined_neutrals(rows: list[dict], n_claims: int, seed: int = 13) -> list[dict]:
    """Hard neutral pairs: each claim with a sentence that BM25 ranks high among the evidence of
    *other* claims, but that is not near its own evidence (token Jaccard < 0.5 with each of them).

    Such sentences share the claim's names and topic without settling it, which is what retrieval
    hands the verifier most of the time; without them the model learns that overlap means support."""
    import bm25s

    rng = random.Random(seed)
    own: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        own[r["hypothesis"]].add(r["premise"])
    premises = sorted({r["premise"] for r in rows})
    index = bm25s.BM25()
    index.index(bm25s.tokenize(premises, stopwords="en", show_progress=False), show_progress=False)
    claims = sorted(own)
    claims = rng.sample(claims, min(n_claims, len(claims)))
    hits, _ = index.retrieve(bm25s.tokenize(claims, stopwords="en", show_progress=False), k=10, show_progress=False)
    out = []
    for claim, claim_hits in zip(claims, hits, strict=True):
        own_tokens = [tokens(p) for p in own[claim]]
        for j in claim_hits:
            premise = premises[j]
            if premise in own[claim]:
                continue
            pt = tokens(premise)
            if all(len(pt & t) / max(1, len(pt | t)) < 0.5 for t in own_tokens):
                out.append({"premise": premise, "hypothesis": claim, "label": "neutral", "source": "mined_neutral"})
                break
    return out


def drop_conflicts(rows: list[dict]) -> list[dict]:
    """Drop pairs that appear with more than one label, and exact duplicates."""
    labels: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        labels[pair_key(r)].add(r["label"])
    seen: set[tuple[str, str]] = set()
    out = []
    for r in rows:
        k = pair_key(r)
        if len(labels[k]) == 1 and k not in seen:
            seen.add(k)
            out.append(r)
    return out


def build(nli_dir: Path, scifact_dir: Path, out_dir: Path, seed: int = 13) -> dict[str, int]:
    rng = random.Random(seed)
    counts: dict[str, int] = {}

    # Held-out sets first, so that every train pair overlapping them can be dropped.
    vitc = nli_set(nli_dir, "vitaminc/real_test")
    claims = sorted({r["hypothesis"] for r in vitc})
    rng.shuffle(claims)
    held_claims = set(claims[: int(len(claims) * VITAMINC_HELDOUT_SHARE)])
    heldout = {
        "vitaminc_heldout": [r for r in vitc if r["hypothesis"] in held_claims],
        "fever_symmetric_v02_test": nli_set(nli_dir, "fever_symmetric/v02_test"),
        "mnli_dev_mismatched": nli_set(nli_dir, "mnli_taxinli/dev_mismatched_subset"),
        "scifact_dev": scifact_pairs(scifact_dir / "claims_dev.jsonl", scifact_dir / "corpus.jsonl", seed),
    }
    for name in EVAL_ONLY_SETS:
        heldout[name.replace("/", "_")] = sample(nli_set(nli_dir, name), EVAL_SAMPLE, rng)
    held_keys = {pair_key(r) for rows in heldout.values() for r in rows}
    held_hyps = {" ".join(h.lower().split()) for h in held_claims}

    train: list[dict] = [r for r in vitc if r["hypothesis"] not in held_claims]
    for name, n in TRAIN_SETS:
        train += sample(nli_set(nli_dir, name), n, rng)
    train += scifact_pairs(scifact_dir / "claims_train.jsonl", scifact_dir / "corpus.jsonl", seed)
    train = drop_conflicts([r for r in train if pair_key(r) not in held_keys and pair_key(r)[1] not in held_hyps])
    train += [r for r in train if r["source"] == "scifact" and r["label"] != "neutral"] * (SCIFACT_POSITIVE_REPEAT - 1)
    rng.shuffle(train)

    # Calibration split: whole hypotheses, so no claim straddles it and train.
    hyps = sorted({r["hypothesis"] for r in train})
    rng.shuffle(hyps)
    calib_hyps = set(hyps[: len(hyps) // 40])
    calib = [r for r in train if r["hypothesis"] in calib_hyps]
    train = [r for r in train if r["hypothesis"] not in calib_hyps]

    counts["train"] = write_jsonl(out_dir / "train.jsonl", train)
    # Stage 2 continues from the stage-1 model: mined hard neutrals plus a replay of stage-1 pairs.
    fact_rows = [r for r in train if r["source"] in FACT_SOURCES]
    stage2 = mined_neutrals(fact_rows, STAGE2_NEUTRAL_CLAIMS, seed) + rng.sample(train, STAGE2_REPLAY)
    rng.shuffle(stage2)
    counts["stage2"] = write_jsonl(out_dir / "stage2.jsonl", stage2)
    counts["calib"] = write_jsonl(out_dir / "calib.jsonl", drop_conflicts(calib))
    for name, rows in heldout.items():
        counts[f"heldout/{name}"] = write_jsonl(out_dir / "heldout" / f"{name}.jsonl", rows)
    by_source: dict[str, int] = defaultdict(int)
    for r in train:
        by_source[f"{r['source']}:{r['label']}"] += 1
    (out_dir / "counts.json").write_text(json.dumps({"files": counts, "train_by_source": dict(sorted(by_source.items()))}, indent=1))
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nli", type=Path, default=Path("../shared/nli"), help="folder of the unified NLI sets")
    ap.add_argument("--scifact", type=Path, default=Path("../shared/eval/scifact"), help="SciFact folder")
    ap.add_argument("--out", type=Path, default=Path("build/verifier-data"), help="where the JSONL files go")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    for name, n in build(args.nli, args.scifact, args.out, args.seed).items():
        print(f"{name}\t{n}")


if __name__ == "__main__":
    main()
