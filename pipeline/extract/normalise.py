"""Numbers and units written one way, so "6,000 sq km" and "6,000 square kilometres" read alike.

Deliberately modest: only spellings whose meaning is unambiguous after a number are rewritten."""

from __future__ import annotations

import re

NUMBER = r"\d[\d,]*(?:\.\d+)?"
SCALE = {"k": "thousand", "m": "million", "mn": "million", "mln": "million", "bn": "billion", "b": "billion",
         "tn": "trillion", "trn": "trillion"}
UNITS = [  # (pattern after a number, replacement); longest first
    (r"sq\.?\s?km|km2|km²|square km", "square kilometres"),
    (r"sq\.?\s?mi(?:les?)?|mi2|mi²", "square miles"),
    (r"km", "kilometres"),
    (r"kg", "kilograms"),
    (r"per\s?cent|pct", "percent"),
]
CURRENCY_SCALE = re.compile(rf"([$€£]\s?{NUMBER})\s?({'|'.join(sorted(SCALE, key=len, reverse=True))})\b", re.IGNORECASE)
BARE_SCALE = re.compile(rf"\b({NUMBER})\s?(bn|mn|mln|tn|trn)\b", re.IGNORECASE)


def normalise(text: str) -> str:
    """Spell out unit abbreviations and money scales after numbers; 'per cent' becomes 'percent'."""
    text = CURRENCY_SCALE.sub(lambda m: f"{m.group(1)} {SCALE[m.group(2).lower()]}", text)
    text = BARE_SCALE.sub(lambda m: f"{m.group(1)} {SCALE[m.group(2).lower()]}", text)
    for pattern, spelled in UNITS:
        text = re.sub(rf"\b({NUMBER})\s?(?:{pattern})(?![\w²])", rf"\1 {spelled}", text, flags=re.IGNORECASE)
    return re.sub(r"\bper cent\b", "percent", text, flags=re.IGNORECASE)
