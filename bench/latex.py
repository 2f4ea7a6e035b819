"""Time ``derive latex``: derive, build the document, prove every equation, write it.

    python bench/latex.py [--quick]

Prints one table: network, --steps, --wrt, seconds per stage (derive, build, prove, write),
the CPU seconds of the whole, the equations proven and the size of the LaTeX; then the
command itself, process start to file written, for the 4-layer softmax network with one
--wrt element (goal: under 5 s).
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from table import print_table  # bench/table.py: the script's folder is on the path

import derive
from derive.document.build import build_document
from derive.document.notation import notation
from derive.document.render import to_tex

FOUR_LAYER = ("2-3-3-2", "tanh,relu,softmax", "cross-entropy", True)
CASES = [  # (network, --steps, --wrt)
    (("3-2-2", "sigmoid", "mse", False), "named", None),
    (("3-2-2", "sigmoid", "mse", False), "full", None),
    (FOUR_LAYER, "named", ["W1[2,1]"]),
    (FOUR_LAYER, "result", ["W1[2,1]"]),
    (FOUR_LAYER, "full", ["W1[2,1]"]),
]
COMMAND = ["latex", "2-3-3-2", "--activation", "tanh,relu,softmax", "--loss", "cross-entropy", "--bias",
           "--wrt", "W1[2,1]"]
GOAL_SECONDS = 5.0


def measure(network, steps, wrt) -> dict:
    widths, activation, loss, bias = network
    cpu = time.process_time()
    start = time.perf_counter()
    d = derive.derive(derive.Architecture.parse(widths, activation=activation, loss=loss, bias=bias))
    derived = time.perf_counter()
    document = build_document(d, wrt=wrt, steps=steps)
    built = time.perf_counter()
    proofs = document.prove_all()
    proven = time.perf_counter()
    text = to_tex(document, notation("arrows"))
    written = time.perf_counter()
    return {"derive": derived - start, "build": built - derived, "prove": proven - built,
            "write": written - proven, "total": written - start, "cpu": time.process_time() - cpu,
            "proofs": proofs, "kib": len(text.encode()) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip --steps full of the 4-layer network")
    args = parser.parse_args()
    rows = []
    for network, steps, wrt in CASES:
        if args.quick and steps == "full" and network == FOUR_LAYER:
            continue
        m = measure(network, steps, wrt)
        name = f"{network[0]} {network[1]} {network[2]}{' bias' if network[3] else ''}"
        rows.append((name, steps, ",".join(wrt or ["default"]), f"{m['derive']:.2f}", f"{m['build']:.2f}",
                     f"{m['prove']:.2f}", f"{m['write']:.2f}", f"{m['total']:.2f}", f"{m['cpu']:.2f}",
                     f"{m['proofs']:,}", f"{m['kib']:.0f}"))
    print_table(("network", "steps", "wrt", "derive s", "build s", "prove s", "write s", "total s", "cpu s",
                 "proofs", "LaTeX KiB"), rows)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "d.tex"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "derive", *COMMAND, "-o", str(out)], check=True, capture_output=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    verdict = "within" if seconds < GOAL_SECONDS else "OVER"
    print(f"\n`derive {' '.join(COMMAND)}`, process start to file written: {seconds:.2f} s, "
          f"{cpu:.2f} s of CPU ({verdict} the {GOAL_SECONDS:.0f} s goal; on a loaded machine the CPU "
          "seconds are the fairer measure)")


if __name__ == "__main__":
    main()
