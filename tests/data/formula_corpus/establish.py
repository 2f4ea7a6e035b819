"""Establish every verdict of the formula corpus by numbers (NumPy only; derive is not used).

    python tests/data/formula_corpus/establish.py           # check formulas.json, print the table
    python tests/data/formula_corpus/establish.py --write   # rewrite formulas.json from claims.py

Each formula (claims.py) is evaluated at three random points of its network, and of the
deeper networks it lists when it speaks of a general layer: its left side (a central finite
difference of the forward pass, or a node's value) against its hand-transcribed right side.
"right" needs agreement to 1e-6 (relative) at every point, every index value, every depth.
"wrong" needs a clear difference (1e-3 relative) at two or more of the three points of some
network, or a right side that cannot be formed: products that do not conform (ShapeMismatch,
only for kind "shape"), a symbol out of range (kinds "index"), a label naming a weight that
does not exist (kind "wrong-parameter", after checking which derivative the right side is).
The script exits 1 on any disagreement with the expected verdict or on a malformed entry.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from claims import CLAIMS, Claim  # noqa: E402
from network import Net, Nonexistent, OutOfRange, ShapeMismatch  # noqa: E402

KINDS = ("missing-activation-derivative", "extra-activation-derivative", "derivative-at-wrong-argument",
         "wrong-layer", "index", "transposed", "missing-bias", "wrong-loss", "sign", "factor", "symbol",
         "shape", "wrong-parameter")
NOTATIONS = ("arrows", "layer", "nielsen", "ng", "rows")
LOSSES = ("mse", "half-mse", "mean-mse", "bce", "cross-entropy")
SEEDS = (11, 22, 33)
AGREE, DIFFER = 1e-6, 1e-3


def _pairs(result) -> list[tuple[np.ndarray, np.ndarray]]:
    if isinstance(result, tuple) and len(result) == 2 and not isinstance(result[0], tuple):
        result = [result]
    out = []
    for lhs, rhs in result:
        lhs, rhs = np.asarray(lhs, dtype=float), np.asarray(rhs, dtype=float)
        if lhs.shape != rhs.shape:
            raise ShapeMismatch(f"left side {lhs.shape}, right side {rhs.shape}")
        out.append((lhs, rhs))
    return out


def compare(pairs) -> str:
    """'agree', 'differ' or 'unclear' over every pair (every index value, every layer)."""
    worst = "agree"
    for lhs, rhs in pairs:
        scale = np.abs(lhs).max(initial=0) + np.abs(rhs).max(initial=0)
        gap = np.abs(lhs - rhs).max(initial=0)
        if gap > DIFFER * scale and gap > 1e-8:
            return "differ"
        if gap > AGREE * scale + 1e-9:
            worst = "unclear"
    return worst


def evaluate(c: Claim) -> tuple[str, str, list[str]]:
    """The verdict by numbers, the reason, and the networks checked."""
    networks = [(c.arch, c.activation)] + list(c.depths)
    wrong_reason = ""
    for arch, act in networks:
        outcomes = []
        for seed in SEEDS:
            net = Net(arch, act, c.loss, c.bias, seed, batch=c.batch, batch_mean=c.batch_mean)
            try:
                outcomes.append(compare(_pairs(c.fn(net))))
            except ShapeMismatch as e:
                outcomes.append(f"shape: {e}")
            except OutOfRange as e:
                outcomes.append(f"out of range: {e}")
            except Nonexistent as e:
                outcomes.append(f"no such parameter: {e}")
        special = [o for o in outcomes if o not in ("agree", "differ", "unclear")]
        if special:
            if len(set(special)) != 1 or len(special) != len(SEEDS):
                return "unclear", f"{arch}: {outcomes}", []
            wrong_reason = wrong_reason or f"{arch}: {special[0]}"
        elif outcomes.count("differ") >= 2:
            wrong_reason = wrong_reason or f"{arch}: differs at {outcomes.count('differ')}/3 points"
        elif outcomes != ["agree"] * len(SEEDS):
            return "unclear", f"{arch}: {outcomes}", []
    checked = [a for a, _ in networks]
    return ("wrong", wrong_reason, checked) if wrong_reason else ("right", "agrees everywhere", checked)


def problems_with(c: Claim, verdict: str, reason: str) -> list[str]:
    bad = []
    if verdict != c.verdict:
        bad.append(f"expected {c.verdict}, numbers say {verdict} ({reason})")
    if c.notation not in NOTATIONS or c.loss not in LOSSES:
        bad.append(f"notation {c.notation!r} / loss {c.loss!r} not in the vocabulary")
    if any(k not in KINDS for k in c.kinds) or len(c.kinds) > 2 or len(set(c.kinds)) != len(c.kinds):
        bad.append(f"kinds {c.kinds} not from the vocabulary (at most two)")
    if (c.verdict == "right") == bool(c.kinds):
        bad.append("a right formula has no kinds; a wrong one has one or two")
    if c.general_l and len(c.depths) < 2:
        bad.append("a general-l formula must be checked on at least three depths")
    if not c.why.strip():
        bad.append("no 'why'")
    # the ways of being wrong that are not a numeric difference must match the kinds
    if reason.split(": ", 1)[-1].startswith("shape") != ("shape" in c.kinds) and verdict == "wrong":
        bad.append(f"shape mismatch and kind 'shape' must go together ({reason})")
    if "no such parameter" in reason and "wrong-parameter" not in c.kinds:
        bad.append("a nonexistent label must be kind 'wrong-parameter'")
    if "out of range" in reason and not {"index", "wrong-parameter"} & set(c.kinds):
        bad.append("an index out of range must be kind 'index'")
    return bad


def table(claims: list[Claim]) -> str:
    lines = ["verdicts by notation:"]
    for nt in NOTATIONS:
        here = [c for c in claims if c.notation == nt]
        r = sum(c.verdict == "right" for c in here)
        lines.append(f"  {nt:8} {len(here):3}  right {r:3}  wrong {len(here) - r:3}  general-l {sum(c.general_l for c in here):2}")
    r = sum(c.verdict == "right" for c in claims)
    lines.append(f"  {'all':8} {len(claims):3}  right {r:3}  wrong {len(claims) - r:3}")
    lines.append("wrong formulas by kind (a combination counts under both kinds) and notation:")
    header = "  " + f"{'kind':32}" + "".join(f"{nt:>8}" for nt in NOTATIONS) + f"{'all':>6}"
    lines.append(header)
    counts = Counter((k, c.notation) for c in claims for k in c.kinds)
    for k in KINDS:
        row = [counts[(k, nt)] for nt in NOTATIONS]
        lines.append("  " + f"{k:32}" + "".join(f"{v:8}" for v in row) + f"{sum(row):6}")
    combos = sum(len(c.kinds) == 2 for c in claims)
    lines.append(f"  combinations of two kinds: {combos}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    CLAIMS.sort(key=lambda c: NOTATIONS.index(c.notation) if c.notation in NOTATIONS else len(NOTATIONS))
    records = [c.record() for c in CLAIMS]
    path = HERE / "formulas.json"
    text = json.dumps(records, indent=1, ensure_ascii=False) + "\n"
    if "--write" in argv:
        path.write_text(text)
    failures = []
    ids = [c.id for c in CLAIMS]
    if len(set(ids)) != len(ids):
        failures.append(f"duplicate ids: {[i for i, k in Counter(ids).items() if k > 1]}")
    if not path.exists() or path.read_text() != text:
        failures.append("formulas.json differs from claims.py (run with --write)")
    for c in CLAIMS:
        verdict, reason, checked = evaluate(c)
        bad = problems_with(c, verdict, reason)
        mark = "FAIL" if bad else "ok  "
        print(f"{mark} {c.verdict:5} {c.notation:7} {c.id:45} {reason}"
              + (f"  [depths {', '.join(checked)}]" if len(checked) > 1 else ""))
        failures += [f"{c.id}: {b}" for b in bad]
    print()
    print(table(CLAIMS))
    if failures:
        print("\nDISAGREEMENTS:\n  " + "\n  ".join(failures))
        return 1
    print("\nevery verdict established")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
