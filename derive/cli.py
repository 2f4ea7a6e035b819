"""The ``derive`` command line: one set of architecture options for every subcommand."""
from __future__ import annotations

import argparse
import os
import sys
from typing import cast

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
    # typeshed wants parents of the subparsers' own class (_Parser); argparse takes any ArgumentParser
    commands = cast("argparse._SubParsersAction[argparse.ArgumentParser]",
                    parser.add_subparsers(dest="command", required=True, parser_class=_Parser))
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
    """Run one command: its exit status, and on any failure one line on stderr
    (``derive: error: …``, exit 2); ``--debug`` shows the traceback instead."""
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        return args.run(args) or 0
    except DeriveError as error:
        if debug:
            raise
        return _fail(str(error))
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head or a closed pager: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except SystemExit as exit_:  # --help and --version end here; argparse errors are DeriveErrors
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else EXIT_BAD_INPUT)
    except RecursionError:
        if debug:
            raise
        return _fail("the input is nested too deeply to handle (rerun with --debug for the traceback)")
    except MemoryError:
        if debug:
            raise
        return _fail("out of memory: the input is too large for this machine (rerun with --debug for the traceback)")
    except Exception as error:  # every failure is one line unless --debug
        if debug:
            raise
        return _fail(_unexpected(error))


def _fail(message: str) -> int:
    first = " ".join(message.split()) or "failed"
    print(f"derive: error: {first}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _unexpected(error: Exception) -> str:
    """A failure derive did not foresee, said as what went wrong (the exception type is kept
    so that a report can name it), never a traceback."""
    text = " ".join(str(error).split())[:200]
    if isinstance(error, OSError) and error.strerror:
        where = f" {error.filename}" if error.filename else ""
        return f"cannot use{where}: {error.strerror}"
    kind = type(error).__name__
    return f"an internal error stopped this command ({kind}{': ' + text if text else ''}); rerun with --debug " \
        "for the traceback and please report it"


if __name__ == "__main__":
    sys.exit(main())
