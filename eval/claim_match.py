"""Matching extracted claims to gold claims without the verifier: lexical plus embedding similarity.

A gold and an extracted claim are the same claim when they say the same fact about the same subject. The
verifier cannot decide that (it is the part under test elsewhere, and it misses paraphrases), so the
extraction metric uses this matcher instead:

- lexical: Dice overlap of Snowball-stemmed content words (units and money scales normalised first, so
  "6,000 sq km" and "6,000 square kilometres" agree);
- embedding: cosine of the two claims' all-MiniLM-L6-v2 vectors (the store's embedding model);
- figures: a number or year the gold claim states must appear in the extracted one (a claim missing the
  gold's figure or date did not extract that fact), unless the gold claim states none.

score = LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * cosine; pairs at THRESHOLD or above whose figures
agree are candidates, and each gold claim is aligned to at most one extracted claim and each extracted
claim to at most one gold claim (the assignment with the highest total score). One-to-one matters: an
extracted claim that keeps a whole list ("wants A, B and C") matches one gold claim, not three.

The weight and threshold were set on the first 50 of the 100 hand-checked pairs in
`eval/data/extraction/matcher_pairs.jsonl`; `python -m eval.claim_match` reports agreement on all 100
and on the 50 held out.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from pipeline.extract.normalise import normalise
from pipeline.textnorm import content_words

LEXICAL_WEIGHT = 0.7
THRESHOLD = 0.6
PAIRS = Path(__file__).resolve().parent / "data" / "extraction" / "matcher_pairs.jsonl"
NUMBER = re.compile(r"\d+(?:[.,/-]\d+)*")
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
                "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "first": "1st", "second": "2nd", "third": "3rd"}


def figures(text: str) -> set[str]:
    """The numbers a claim states, written one way ("6,000" -> "6000", "six" -> "6")."""
    found = {m.group().replace(",", "") for m in NUMBER.finditer(text)}
    return found | {NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in NUMBER_WORDS}


def lexical(a: str, b: str) -> float:
    """Dice overlap of the two claims' content-word stems."""
    wa, wb = content_words(normalise(a)), content_words(normalise(b))
    return 2 * len(wa & wb) / (len(wa) + len(wb)) if wa or wb else 1.0


def figures_agree(gold: str, extracted: str) -> bool:
    """Every figure of the gold claim is in the extracted one."""
    return figures(gold) <= figures(extracted)


@cache
def _embedder():
    from pipeline.embed import load_embedder

    return load_embedder("fp32")


def embed(texts: list[str]) -> np.ndarray:
    return np.asarray(_embedder().embed(texts)) if texts else np.zeros((0, 384))


def scores(gold: list[str], extracted: list[str]) -> np.ndarray:
    """The match score of every (gold, extracted) pair, as a len(gold) x len(extracted) matrix; pairs whose
    figures disagree score 0."""
    if not gold or not extracted:
        return np.zeros((len(gold), len(extracted)))
    cosine = embed(gold) @ embed(extracted).T
    out = np.zeros((len(gold), len(extracted)))
    for i, g in enumerate(gold):
        for j, e in enumerate(extracted):
            if figures_agree(g, e):
                out[i, j] = LEXICAL_WEIGHT * lexical(g, e) + (1 - LEXICAL_WEIGHT) * float(cosine[i, j])
    return out


def align(gold: list[str], extracted: list[str], threshold: float = THRESHOLD) -> tuple[dict[int, int], np.ndarray]:
    """gold index -> extracted index for the one-to-one alignment of highest total score among pairs at
    `threshold` or above; and the score matrix."""
    s = scores(gold, extracted)
    if not s.size:
        return {}, s
    rows, cols = linear_sum_assignment(-np.where(s >= threshold, s, 0.0))
    return {int(i): int(j) for i, j in zip(rows, cols, strict=True) if s[i, j] >= threshold}, s


def pair_score(gold: str, extracted: str) -> float:
    return float(scores([gold], [extracted])[0, 0])


def load_pairs(path: Path = PAIRS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def agreement(pairs: list[dict], threshold: float = THRESHOLD) -> dict:
    """How often the matcher's same/different call agrees with the hand label, with the confusion counts."""
    calls = [(pair_score(p["gold"], p["extracted"]) >= threshold, bool(p["same"])) for p in pairs]
    tp = sum(c and h for c, h in calls)
    tn = sum(not c and not h for c, h in calls)
    fp = sum(c and not h for c, h in calls)
    fn = sum(not c and h for c, h in calls)
    return {"pairs": len(pairs), "agreement": round((tp + tn) / len(pairs), 3) if pairs else None,
            "matcher_same_hand_same": tp, "matcher_different_hand_different": tn,
            "matcher_same_hand_different": fp, "matcher_different_hand_same": fn}


def main() -> None:
    pairs = load_pairs()
    report = {"weight": LEXICAL_WEIGHT, "threshold": THRESHOLD, "all": agreement(pairs),
              "held_out": agreement(pairs[50:]), "tuning": agreement(pairs[:50])}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
