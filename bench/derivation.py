"""Time the derivation engine: expand, differentiate, substitute back and prove the pattern.

    python bench/derivation.py [--quick]

Prints one table: network, parameters, route, seconds per stage and in total, and
the 3-2-2 article network end to end as a command (process start to output).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from table import print_table  # bench/table.py: the script's folder is on the path

import derive

NETWORKS = [
    ("3-2-2", "sigmoid", "mse", False),
    ("12-12-12", "sigmoid", "mse", False),
    ("32-32-32", "sigmoid", "mse", False),
    ("16-16-16-16", "tanh", "half-mse", True),
    ("64-32-10", "tanh,softmax", "cross-entropy", True),
    ("784-128-10", "sigmoid", "mse", False),
    ("784-128-64-10", "relu,relu,softmax", "cross-entropy", True),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the two 784-input networks")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # measure one network, print JSON
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(*NETWORKS[args.one])))
        return
    rows = []
    for index, (widths, activation, loss, bias) in enumerate(NETWORKS):
        if args.quick and widths.startswith("784"):
            continue
        # each network in a fresh process, so that its peak memory is its own
        result = subprocess.run([sys.executable, __file__, "--one", str(index)], check=True,
                                capture_output=True, text=True)
        m = json.loads(result.stdout)
        rows.append((f"{widths} {activation} {loss}", f"{m['parameters']:,}", m["method"],
                     f"{m['expand']:.2f}", f"{m['differentiate']:.2f}", f"{m['pattern']:.2f}",
                     f"{m['total']:.2f}", f"{m['identities']:,}", f"{m['peak_mib']:.0f}"))
    header = ("network", "parameters", "route", "expand s", "differentiate s", "pattern+proof s",
              "total s", "identities", "peak RSS MiB")
    print_table(header, rows)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "derive", "show", "3-2-2"], check=True, capture_output=True)
    print(f"\n`derive show 3-2-2`, process start to output: {time.perf_counter() - start:.2f} s")


def measure(widths, activation, loss, bias) -> dict:
    arch = derive.Architecture.parse(widths, activation=activation, loss=loss, bias=bias)
    start = time.perf_counter()
    d = derive.derive(arch)
    total = time.perf_counter() - start
    return {"parameters": arch.parameter_count, "method": d.method, **d.timings, "total": total,
            "identities": d.pattern.proof_count,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    main()
