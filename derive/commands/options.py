"""Options every command shares (architecture, --debug, --quiet) and the derivation step
they all start with; the commands import this module, and only ``derive.cli`` imports them."""
from __future__ import annotations

import argparse

from derive.activations import ACTIVATIONS
from derive.architecture import Architecture
from derive.losses import LOSSES


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


FILE_POLICY = ("written atomically; a symbolic link is followed and the file it points to is replaced "
               "(the link stays); devices, FIFOs, sockets and folders are refused; an existing file keeps "
               "its permissions, a new one gets 0666 minus the umask")


def output_path(text: str) -> str:
    """argparse type of -o: a non-empty path without NUL characters."""
    if text == "":
        raise argparse.ArgumentTypeError("the path is empty; give a file name")
    if "\0" in text:
        raise argparse.ArgumentTypeError("the path contains a NUL character")
    return text


def add_output_options(parser, metavar: str, what: str, required: bool = True, default=None,
                       policy: str = FILE_POLICY) -> None:
    """-o/--output and --parents, the same for every command that writes files."""
    parser.add_argument("-o", "--output", type=output_path, required=required, default=default,
                        metavar=metavar, help=f"{what}; {policy}")
    parser.add_argument("--parents", action="store_true",
                        help="create missing parent folders of -o (without it a missing folder is an error)")
