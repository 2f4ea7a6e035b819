"""``derive show``: derive a network and print its partial derivatives and matrix pattern."""
from __future__ import annotations

import sympy as sp

from derive.commands.options import derived, parse_architecture
from derive.errors import TooLargeError

NAME = "show"
HELP = "derive a network and print every partial derivative and the proven matrix pattern"
EXAMPLE = """example:
  derive show 3-2-2                      the article network: sigmoid, MSE, no biases
  derive show 4-3-3 --activation tanh,softmax --loss cross-entropy --bias --expanded
"""


def add_options(parser) -> None:
    parser.add_argument("--expanded", action="store_true",
                        help="also print each partial written out in inputs, weights and labels")
    parser.add_argument("--max-elements", type=int, default=24, metavar="N",
                        help="print at most N elements of each parameter (default 24)")


def run(args) -> int:
    d = derived(args, parse_architecture(args))
    print(d.summary())
    print()
    print("partial derivatives, named quantities substituted back (x3_1 is x_1^(3), x3'_1 its σ'):")
    for name in d.arch.parameter_names:
        shape = d.arch.shape(name)
        indices = [(i + 1, j + 1) for i in range(shape[0]) for j in range(shape[1])] if len(shape) == 2 \
            else [(i + 1, None) for i in range(shape[0])]
        for count, (i, j) in enumerate(indices):
            if count == args.max_elements:
                print(f"  … {len(indices) - count} more elements of {name}")
                break
            _print_element(d, name, i, j, args.expanded)
    return 0


def _print_element(d, name, i, j, expanded) -> None:
    element = f"{name}[{i},{j}]" if j is not None else f"{name}[{i}]"
    short = d.partial(name, i, j, short=True)
    print(f"  ∂L/∂{element} = {sp.factor_terms(short) if short.is_Add else short}")
    if expanded:
        try:
            print(f"      = {d.partial(name, i, j)}")
        except TooLargeError as error:
            print(f"      (expanded form refused: {error})")
