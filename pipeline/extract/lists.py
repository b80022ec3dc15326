"""Bulleted lists introduced by a colon, read as the one sentence they are.

    Cockburn is a growing area, and services will focus on young families, including:
    * childhood and adolescent community health
    * antenatal care

is "Cockburn is a growing area, and services will focus on young families, including childhood and adolescent
community health" and "... including antenatal care": the introduction with each item, a sentence each, so that a
coordination inside an item stays whole; when the items are examples ("including:"), the introduction is a claim
alone. The store's chunker cuts each line into a sentence of its own (a heading, with no full stop, and nothing
to check)."""

from __future__ import annotations

import re
from dataclasses import dataclass

BULLET = re.compile(r"^\s*(?:[*•▪◦‣·]|[-–—](?=\s)|\d{1,2}[.)](?=\s))\s*")
TERMINAL = re.compile(r"[.!?][\"'”’)\]]*$")
EXAMPLES = re.compile(r",?\s+(?:including|such as|in particular|notably):$", re.IGNORECASE)  # the items are examples
LOWER_FIRST = re.compile(r"^(?:The|A|An|This|These|Those|Our|Its|Their|Some|All|Many|Most)\b")  # not a name: mid-sentence now
MIN_INTRO_WORDS = 3  # "Key facts:" introduces a list but says nothing a claim could keep


@dataclass
class BulletList:
    first: int  # index of the sentence that introduces the list
    last: int  # index of its last item
    sentences: list[str]  # the introduction completed by each item (and alone, when the items are examples)


def item_text(line: str) -> str | None:
    """A bullet line's item without its marker and its closing ';', ',', '; and'; None if it is not a bullet line."""
    if not (m := BULLET.match(line)):
        return None
    item = " ".join(line[m.end():].split())
    return re.sub(r"(?:[;,]\s*(?:and|or)?|\s+(?:and|or))$", "", item).strip() or None


def bullet_lists(sentences: list[str]) -> list[BulletList]:
    """The lists among a text's sentences: one ending with ':' followed by two or more bullet lines that are not
    sentences themselves (only the last may end with a full stop)."""
    out, n = [], 0
    while n < len(sentences):
        intro = " ".join(sentences[n].split())
        items, k = [], n + 1
        while k < len(sentences) and (item := item_text(sentences[k])) is not None:
            items.append(item)
            k += 1
        if intro.endswith(":") and len(intro.split()) >= MIN_INTRO_WORDS and len(items) >= 2 \
                and not any(TERMINAL.search(i) for i in items[:-1]):
            items[-1] = TERMINAL.sub("", items[-1])
            items = [LOWER_FIRST.sub(lambda m: m.group().lower(), i) for i in items]  # "findings were that the ..."
            whole = [EXAMPLES.sub(".", intro)] if EXAMPLES.search(intro) else []  # "services will focus on families."
            out.append(BulletList(n, k - 1, whole + [f"{intro[:-1].rstrip()} {item}." for item in items]))
            n = k
        else:
            n += 1
    return out
