"""``derive code``: write a NumPy module for a network."""
from __future__ import annotations

import shlex
import sys

from codegen import DTYPES, FORMS, generate
from derive.commands.options import add_output_options, derived, parse_architecture
from derive.files import resolve_output, shown, write_text

NAME = "code"
HELP = "write a dependency-free NumPy module with forward, loss and gradients for a network"
EXAMPLE = """example:
  derive code 3-2-2 -o article.py                      the article network, matrix form
  derive code 3-2-2 --form unrolled -o article_unrolled.py
  derive code 64-32-10 --activation tanh,softmax --loss cross-entropy --bias -o digits.py

The module has ARCHITECTURE, init_params(seed=0), forward(params, X), loss(params, X, Y),
gradients(params, X, Y) and loss_and_gradients(params, X, Y).
"""


def add_options(parser) -> None:
    parser.add_argument("--form", choices=FORMS, default="matrix",
                        help="matrix: batched, from the proven pattern (default); unrolled: one "
                             "expression per parameter, for small networks and teaching")
    parser.add_argument("--dtype", choices=DTYPES, default="float64",
                        help="dtype of init_params (the code follows the dtype of X)")
    add_output_options(parser, "PATH", "the module to write")


def command_line(arch, form: str, dtype: str, output: str) -> str:
    """The exact command that regenerates a module, for its header (the path shell-quoted)."""
    return f"derive code {arch.command_options()} --form {form} --dtype {dtype} -o {shlex.quote(str(output))}"


def run(args) -> int:
    arch = parse_architecture(args)
    resolve_output(args.output, args.parents, create=False)  # refuse a bad -o before the derivation's seconds
    d = derived(args, arch)
    source = generate(d, args.form, args.dtype, command_line(arch, args.form, args.dtype, args.output))
    changed = write_text(args.output, source, parents=args.parents)
    note = "wrote" if changed else "unchanged:"
    print(f"{note} {shown(args.output)} ({arch.describe()}, {args.form} form)", file=sys.stdout)
    return 0
