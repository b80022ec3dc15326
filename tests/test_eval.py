"""The evaluation harness on real data: the hand-written sample claim set and a SciFact slice."""

import json

import pytest

from eval import claims_eval, scifact_eval
from eval.scifact import load_corpus
from eval.verdicts import VERDICTS
from pipeline.load import load_paths
from tests.conftest import CORPUS, ROOT, SHARED

SAMPLE_CLAIMS = ROOT / "eval" / "data" / "sample_claims.jsonl"
SCIFACT = SHARED / "eval" / "scifact"


def test_sample_claim_set_is_well_formed():
    rows = claims_eval.load_claim_set(SAMPLE_CLAIMS)
    texts = {d.id: d.text for d in load_paths([CORPUS], 10**7).documents}
    assert len(rows) >= 30 and {r["label"] for r in rows} == set(VERDICTS)
    for row in rows:
        for ev in row.get("evidence", []):
            assert ev["quote"] in texts[ev["doc_id"]], row["id"]


def test_claims_eval_scores_the_sample_set(tmp_path):
    report = claims_eval.evaluate(claims_eval.load_claim_set(SAMPLE_CLAIMS), [CORPUS], tmp_path)
    assert report["n"] == 35
    assert sum(sum(row.values()) for row in report["confusion"].values()) == 35
    assert report["accuracy"] == pytest.approx(sum(r["gold"] == r["verdict"] for r in report["per_claim"]) / 35, abs=1e-4)
    assert report["accuracy"] >= 0.5  # measured: see eval/reports/sample_claims.json
    assert 0.0 <= report["citation_accuracy"] <= 1.0


@pytest.mark.slow
@pytest.mark.skipif(not SCIFACT.exists(), reason="../shared/eval/scifact is not beside the project")
def test_scifact_harness_on_a_slice(tmp_path):
    """A 200-abstract slice holding the gold abstracts of the first 15 dev claims."""
    data = tmp_path / "scifact"
    data.mkdir()
    claims = [json.loads(line) for line in (SCIFACT / "claims_dev.jsonl").read_text().splitlines()[:15]]
    need = {int(d) for c in claims for d in [*c["evidence"], *c["cited_doc_ids"]]}
    rows = [json.loads(line) for line in (SCIFACT / "corpus.jsonl").read_text().splitlines()]
    keep = [r for r in rows if r["doc_id"] in need] + [r for r in rows if r["doc_id"] not in need][:200 - len(need)]
    (data / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in keep))
    (data / "claims_dev.jsonl").write_text("".join(json.dumps(c) + "\n" for c in claims))
    report = scifact_eval.run("dev", data, tmp_path / "stores", reports=tmp_path / "reports")
    assert (tmp_path / "reports" / "scifact_dev_reliability.png").stat().st_size > 1000
    assert report["claims"] == 15
    assert set(report["official"]) >= {"abstract_rationalized_f1", "sentence_label_f1"}
    assert report["retrieval"]["hit@10"] >= 0.9
    assert set(report["oracle_retrieval"]["official"]) == set(report["official"])
    assert "oracle retrieval" in (tmp_path / "reports" / "scifact_dev.md").read_text()
    docs, spans = load_corpus(data)
    # every SciFact sentence span is an exact line of the document text
    for doc in docs[:20]:
        for span in spans[doc.id]:
            assert "\n" not in doc.text[span.start:span.end]


def test_extraction_gold_set_is_well_formed():
    from eval import extraction_eval

    gold = extraction_eval.load_gold(extraction_eval.GOLD)
    docs = {d.id for d in load_paths([CORPUS], 10**7).documents}
    assert set(gold) == docs and sum(len(rows) for rows in gold.values()) >= 40
    speakers = [r["speaker"] for rows in gold.values() for r in rows if r.get("speaker")]
    assert "J.D. Vance" in speakers and "JD Vance" in speakers


def test_extraction_matching_needs_entailment_both_ways():
    from eval import extraction_eval
    from pipeline.extract import extract_claims

    claims = extract_claims("Russia invaded Ukraine in 2022. The Eiffel Tower is in Paris.").checkable()
    gold = [{"claim": "Russia invaded Ukraine in 2022.", "speaker": None}, {"claim": "Brazil won the 2002 World Cup."}]
    result = extraction_eval.evaluate_doc(gold, claims, extraction_eval.THRESHOLD)
    assert (result["gold"], result["extracted"], result["gold_matched"], result["extracted_matched"]) == (2, 2, 1, 1)
    assert [p["matched"] for p in result["per_gold"]] == [True, False]
    assert result["unmatched_extracted"] == ["The Eiffel Tower is in Paris."]
