"""SciFact loaders: its abstracts as citetrail Documents, its claims with gold labels and evidence.

The data is read from a path (default ../shared/eval/scifact), never copied into the project.
Each abstract becomes one document whose text is the title, then each sentence, a blank line apart, so that
citetrail's sentence spans line up with SciFact's sentence indices (a single line break is hard wrapping to
citetrail's chunker; a blank line always ends a sentence).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from pipeline.load import make_document
from pipeline.models import Document, Span
from pipeline.textnorm import normalise_space

DEFAULT_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "scifact"  # beside a source checkout
LABELS = {"SUPPORT": "SUPPORTED", "CONTRADICT": "REFUTED"}
SEPARATOR = "\n\n"


class SciFactClaim(BaseModel):
    id: int
    claim: str
    label: str  # SUPPORTED, REFUTED or NOT_ENOUGH_INFO
    evidence: dict[str, list[list[int]]]  # doc id -> evidence sets (sentence indices)
    cited_doc_ids: list[str]


def claim_label(row: dict) -> str:
    """A raw claim row's verdict: its evidence's one label, or NOT_ENOUGH_INFO without evidence."""
    labels = {ev["label"] for sets in row["evidence"].values() for ev in sets}
    return LABELS[labels.pop()] if len(labels) == 1 else "NOT_ENOUGH_INFO"


def abstract_document(row: dict) -> tuple[Document, list[Span]]:
    """The document and the span of each abstract sentence in its text."""
    title = row["title"].strip()
    parts, spans, pos = [title], [], len(title) + len(SEPARATOR)
    for sentence in row["abstract"]:
        sentence = normalise_space(sentence)
        spans.append(Span(start=pos, end=pos + len(sentence)))
        parts.append(sentence)
        pos += len(sentence) + len(SEPARATOR)
    doc = make_document(str(row["doc_id"]), title, f"scifact:{row['doc_id']}", SEPARATOR.join(parts))
    return doc, spans


def load_corpus(data_dir: Path = DEFAULT_DIR) -> tuple[list[Document], dict[str, list[Span]]]:
    docs, spans = [], {}
    with open(data_dir / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            doc, sentence_spans = abstract_document(json.loads(line))
            docs.append(doc)
            spans[doc.id] = sentence_spans
    return docs, spans


def load_claims(split: str, data_dir: Path = DEFAULT_DIR) -> list[SciFactClaim]:
    claims = []
    with open(data_dir / f"claims_{split}.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            claims.append(SciFactClaim(
                id=row["id"], claim=row["claim"], label=claim_label(row),
                evidence={d: [ev["sentences"] for ev in sets] for d, sets in row["evidence"].items()},
                cited_doc_ids=[str(d) for d in row.get("cited_doc_ids", [])]))
    return claims
