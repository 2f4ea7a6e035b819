"""Options every command shares (architecture, --debug, --quiet) and the derivation step
they all start with; the commands import this module, and only ``derive.cli`` imports them."""
from __future__ import annotations

import argparse

from derive.activations import ACTIVATIONS
from derive.architecture import Architecture
from derive.errors import DeriveError
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


def add_notation_options(parser, default: str) -> None:
    """--notation NAME|FILE.toml|auto and --symbols, the same for latex (default arrows), check
    and audit (default auto); ``chosen_notation`` turns them into a notation."""
    from derive.notation import NOTATIONS

    def name(text: str) -> str:
        if text == "auto" or text.endswith(".toml") or text in NOTATIONS:
            return text
        raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (use one of: {', '.join(NOTATIONS)}, "
                                         "auto, or a FILE.toml)")

    parser.add_argument("--notation", type=name, default=default, metavar="NAME|FILE.toml|auto",
                        help=f"{', '.join(NOTATIONS)}; a FILE.toml with the same fields; or auto, the one "
                             f"under which the formulas read and bind to the network (default {default})")
    parser.add_argument("--symbols", metavar="'NAME=MEANING, …'",
                        help="names and their meanings in the article notation: "
                             r"'h=z^{(2)}, o=x^{(2)}, W_h=\underline{w}^{(1 \rightarrow 2)}, l=L'")


def chosen_notation(args, items=(), arch=None):
    """The notation of ``--notation``/``--symbols`` (and ``--loss-name`` where the command has
    it) as a ``derive.reader.bind.Choice``: for auto, the preset under which the most
    ``items`` (LaTeX texts) read and bind to ``arch``, with what it could not bind."""
    from derive.notation import notation, parse_symbols
    from derive.reader.bind import Choice, choose

    symbols = parse_symbols(args.symbols) if getattr(args, "symbols", None) else None
    loss_name = getattr(args, "loss_name", None)
    if args.notation == "auto":
        if arch is None:
            raise DeriveError("--notation auto chooses among the notations for checking; "
                              "to write a document, name one")
        choice = choose(items, arch, symbols, loss_name=loss_name)
        return choice
    chosen = notation(args.notation)
    if symbols:
        chosen = chosen.with_symbols(symbols)
    if loss_name:
        chosen = chosen.with_loss_name(loss_name)
    return Choice(chosen, len(items), len(items))
