"""The embedding model at both precisions, and a store that keeps the precision it was built with."""

import numpy as np
import pytest

from pipeline import Verifier
from pipeline.embed import load_embedder
from pipeline.errors import StoreError
from pipeline.models import Verdict

TEXTS = ["Russia wants about 6,000 square kilometres it has not yet conquered.",
         "The warning came just a week after he met with Putin in Alaska.",
         "Aspirin reduces the risk of a first heart attack."]


def test_int8_vectors_are_close_to_fp32_and_do_not_depend_on_the_batch():
    fp32 = np.array(load_embedder("fp32").embed(TEXTS))
    int8 = np.array(load_embedder("int8").embed(TEXTS))
    assert int8.shape == fp32.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)
    cosine = (fp32 * int8).sum(axis=1)
    assert cosine.min() > 0.97, cosine
    # each text is embedded alone: its vector is the same in any batch
    np.testing.assert_array_equal(np.array(load_embedder("int8").embed(TEXTS[1:2]))[0], int8[1])
    # and int8 keeps the neighbourhoods: each text is nearest its own fp32 vector
    assert ((int8 @ fp32.T).argmax(axis=1) == np.arange(3)).all()


def test_a_store_is_searched_at_the_precision_it_was_built_with(tmp_path, corpus_copy):
    """A new store is int8 unless asked otherwise; opened without a precision, a store uses its own."""
    store = tmp_path / "store"
    Verifier.open(store, create=True).ingest([corpus_copy])
    with pytest.raises(StoreError, match="embedding_precision: store has 'int8', asked for 'fp32'"):
        Verifier.open(store, embedding_precision="fp32")
    verifier = Verifier.open(store)
    result = verifier.check("Russia wants about 6,000 square kilometres of Ukraine it has not yet conquered")
    assert result.verdict == Verdict.SUPPORTED and "6,000" in result.citations[0].quote
    assert result.versions.embedding_precision == "int8"


def test_a_store_built_before_the_setting_opens_at_fp32(tmp_path, corpus_copy):
    store = tmp_path / "store"
    verifier = Verifier.open(store, create=True, embedding_precision="fp32")
    verifier.ingest([corpus_copy])
    with verifier.store.writing():
        meta = dict(verifier.store.collection.metadata)
        assert meta.pop("embedding_precision") == "fp32"
        verifier.store.collection.modify(metadata=meta)
    assert "embedding_precision" not in Verifier.open(store).store.collection.metadata
    assert Verifier.open(store).check("Trump met Putin in Alaska").versions.embedding_precision == "fp32"
    with pytest.raises(StoreError, match="embedding_precision: store has 'fp32', asked for 'int8'"):
        Verifier.open(store, embedding_precision="int8")


def test_file_digest_is_the_sha256_of_the_files_bytes(tmp_path):
    import hashlib

    from pipeline.hashing import file_sha256

    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 5000)  # over one read block
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
