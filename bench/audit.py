"""Time ``derive audit`` of an article of 300 distinct equations (issue 11: under 60 s).

    python bench/audit.py

The article is generated: for every weight of a 7-6-4 sigmoid network with the squared error,
∂MSE/∂w written in the named quantities (the derivation's short form, printed in the article
notation) with its factors in up to four orders, each right and with one label mistaken (y_1 for
y_2 or back, in the first order only: about a fifth of the equations are wrong, each diagnosed), the forward pass of every
node, ∂MSE/∂z = δ and ∂MSE/∂x for the outputs; the audit runs in this process and the table
gives the verdict counts and the wall time.
"""
from __future__ import annotations

import contextlib
import io
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from derive import naming
from derive.architecture import Architecture
from derive.cli import main
from derive.derivation import derive

ARCH = "7-6-4"
EQUATIONS = 300


def _orders(expr) -> list[str]:
    """The product ``expr`` printed with its factors in up to four different orders."""
    factors = list(expr.args) if expr.is_Mul else [expr]
    texts = []
    for order in itertools.islice(itertools.permutations(factors), 4):
        texts.append(r" \cdot ".join(sp.latex(f) if not f.is_Add else rf"\left({sp.latex(f)}\right)" for f in order))
    return texts


def article() -> str:
    d = derive(Architecture.parse(ARCH))
    net = d.network
    equations = []
    for layer in sorted(net.weights):
        for i, row in enumerate(net.weights[layer], start=1):
            for j, _ in enumerate(row, start=1):
                short = d.partial(f"W{layer}", i, j, short=True)
                left = rf"\frac{{\partial MSE}}{{\partial {naming.latex_name(naming.weight(layer, i, j).name)}}}"
                terms = list(short.args) if short.is_Add else [short]
                for k, text in enumerate(_orders(sp.Add(*terms) if len(terms) > 1 else terms[0])):
                    equations.append(f"{left} = {text}")
                    if k == 0:
                        wrong = text.replace("y_{1}", "y_{2}") if "y_{1}" in text else text.replace("y_{2}", "y_{1}")
                        equations.append(f"{left} = {wrong}")
    for layer in range(2, net.arch.depth + 1):
        for i, z in enumerate(net.preactivations[layer], start=1):
            equations.append(f"{naming.latex_name(naming.node(layer, i).name)} = \\sigma\\left("
                             f"{sp.latex(net.definitions[z])}\\right)")
    for layer in range(2, net.arch.depth + 1):
        for i in range(1, net.arch.widths[layer - 1] + 1):
            z = naming.latex_name(naming.preactivation(layer, i).name)
            equations.append(rf"\frac{{\partial MSE}}{{\partial {z}}} = \delta_{{{i}}}^{{({layer})}}")
    for i, x in enumerate(net.outputs, start=1):
        equations.append(rf"\frac{{\partial MSE}}{{\partial {naming.latex_name(x.name)}}} = "
                         rf"2 \left({naming.latex_name(x.name)} - y_{{{i}}}\right)")
    equations = list(dict.fromkeys(equations))[:EQUATIONS]
    return "\n\n".join(f"Step {k}:\n\n$$\n{e}\n$$" for k, e in enumerate(equations, start=1)) + "\n"


def run() -> None:
    path = Path(tempfile.mkdtemp()) / "article-300.md"
    text = article()
    path.write_text(text)
    start = time.perf_counter()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["audit", str(path), "--arch", ARCH, "--format", "json"])
    seconds = time.perf_counter() - start
    items = json.loads(out.getvalue())["items"]
    counts = {v: sum(i["verdict"] == v for i in items) for v in ("right", "wrong", "undecided", "skipped")}
    print(f"{'article':<28}{'equations':>10}{'right':>7}{'wrong':>7}{'undecided':>10}{'skipped':>8}{'seconds':>9}"
          f"{'exit':>6}")
    print(f"{path.name:<28}{text.count('$$') // 2:>10}{counts['right']:>7}{counts['wrong']:>7}"
          f"{counts['undecided']:>10}{counts['skipped']:>8}{seconds:>9.1f}{status:>6}")


if __name__ == "__main__":
    run()
