"""Named entities and pronoun resolution over a parsed document.

Rules, not a model: he/she/his go to the last person, it/its to the last organisation or place,
they/their to the last nationality, organisation or place; mentions in the pronoun's own sentence
come first, and among them the last grammatical subject wins (the centre of attention), else the
last mention; then the two sentences before, the same way. A plural pronoun prefers a plural
referent; "he" with no person in that window is the only person named so far, if there is one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from pipeline.textnorm import normalise_space

PERSON, GROUP = "person", "group"
PRONOUNS = {**dict.fromkeys(("he", "him", "his", "she", "her", "hers"), PERSON),
            **dict.fromkeys(("it", "its", "they", "them", "their", "theirs"), GROUP)}
SINGULAR_ONLY = {"it", "its"}  # never a nationality ("the Russians")
PLURAL = {"they", "them", "their", "theirs"}
TITLES_AFTER_PRONOUN = {"excellency", "majesty", "highness", "holiness", "royal"}
FIRST_PLURAL = {"we", "us", "our", "ours"}  # the narrator's organisation, outside quotations
SUBJECTS = {"nsubj", "nsubjpass"}
GROUP_PHRASE = "group phrase"  # a mention that is a described group, not a name: "the additional police personnel"
COLLECTIVE_NOUNS = {"staff", "personnel", "police", "people", "public"}
LOOKBACK_SENTENCES = 2
# Nouns of time: "this year" is a date, "several times" how often, neither a thing named before.
TIME_NOUNS = {"time", "year", "month", "week", "day", "hour", "minute", "morning", "afternoon", "evening", "night", "weekend",
              "season", "summer", "winter", "spring", "autumn", "fall", "quarter", "decade", "century", "moment", "occasion"}
EXPLETIVE_HEADS = {"be", "seem", "appear", "take", "matter", "make"}


@dataclass
class Mention:
    i: int
    kind: str
    name: str
    subject: bool
    label: str
    sentence: int


class Entities:
    """The document's people, organisations and places, with their fullest names."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        ents = [e for e in doc.ents if normalise_space(e.text)]
        places = {normalise_space(e.text) for e in ents if e.label_ in ("GPE", "LOC", "NORP")}
        self.persons = [e for e in ents if e.label_ == "PERSON" and len(normalise_space(e.text).split()) > 1
                        and normalise_space(e.text).split()[-1] not in places]  # not "Vance Russia" from a run-on headline
        surnames = {normalise_space(e.text).split()[-1] for e in self.persons}
        self.labels: dict[int, str] = {}
        for e in ents:
            text, label = normalise_space(e.text), e.label_
            if label in ("ORG", "GPE", "NORP") and text in surnames and text not in places:
                label = "PERSON"  # "Trump's move" tagged ORG, "Donald Trump" seen as a person
            elif label == "PERSON" and len(text.split()) == 1 and text in places:
                label = "GPE"  # "Kyiv" tagged PERSON once, GPE elsewhere
            self.labels[e.start] = label
        self.ents = ents

    def label(self, ent: Span) -> str:
        return self.labels.get(ent.start, ent.label_)

    def full_name(self, name: str, before: int | None = None) -> str:
        """The longest person name in the text ending with this one's last word ("Vance" -> "JD Vance"),
        preferring those given before token `before`."""
        last = name.split()[-1] if name.split() else name
        named = [(normalise_space(e.text), e.start) for e in self.persons]
        found = [n for n, _ in named if n.split()[-1] == last]
        earlier = [n for n, start in named if n.split()[-1] == last and (before is None or start < before)]
        pool = earlier or found
        return max(pool, key=lambda n: (len(n.split()), len(n))) if pool else name

    def entity_at(self, token: Token) -> Span | None:
        return next((e for e in self.ents if e.start <= token.i < e.end), None)

    def name_of(self, ent: Span) -> str:
        """How to name this entity standing alone: a person's full name, 'the Russians', 'Russia'."""
        text = normalise_space(ent.text)
        if self.label(ent) == "PERSON":
            return self.full_name(text, ent.start)
        if ent.start > 0 and self.doc[ent.start - 1].lower_ == "the" and not text.lower().startswith("the "):
            return "the " + text
        if " of " in text and text.split()[0].lower() in INSTITUTIONS:
            return "the " + text  # "the people and Government of Japan": the Government of Japan
        return text

    def mentions(self, sentence_of: dict[int, int]) -> list[Mention]:
        out = []
        for e in self.ents:
            label = self.label(e)
            kind = PERSON if label == "PERSON" else GROUP if label in ("NORP", "ORG", "GPE") else None
            if label == "NORP" and e.root.tag_ not in ("NNPS", "NNS"):
                kind = None  # "Russian oil": an adjective, not a group that could be "they"
            if kind:
                out.append(Mention(e.start, kind, self.name_of(e), e.root.dep_ in SUBJECTS, label, sentence_of[e.start]))
        return out


def plural_group(m: Mention) -> bool:
    """A referent that takes a plural verb: 'the Russians', 'GP Super Clinics', 'the additional staff'."""
    return m.label in ("NORP", GROUP_PHRASE) or (m.label == "ORG" and bool(re.search(r"[^su]s$", m.name)))


def referential(token: Token) -> bool:
    """Whether a pronoun refers to something (not 'it' in "made it clear" or "it is likely")."""
    if token.lower_ not in SINGULAR_ONLY:
        return True
    if token.dep_ == "poss":
        return True
    return token.dep_ in SUBJECTS and token.head.pos_ == "VERB" and token.head.lemma_ not in EXPLETIVE_HEADS


def blocked(doc: Doc, pronoun: Token, mention: Mention) -> bool:
    """A common noun of the pronoun's number stands between it and the mention in its sentence
    ("delays could cost a million people their lives"): the pronoun more likely means that noun."""
    word = pronoun.lower_
    tags = ("NNS",) if word in ("they", "them", "their", "theirs") else ("NN",) if word in SINGULAR_ONLY else ()
    start = max(mention.i + 1, pronoun.sent.start)
    return any(t.tag_ in tags and not t.ent_type_ for t in doc[start:pronoun.i])


def quoted_tokens(doc: Doc) -> set[int]:
    """Tokens inside quotation marks (curly, or straight ones paired in order)."""
    out, depth, straight = set(), 0, False
    for t in doc:
        if t.text in ("“", "‘‘"):
            depth += 1
        elif t.text in ("”", "’’"):
            depth = max(0, depth - 1)
        elif t.text == '"':
            straight = not straight
        elif depth or straight:
            out.add(t.i)
    return out


def clause_subjects(pronoun: Token) -> set[int]:
    """The words of the subject of an object pronoun's own clause, which the pronoun cannot mean (that would be
    "itself"): "Australia stood ready to assist them" -> not Australia. Infinitives and participles take the
    subject of the verb they hang on."""
    if pronoun.dep_ not in ("dobj", "dative", "pobj"):
        return set()
    verb = pronoun.head
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    for _ in range(6):
        subj = next((c for c in verb.children if c.dep_ in SUBJECTS), None)
        if subj is not None:
            return {w.i for w in subj.subtree}
        if verb.head.i == verb.i or (verb.dep_ not in ("xcomp", "advcl", "acomp", "conj") and verb.tag_ not in ("VB", "VBG")):
            return set()
        verb = verb.head
    return set()


def owner_is_subject(pronoun: Token) -> bool:
    """A possessive 'its'/'their' whose clause has a common-noun subject of its number before it, which it means."""
    if pronoun.dep_ != "poss" or pronoun.lower_ not in ("its", "their"):
        return False
    verb = pronoun.head
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    subj = next((c for c in verb.children if c.dep_ in SUBJECTS), None)
    return subj is not None and subj.i < pronoun.i and subj.pos_ in ("NOUN", "PROPN") and not subj.ent_type_ \
        and (subj.tag_ in ("NNS", "NNPS")) == (pronoun.lower_ == "their")


def described_group(doc: Doc, pronoun: Token, sentence_of: dict[int, int]) -> Mention | None:
    """The group a subject 'they' stands for when no name fits: the nearest plural common-noun subject in its
    sentence or the one before ("The additional police personnel will be based in Tarin Kowt. They will train
    the Afghan police" -> "the additional police personnel")."""
    here = sentence_of[pronoun.i]
    for t in reversed(doc[:pronoun.i]):
        if sentence_of[t.i] < here - 1:
            return None
        if t.dep_ in SUBJECTS and t.pos_ == "NOUN" and not t.ent_type_ and (t.tag_ == "NNS" or t.lemma_.lower() in COLLECTIVE_NOUNS):
            return group_phrase(t, sentence_of)
    return None


def group_phrase(t: Token, sentence_of: dict[int, int]) -> Mention:
    """A described group as a mention: its noun phrase without relative clauses, appositions and commas; "these
    initiatives" as named before ("the two new force posture initiatives")."""
    skip = {i for c in t.children if c.dep_ in ("relcl", "acl", "appos", "punct") for i in (w.i for w in c.subtree)}
    words = [w for w in t.subtree if w.i not in skip]
    named = resolve_demonstratives(t.doc) if any(demonstrative_det(w) is not None for w in words) else {}
    name = normalise_space(" ".join(named.get(w.i, w.text) for w in words))
    name = name if words[0].pos_ == "PROPN" else name[:1].lower() + name[1:]
    return Mention(t.i, GROUP, name, t.dep_ in SUBJECTS, GROUP_PHRASE, sentence_of[t.i])


def main_subject(token: Token) -> bool:
    """Whether the name starting at this token is the subject of its sentence's main clause."""
    while token.dep_ in ("det", "compound", "amod", "poss", "case") and token.head.i != token.i:
        token = token.head
    return token.dep_ in SUBJECTS and token.head.dep_ == "ROOT"


def leading_subject(doc: Doc, pronoun: Token, sentence_of: dict[int, int]) -> Mention | None:
    """The plural common-noun subject of the main clause of the sentence before a plural pronoun's, the centre of
    attention there: "Both leaders reaffirmed that the ANZUS Alliance is ... They agreed" -> both leaders."""
    before = [s for s in doc.sents if sentence_of[s.start] == sentence_of[pronoun.i] - 1]
    if not before:
        return None
    subj = next((c for c in before[0].root.children if c.dep_ in SUBJECTS), None)
    if subj is None or subj.pos_ != "NOUN" or subj.ent_type_ or subj.tag_ != "NNS":
        return None
    return group_phrase(subj, sentence_of)


def resolve_pronouns(doc: Doc, entities: Entities) -> dict[int, Mention]:
    """Token index of each resolvable pronoun -> the mention it refers to. "we"/"our" outside quotations
    are the narrator's organisation: the last organisation or country named as a grammatical subject before
    them ("The Australian Government condemns ... we confirm" -> the Australian Government); inside a
    quotation they are left alone (the speaker's organisation is rarely named)."""
    sentence_of = {t.i: n for n, sent in enumerate(doc.sents) for t in sent}
    quoted = quoted_tokens(doc)
    pending = sorted(entities.mentions(sentence_of), key=lambda m: m.i)
    history: list[Mention] = []
    resolved: dict[int, Mention] = {}
    for token in doc:
        while pending and pending[0].i <= token.i:
            history.append(pending.pop(0))
        if token.lower_ in FIRST_PLURAL and token.pos_ == "PRON" and token.i not in quoted:
            narrator = [m for m in history if m.kind == GROUP and m.subject and m.label in ("ORG", "GPE")]
            if narrator:
                resolved[token.i] = narrator[0]  # the body that opens the release speaks for it
            continue
        kind = PRONOUNS.get(token.lower_)
        if not kind or token.pos_ != "PRON" or not referential(token):
            continue
        if token.i + 1 < len(doc) and doc[token.i + 1].lower_ in TITLES_AFTER_PRONOUN:
            continue  # "His Excellency Mr Michael Small"
        if owner_is_subject(token):
            continue  # "The Government is implementing its strategy": its own, whatever was named before
        here = sentence_of[token.i]
        own = clause_subjects(token)
        fits = [m for m in history if m.kind == kind and here - m.sentence <= LOOKBACK_SENTENCES and m.i not in own
                and not (token.lower_ in SINGULAR_ONLY and m.label in ("NORP", GROUP_PHRASE)) and not blocked(doc, token, m)]
        if not fits and kind == PERSON and len(people := {m.name for m in history if m.kind == PERSON and m.i not in own}) == 1:
            # "he" three sentences after the last "he": the only person the article has named so far
            fits = [next(m for m in reversed(history) if m.name in people)]
        pool = [m for m in fits if m.sentence == here] or fits
        if token.lower_ in PLURAL:  # "they" means a plural before a singular name ("the U.S. Marines", not Australia)
            pool = [m for m in pool if plural_group(m)] or pool
        target = ([m for m in pool if m.subject] or pool or [None])[-1]
        if token.lower_ in PLURAL and target is not None and target.sentence < here and not plural_group(target) \
                and not main_subject(doc[target.i]) and (leader := leading_subject(doc, token, sentence_of)) is not None:
            target = leader  # not a singular name from inside the sentence before: its main subject
        elif target is None or (kind == GROUP and token.dep_ in SUBJECTS and not target.subject and any(
                t.dep_ in SUBJECTS and t.pos_ == "NOUN" and not t.ent_type_ and sentence_of[t.i] >= target.sentence
                for t in doc[max(0, target.i - 40):token.i])):
            # "The additional staff will be based in Kandahar. They will ...": the staff, not Kandahar
            target = described_group(doc, token, sentence_of) if token.lower_ == "they" and token.dep_ in SUBJECTS else None
            if target is None:
                continue
        resolved[token.i] = target
        if target.label != GROUP_PHRASE:  # a described group is found afresh each time, the nearest first
            history.append(Mention(token.i, kind, target.name, token.dep_ in SUBJECTS, target.label, here))
    return resolved


# Definite descriptions worth resolving: institutions and titles, where "the X" names one thing.
INSTITUTIONS = {"ministry", "government", "company", "agency", "bank", "court", "council", "committee", "commission",
                "department", "army", "military", "police", "party", "union", "firm", "regulator", "parliament",
                "president", "minister", "prime minister", "chancellor", "spokesman", "spokeswoman", "governor",
                "senator", "secretary", "ambassador", "chief", "leader", "general"}
DESCRIPTION_LOOKBACK = 3
COUNTRY_WORDS = {"country", "nation"}  # "the country": the place named last, in its sentence or the two before
SCOPE_PREPOSITIONS = {"around", "across", "throughout"}  # "across the country": where, not what


def title_words(t: Token) -> str:
    """The capitalised words compounded before a title noun: 'Prime' in 'Prime Minister', 'Foreign' in 'Foreign Minister'."""
    return " ".join(c.lower_ for c in t.children if c.dep_ == "compound" and c.i < t.i and c.pos_ == "PROPN")


def antecedent_phrases(doc: Doc, entities: Entities) -> list[tuple[int, str, str, int]]:
    """(token, head noun, full phrase, sentence) for every fuller naming of an institution or title:
    "The finance ministry", "the Bank of England" (noun with modifiers), "Foreign Minister Sergei Lavrov"
    (a title before a person's name)."""
    sentence_of = {t.i: n for n, sent in enumerate(doc.sents) for t in sent}
    out = []
    for t in doc:
        word = t.lemma_.lower()
        if t.pos_ not in ("NOUN", "PROPN") or word not in INSTITUTIONS:
            continue
        ent = entities.entity_at(t.head) if t.dep_ == "compound" else None
        if ent is not None and entities.label(ent) == "PERSON":
            out.append((t.i, word, entities.name_of(ent), sentence_of[t.i]))  # "Minister Sergei Lavrov" -> the person
            if title := title_words(t):  # "Prime Minister Julia Gillard" is also "the Prime Minister"
                out.append((t.i, f"{title} {word}", entities.name_of(ent), sentence_of[t.i]))
        elif t.dep_ != "compound" and any(c.dep_ in ("compound", "amod", "poss") or (c.dep_ == "prep" and c.lower_ == "of")
                                          for c in t.children):
            first = t.left_edge.i
            last = max([t.i] + [c.right_edge.i for c in t.children if c.dep_ == "prep" and c.lower_ == "of"])
            words = [w.text for w in doc[first:last + 1]]
            if words[0].lower() in ("a", "an"):
                continue
            if words[0].lower() == "the":
                words[0] = "the"
            out.append((t.i, word, " ".join(words), sentence_of[t.i]))
    return out


def resolve_descriptions(doc: Doc, entities: Entities) -> dict[int, str]:
    """'the ministry' -> 'the finance ministry' when exactly one fuller naming of a ministry stands in
    the three sentences before it (or, when none does, in the whole text before it); 'the country' -> the
    place named last; 'these initiatives' -> their earlier naming (`resolve_demonstratives`); token index ->
    replacement ('' for the words it replaces)."""
    phrases = antecedent_phrases(doc, entities)
    sentence_of = {t.i: n for n, sent in enumerate(doc.sents) for t in sent}
    owners = {i: m.name for i, m in resolve_pronouns(doc, entities).items()}
    owners |= {e.root.i: entities.name_of(e) for e in entities.ents if entities.label(e) in ("PERSON", "ORG", "GPE", "NORP")}
    out: dict[int, str] = resolve_demonstratives(doc, owners)
    for t in doc:
        word = t.lemma_.lower()
        children = list(t.children)
        if (title := title_words(t)) and t.pos_ == "PROPN" and word in INSTITUTIONS:
            word = f"{title} {word}"  # "the Prime Minister": a person named with that title before
            children = [c for c in children if not (c.dep_ == "compound" and c.i < t.i)]
        if word in COUNTRY_WORDS and t.pos_ == "NOUN" and [c.lower_ for c in children if c.i < t.i] == ["the"] \
                and not any(c.dep_ == "prep" for c in children):
            place = next((e for e in reversed(entities.ents) if e.end <= t.i and entities.label(e) == "GPE"
                          and e.root.dep_ not in ("compound", "amod", "nmod")  # not "the eastern Donbas region"
                          and sentence_of[t.i] - sentence_of[e.start] <= LOOKBACK_SENTENCES), None)
            if place is not None:  # "wants Ukraine to block troops from entering the country": Ukraine
                name = re.sub(r"\s*['’]s$", "", entities.name_of(place))  # the entity may hold its "'s"
                out[next(c for c in children if c.lower_ == "the").i], out[t.i] = "", name
            elif t.dep_ == "pobj" and t.head.lower_ in SCOPE_PREPOSITIONS:
                # "clinics in communities around the nation" in a release that never names its country: the scope is
                # left out, so that the claim reads alone with what it says of the clinics
                out.update({i: "" for i in range(t.head.i, t.i + 1)})
            continue
        if word not in INSTITUTIONS or t.pos_ not in ("NOUN", "PROPN") or [c.lower_ for c in children if c.i < t.i] != ["the"]:
            continue
        if any(c.dep_ == "prep" and c.lower_ == "of" for c in children):
            continue  # "the Department of Foreign Affairs": named in full already
        here = sentence_of[t.i]
        found = {p for i, w, p, s in phrases if w == word and i < t.i and 0 <= here - s <= DESCRIPTION_LOOKBACK}
        if not found:  # "The Rudd Government announced ..." ten sentences before "the Government": the only one named
            found = {p for i, w, p, s in phrases if w == word and i < t.i}
        if len(found) == 1:
            det = next(c for c in children if c.lower_ == "the")
            out[det.i], out[t.i] = "", found.pop()
            out.update({c.i: "" for c in t.children if c.dep_ == "compound" and c.i < t.i})
    return out


DEMONSTRATIVES = {"this", "these", "those", "that"}
ANTECEDENT_PREPOSITIONS = {"of", "on", "for"}  # kept with the noun: "the work on the Royal Commission"
MAX_ANTECEDENT_WORDS = 10


def demonstrative_det(t: Token) -> Token | None:
    """The 'these' of a noun phrase that points back ("these initiatives"), not of a time ("this year")."""
    if t.pos_ != "NOUN" or t.ent_type_ in ("DATE", "TIME") or t.lemma_.lower() in TIME_NOUNS:
        return None
    return next((c for c in t.children if c.dep_ == "det" and c.lower_ in DEMONSTRATIVES and c.i < t.i), None)


def definite(doc: Doc, n: Token) -> str | None:
    """An earlier naming made definite, if it says more than its noun: "two new force posture initiatives" -> "the two
    new force posture initiatives", "Russia's war goals" as it is; None for "initiatives" alone, or one with a pronoun."""
    words = list(doc[n.left_edge.i:n.i + 1])
    after = next((c for c in n.children if c.dep_ == "prep" and c.lower_ in ANTECEDENT_PREPOSITIONS and c.i > n.i), None)
    if after is not None and not any(w.pos_ in ("VERB", "AUX") for w in after.subtree):
        words += list(doc[n.i + 1:after.right_edge.i + 1])
    if words and words[0].lower_ in ("a", "an", "the", "some", "any"):
        words = words[1:]
    odd = any(w.pos_ == "PRON" or (w.pos_ == "PUNCT" and w.tag_ != "HYPH") or w.lower_ in DEMONSTRATIVES for w in words)
    if len(words) < 2 or len(words) > MAX_ANTECEDENT_WORDS or odd:
        return None
    text = normalise_space("".join(w.text_with_ws for w in words))
    return text if words[0].dep_ == "poss" else "the " + text


PLACE_NOUNS = {"area", "region", "territory", "place", "location", "site", "city", "town", "country", "province", "state"}


def listed(doc: Doc, t: Token, owners: dict[int, str] | None = None) -> str | None:
    """The list a plural demonstrative sums up, in its sentence or the one before: for places ('these areas') three or
    more names, one a place at least (the small model tags some of a list of regions as people): "Crimea, Donetsk,
    Lugansk, Kherson, and Zaporozhye"; for anything else ('those goals') things named by common nouns, an object:
    "it aimed for sweeping territorial gains and political control", or, where `owners` (token -> name) names who aimed
    for them, "Russia's goals"."""
    place = t.lemma_.lower() in PLACE_NOUNS
    start = max((s.start for s in doc.sents if s.start <= t.i and s.end <= t.sent.start), default=t.sent.start)
    for n in reversed(doc[start:t.i]):
        members = [n, *n.conjuncts]
        if not n.conjuncts or n.i > min(c.i for c in n.conjuncts):
            continue
        if place and len(members) >= 3 and all(m.pos_ == "PROPN" for m in members) \
                and any(m.ent_type_ in ("GPE", "LOC") for m in members):
            return normalise_space("".join(w.text_with_ws for w in doc[n.i:max(m.i for m in members) + 1]))
        if not place and n.dep_ in ("dobj", "pobj") and all(m.pos_ == "NOUN" and not m.ent_type_ for m in members):
            verb, subj = n.head, None
            for _ in range(4):  # up through "for [sweeping] territorial gains" to the verb with a subject
                if (subj := next((c for c in verb.children if c.dep_ in SUBJECTS), None)) is not None or verb.head.i == verb.i:
                    break
                verb = verb.head
            if subj is not None and (owner := (owners or {}).get(subj.i)):  # "it aimed for A and B. Those goals"
                return f"{owner}{chr(39) if owner.endswith('s') else chr(39) + 's'} {doc[det_end(t):t.i + 1].text}"
            return normalise_space("".join(w.text_with_ws for w in doc[n.left_edge.i:members[-1].right_edge.i + 1]))
    return None


def det_end(t: Token) -> int:
    """The first word after a noun's determiner: 'goals' in 'those goals'."""
    return max([c.i + 1 for c in t.children if c.dep_ == "det" and c.i < t.i] or [t.left_edge.i])


def resolve_demonstratives(doc: Doc, owners: dict[int, str] | None = None) -> dict[int, str]:
    """'these initiatives' -> 'the two new force posture initiatives': the nearest earlier noun phrase with the same
    noun in the same number that says more than the noun, else the list just before that it sums up; with none, a
    singular one is the one the article is about ("this conflict" -> "the conflict", as the gold set writes it) and a
    plural one stays unresolved (the claim is dropped as not reading alone). Token index -> replacement ('' for the
    words it replaces)."""
    out: dict[int, str] = {}
    named: dict[int, str] = {}  # demonstrative heads resolved so far: a chain of "these initiatives" keeps the first naming
    for t in doc:
        if (det := demonstrative_det(t)) is None:
            continue
        phrase = None
        for n in reversed(doc[:det.i]):
            if n.pos_ not in ("NOUN", "PROPN") or n.lemma_.lower() != t.lemma_.lower() \
                    or (n.tag_ in ("NNS", "NNPS")) != (t.tag_ == "NNS"):  # "this unit": the Renal Satellite Unit
                continue
            phrase = named.get(n.i) if demonstrative_det(n) is not None else definite(doc, n)
            if phrase:
                break
        if not phrase and t.tag_ == "NN":
            phrase = normalise_space("the " + doc[det.i + 1:t.i + 1].text)  # "this conflict": the one the article is about
        elif not phrase:
            phrase = listed(doc, t, owners)
        if phrase:
            named[t.i] = phrase
            out[det.i] = ""  # "these joint initiatives": the naming replaces the words before the noun
            out.update({i: "" for c in t.children if c.i < t.i and c.dep_ in ("amod", "compound", "nummod")
                        for i in range(c.left_edge.i, c.i + 1)})
            out[t.i] = phrase
    return out
