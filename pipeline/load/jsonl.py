"""JSON Lines: one document a line, `id` (string or integer) and `text` required; `title`, `url`, `published` optional."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.errors import InputError
from pipeline.load.base import OnError, detect, first_line_title, make_document
from pipeline.models import Document


def lone_surrogate(value: str) -> int | None:
    """The code point of the first lone surrogate in `value` (which no UTF-8 output can hold), or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return ord(value[exc.start])
    return None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def string_field(row: dict, key: str, required: bool = False) -> str | None:
    """A string field of a JSONL row: present and non-blank if required, valid Unicode (no lone surrogates)."""
    value = row.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        kind = "non-empty string" + (" or integer" if key == "id" else "") if required else "string"
        raise ValueError(f"'{key}' must be a {kind}")
    if (code := lone_surrogate(value)) is not None:
        raise ValueError(f"'{key}' holds a lone surrogate (\\u{code:04x}), which is not text")
    return value


def read_jsonl(path: Path, text: str, on_error: OnError, skipped: list[str], encoding: str | None = None) -> list[Document]:
    """One document per line: `id` (string or integer) and `text` required; `title`, `url`, `published`
    optional strings. Integers are kept as written (an id of 40 digits stays those digits)."""
    docs = []
    for lineno, line in enumerate(text.split("\n"), 1):  # not splitlines(): JSON strings may hold U+2028 or \x85 as is
        if not line.strip():
            continue
        try:
            try:
                row = json.loads(line, parse_int=str, parse_constant=_reject_constant)
            except RecursionError:
                raise ValueError("nested too deeply") from None
            if not isinstance(row, dict):
                raise ValueError("not a JSON object")
            doc_id, body = string_field(row, "id", required=True), string_field(row, "text", required=True)
            extra = {k: string_field(row, k) for k in ("url", "published")}
            title = string_field(row, "title") or first_line_title(body, doc_id)
            docs.append(make_document(doc_id, title, f"{path}#L{lineno}", body, encoding=encoding, format="jsonl", **extra))
        except ValueError as exc:
            msg = f"{path}:{lineno}: {exc}"
            if on_error == "stop":
                raise InputError(msg + " (use --skip-bad-lines to skip such lines)") from None
            skipped.append(msg)
    return docs


class JsonlReader:
    name = "jsonl"
    suffixes = (".jsonl",)

    def read(self, path: Path, data: bytes, doc_id: str, on_error: OnError, skipped: list[str]) -> list[Document]:
        text, encoding = detect(data, path)
        return read_jsonl(path, text, on_error, skipped, encoding)
