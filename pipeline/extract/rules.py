"""The offline extractor: spaCy's parse, then rules that split clauses, peel attribution off content,
resolve pronouns and normalise numbers. Deterministic, no LLM, about 50 ms a paragraph.

A sentence yields one claim per independent clause (coordinated verbs with their own subject, or
sharing one, become separate claims). "X said (that) C", "“C,” X said", "according to X, C" and
"As X put it, C" yield the content C with X as speaker, and keep "X said that C" as the attribution."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from pipeline.extract.base import Extractor, early_drop, numbered
from pipeline.extract.coref import SUBJECTS, Entities, Mention, resolve_descriptions, resolve_pronouns
from pipeline.extract.nlp import parse, sentence_spans
from pipeline.extract.normalise import normalise
from pipeline.models import Claim, Document, DropReason, ExtractedClaim, Span

SPEECH = {"say", "tell", "state", "note", "add", "warn", "caution", "argue", "claim", "admit", "emphasize", "emphasise",
          "stress", "insist", "assert", "announce", "report", "explain", "reiterate", "write", "declare", "remark", "contend"}
# Subordinate clauses whose content the sentence asserts as fact ("after he met Putin in Alaska"); not "if", "unless".
PRESUPPOSING = {"when", "after", "before", "as", "since", "because", "although", "though", "while", "once"}
IRREGULAR_PAST = {"say": "said", "tell": "told", "write": "wrote"}
DISCOURSE = {"still", "however", "meanwhile", "moreover", "indeed", "nevertheless", "nonetheless", "furthermore", "also",
             "yet", "instead", "besides", "then"}
TITLE_WORDS = {"president", "minister", "secretary", "chancellor", "governor", "ambassador", "spokesman", "spokeswoman",
               "senator", "general", "chief", "leader", "chairman", "chairwoman", "director", "mayor", "premier"}
OPINION_VERBS = {"think", "believe", "feel", "hope", "guess", "suppose", "reckon"}
NAMES = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
LEADING_JUNK = " ,;:—–-\"“”'‘’"
EXTRACTOR = "rules"


@dataclass
class Speaker:
    name: str
    verb: str  # "said", "told Reuters", "according to"
    subject: Token | None = None


@dataclass
class Unit:
    """One clause that becomes one claim: the tokens to keep, and who said it."""

    head: Token
    tokens: set[int]
    speaker: Speaker | None
    subject: Token | None = None
    prefix: list[int] = field(default_factory=list)
    copula: str = ""  # inserted between prefix and tokens: "Vance" + "was" + "speaking on NBC"


def subtree(token: Token) -> set[int]:
    return {t.i for t in token.subtree}


def own_subject(token: Token) -> Token | None:
    return next((c for c in token.children if c.dep_ in SUBJECTS or c.dep_ == "expl"), None)


def content_clauses(token: Token) -> list[Token]:
    return [c for c in token.children if c.dep_ == "ccomp"]


def is_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX")


def past(token: Token) -> str:
    if token.tag_ == "VBD":
        return token.text
    lemma = token.lemma_.lower()
    return IRREGULAR_PAST.get(lemma) or lemma + ("d" if lemma.endswith("e") else "ed")


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
                 descriptions: dict[int, str]) -> None:
        self.doc, self.start, self.end = doc, start, end
        self.entities, self.resolved, self.descriptions = entities, resolved, descriptions

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
        objects = [c for c in verb.children if c.dep_ in ("dobj", "dative") and c.i < verb.i + 4]
        return " ".join([past(verb)] + [" ".join(t.text for t in c.subtree) for c in objects])

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
                extra: set[int] | None = None) -> None:
        subj = own_subject(head) or subject
        ccomps = content_clauses(head)
        if head.lemma_ in SPEECH and ccomps and is_verb(head) and subj is not None:
            said = Speaker(self.name_of(subj), self.speech_verb(head), subj)
            first = ccomps[0]
            rest = {i for c in head.children if c.i > first.i and c.dep_ in ("ccomp", "xcomp", "conj") and own_subject(c) is None
                    and not is_speech_clause(c) for i in with_comma_before(self.doc, c)}
            self.clauses(first, None, said, out, rest)
            for c in ccomps[1:]:
                if own_subject(c) is not None:
                    self.clauses(c, None, said, out)
            for conj in (c for c in head.children if c.dep_ == "conj" and is_verb(c)):
                self.clauses(conj, subj, speaker, out)
            self.adverbial_claims(head, subj, speaker, set(), out)
            return
        frame, excluded = self.frame_in(head)
        speaker = frame or speaker
        self.adverbial_claims(head, subj, speaker, excluded, out)
        for child in head.children:
            if child.dep_ == "conj" and is_verb(child):
                excluded |= with_comma_before(self.doc, child)
                inherit = speaker.subject if speaker and is_speech_clause(child) and own_subject(child) is None else subj
                self.clauses(child, inherit if own_subject(child) is None else None, speaker, out)
            elif child.dep_ in ("advcl", "xcomp", "acl") and child.tag_ == "VBG" and is_speech_clause(child):
                excluded |= with_comma_before(self.doc, child)
                said = Speaker(self.name_of(subj), past(child), subj) if subj is not None else speaker
                for c in content_clauses(child):
                    self.clauses(c, None, said, out)
        tokens = (subtree(head) | (extra or set())) - excluded
        tokens -= self.leading_noise(head, tokens)
        prefix = []
        if subj is not None and subj.i not in tokens:
            prefix = sorted(subtree(subj))
            if head.tag_ in ("VBN", "VBG") and not any(c.dep_ in ("aux", "auxpass") for c in head.children):
                prefix += [c.i for c in subj.head.children if c.dep_ in ("aux", "auxpass") and c.i < subj.head.i]
        out.append(Unit(head, tokens, speaker, subj, prefix))

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
            if markers and (inner := own_subject(t)) is not None:
                out.append(Unit(t, {i for i in subtree(t) if i >= inner.left_edge.i}, speaker))
            elif t.head == head and t.tag_ == "VBG" and subj is not None and t.i < subj.i and own_subject(t) is None \
                    and not is_speech_clause(t) and not any(c.dep_ == "mark" for c in t.children):
                be = "were" if subj.tag_ in ("NNS", "NNPS") or subj.lower_ in ("they", "we") else "was"
                out.append(Unit(t, subtree(t), speaker, subj, sorted(subtree(subj)), be))
                excluded |= with_comma_before(self.doc, t)

    def titles(self, named: set[str]) -> list[str]:
        """'US Vice President JD Vance' -> 'JD Vance is the US Vice President.', once per person."""
        out = []
        for ent in self.doc[self.start:self.end].ents:
            if self.entities.label(ent) != "PERSON" or (name := self.entities.name_of(ent)) in named:
                continue
            title, heads = [], {ent.root.i}
            for t in reversed(list(self.doc[self.start:ent.start])):
                if t.head.i not in heads or t.dep_ not in ("compound", "amod", "nmod"):
                    break
                title.insert(0, t)
                heads.add(t.i)
            if len(title) >= 2 and any(t.lemma_.lower() in TITLE_WORDS for t in title):
                named.add(name)
                out.append(f"{name} is the {' '.join(t.text for t in title)}.")
        return out

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

    def render(self, indices: list[int]) -> str:
        """The tokens as text: pronouns replaced by their referent unless it is named earlier in the claim,
        contractions spelled out."""
        doc, parts, prev = self.doc, [], None
        for i in indices:
            t = doc[i]
            if t.is_space or self.descriptions.get(i) == "":
                continue
            piece, gap = t.text, (doc[prev].whitespace_ if prev == i - 1 else " ") if prev is not None else ""
            so_far = "".join(parts)
            if (phrase := self.descriptions.get(i)) and phrase.lower() not in so_far.lower():
                piece = phrase
            elif i in self.descriptions:
                piece = "the " + t.text if prev is None or doc[prev].lower_ != "the" else t.text
            elif (m := self.resolved.get(i)) and m.name.split()[-1] not in so_far:
                piece = m.name + ("'" if m.name.endswith("s") else "'s") if t.tag_ == "PRP$" else m.name
            elif "’" in t.text or "'" in t.text:
                expanded = {"be": "is", "have": "has"}.get(t.lemma_, t.norm_) if t.tag_ == "VBZ" else t.norm_
                if expanded.isalpha() and expanded != t.lower_:
                    piece, gap = expanded, " "
            elif t.lower_ in ("ca", "wo") and t.i + 1 < len(doc) and doc[t.i + 1].lower_ in ("n't", "n’t"):
                piece = t.norm_
            parts.append(gap + piece)
            prev = i
        return tidy("".join(parts))

    def claims(self) -> list[tuple[Unit, str]]:
        sent = self.doc[self.start:self.end]
        units: list[Unit] = []
        self.clauses(sent.root, None, None, units)
        return [(u, self.text(u)) for u in sorted(units, key=lambda u: min(u.tokens | {u.head.i}))]

    def text(self, unit: Unit) -> str:
        if unit.copula:
            rest = self.render(sorted(unit.tokens))[:-1]
            return tidy(f"{self.render(unit.prefix)[:-1]} {unit.copula} {rest[:1].lower()}{rest[1:]}")
        return self.render(sorted(set(unit.prefix) | unit.tokens))

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

    # ---- worth checking? -------------------------------------------------------------------

    def drop(self, unit: Unit, text: str) -> tuple[DropReason, str] | None:
        head = unit.head
        tokens = [self.doc[i] for i in unit.tokens | set(unit.prefix)]
        if len(text.split()) < 3 or not any(is_verb(t) for t in tokens):
            return DropReason.FRAGMENT, "no verb or under three words"
        if head.tag_ == "VB" and unit.subject is None and unit.speaker is None \
                and not any(c.dep_ in ("aux", "auxpass") for c in head.children):
            return DropReason.INSTRUCTION, f"an imperative ('{head.text} ...'): an instruction, not a statement"
        if unit.subject is not None and unit.subject.lower_ in ("i", "we") and head.lemma_ in OPINION_VERBS:
            return DropReason.OPINION, f"the writer's own view ('{unit.subject.text} {head.text}')"
        anchored = any(t.ent_type_ or t.like_num or t.pos_ == "PROPN" or t.i in self.resolved or t.i in self.descriptions
                       for t in tokens)
        evaluative = any(c.tag_ == "MD" or c.dep_ in ("acomp", "attr") for c in head.children) or head.pos_ == "ADJ"
        if not anchored and evaluative:
            return DropReason.OPINION, "a judgement or prediction with no name, number, date or place to check"
        return None


def is_speech_clause(token: Token) -> bool:
    return token.lemma_ in SPEECH and bool(content_clauses(token))


def tidy(text: str) -> str:
    """Whitespace, stray punctuation and quotes cleaned; capitalised, ending with a full stop."""
    text = " ".join(text.split())
    for p in (",", ".", ";", ":", "!", "?", "’s", "'s"):
        text = text.replace(" " + p, p)
    text = text.strip(LEADING_JUNK)
    for opening, closing in (("“", "”"), ("‘", "’")):
        if text.count(opening) != text.count(closing):
            text = text.replace(opening, "").replace(closing, "’" if opening == "‘" else "")
    if text.count('"') % 2:
        text = text.replace('"', "")
    text = " ".join(text.split()).strip(LEADING_JUNK)
    text = re.sub(r"[\s,;:—–-]+([.!?])$", r"\1", text)
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
        for span, start, end in sentence_spans(parsed):
            if found := early_drop(doc, span, self.name):
                out.append(found)
                last_speaker = None
                continue
            sentence = Sentence(parsed, start, end, entities, resolved, descriptions)
            quoted = is_quotation(doc.text[span.start:span.end])
            spoke = None
            for unit, text in sentence.claims():
                if unit.speaker is None and quoted and last_speaker:
                    unit.speaker = last_speaker  # a quotation running on from the previous sentence
                spoke = unit.speaker or spoke
                if not text or text in seen:
                    continue
                seen.add(text)
                text = normalise(text)
                out.append(self.claim(doc, span, text, unit.speaker, sentence.drop(unit, text), sentence.attribution(unit, text)))
            out.extend(self.claim(doc, span, text) for text in sentence.titles(titled))
            last_speaker = spoke if spoke and ("“" in doc.text[span.start:span.end] or quoted) else None
        return numbered(out)

    def claim(self, doc: Document, span: Span, text: str, speaker: Speaker | None = None,
              drop: tuple[DropReason, str] | None = None, attribution: str | None = None) -> ExtractedClaim:
        return ExtractedClaim(claim=Claim(id="", text=text, span=span, speaker=speaker.name if speaker else None),
                              sentence=doc.text[span.start:span.end], check_worthy=drop is None,
                              drop_reason=drop[0] if drop else None, drop_detail=drop[1] if drop else None,
                              attribution=attribution, extractor=self.name)


def is_quotation(sentence: str) -> bool:
    """A sentence that is all quotation: '“But if they don’t, they’ll remain isolated.”'"""
    s = sentence.strip()
    return s[:1] in "“\"" and s.rstrip()[-1:] in "”\"" and s.count("“") <= 1
