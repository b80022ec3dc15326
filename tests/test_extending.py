"""docs/extending.md runs as written: its Python blocks in order, from the repository root."""

import re
import tempfile

from pipeline.models import Verdict
from tests.conftest import ROOT

GUIDE = ROOT / "docs" / "extending.md"


def test_the_extending_guide_runs_and_does_what_it_says(monkeypatch, capsys, tmp_path):
    blocks = re.findall(r"^```python\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), flags=re.S | re.M)
    assert len(blocks) == 4
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the guide's work folder, removed with the test's
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(GUIDE), "exec"), namespace)
    printed = capsys.readouterr().out
    overlap = namespace["overlap_result"]
    assert overlap.versions.verifier_model == "overlap-baseline" and overlap.verdict == Verdict.SUPPORTED
    assert "Alaska" in overlap.citations[0].quote
    assert namespace["report"].added == ["summit-notes"]
    assert namespace["summit"].citations[0].doc_id == "summit-notes"
    assert [r.verdict for r in namespace["checked"]] == [Verdict.SUPPORTED, Verdict.NOT_ENOUGH_INFO]
    # the output the guide shows, in its comments
    for shown in re.findall(r"^# (\S.*)$", "\n".join(blocks), flags=re.M):
        assert shown in printed, shown
