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


# One word's British and American spellings (the regular patterns in Wikipedia's "American and British English
# spelling differences": -ise/-ize, -yse/-yze, -our/-or, -ll-/-l- before a suffix, -re/-er, -ence/-ense,
# -ogue/-og, -amme/-am), each as (pattern, replacement) in both directions. A pattern may make a non-word; only a
# spelling the reference text holds is ever used (`spelled_as`).
SPELLINGS = [(re.compile(p), r) for p, r in (
    (r"is(e|ed|es|ing|ation|ations|er|ers)$", r"iz\1"), (r"iz(e|ed|es|ing|ation|ations|er|ers)$", r"is\1"),
    (r"ys(e|ed|es|ing)$", r"yz\1"), (r"yz(e|ed|es|ing)$", r"ys\1"),
    (r"(?<=\w\w)our(s|ed|ing|er|ers|able|ite|ites|ful)?$", r"or\1"),
    (r"(?<=\w\w)or(s|ed|ing|er|ers|able|ite|ites|ful)?$", r"our\1"),
    # two letters at least before the vowel: "travelled" / "traveled", never "filled" / "filed"
    (r"(?<=\w\w)([aeiou])ll(ed|ing|er|ers|or|ors)$", r"\1l\2"), (r"(?<=\w\w)([aeiou])l(ed|ing|er|ers|or|ors)$", r"\1ll\2"),
    (r"(?<=\w\w)tre(s|d)?$", r"ter\1"), (r"(?<=\w\w)ter(s|ed)?$", r"tre\1"),
    (r"ence(s)?$", r"ense\1"), (r"ense(s)?$", r"ence\1"),
    (r"ogue(s)?$", r"og\1"), (r"og(s)?$", r"ogue\1"),
    (r"amme(s)?$", r"am\1"), (r"am(s)?$", r"amme\1"),
)]
COMPOUND = re.compile(r"\b[A-Za-z]+(?:-[A-Za-z]+)+\b")
ALPHA_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def _cased(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def spelled_as(text: str, reference: str) -> str:
    """`text` with each word the reference spells another way written as the reference writes it: British and
    American spellings ("refuelling" -> "refueling", "organisation" -> "organization") and compounds ("top up" /
    "topup" -> "top-up", and back). The verifier reads a spelling difference as a difference of content ("...
    refuelling tankers" against "... refueling tankers": P(contradiction) 0.84 instead of 0.05), so the claim
    reaches it in the evidence's spelling, as its values do (`pipeline.quantities.worded_as_evidence`)."""
    ref_words = {w.lower() for w in WORD.findall(reference)}
    lowered = reference.lower()
    for compound in dict.fromkeys(COMPOUND.findall(reference)):
        named = any(ch.isupper() for ch in compound[1:])  # "US-Russia" keeps its capitals
        for form in (compound.replace("-", " "), compound.replace("-", "")):
            text = re.sub(rf"\b{re.escape(form)}\b", lambda m, c=compound, n=named: c if n else _cased(c.lower(), m.group()),
                          text, flags=re.IGNORECASE)
    for compound in dict.fromkeys(COMPOUND.findall(text)):
        for form in (compound.lower().replace("-", " "), compound.lower().replace("-", "")):
            if compound.lower() not in lowered and re.search(rf"\b{re.escape(form)}\b", lowered):
                text = text.replace(compound, _cased(form, compound))
                break

    def respell(m: re.Match) -> str:
        word = m.group().lower()
        if word in ref_words:
            return m.group()
        for pattern, replacement in SPELLINGS:
            other = pattern.sub(replacement, word, count=1)
            if other != word and other in ref_words:
                return _cased(other, m.group())
        return m.group()

    return ALPHA_WORD.sub(respell, text)
