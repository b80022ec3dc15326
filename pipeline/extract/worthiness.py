"""Sentences that hold no claim whatever the back-end: boilerplate, headings, questions.

Both back-ends apply these before extracting, so the LLM never spends time on "Share this article"."""

from __future__ import annotations

import re

from pipeline.models import DropReason
from pipeline.textnorm import normalise_space

BOILERPLATE = re.compile(
    r"^(leave a (reply|comment)|share (this|on|via)\b|click here|subscribe\b|sign up\b|sign in\b|log in\b|read more\b"
    r"|related (articles|stories|posts)|follow us\b|all rights reserved|copyright\b|©|advertisement\b|skip to\b"
    r"|posted (on|in|by)\b|updated:|photo:|image:|(photo|image) (credit|courtesy)|you may also like|comments?\b\W*$"
    r"|tags?:|filed under\b|thanks? (you )?for reading|home\s*[|»›>])",
    re.IGNORECASE)
BYLINE = re.compile(r"^[Bb]y\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}\s*([,|].{0,60})?$")
NAVIGATION = re.compile(r"^[^.!?]{0,40}(\s[|»›]\s[^.!?]{0,40}){2,}$")
TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")


def sentence_drop(sentence: str) -> tuple[DropReason, str] | None:
    """Why this sentence holds no checkable claim, if it plainly holds none."""
    text = normalise_space(sentence)
    if BOILERPLATE.match(text) or NAVIGATION.match(text):
        return DropReason.BOILERPLATE, "site boilerplate or navigation"
    if BYLINE.match(text):
        return DropReason.BOILERPLATE, "byline"
    if re.search(r"\?[\"'”’)\]]*$", text):
        return DropReason.QUESTION, "ends with a question mark"
    if not TERMINAL.search(text):
        return DropReason.HEADING, "a heading or title line: no sentence-ending punctuation"
    return None
