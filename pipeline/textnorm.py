"""Word-level text normalisation shared by every stage: whitespace, content words, stems.

Stems are Snowball's English stemmer (PyStemmer, the C implementation bm25s also uses); stopwords are
bm25s's English list, so lexical retrieval and the judge agree on what a content word is.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from bm25s.stopwords import STOPWORDS_EN_PLUS

STOPWORDS = frozenset(STOPWORDS_EN_PLUS)
WORD = re.compile(r"\w+")


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


def normalise_space(text: str) -> str:
    """The text with every run of whitespace (line breaks included) made one space, ends trimmed. No Unicode
    normalisation: the models read these strings, and NFKC would change what they read (m² to m2, ½ to 1⁄2) and so
    every figure; what is compared goes through `content_words`, which NFKC-normalises."""
    return " ".join(text.split())


def content_words(text: str) -> set[str]:
    """The stems of the text's words that are not stopwords (lower-cased, NFKC-normalised)."""
    words = [w for w in WORD.findall(unicodedata.normalize("NFKC", text).lower()) if w not in STOPWORDS]
    return set(_stemmer().stemWords(words))


def coverage(claim_words: set[str], sentence_words: set[str]) -> float:
    """The share of the claim's content words found in the sentence (1.0 for a claim without any)."""
    return round(len(claim_words & sentence_words) / len(claim_words), 4) if claim_words else 1.0
