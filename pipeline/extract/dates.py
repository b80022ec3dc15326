"""Relative dates in a claim anchored to the article's publication date, so a claim checked a year later
still says when: "on Sunday" in an article of 15 September 2025 -> "on 14 September 2025", "today" -> "on ...",
"last week" -> "in the week of ...", "in May this year" -> "in May 2017", "on 11 March" -> "on 11 March 2011",
"currently" -> "as of ...".

Past is assumed unless the claim speaks of the future ("will", "next"), which picks the next such day instead.
Without a publication date the claim keeps its words and says which are relative (`relative_time`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
          "december"]
SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11)}  # northern months, as US statements use them
PREPOSITIONS = {"in", "during", "since", "of", "for", "until", "by", "from", "before", "after", "through", "throughout"}
FUTURE = re.compile(r"\b(will|shall|’ll|'ll|going to|is to|are to|next|ahead of|upcoming|forthcoming|coming)\b", re.IGNORECASE)
WD = "|".join(WEEKDAYS)
MO = "|".join(m.capitalize() for m in MONTHS)
PATTERNS = [
    ("possessive", re.compile(r"\b(today|this morning|yesterday)['’]s\b", re.IGNORECASE)),
    ("current", re.compile(r"\b(currently|at present)\b", re.IGNORECASE)),
    ("day", re.compile(r"(?<!\bof )\b(today|tonight|yesterday|tomorrow|this (?:morning|afternoon|evening))\b",
                      re.IGNORECASE)),  # not "the cars of tomorrow"
    ("weekday", re.compile(rf"\b(?:(on|last|this|next|on last|on next) )?({WD})\b(?!,? (?:\d|{MO}))", re.IGNORECASE)),
    ("week", re.compile(r"\b(last|this|next) week\b", re.IGNORECASE)),
    ("month", re.compile(r"\b(last|this|next) month\b", re.IGNORECASE)),
    ("year", re.compile(r"\b(last|this|next) year\b", re.IGNORECASE)),
    ("season", re.compile(r"\b(last) (spring|summer|fall|autumn)\b", re.IGNORECASE)),
    ("day_month", re.compile(rf"\b(\d{{1,2}}) ({MO})\b(?!,? \d{{4}})|\b({MO}) (\d{{1,2}})\b(?!\d|,? \d{{4}})")),
    ("bare_month", re.compile(rf"\b((?i:in|during|since|until|by|from)) ({MO})\b(?! \d)")),
]


@dataclass
class Anchored:
    text: str
    resolved: dict[str, str] = field(default_factory=dict)  # the words as written -> the date put in their place
    relative: list[str] = field(default_factory=list)  # relative words left as written: no publication date


def spelled(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def parse_published(published: str | None) -> date | None:
    try:
        return date.fromisoformat((published or "")[:10])
    except ValueError:
        return None


def _weekday(day: str, which: str, on: date, future: bool) -> date:
    target = WEEKDAYS.index(day.lower())
    back = (on.weekday() - target) % 7
    ahead = (target - on.weekday()) % 7
    if which in ("next", "on next"):
        return on + timedelta(days=ahead or 7)
    if which in ("last", "on last"):
        return on - timedelta(days=back or 7)
    return on + timedelta(days=ahead) if future else on - timedelta(days=back)


def _shift_month(on: date, months: int) -> date:
    n = on.year * 12 + on.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)


def _with_year(month: int, day: int, on: date, future: bool) -> int:
    try:
        candidate = date(on.year, month, day)
    except ValueError:
        return on.year
    if future:
        return on.year if candidate >= on - timedelta(days=31) else on.year + 1
    return on.year if candidate <= on + timedelta(days=31) else on.year - 1


def _preposition_before(text: str, start: int) -> bool:
    words = text[:start].split()
    return bool(words) and (words[-1].lower() in PREPOSITIONS or words[-1].lower() in MONTHS)


def anchor(text: str, published: str | None) -> Anchored:
    """The claim with its relative dates replaced by dates, when the publication date is known."""
    on = parse_published(published)
    out = Anchored(text)
    if on is None:
        out.relative = [m.group() for kind, p in PATTERNS if kind not in ("day_month", "bare_month") for m in p.finditer(text)]
        return out
    future = bool(FUTURE.search(text))

    def replace(kind: str, m: re.Match) -> str:
        g = m.group()
        low = g.lower()
        if kind == "possessive":
            d = on - timedelta(days=1) if low.startswith("yesterday") else on
            new = f"the {spelled(d)}"
        elif kind == "current":  # "is currently visiting" -> "is as of 12 December 2014 visiting"
            new = f"as of {spelled(on)}"
        elif kind == "day":
            d = on - timedelta(days=1) if low == "yesterday" else on + timedelta(days=1) if low == "tomorrow" else on
            part = low.split()[-1] if low.startswith("this ") else ""
            new = f"on the {part} of {spelled(d)}" if part else f"on {spelled(d)}"
        elif kind == "weekday":
            new = f"on {spelled(_weekday(m.group(2), (m.group(1) or '').lower(), on, future))}"
        elif kind == "week":
            monday = on - timedelta(days=on.weekday()) + timedelta(weeks={"last": -1, "this": 0, "next": 1}[m.group(1).lower()])
            new = f"the week of {spelled(monday)}" if _preposition_before(out.text, m.start()) else f"in the week of {spelled(monday)}"
        elif kind == "month":
            d = _shift_month(on, {"last": -1, "this": 0, "next": 1}[m.group(1).lower()])
            new = f"{d:%B %Y}" if _preposition_before(out.text, m.start()) else f"in {d:%B %Y}"
        elif kind == "year":
            y = on.year + {"last": -1, "this": 0, "next": 1}[m.group(1).lower()]
            owner = m.string[m.end():m.end() + 2] in ("'s", "’s")  # "at this year's conference" -> "at 2010's"
            new = str(y) if owner or _preposition_before(out.text, m.start()) else f"in {y}"
        elif kind == "season":
            season = m.group(2).lower()
            y = on.year if on.month > SEASONS[season][1] else on.year - 1
            new = f"the {season} of {y}" if _preposition_before(out.text, m.start()) else f"in the {season} of {y}"
        elif kind == "day_month":
            day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            y = _with_year(MONTHS.index(month.lower()) + 1, int(day), on, future)
            out.resolved[g] = f"{g} {y}" if m.group(1) else f"{g}, {y}"
            return out.resolved[g]
        else:  # bare_month
            month = MONTHS.index(m.group(2).lower()) + 1
            y = _with_year(month, 1, on, future)
            out.resolved[g] = f"{g} {y}"
            return out.resolved[g]
        if g[:1].isupper() and m.start() == 0:
            new = new[:1].upper() + new[1:]
        out.resolved[g] = new.removeprefix("on ").removeprefix("in ").removeprefix("as of ")
        return new

    for kind, pattern in PATTERNS:
        out.text = pattern.sub(lambda m, k=kind: replace(k, m), out.text)
    out.text = re.sub(r"\b(on|in) (on|in) ", r"\2 ", out.text)
    for date_put in set(out.resolved.values()):  # "during this month (October 2009)": the date once
        out.text = out.text.replace(f"{date_put} ({date_put})", date_put)
    return out


def time_metadata(anchored: Anchored) -> dict:
    """What a claim's metadata says about its dates: those resolved, or those left relative and why."""
    if anchored.resolved:
        return {"dates_resolved": anchored.resolved}
    if anchored.relative:
        return {"relative_time": anchored.relative, "relative_time_note": "the article has no publication date"}
    return {}
