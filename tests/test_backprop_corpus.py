"""An independent corpus of hand-written backprops in the conventions real code uses.

tests/data/backprops/conventions/ was written by a session that never saw derive's checker:
each file imitates a public convention (named in its docstring), and corpus.json gives the
expected exit status and mistake IDs, established by hand and by numbers (establish.py:
central differences of an independent forward pass, the file's gradients converted by
hand-written adapters, each named mistake reproduced to 1e-16). Every file is checked here
with options only, no adapter.
"""
import json
from pathlib import Path

import pytest

from derive.cli import main

CORPUS = Path(__file__).parent / "data" / "backprops" / "conventions"
CASES = json.loads((CORPUS / "corpus.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_the_verdict_and_the_named_mistakes_are_the_established_ones(case, capsys):
    target = f"{CORPUS / case['file']}:{case['target']}"
    status = main(["check-code", target, *case["argv"], "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert status == case["expected_exit"], report
    assert sorted(report["causes"]) == sorted(case["expected_causes"]), report
    wrong = sorted(p["name"] for p in report["parameters"] if not p["right"])
    assert wrong == sorted(case["wrong_parameters"]), report
