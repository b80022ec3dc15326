from collections import Counter

import numpy as np
import pytest

from pipeline import Verifier
from pipeline.chunk import chunk_document
from pipeline.errors import StoreError
from pipeline.load import make_document
from pipeline.store import ChunkStore


def chunk_ids_by_doc(verifier: Verifier) -> Counter:
    _, _, metas = verifier.store.all_chunks()
    return Counter(m["doc_id"] for m in metas)


def test_incremental_ingest_replace_and_prune(tmp_path, corpus_copy):
    store = tmp_path / "store"
    v = Verifier.open(store, create=True)
    first = v.ingest([corpus_copy])
    assert sorted(first.added) == ["vance-russia-softening-demands", "vance-talks-narrowed-to-core-issues"]
    counts = chunk_ids_by_doc(v)
    fingerprint = first.fingerprint

    again = v.ingest([corpus_copy])
    assert again.added == [] and again.chunks_written == 0 and len(again.unchanged) == 2
    assert again.fingerprint == fingerprint and chunk_ids_by_doc(v) == counts

    # A changed document is replaced, never duplicated: a shorter text leaves fewer chunks.
    changed = corpus_copy / "vance-talks-narrowed-to-core-issues.txt"
    changed.write_text("Talks narrowed to two issues, Vance said. Nothing else changed.\n")
    third = v.ingest([corpus_copy])
    assert third.updated == ["vance-talks-narrowed-to-core-issues"]
    assert chunk_ids_by_doc(v)["vance-talks-narrowed-to-core-issues"] == 1
    assert third.fingerprint != fingerprint
    ids, texts, _ = v.store.all_chunks()
    assert len(ids) == len(set(ids)) and sum("Talks narrowed" in t for t in texts) == 1

    # --prune removes documents whose files are gone, and only those.
    changed.unlink()
    fourth = v.ingest([corpus_copy], prune=True)
    assert fourth.removed == ["vance-talks-narrowed-to-core-issues"]
    assert set(chunk_ids_by_doc(v)) == {"vance-russia-softening-demands"}


def test_a_changed_date_or_title_is_written_again_though_the_text_is_not(tmp_path):
    """Front matter is not the text: a corrected date must reach the store (the verifier reads it), not be skipped."""
    doc = tmp_path / "docs" / "rates.md"
    doc.parent.mkdir()
    body = "The committee kept its target rate at 5.25 percent.\n"
    doc.write_text(f"---\ntitle: Rates held\ndate: 2007-06-28\n---\n{body}")
    v = Verifier.open(tmp_path / "store", create=True)
    first = v.ingest([doc.parent])
    assert v.ingest([doc.parent]).unchanged == first.added == ["rates"]
    doc.write_text(f"---\ntitle: Rates held\ndate: 2007-08-07\n---\n{body}")
    again = v.ingest([doc.parent])
    assert again.updated == ["rates"] and again.fingerprint != first.fingerprint
    _, _, metas = v.store.all_chunks()
    assert {m["published"] for m in metas} == {"2007-08-07"} and len(metas) == 1


def test_store_refuses_other_chunker_settings(tmp_path, corpus_copy):
    store = tmp_path / "store"
    Verifier.open(store, create=True).ingest([corpus_copy])
    with pytest.raises(StoreError, match=r"other settings.*chunker_chunk_size"):
        Verifier.open(store, chunk_size=300)


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no corpus ingested"):
        Verifier.open(tmp_path / "none")
    assert not (tmp_path / "none").exists()


def test_interrupted_replace_is_repaired_on_next_ingest(tmp_path, corpus_copy):
    """Simulate a crash between writing new chunks and deleting old ones: the next ingest repairs it."""
    store = tmp_path / "store"
    v = Verifier.open(store, create=True)
    v.ingest([corpus_copy])
    doc_id = "vance-russia-softening-demands"
    first_id = f"{doc_id}#0"
    meta = v.store.collection.get(ids=[first_id], include=["metadatas"])["metadatas"][0]
    v.store.collection.update(ids=[first_id], metadatas=[{**meta, "doc_hash": "0" * 64}])
    assert not v.store.document_state()[doc_id]["complete"]
    report = v.ingest([corpus_copy])
    assert report.updated == [doc_id]
    assert v.store.document_state()[doc_id]["complete"]


def test_a_document_larger_than_one_chroma_batch_is_written_and_replaced_whole(tmp_path):
    """Chroma takes at most get_max_batch_size() records a call (5461 in 1.5.9); a longer document
    (allowed up to max_chunks_per_document) is written in several calls, and shrinking it deletes
    its old chunks in several calls too. Random vectors stand in for embeddings: only Chroma is tested."""
    store = ChunkStore(tmp_path / "store", "citetrail", {"splitter": "test"}, create=True)
    limit = store.collection._client.get_max_batch_size()
    text = " ".join(f"Sentence {i} is long enough to fill a whole chunk of text alone." for i in range(limit + 9))
    doc = make_document("big", "Big", "mem", text)
    chunks = chunk_document(doc, 100, 0)
    assert len(chunks) > limit
    vectors = list(np.random.default_rng(0).normal(size=(len(chunks), 384)).astype(np.float32))
    with store.writing():
        store.put_documents([(doc, chunks)], vectors)
    assert store.count() == len(chunks) and store.document_state()["big"]["complete"]
    small = make_document("big", "Big", "mem", "Only one sentence now.")
    with store.writing():
        store.put_documents([(small, chunk_document(small, 100, 0))], vectors[:1])
    assert store.count() == 1 and store.document_state()["big"]["complete"]


def test_copies_of_one_text_take_one_retrieval_slot(tmp_path):
    """A press release and its word-for-word repost crowd out nothing: the retriever keeps one of them."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    release = "The York plant employs 945 people. It opened in 1998 and makes brake parts for trucks."
    (corpus / "release.txt").write_text(release)
    (corpus / "repost.txt").write_text(release)
    (corpus / "other.txt").write_text("The Leeds plant employs 210 people and makes axles for trucks.")
    v = Verifier.open(tmp_path / ".citetrail", create=True)
    v.ingest([corpus])
    [hits] = v.retriever.retrieve(["How many people does the York plant employ?"])
    texts = [h.chunk.text for h in hits]
    assert len(texts) == len(set(texts)) == 2 and [h.rank for h in hits] == [1, 2]
    assert any("Leeds" in t for t in texts)
