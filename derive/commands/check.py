"""``derive check``: is a hand-derived equation right, and if not, what exactly is wrong."""
from __future__ import annotations

import sympy as sp

from derive.commands.options import derived, parse_architecture
from derive.errors import DeriveError

NAME = "check"
HELP = "check one hand-derived equation (derivative, forward pass, loss, gradient matrix or pattern)"
EXAMPLE = r"""example:
  derive check '\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)\;'"'"'} x_2^{(2)}' --arch 3-2-2
  derive check '2 (x_1^{(3)} - y_1) x_1^{(3)\;'"'"'} x_2^{(2)}' --arch 3-2-2 --wrt 'W2[1,2]'
  derive check 'x_1^{(2)} = \sigma(w_{11}^{(1 \rightarrow 2)} x_1 + w_{12}^{(1 \rightarrow 2)} x_2)' --arch 2-2-1

Exit status: 0 right, 1 wrong, 2 unreadable or bad options.
"""
TAKES_ARCHITECTURE = "option"


def add_options(parser) -> None:
    parser.add_argument("latex", metavar="LATEX", help="the equation, in article notation")
    parser.add_argument("--wrt", metavar="PARAM",
                        help="when LATEX is only a right side: the element it is the derivative for, like 'W2[1,2]'")


def run(args) -> int:
    from derive.check import Checker
    from derive.document.build import parse_wrt
    from derive.reader import read

    arch = parse_architecture(args)
    parts = read(args.latex, arch)
    if args.wrt:
        name, i, j = parse_wrt(args.wrt, arch)
        if len(parts) != 1:
            raise DeriveError("--wrt is for a right side alone; this LaTeX is already an equation")
        from derive import naming

        parts = [sp.Derivative(sp.Symbol("MSE" if arch.loss.endswith("mse") else "L"),
                               naming.parameter_symbol(name, i, j), evaluate=False)] + parts
    verdicts = Checker(derived(args, arch)).check(parts)
    wrong = [v for v in verdicts if v.verdict == "wrong"]
    for number, v in enumerate(verdicts, start=1):
        where = f"link {number} of {len(verdicts)}: " if len(verdicts) > 1 else ""
        if v.verdict == "right":
            print(f"right: {where}{v.how}")
            continue
        print(f"wrong: {where}{v.diagnosis or 'no single change found that makes it right'}")
        if v.counterexample:
            values = ", ".join(f"{k} = {x:.6g}" for k, x in v.counterexample["values"].items())
            print(f"  counterexample: at {values}")
            print(f"  the left side is {v.counterexample['left']:.10g}, the right side {v.counterexample['right']:.10g}")
    return 1 if wrong else 0
