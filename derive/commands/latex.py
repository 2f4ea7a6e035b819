"""``derive latex``: write the derivation an article wants, as LaTeX or MathJax Markdown."""
from __future__ import annotations

from pathlib import Path

from derive.commands.options import (
    add_notation_options,
    add_output_options,
    chosen_notation,
    derived,
    parse_architecture,
)
from derive.errors import DeriveError
from derive.files import check_folder, resolve_output, shown

NAME = "latex"
HELP = "write the step-by-step derivation as a LaTeX document or MathJax Markdown, every equation proven"
EXAMPLE = """example:
  derive latex 3-2-2 -o derivation.tex                 the article network, compile with pdflatex
  derive latex 3-2-2 --format md -o post.md            MathJax Markdown for a blog, with post-network.svg
  derive latex 2-3-2-2 --activation tanh,relu,softmax --loss cross-entropy --bias --wrt 'W1[2,1]' -o d.tex
  derive latex 3-2-2 --notation nielsen --loss-name C -o nielsen.tex
"""


def add_options(parser) -> None:
    parser.add_argument("--wrt", action="append", metavar="PARAM",
                        help="an element to derive step by step, like 'W2[1,2]' or 'b1[2]' "
                             "(repeatable; default: the first element of each weight matrix)")
    add_notation_options(parser, "arrows")
    parser.add_argument("--loss-name", metavar="NAME", help="the loss's symbol: MSE, C, L … "
                        "(default MSE, or C with --notation nielsen)")
    parser.add_argument("--format", choices=("tex", "md"), default=None,
                        help="tex (a complete document) or md (MathJax $$ blocks); default from -o's suffix")
    add_output_options(parser, "FILE", "the document to write (Markdown also writes FILE-network.svg beside it)")


def run(args) -> int:
    from derive.document import write_document

    output = Path(args.output)
    form = args.format or ("md" if output.suffix.lower() in (".md", ".markdown") else "tex")
    if args.loss_name is not None and not args.loss_name.replace("_", "").isalnum():
        raise DeriveError(f"--loss-name {args.loss_name!r} must be letters and digits, like MSE, C or L")
    arch = parse_architecture(args)
    note = chosen_notation(args).notation  # a bad --notation FILE.toml or --symbols fails before the work
    real, _ = resolve_output(output, args.parents, create=False)  # refuse a bad -o before the work
    if form == "md":
        resolve_output(output.with_name(f"{output.stem}-network.svg"), args.parents, create=False)
    d = derived(args, arch)
    check_folder(real.parent, args.parents)  # --parents: create the folder now
    written = write_document(d, output, form, wrt=args.wrt, notation_name=note, loss_name=args.loss_name)
    for path, changed in written:
        print(f"{'wrote' if changed else 'unchanged:'} {shown(path)}")
    return 0
