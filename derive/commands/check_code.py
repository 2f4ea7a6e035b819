"""``derive check-code``: compare someone's gradient function with the derivation."""
from __future__ import annotations

from derive.commands.options import parse_architecture

NAME = "check-code"
HELP = "check a hand-written gradient function (f(params, X, Y) -> dict) against the derivation"
EXAMPLE = """example:
  derive check-code my_backprop.py:gradients --arch 3-2-2
  derive check-code mlp.py:grads --arch 64-32-10 --activation tanh,softmax --loss cross-entropy --bias

The function takes params {"W1": (n2, n1), …, "b1": …}, X (B, n_in) and Y (B, n_out) and returns
the gradient of the loss summed over the batch, in the same layout.
Exit status: 0 right, 1 wrong, 2 unreadable or bad options.
"""
TAKES_ARCHITECTURE = "option"


def add_options(parser) -> None:
    parser.add_argument("target", metavar="FILE.py:FUNCTION", help="the gradient function to check")


def run(args) -> int:
    from derive.code_check import check_function, load_function

    arch = parse_architecture(args)
    report = check_function(load_function(args.target), arch)
    for p in report.parameters:
        if p.right:
            print(f"{p.name}: right")
        elif not p.wrong_elements:
            print(f"{p.name}: wrong, {p.note}")
        else:
            shown = ", ".join(str(e) for e in p.wrong_elements[:6])
            more = f" and {len(p.wrong_elements) - 6} more" if len(p.wrong_elements) > 6 else ""
            extra = f"; {p.note}" if p.note else ""
            print(f"{p.name}: wrong in {len(p.wrong_elements)} element(s) {shown}{more}; "
                  f"largest error {p.largest_error:.3g}{extra}")
    if report.right:
        print("all gradients match the derivation")
        return 0
    print(f"likely cause: {report.cause}" if report.cause else "likely cause: not recognized")
    return 1
