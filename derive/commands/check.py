"""``derive check``: is a hand-derived equation right, and if not, what exactly is wrong."""
from __future__ import annotations

import sys

import sympy as sp

from derive.commands.options import add_notation_options, chosen_notation, derived, parse_architecture
from derive.errors import DeriveError

NAME = "check"
HELP = "check one hand-derived equation (derivative, forward pass, loss, gradient matrix or pattern)"
EXAMPLE = r"""example:
  derive check '\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)\;'"'"'} x_2^{(2)}' --arch 3-2-2
  derive check '2 (x_1^{(3)} - y_1) x_1^{(3)\;'"'"'} x_2^{(2)}' --arch 3-2-2 --wrt 'W2[1,2]'
  derive check 'x_1^{(2)} = \sigma(w_{11}^{(1 \rightarrow 2)} x_1 + w_{12}^{(1 \rightarrow 2)} x_2)' --arch 2-2-1
  derive check '\frac{\partial MSE}{\partial x_1^{(3)}} = 2 (x_1^{(3)} - y_1)' --arch 3-2-2

Exit status: 0 right (proven), 1 wrong (the sides differ at two or more random points in
40-digit arithmetic), 2 unreadable, a symbol the network does not have, or bad options,
3 undecided (not proven and not shown wrong, e.g. too large to prove within the budget: the
reason is printed).
Bare names stand for the loss: its own name (MSE for the squared errors) or L, E, C, J, or
exactly the one given with --loss-name. Diagnoses are plain text; --latex writes them in LaTeX.
"""
TAKES_ARCHITECTURE = "option"


def add_options(parser) -> None:
    parser.add_argument("latex", metavar="LATEX", help="the equation, in article notation")
    parser.add_argument("--wrt", metavar="PARAM",
                        help="when LATEX is only a right side: the element it is the derivative for, like 'W2[1,2]'")
    parser.add_argument("--loss-name", metavar="NAME",
                        help="the loss's symbol in LATEX (default: MSE for the squared errors, or L, E, C, J)")
    add_notation_options(parser, "auto")
    parser.add_argument("--latex", dest="latex_output", action="store_true",
                        help="write diagnoses and counterexamples in LaTeX instead of plain text")


def run(args) -> int:
    from derive.check import Checker
    from derive.document.build import parse_wrt
    from derive.judge import formula
    from derive.notation import accepted_loss_names

    arch = parse_architecture(args)
    names = accepted_loss_names(arch, args.loss_name)
    checker = Checker(derived(args, arch))
    if not args.wrt:
        notation = None if args.notation == "auto" and not args.symbols else \
            chosen_notation(args, [args.latex], arch).notation
        auto = notation is None
        if auto:
            notation = _auto_notation(args.latex, arch, args.loss_name)
        verdicts = checker.judge(args.latex, names, notation)
        if auto and notation is not None:  # said once the formula was judged: an error stays one line
            print(f"derive: read in the {notation.name} notation (--notation auto)", file=sys.stderr)
    else:
        parts = formula.parts(args.latex, arch, args.loss_name)
        name, i, j = parse_wrt(args.wrt, arch)
        if len(parts) != 1:
            raise DeriveError("--wrt is for a right side alone; this LaTeX is already an equation")
        from derive import naming

        parts = [sp.Derivative(sp.Symbol(names[0]),
                               naming.parameter_symbol(name, i, j), evaluate=False)] + parts
        verdicts = checker.check(parts)
    for line in report(verdicts, latex=args.latex_output):
        print(line)
    found = {v.verdict for v in verdicts}
    return 1 if "wrong" in found else 3 if "undecided" in found else 0


def _auto_notation(latex: str, arch, loss_name):
    """``--notation auto``: the preset the formula reads and binds in (None when it binds in
    none: the checker then reports why, in the reference notation's words)."""
    from derive.judge import formula

    try:
        return formula.choose(latex, arch, loss_name=loss_name)
    except DeriveError:
        return None


def report(verdicts, latex: bool = False) -> list[str]:
    """The lines ``derive check`` prints for a chain's verdicts."""
    lines = []
    for number, v in enumerate(verdicts, start=1):
        where = f"link {number} of {len(verdicts)}: " if len(verdicts) > 1 else ""
        if v.verdict in ("right", "undecided"):
            lines.append(f"{v.verdict}: {where}{v.how}")
            continue
        if v.blame is not None and len(verdicts) > 1:
            where += f"member {v.blame + 1} is wrong: "
        diagnosis = (v.diagnosis if latex else v.diagnosis_text) or "no single change found that makes it right"
        lines.append(f"wrong: {where}{diagnosis}")
        if v.counterexample:
            shown = v.counterexample.values(latex=latex)
            left, right = v.counterexample.sides()
            if shown:
                values = ", ".join(f"{k} = {x:.6g}" for k, x in shown.items())
                lines.append(f"  counterexample: at {values}")
            else:
                lines.append("  counterexample: at random inputs, weights and labels")
            lines.append(f"  the left side is {left}, the right side {right}")
    return lines
