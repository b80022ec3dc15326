"""Fuzzing the parsers and entry points with Hypothesis, in process: whatever the web produced, each
ends in a result that keeps its invariants or in an InputError, never in any other exception.

The real CLI gets a smaller set of representative cases in test_cli_inputs.py. Every case run is
counted in conftest.FUZZ_CASES and printed at the end of the session."""

from __future__ import annotations

import codecs
import json
import os
import tempfile
import tomllib
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.api import clean_claim
from pipeline.chunk import chunk_document
from pipeline.config import Settings, load_settings
from pipeline.errors import InputError, StoreError
from pipeline.judge import load_judge
from pipeline.load import SUPPORTED, assign_ids, content_hash, decode, load_file, make_document, read_jsonl
from pipeline.store import ChunkStore
from tests.conftest import FUZZ_CASES

# Any code point, lone surrogates included (Python strings can hold them: argv and file names do).
ANY_CHAR = st.characters(exclude_categories=())
TEXT_CHAR = st.characters(exclude_categories=["Cs"])
HOSTILE = st.sampled_from(["\x00", "\u202e", "\u200f", "\ufeff", "\u2028", "\x85", "\r", "\t", "\x1b[31m", "🙂", "👨‍👩‍👧",
                           "עברית", "العربية", "中文", "Ελληνικά", "Zürich", "Dr.", "U.S.", "...", "\n\n", " ", "e\u0301"])
WORDS = st.sampled_from(["The", "harbour", "reopened", "on", "3", "May", "2024", "after", "a", "closure", ".", ",", "?", "!"])


def mixed_text(alphabet=TEXT_CHAR, max_size: int = 60) -> st.SearchStrategy[str]:
    """Words, sentence ends, hostile pieces and arbitrary characters, in any mix."""
    return st.lists(st.one_of(WORDS, HOSTILE, st.text(alphabet, max_size=12)), max_size=max_size).map(" ".join)


def count(name: str) -> None:
    FUZZ_CASES[name] += 1


def encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ---- claims ------------------------------------------------------------------------------------

LONG = st.tuples(st.text(ANY_CHAR, min_size=1, max_size=3), st.integers(900, 20_000)).map(lambda t: (t[0] * t[1])[:t[1]])


@settings(max_examples=400)
@given(st.one_of(st.text(ANY_CHAR), mixed_text(ANY_CHAR), LONG), st.integers(10, 5000))
@example("\x00", 1000)
@example("x" * 1_000_000, 1000)
@example("🙂 " * 500_000, 2_000_000)
@example("\ud800 Trump met \udfff Putin", 1000)
def test_clean_claim_gives_clean_text_or_refuses(text, limit):
    count("clean_claim")
    try:
        clean = clean_claim(text, limit)
    except InputError as exc:
        assert "empty" in str(exc) or "limit" in str(exc)
        return
    assert 0 < len(clean) <= limit
    assert clean == " ".join(clean.split()) and clean.isprintable() and encodable(clean)
    assert clean_claim(clean, limit) == clean


@pytest.mark.parametrize("value", [None, b"bytes", 42, ["a list"]])
def test_a_claim_that_is_not_text_is_refused(value):
    count("clean_claim")
    with pytest.raises(InputError, match="must be text"):
        clean_claim(value, 1000)


# ---- decoding ----------------------------------------------------------------------------------

@settings(max_examples=400)
@given(st.binary(max_size=3000) | st.builds(lambda b, bom: bom + b, st.binary(max_size=300),
                                             st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])))
def test_decode_gives_text_or_a_clear_error(data):
    count("decode bytes")
    try:
        text = decode(data, Path("f.txt"))
    except InputError as exc:
        assert str(exc).startswith("f.txt: ")
        return
    assert isinstance(text, str) and encodable(text)  # a lone surrogate would crash Chroma and the output later


@settings(max_examples=300)
@given(st.text(TEXT_CHAR, max_size=500).filter(lambda t: not t.startswith("\ufeff")))
def test_decode_reads_back_utf8_with_or_without_bom_and_utf16_with_bom(text):
    count("decode round trip")
    if "\x00" not in text:
        assert decode(text.encode("utf-8"), Path("f.txt")) == text
        assert decode(codecs.BOM_UTF8 + text.encode("utf-8"), Path("f.txt")) == text
    assert decode(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), Path("f.txt")) == text
    assert decode(codecs.BOM_UTF16_BE + text.encode("utf-16-be"), Path("f.txt")) == text


# ---- JSONL -------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                           | st.text(ANY_CHAR, max_size=10),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                           max_leaves=8)
FIELD = st.text(TEXT_CHAR, max_size=40)
GOOD_ROW = st.fixed_dictionaries(
    {"id": st.one_of(FIELD.filter(str.strip), st.integers(-10**30, 10**30)), "text": mixed_text().filter(str.strip)},
    optional={"title": FIELD, "url": FIELD, "published": FIELD, "extra": JSON_VALUES})
BAD_ROW = st.fixed_dictionaries({}, optional={"id": JSON_VALUES, "text": JSON_VALUES, "title": JSON_VALUES,
                                              "url": JSON_VALUES, "published": JSON_VALUES})
LINE = st.one_of(
    st.tuples(st.just("good"), GOOD_ROW, st.booleans()),
    st.tuples(st.just("bad"), BAD_ROW, st.booleans()),
    st.tuples(st.just("raw"), st.text(ANY_CHAR, max_size=60).filter(lambda t: "\n" not in t), st.just(False)),
    st.tuples(st.just("raw"), st.sampled_from(['{"id": "x", "text": ', "[1, 2]", '"just a string"', "NaN", '{"id": "n", "text": "x", '
                                               '"title": NaN}', '{"id": true, "text": "x"}', '{"id": 1.5, "text": "x"}',
                                               '{"id": "d", "text": "x", "title": ' + "[" * 5000 + "]" * 5000 + "}",
                                               '{"id": "s", "text": "lone \\ud800 surrogate"}',
                                               "\ufeff" + '{"id": "b", "text": "x"}']),
              st.just(False)),
)


def render(kind: str, row, ascii_only: bool) -> str:
    return row if kind == "raw" else json.dumps(row, ensure_ascii=ascii_only)


@settings(max_examples=300)
@given(st.lists(LINE, max_size=12))
def test_jsonl_lines_become_documents_or_name_their_line(lines):
    """Skipping: every non-blank line is a document or a skipped line naming it, and every valid row
    comes back exactly (U+2028 and \\x85 inside a string included). Stopping: the first bad line is named."""
    count("read_jsonl")
    text = "\n".join(render(kind, row, ascii_only) for kind, row, ascii_only in lines)
    skipped: list[str] = []
    docs = read_jsonl(Path("d.jsonl"), text, "skip", skipped)
    numbered = [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
    assert len(docs) + len(skipped) == len(numbered)
    for doc in docs:
        assert doc.id.strip() and doc.text.strip() and doc.content_hash == content_hash(doc.text)
        assert all(encodable(v) for v in (doc.id, doc.title, doc.text, doc.url or "", doc.published or ""))
    by_line = {int(d.source.rsplit("#L", 1)[1]): d for d in docs}
    for lineno, (kind, row, _) in enumerate(lines, 1):
        if kind == "good":
            doc = by_line[lineno]
            assert (doc.id, doc.text, doc.url, doc.published) == (str(row["id"]), row["text"], row.get("url"), row.get("published"))
            assert doc.title == (row.get("title") or doc.title)
    if skipped:
        first = skipped[0].split(":")[1]
        with pytest.raises(InputError, match=rf"^d\.jsonl:{first}: .*--skip-bad-lines"):
            read_jsonl(Path("d.jsonl"), text, "stop", [])


# ---- whole files -------------------------------------------------------------------------------

FILE_BYTES = st.one_of(
    st.binary(max_size=2000),
    mixed_text(ANY_CHAR).map(lambda t: t.encode("utf-8", "surrogatepass")),
    mixed_text().map(lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
    st.lists(LINE, max_size=4).map(lambda ls: "\n".join(render(k, r, a) for k, r, a in ls).encode("utf-8", "surrogatepass")),
    st.builds(lambda depth, tag, body: f"<html><body>{f'<{tag}>' * depth}<p>{body}</p>{f'</{tag}>' * depth}</body></html>".encode(),
              st.integers(0, 3000), st.sampled_from(["div", "b", "table", "ul", "span"]), mixed_text()),
)


def loaded_or_refused(data: bytes, suffix: str) -> list:
    """The documents a file of these bytes loads as, or [] when it is refused with one line naming it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"doc{suffix}"
        path.write_bytes(data)
        try:
            return load_file(path, 10_000_000, "skip", [])
        except InputError as exc:
            assert str(exc).startswith(str(path)) and "\n" not in str(exc)
            return []


@settings(max_examples=150)
@given(FILE_BYTES, st.sampled_from([*SUPPORTED, ".pdf", ""]))
def test_any_file_loads_or_is_refused_with_its_name(data, suffix):
    count("load_file")
    for doc in loaded_or_refused(data, suffix):
        assert doc.id and doc.text.strip() and doc.content_hash == content_hash(doc.text)
        assert all(encodable(v) for v in (doc.id, doc.title, doc.text, doc.source))


# ---- chunking ----------------------------------------------------------------------------------

@settings(max_examples=300)
@given(st.one_of(mixed_text(max_size=400), st.text(TEXT_CHAR, max_size=3000),
                           st.builds(lambda w, n: w * n, st.sampled_from(["word ", "x", "Dr. ", "a.\n", " \n ", "\u2028"]),
                           st.integers(1, 4000))),
       st.integers(100, 1000), st.integers(0, 5))
def test_chunks_cover_the_text_exactly(text, size, overlap):
    """Every chunk is a slice of the text made of its sentences, none empty, and no character but
    whitespace falls outside every sentence."""
    count("chunk_document")
    doc = make_document("d", "t", "mem", text)
    chunks = chunk_document(doc, size, overlap)
    covered = bytearray(len(text))
    for i, chunk in enumerate(chunks):
        assert chunk.index == i and chunk.id == f"d#{i}" and chunk.text.strip()
        assert chunk.text == text[chunk.start:chunk.end]
        assert chunk.sentences[0].start == chunk.start and chunk.sentences[-1].end == chunk.end
        for s in chunk.sentences:
            assert chunk.start <= s.start < s.end <= chunk.end
            covered[s.start:s.end] = b"\x01" * (s.end - s.start)
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text))


# ---- settings ----------------------------------------------------------------------------------

def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value > 0 else "-inf") if abs(value) == float("inf") else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return json.dumps(value)


SETTING = st.sampled_from([*Settings.model_fields, "unknown_key"])
SCALAR = st.one_of(st.booleans(), st.integers(-10**25, 10**25), st.floats(), st.text(ANY_CHAR, max_size=20),
                   st.sampled_from(["600", "0", "-1", "1e3", "nan", "inf", "shipped", "a\x00b", "x", "..", "abc", "a" * 300]))
TOML_DOC = st.one_of(
    st.dictionaries(SETTING, st.one_of(SCALAR, st.lists(SCALAR, max_size=2)), max_size=4).map(
        lambda d: "".join(f"{k} = {toml_value(v)}\n" for k, v in d.items())),
    st.text(ANY_CHAR, max_size=200),
)
ENV = st.dictionaries(SETTING.map(lambda k: f"CITETRAIL_{k.upper()}"),
                      st.binary(max_size=20).filter(lambda b: b"\x00" not in b).map(os.fsdecode), max_size=3)


@settings(max_examples=300)
@given(TOML_DOC, ENV)
@example('chunk_size = "big"\n', {})
@example('store = "a\\u0000b"\n', {})
@example(f'store = "{"a" * 300}"\nverifier = "{"v" * 300}"\n', {})
@example("dense_k = true\n", {})
@example("[broken\n", {"CITETRAIL_TOP_K": "many"})
def test_settings_load_or_name_the_bad_one(toml_text, env):
    """A config file and env vars give settings that open a store and a verifier or say why not, or one clear InputError."""
    count("load_settings")
    with tempfile.TemporaryDirectory() as tmp, patch.dict(os.environ, env):
        config = Path(tmp) / "citetrail.toml"
        config.write_text(toml_text, encoding="utf-8", errors="surrogatepass")
        try:
            loaded = load_settings(config)
        except InputError as exc:
            assert str(exc).startswith(("config file", "bad setting", "unknown setting"))
            return
    with pytest.raises(StoreError):  # a clear error, not a crash on an odd path
        ChunkStore(loaded.store, loaded.collection, {}, create=False)
    if loaded.verifier not in ("shipped", "llm"):  # no such model: said in one line
        with pytest.raises(InputError):
            load_judge(loaded)
    try:
        tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError:
        pytest.fail("invalid TOML was accepted")


# ---- the store boundary ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory) -> ChunkStore:
    return ChunkStore(tmp_path_factory.mktemp("fuzz") / "store", "citetrail", {"splitter": "fuzz"}, create=True)


@settings(max_examples=40)
@given(st.text(TEXT_CHAR, min_size=1, max_size=300).filter(str.strip), FIELD, mixed_text(max_size=200).filter(str.strip))
@example("id with #, NUL \x00 and 🙂", "title \u202e", "Text with NUL \x00 in it. And RTL \u202e here.")
def test_any_loadable_document_goes_into_chroma_and_comes_back_exactly(fuzz_store, doc_id, title, text):
    """Ids, titles and texts that pass loading are stored and read back byte for byte."""
    count("store round trip")
    doc = make_document(doc_id, title, "src", text)
    chunks = chunk_document(doc, 100, 1)
    vectors = list(np.random.default_rng(0).normal(size=(len(chunks), 384)).astype(np.float32))
    with fuzz_store.writing():
        fuzz_store.put_documents([(doc, chunks)], vectors)
    got = fuzz_store.get_chunks([c.id for c in chunks])
    assert [(got[c.id][0].text, got[c.id][1]["title"], got[c.id][1]["doc_id"]) for c in chunks] == [
        (c.text, title, doc_id) for c in chunks]
    assert fuzz_store.document_state()[doc_id]["complete"]


# ---- checking claims ---------------------------------------------------------------------------

@settings(max_examples=25)
@given(st.one_of(mixed_text(ANY_CHAR, max_size=30), st.text(ANY_CHAR, max_size=40), LONG))
@example("Trump met Putin in Moscow 🙂 \u202e עברית \x00 \ud800")
def test_check_answers_any_claim_or_refuses_it(sample_verifier, claim):
    """The real verifier on the sample store: a verdict whose citations quote the store exactly, or an InputError."""
    count("Verifier.check")
    try:
        result = sample_verifier.check(claim)
    except InputError:
        return
    assert result.claim.text == clean_claim(claim, sample_verifier.settings.max_claim_chars)
    assert 0.0 <= result.confidence <= 1.0
    chunks = sample_verifier.store.get_chunks(sorted({c.chunk_id for c in result.citations})) if result.citations else {}
    for c in result.citations:
        chunk = chunks[c.chunk_id][0]
        assert chunk.text[c.start - chunk.start:c.end - chunk.start] == c.quote
    json.loads(result.model_dump_json())


# ---- binary formats and document ids -----------------------------------------------------------

BINARY_SEEDS = {".pdf": (Path(__file__).parents[2] / "shared/cases/ingest/tram.pdf"),
                ".docx": (Path(__file__).parents[2] / "shared/cases/ingest/tram.docx")}


@settings(max_examples=150)
@given(st.sampled_from([".pdf", ".docx"]), st.integers(0, 10_000), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)),
                                                                         max_size=8))
def test_damaged_pdf_and_word_files_load_or_are_refused_with_their_name(suffix, cut, flips):
    """A real PDF or Word file, truncated and with bytes changed: its documents, or one InputError naming it."""
    count(f"damaged {suffix}")
    data = bytearray(BINARY_SEEDS[suffix].read_bytes())
    for at, value in flips:
        data[at % len(data)] = value
    for doc in loaded_or_refused(bytes(data[:max(1, len(data) - cut)]), suffix):
        assert doc.text.strip() and all(p.start < len(doc.text) for p in doc.pages) and encodable(doc.text)


STEM_PATHS = st.lists(st.tuples(st.sampled_from(["a", "b", "a/b", "c/a", "x y"]), st.sampled_from(["budget", "index", "Budget"]),
                                st.sampled_from([".txt", ".md", ".html", ".pdf"])), min_size=1, max_size=8, unique=True)


@settings(max_examples=200)
@given(STEM_PATHS, st.integers(0, 7))
def test_document_ids_are_distinct_and_stable_in_any_order(paths, split):
    """Files in one load or two, in any order: every file its own id, and a file keeps its id when loaded again.
    (The files exist: a stored file that is gone hands its id on, as a moved corpus does.)"""
    count("assign_ids")
    with tempfile.TemporaryDirectory() as tmp:
        docs = []
        for folder, n, suffix in paths:
            path = Path(tmp, folder, n + suffix)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"text of {folder}/{n}{suffix}")
            docs.append(make_document(path.stem, "", str(path), path.read_text(), format="txt"))
        check_ids(docs, split)


def check_ids(docs, split):
    first = assign_ids(docs[:split])
    stored = {d.id: d.source for d in first}
    second = assign_ids(docs[split:], stored, {d.id: d.content_hash for d in first})
    ids = [d.id for d in first + second]
    assert len(set(ids)) == len(ids)
    again = assign_ids(docs, {d.id: d.source for d in first + second})
    assert [d.id for d in again] == ids
