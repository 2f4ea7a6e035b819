"""``derive check-code``: compare someone's gradient function with the derivation."""
from __future__ import annotations

from derive.commands.options import parse_architecture

NAME = "check-code"
HELP = "check a hand-written gradient function (in its own convention) against the derivation"
EXAMPLE = """example:
  derive check-code my_backprop.py:gradients --arch 3-2-2
  derive check-code mlp.py:grads --arch 64-32-10 --activation tanh,softmax --loss cross-entropy --bias
  derive check-code network.py:Network.backprop --arch 3-4-2 --bias --loss half-mse
  derive check-code tutorial.py:train_step --arch 3-4-2 --update 0.1
  derive check-code slow.py:grads --arch 3-2-2 --timeout 10 --memory-limit 1G
  derive check-code --write-case case.npz --arch 3-4-2 --bias     (then, after another program wrote grads:)
  derive check-code --arrays case.npz --arch 3-4-2 --bias

The function may follow the generated modules' contract, f(params, X, Y) -> {"W1": …}, with
params {"W1": (n2, n1), …, "b1": (n2,)}, X (B, n_in) and Y (B, n_out), returning the gradient of
the loss summed over the batch; or its own convention, which is read from its signature and the
shapes: weights passed positionally (w1, W2, weights, …), as lists, in a params dict, or held by
the instance of a method (built from the widths or with --init, set by shape); either
orientation, (n_out, n_in) or (n_in, n_out); biases (n,), (n, 1), (1, n) or an extra column of W;
a batch in rows or columns, or one sample per call (vectors, column or row vectors; the
per-sample gradients are summed); returned as a dict with any key spelling (W1, dW1, grad_w1), a
tuple or list, or (nabla_b, nabla_w). The convention it checked is printed on the first line
(unless it is the tool's own). Readings that the shapes cannot tell apart (a square W and Wᵀ)
are all tried on two probes: the code is right if it is right under one of them; when it is
wrong under all and they differ, a one-line question names the flag that settles it (exit 2).
It gets copies: changing its arguments in place harms nothing.

The file is imported and the function called in a separate Python process, stopped after
--timeout seconds (importing included) and limited to --memory-limit of address space (Linux;
elsewhere only the timeout applies) and to 256 MB per file it writes. What the checked code
prints is captured, never mixed with the verdict on stdout: if it printed on stdout, one "note:"
line on stderr says how many lines (of its first call) and shows the first; the verdict still
comes from the gradients alone, so a correct function that prints passes and printing alone
never does. Its stderr is shown only as the last words of a process that died.

A wrong result names the wrong elements and, when one or two mistakes reproduce it exactly,
"likely cause [ID]: …" with IDs among: bias-in-delta, loss-mismatch:LOSS, preactivation-instead-
of-activation, activation-instead-of-derivative, no-inner-derivative, no-output-derivative,
derivative-of-layer-above, weights-not-transposed, transposed-gradient, missing-factor-2,
stale-weights, descent-step, sign, constant-factor.

Exit status:
  0  every gradient was compared, element by element, and matched
  1  wrong values: some elements differ, are NaN or Inf, or a matrix has the wrong shape
  2  nothing could be checked: the function raised, called sys.exit, timed out, ran out of
     memory, returned None or nothing readable as gradients; the convention is ambiguous and
     the code wrong under every reading (the question names the flag); or the target or the
     options are bad (one line on stderr says which)
"""
TAKES_ARCHITECTURE = "option"


def add_options(parser) -> None:
    parser.add_argument("target", nargs="?", metavar="FILE.py:FUNCTION",
                        help="the gradient function (or FILE.py:Class.method) to check")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="stop the checked code after this long, importing included (default 60)")
    parser.add_argument("--memory-limit", default="4G", metavar="SIZE",
                        help="address space the checked code may use, e.g. 512M, 4G (default 4G)")
    convention = parser.add_argument_group("convention (inferred unless given)")
    convention.add_argument("--layout", choices=["rows", "columns", "vectors"],
                            help="samples as rows or columns of X (with --per-sample: row or column vectors; "
                                 "vectors: 1-D arrays, one sample per call)")
    convention.add_argument("--per-sample", action="store_true", help="the code takes one sample per call")
    convention.add_argument("--bias-as", choices=["vector", "column", "row", "column-in-W"],
                            help="biases as (n,), (n, 1), (1, n) or an extra column of W")
    convention.add_argument("--weights", choices=["out-in", "in-out"],
                            help="W of shape (n_out, n_in) (z = W x) or (n_in, n_out) (z = x W)")
    convention.add_argument("--returns", choices=["dict", "tuple", "nabla"],
                            help="the gradients come as a dict, a tuple/list of arrays, or (nabla_b, nabla_w)")
    convention.add_argument("--args", metavar="NAME=ROLE,…",
                            help="say what arguments are: X, Y, W1…, b1…, weights, biases, params, lr, pairs, skip")
    convention.add_argument("--init", metavar="'Class(…)'",
                            help="how to build the instance of a method's class (literal arguments only)")
    convention.add_argument("--update", type=float, metavar="LR",
                            help="the code updates the parameters in place with this learning rate; the gradient "
                                 "is (before - after) / LR (LR is passed where the signature asks for one)")
    convention.add_argument("--mean", action="store_true",
                            help="the code's loss is the mean over the batch, not the sum")
    parser.add_argument("--write-case", metavar="CASE.npz",
                        help="write random parameters, X and Y (the tool's layout) for another program, and stop")
    parser.add_argument("--arrays", metavar="CASE.npz",
                        help="check gradients another program added to a --write-case file (keys W1, b1, …)")
    parser.add_argument("--seed", type=int, default=11, help="random seed of the probes (default 11)")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="text (default) or json")


def parse_arch_or_case(args):
    """The architecture from --arch, or the one stored in --arrays' case file."""
    if getattr(args, "arch", None):
        return parse_architecture(args)
    return None


def run(args) -> int:
    import json
    import sys

    from derive.code_check import check_arrays, check_function, parse_size, write_case
    from derive.errors import DeriveError

    if args.write_case:
        arch = parse_architecture(args)
        write_case(args.write_case, arch, seed=args.seed)
        print(f"wrote {args.write_case}: params W1…{', b1…' if arch.bias else ''} (W as (n_out, n_in)), "
              f"X (B, n_in) and Y (B, n_out) for the {arch.describe()}; add the gradients as W1, b1, … "
              f"and run derive check-code --arrays {args.write_case}")
        return 0
    if args.arrays:
        report = check_arrays(args.arrays, parse_arch_or_case(args), mean=args.mean)
    else:
        if not args.target:
            raise DeriveError("give FILE.py:FUNCTION to check (or --arrays CASE.npz)")
        arch = parse_architecture(args)
        if not 0 < args.timeout < float("inf"):  # NaN fails too
            raise DeriveError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
        if args.update is not None and not 0 < args.update < float("inf"):
            raise DeriveError(f"--update must be a positive learning rate, not {args.update:g}")
        options = {"layout": args.layout, "per_sample": args.per_sample, "bias_as": args.bias_as,
                   "weights": args.weights, "returns": args.returns, "args": args.args, "init": args.init}
        report = check_function(args.target, arch, seed=args.seed, timeout=args.timeout,
                                memory_limit=parse_size(args.memory_limit),
                                options={k: v for k, v in options.items() if v}, update=args.update,
                                mean=args.mean)
    if report.printed:
        print(f"derive: note: {report.printed}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(report.as_json(), indent=1, ensure_ascii=False))
        return {"right": 0, "wrong": 1, "unusable": 2}[report.verdict]
    if report.unusable:
        raise DeriveError(f"cannot check {args.target or args.arrays}: {report.unusable}")
    if report.convention and not report.own_contract:
        print(f"convention: {report.convention}")
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
    if report.causes:
        print(f"likely cause [{', '.join(report.causes)}]: {report.cause}")
    else:
        print(f"likely cause: {report.cause}" if report.cause else "likely cause: not recognized")
    return 1
