"""The news claim set's corpus: which articles of `../shared/news` it holds, written once, seeded.

    python -m eval.news_set [--news ../shared/news]

Writes `eval/data/news/corpus.jsonl` (one document a line, as `citetrail ingest` reads JSONL:
`id`, `title`, `text`, `url`, `published`, plus `source` and `license` for attribution) and
`eval/data/news/pools.json` (the articles claim writers draw from, by source). Every Wikinews
article is in (the MEANTIME clusters are where independent reports of one story disagree), plus a
seeded sample of FOMC statements and Australian PM media releases of ordinary length. Articles
of the corpus that no claim is written from are its distractors. The verifier's training data
never uses an article of this corpus (`pipeline.judge.news_pairs` reads `corpus_ids`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

NEWS_DIR = Path(__file__).parent / "data" / "news"
SOURCES = {"wikinews_meantime": None, "wikinews_gum": None, "fomc_statements": 70, "au_pm_media_releases": 150}
MIN_WORDS, MAX_WORDS = 120, 900
# Distractors added after the claims were written, to reach 260 articles no claim is written from (drawn with
# another seed, so the first draw, and the pools, stay as they were). The verifier's v3 training data was built
# before they were added and may hold pairs from them; no claim's evidence is in them.
EXTRA = {"au_pm_media_releases": 20}
POOL = {"wikinews_meantime": 102, "wikinews_gum": 18, "fomc_statements": 30, "au_pm_media_releases": 50}


def read_source(news: Path, source: str) -> list[dict]:
    with gzip.open(news / source / "articles.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build(news: Path, seed: int = 7) -> tuple[list[dict], dict[str, list[str]]]:
    rng = random.Random(seed)
    corpus: list[dict] = []
    pools: dict[str, list[str]] = {}
    for source, n in SOURCES.items():
        rows = [r for r in read_source(news, source) if n is None or MIN_WORDS <= len(r["text"].split()) <= MAX_WORDS]
        picked = rows if n is None else rng.sample(rows, n)
        corpus += picked
        pools[source] = sorted(r["id"] for r in rng.sample(picked, min(POOL[source], len(picked))))
    extra = random.Random(seed + 1)
    for source, n in EXTRA.items():
        have = {r["id"] for r in corpus}
        rows = [r for r in read_source(news, source) if r["id"] not in have and MIN_WORDS <= len(r["text"].split()) <= MAX_WORDS]
        corpus += extra.sample(rows, n)
    return corpus, pools


def split_claims(claims: list[dict], seed: int = 7, test_share: float = 1 / 3) -> dict[str, str]:
    """Article -> "dev" or "test". Articles tied by a claim (its `articles` and evidence documents) stay on one
    side; groups are dealt, source by source in seeded order, to test until it holds `test_share` of the claims."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            a = parent[a]
        return a

    for c in claims:
        docs = list(c.get("articles", [])) + [e["doc_id"] for e in c.get("evidence", [])]
        for d in docs[1:]:
            parent[find(d)] = find(docs[0])
    groups: dict[str, list[dict]] = {}
    for c in claims:
        groups.setdefault(find((c.get("articles") or [c["evidence"][0]["doc_id"]])[0]), []).append(c)
    rng = random.Random(seed)
    split: dict[str, str] = {}
    by_part: dict[str, list[str]] = {}
    for root in sorted(groups):
        by_part.setdefault(groups[root][0]["id"].split("-")[0], []).append(root)
    for roots in by_part.values():
        rng.shuffle(roots)
        total, test = sum(len(groups[r]) for r in roots), 0
        for r in roots:
            side = "test" if test < total * test_share else "dev"
            test += len(groups[r]) if side == "test" else 0
            for a in parent:
                if find(a) == r:
                    split[a] = side
    return split


def merge_claims(news_dir: Path = NEWS_DIR) -> tuple[int, int]:
    """Merge the hand-written parts (`claims_*.jsonl`) into `dev.jsonl` and `test.jsonl`, each claim with its split."""
    claims = [json.loads(line) for p in sorted(news_dir.glob("claims_*.jsonl"))
              for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    split = split_claims(claims)
    out = {"dev": [], "test": []}
    for c in claims:
        side = split[(c.get("articles") or [c["evidence"][0]["doc_id"]])[0]]
        out[side].append(c | {"split": side})
    for side, rows in out.items():
        (news_dir / f"{side}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(out["dev"]), len(out["test"])


def corpus_ids(path: Path = NEWS_DIR / "corpus.jsonl") -> set[str]:
    """Ids of every article in the news claim set's corpus (kept out of verifier training)."""
    with open(path, encoding="utf-8") as fh:
        return {json.loads(line)["id"] for line in fh if line.strip()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--news", type=Path, default=Path("../shared/news"))
    ap.add_argument("--split", action="store_true", help="only merge the written claim parts into dev.jsonl and test.jsonl")
    args = ap.parse_args()
    if args.split:
        dev, test = merge_claims()
        print(f"dev {dev}, test {test} claims")
        return
    corpus, pools = build(args.news)
    NEWS_DIR.mkdir(parents=True, exist_ok=True)
    keys = ("id", "title", "text", "url", "published", "source", "license")
    with open(NEWS_DIR / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for r in corpus:
            fh.write(json.dumps({k: r[k] for k in keys}, ensure_ascii=False) + "\n")
    (NEWS_DIR / "pools.json").write_text(json.dumps(pools, indent=1) + "\n")
    print(f"{len(corpus)} articles; pools: " + ", ".join(f"{k} {len(v)}" for k, v in pools.items()))


if __name__ == "__main__":
    main()
