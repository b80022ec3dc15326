"""Does a kept claim read alone? Counts for the extraction report, independent of the extractor's own checks.

Heuristics on spaCy's parse of the claim alone (not the article), each naming what it found:

- grammar: a singular subject with a plural verb or the reverse ("The museum have", "If Russia do not"), a
  finite verb with no subject ("Cuts the parks budget"), two sentences glued ("March.The"), unbalanced brackets;
- unresolved references: a personal pronoun (he, she, it, they, we, I, you...) that is not an expletive "it",
  a demonstrative standing for a noun ("This is") or pointing at one ("these locations"), "we"/"our" whatever precedes
  them (only "on behalf of X" says who), or an institution named only by its kind ("the company");
- relative time: "today", "this morning", "last week", "on Sunday"... that the claim does not anchor.

The report lists every flagged claim, so a reader can see whether a flag is right."""

from __future__ import annotations

import re

from pipeline.extract.coref import FIRST_PLURAL, INSTITUTIONS, demonstrative_det
from pipeline.extract.nlp import load_nlp

PRONOUNS = {"he", "him", "his", "she", "her", "hers", "it", "its", "they", "them", "their", "theirs", "we", "us", "our",
            "ours", "i", "me", "my", "you", "your"}
KINDS = INSTITUTIONS | {"country", "nation", "organisation", "organization", "group", "city", "region", "firm", "hospital",
                        "museum", "airline", "school", "university"}
PLACES = {"country", "nation", "region", "city"}  # read as the place the claim names before them, as pronouns are
RELATIVE = re.compile(r"\b(today|tonight|yesterday|tomorrow|this (morning|afternoon|evening|week|month|year)|last (week|month|year|"
                      r"night|fall|autumn|spring|summer|winter|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
                      r"next (week|month|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
                      r"on (monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?!,? \d))\b", re.IGNORECASE)
SINGULAR_TAGS = {"NN", "NNP"}


def _parse(text: str):
    nlp = load_nlp()
    with nlp.select_pipes(disable=["sentence_bounds"]):
        return nlp(text)


def _listed(subj) -> bool:
    """A list of names as subject, which the parser may chain through a wrongly tagged member ("Crimea, Donetsk [npadvmod],
    Lugansk [conj of Donetsk] ... and Zaporozhye"); not a conjunction inside a name's phrase ("Foreign Affairs and Trade")."""
    chain = [c for c in subj.children if c.dep_ in ("conj", "npadvmod") and c.pos_ == "PROPN" and c.i > subj.i]
    return any(c.dep_ == "conj" or _listed(c) for c in chain)


def _plural_subject(subj) -> bool | None:
    if any(c.dep_ == "conj" for c in subj.children) or _listed(subj) or subj.lower_ in ("they", "we", "you", "i"):
        return True
    if subj.tag_ == "NNS":
        return True
    if subj.tag_ in SINGULAR_TAGS or subj.lower_ in ("he", "she", "it"):
        return False
    return None


def grammar_problems(text: str) -> list[str]:
    """What looks ungrammatical in the claim, one phrase each."""
    doc = _parse(text)
    out = []
    if re.search(r"[a-z][.!?][A-Z][a-z]", text):
        out.append("two sentences glued together")
    for opening, closing in (("(", ")"), ("[", "]")):
        if text.count(opening) != text.count(closing):
            out.append(f"unbalanced {opening}{closing}")
    for t in doc:
        subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if t.tag_ == "VB" and t.dep_ == "ROOT" and subj is not None and not _plural_subject(subj) \
                and not any(c.dep_ in ("aux", "auxpass") for c in t.children):
            # the parser tags a plural present as bare after a long subject ("Russia's actions—such as ...—underscore")
            out.append(f"subject with the bare verb '{t.text}'")
        if t.tag_ not in ("VBZ", "VBP") or t.dep_ in ("amod", "compound"):
            continue
        verb = t.head if t.dep_ in ("aux", "auxpass") else t
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
        if subj is None:
            if t.dep_ == "ROOT" and t.i == doc[0].i:
                out.append(f"no subject for '{t.text}'")
            continue
        if subj.dep_ == "expl" or subj.lower_ in ("i", "you") or (subj.tag_ in ("WDT", "WP")):
            continue
        plural = _plural_subject(subj)
        if plural is True and t.tag_ == "VBZ" and subj.lower_ not in ("i",):
            out.append(f"plural subject '{subj.text}' with '{t.text}'")
        elif plural is False and t.tag_ == "VBP" and t.lower_ not in ("'re",):
            out.append(f"singular subject '{subj.text}' with '{t.text}'")
    return out


def unresolved_references(text: str) -> list[str]:
    """Words in the claim that point at something the claim does not name."""
    doc = _parse(text)
    out = []
    for t in doc:
        word = t.lower_
        if word in PRONOUNS and t.pos_ == "PRON":
            if word == "it" and (t.dep_ == "expl" or any(d.dep_ in ("ccomp", "xcomp", "csubj") for d in t.head.subtree)):
                continue
            if word in FIRST_PLURAL and "on behalf of" not in text.lower():
                out.append(t.text)  # "These initiatives reflect our commitment": an earlier noun is not who "we" are
                continue
            if any(e.pos_ == "PROPN" or (e.pos_ == "NOUN" and e.dep_ in ("nsubj", "nsubjpass")) for e in doc[:t.i]):
                continue  # its antecedent is in the claim
            out.append(t.text)
        elif (det := demonstrative_det(t)) is not None:
            out.append(f"{det.text} {t.text}")  # "in these locations": which, the claim does not say
        elif word in ("this", "these", "those", "that") and t.pos_ == "PRON" and t.dep_ in ("nsubj", "nsubjpass", "dobj") \
                and t.head.dep_ not in ("relcl", "ccomp", "acl") and t.tag_ != "WDT":
            out.append(t.text)
        elif t.lemma_.lower() in KINDS and t.pos_ == "NOUN" and [c.lower_ for c in t.children if c.i < t.i] == ["the"] \
                and not any(c.dep_ == "prep" and c.lower_ == "of" for c in t.children) \
                and not (t.lemma_.lower() in PLACES and any(e.label_ in ("GPE", "LOC") and e.end <= t.i for e in doc.ents)):
            out.append(f"the {t.text}")  # not "At the East Asia Summit, the region's leaders": the claim names it
    return out


def relative_times(text: str) -> list[str]:
    return [m.group() for m in RELATIVE.finditer(text)]
