"""``derive check-code``: compare someone's gradient function with the derivation."""
from __future__ import annotations

from derive.commands.options import parse_architecture

NAME = "check-code"
HELP = "check a hand-written gradient function (f(params, X, Y) -> dict) against the derivation"
EXAMPLE = """example:
  derive check-code my_backprop.py:gradients --arch 3-2-2
  derive check-code mlp.py:grads --arch 64-32-10 --activation tanh,softmax --loss cross-entropy --bias
  derive check-code slow.py:grads --arch 3-2-2 --timeout 10 --memory-limit 1G

The function takes params {"W1": (n2, n1), …, "b1": …}, X (B, n_in) and Y (B, n_out) and returns
the gradient of the loss summed over the batch, in the same layout (a (loss, gradients) pair is
accepted too). It gets copies: changing its arguments in place harms nothing.

The file is imported and the function called in a separate Python process, stopped after
--timeout seconds (importing included) and limited to --memory-limit of address space (Linux;
elsewhere only the timeout applies) and to 256 MB per file it writes. What the checked code
prints is captured, never mixed with the verdict on stdout: if it printed on stdout, one "note:"
line on stderr says how many lines and shows the first; the verdict still comes from the
returned gradients alone, so a correct function that prints passes and printing alone never
does. Its stderr is shown only as the last words of a process that died.

Exit status:
  0  every gradient was compared, element by element, and matched
  1  wrong values: some elements differ, are NaN or Inf, or a matrix has the wrong shape
  2  nothing could be checked: the function raised, called sys.exit, timed out, ran out of
     memory, returned None or no dict, lacked or added keys, returned non-float arrays;
     or the target or the options are bad (one line on stderr says which)
"""
TAKES_ARCHITECTURE = "option"


def add_options(parser) -> None:
    parser.add_argument("target", metavar="FILE.py:FUNCTION", help="the gradient function to check")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="stop the checked code after this long, importing included (default 60)")
    parser.add_argument("--memory-limit", default="4G", metavar="SIZE",
                        help="address space the checked code may use, e.g. 512M, 4G (default 4G)")


def run(args) -> int:
    import sys

    from derive.code_check import check_function, parse_size
    from derive.errors import DeriveError

    arch = parse_architecture(args)
    if not 0 < args.timeout < float("inf"):  # NaN fails too
        raise DeriveError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    report = check_function(args.target, arch, timeout=args.timeout, memory_limit=parse_size(args.memory_limit))
    if report.printed:
        print(f"derive: note: {report.printed}", file=sys.stderr)
    if report.unusable:
        raise DeriveError(f"cannot check {args.target}: {report.unusable}")
    for p in report.parameters:
        if p.right:
            print(f"{p.name}: right")
        elif not p.wrong_elements:
            print(f"{p.name}: wrong, {p.note}")
        else:
            shown = ", ".join(str(e) for e in p.wrong_elements[:6])
            more = f" and {len(p.wrong_elements) - 6} more" if len(p.wrong_elements) > 6 else ""
            if p.not_finite and len(p.not_finite) == len(p.wrong_elements):
                print(f"{p.name}: wrong, {p.note}: {shown}{more}")
                continue
            extra = f"; {p.note}" if p.note else ""
            print(f"{p.name}: wrong in {len(p.wrong_elements)} element(s) {shown}{more}; "
                  f"largest error {p.largest_error:.3g}{extra}")
    if report.right:
        print("all gradients match the derivation")
        return 0
    print(f"likely cause: {report.cause}" if report.cause else "likely cause: not recognized")
    return 1
