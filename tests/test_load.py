import codecs
import json
import os

import pytest

from pipeline.errors import InputError
from pipeline.load import content_hash, load_paths

LIMIT = 10_000_000


def test_sample_corpus_loads_with_stable_ids(corpus_copy):
    docs = load_paths([corpus_copy], LIMIT).documents
    assert [d.id for d in docs] == ["vance-russia-softening-demands", "vance-talks-narrowed-to-core-issues"]
    first = docs[0]
    assert first.title.startswith("Russia May Be Softening")
    assert first.content_hash == content_hash(first.text)
    assert first.source.endswith("vance-russia-softening-demands.txt")


def test_markdown_title_and_html_main_text(tmp_path):
    (tmp_path / "note.md").write_text("# Budget vote\n\nThe council approved the budget on Monday.\n")
    (tmp_path / "page.html").write_text(
        "<html><head><title>Harbour news</title></head><body><nav>Home | About | Contact</nav>"
        "<article><h1>Harbour news</h1><p>The harbour reopened on 3 May after a two-week closure caused by "
        "storm damage to the northern pier. Officials said repairs cost 2.4 million euros.</p>"
        "<p>Ferries resumed their usual timetable the same afternoon, the port authority said.</p></article>"
        "<footer>Copyright 2025. Leave a Reply</footer></body></html>")
    docs = {d.id: d for d in load_paths([tmp_path], LIMIT).documents}
    assert docs["note"].title == "Budget vote"
    html = docs["page"]
    assert html.title == "Harbour news"
    assert "2.4 million euros" in html.text
    assert "Home | About" not in html.text and "<p>" not in html.text


def test_jsonl_documents_keep_given_ids_and_fields(tmp_path):
    rows = [{"id": "a1", "text": "Alpha text.", "title": "Alpha", "url": "https://example.org/a", "published": "2025-01-02"},
            {"id": 7, "text": "Seven text."}]
    (tmp_path / "docs.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    docs = load_paths([tmp_path / "docs.jsonl"], LIMIT).documents
    assert [(d.id, d.title, d.url, d.published) for d in docs] == [
        ("a1", "Alpha", "https://example.org/a", "2025-01-02"), ("7", "Seven text.", None, None)]


def test_malformed_jsonl_line_stops_or_is_skipped(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "ok", "text": "Fine."}\n{"id": "x", "text": \n{"id": "y"}\n')
    with pytest.raises(InputError, match=r"docs.jsonl:2: "):
        load_paths([path], LIMIT)
    result = load_paths([path], LIMIT, on_error="skip")
    assert [d.id for d in result.documents] == ["ok"]
    assert [s.split(": ")[0].rsplit(":", 1)[1] for s in result.skipped] == ["2", "3"]


def test_utf16_with_bom_is_read(tmp_path):
    (tmp_path / "u16.txt").write_bytes(codecs.BOM_UTF16_LE + "Zürich grew by 2%.".encode("utf-16-le"))
    assert load_paths([tmp_path], LIMIT).documents[0].text == "Zürich grew by 2%."


@pytest.mark.parametrize(("name", "data", "message"), [
    ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("empty.txt", b"   \n", "empty"),
    ("data.pdf", b"%PDF-1.4", "not a readable PDF"),
    ("scan.docx", b"PK\x03\x04 not really a zip", "not a readable Word"),
    ("data.xyz", b"text", "unsupported file type"),
])
def test_unusable_files_are_clear_errors(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError, match=message):
        load_paths([tmp_path / name], LIMIT)


def test_missing_path_and_oversized_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_paths([tmp_path / "nope"], LIMIT)
    (tmp_path / "big.txt").write_text("x" * 200)
    with pytest.raises(InputError, match="over the limit"):
        load_paths([tmp_path / "big.txt"], 100)


def test_symlink_out_of_folder_is_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret text outside the corpus.")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "inside.txt").write_text("Inside text.")
    (folder / "link.txt").symlink_to(outside)
    assert [d.id for d in load_paths([folder], LIMIT).documents] == ["inside"]
    assert [d.id for d in load_paths([folder], LIMIT, follow_symlinks=True).documents] == ["inside", "link"]


def test_symlinked_folder_and_symlink_loops(tmp_path):
    """A symlinked folder is entered only with follow_symlinks; loops (a folder linking to itself or
    its parent, a file linking to itself) end, and no file comes twice."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "far.txt").write_text("Far away text.")
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "near.txt").write_text("Near text.")
    (folder / "linked").symlink_to(outside)
    (folder / "sub" / "up").symlink_to(folder)
    (folder / "again").symlink_to(folder / "sub")
    (folder / "self.txt").symlink_to(folder / "self.txt")
    (folder / "broken.txt").symlink_to(tmp_path / "missing.txt")
    assert [d.id for d in load_paths([folder], LIMIT).documents] == ["near"]
    assert sorted(d.id for d in load_paths([folder], LIMIT, follow_symlinks=True).documents) == ["far", "near"]


def test_hidden_files_and_folders_are_skipped(tmp_path):
    """A store kept inside the corpus folder (.citetrail, with its bm25/ids.txt) is never ingested."""
    (tmp_path / ".citetrail" / "bm25").mkdir(parents=True)
    (tmp_path / ".citetrail" / "bm25" / "ids.txt").write_text("doc#0\ndoc#1")
    (tmp_path / ".draft.txt").write_text("Not yet.")
    (tmp_path / "a.txt").write_text("Visible text.")
    assert [d.id for d in load_paths([tmp_path], LIMIT).documents] == ["a"]


def test_file_name_that_is_not_utf8_is_refused(tmp_path):
    """Python hands such a name over with lone surrogates, which Chroma and the output cannot hold."""
    name = os.fsdecode(b"caf\xe9.txt")
    (tmp_path / name).write_text("Text.")
    with pytest.raises(InputError, match="caf\ufffd\\.txt: the file name is not valid UTF-8"):
        load_paths([tmp_path], LIMIT)


@pytest.mark.parametrize(("line", "message"), [
    ('{"id": true, "text": "x"}', "'id' must be a non-empty string or integer"),
    ('{"id": "a", "text": "x", "title": {"a": 1}}', "'title' must be a string"),
    ('{"id": "a", "text": "x", "title": NaN}', "NaN is not valid JSON"),
    ('{"id": "a", "text": "bad \\ud800"}', r"'text' holds a lone surrogate \(\\ud800\)"),
    ('{"id": "a", "text": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
])
def test_jsonl_wrong_types_and_broken_text_name_the_line(tmp_path, line, message):
    (tmp_path / "d.jsonl").write_text('{"id": "ok", "text": "Fine."}\n' + line + "\n")
    with pytest.raises(InputError, match=rf"d\.jsonl:2: {message}"):
        load_paths([tmp_path], LIMIT)


def test_jsonl_keeps_long_integer_ids_and_line_separators_inside_strings(tmp_path):
    rows = [{"id": 10**40, "text": "One\u2028two\x85three."}, {"id": "b", "text": "Plain."}]
    (tmp_path / "d.jsonl").write_bytes(codecs.BOM_UTF8 + "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode())
    docs = load_paths([tmp_path], LIMIT).documents
    assert [(d.id, d.text) for d in docs] == [(str(10**40), "One\u2028two\x85three."), ("b", "Plain.")]
