"""The ``derive`` command line: one set of architecture options for every subcommand."""
from __future__ import annotations

import argparse
import os
import sys

from derive.activations import ACTIVATIONS
from derive.architecture import Architecture
from derive.errors import DeriveError
from derive.losses import LOSSES

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit status 2."""

    def error(self, message):
        raise DeriveError(f"{message} (see {self.prog} --help)")


def architecture_options(positional: bool = True) -> argparse.ArgumentParser:
    """The options every command that takes a network shares; ``positional=False`` makes
    the widths an option, ``--arch`` (for commands whose positional argument is a formula)."""
    parent = argparse.ArgumentParser(add_help=False)
    if positional:
        parent.add_argument("arch", metavar="ARCH", help="layer widths joined by '-', e.g. 3-2-2")
    else:
        parent.add_argument("--arch", required=True, metavar="ARCH", help="layer widths joined by '-', e.g. 3-2-2")
    parent.add_argument(
        "--activation", default="sigmoid",
        help=f"one for every layer or a comma list per non-input layer: {', '.join(ACTIVATIONS)} "
             "(default sigmoid)")
    parent.add_argument("--loss", default="mse", help=f"{', '.join(LOSSES)} (default mse)")
    parent.add_argument("--bias", action=argparse.BooleanOptionalAction, default=False,
                        help="biases on every non-input layer (default: no biases, as in the articles)")
    parent.add_argument("--debug", action="store_true", help="show a traceback on errors")
    parent.add_argument("--quiet", action="store_true",
                        help="no progress lines (they appear only on a terminal, for steps that take a while)")
    return parent


def derived(args, arch):
    """``derive(arch)`` with a progress line on a terminal (derivations of large networks take
    seconds)."""
    from derive.derivation import derive
    from derive.progress import Progress

    with Progress(args.quiet).step(f"deriving the {arch.describe()} and proving its pattern"):
        return derive(arch)


def debug_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return parent


def parse_architecture(args) -> Architecture:
    return Architecture.parse(args.arch, activation=args.activation, loss=args.loss, bias=args.bias)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="derive", description=(
        "Backpropagation derivations written out as in the articles, verified NumPy gradient code, "
        "and checks of hand-derived formulas and hand-written backprop. "
        "Run 'derive COMMAND --help' for worked examples."))
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    parent = architecture_options()
    from codegen import command as code
    from derive.commands import audit, build, check, check_code, demo, latex, show

    by_option = architecture_options(positional=False)
    for module in (build, show, code, latex, check, audit, check_code, demo):
        takes = getattr(module, "TAKES_ARCHITECTURE", True)
        parents = [parent] if takes is True else [by_option] if takes == "option" else [debug_option()]
        sub = commands.add_parser(
            module.NAME, parents=parents, help=module.HELP, description=module.HELP,
            epilog=module.EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_options(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        return args.run(args) or 0
    except DeriveError as error:
        if debug:
            raise
        print(f"derive: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head or a closed pager: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
