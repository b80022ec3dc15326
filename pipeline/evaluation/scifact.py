"""SciFact loaders: its abstracts as citetrail Documents, with each sentence's span, and a claim row's gold verdict.

The data is read from a path (default ../shared/eval/scifact), never copied into the project.
Each abstract becomes one document whose text is the title, then each sentence, a blank line apart, so that
citetrail's sentence spans line up with SciFact's sentence indices (a single line break is hard wrapping to
citetrail's chunker; a blank line always ends a sentence).
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.load import make_document
from pipeline.models import Document, Span
from pipeline.textnorm import normalise_space

DEFAULT_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "scifact"  # beside a source checkout
LABELS = {"SUPPORT": "SUPPORTED", "CONTRADICT": "REFUTED"}
SEPARATOR = "\n\n"


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

