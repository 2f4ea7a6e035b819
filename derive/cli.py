"""The ``derive`` command line: one set of architecture options for every subcommand."""
from __future__ import annotations

import argparse
import os
import sys

from derive.commands.options import architecture_options, debug_option
from derive.errors import DeriveError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit status 2."""

    def error(self, message):
        raise DeriveError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="derive", description=(
        "Backpropagation derivations written out as in the articles, verified NumPy gradient code, "
        "and checks of hand-derived formulas and hand-written backprop. "
        "Run 'derive COMMAND --help' for worked examples."))
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    parent = architecture_options()
    from derive.commands import audit, build, check, check_code, code, demo, latex, show

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
