"""schema.org ClaimReview JSON-LD for a run's verdicts: the format fact-checkers publish in.

Each verdict becomes one ClaimReview: the claim as `itemReviewed` with the cited documents as its
`appearance`, a `reviewRating` on a 1-5 scale mapped from the verdict (with the rule and quotes as
its explanation), and an author and body that say plainly it is an automated review by citetrail,
with the version, so nobody mistakes it for a person's fact-check.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from pipeline.models import CheckResult, Run, Verdict

# verdict -> (ratingValue on 1..5, alternateName); NOT_ENOUGH_INFO has no place on the scale
RATINGS: dict[Verdict, tuple[int | None, str]] = {
    Verdict.SUPPORTED: (5, "Supported by the cited sources"),
    Verdict.CONFLICTING: (3, "Conflicting sources"),
    Verdict.REFUTED: (1, "Refuted by the cited sources"),
    Verdict.NOT_ENOUGH_INFO: (None, "Not enough information in the corpus"),
}


def claim_review(result: CheckResult, run: Run | None = None) -> dict:
    """One verdict as a ClaimReview object (JSON-LD)."""
    version = result.versions.citetrail
    value, name = RATINGS[result.verdict]
    rating: dict = {"@type": "Rating", "alternateName": name, "bestRating": 5, "worstRating": 1}
    if value is not None:
        rating["ratingValue"] = value
    quotes = "; ".join(f"{c.title} ({c.stance.value}): \"{c.quote}\"" for c in result.citations)
    rating["ratingExplanation"] = f"{result.rule}." + (f" Cited: {quotes}" if quotes else "")
    urls = {c.chunk.doc_id: c.url for c in result.trail.candidates if c.url} if result.trail else {}
    appearances, seen = [], set()
    for c in result.citations:
        if c.doc_id in seen:
            continue
        seen.add(c.doc_id)
        work: dict = {"@type": "CreativeWork", "name": c.title, "identifier": c.doc_id}
        url = urls.get(c.doc_id) or c.source
        if urlsplit(url).scheme in ("http", "https"):
            work["url"] = url
        appearances.append(work)
    review: dict = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": result.claim.text,
        "itemReviewed": {"@type": "Claim", "text": result.claim.text, "appearance": appearances},
        "reviewRating": rating,
        "reviewBody": f"Automated review by citetrail {version}, not checked by a person: {result.verdict.value} "
                      f"(confidence {result.confidence:.2f}). {result.rule}.",
        "author": {"@type": "Organization", "name": "citetrail (automated claim verification)"},
        "isBasedOn": {"@type": "SoftwareApplication", "name": "citetrail", "softwareVersion": version,
                      "applicationCategory": "automated fact-checking"},
        "identifier": result.claim.id,
    }
    if result.claim.speaker:
        review["itemReviewed"]["author"] = {"@type": "Person", "name": result.claim.speaker}
    if run is not None:
        review["datePublished"] = (run.finished or run.created).date().isoformat()
        review["identifier"] = f"{run.id}/{result.claim.id}"
    return review


def claim_reviews(run: Run, results: list[CheckResult]) -> list[dict]:
    return [claim_review(r, run) for r in results]


def claimreview_json(run: Run, results: list[CheckResult]) -> str:
    """The run's ClaimReviews as one JSON-LD array, ready to publish or import."""
    return json.dumps(claim_reviews(run, results), indent=2, ensure_ascii=False) + "\n"
