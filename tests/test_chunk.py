import itertools

from pipeline.chunk import chunk_document, doc_of, sentence_spans
from pipeline.load import load_paths, make_document


def test_chunks_keep_exact_offsets_and_whole_sentences(corpus_copy):
    for doc in load_paths([corpus_copy], 10**7).documents:
        chunks = chunk_document(doc, chunk_size=400, chunk_overlap=1)
        assert len(chunks) > 2
        for chunk in chunks:
            assert doc.text[chunk.start:chunk.end] == chunk.text
            assert chunk.sentences[0].start == chunk.start and chunk.sentences[-1].end == chunk.end
            for s in chunk.sentences:
                assert chunk.start <= s.start < s.end <= chunk.end
                assert doc.text[s.start:s.end] == doc.text[s.start:s.end].strip()
        # neighbours share the last sentence (unless a chunk is a single sentence); none is lost
        for a, b in itertools.pairwise(chunks):
            if len(a.sentences) > 1:
                assert a.sentences[-1] == b.sentences[0]
            else:
                assert a.end < b.start
        covered = {(s.start, s.end) for c in chunks for s in c.sentences}
        assert covered == {(s.start, s.end) for s in sentence_spans(doc.text)}


def test_sentences_split_on_abbreviations_and_headlines():
    text = "Headline Without Stop\nDr. Smith visited the U.S. in Jan. 2024. He left.\n"
    spans = [text[s.start:s.end] for s in sentence_spans(text)]
    assert spans == ["Headline Without Stop", "Dr. Smith visited the U.S. in Jan. 2024.", "He left."]


def test_run_on_text_is_cut_into_bounded_chunks():
    doc = make_document("long", "long", "mem", "word " * 5000)
    chunks = chunk_document(doc, chunk_size=300, chunk_overlap=0)
    assert max(len(c.text) for c in chunks) <= 600
    assert "".join(c.text for c in chunks).replace(" ", "") == "word" * 5000


def test_chunk_ids_name_their_document_even_with_a_hash_in_it():
    doc = make_document("notes#2024", "t", "mem", "First sentence here. " * 80)
    chunks = chunk_document(doc, chunk_size=300, chunk_overlap=0)
    assert len(chunks) > 1 and {doc_of(c.id) for c in chunks} == {"notes#2024"}
