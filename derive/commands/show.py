"""``derive show``: derive a network and print its partial derivatives and matrix pattern.

Only what is printed is computed: the first ``--max-elements`` elements of each parameter,
each written out in named quantities when that is small enough to print, else as
δ_i^(l+1) x_j^(l) from the proven pattern (deep or wide networks)."""
from __future__ import annotations

import itertools

import sympy as sp

from derive.commands.options import derived, parse_architecture
from derive.derivation import LAYERED_DEPTH, count_text
from derive.errors import DeriveError, TooLargeError
from derive.graph import tree_size

NAME = "show"
HELP = "derive a network and print every partial derivative and the proven matrix pattern"
EXAMPLE = """example:
  derive show 3-2-2                      the article network: sigmoid, MSE, no biases
  derive show 4-3-3 --activation tanh,softmax --loss cross-entropy --bias --expanded
"""
# A partial is printed in named quantities up to this many tree nodes (printing walks the
# tree; past this it takes a tenth of a second and more per element): larger ones are
# shown through δ.
PRINT_LIMIT = 1_000
# --expanded asks for the written-out forms: printed up to this many tree nodes.
EXPANDED_PRINT_LIMIT = 20_000


def add_options(parser) -> None:
    parser.add_argument("--expanded", action="store_true",
                        help="also print each partial written out in inputs, weights and labels")
    parser.add_argument("--max-elements", type=int, default=24, metavar="N",
                        help="print at most N elements of each parameter (default 24)")


def run(args) -> int:
    if args.max_elements < 0:
        raise DeriveError(f"--max-elements must be 0 or more, not {args.max_elements}")
    d = derived(args, parse_architecture(args))
    print(d.summary())
    print()
    print("partial derivatives, named quantities substituted back (x3_1 is x_1^(3), x3'_1 its σ'):")
    for name in d.arch.parameter_names:
        shape = d.arch.shape(name)
        count = 1
        for n in shape:
            count *= n
        indices = itertools.product(*(range(1, n + 1) for n in shape))  # row by row, never materialised
        for i, *rest in itertools.islice(indices, args.max_elements):
            _print_element(d, name, i, rest[0] if rest else None, args.expanded)
        if count > args.max_elements:
            print(f"  … {count - args.max_elements:,} more elements of {name}")
    return 0


def _print_element(d, name, i, j, expanded) -> None:
    element = f"{name}[{i},{j}]" if j is not None else f"{name}[{i}]"
    layer = int(name[1:])
    size = d.short_form_size(name, i, j)
    span = d.arch.depth - (layer + 1)
    about = "about " if d.method != "elementwise" else ""
    if d.method != "elementwise" and span > LAYERED_DEPTH:
        reason = f"written out in named quantities it spans {span} layers, over the limit of {LAYERED_DEPTH}"
    elif size > PRINT_LIMIT:
        reason = (f"written out in named quantities it has {about}{count_text(size)} terms, over the "
                  f"print limit of {PRINT_LIMIT:,}")
    else:
        reason = None
    if reason is None:
        try:
            short = d.partial(name, i, j, short=True)
            text = str(sp.factor_terms(short) if short.is_Add else short)
        except TooLargeError:
            reason = "too large to write out in named quantities"
        except RecursionError:  # SymPy prints recursively; the checks above should prevent this
            reason = "too deeply nested to print"
    if reason is not None:
        source = f" x{layer}_{j}" if j is not None else ""
        print(f"  ∂L/∂{element} = δ{layer + 1}_{i}{source}  (δ from the pattern above; {reason})")
        return
    print(f"  ∂L/∂{element} = {text}")
    if expanded:
        try:
            written_out = d.partial(name, i, j)  # built as a shared graph: cheap to count
        except TooLargeError as error:
            print(f"      (expanded form refused: {error})")
            return
        size = tree_size(written_out)
        if size > EXPANDED_PRINT_LIMIT:
            print(f"      (expanded form not printed: it has {size:,} terms, over the print limit of "
                  f"{EXPANDED_PRINT_LIMIT:,}; use the Python API, d.partial(...), to work with it)")
        else:
            print(f"      = {written_out}")
