"""`citetrail verify RUN`: each citation re-read from its source (text files, JSONL lines, PDF pages), telling a quote
that still stands from one that moved or is gone, by its span and the document's content hash."""

import json

from pipeline import Verifier
from pipeline.load import content_hash
from tests.conftest import citetrail
from tests.pdf_maker import make_pdf

FERRY = "Harbour ferry news\n\nThe Harbour ferry carries 5,000 passengers a day. The ferry terminal opened in 1988.\n"


def test_verify_tells_unchanged_moved_gone_and_unreadable(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ferry.txt").write_text(FERRY)
    (corpus / "pier.pdf").write_bytes(make_pdf([["Pier report"], ["The northern pier is 120 metres long."]]))
    (corpus / "rows.jsonl").write_text(json.dumps({"id": "bridge", "text": "The old bridge was closed in 2019."}) + "\n")
    store = tmp_path / "store"
    assert citetrail("ingest", "--store", str(store), str(corpus)).returncode == 0
    claims = tmp_path / "claims.txt"
    claims.write_text("The Harbour ferry carries 5,000 passengers a day.\nThe northern pier is 120 metres long.\n"
                      "The old bridge was closed in 2019.\n")
    proc = citetrail("batch", str(claims), "--store", str(store))
    assert proc.returncode == 0, proc.stderr
    run_id = proc.stdout.split()[1].rstrip(":")
    results = Verifier.open(store).runs.results(run_id)
    cited = {c.doc_id: c for r in results for c in r.citations}
    assert {"ferry", "pier", "bridge"} <= cited.keys()
    assert cited["ferry"].doc_hash == content_hash((corpus / "ferry.txt").read_text()) and cited["pier"].page == 2

    proc = citetrail("verify", run_id, "--store", str(store), "--json")
    assert proc.returncode == 0, proc.stderr
    assert {c["status"] for c in json.loads(proc.stdout)} == {"unchanged"}

    (corpus / "ferry.txt").write_text("Updated: " + (corpus / "ferry.txt").read_text())  # every offset moves by 9
    (corpus / "rows.jsonl").write_text(json.dumps({"id": "bridge", "text": "The old bridge reopened in 2021."}) + "\n")
    (corpus / "pier.pdf").unlink()
    checks = {c.doc_id: c for c in Verifier.open(store).verify(run_id)}
    ferry = cited["ferry"]
    assert checks["ferry"].status == "moved" and checks["ferry"].hash_matches is False
    assert (checks["ferry"].found_start, checks["ferry"].found_end) == (ferry.start + 9, ferry.end + 9)
    assert checks["bridge"].status == "gone"
    assert checks["pier"].status == "unreadable" and "pier.pdf: cannot read: No such file" in checks["pier"].detail
    proc = citetrail("verify", run_id, "--store", str(store))
    assert proc.returncode == 1 and "moved" in proc.stdout and "gone" in proc.stdout, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith(f"{len(checks)} citations: ")
