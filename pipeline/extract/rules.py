"""The offline extractor: spaCy's parse, then rules that split clauses, peel attribution off content,
resolve pronouns and normalise numbers. Deterministic, no LLM, about 50 ms a paragraph.

A sentence yields one claim per independent clause (coordinated verbs with their own subject, or
sharing one, become separate claims). "X said (that) C", "“C,” X said", "according to X, C" and
"As X put it, C" yield the content C with X as speaker, and keep "X said that C" as the attribution.
Lists split into one claim per member (lists of people read from their words); facts stated in passing
(relative and adverbial clauses, appositions, "X's visit to Y", "with X doing Y") become claims of their own.
Where spaCy's small model attaches a word wrongly in a way seen often, a rule puts it back (each says which);
the faults found on the gold set and how each was met are in eval/data/extraction/errors.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from pipeline.extract.base import Extractor, early_drop, numbered
from pipeline.extract.coref import (
    COUNTRY_WORDS,
    FIRST_PLURAL,
    GROUP_PHRASE,
    SUBJECTS,
    TIME_NOUNS,
    TITLES_AFTER_PRONOUN,
    Entities,
    Mention,
    demonstrative_det,
    plural_group,
    referential,
    resolve_descriptions,
    resolve_pronouns,
)
from pipeline.extract.dates import anchor, time_metadata
from pipeline.extract.lists import bullet_lists
from pipeline.extract.nlp import parse, sentence_spans
from pipeline.extract.normalise import normalise
from pipeline.models import Claim, Document, DropReason, ExtractedClaim, Span
from pipeline.textnorm import normalise_space

SPEECH = {"say", "tell", "state", "note", "add", "warn", "caution", "argue", "claim", "admit", "emphasize", "emphasise",
          "stress", "insist", "assert", "announce", "report", "explain", "reiterate", "write", "declare", "remark", "contend"}
# Subordinate clauses whose content the sentence asserts as fact ("after he met Putin in Alaska"); not "if", "unless".
PRESUPPOSING = {"when", "after", "before", "as", "since", "because", "although", "though", "while", "once"}
IRREGULAR_PAST = {"say": "said", "tell": "told", "write": "wrote", "make": "made", "take": "took", "give": "gave", "meet": "met",
                  "see": "saw", "go": "went", "come": "came", "hold": "held", "keep": "kept", "lead": "led", "win": "won",
                  "lose": "lost", "leave": "left", "bring": "brought", "buy": "bought", "sell": "sold", "send": "sent",
                  "spend": "spent", "build": "built", "pay": "paid", "put": "put", "set": "set", "cut": "cut", "hit": "hit",
                  "let": "let", "find": "found", "get": "got", "know": "knew", "think": "thought", "speak": "spoke",
                  "begin": "began", "become": "became", "run": "ran", "stand": "stood", "fight": "fought", "seek": "sought",
                  "feel": "felt", "hear": "heard", "mean": "meant", "rise": "rose", "fall": "fell", "grow": "grew",
                  "draw": "drew", "choose": "chose", "drive": "drove", "break": "broke", "have": "had", "be": "was",
                  "do": "did", "withdraw": "withdrew", "strike": "struck", "steal": "stole", "forgive": "forgave"}
# Events named by a noun with its owner ("the Prime Minister's visit to Launceston"): the verb in the past, and the
# prepositions it does without ("visited Launceston").
EVENT_NOUNS = {"visit": ("visited", {"to"}), "trip": ("travelled", set()), "arrival": ("arrived", set()),
               "election": ("was elected", set()), "appointment": ("was appointed", set()), "resignation": ("resigned", set()),
               "death": ("died", set()), "retirement": ("retired", set()), "use": ("used", {"of"}), "move": ("moved", set()),
               "decision": ("decided", set()), "attempt": ("attempted", set()), "refusal": ("refused", set())}
# "The Prime Minister spoke with Naoto Kan to express condolences": a call made to say something says it.
CONTACT_VERBS = {"speak", "meet", "call", "telephone", "phone", "talk", "write"}
SPEECH_ACTS = {"express", "emphasise", "emphasize", "convey", "discuss", "reaffirm", "thank", "congratulate", "offer", "stress",
               "confirm", "announce", "raise", "extend"}
# Prepositions whose gerund the sentence asserts as a fact of its subject: "Despite acknowledging progress, Vance cast doubt".
PRESUPPOSING_PREPOSITIONS = {"despite", "after", "before", "since", "upon"}
DISCOURSE = {"still", "however", "meanwhile", "moreover", "indeed", "nevertheless", "nonetheless", "furthermore", "also",
             "yet", "instead", "besides", "then"}
HONORIFICS = {"Hon", "Mr", "Mrs", "Ms", "Dr", "Professor", "Prof", "Sir", "Dame", "MHR", "MP", "AO", "AC", "QC", "His", "Her",
              "Excellency", "the", "The"}
POST_NOMINALS = {"MHR", "MP", "AO", "AC", "QC"}  # after a name an honour; before one a title ("local MP Jodie Campbell")
TITLE_WORDS = {"commissioner", "mp", "treasurer", "head", "secretary-general", "envoy", "officer",
               "president", "minister", "secretary", "chancellor", "governor", "ambassador", "spokesman", "spokeswoman",
               "senator", "general", "chief", "leader", "chairman", "chairwoman", "director", "mayor", "premier"}
PERSONAL = {"he", "him", "his", "she", "her", "hers", "it", "its", "they", "them", "their", "theirs", "we", "us", "our", "ours",
            "i", "me", "my", "you", "your"}
# Judgements a fact-checker cannot check, whoever makes them.
RHETORIC = ("nothing less than", "no less than", "nothing short of", "second to none")
JUDGING_VERBS = {"deserve", "commend", "applaud", "salute"}
EVALUATIVE = {"great", "inspiration", "inspiring", "tragic", "heartbreaking", "insidious", "evil", "unacceptable", "dangerous",
              "shameful", "disgraceful", "outrageous", "wonderful", "remarkable", "proud", "honour", "honor", "privilege",
              "extraordinary", "appalling", "terrible", "fantastic", "excellent", "important", "vital", "crucial", "prudent",
              "significant", "good", "bad", "best", "worst", "historic", "landmark", "fitting", "deplorable", "reckless", "critical",
              "essential"}
# "will help relieve the pressure", "will facilitate cooperation": a promised benefit, not yet a fact to check.
BENEFIT_VERBS = {"help", "improve", "boost", "ensure", "benefit", "enhance", "facilitate", "promote", "encourage",
                 "relieve", "reinforce"}
FORECAST_WORDS = {"likely", "unlikely", "probably"}  # "penalties are unlikely to force a ceasefire"
# "will depend on", "will expand" (with no object): a forecast, not a plan, when nothing in it can be checked
FORECAST_VERBS = {"depend", "remain", "continue", "expand", "grow", "rise", "fall", "increase", "decrease", "decline", "improve",
                  "change", "need", "slow", "ease", "moderate", "weaken", "accelerate", "recover"}
PLAN_MODALS = {"will", "shall", "'ll", "’ll", "wo"}  # an announced plan: "the clinic will offer a pharmacy"
OPINION_VERBS = {"think", "believe", "feel", "hope", "guess", "suppose", "reckon"}
# Verbs that take a clause ("said that ...", "show the economy is ..."): a clause under any other verb is the parser's error.
CLAUSE_TAKERS = SPEECH | OPINION_VERBS | {"know", "show", "find", "mean", "ensure", "confirm", "suggest", "indicate", "expect",
                                          "see", "hear", "learn", "decide", "agree", "accept", "acknowledge", "deny", "doubt"}
NAMES = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
LEADING_JUNK = " ,;:—–-\"“”'‘’"
# Lists and coordinations split into one claim per member when the coordinated word plays one of these roles.
SPLIT_DEPS = {"dobj", "pobj", "attr", "nsubj", "nsubjpass", "appos", "dative", "oprd", "xcomp", "ccomp", "advcl", "acl"}
# "Despite drought in parts of the country and a failed wet season, ...": background, not split (and often misparsed)
BACKGROUND = {"despite", "amid", "amidst", "notwithstanding"}
SYMMETRIC = {"between", "among", "amongst"}  # "talks between Russia and Ukraine" is one fact
COLLECTIVE = {"together", "jointly", "both", "respectively"}  # meaningless once the subjects are apart
MAX_VARIANTS = 12
THIRD_SINGULAR = {"are": "is", "were": "was", "have": "has", "do": "does", "am": "is", "'re": "is", "’re": "is", "'ve": "has",
                  "’ve": "has"}
# A pronoun whose referent the claim already names, in the referent's person and number: (pronoun, plural?) -> word.
THIRD_PERSON = {("they", False): "it", ("them", False): "it", ("their", False): "its", ("theirs", False): "its",
                ("our", False): "its", ("ours", False): "its", ("our", True): "their", ("ours", True): "theirs"}
EXTRACTOR = "rules"
# Things whose price is what they cost ("the $732,400 project"); anything else priced is worth it ("the $5 million deal").
COST_NOUNS = {"project", "facility", "upgrade", "centre", "center", "clinic", "unit", "building", "program", "programme", "scheme",
              "redevelopment", "expansion", "construction", "development", "refurbishment", "renovation", "road", "bridge"}
QUANTIFIERS = {"several", "many", "few", "multiple", "numerous", "some"}
DAY_WORDS = {"today", "yesterday", "tonight"}  # times the small model's entity tagger misses at a sentence's start


@dataclass
class Speaker:
    name: str | None  # None where the subject is a pronoun nothing resolved: a speaker "he" names nobody
    verb: str  # "said", "told Reuters", "according to"
    subject: Token | None = None

    def __post_init__(self) -> None:
        if self.name and self.name.lower() in PERSONAL:
            self.name = None


@dataclass
class Unit:
    """One clause that becomes one claim: the tokens to keep, and who said it."""

    head: Token
    tokens: set[int]
    speaker: Speaker | None
    subject: Token | None = None
    prefix: list[int] = field(default_factory=list)
    copula: str = ""  # inserted between prefix and tokens: "Vance" + "was" + "speaking on NBC"
    overrides: dict[int, str] = field(default_factory=dict)  # token -> the word written instead (agreement)
    subject_first: bool = False  # the prefix (a subject written later in the sentence) goes first


@dataclass
class People:
    """A list of people with their titles, read from its words: each member's words for its own claim, and
    (name, title words) for each person given a title."""

    span: set[int]
    members: list[list[int]]
    titles: list[tuple[str, list[int]]]


def subtree(token: Token) -> set[int]:
    return {t.i for t in token.subtree}


def own_subject(token: Token) -> Token | None:
    return next((c for c in token.children if (c.dep_ in SUBJECTS and not how_often(c)) or c.dep_ == "expl"), None)


def how_often(t: Token) -> bool:
    """'several times' the parser made the subject of a coordinated verb ("He stated that ..., and several times
    described ..."): an adverbial of the verb, whose subject is the first verb's."""
    return t.dep_ in SUBJECTS and t.tag_ == "NNS" and t.lemma_.lower() in ("time", "occasion") \
        and any(c.dep_ in ("amod", "nummod") and (c.like_num or c.lower_ in QUANTIFIERS) for c in t.children)


def content_clauses(token: Token) -> list[Token]:
    return [c for c in token.children if c.dep_ == "ccomp"]


def is_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX")


def past(token: Token) -> str:
    if token.tag_ == "VBD":
        return token.text
    lemma = token.lemma_.lower()
    if lemma in IRREGULAR_PAST:
        return IRREGULAR_PAST[lemma]
    if re.search(r"[^aeiou]y$", lemma):
        return lemma[:-1] + "ied"  # "try" -> "tried"
    if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", lemma):
        return lemma + lemma[-1] + "ed"  # "stop" -> "stopped", "plan" -> "planned"
    return lemma + ("d" if lemma.endswith("e") else "ed")


def third_singular(token: Token) -> str:
    """The verb agreeing with a singular third-person subject: 'have' -> 'has', 'do' -> 'does', 'cut' -> 'cuts'."""
    low = token.lower_
    if low in THIRD_SINGULAR:
        out = THIRD_SINGULAR[low]
    else:
        lemma = token.lemma_.lower()
        out = lemma + "es" if re.search(r"(s|sh|ch|x|z|o)$", lemma) else lemma[:-1] + "ies" if re.search(r"[^aeiou]y$", lemma) \
            else lemma + "s"
    return out[:1].upper() + out[1:] if token.text[:1].isupper() else out


def finite_verb(verb: Token) -> Token:
    """The word of a verb group that agrees with the subject: its first auxiliary, else the verb."""
    return next((c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i < verb.i), verb)


def needs_singular(verb: Token) -> str | None:
    """The singular form of the verb group's finite word, when it is plural now ('have', 'were', 'cut')."""
    f = finite_verb(verb)
    if f.tag_ == "VBP" or f.lower_ == "were":
        return third_singular(f)
    return None


def named_in(name: str, text: str) -> bool:
    """Whether the text already names this referent: its last word, as a word ('Japan' is not in 'Japanese')."""
    return bool(name.split()) and re.search(rf"(?<!\w){re.escape(name.split()[-1])}(?!\w)", text, re.IGNORECASE) is not None


def determined(t: Token) -> bool:
    """A noun with its own determiner, owner or number: 'the Leader', 'our eleventh winner', 'Australia's first
    Laureate', 'nine entities'."""
    return any(c.dep_ in ("det", "poss", "nummod") and c.i < t.i for c in t.children)


def qualified(t: Token) -> bool:
    """A common noun with a describing word of its own ('detailed terms'): after 'the proposed Commissioner and',
    a second thing, not half of one ('the safety and security')."""
    return t.pos_ == "NOUN" and any(c.dep_ == "amod" and c.i < t.i for c in t.children)


def with_comma_before(doc: Doc, token: Token) -> set[int]:
    """A token's subtree, with the commas, dashes or conjunctions just before it."""
    span = subtree(token)
    i = min(span) - 1
    while i >= 0 and (doc[i].dep_ == "cc" or doc[i].is_punct) and doc[i].text not in "“\"":
        span.add(i)
        i -= 1
    return span


class Sentence:
    """Claims of one parsed sentence; pronouns resolved with the document's mentions."""

    def __init__(self, doc: Doc, start: int, end: int, entities: Entities, resolved: dict[int, Mention],
                 descriptions: dict[int, str], published: str | None = None) -> None:
        self.doc, self.start, self.end = doc, start, end
        self.entities, self.resolved, self.descriptions = entities, resolved, descriptions
        self.published = published  # the article's date (ISO), to anchor "announced today"
        self.rewrites: dict[int, str] = {}  # words written otherwise in every claim of the sentence ('' to leave out)

    # ---- who said it -----------------------------------------------------------------------

    def name_of(self, token: Token | None) -> str | None:
        """A standalone name for a subject: resolved pronoun, full person name, or the phrase itself."""
        if token is None:
            return None
        if token.i in self.resolved:
            return self.resolved[token.i].name
        for t in token.subtree:
            if (ent := self.entities.entity_at(t)) and self.entities.label(ent) == "PERSON":
                return self.entities.name_of(ent)
        if ent := self.entities.entity_at(token):
            return self.entities.name_of(ent)
        words = [t.i for t in token.subtree if t.dep_ not in ("relcl", "punct", "appos")]
        name = self.render(words).rstrip(".")
        return (name if self.doc[words[0]].pos_ == "PROPN" else name[:1].lower() + name[1:]) or None

    def speech_verb(self, verb: Token) -> str:
        """'told Reuters on 14 September 2025': the verb in the past, its object, and when it was said (the article's
        "today" anchored here, apart from the content, whose "will" would make "on Sunday" the coming one)."""
        objects = [c for c in verb.children if c.dep_ in ("dobj", "dative") and c.i < verb.i + 4]
        when = [c for c in verb.children if (c.dep_ == "npadvmod" and (c.ent_type_ in ("DATE", "TIME") or c.lower_ in DAY_WORDS))
                or (c.dep_ == "prep" and c.lower_ == "on" and any(w.ent_type_ == "DATE" for w in c.children))]
        words = " ".join([past(verb)] + [" ".join(t.text for t in c.subtree) for c in objects + when])
        return anchor(words, self.published).text

    def frame_in(self, head: Token) -> tuple[Speaker | None, set[int]]:
        """An attribution frame hanging off a content clause: '“C,” he said', 'according to X', 'As X put it'."""
        for child in head.children:
            if child.dep_ in ("parataxis", "ccomp") and child.lemma_ in SPEECH and not content_clauses(child):
                subj = own_subject(child)
                if subj is not None:
                    return Speaker(self.name_of(subj), self.speech_verb(child), subj), with_comma_before(self.doc, child)
            if child.dep_ == "advcl" and child.lemma_ == "put" and any(m.lower_ == "as" for m in child.children):
                subj = own_subject(child)
                return Speaker(self.name_of(subj), "said", subj), subtree(child)
            if child.dep_ == "prep" and child.lower_ == "according":
                obj = next((t for t in child.subtree if t.dep_ == "pobj"), None)
                return Speaker(self.name_of(obj), "according to", obj), with_comma_before(self.doc, child)
        return None, set()

    # ---- clauses ---------------------------------------------------------------------------

    def clauses(self, head: Token, subject: Token | None, speaker: Speaker | None, out: list[Unit],
                extra: set[int] | None = None, more: list[Token] | None = None) -> None:
        """The units of the clause headed by `head`; `extra` are words the parser hung elsewhere that belong to
        it, `more` the bare verbs among them that may continue an infinitive list in it."""
        subj = own_subject(head) or subject
        ccomps = content_clauses(head)
        if head.lemma_ in SPEECH and ccomps and is_verb(head) and subj is not None:
            said = Speaker(self.name_of(subj), self.speech_verb(head), subj)
            first = ccomps[0]
            stray = [c for c in head.children if c.i > first.i and c.dep_ in ("ccomp", "xcomp", "conj")
                     and not any(x.dep_ in SUBJECTS for x in c.children)  # not "and several times described"
                     and not is_speech_clause(c)]
            rest = {i for c in stray for i in with_comma_before(self.doc, c)}
            self.clauses(first, None, said, out, rest, [c for c in stray if is_verb(c) and c.tag_ in ("VB", "VBP")])
            for c in ccomps[1:]:
                if own_subject(c) is not None:
                    self.clauses(c, None, said, out)
                elif any(how_often(x) for x in c.children):  # "stated that A, and several times described B": the speaker's
                    self.clauses(c, subj, speaker, out)
            for conj in (c for c in head.children if c.dep_ == "conj" and is_verb(c)):
                self.clauses(conj, subj, speaker, out)
            self.adverbial_claims(head, subj, speaker, set(), out)
            return
        frame, excluded = self.frame_in(head)
        speaker = frame or speaker
        self.adverbial_claims(head, subj, speaker, excluded, out)
        excluded |= self.examples(head, subj, speaker, out)
        excluded |= self.infinitive_siblings(head, subj, speaker, out, more or [])
        # "is implementing A to protect B, and increasing C": the parser hangs the second verb on the infinitive,
        # whose form it does not share; it is the main verb's
        lowered = [c for x in head.children if x.dep_ in ("advcl", "xcomp") and x.tag_ in ("VB", "VBG") and x.tag_ != head.tag_
                   and own_subject(x) is None for c in x.children
                   if c.dep_ == "conj" and is_verb(c) and c.tag_ == head.tag_ and own_subject(c) is None]
        shared: set[int] = set()
        for child in list(head.children) + lowered:
            if child.i in excluded:
                continue
            if (glued := self.glued_subject(child)) is not None:
                own, wrong = glued
                clause = (subtree(child) - subtree(wrong)) | subtree(own)
                excluded |= clause | {own.i - 1}  # the "and" before it
                out.append(Unit(child, clause, speaker, own))
            elif child.dep_ == "conj" and is_verb(child) and self.participle(head, child):
                if head.lemma_ != "be" and (obj := next((c for c in head.children if c.dep_ == "dobj"), None)) is not None:
                    excluded |= with_comma_before(self.doc, child)  # "increase the effort, focused on Oruzgan"
                    be = "are" if obj.tag_ in ("NNS", "NNPS") else "is"
                    out.append(Unit(child, subtree(child), speaker, obj, sorted(subtree(obj)), be))
            elif child.dep_ == "conj" and is_verb(child) and not self.shares_object(head, child):
                excluded |= with_comma_before(self.doc, child)
                shared |= self.shared_complement(head, child)
                inherit = speaker.subject if speaker and is_speech_clause(child) and own_subject(child) is None else subj
                self.clauses(child, inherit if own_subject(child) is None else None, speaker, out)
            elif child.dep_ in ("advcl", "xcomp", "acl") and child.tag_ == "VBG" and is_speech_clause(child):
                excluded |= with_comma_before(self.doc, child)
                said = Speaker(self.name_of(subj), past(child), subj) if subj is not None else speaker
                for c in content_clauses(child):
                    self.clauses(c, None, said, out)
        tokens = ((subtree(head) | (extra or set())) - excluded) | shared
        tokens -= self.leading_noise(head, tokens)
        prefix = []
        if subj is not None and subj.i not in tokens:
            prefix = sorted(subtree(subj))
            if head.tag_ in ("VBN", "VBG", "VB") and not any(c.dep_ in ("aux", "auxpass") for c in head.children):
                prefix += [c.i for c in subj.head.children if c.dep_ in ("aux", "auxpass") and c.i < subj.head.i]
        # a subject written after the clause that shares it ("As IE designs pages and geared to HTML 5, they are") goes first
        out.append(Unit(head, tokens, speaker, subj, prefix, subject_first=bool(prefix) and min(prefix) > min(tokens | {head.i})))

    def glued_subject(self, verb: Token) -> tuple[Token, Token] | None:
        """(its real subject, the subject the parser gave it) for a clause the parser glued to the object before it:
        "signed contracts for 25 clinics and construction is underway" -> "construction", not "contracts"."""
        if verb.dep_ != "ccomp" or verb.head.lemma_ in CLAUSE_TAKERS or not is_verb(verb) or (wrong := own_subject(verb)) is None:
            return None  # only where no clause belongs: "signed [contracts ... and construction] is underway"
        between = [w for w in self.doc[wrong.right_edge.i + 1:verb.i]]
        own = wrong.right_edge
        if own.dep_ == "conj" and own.pos_ == "NOUN" and own.i > wrong.i and own.i - 1 >= 0 and self.doc[own.i - 1].dep_ == "cc" \
                and all(w.head == verb and w.dep_ in ("aux", "auxpass", "neg", "advmod") for w in between):
            return own, wrong
        return None

    @staticmethod
    def shared_complement(head: Token, conj: Token) -> set[int]:
        """The complement after a second verb that the first, with none of its own, shares: "will exercise and train on a
        rotational basis" -> "will exercise on a rotational basis" (not "will exercise.")."""
        if own_subject(conj) is not None or any(c.i > head.i and c.dep_ not in ("cc", "punct", "conj") for c in head.children):
            return set()
        return {i for c in conj.children if c.i > conj.i and c.dep_ not in ("cc", "punct", "conj") for i in subtree(c)}

    def participle(self, head: Token, conj: Token) -> bool:
        """A past participle the parser coordinated with a verb of another tense, which cannot be a clause of its
        own: "will increase the effort, focused on Oruzgan" (the effort is focused), "is a prudent and considered
        contribution" (an adjective)."""
        return conj.tag_ in ("VBN", "VBD") and head.tag_ not in ("VBN", "VBD") and own_subject(conj) is None \
            and not any(c.dep_ in ("aux", "auxpass") for c in conj.children) \
            and (head.lemma_ == "be" or any(c.tag_ == "MD" for c in head.children) or conj.tag_ == "VBN")

    def shares_object(self, head: Token, conj: Token) -> bool:
        """A bare verb the parser coordinated with `head` that belongs to the infinitive just before it, with whose
        verb it shares its object: "strengthen the work to mentor and train the police" (mentor and train the police)."""
        if conj.tag_ != "VB" or own_subject(conj) is not None or conj.i < 2 or self.doc[conj.i - 1].dep_ != "cc":
            return False
        return any(v.dep_ in ("advcl", "xcomp") and v.tag_ == "VB" and v.right_edge.i == conj.i - 2
                   and any(a.dep_ == "aux" and a.lower_ == "to" for a in v.children)
                   and not any(o.dep_ in ("dobj", "prep") for o in v.children) for v in head.children)

    def infinitive_siblings(self, head: Token, subj: Token | None, speaker: Speaker | None, out: list[Unit],
                            more: list[Token]) -> set[int]:
        """Bare verbs the parser hung on a finite verb (or, `more`, on the verb of speech above it) that belong to
        its infinitive: "Putin wants Ukraine to surrender A, abandon B, remain neutral" -> "Putin wants Ukraine to
        abandon B" and "... to remain neutral"."""
        if subj is None or head.tag_ not in ("VBZ", "VBD", "VBP"):
            return set()
        inf = next((c for c in head.children if c.dep_ in ("xcomp", "ccomp") and is_verb(c)
                    and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)), None)
        if inf is None:
            return set()
        shared = sorted(subtree(subj) | {head.i} | {c.i for c in head.children if c.dep_ == "advmod" and c.i < head.i}
                        | {i for c in inf.children if c.i < inf.i for i in subtree(c)})
        siblings, queue = [], [c for c in head.children if c.i > inf.i] + [c for c in more if c.i > inf.i]
        while queue:
            c = queue.pop(0)
            if c.dep_ in ("conj", "ccomp", "xcomp") and is_verb(c) and c.tag_ in ("VB", "VBP") and own_subject(c) is None:
                siblings.append(c)
                queue += [d for d in c.children if d.dep_ == "conj"]
        taken: set[int] = set()
        for c in siblings:
            own = subtree(c) - {i for d in siblings if d.i != c.i and d.i in subtree(c) for i in with_comma_before(self.doc, d)}
            own -= {d.i for d in c.children if d.dep_ in ("cc", "punct")}
            out.append(Unit(c, own, speaker, subj, shared))
            taken |= with_comma_before(self.doc, c)
        return taken

    def adverbial_claims(self, head: Token, subj: Token | None, speaker: Speaker | None, excluded: set[int],
                         out: list[Unit]) -> None:
        """Facts a sentence asserts in passing, as claims of their own: "after he met Putin in Alaska" ->
        "he met Putin in Alaska" (kept in the main claim too); an opening participle clause, whose subject is
        the sentence's: "Speaking on NBC, Vance said" -> "Vance was speaking on NBC" (cut from the main claim).
        Trailing participles stay put: their subject is often not the sentence's ("a tariff, punishing India")."""
        for t in head.subtree:
            if t.dep_ != "advcl" or t.i in excluded or not is_verb(t):
                continue
            markers = [m for m in t.children if m.dep_ in ("mark", "advmod") and m.lower_ in PRESUPPOSING and m.i < t.i]
            inner = own_subject(t)
            wh = inner is not None and any(w.tag_ in ("WDT", "WP", "WP$") and w.i < inner.i for w in t.subtree)
            if (markers or wh) and inner is not None:  # "after he met Putin", "during which time he was deployed to Kyiv"
                out.append(Unit(t, {i for i in subtree(t) if i >= inner.left_edge.i}, speaker))
                if wh and t.head == head:
                    excluded |= with_comma_before(self.doc, t)  # a fact of its own, not part of the main one
            elif t.head == head and (when := self.time_adverbial(t)) is not None:
                self.rewrites.update(when)  # "Starting next year, Australia will welcome" -> "From next year, Australia ..."
            elif t.head == head and t.tag_ == "VBG" and subj is not None and t.i < subj.i and own_subject(t) is None \
                    and not is_speech_clause(t) and not any(c.dep_ == "mark" for c in t.children):
                out.append(Unit(t, subtree(t), speaker, subj, sorted(subtree(subj)), self.be(head, subj)))
                excluded |= with_comma_before(self.doc, t)
        past_tense = head.tag_ == "VBD" or (head.tag_ == "VBN" and any(c.dep_ == "aux" and c.lemma_ == "have" for c in head.children))
        if past_tense and subj is not None and head.lemma_ in CONTACT_VERBS:
            # "spoke with Naoto Kan to express condolences, and to emphasise that ..." -> "X expressed condolences"
            purposes = [c for c in head.children if c.dep_ in ("advcl", "xcomp") and c.lemma_ in SPEECH_ACTS and c.i > head.i
                        and any(a.lower_ == "to" for a in c.children)]
            purposes += [d for c in purposes for d in c.conjuncts if d.lemma_ in SPEECH_ACTS and d.i > c.i]
            for v in purposes:
                own = subtree(v) - {i for d in v.children if d.dep_ in ("conj", "cc") or (d.dep_ == "aux" and d.lower_ == "to")
                                    or (d.dep_ == "punct" and d.i > v.i) for i in subtree(d)}
                out.append(Unit(v, own, speaker, subj, sorted(subtree(subj)), "", {v.i: past(v)}, True))
                if v.head == head:
                    excluded |= with_comma_before(self.doc, v)  # "spoke with Naoto Kan on 13 March" alone
        for prep in (c for c in head.children if c.dep_ == "prep" and c.i not in excluded and past_tense):
            gerund = next((c for c in prep.children if c.dep_ == "pcomp" and c.tag_ == "VBG"), None)
            if gerund is None:
                continue
            if prep.lower_ in PRESUPPOSING_PREPOSITIONS and subj is not None and prep.i < subj.i and own_subject(gerund) is None:
                # "Despite acknowledging progress, Vance cast doubt" -> "Vance acknowledged progress"
                out.append(Unit(gerund, subtree(gerund), speaker, subj, sorted(subtree(subj)), "", {gerund.i: past(gerund)}, True))
                excluded |= with_comma_before(self.doc, prep)
            elif prep.lower_ == "with" and (inner := own_subject(gerund)) is not None:
                # "Moscow has denied it, with Putin reaffirming this in 2022 and later when Russian forces withdrew"
                clauses = [c for c in gerund.children if c.dep_ == "conj" and is_verb(c) and own_subject(c) is not None]
                rest = {i for c in gerund.children if c.dep_ == "conj" and (c in clauses or not is_verb(c))
                        for i in with_comma_before(self.doc, c)}  # "and later when ...": a time clause of its own
                out.append(Unit(gerund, {i for i in subtree(gerund) if i >= inner.left_edge.i} - rest, speaker, inner,
                                overrides={gerund.i: past(gerund)}))
                out.extend(Unit(c, {i for i in subtree(c) if i >= own_subject(c).left_edge.i}, speaker, own_subject(c))
                           for c in clauses)
                excluded |= with_comma_before(self.doc, prep)

    @staticmethod
    def time_adverbial(verb: Token) -> dict[int, str] | None:
        """'Starting next year', 'Beginning on 1 July': a participle of starting whose only complement is a time says
        when, as "From next year" does (the words to write instead), not that anything starts."""
        if verb.tag_ != "VBG" or verb.lemma_ not in ("start", "begin", "commence") or verb.i > verb.head.i:
            return None
        parts = [c for c in verb.children if c.dep_ not in ("punct", "advmod")]
        if len(parts) != 1:
            return None
        when, words = parts[0], {verb.i: "from"}
        if when.dep_ == "prep" and when.lower_ in ("in", "on", "from", "at"):
            words[when.i] = ""
            when = next((c for c in when.children if c.dep_ == "pobj"), when)
        timely = when.ent_type_ in ("DATE", "TIME") or when.lemma_.lower() in TIME_NOUNS
        return words if when.dep_ in ("npadvmod", "dobj", "pobj") and timely else None

    def examples(self, head: Token, subj: Token | None, speaker: Speaker | None, out: list[Unit]) -> set[int]:
        """Examples given of the subject, as a claim of their own, cut from the main one: "Further announcements,
        including the proposed Commissioner, will be made" -> "Further announcements will include the proposed
        Commissioner" and "Further announcements will be made"."""
        prep = next((c for c in subj.children if c.dep_ == "prep" and c.lower_ in ("including", "includes")), None) \
            if subj is not None and subj.i < head.i else None
        if prep is None or not any(c.dep_ == "pobj" for c in prep.children) or any(c.lower_ in ("a", "an") for c in subj.children):
            return set()  # not "a group of nations, including X, should act": "a group" is no group in particular
        plural = subj.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in subj.children)
        modal = next((c for c in head.children if c.tag_ == "MD"), None)
        if modal is not None:
            verb = f"{modal.lower_} include"
        elif head.tag_ == "VBD" or finite_verb(head).tag_ == "VBD":
            verb = "included"
        else:
            verb = "include" if plural else "includes"
        cut = with_comma_before(self.doc, prep)
        after = prep.right_edge.i + 1
        if after < len(self.doc) and self.doc[after].text == ",":
            cut.add(after)  # "Further announcements, including X, will be made": no comma left before the verb
        prefix = sorted(subtree(subj) - cut)
        out.append(Unit(prep, subtree(prep), speaker, subj, prefix, overrides={prep.i: verb}, subject_first=True))
        return cut

    @staticmethod
    def be(head: Token, subj: Token) -> str:
        """'be' in the tense of the sentence's verb, agreeing with its subject: "Speaking on NBC, Vance said" -> "Vance
        was speaking"; "Working with the army, Australia will increase" -> "Australia will be working"."""
        if any(c.tag_ == "MD" for c in head.children):
            return f"{next(c for c in head.children if c.tag_ == 'MD').lower_} be"
        plural = subj.tag_ in ("NNS", "NNPS") or subj.lower_ in ("they", "we")
        if head.tag_ in ("VBZ", "VBP"):  # the simple present; "has been placed" is past enough: "was quoting"
            return "are" if plural else "is"
        return "were" if plural else "was"

    def titles(self, named: set[str]) -> list[str]:
        """'US Vice President JD Vance' -> 'JD Vance is the US Vice President.', once per person."""
        out = []
        for ent in self.doc[self.start:self.end].ents:
            if self.entities.label(ent) != "PERSON" or (name := self.entities.name_of(ent)) in named:
                continue
            title, heads = [], {ent.root.i}
            for t in reversed(list(self.doc[self.start:ent.start])):
                if t.lower_ in ("his", "her", "excellency", "majesty", "highness", "hon", "honourable", "honorable"):
                    break
                if t.head.i not in heads or t.dep_ not in ("compound", "amod", "nmod"):
                    break
                title.insert(0, t)
                heads.add(t.i)
            if len(title) >= 2 and any(t.lemma_.lower() in TITLE_WORDS for t in title):
                named.add(name)
                out.append(f"{name} is the {' '.join(t.text for t in title)}.")
        return out

    def appositive_titles(self, named: set[str]) -> list[str]:
        """'the Leader of the Opposition, the Hon Tony Abbott MHR' and 'Mark Butler, the Parliamentary Secretary for
        Health' -> 'Tony Abbott is the Leader of the Opposition.'; a description in apposition too: 'biologist,
        Professor Elizabeth Blackburn' -> 'Elizabeth Blackburn is a biologist.', 'the most recent winners Dr Robin
        Warren and Professor Barry Marshall' -> 'Robin Warren is one of the most recent winners.'; once per person."""
        out = []
        for a in self.doc[self.start:self.end]:
            if a.dep_ != "appos" or self.in_people_list(a):
                continue
            for person, title in ((a, a.head), (a.head, a)):
                name = self.person_name(person)
                if not name or name in named or person.i == title.i:
                    continue
                title = ([c for c in title.conjuncts if c.i < person.i] or [title])[-1]  # "the PM and the Leader, Tony Abbott"
                own = subtree(person) - subtree(title) if title.i in subtree(person) else subtree(person)
                skip = {i for c in title.children if c.dep_ in ("relcl", "acl", "appos", "conj", "cc") for i in subtree(c)}
                words = [t for t in title.subtree if t.i not in own and t.i not in skip and (not t.is_punct or t.tag_ == "HYPH")]
                titled = any(t.lemma_.lower() in TITLE_WORDS for t in words)
                bare = title.tag_ == "NN" and words[0].dep_ not in ("det", "poss") and len(words) == 1  # "her husband, X"
                described = title.pos_ == "NOUN" and self.is_person(person) and not bare \
                    and not any(t.pos_ == "PRON" for t in title.subtree if t.i < title.i) \
                    and (title.tag_ != "NNS" or words[0].dep_ in ("det", "poss")) \
                    and not (person.i < title.i and self.doc[title.left_edge.i - 1].dep_ == "cc")  # not "A, B and the winners"
                if not words or len(words) > 12 or not (titled or described):
                    continue
                phrase = "".join(t.text + (t.whitespace_ if n + 1 < len(words) and words[n + 1].i == t.i + 1 else " ")
                                 for n, t in enumerate(words)).strip()
                possessive = words[0].dep_ == "poss" or any(w.dep_ == "case" for w in words[:3])
                if titled:
                    phrase = phrase[4:] if phrase.lower().startswith("the ") else phrase
                    claim = phrase if possessive or words[0].lower_ in ("a", "an") else f"the {phrase}"
                    claim = f"one of {claim}" if title.tag_ == "NNS" else claim  # "the joint leaders of the review"
                elif title.tag_ == "NNS":
                    claim = f"one of {phrase}" if words[0].dep_ == "det" or possessive else f"one of the {phrase}"
                elif words[0].dep_ == "det" or possessive:
                    claim = phrase
                else:
                    claim = f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"
                plural = title.tag_ == "NNS"  # "the most recent winners A and B": each; "A, Chairman; B; C": A alone
                people = list(dict.fromkeys([name] + [n for c in person.conjuncts if plural and c.i > person.i and self.is_person(c)
                                                      and (n := self.person_name(c)) and n not in named]))
                named.update(people)
                out.extend(tidy(f"{n} is {claim}.") for n in people)
                break
        return out

    def people(self, t: Token) -> People | None:
        """A list of people with their titles headed by `t`, read from the words, since the parser rarely gets one
        right: 'the Prime Minister, Parliamentary Secretary for Health Mark Butler and local MP Jodie Campbell';
        'the Secretary of the Department, Mr Peter Varghese AO, and Canada's High Commissioner, His Excellency
        Mr Michael Small'. Members part at commas and 'and' outside names; a title alone, a comma and a name
        alone are one member (an apposition). A person's claim names them alone: their title is a claim of its own."""
        role = t.dep_ in SUBJECTS | {"dobj"} or (t.dep_ == "pobj" and t.head.lower_ in ("by", "with"))
        if t.pos_ not in ("NOUN", "PROPN") or not role:
            return None  # who did it, to whom, with whom; not "alongside the likes of A, B and the winners C and D"
        inside = subtree(t)
        persons = [e for e in self.doc[self.start:self.end].ents if self.entities.label(e) == "PERSON" and e.start in inside]
        if len(persons) < 2:
            return None
        start, end = t.left_edge.i, persons[-1].end
        after = sorted(i for i in inside if i >= end)
        if any(i not in inside for i in range(start, end)) or any(
                self.doc[i].dep_ == "cc" or (self.doc[i].text == "," and i + 1 in inside and self.doc[i + 1].dep_ == "cc")
                for i in after):
            return None  # the list goes on past its last person: the parser lost part of it
        span = set(range(start, end)) | ({end} if after[:1] == [end] and self.doc[end].text == "," and end + 1 not in inside
                                         else set())
        words = self.doc[start:end]
        if not any(w.dep_ == "cc" and w.lower_ == "and" for w in words):
            return None  # "Ryanair CEO, Michael O'Leary,": an apposition, not a list
        # "A, Chairman; B, Vice Chairman; C; and D": the members part at semicolons, a comma gives a member's title
        semicolons = any(w.text == ";" for w in words)
        segments, separators, run = [], [], []
        for i in range(start, end):
            w, ent = self.doc[i], self.entities.entity_at(self.doc[i])
            if (w.text == ";" or (w.text == "," and not semicolons) or (w.dep_ == "cc" and w.lower_ == "and")) \
                    and not (ent is not None and ent.start < i < ent.end - 1):
                if run:
                    segments.append(run)
                    separators.append(set())
                    run = []
                if separators:
                    separators[-1].add(w.lower_)
                continue
            run.append(i)
        segments.append(run)
        members, titles, n = [], [], 0
        while n < len(segments):
            seg = segments[n]
            found = [e for e in persons if seg[0] <= e.start and e.end - 1 <= seg[-1]]
            if len(found) > 1:
                return None
            if not found:
                nxt = segments[n + 1] if n + 1 < len(segments) else None
                person = next((e for e in persons if nxt and nxt[0] <= e.start and e.end - 1 <= nxt[-1]), None)
                if person is not None and separators[n] == {","} \
                        and all(self.doc[i].text in HONORIFICS for i in nxt if i < person.start):
                    members.append(list(range(person.start, person.end)))  # "the Secretary of X, Mr Peter Varghese AO"
                    titles.append((self.person_name(person.root), seg))
                    n += 2
                    continue
                if not any(c.dep_ in ("det", "poss") for i in seg for c in self.doc[i].children):
                    return None  # "Minister for Trade and Investment X": a title with an "and" in it, not a list
                members.append(seg)
            else:
                person = found[0]  # named alone, or with the title when only a surname names them ("Prime Minister Gillard")
                members.append(list(range(person.start, person.end)) if len(person) > 1
                               else [i for i in seg if not self.doc[i].is_punct])
                title = [i for i in seg if i < person.start and self.doc[i].text not in HONORIFICS - POST_NOMINALS] or [
                    i for i in seg if i >= person.end and not self.doc[i].is_punct and self.doc[i].text not in HONORIFICS]
                if title:
                    titles.append((self.person_name(person.root), title))
            n += 1
        return People(span, members, titles) if len(members) >= 2 else None

    def list_titles(self, named: set[str]) -> list[str]:
        """'Parliamentary Secretary for Health Mark Butler' in a list of people -> 'Mark Butler is the Parliamentary
        Secretary for Health.', once per person."""
        out = []
        for t in self.doc[self.start:self.end]:
            for name, words in (people.titles if (people := self.people(t)) else []):
                tokens = [self.doc[i] for i in words]
                if not name or name in named or not any(w.lemma_.lower() in TITLE_WORDS for w in tokens):
                    continue
                phrase = " ".join(w.text for w in tokens)
                phrase = phrase[4:] if phrase.lower().startswith("the ") else phrase
                possessive = any(w.dep_ == "case" for w in tokens[:3])
                named.add(name)
                out.append(tidy(f"{name} is {phrase}." if possessive else f"{name} is the {phrase}."))
        return out

    def in_people_list(self, token: Token) -> bool:
        return any(token.i in people.span for t in self.doc[self.start:self.end] if (people := self.people(t)) is not None)

    def person_name(self, token: Token) -> str | None:
        """The person a name phrase names, without honorifics ('the Hon Tony Abbott MHR' -> 'Tony Abbott')."""
        for t in token.subtree:
            if (ent := self.entities.entity_at(t)) is not None and self.entities.label(ent) == "PERSON":
                return " ".join(w for w in self.entities.name_of(ent).split() if w not in HONORIFICS) or None
        words = [t for t in token.subtree if t.i <= token.i and t.pos_ == "PROPN" and t.text not in HONORIFICS]
        return " ".join(t.text for t in words) if len(words) >= 2 and all(t.text[:1].isupper() for t in words) else None

    def leading_noise(self, head: Token, tokens: set[int]) -> set[int]:
        """'that'/'but'/'Still,' at the start of a clause, which only made sense inside the sentence."""
        noise = set()
        for i in sorted(tokens):
            t = self.doc[i]
            if t.is_punct or t.is_space or (t.dep_ == "mark" and t.lower_ in ("that", "whether") and t.head == head) \
                    or (t.dep_ == "cc" and t.head == head) or (t.dep_ == "advmod" and t.lower_ in DISCOURSE):
                noise.add(i)
                continue
            break
        return noise

    # ---- text ------------------------------------------------------------------------------

    def render(self, indices: list[int], overrides: dict[int, str] | None = None) -> str:
        """The tokens as text: pronouns replaced by their referent unless it is named earlier in the claim,
        contractions spelled out, verbs made to agree with the subject they now have."""
        doc, parts, prev = self.doc, [], None
        overrides = {**self.rewrites, **(overrides or {})}
        for i in indices:
            t = doc[i]
            if t.is_space or self.descriptions.get(i) == "" or self.honorific(t):
                continue
            piece, gap = t.text, (doc[prev].whitespace_ if prev == i - 1 else " ") if prev is not None else ""
            so_far = "".join(parts)
            if i in overrides:
                piece, gap = overrides[i], gap or (" " if prev is not None else "")
            elif (phrase := self.descriptions.get(i)) and (phrase.lower() not in so_far.lower() or t.lemma_.lower() in COUNTRY_WORDS):
                piece = phrase
            elif i in self.descriptions:
                piece = "the " + t.text if prev is None or doc[prev].lower_ != "the" else t.text
            elif (m := self.resolved.get(i)) and (not named_in(m.name, so_far) or t.lower_ in ("we", "us", "i", "me")):
                name = "the " + m.name[4:] if m.name.startswith("The ") and so_far.strip() else m.name
                piece = name + ("'" if name.endswith("s") else "'s") if t.tag_ == "PRP$" else name
                overrides = {**self.agreement([i]), **overrides}
            elif m and (third := THIRD_PERSON.get((t.lower_, plural_group(m)))):
                piece = third if t.text.islower() else third.capitalize()  # "If Russia does not, it will"; "its partners"
                overrides = {**self.agreement([i]), **overrides}
            elif "’" in t.text or "'" in t.text:
                expanded = {"be": "is", "have": "has"}.get(t.lemma_, t.norm_) if t.tag_ == "VBZ" else t.norm_
                if expanded.isalpha() and expanded != t.lower_:
                    piece, gap = expanded, " "
            elif t.lower_ in ("ca", "wo") and t.i + 1 < len(doc) and doc[t.i + 1].lower_ in ("n't", "n’t"):
                piece = t.norm_
            parts.append(gap + piece)
            prev = i
        return tidy("".join(parts))

    def honorific(self, t: Token) -> bool:
        """'His Excellency' before a name, left out of a claim: it reads as a pronoun there."""
        d = self.doc
        start = t.i if t.lower_ in ("his", "her") else t.i - 1
        return start >= 0 and start + 2 < len(d) and d[start].lower_ in ("his", "her") \
            and d[start + 1].lower_ in TITLES_AFTER_PRONOUN and d[start + 2].pos_ == "PROPN" and t.i in (start, start + 1)

    def agreement(self, indices: list[int]) -> dict[int, str]:
        """Verbs whose subject pronoun is replaced by a singular name: "they have" -> "Russia has"."""
        out = {}
        for i in indices:
            t = self.doc[i]
            m = self.resolved.get(i)
            if m is None or t.dep_ not in SUBJECTS or t.lower_ not in ("they", "we", "i") or plural_group(m):
                continue
            if (form := needs_singular(t.head)) or (finite_verb(t.head).lower_ in ("am", "'m", "’m") and (form := "is")):
                out[finite_verb(t.head).i] = form
        return out

    def coordination(self, t: Token, tokens: set[int], head: Token) -> list[Token] | None:
        """The members of a list or coordination headed by `t` that become claims of their own, if any: members
        of one kind (all common nouns, all names, nouns each with its own determiner, verbs of one form,
        prepositions), joined by "and", on the claim's own path (not inside a relative clause or an apposition),
        and not one name ("Physiology or Medicine", "the Department of Foreign Affairs and Trade", "talks between
        Russia and Ukraine"). The first member may differ from `t` where the parser hung the list one level too
        low ("hours of service, a pharmacy and X": the members are hours, pharmacy and X)."""
        splittable = t.dep_ in SPLIT_DEPS or (t.dep_ == "prep" and t.pos_ == "ADP")
        if not splittable or t.head.lower_ in SYMMETRIC or t.lemma_.lower() in SYMMETRIC:
            return None
        conjuncts = [c for c in t.conjuncts if c.i > t.i and c.i in tokens]
        if t.pos_ in ("NOUN", "PROPN"):
            members = [t] + [c for c in conjuncts if c.pos_ == t.pos_ or (self.is_name(t) and self.is_name(c))
                             or (c.pos_ in ("NOUN", "PROPN") and determined(t) and (determined(c) or qualified(c)))]
        elif t.pos_ == "ADP" and t.dep_ == "prep":
            members = [t] + [c for c in conjuncts if c.pos_ == "ADP"]
        elif is_verb(t):
            members = [t] + [c for c in conjuncts if is_verb(c) and c.tag_ == t.tag_ and own_subject(c) is None]
        else:
            return None
        if any(m.like_num for m in members):
            return None
        # "training and education for students, as well as connections": two members, the first a pair (the
        # parser makes the last a conjunct of the first, or a second object of the verb)
        also = next((n for n, m in enumerate(members) if n and self.joint_words(m).endswith("as well as")), None)
        siblings = [c for c in t.head.children if c.i > t.i and c.dep_ == t.dep_ and c.i in tokens
                    and self.joint_words(c).endswith("as well as")]
        if also is not None or siblings:
            members, also = members[:1] + (members[also:] if also is not None else siblings), 1
        if len(members) < 2:
            return None
        if any(c.dep_ == "cc" and (c.lower_ in ("or", "nor") or not any(x.i > c.i for x in members + [
                d for d in m.children if d.dep_ == "conj"])) for m in members for c in m.children):
            return None  # "A or B"; or an "and" nothing follows: the parser lost the rest of the list
        outer = t.head.head
        if t.dep_ == "pobj" and t.head.lower_ == "of" and outer.pos_ in ("NOUN", "PROPN") and outer.i in tokens \
                and not determined(t) and any(determined(m) for m in members[1:]):
            members[0] = t = outer  # "extended hours of service, a pharmacy, and ...": a list of what is offered
        ancestor = t.head
        while ancestor.i != head.i and ancestor.dep_ != "ROOT":
            if ancestor.dep_ in ("relcl", "appos", "advcl", "npadvmod", "nmod", "amod") or ancestor.lower_ in BACKGROUND or (
                    ancestor.dep_ == "acl" and ancestor.tag_ not in ("VBN", "VBG")):  # "requests submitted by A, B and C" splits
                return None
            ancestor = ancestor.head
        if len(members) == 2 and t.pos_ in ("NOUN", "PROPN") and not any(c.dep_ == "punct" for c in t.children) \
                and not self.same_kind_names(members) and not (determined(members[1]) and (determined(t) or t.pos_ == "PROPN")) \
                and not (determined(t) and qualified(members[1])) and also is None:
            return None  # "training and education", "Red Cross Japan and Pacific Disaster Appeal": one thing
        ent = self.entities.entity_at(t)
        if ent is not None and any(ent.start <= m.i < ent.end for m in members[1:]):
            return None  # "the Department of Foreign Affairs and Trade" is one name
        if any(w.dep_ in ("relcl", "acl") and w.i in subtree(t) for w in self.doc[t.i + 1:members[1].i]):
            return None  # the list comes after a relative clause: more likely the parser's mistake than a list
        if any(c.i > members[-1].i and c.dep_ in ("amod", "acomp", "oprd") for c in members[-1].children):
            return None  # "making the sector, businesses and community resilient": the complement is everyone's
        colon = t.left_edge.i - 1
        if colon > 0 and self.doc[colon].text == ":" and any(c.dep_ == "nummod" for c in self.doc[colon - 1].children):
            return None  # "two issues: A and B" spells out what was named before; apart, each reads as the two
        return members

    def joint(self, m: Token) -> set[int]:
        """The commas and conjunction just before a list member: ', and', ', as well as'."""
        out, i = set(), m.left_edge.i - 1
        while i >= 0 and (self.doc[i].dep_ in ("cc", "preconj") or (self.doc[i].is_punct and self.doc[i].text in ",;")
                          or (self.doc[i].dep_ == "advmod" and self.doc[i].head.dep_ == "cc")):
            out.add(i)
            i -= 1
        return out

    def joint_words(self, m: Token) -> str:
        return " ".join(self.doc[i].lower_ for i in sorted(self.joint(m)) if not self.doc[i].is_punct)

    def same_kind_names(self, members: list[Token]) -> bool:
        """People, or places, each named: "Peter Varghese and Michael Small"."""
        labels = {self.entities.label(e) if (e := self.entities.entity_at(m)) is not None else None for m in members}
        return len(labels) == 1 and labels <= {"PERSON", "GPE"}

    def is_person(self, t: Token) -> bool:
        return (ent := self.entities.entity_at(t)) is not None and self.entities.label(ent) == "PERSON"

    def is_name(self, t: Token) -> bool:
        """A person, place or organisation named in full, that can stand in a list of its own."""
        ent = self.entities.entity_at(t)
        return ent is not None and self.entities.label(ent) in ("PERSON", "GPE", "ORG", "LOC", "NORP")

    def member_tokens(self, m: Token, members: list[Token], first: bool) -> set[int]:
        """The words that belong to one member alone; a modifier the parser hung on an earlier member but
        that follows a later one goes with the member just before it ("the Leader of the Opposition, Tony Abbott")."""
        span = subtree(m)
        for o in members:
            if o.i != m.i and o.i in span:
                span -= subtree(o)
        for c in m.children:
            if c.dep_ in ("appos", "prep", "acl", "relcl") and c.i > members[-1].i and m.i != members[-1].i:
                span -= subtree(c)
        moved = [c for o in members[:-1] for c in o.children if c.dep_ in ("appos", "prep", "acl", "relcl") and c.i > members[-1].i]
        commas = {i for c in moved for i in (c.left_edge.i - 1, c.right_edge.i + 1)
                  if 0 <= i < len(self.doc) and self.doc[i].text == ","}
        if m.i == members[-1].i:  # with the commas around it: "the Leader of the Opposition, the Hon Tony Abbott MHR,"
            span |= {i for c in moved for i in subtree(c)} | commas
        else:
            span -= commas
        span -= {i for o in members[1:] for i in self.joint(o)}
        if first and is_verb(m):  # "to" and the subject before the first verb belong to every member
            span -= {i for c in m.children if c.i < m.i and c.dep_ in {"aux", "auxpass", "neg", "mark"} | SUBJECTS
                     for i in subtree(c)}
        return span

    def split(self, unit: Unit) -> list[Unit]:
        """One unit per member of each list or coordination in it: "provide relief, equipment and assistance to
        families" -> three; coordinated subjects each get the verb in their number."""
        if unit.copula:
            return [unit]
        variants = [(unit.tokens, dict(unit.overrides))]
        for t in (self.doc[i] for i in sorted(unit.tokens)):
            if (change := self.change_and_level(t)) is not None:  # "raise the rate by 25 points to 5 percent": two facts
                variants = [(tokens - set(drop), overrides) for tokens, overrides in variants for drop in change]
        done: set[int] = set()
        for i in sorted(unit.tokens):
            t = self.doc[i]
            if t.i == unit.head.i or i in done:
                continue
            if (people := self.people(t)) is not None and people.span <= unit.tokens:
                done |= people.span
                form = needs_singular(t.head) if t.dep_ in SUBJECTS else None
                singular = {finite_verb(t.head).i: form} if form else {}
                variants = [((tokens - people.span) | set(own), {**overrides, **singular}) if people.span <= tokens
                            else (tokens, overrides) for tokens, overrides in variants for own in people.members]
                variants = list({(frozenset(v), tuple(sorted(o.items()))): (v, o) for v, o in variants}.values())
                continue
            if not (members := self.coordination(t, unit.tokens, unit.head)):
                continue
            t = members[0]
            owned = [self.member_tokens(m, members, n == 0) for n, m in enumerate(members)]
            removed = set().union(*owned) | {i for m in members[1:] for i in self.joint(m)}
            subject = t.dep_ in SUBJECTS
            if subject:  # "X and Y attended together" -> "X attended"
                removed |= {c.i for c in t.head.children if c.lower_ in COLLECTIVE or (c.dep_ == "punct" and t.i < c.i < t.head.i)}
            shared = {i for c in t.children if c.i < t.i and c.dep_ in ("aux", "mark") for i in subtree(c)} if is_verb(t) else set()
            out = []
            for tokens, overrides in variants:
                if not all(m.i in tokens for m in members):
                    out.append((tokens, overrides))
                    continue
                for m, own in zip(members, owned, strict=True):
                    extra = dict(overrides)
                    if m.i != t.i and any(c.dep_ in ("aux", "mark") and c.i < m.i for c in m.children):
                        out.append((((tokens - removed) | own) - shared, extra))  # "to support A and to help B"
                        continue
                    if subject and m.tag_ in ("NN", "NNP") and (form := needs_singular(t.head)):
                        extra[finite_verb(t.head).i] = form
                    out.append(((tokens - removed) | own, extra))
            if len(out) > MAX_VARIANTS:
                break
            variants = out
        if len(variants) == 1:
            return [unit]
        asides = self.bracketed_clauses()
        variants = [(tokens - asides, overrides) for tokens, overrides in variants]
        return [Unit(unit.head, tokens, unit.speaker, unit.subject, unit.prefix, unit.copula, overrides, unit.subject_first)
                for tokens, overrides in variants]

    def bracketed_clauses(self) -> set[int]:
        """The words of the sentence's bracketed asides that hold a verb ("Canada and Ontario (which he thanked for their
        roles)"): an aside on a whole list, which a claim about one member would rewrite into nonsense, so left out."""
        out, opened = set(), None
        for t in self.doc[self.start:self.end]:
            if t.text == "(":
                opened = t.i
            elif t.text == ")" and opened is not None:
                if any(is_verb(w) for w in self.doc[opened:t.i]):
                    out |= set(range(opened, t.i + 1))
                opened = None
        return out

    def change_and_level(self, verb: Token) -> tuple[list[int], list[int]] | None:
        """The words of "by 25 basis points" and of "to 5-1/4 percent" on a verb that moves a figure: each read with
        the verb without the other, since either can be wrong alone ("raised the rate by 25 points" and "raised the
        rate to 5 percent")."""
        if not is_verb(verb):
            return None
        figures = {p.lower_: sorted(subtree(p)) for p in verb.children
                   if p.dep_ == "prep" and p.lower_ in ("by", "to") and any(w.like_num for w in p.subtree)}
        return (figures["to"], figures["by"]) if len(figures) == 2 else None  # dropped in turn: "by" read first

    def relative_clauses(self, units: list[Unit]) -> None:
        """A relative clause on a name states a fact of its own: "Professor Elizabeth Blackburn, who has been
        named the Nobel Prize winner" -> "Professor Elizabeth Blackburn has been named the Nobel Prize winner"."""
        for t in self.doc[self.start:self.end]:
            if t.dep_ == "relcl" and is_verb(t) and (which := self.relative_place(t)) is not None:
                antecedent = sorted(subtree(t.head) - subtree(t) - {i for c in t.head.children if c.dep_ in ("punct", "appos", "relcl")
                                                                  for i in subtree(c)})
                speaker = next((u.speaker for u in units if t.i in u.tokens), None)
                named = self.render(antecedent)[:-1]
                named = named[:1].lower() + named[1:] if named.split()[0] in ("The", "A", "An") else named  # "in the 1991 Hajj"
                units.append(Unit(t, subtree(t), speaker, own_subject(t), overrides={which.i: named}))
                continue
            if t.dep_ != "relcl" or not is_verb(t) or not self.is_name(t.head):
                continue
            pronoun = next((c for c in t.children if c.dep_ in SUBJECTS and c.lower_ in ("who", "which", "that")), None)
            ent = self.entities.entity_at(t.head)
            if pronoun is None or ent is None:
                continue
            speaker = next((u.speaker for u in units if t.i in u.tokens), None)
            units.append(Unit(t, subtree(t) - {pronoun.i} - {c.i for c in t.children if c.dep_ == "punct"}, speaker,
                              t.head, list(range(ent.start, ent.end))))

    def events(self, root: Token, units: list[Unit]) -> None:
        """An event named by a noun with its owner, as what the owner did: "during the Prime Minister's visit to
        Launceston" -> "The Prime Minister visited Launceston"; "his election as President" -> "Taur Matan Ruak was
        elected as President"; "condemns North Korea's use of X to attack Y" -> "North Korea used X to attack Y". The
        sentence's dates go with it; not in a sentence about the future."""
        if any(c.tag_ == "MD" for c in root.children):
            return
        near = [root, *root.children]  # "today" may hang on the verb or on a phrase of it ("As part of X's visit today,")
        when = {i for c in self.doc[self.start:self.end] if c.head in near and (
            (c.dep_ == "npadvmod" and c.ent_type_ in ("DATE", "TIME"))
            or (c.dep_ == "prep" and c.head == root and any(w.dep_ == "pobj" and w.ent_type_ in ("DATE", "TIME") for w in c.children)))
            for i in subtree(c)}
        for n in self.doc[self.start:self.end]:
            owner = next((c for c in n.children if c.dep_ == "poss"), None)
            if n.pos_ != "NOUN" or n.lemma_.lower() not in EVENT_NOUNS or owner is None or not (
                    self.is_name(owner) or owner.pos_ == "PROPN" or owner.i in self.resolved):
                continue
            verb, dropped = EVENT_NOUNS[n.lemma_.lower()]
            preps = [c for c in n.children if c.dep_ == "prep"]
            # "Trump's recent move to slap a tariff" -> "Trump moved to slap a tariff"
            preps += [c for c in n.children if c.dep_ == "acl" and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)]
            if not preps and not when - subtree(n):
                continue  # "Mr Trappett's appointment coincides with ...": appointed to what, when?
            if n.lemma_.lower() == "use" and not any(w.dep_ == "aux" and w.lower_ == "to" for w in n.subtree):
                continue  # "condemns North Korea's use of cybercrime": a use with no purpose is a way of naming it
            overrides = {n.i: verb, **{c.i: "" for c in preps if c.lower_ in dropped}}
            if owner.tag_ == "PRP$":
                overrides[owner.i] = self.resolved[owner.i].name
            speaker = next((u.speaker for u in units if n.i in u.tokens), None)
            tokens = {n.i} | {i for c in preps for i in subtree(c)} | (when - subtree(n))
            units.append(Unit(n, tokens, speaker, owner, sorted(subtree(owner) - {c.i for c in owner.children if c.dep_ == "case"}),
                              overrides=overrides, subject_first=True))

    def costs(self, units: list[Unit]) -> None:
        """A price given in passing to a thing named again, as a claim of its own: "The $732,400 project was announced"
        -> "The project costs $732,400." Only where the article has not stated the figure before (there it is a claim
        already: "will make a $10 million donation ... the $10 million donation")."""
        for n in self.doc[self.start:self.end]:
            det = next((c for c in n.children if c.dep_ == "det" and c.i < n.i and c.lower_ in ("the", "this", "that")), None)
            money = next((c for c in n.children if c.dep_ in ("nummod", "compound", "nmod", "amod") and det is not None
                          and det.i < c.i < n.i and any(w.ent_type_ == "MONEY" for w in c.subtree)), None)
            if n.pos_ != "NOUN" or money is None or n.ent_type_ == "MONEY":
                continue
            figure = sorted(subtree(money))
            if self.doc[figure[0]:figure[-1] + 1].text in self.doc[:self.start].text:
                continue
            after = {i for c in n.children if c.i > n.i and not (c.dep_ == "prep" and c.lower_ == "of") for i in subtree(c)}
            named = sorted(subtree(n) - set(figure) - after)
            verb = "costs" if n.lemma_.lower() in COST_NOUNS else "is worth"
            speaker = next((u.speaker for u in units if n.i in u.tokens), None)
            units.append(Unit(n, set(figure), speaker, n, named, verb, {n.i: n.text}))

    def relative_place(self, relcl: Token) -> Token | None:
        """The 'which' of "flight MH17, in which all 298 on board died": a relative clause with a subject of its own
        whose relative word is a preposition's object, to be replaced by what it stands for."""
        subj = own_subject(relcl)
        if subj is None or subj.tag_ in ("WDT", "WP"):
            return None
        return next((w for c in relcl.children if c.dep_ == "prep" and c.i < subj.i for w in c.children
                     if w.dep_ == "pobj" and w.lower_ in ("which", "whom")), None)

    def claims(self) -> list[tuple[Unit, str]]:
        sent = self.doc[self.start:self.end]
        units: list[Unit] = []
        self.clauses(sent.root, None, None, units)
        self.relative_clauses(units)
        self.events(sent.root, units)
        self.costs(units)
        units = [v for u in units for v in self.split(u)]
        return [(u, self.text(u)) for u in sorted(units, key=lambda u: min(u.tokens | {u.head.i}))]

    def first_person(self, unit: Unit) -> None:
        """'I' in a quotation is its speaker: "“I spoke to Putin,” Trump said" -> "Donald Trump spoke to Putin"."""
        if not unit.speaker or not unit.speaker.name:
            return
        name = unit.speaker.name
        if name.lower() in PERSONAL:
            return
        for i in sorted(unit.tokens | set(unit.prefix)):
            t = self.doc[i]
            if t.pos_ != "PRON" or t.lower_ not in ("i", "me", "my") or i in unit.overrides:
                continue
            unit.overrides[i] = name + ("'" if name.endswith("s") else "'s") if t.lower_ == "my" else name
            if t.lower_ == "i" and t.dep_ in SUBJECTS:
                f = finite_verb(t.head)
                if f.lower_ in ("am", "'m", "’m", "have", "'ve", "’ve", "was", "do") or f.tag_ == "VBP":
                    unit.overrides[f.i] = "was" if f.lower_ == "was" else third_singular(f)

    def unresolved(self, unit: Unit) -> Token | None:
        """A pronoun in the claim that points at nothing the claim or the article's resolution names."""
        idx = sorted(unit.tokens | set(unit.prefix))
        for n, i in enumerate(idx):
            t = self.doc[i]
            if (det := demonstrative_det(t)) is not None and det.i in idx and i not in self.descriptions:
                return det  # "in these locations", and no locations named before
            demonstrative = t.lower_ in ("this", "these", "those") and t.pos_ == "PRON" and t.dep_ in SUBJECTS | {"dobj", "pobj"}
            if ((t.lower_ not in PERSONAL or t.pos_ != "PRON") and not demonstrative) or i in self.resolved or i in unit.overrides:
                continue
            if i + 1 < len(self.doc) and self.doc[i + 1].lower_ in TITLES_AFTER_PRONOUN:
                continue  # "His Excellency President Petro Poroshenko": a title, not a pronoun
            extraposed = any(d.dep_ in ("ccomp", "xcomp", "csubj") for d in t.head.subtree if d.i > t.i and d.i != t.head.i)
            if t.lower_ in ("it", "its") and (t.dep_ not in SUBJECTS | {"poss"} or (not referential(t) and extraposed)
                                              or t.dep_ == "expl"):
                continue  # "made it clear", "it is likely that"
            if demonstrative:
                return t  # "achieving this": what "this" is lies outside the claim
            if t.lower_ in FIRST_PLURAL:
                if "on behalf of" in self.doc[self.start:self.end].text.lower():
                    continue  # "On behalf of the Government and people of Australia we congratulate": says who
                return t  # "These initiatives reflect our commitment": whose, the article does not say
            earlier = [self.doc[j] for j in idx[:n]]
            if any(e.pos_ == "PROPN" or e.i in self.resolved or e.i in self.descriptions or (e.pos_ == "NOUN" and e.dep_ in SUBJECTS)
                   for e in earlier):
                continue  # its antecedent is in the claim
            return t
        return None

    def text(self, unit: Unit) -> str:
        self.first_person(unit)
        if unit.copula or unit.subject_first:
            rest = self.render(sorted(unit.tokens), unit.overrides)[:-1]
            return tidy(f"{self.render(unit.prefix)[:-1]} {unit.copula} {rest[:1].lower()}{rest[1:]}")
        return self.render(sorted(set(unit.prefix) | unit.tokens), unit.overrides)

    def attribution(self, unit: Unit, text: str) -> str | None:
        """'JD Vance said that C': the claim that the speaker made the claim, checkable on its own."""
        speaker = unit.speaker
        if not speaker or not speaker.name:
            return None
        first = next((self.doc[i] for i in sorted(set(unit.prefix) | unit.tokens)
                      if not self.doc[i].is_punct and not self.doc[i].is_space), None)
        named = first is not None and (first.pos_ == "PROPN" or first.text == "I" or first.ent_type_ in NAMES or (
            first.i in self.resolved and self.resolved[first.i].name[:1].isupper()))
        rest = text if named else text[:1].lower() + text[1:]
        if speaker.verb == "according to":
            return f"According to {speaker.name}, {rest}"
        return f"{speaker.name} {speaker.verb} that {rest}"

    def announced_plan(self, unit: Unit) -> bool:
        """"The Minister has today announced that 11 people will be listed": whether they will be is not yet a fact,
        that the Minister announced it, and when, is; the claim is the announcement, content and all."""
        verb = unit.speaker.subject.head if unit.speaker and unit.speaker.subject is not None else None
        return verb is not None and verb.lemma_ == "announce" \
            and any(c.tag_ == "MD" and c.lower_ in PLAN_MODALS for c in unit.head.children)

    # ---- worth checking? -------------------------------------------------------------------

    def superlative_with_scope(self, tokens: list[Token]) -> Token | None:
        """'the largest order in the airline's history', 'the deadliest since World War Two', 'the first ever':
        a superlative that says among what, which a record can confirm or refute."""
        for t in tokens:
            if t.tag_ not in ("JJS", "RBS") and not (t.lower_ == "first" and t.dep_ == "amod"):
                continue
            holder = t.head if t.dep_ in ("amod", "advmod") else t
            scope = [c for c in list(holder.children) + list(t.children)
                     if (c.dep_ == "prep" and c.lower_ in ("in", "since", "of", "among", "on", "for")) or c.lower_ == "ever"
                     or (c.dep_ == "relcl")]
            if scope:
                return t
        return None

    def opinion(self, unit: Unit, tokens: list[Token]) -> str | None:
        """Why the clause is a judgement rather than a fact, if it plainly is one."""
        head = unit.head
        words = " ".join(t.lower_ for t in sorted(tokens, key=lambda t: t.i))
        if found := next((p for p in RHETORIC if p in words), None):
            return f"rhetoric ('{found}'), not a fact"
        if head.lemma_ in JUDGING_VERBS:
            return f"a judgement ('{head.text}')"
        if head.lemma_ == "be":
            complements = [c for c in head.children if c.dep_ in ("acomp", "attr")]
            judged = [c for c in complements for w in c.subtree if w.lemma_.lower() in EVALUATIVE and w.i <= c.i]
            if judged and not any(t.like_num for t in tokens) and not self.superlative_with_scope(tokens):
                return f"a judgement ('{judged[0].text}')"
        if any(t.like_num for t in tokens):
            return None
        modal = any(c.tag_ == "MD" for c in head.children)
        if modal and any(t.tag_ in ("JJR", "RBR") for t in tokens):
            return "a prediction with no figure to check"
        if modal and head.lemma_ in BENEFIT_VERBS and not any(c.dep_ == "auxpass" for c in head.children):
            return f"a promised benefit ('{head.text}') with no figure to check"
        if (forecast := next((c for c in head.children if (c.dep_ == "acomp" or (modal and c.dep_ == "advmod"))
                              and c.lower_ in FORECAST_WORDS), None)) is not None:  # "are unlikely to", "will likely slow"
            return f"a prediction ('{forecast.text}') with no figure to check"
        return None

    def named_before(self, t: Token) -> bool:
        """Whether a description names the word as the article did before ("the finance ministry", "these initiatives"
        -> "the two new force posture initiatives"); not "this injection" made "the injection", which names nothing."""
        if not self.descriptions.get(t.i):
            return False  # not described, or a word the description replaces
        det = demonstrative_det(t)
        return det is None or self.descriptions[t.i] != normalise_space("the " + self.doc[det.i + 1:t.i + 1].text)

    def drop(self, unit: Unit, text: str) -> tuple[DropReason, str] | None:
        """Why this clause is not worth checking or cannot be checked, if so; opinions before unresolved references."""
        head = unit.head
        tokens = [self.doc[i] for i in unit.tokens | set(unit.prefix)]
        if len(text.split()) < 3 or not (any(is_verb(t) for t in tokens) or head.i in unit.overrides):
            return DropReason.FRAGMENT, "no verb or under three words"
        if head.tag_ == "VB" and unit.subject is None and unit.speaker is None \
                and not any(c.dep_ in ("aux", "auxpass") for c in head.children):
            return DropReason.INSTRUCTION, f"an imperative ('{head.text} ...'): an instruction, not a statement"
        if unit.subject is not None and unit.subject.lower_ in ("i", "we") and head.lemma_ in OPINION_VERBS:
            return DropReason.OPINION, f"the writer's own view ('{unit.subject.text} {head.text}')"
        if reason := self.opinion(unit, tokens):
            return DropReason.OPINION, reason
        if head.tag_ in ("VBZ", "VBD", "VBP") and unit.subject is None and not unit.prefix and own_subject(head) is None:
            return DropReason.UNRESOLVED, f"'{head.text}' has no subject in the text, so the claim cannot read alone"
        if (pronoun := self.unresolved(unit)) is not None:
            return DropReason.UNRESOLVED, f"'{pronoun.text}' refers to nothing the article names, so the claim cannot read alone"
        anchored = any(t.ent_type_ or t.like_num or t.pos_ == "PROPN" or self.named_before(t)
                       or (t.i in self.resolved and self.resolved[t.i].label != GROUP_PHRASE)  # "they": "people" names nothing
                       for t in tokens) or self.superlative_with_scope(tokens) is not None
        forecast = head.lemma_ in FORECAST_VERBS and not any(c.dep_ == "dobj" for c in head.children)  # not "expand aid projects"
        evaluative = any((c.tag_ == "MD" and (c.lower_ not in PLAN_MODALS or forecast))
                         or c.dep_ in ("acomp", "attr") for c in head.children) or head.pos_ == "ADJ"
        if not anchored and evaluative:
            return DropReason.OPINION, "a judgement or prediction with no name, number, date or place to check"
        return None


def is_speech_clause(token: Token) -> bool:
    return token.lemma_ in SPEECH and bool(content_clauses(token))


def tidy(text: str) -> str:
    """Whitespace, stray punctuation and quotes cleaned; capitalised, ending with a full stop."""
    text = normalise_space(text)
    for p in (",", ".", ";", ":", "!", "?", "’s", "'s"):
        text = text.replace(" " + p, p)
    text = text.strip(LEADING_JUNK)
    if text.count("“") != text.count("”"):
        text = text.replace("“", "").replace("”", "")
    if "‘" in text and text.count("‘") != len(re.findall(r"’(?!\w)", text)):  # ’ before a letter: "Korea’s"
        text = re.sub(r"(?<!s)’(?!\w)", "", text.replace("‘", ""))  # "the Russians’ demands" keeps its apostrophe
    if text.count('"') % 2:
        text = text.replace('"', "")
    text = normalise_space(text).strip(LEADING_JUNK)
    text = re.sub(r"(?:[\s,;:—–-]+|\s+(?:and|or|but))+([.!?]?)$", r"\1", text)  # "A, and." where B was cut
    if text.count("(") > text.count(")"):  # a clause cut inside "(October 2009)"
        text = re.sub(r"([.!?]?)$", r")\1", text, count=1)
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


class RulesExtractor(Extractor):
    name = EXTRACTOR

    def extract(self, doc: Document) -> list[ExtractedClaim]:
        parsed = parse(doc.text)
        entities = Entities(parsed)
        resolved = resolve_pronouns(parsed, entities)
        descriptions = resolve_descriptions(parsed, entities)
        out: list[ExtractedClaim] = []
        last_speaker: Speaker | None = None
        seen: set[str] = set()
        titled: set[str] = set()
        spans = sentence_spans(parsed)
        lists = {b.first: b for b in bullet_lists([doc.text[s.start:s.end] for s, _, _ in spans])}
        n = 0
        while n < len(spans):
            span, start, end = spans[n]
            if (block := lists.get(n)) is not None:
                span = Span(start=span.start, end=spans[block.last][0].end)
                context = [doc.text[s.start:s.end] for s, _, _ in spans[max(0, n - 2):n]]
                sentences = self.list_sentences(context, block.sentences, doc.published)
                n = block.last + 1
            else:
                n += 1
                if found := early_drop(doc, span, self.name):
                    out.append(found)
                    last_speaker = None
                    continue
                sentences = [Sentence(parsed, start, end, entities, resolved, descriptions, doc.published)]
            quoted = is_quotation(doc.text[span.start:span.end])
            spoke = None
            for sentence, (unit, text) in ((s, c) for s in sentences for c in s.claims()):
                if unit.speaker is None and quoted and last_speaker:
                    unit.speaker = last_speaker  # a quotation running on from the previous sentence
                spoke = unit.speaker or spoke
                if not text or text in seen:
                    continue
                seen.add(text)
                drop = sentence.drop(unit, text)
                anchored = anchor(normalise(text), doc.published)
                text, attribution = anchored.text, sentence.attribution(unit, anchored.text)
                if attribution and sentence.announced_plan(unit):
                    text, attribution = tidy(attribution), None
                out.append(self.claim(doc, span, text, unit.speaker, drop, attribution, time_metadata(anchored)))
            out.extend(self.claim(doc, span, text) for sentence in sentences
                       for text in sentence.titles(titled) + sentence.list_titles(titled) + sentence.appositive_titles(titled))
            last_speaker = spoke if spoke and ("“" in doc.text[span.start:span.end] or quoted) else None
        return numbered(out)

    def list_sentences(self, context: list[str], texts: list[str], published: str | None) -> list[Sentence]:
        """A bulleted list's sentences (`lists`), parsed after the sentences before it so that their pronouns find
        what they stand for there."""
        before = " ".join(" ".join(s.split()) for s in context)
        parsed = parse(" ".join([before, *texts]) if before else " ".join(texts))
        entities = Entities(parsed)
        resolved, descriptions = resolve_pronouns(parsed, entities), resolve_descriptions(parsed, entities)
        return [Sentence(parsed, start, end, entities, resolved, descriptions, published)
                for span, start, end in sentence_spans(parsed) if span.start >= len(before)]

    def claim(self, doc: Document, span: Span, text: str, speaker: Speaker | None = None,
              drop: tuple[DropReason, str] | None = None, attribution: str | None = None,
              metadata: dict | None = None) -> ExtractedClaim:
        return ExtractedClaim(claim=Claim(id="", text=text, span=span, speaker=speaker.name if speaker else None,
                                          metadata=metadata or {}),
                              sentence=doc.text[span.start:span.end], check_worthy=drop is None,
                              drop_reason=drop[0] if drop else None, drop_detail=drop[1] if drop else None,
                              attribution=attribution, extractor=self.name)


def is_quotation(sentence: str) -> bool:
    """A sentence that is all quotation: '“But if they don’t, they’ll remain isolated.”'"""
    s = sentence.strip()
    return s[:1] in "“\"" and s.rstrip()[-1:] in "”\"" and s.count("“") <= 1
