"""Time ``derive show`` on deep and wide networks, and ``derive audit`` of a 10 MB article:
wall time and peak memory per run.

    python bench/scale.py

Each row is one derive command in a fresh process, so the time includes the interpreter
start and the SymPy import (about 0.7 s here), and the peak resident memory is that
process's own. A refusal is a row too: the time to the one-line message.
"""
from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def chain(depth: int, width: int = 2) -> str:
    return "-".join([str(width)] * depth)


ARTICLE = Path(tempfile.mkdtemp()) / "article-10mb.md"

RUNS = [
    ("show: 200 layers, width 2", ["show", chain(200)]),
    ("show: 16 layers, width 2", ["show", chain(16)]),
    ("show: 1000 layers, width 2", ["show", chain(1000)]),
    ("show: 40-40-40-40-40-40-40-40", ["show", "40-40-40-40-40-40-40-40"]),
    ("show: 3000-3000-10 (9M parameters)", ["show", "3000-3000-10"]),
    ("show: 100000-100000-10", ["show", "100000-100000-10"]),
    ("audit: 10 MB article (3-2-2)", ["audit", str(ARTICLE), "--arch", "3-2-2"]),
]


def write_article() -> None:
    """derive's own 3-2-2 Markdown document, with a wrong copy of each display, repeated to 10 MB."""
    from derive.cli import main as derive_main

    one = ARTICLE.with_name("one.md")
    with contextlib.redirect_stdout(io.StringIO()):
        derive_main(["latex", "3-2-2", "--format", "md", "-o", str(one), "--quiet"])
    text = one.read_text()
    text += text.replace("y_{1}", "y_{2}")
    ARTICLE.write_text(text * (10_000_000 // len(text) + 1))


# The child runs the command in-process with its output captured, then reports its own
# peak resident memory (ru_maxrss of RUSAGE_SELF, KB on Linux) as the last line.
_CHILD = """
import contextlib, io, json, resource, sys
from derive.cli import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    status = main([*sys.argv[1:], "--quiet"])
lines = (out.getvalue() if status in (0, 1) else err.getvalue()).strip().splitlines()
print(json.dumps({"status": status, "lines": len(lines), "first": lines[0] if lines else "",
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def measure(argv: list[str]) -> dict:
    """One derive command in a fresh process: seconds (start to exit), peak MB, status, outcome."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _CHILD, *argv], capture_output=True, text=True,
                            timeout=900, check=False)
    seconds = time.perf_counter() - start
    report = json.loads(result.stdout.strip().splitlines()[-1])
    outcome = f"{report['lines']:,} lines printed" if report["status"] in (0, 1) else report["first"][:72]
    return {"seconds": seconds, "peak_mb": report["peak_kb"] / 1024, "status": report["status"],
            "outcome": outcome}


def main() -> None:
    write_article()
    print(f"{'derive':38} {'seconds':>8} {'peak MB':>8} {'exit':>5}  outcome")
    for label, argv in RUNS:
        row = measure(argv)
        print(f"{label:38} {row['seconds']:8.2f} {row['peak_mb']:8.0f} {row['status']:>5}  {row['outcome']}")


if __name__ == "__main__":
    main()
