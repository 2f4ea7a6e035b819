"""Time ``derive show`` on deep and wide networks: wall time and peak memory per run.

    python bench/scale.py

Each row is one ``derive show`` in a fresh process, so the time includes the interpreter
start and the SymPy import (about 0.7 s here), and the peak resident memory is that
process's own. A refusal is a row too: the time to the one-line message.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time


def chain(depth: int, width: int = 2) -> str:
    return "-".join([str(width)] * depth)


RUNS = [
    ("200 layers, width 2", [chain(200)]),
    ("16 layers, width 2", [chain(16)]),
    ("1000 layers, width 2", [chain(1000)]),
    ("40-40-40-40-40-40-40-40", ["40-40-40-40-40-40-40-40"]),
    ("3000-3000-10 (9M parameters)", ["3000-3000-10"]),
    ("100000-100000-10", ["100000-100000-10"]),
]


# The child runs the command in-process with its output captured, then reports its own
# peak resident memory (ru_maxrss of RUSAGE_SELF, KB on Linux) as the last line.
_CHILD = """
import contextlib, io, json, resource, sys
from derive.cli import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    status = main(["show", *sys.argv[1:], "--quiet"])
lines = (out.getvalue() if status == 0 else err.getvalue()).strip().splitlines()
print(json.dumps({"status": status, "lines": len(lines), "first": lines[0] if lines else "",
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def measure(argv: list[str]) -> dict:
    """One ``derive show`` in a fresh process: seconds (start to exit), peak MB, status, outcome."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _CHILD, *argv], capture_output=True, text=True,
                            timeout=900, check=True)
    seconds = time.perf_counter() - start
    report = json.loads(result.stdout.strip().splitlines()[-1])
    outcome = f"{report['lines']:,} lines printed" if report["status"] == 0 else report["first"][:72]
    return {"seconds": seconds, "peak_mb": report["peak_kb"] / 1024, "status": report["status"],
            "outcome": outcome}


def main() -> None:
    print(f"{'derive show of':32} {'seconds':>8} {'peak MB':>8} {'exit':>5}  outcome")
    for label, argv in RUNS:
        row = measure(argv)
        print(f"{label:32} {row['seconds']:8.2f} {row['peak_mb']:8.0f} {row['status']:>5}  {row['outcome']}")


if __name__ == "__main__":
    main()
