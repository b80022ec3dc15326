"""The verifier's data recipe: which public pairs train it and which are held out to measure it.

Run once before training (`python -m pipeline.training.data`); it writes JSONL files of
`{"premise", "hypothesis", "label", "source"}` to the output folder:
- `train.jsonl`: the mix the shipped model learns from (only sets whose licenses allow it), with
  hard neutrals mined by retrieval and number-edit contradictions made from entailed claims;
- `negation.jsonl`: a second, short stage: negated claims and evidence plus a replay of train pairs,
  so that the model reads "not"/"never" instead of counting shared words;
- `calib.jsonl`: a train-side split never trained on, for dev logging and temperature scaling;
- `heldout/*.jsonl`: the dev table's sets, never trained on.
A fifth of SciFact train claims (`scifact_fit_ids`) is kept out of training too: the verdict
thresholds are fitted on those claims, where the model's probabilities are not in-sample.
Everything is seeded, so the same inputs give the same files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from bm25s.stopwords import STOPWORDS_EN_PLUS

from pipeline.evidence import evidence_text, needs_context
from pipeline.textnorm import normalise_space

LABELS = ("entailment", "neutral", "contradiction")
SCIFACT_LABEL = {"SUPPORT": "entailment", "CONTRADICT": "contradiction"}

# (folder/file stem, how many rows to sample at most; None keeps all). Only "train" sets.
TRAIN_SETS: list[tuple[str, int | None]] = [
    ("vitaminc/synthetic_test", 12000),
    ("fever_nli/dev", None),
    ("fever_symmetric/v01_full", None),
    ("fever_symmetric/v02_dev", None),
    ("fever_adversarial/fever2_fixers_dev", None),
    ("fever_adversarial/fever_triggers", None),
    ("fm2/dev", None),
    ("snli/dev", None),
    ("snli/test", None),
    ("cad_snli/train", None),
    ("mnli_taxinli/train_subset", None),
    ("mnli_taxinli/dev_matched_subset", None),
]
# Sets we may only measure on (non-commercial, research-only or unstated licenses).
EVAL_ONLY_SETS = [
    "sick/test", "xnli_en/test", "rte/dev", "rte/train", "covidfact/test", "healthver/dev",
    "sufficient_facts/fever", "sufficient_facts/hover", "sufficient_facts/vitaminc",
]
# Phenomenon sets (v3): (file stem, train rows at most, held-out rows). Templated, so a minority of the mix: each
# teaches one thing small NLI models get wrong (negation scope, numbers, tense, veridicality, monotonicity, swaps).
# The held-out rows of each are never trained on; `heldout/phenomenon_*` groups them for the dev table.
PHENOMENON_SETS: list[tuple[str, int, int]] = [
    ("breaking_nli/all", 3000, 600),
    ("conjnli/adversarial_train", 3000, 0),
    ("scone/train", 3000, 0),
    ("negation_nli/snli", 1200, 299),
    ("negation_nli/mnli", 1200, 300),
    ("equate/stresstest", 3000, 1000),
    ("equate/awpnli", 572, 150),
    ("tea/all", 3000, 800),
    ("tracie/train", 1170, 0),
    ("dnc_megaveridicality/train", 3000, 0),
    ("dnc_function_words/negation", 472, 119),
    ("dnc_function_words/quantification", 258, 65),
    ("dnc_function_words/comparatives", 71, 18),
    ("dnc_function_words/prepositions", 286, 72),
    ("dnc_function_words/spatial", 125, 32),
    ("med/all", 2500, 500),
]
# Held-out test splits that upstream provides, grouped by phenomenon (with the held-out slices above).
PHENOMENON_HELDOUT = {
    "negation": ["scone/test", "negation_nli/snli", "negation_nli/mnli", "dnc_function_words/negation"],
    "veridicality": ["dnc_megaveridicality/test"],
    "numbers": ["equate/stresstest", "equate/awpnli", "breaking_nli/all"],
    "tense_order": ["tracie/test", "tea/all"],
    "conjunctions": ["conjnli/dev"],
    "monotonicity": ["med/all", "dnc_function_words/quantification", "dnc_function_words/comparatives"],
}
SNLI_SOURCES = {"snli", "cad_snli"}
STOPWORDS = frozenset(STOPWORDS_EN_PLUS)
EVAL_SAMPLE = 2000  # rows per eval-only set, to keep the dev table quick to rerun
VITAMINC_HELDOUT_SHARE = 0.1
SCIFACT_POSITIVE_REPEAT = 2
SCIFACT_RETRIEVED_NEUTRALS = 4
SCIFACT_SAME_ABSTRACT_NEUTRALS = 3
SCIFACT_FIT_SHARE = 0.2
FACT_SOURCES = {"vitaminc", "fever_nli", "fm2", "fever_symmetric", "fever2_adversarial"}
MINED_NEUTRAL_CLAIMS = 7000
NUMBER_EDITS = 4000
# A number the claim shares with its evidence: not part of a name ("COVID-19", "G7", "3rd").
NUMBER = re.compile(r"(?<![\w.\-/])\d[\d,]*(?:\.\d+)?(?![\w\-/])")
NEGATION_STAGE = {"claim": 4000, "evidence": 3000, "neutral": 2000, "replay": 24000}
# One auxiliary or copula to negate; sentences already negative are left alone (double negation).
AUXILIARY = re.compile(r"\b(is|are|was|were|has|have|had|can|could|will|would|should|may|might|must|does|do|did)\b")
NEGATIVE = re.compile(r"\b(not|never|no|none|nobody|nothing|neither|nor|without)\b|n't", re.IGNORECASE)
# Words that make a changed number still true ("more than 5" holds for 3): such claims are not edited.
DIRECTIONAL = re.compile(r"\b(more|less|fewer|over|under|least|most|up to|above|below|exceed\w*|than|nearly|almost|"
                         r"within|beyond|only|or so|plus|after|before|since|until|by)\b", re.IGNORECASE)


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
    return (normalise_space(row["premise"].lower()), normalise_space(row["hypothesis"].lower()))


def nli_set(nli_dir: Path, name: str) -> list[dict]:
    return [
        {k: r[k] for k in ("premise", "hypothesis", "label", "source")} | ({"binary": True} if r.get("binary") else {})
        for r in read_jsonl(nli_dir / f"{name}.jsonl.gz")
    ]


def sample(rows: list[dict], n: int | None, rng: random.Random) -> list[dict]:
    if n is None or len(rows) <= n:
        return list(rows)
    return rng.sample(rows, n)


def scifact_fit_ids(claims_path: Path, seed: int = 13) -> set[int]:
    """The SciFact train claims kept out of verifier training, on which verdict thresholds are fitted."""
    ids = sorted(int(r["id"]) for r in read_jsonl(claims_path))
    random.Random(seed).shuffle(ids)
    return set(ids[: round(len(ids) * SCIFACT_FIT_SHARE)])


def scifact_pairs(claims_path: Path, corpus_path: Path, seed: int = 13, skip_ids: set[int] = frozenset()) -> list[dict]:
    """Claim-sentence pairs from SciFact: gold rationale sentences carry the claim's label;
    non-rationale sentences of the evidence abstracts and BM25-retrieved sentences from the
    whole corpus that are not rationales become hard neutral pairs. Claims in `skip_ids` are left out."""
    import bm25s

    rng = random.Random(seed)
    docs = list(read_jsonl(corpus_path))
    corpus = {int(d["doc_id"]): d["abstract"] for d in docs}
    titles = {int(d["doc_id"]): d["title"] for d in docs}

    def premise(doc: int, i: int) -> str:
        """The sentence in the evidence-in-context form the judge reads (title; previous sentence if it refers back)."""
        sent = corpus[doc][i]
        return evidence_text(sent, titles[doc], None, corpus[doc][i - 1] if i > 0 and needs_context(sent) else None)

    sent_ids = [(doc, i) for doc, sents in corpus.items() for i in range(len(sents))]
    sent_text = [corpus[doc][i] for doc, i in sent_ids]
    index = bm25s.BM25()
    index.index(bm25s.tokenize(sent_text, stopwords="en", show_progress=False), show_progress=False)
    claims = [c for c in read_jsonl(claims_path) if int(c["id"]) not in skip_ids]
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
                    rows.append({"premise": premise(int(doc_id), i), "hypothesis": text,
                                 "label": SCIFACT_LABEL[ev["label"]], "source": "scifact"})
        neutral: list[tuple[int, int]] = []
        for doc_id in claim["evidence"]:
            others = [(int(doc_id), i) for i in range(len(corpus[int(doc_id)])) if (int(doc_id), i) not in rationale]
            neutral += rng.sample(others, min(SCIFACT_SAME_ABSTRACT_NEUTRALS, len(others)))
        retrieved = [sent_ids[j] for j in claim_hits if sent_ids[j] not in rationale and sent_ids[j] not in neutral]
        neutral += retrieved[:SCIFACT_RETRIEVED_NEUTRALS]
        rows += [{"premise": premise(d, i), "hypothesis": text, "label": "neutral", "source": "scifact"}
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


def changed_number(number: str, rng: random.Random) -> str:
    """Another value for `number`, far enough from it that a claim stating it is false: years move by
    1 to 9, other values scale by 0.25 to 4 (never to themselves); thousands separators are kept."""
    plain = number.replace(",", "")
    if "." in plain:
        value = float(plain)
        new = value * rng.choice([0.25, 0.5, 2.0, 3.0, 4.0]) if value else rng.choice([1.5, 2.5])
        return f"{new:.{len(plain.split('.')[1])}f}"
    value = int(plain)
    if 1000 <= value <= 2100 and "," not in number:
        return str(value + rng.choice([-1, 1]) * rng.randint(1, 9))
    new = max(2, round(value * rng.choice([0.25, 0.5, 2, 3, 4]))) if value > 1 else rng.randint(2, 9)
    if new == value:
        new = value + 1
    return f"{new:,}" if "," in number else str(new)


def number_edits(rows: list[dict], n: int, seed: int = 13) -> list[dict]:
    """Contradictions made from entailed claims by changing a number the evidence states.

    News claims are falsified by numbers and dates more than by anything else, and NLI sets
    rarely flip a claim on its number alone. Claims that bound a number ("more than 5") are left
    alone, since a changed bound can still be true."""
    rng = random.Random(seed)
    pool = [r for r in rows if r["label"] == "entailment" and (r["source"] in FACT_SOURCES or r["source"] == "scifact")
            and not DIRECTIONAL.search(r["hypothesis"])]
    rng.shuffle(pool)
    out = []
    for r in pool:
        shared = [m for m in NUMBER.finditer(r["hypothesis"]) if m.group() in r["premise"]]
        if not shared:
            continue
        m = rng.choice(shared)
        new = changed_number(m.group(), rng)
        if new in r["premise"]:
            continue
        claim = r["hypothesis"][: m.start()] + new + r["hypothesis"][m.end():]
        out.append({"premise": r["premise"], "hypothesis": claim, "label": "contradiction", "source": "number_edit"})
        if len(out) >= n:
            break
    return out


def negated(sentence: str, rng: random.Random) -> str | None:
    """The sentence with its one auxiliary or copula negated ("was" -> "was not" or "was never"); None
    when it has no auxiliary, several (which one to negate is a guess), or a negation already."""
    hits = list(AUXILIARY.finditer(sentence))
    if len(hits) != 1 or NEGATIVE.search(sentence):
        return None
    m = hits[0]
    word = rng.choice(["not", "never"]) if m.group() in ("was", "were", "has", "have", "had", "did") else "not"
    return f"{sentence[: m.end()]} {word}{sentence[m.end():]}"


def negation_pairs(rows: list[dict], seed: int = 13) -> list[dict]:
    """Pairs that turn on a negation, in both directions, with neutral ones so "not" is no shortcut:
    - an entailed claim, negated, is contradicted by the same evidence;
    - short evidence, negated, contradicts a claim that restates it (most of the claim's words are in it);
    - a neutral claim, negated, stays neutral."""
    rng = random.Random(seed)
    pool = rows[:]
    rng.shuffle(pool)
    out: dict[str, list[dict]] = {"claim": [], "evidence": [], "neutral": []}
    for r in pool:
        p, h = r["premise"], r["hypothesis"]
        if r["label"] == "entailment" and len(out["claim"]) < NEGATION_STAGE["claim"] and (neg := negated(h, rng)):
            out["claim"].append({"premise": p, "hypothesis": neg, "label": "contradiction", "source": "negated_claim"})
        elif (r["label"] == "entailment" and len(out["evidence"]) < NEGATION_STAGE["evidence"] and len(p.split()) <= 30
              and len(tokens(h) - tokens(p)) <= len(tokens(h)) * 0.3 and (neg := negated(p, rng))):
            out["evidence"].append({"premise": neg, "hypothesis": h, "label": "contradiction", "source": "negated_evidence"})
        elif r["label"] == "neutral" and len(out["neutral"]) < NEGATION_STAGE["neutral"] and (neg := negated(h, rng)):
            out["neutral"].append({"premise": p, "hypothesis": neg, "label": "neutral", "source": "negated_neutral"})
    return [row for rows_ in out.values() for row in rows_]


def unrelated_scene(row: dict) -> bool:
    """An SNLI-style contradiction between two scenes that share no content word ("A man plays guitar" /
    "A woman sleeps"): SNLI's annotators were told to assume one scene, so they labelled it contradiction,
    but a corpus sentence about something else is neutral to a claim. Such pairs are dropped."""
    if row["source"] not in SNLI_SOURCES or row["label"] != "contradiction":
        return False
    content = lambda text: tokens(text) - STOPWORDS  # noqa: E731
    return not content(row["premise"]) & content(row["hypothesis"])


def phenomenon_sets(nli_dir: Path, rng: random.Random) -> tuple[list[dict], dict[str, list[dict]]]:
    """Train rows of the phenomenon sets and their held-out rows by phenomenon (`PHENOMENON_HELDOUT`)."""
    train: list[dict] = []
    held: dict[str, list[dict]] = {}
    for name, n_train, n_held in PHENOMENON_SETS:
        rows = nli_set(nli_dir, name)
        rng.shuffle(rows)
        held[name] = rows[:n_held]
        train += sample(rows[n_held:], n_train, rng)
    groups = {}
    for phenomenon, names in PHENOMENON_HELDOUT.items():
        rows = []
        for name in names:
            rows += held[name] if name in held else sample(nli_set(nli_dir, name), EVAL_SAMPLE, rng)
        groups[f"phenomenon_{phenomenon}"] = rows
    return train, groups


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


def build(nli_dir: Path, scifact_dir: Path, out_dir: Path, seed: int = 13, news_dir: Path | None = None,
          news_exclude: set[str] = frozenset(), news_limit: int = 0) -> dict[str, int]:
    """Write every file (see the module docstring); returns rows per file. Without `news_dir` no news pairs
    are made (the phenomenon sets are always in)."""
    from pipeline.training.news_pairs import build_pairs

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
    phenomenon_train, phenomenon_held = phenomenon_sets(nli_dir, rng)
    heldout |= phenomenon_held
    held_keys = {pair_key(r) for rows in heldout.values() for r in rows}
    held_hyps = {normalise_space(h.lower()) for h in held_claims}

    train: list[dict] = [r for r in vitc if r["hypothesis"] not in held_claims]
    for name, n in TRAIN_SETS:
        train += sample(nli_set(nli_dir, name), n, rng)
    fit_ids = scifact_fit_ids(scifact_dir / "claims_train.jsonl", seed)
    train += scifact_pairs(scifact_dir / "claims_train.jsonl", scifact_dir / "corpus.jsonl", seed, skip_ids=fit_ids)
    # by text too: SciFact train repeats a few claims under two ids
    held_hyps |= {normalise_space(r["claim"].lower()) for r in read_jsonl(scifact_dir / "claims_train.jsonl") if r["id"] in fit_ids}
    fact_rows = [r for r in train if r["source"] in FACT_SOURCES]
    train += mined_neutrals(fact_rows, MINED_NEUTRAL_CLAIMS, seed) + number_edits(train, NUMBER_EDITS, seed)
    counts["dropped_unrelated_scene"] = sum(map(unrelated_scene, train))
    train = [r for r in train if not unrelated_scene(r)] + phenomenon_train
    if news_dir is not None:
        train += build_pairs(news_dir, news_exclude, seed, news_limit)
    # Last, so that no pair made above (a mined neutral can recreate a held-out pair) leaks either.
    train = drop_conflicts([r for r in train if pair_key(r) not in held_keys and pair_key(r)[1] not in held_hyps])
    train += [r for r in train if r["source"] == "scifact" and r["label"] != "neutral"] * (SCIFACT_POSITIVE_REPEAT - 1)
    rng.shuffle(train)

    # Calibration split: whole hypotheses, so no claim straddles it and train.
    hyps = sorted({r["hypothesis"] for r in train})
    rng.shuffle(hyps)
    calib_hyps = set(hyps[: len(hyps) // 40])
    calib = [r for r in train if r["hypothesis"] in calib_hyps and not r.get("binary")]
    train = [r for r in train if r["hypothesis"] not in calib_hyps]

    counts["train"] = write_jsonl(out_dir / "train.jsonl", train)
    # Stage 2 continues from the stage-1 model; the replay keeps it from forgetting the rest.
    negation = [r for r in negation_pairs(train, seed) if pair_key(r) not in held_keys] + rng.sample(train, NEGATION_STAGE["replay"])
    rng.shuffle(negation)
    counts["negation"] = write_jsonl(out_dir / "negation.jsonl", drop_conflicts(negation))
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
    ap.add_argument("--news", type=Path, default=Path("../shared/news"), help="news articles for generated pairs ('' for none)")
    ap.add_argument("--news-corpus", type=Path, default=Path("eval/data/news/corpus.jsonl"),
                    help="the news claim set's corpus: its articles are never used")
    ap.add_argument("--news-limit", type=int, default=0, help="use this many news articles at most (smoke runs)")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    news = args.news if str(args.news) not in ("", ".") else None
    exclude = {json.loads(line)["id"] for line in args.news_corpus.read_text(encoding="utf-8").splitlines() if line.strip()} \
        if news is not None else set()
    for name, n in build(args.nli, args.scifact, args.out, args.seed, news, exclude, args.news_limit).items():
        print(f"{name}\t{n}")


if __name__ == "__main__":
    main()
