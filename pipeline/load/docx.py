"""Word (.docx) by python-docx: paragraphs and table cells in order, blank lines between paragraphs; the title from
the document's properties, else its first line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from pipeline.errors import InputError
from pipeline.load.base import OnError, first_line_title, make_document, useful_title
from pipeline.models import Document


def _blocks(document) -> list[str]:
    """Paragraph and table texts in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                out.append(" | ".join(cell.text.strip() for cell in row.cells))
    return out


class DocxReader:
    name = "docx"
    suffixes = (".docx",)

    def read(self, path: Path, data: bytes, doc_id: str, on_error: OnError, skipped: list[str]) -> list[Document]:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        if not data.strip():
            raise InputError(f"{path}: the file is empty")
        try:
            document = docx.Document(io.BytesIO(data))
            blocks = _blocks(document)
            props = document.core_properties
        except (PackageNotFoundError, zipfile.BadZipFile, Exception) as exc:  # damaged zip or XML: this file's fault
            raise InputError(f"{path}: not a readable Word (.docx) file ({type(exc).__name__})") from None
        text = "\n\n".join(b.strip() for b in blocks if b.strip())
        if not text:
            raise InputError(f"{path}: the Word file holds no text")
        title = useful_title(props.title) or first_line_title(text, path.stem)
        published = props.created.date().isoformat() if props.created else None
        return [make_document(doc_id, title[:200], str(path), text, format=self.name, published=published)]
