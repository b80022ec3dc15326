"""How often the language check flags English text, and how often it catches text in other languages.

    python -m eval.language

English: every claim of the news dev/test sets, the sample claims and SciFact train/dev (short, name- and
jargon-heavy: the hard case), and the news corpus cut into 600-character pieces. Other languages:
eval/data/language/foreign.jsonl, 30 short news-style sentences in 16 languages, written for this check.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.language import not_english

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"
CLAIM_FILES = [HERE / "data/news/dev.jsonl", HERE / "data/news/test.jsonl", HERE / "data/sample_claims.jsonl",
               SHARED / "eval/scifact/claims_train.jsonl", SHARED / "eval/scifact/claims_dev.jsonl"]


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    claims = [row["claim"] for path in CLAIM_FILES if path.is_file() for row in _rows(path)]
    pieces = [doc["text"][i:i + 600] for doc in _rows(HERE / "data/news/corpus.jsonl") for i in range(0, len(doc["text"]), 600)]
    foreign = _rows(HERE / "data/language/foreign.jsonl")
    for name, texts in (("English claims", claims), ("English news pieces", pieces)):
        flagged = [t for t in texts if not_english(t)]
        print(f"{name}: {len(flagged)} of {len(texts)} flagged as not English")
        for text in flagged[:10]:
            print(f"    {not_english(text)}: {text[:100]!r}")
    caught = [row for row in foreign if not_english(row["text"])]
    print(f"other languages: {len(caught)} of {len(foreign)} flagged as not English")
    for row in foreign:
        if row not in caught:
            print(f"    missed ({row['language']}): {row['text']!r}")


if __name__ == "__main__":
    main()
