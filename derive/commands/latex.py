"""``derive latex``: write the derivation an article wants, as LaTeX or MathJax Markdown."""
from __future__ import annotations

from pathlib import Path

from derive.commands.options import add_output_options, derived, parse_architecture
from derive.document.notation import NOTATIONS
from derive.document.sections import DEFAULT_STEPS, SECTIONS, STEPS
from derive.files import check_folder, resolve_output, shown

NAME = "latex"
HELP = "write the step-by-step derivation as a LaTeX document or MathJax Markdown, every equation proven"
EXAMPLE = """example:
  derive latex 3-2-2 -o derivation.tex                 the article network, compile with pdflatex
  derive latex 3-2-2 --format md -o post.md            MathJax Markdown for a blog, with post-network.svg
  derive latex 2-3-2-2 --activation tanh,relu,softmax --loss cross-entropy --bias --wrt 'W1[2,1]' -o d.tex
  derive latex 3-2-2 --notation nielsen --loss-name C -o nielsen.tex
  derive latex 3-2-2 --steps full -o article.tex      the chain rule on the expanded loss, as the articles do
  derive latex 3-2-2 --sections=-forward,-update --loss-name '\\mathcal{L}' -o short.tex

sections (--sections, in this order):
""" + "\n".join(f"  {name:<10} {text}" for name, text in SECTIONS.items())


def add_options(parser) -> None:
    parser.add_argument("--wrt", action="append", metavar="PARAM",
                        help="an element to derive step by step, like 'W2[1,2]' or 'b1[2]' "
                             "(repeatable; default: the first element of each weight matrix)")
    parser.add_argument("--notation", choices=sorted(NOTATIONS), default="arrows",
                        help="arrows: w_ij^(1→2) (default); layer: w_ij^(1); nielsen: a/z/δ with w^l_jk")
    parser.add_argument("--loss-name", metavar="NAME", help="the loss's symbol: MSE (set upright), C, L, "
                        "\\mathcal{L}, \\mathrm{CE} … (default MSE, or C with --notation nielsen)")
    parser.add_argument("--steps", choices=tuple(STEPS), default=DEFAULT_STEPS,
                        help="; ".join(f"{name}: {text}" for name, (text, _) in STEPS.items())
                        + f" (default {DEFAULT_STEPS}; each chooses the sections written by default)")
    parser.add_argument("--sections", metavar="LIST",
                        help="sections to write, by name (listed below): 'network,loss,pattern' is the whole set, "
                             "'-forward,-update' or '+expanded' change the defaults of --steps (write "
                             "--sections=-forward,… when the list starts with -)")
    parser.add_argument("--format", choices=("tex", "md"), default=None,
                        help="tex (a complete document) or md (MathJax $$ blocks); default from -o's suffix")
    add_output_options(parser, "FILE", "the document to write (Markdown also writes FILE-network.svg beside it)")


def run(args) -> int:
    from derive.document import write_document
    from derive.document.model import loss_symbol
    from derive.document.sections import chosen_sections

    output = Path(args.output)
    form = args.format or ("md" if output.suffix.lower() in (".md", ".markdown") else "tex")
    if args.loss_name is not None:
        loss_symbol(args.loss_name)  # a bad name is refused before the work
    chosen_sections(args.steps, args.sections)
    arch = parse_architecture(args)
    real, _ = resolve_output(output, args.parents, create=False)  # refuse a bad -o before the work
    if form == "md":
        resolve_output(output.with_name(f"{output.stem}-network.svg"), args.parents, create=False)
    d = derived(args, arch)
    check_folder(real.parent, args.parents)  # --parents: create the folder now
    written = write_document(d, output, form, wrt=args.wrt, notation_name=args.notation, loss_name=args.loss_name,
                             steps=args.steps, sections=args.sections)
    for path, changed in written:
        print(f"{'wrote' if changed else 'unchanged:'} {shown(path)}")
    return 0
