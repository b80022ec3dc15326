"""citetrail: check claims against your own corpus, citing the passages that decide."""

import os

# Models come from installed packages, never from a hub: without these a load by name hangs.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pipeline.api import IngestReport, Verifier
from pipeline.batch import ClaimFile, check_claims, read_claims, resume_run, run_batch, start_run
from pipeline.models import CheckResult, Citation, Claim, Run, RunStatus, Verdict
from pipeline.runs import RunStore

__all__ = ["CheckResult", "Citation", "Claim", "ClaimFile", "IngestReport", "Run", "RunStatus", "RunStore", "Verdict", "Verifier",
           "check_claims", "read_claims", "resume_run", "run_batch", "start_run"]
