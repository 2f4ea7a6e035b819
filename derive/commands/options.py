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
