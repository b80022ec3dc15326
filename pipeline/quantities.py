"""Quantities, dates and durations read as values, so that a claim and a passage are compared by what they
state, not by how they write it ("twelve hundred" = "1,200"; "15 miles" != "15 kilometres"; "six months" !=
"a six-week trial").

Numbers and units are found by quantulum3 (number words, scales, units with their dimension) and converted
to base units by pint; dates by dateutil, in the spans a month-name pattern finds. quantulum3's unit
classifier is a scikit-learn pickle that newer scikit-learn cannot load, so its rule-based disambiguation is
used instead (`classifier.USE_CLF = False`).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache, lru_cache

from dateutil import parser as date_parser
from pydantic import BaseModel, Field

from pipeline.models import QuantityComparison
from pipeline.textnorm import content_words, stem

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(rf"\b(?:(?:\d{{1,2}}\s+)?(?:{MONTHS})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?(?:\s+\d{{4}})?|(?:{MONTHS})\s+\d{{4}})\b")
# Words before a figure that make it a bound or an estimate: a bound is not compared, an estimate loosely.
BOUND = re.compile(r"\b(more than|less than|fewer than|over|under|at least|at most|up to|above|below|exceeding|"
                   r"nearly|almost|as many as|as much as|as few as|no more than|no less than|upwards of)\s*$", re.IGNORECASE)
PARTICLE_OVER = re.compile(r"\b(?:hand|turn|fork|sign)(?:s|ed|ing)?\s+over\s*$", re.IGNORECASE)  # "hand over $71.3 billion"
# Bounds of one sense compare with each other: "up to 30 million" is refuted by "up to $30 billion"
BOUND_SENSE = {"more than": "above", "over": "above", "above": "above", "exceeding": "above", "upwards of": "above",
               "at least": "at least", "no less than": "at least", "less than": "below", "fewer than": "below",
               "under": "below", "below": "below", "at most": "at most", "up to": "at most", "no more than": "at most",
               "as many as": "at most", "as much as": "at most", "as few as": "at least", "nearly": "nearly",
               "almost": "nearly"}
# A change stated with its direction: "rose 2.5%", "lost almost 1,000 points", "a 25 basis point increase"
# ("fell 2.5 percent to 2.73": the level after "to" has none)
UP, DOWN = (r"ris(?:e|es|en|ing)|rose|increas(?:e|ed|es|ing)|gain(?:s|ed|ing)?|gr[eo]w(?:s|n|ing)?|climb(?:s|ed|ing)?|"
            r"jump(?:s|ed|ing)?|soar(?:s|ed|ing)?|surg(?:e|es|ed|ing)|rais(?:e|es|ed|ing)|boost(?:s|ed|ing)?|up|higher",
            r"f[ae]ll(?:s|en|ing)?|decreas(?:e|ed|es|ing)|declin(?:e|es|ed|ing)|drop(?:s|ped|ping)?|los(?:e|es|t|ing)|"
            r"cut(?:s|ting)?|reduc(?:e|ed|es|ing)|lower(?:ed|s|ing)?|down|shr[ai]nk(?:s|ing)?|shrunk|slump(?:s|ed)?|"
            r"plung(?:e|es|ed)|plummet(?:s|ed)?|slash(?:es|ed)?")
DIRECTION_BEFORE = re.compile(rf"\b(?:(?P<up>{UP})|(?P<down>{DOWN}))(?:(?:\s+[\w'’]+){{0,3}}?\s+by)?"
                              r"(?:\s+(?:about|around|almost|nearly|some|a|an|just))?\s*$", re.IGNORECASE)
DIRECTION_AFTER = re.compile(rf"^[-\s]*(?:(?P<up>{UP})|(?P<down>{DOWN}))\b", re.IGNORECASE)
APPROX = re.compile(r"\b(about|around|approximately|roughly|some|circa|an estimated|close to|just over|just under)\s*$",
                    re.IGNORECASE)
APPROX_TOLERANCE = 0.1
FROM_TO = re.compile(r"from\s+\S.*?\s+to\s+", re.IGNORECASE | re.DOTALL)
CHANGE_BY = re.compile(r"\bby(?:\s+(?:about|around|almost|nearly|some|a|an|just|another|a further))?\s*$", re.IGNORECASE)
DEFAULT_DAY = datetime(2000, 1, 1)  # fills what a date does not say; _date_value reports those parts as None
LONG_DIGITS = re.compile(r"[\d,.]{16,}")
# Written forms quantulum3 misreads: "7.1 bn" (it finds "bit newton"), "per cent", "A$", fractions "2-1/4".
REWRITES = [(re.compile(r"(?:\b[A-Z]{2}\s?|\b[A-Z])?\$\s?(\d(?:[\d.,]*\d)?(?:\s(?:million|billion|trillion))?)"), r"\1 dollars"),
            (re.compile(r"(\d+(?:\.\d+)?) basis points?"), lambda m: f"{float(m.group(1)) / 100:g} percentage points"),
            (re.compile(r"(\d)\s?bn\b"), r"\1 billion"), (re.compile(r"(\d)\s?m\b(?!\w)"), r"\1 million"),
            (re.compile(r"\bper cent\b"), "percent"),
            # "cut by $200 to $399" is a change and a level, "from $30 to $40" two levels, not quantulum3's ranges
            (re.compile(r"(\b(?:by|from)\s+[^\s,]+(?:\s+(?:million|billion|trillion|dollars|percent|percentage points?|points?))?)"
                        r"\s+to\s+(?=\S*\d)"), r"\1, to "),
            (re.compile(r"\b(\d+)[- ](\d)/(\d)\b"), lambda m: f"{int(m.group(1)) + int(m.group(2)) / int(m.group(3)):g}"),
            (re.compile(r"(\d)(GL|ML|kL)\b"), r"\1 \2")]  # "450GL" of water (gigalitres)
# SI-prefixed units quantulum3 does not know ("450 megalitres", "450 GL" of water): read by pint, and of the kind
# quantulum3 gives their root unit ("litre": volume), so they compare with the units it does know.
PREFIXED = re.compile(r"(?:kilo|mega|giga|tera|milli|centi|micro)(?P<root>litre|liter|metre|meter|gram|gramme|tonne|"
                      r"watt|joule)s?|(?P<symbol>GL|ML|kL)", re.IGNORECASE)
# quantulum3 (its classifier off) reads "73 minutes" as minutes of arc; in news they are time (seconds per unit)
ARC_AS_TIME = {"minute of arc": 60.0, "second of arc": 1.0}
NEAR_CHARS = 60  # about eight words either side: the noun phrase and verb a value belongs to
PUBLISHED_DAYS = 7  # a claim's day within this many days of a document's date line is the document's event


# Capitalised unit symbols worth reading; any other capitalised "unit" is a name ("5,700 Boeing", "3GS").
CAPITAL_UNITS = {"MW", "GW", "kW", "TW", "kWh", "MWh", "GWh", "TWh", "GB", "TB", "MB", "Hz", "MHz", "GHz", "°C", "°F",
                 "C", "F", "K", "Mt", "Gt", "US", "GL", "ML"}


def part_of_name(text: str, start: int, end: int) -> bool:
    """Whether the figure at text[start:end] is part of a name or a model number, not a quantity: glued to
    letters ("737s", "3GS", "A330"), after a capitalised word in mid-sentence ("iPhone 4", "Flight 574"),
    or with a capitalised word for its unit that is no unit symbol ("5,700 Boeing")."""
    digits = re.search(r"\d[\d.,]*", text[start:end])
    if digits is None:
        return False
    d0, d1 = start + digits.start(), start + digits.end()
    glued = re.match(r"[^\W\d]+\b", text[d1:])
    if (d0 > 0 and text[d0 - 1].isalpha()) or (re.match(r"(?:s\b|[A-Z])", text[d1:d1 + 2])
                                              and not (glued and glued.group() in CAPITAL_UNITS)) \
            or re.search(r"\d(?:s\b|[A-Z])", text[d1:end]):
        return True
    before = re.search(r"(\S+)\s+$", text[:d0])
    if before and not re.search(r"(^|[.!?:;]\s+)\S+\s+$", text[:d0]):
        word = before.group(1).strip("(\"'")
        if re.fullmatch(r"[A-Z][a-z]+|[a-z]+[A-Z]\w*", word) and not re.fullmatch(MONTHS, word):
            return True
    unit_words = re.findall(r"[^\W\d]\w*", text[d1:end])
    return any(w[:1].isupper() and w not in CAPITAL_UNITS for w in unit_words)


class Quantity(BaseModel):
    """One value stated in a text: its kind ("length", "currency", "percent", "count:worker", "year",
    "date", "time" for durations...), its value in base units, and the text that stated it."""

    kind: str
    value: float | tuple[int | None, int | None, int | None] = Field(description="base-unit value; (year, month, day) for a date")
    surface: str
    tolerance: float = 0.0
    bound: str = Field("", description="the sense of the bound it is stated as ('above' for 'more than 5'): compared "
                       "only with a bound of the same sense")
    direction: int = Field(0, description="+1 for a rise ('rose 2.5%'), -1 for a fall ('cut by $200'), 0 for none")
    change: bool = Field(False, description="a change ('rose 2.5%', 'by 50 basis points', 'from 3 to 3-1/2 percent': "
                         "+0.5), not a level: compared only with changes")
    near: frozenset[str] = Field(frozenset(), description="content-word stems within `NEAR_CHARS` of the value "
                                 "(what it is a value of: 'bridge', 'long'; 'price', 'bumper')")


@cache
def _quantulum():
    from quantulum3 import classifier, parser

    classifier.USE_CLF = False
    return parser


@cache
def _units():
    import pint

    return pint.UnitRegistry()


def _normalised(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text with quantulum3's blind spots rewritten, and for each of its characters the span of the original
    text it came from (a rewritten character: the whole rewritten span), so a quantity is shown as written."""
    origin = [(i, i + 1) for i in range(len(text))]
    for pat, repl in REWRITES:
        parts, where, pos = [], [], 0
        for m in pat.finditer(text):
            new = m.expand(repl) if isinstance(repl, str) else repl(m)
            kept = next((i for i, (a, b) in enumerate(zip(m.group(), new, strict=False)) if a != b),
                        min(len(m.group()), len(new)))
            # the part the rewrite leaves as it was maps to itself: "by 25 points, to" shows "by 25 points" as written
            span = (origin[m.start() + kept][0], origin[m.end() - 1][1]) if m.end() > m.start() + kept else \
                origin[min(m.start() + kept, len(origin) - 1)]
            parts += [text[pos:m.start()], new]
            where += origin[pos:m.start() + kept] + [span] * (len(new) - kept)
            pos = m.end()
        parts.append(text[pos:])
        where += origin[pos:]
        text, origin = "".join(parts), where
    return text, origin


@cache
def _dollar_symbols() -> dict[str, str]:
    """"US$" -> "USD", "A$" -> "AUD", "NZ$" -> "NZD": the dollar signs that name their country, from CLDR's
    English locales (via Babel), read where each of those dollars is not the local one."""
    from babel.numbers import get_currency_symbol, list_currencies

    out = {}
    for locale in ("en", "en_CA", "en_NZ"):
        for code in list_currencies():
            symbol = get_currency_symbol(code, locale)
            if symbol.endswith("$") and symbol != "$":
                out.setdefault(symbol, code)
    return out


def _currency(unit, surface: str) -> str:
    """The currency's ISO code ("EUR", "AUD"), or "$" for a dollar sign that does not say whose dollar.
    `surface`: the amount as written with a few characters before it ("ost NZ $ 26 million")."""
    if unit.name != "dollar":  # quantulum3 names "euro", "australian dollar", "united states dollar" itself
        return unit.currency_code or unit.name
    # a one-letter prefix only written against the sign: "A$45 million" is Australian, "A $45 million grant" is a grant
    m = re.search(r"\b(?:([A-Z]{2,3})\s?|([A-Z]))\$", surface)
    return _dollar_symbols().get(f"{m.group(1) or m.group(2)}$", "$") if m else "$"


def _same_kind(c: Quantity, e: Quantity) -> bool:
    """Same kind of quantity; a dollar whose country is not said is any country's dollar."""
    if c.kind == e.kind:
        return True
    codes = {k.partition(":")[2] for k in (c.kind, e.kind) if k.startswith("currency:")}
    return len(codes) == 2 and "$" in codes and _is_dollar(next(iter(codes - {"$"})))


@cache
def _is_dollar(code: str) -> bool:
    from babel.numbers import get_currency_name

    return get_currency_name(code, locale="en").endswith("Dollar")


def _base_value(value: float, unit_name: str) -> tuple[float, str] | None:
    try:
        q = _units().Quantity(value, unit_name).to_base_units()
    except Exception:
        return None
    return float(q.magnitude), str(q.units)


def _prefixed_measure(value: float, word: str) -> tuple[float, str] | None:
    """(value in base units, kind) for a number followed by an SI-prefixed unit (`PREFIXED`), else None."""
    if not (m := PREFIXED.fullmatch(word)) or (base := _base_value(value, word)) is None:
        return None
    return base[0], f"{_entity(m.group('root') or 'litre')}:{base[1]}"


@cache
def _entity(unit: str) -> str:
    """quantulum3's entity ("volume", "mass") for a unit it knows."""
    return _quantulum().parse(f"1 {unit}")[0].unit.entity.name


def _tolerance(surface: str, value: float, approx: bool) -> float:
    """Half a unit of the last digit the claim states (1.2 billion: 50 million), or half a step of its fraction
    (1-1/4 percent: 1/8), at least 0.5% of the value."""
    m = re.search(r"\d[\d,]*(?:\.(\d+))?", surface)
    tol = 0.005 * abs(value)
    if (f := re.search(r"(?:(\d+)[- ])?(\d+)/(\d+)", surface)) and int(f.group(3)):
        stated = int(f.group(1) or 0) + int(f.group(2)) / int(f.group(3))
        tol = max(tol, 0.5 / int(f.group(3)) * abs(value / stated)) if stated else tol
    elif m:
        mantissa = float(m.group().replace(",", "")) or 1.0
        decimals = len(m.group(1) or "")
        tol = max(tol, 0.5 * 10 ** -decimals * abs(value / mantissa))
    return max(tol, APPROX_TOLERANCE * abs(value)) if approx else tol


@lru_cache(maxsize=4096)  # a sentence in several claims' candidates is parsed once; callers never mutate the list
def find_quantities(text: str) -> list[Quantity]:
    """Every number, amount, measure, duration and date the text states (empty when it states none)."""
    out: list[Quantity] = []
    for m in DATE.finditer(text):
        out.append(Quantity(kind="date", value=_date_value(m.group()), surface=m.group()))
    if not re.search(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                     r"hundred|thousand|million|billion|dozen)\b", text, re.IGNORECASE):
        return [q for q in out if q.value != (None, None, None)]
    norm, origin = _normalised(text)
    # quantulum3's number patterns take time exponential in the length of a digit run; no quantity has 16 digits
    norm = LONG_DIGITS.sub(lambda m: " " * len(m.group()), norm)
    dates = [(m.start(), m.end()) for m in DATE.finditer(norm)]
    previous: tuple[int, Quantity] | None = None  # where the last level's "from" begins, and the level
    for q in _quantulum().parse(norm):
        if any(s <= q.span[0] and q.span[1] <= e for s, e in dates):
            continue
        start, end = (origin[q.span[0]][0], origin[q.span[1] - 1][1]) if q.span[1] > q.span[0] else (0, 0)
        surface = text[start:end] if end > start else q.surface
        if end > start and part_of_name(text, start, end):
            continue
        before = norm[: q.span[0]]
        entity, unit = q.unit.entity.name, q.unit.name
        value, kind = float(q.value), entity
        if entity == "dimensionless":
            if unit in ("percentage", "percent"):
                kind = "percent"
            elif re.fullmatch(r"(1[89]|20)\d\d", q.surface.strip()) and float(q.value).is_integer():
                kind = "year"
            else:
                after = norm[q.span[1]:].split()
                word = re.sub(r"\W", "", after[0]) if after else ""
                if (measure := _prefixed_measure(value, word)) is not None:
                    (value, kind), end = measure, end + re.match(rf"\W*{re.escape(word)}", text[end:] + word).end()
                    surface = text[start:end]
                else:
                    kind = f"count:{stem(word.lower())}" if word else "count"
        elif entity == "currency":
            kind = f"currency:{_currency(q.unit, text[max(0, start - 4):end])}"
            value = abs(value)  # "(US$2.4 billion)" is an aside, not an accountant's negative
        elif entity == "angle" and unit in ARC_AS_TIME and not re.search(r"°|\bdegrees?\b", text):
            value, kind = value * ARC_AS_TIME[unit], "time:second"  # "73 minutes after liftoff", not minutes of arc
        elif entity == "unknown" and "percent" in unit:
            kind = "percent"
        else:
            base = _base_value(value, unit)
            if base is None:
                kind = f"{entity}:{unit}"
            else:
                value, dim = base
                kind = f"{entity}:{dim}"
        bound = None if PARTICLE_OVER.search(before) else BOUND.search(before)
        # "by $200" is a change, "funded by a $45 million donation" names a sum ("by a quarter point" is one again)
        change_by = CHANGE_BY.search(before)
        if change_by and kind.startswith("currency:") and re.search(r"\ban?\s*$", change_by.group(), re.IGNORECASE):
            change_by = None
        direction = DIRECTION_BEFORE.search(text[:start]) or (DIRECTION_AFTER.search(text[end:]) if end > start else None)
        if direction is not None and direction.end() == start:  # "rose 2.5%" is shown as the change it states
            surface = text[direction.start():end]
        elif direction is not None and direction.re is DIRECTION_AFTER:  # "25 basis point increase"
            surface = text[start:end + direction.end()]
        out.append(Quantity(kind=kind, value=value, surface=surface,
                            bound=BOUND_SENSE[bound.group(1).lower()] if bound else "",
                            direction=0 if direction is None else (1 if direction.group("up") else -1),
                            change=direction is not None or bool(change_by)
                            or bool(re.search(r"\b(basis|percentage) points?\b", surface, re.IGNORECASE)),
                            tolerance=_tolerance(surface, value, bool(APPROX.search(before))),
                            near=_near(text, start, end) if end > start else frozenset()))
        level = out[-1]
        if (previous is not None and previous[1].kind == kind and not previous[1].change and not level.change
                and FROM_TO.fullmatch(text[previous[0]:start])):
            # "from 3 percent to 3-1/2 percent": a level, a level, and the change between them
            step = value - previous[1].value
            out.append(Quantity(kind=kind, value=abs(step), surface=f"{text[previous[0]:start]}{surface}", change=True,
                                direction=(step > 0) - (step < 0), tolerance=max(previous[1].tolerance, level.tolerance),
                                near=previous[1].near | level.near))
        previous = (start - len(re.search(r"\bfrom\s+$|$", text[:start]).group()), level) if end > start else None
    return [q for q in out if q.kind != "date" or q.value != (None, None, None)]


def _near(text: str, start: int, end: int) -> frozenset[str]:
    """The words around a value, names and figures left out: what it measures, not whose it is."""
    before, after = text[max(0, start - NEAR_CHARS):start], text[end:end + NEAR_CHARS]
    before = before if start <= NEAR_CHARS else before.partition(" ")[2]  # whole words only
    after = after if end + NEAR_CHARS >= len(text) else after.rpartition(" ")[0]
    window = f"{before} {after}"
    return frozenset(w for w in content_words(re.sub(r"\b[A-Z]\w*|\S*\d\S*", " ", window)) if w.isalpha())


def _date_value(surface: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day), None where the text does not say it ("March 2008": (2008, 3, None))."""
    has_year = re.search(r"\b\d{4}\b", surface)
    has_day = re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\b(?!\d)", surface.replace(has_year.group(), "") if has_year else surface)
    try:
        d = date_parser.parse(surface, default=DEFAULT_DAY)
    except (ValueError, OverflowError):
        return (None, None, None)
    return (d.year if has_year else None, d.month, d.day if has_day else None)


def _agree(c: Quantity, e: Quantity) -> bool:
    if c.kind == "year":
        return c.value == e.value
    if c.kind == "date":
        return all(a is None or b is None or a == b for a, b in zip(c.value, e.value, strict=True))
    if c.direction * e.direction < 0:  # "rose 2.5%" is not "fell 2.5 percent"
        return False
    # half a unit off exactly is outside the claim's rounding: "2%" is not "2-1/2 percent" (nor "3%")
    return abs(c.value - e.value) < max(c.tolerance, e.tolerance, 1e-9) * (1 - 1e-9)


def compare(claim: list[Quantity], evidence: list[Quantity]) -> list[QuantityComparison]:
    """For each claim quantity that the evidence states a quantity of the same kind for: the closest one,
    and whether they agree (within the claim's rounding, or 10% after "about"; a rise never agrees with a fall).
    A bound is compared only with a bound of the same sense ("up to 30 million" with "up to $30 billion"), a
    change only with a change ("raised by half a percentage point" with "from 3 percent to 3-1/2 percent"), a
    date not with one that another of the claim's dates gives; years
    are compared only when no full date is. Amounts, counts and measures are compared only when the words around
    them share one (`near`: "a $2.2 billion mental health package" is not "$2.5 billion to
    build a cancer care system"); dates are not, since what is dated is rarely beside its date. A count that names
    nothing after it stands for a count of the claim's noun only where it agrees with it."""
    out = []
    for c in claim:
        same = [e for e in evidence if _same_kind(c, e) and e.bound == c.bound and e.change == c.change
                and (c.kind in ("date", "year") or not c.near or not e.near or c.near & e.near)]
        if not same and c.kind.startswith("count:"):
            # a count that names nothing after it ("would be about 5,000, or 9% of ...") is the claim's count of
            # people or jobs when it agrees with it; disagreeing, it may count anything
            same = [e for e in evidence if e.kind == "count" and e.bound == c.bound and e.change == c.change
                    and c.near & e.near and _agree(c, e)]
        if c.kind == "date":  # a date that another of the claim's dates gives is that one's ("... from January 2014")
            same = [e for e in same if _agree(c, e) or not any(_agree(o, e) for o in claim if o is not c and o.kind == "date")]
        if not same:
            continue
        pool = [e for e in same if _agree(c, e)] or same  # the closest agreeing value, else the closest
        match = pool[0] if c.kind in ("date", "year") else min(pool, key=lambda e: abs(e.value - c.value))
        out.append(QuantityComparison(kind=c.kind, claim=c.surface, evidence=match.surface, agrees=_agree(c, match),
                                      change=c.change))
    return out


def worded_as_evidence(claim: str, comparisons: list[QuantityComparison]) -> str:
    """The claim with each value that agrees with the evidence's in the evidence's words ("1.75%" -> "1 3/4 percent",
    "40 billion US dollars" -> "US$40 billion"): what the verifier reads, so that a format is not read as a
    difference. Dates (read from the date line as well) and changes (whose wording holds a verb: "raised the
    rate by half a percentage point") keep the claim's words."""
    for q in comparisons:
        if q.agrees and q.claim != q.evidence and not q.change and q.kind not in ("date", "published"):
            claim = claim.replace(q.claim, q.evidence)
    return claim


def today_quantity(sentence: str, published: str | None) -> list[Quantity]:
    """The document's date as a quantity when the sentence dates its event by it ("today", "this morning")."""
    if not published or not re.search(r"\b(today|this morning|this afternoon|tonight)\b", sentence, re.IGNORECASE):
        return []
    from pipeline.evidence import published_label

    label = published_label(published)
    return [Quantity(kind="date", value=_date_value(label), surface=f"today ({label})")] if label else []


def published_comparison(claim: list[Quantity], published: str | None) -> QuantityComparison | None:
    """The claim's date beside the date line of the document a sentence comes from (kind "published").

    Not evidence for or against the date: it tells whether the sentence can be about the claim's event at all.
    A dated statement that gives another figure is another statement (the Fed's May statement says nothing
    of its June rate), and a sentence of a document dated the claim's day that names another date names
    another event ("since the Committee met in June"). Agrees within `PUBLISHED_DAYS` when the claim gives a
    day, in the same or the next month when it gives a month, in the same or next year when only a year.
    None when the claim states no date or the document has none."""
    from pipeline.evidence import published_label

    label = published_label(published)
    dated = [q for q in claim if q.kind == "date" and q.value[0] is not None] or [q for q in claim if q.kind == "year"]
    if not label or not dated:
        return None
    c, (py, pm, pd) = dated[0], _date_value(label)
    if c.kind == "year":
        agrees = py - int(c.value) in (0, 1)
    elif c.value[2] is not None:
        agrees = abs((datetime(py, pm, pd) - datetime(*c.value)).days) <= PUBLISHED_DAYS
    else:
        agrees = (py * 12 + pm) - (c.value[0] * 12 + c.value[1]) in (0, 1)
    return QuantityComparison(kind="published", claim=c.surface, evidence=f"published {label}", agrees=agrees)
