"""The blind corpora's expected verdicts hold by the numbers.

Each corpus (tests/data/articles, tests/data/formula_corpus) carries its own NumPy script that
re-establishes every expected verdict by finite differences, without importing derive. The
tool's tests compare derive against these verdicts, so the verdicts themselves are checked
here: a script that disagrees with its JSON, or with the numbers, fails the suite.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("corpus", ["articles", "more_articles", "formula_corpus"])
def test_every_expected_verdict_is_established_by_numbers(corpus):
    script = DATA / corpus / "establish.py"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_the_establishing_scripts_do_not_import_the_tool():
    for script in DATA.glob("*/*.py"):
        source = script.read_text()
        assert "import derive" not in source and "from derive" not in source, script
        assert "import codegen" not in source and "from codegen" not in source, script
