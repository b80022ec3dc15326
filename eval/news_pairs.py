"""The news claim set as verifier pairs: each gold quote's sentence, read in context, against its claim.

    python -m eval.news_pairs --split dev --neutrals 300 --out build/verifier-data-v3d/dev_news.jsonl

For SUPPORTED claims the sentence holding a gold quote is an entailment pair, for REFUTED claims a
contradiction pair; every other sentence of the claim's articles (holding no gold quote) is a neutral
pair, the "non-evidence" the verifier must not read as refuting. The sentence is the store's sentence
(`pipeline.chunk.sentence_spans`), the premise is `pipeline.evidence.evidence_text` and the claim has the values
that agree with the sentence's (or its context's) in their words (`pipeline.quantities.worded_as_evidence`) and
in the premise's spelling and names (`pipeline.evidence.claim_read`), as the judge builds them. Measures the verifier
(`eval.verifier_report`) and logs the training curve.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from pipeline.chunk import sentence_spans
from pipeline.evidence import claim_read, evidence_text, needs_context
from pipeline.quantities import compare, find_quantities, worded_as_evidence

NEWS_DIR = Path(__file__).parent / "data" / "news"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


READ_PARTS = ("title", "date", "context")  # what the judge reads with the sentence


def claim_pairs(split: str, news_dir: Path = NEWS_DIR, neutrals: bool = True,
                parts: tuple[str, ...] = READ_PARTS) -> list[dict]:
    """`{"premise", "hypothesis", "label", "source": "news_<split>_<gold|other>", "claim_id"}` rows; `parts`: which of
    `READ_PARTS` the premise holds besides the sentence (all, as the judge reads it; fewer for `eval.reads`)."""
    docs = {d["id"]: d for d in read_jsonl(news_dir / "corpus.jsonl")}
    rows = []
    for claim in read_jsonl(news_dir / f"{split}.jsonl"):
        label = {"SUPPORTED": "entailment", "REFUTED": "contradiction"}.get(claim["label"])
        values = find_quantities(claim["claim"])
        gold: dict[str, set[int]] = {}
        for ev in claim.get("evidence", []):
            text = docs[ev["doc_id"]]["text"]
            at = text.find(ev["quote"])
            spans = sentence_spans(text)
            gold.setdefault(ev["doc_id"], set()).update(
                i for i, s in enumerate(spans) if s.start < at + len(ev["quote"]) and at < s.end)
        for doc_id in dict.fromkeys(list(claim.get("articles", [])) + list(gold)):
            doc = docs[doc_id]
            spans = sentence_spans(doc["text"])
            sents = [doc["text"][s.start:s.end] for s in spans]
            for i, sent in enumerate(sents):
                is_gold = i in gold.get(doc_id, set())
                if (is_gold and label is None) or (not is_gold and not neutrals):
                    continue
                context = sents[i - 1] if i > 0 and needs_context(sent) and "context" in parts else None
                read = [q for text in (sent, context) if text for q in compare(values, find_quantities(text))]
                title = doc["title"] if "title" in parts else None
                published = doc.get("published") if "date" in parts else None
                premise = evidence_text(sent, title, published, context)
                rows.append({"premise": premise, "hypothesis": claim_read(worded_as_evidence(claim["claim"], read), premise),
                             "label": label if is_gold else "neutral",
                             "source": f"news_{split}_{'gold' if is_gold else 'other'}", "claim_id": claim["id"]})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--neutrals", type=int, default=0, help="keep this many non-evidence pairs at most (seeded sample)")
    args = ap.parse_args()
    rows = claim_pairs(args.split)
    if args.neutrals:
        other = [r for r in rows if r["label"] == "neutral"]
        keep = {id(r) for r in random.Random(13).sample(other, min(args.neutrals, len(other)))}
        rows = [r for r in rows if r["label"] != "neutral" or id(r) in keep]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} pairs -> {args.out}")


if __name__ == "__main__":
    main()
