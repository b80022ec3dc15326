"""Any labelled claim set against any corpus: verdict accuracy, macro-F1, confusion, citation accuracy.

    citetrail eval claims eval/data/sample_claims.jsonl --corpus corpus/ [--out eval/reports]

Claims: one JSON object a line, `{"id", "claim", "label": SUPPORTED|REFUTED|CONFLICTING|NOT_ENOUGH_INFO,
"evidence": [{"doc_id", "quote"}]}` (evidence optional). The corpus (a folder or JSONL, doc ids as
citetrail assigns them: file stems or given ids) is ingested into a store under build/ keyed by its
content. Citation accuracy: the share of SUPPORTED/REFUTED claims whose verdict is right and one of
whose citations overlaps a gold quote.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline import Verifier
from pipeline.errors import InputError
from pipeline.evaluation.verdicts import VERDICTS, verdict_metrics
from pipeline.load import load_paths
from pipeline.models import CheckResult, Claim, Stance


def load_claim_set(path: Path) -> list[dict]:
    rows = []
    if not path.is_file():
        raise InputError(f"no such claim file: {path}")
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
        if row.get("label") not in VERDICTS or not str(row.get("claim", "")).strip():
            raise InputError(f"{path}:{lineno}: needs 'claim' and a 'label' among {VERDICTS}")
        row.setdefault("id", str(lineno))
        rows.append(row)
    return rows


def cites_gold(result: CheckResult, evidence: list[dict], texts: dict[str, str]) -> bool:
    for ev in evidence:
        text = texts.get(ev["doc_id"], "")
        start = text.find(ev["quote"])
        if start < 0:
            continue
        end = start + len(ev["quote"])
        if any(c.doc_id == ev["doc_id"] and c.start < end and start < c.end for c in result.citations):
            return True
    return False


def non_evidence_stances(claims: list[dict], results: list[CheckResult], texts: dict[str, str]) -> dict:
    """Judged sentences that overlap no gold quote of their claim: how many there were, how many the verifier
    read (relevant), and the share of each read as refuting or supporting the claim. Claims without gold
    evidence (NOT_ENOUGH_INFO) count too: every sentence judged for them is non-evidence."""
    judged = read = refuting = supporting = 0
    for row, res in zip(claims, results, strict=True):
        gold = []
        for ev in row.get("evidence", []):
            start = texts.get(ev["doc_id"], "").find(ev["quote"])
            if start >= 0:
                gold.append((ev["doc_id"], start, start + len(ev["quote"])))
        for j in res.trail.judgements if res.trail else []:
            if any(d == j.doc_id and j.start < e and s < j.end for d, s, e in gold):
                continue
            judged += 1
            read += j.probabilities is not None
            refuting += j.stance == Stance.REFUTES
            supporting += j.stance == Stance.SUPPORTS
    return {"judged": judged, "read_by_verifier": read, "refuting_share": round(refuting / judged, 4) if judged else None,
            "supporting_share": round(supporting / judged, 4) if judged else None}


def open_corpus(corpus: list[Path], stores: Path) -> tuple[Verifier, dict[str, str]]:
    """A store holding the corpus (made once, keyed by its documents' content and where they were read from:
    the same files from another folder would otherwise be added to the store again under new ids, and their
    copies crowd retrieval) and the documents' texts by id."""
    docs = load_paths(corpus, 50_000_000).documents
    digest = hashlib.sha256("".join(sorted(d.id + d.source + d.content_hash for d in docs)).encode()).hexdigest()[:12]
    verifier = Verifier.open(stores / f"claims-{digest}", create=True)
    verifier.ingest_documents(docs)
    return verifier, {d.id: d.text for d in docs}


def evaluate(claims: list[dict], corpus: list[Path], stores: Path) -> dict:
    verifier, texts = open_corpus(corpus, stores)
    results = verifier.check_many([Claim(id=str(r["id"]), text=r["claim"]) for r in claims], trail=True)
    return metrics(claims, results, texts)


def metrics(claims: list[dict], results: list[CheckResult], texts: dict[str, str]) -> dict:
    """Verdict metrics, citation accuracy, accuracy per REFUTED kind and the non-evidence stances of one claim set."""
    gold = [r["label"] for r in claims]
    report = verdict_metrics(gold, [r.verdict.value for r in results], [r.confidence for r in results])
    decisive = [(row, res) for row, res in zip(claims, results, strict=True)
                if row["label"] in ("SUPPORTED", "REFUTED") and row.get("evidence")]
    report["citation_accuracy"] = round(sum(res.verdict.value == row["label"] and cites_gold(res, row["evidence"], texts)
                                            for row, res in decisive) / len(decisive), 4) if decisive else None
    kinds: dict[str, list[bool]] = {}
    for row, res in zip(claims, results, strict=True):
        if row["label"] == "REFUTED" and row.get("kind"):
            kinds.setdefault(row["kind"], []).append(res.verdict.value == "REFUTED")
    report["refuted_by_kind"] = {k: {"n": len(v), "accuracy": round(sum(v) / len(v), 4)} for k, v in sorted(kinds.items())}
    report["non_evidence"] = non_evidence_stances(claims, results, texts)
    report["per_claim"] = [{"id": row["id"], "claim": row["claim"], "gold": row["label"], "kind": row.get("kind"),
                            "verdict": res.verdict.value, "rule_id": res.rule_id, "confidence": res.confidence,
                            "top_quote": res.citations[0].quote if res.citations else None}
                           for row, res in zip(claims, results, strict=True)]
    report["versions"] = results[0].versions.model_dump() if results else {}
    return report


def run(claims: Path, corpus: list[Path], stores: Path, name: str | None, reports: Path) -> dict:
    """Evaluate and write `<reports>/<name>.json` (name: the claim file's stem unless given)."""
    report = evaluate(load_claim_set(claims), corpus, stores)
    reports.mkdir(parents=True, exist_ok=True)
    (reports / f"{name or claims.stem}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    return report


def summary(report: dict) -> str:
    lines = [f"{'ok ' if r['gold'] == r['verdict'] else 'XX '}{r['gold']:<16} {r['verdict']:<16} {r['confidence']:.2f}  {r['claim']}"
             for r in report["per_claim"]]
    keys = ("n", "accuracy", "macro_f1", "citation_accuracy", "ece", "confusion", "refuted_by_kind", "non_evidence")
    return "\n".join(lines) + "\n" + json.dumps({k: report[k] for k in keys}, indent=1)

