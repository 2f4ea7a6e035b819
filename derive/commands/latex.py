"""``derive latex``: write the derivation an article wants, as LaTeX, Markdown for a blog or an HTML page."""
from __future__ import annotations

from pathlib import Path

from derive.commands.options import (
    add_notation_options,
    add_output_options,
    chosen_notation,
    derived,
    parse_architecture,
)
from derive.document.render import DEFAULT_DELIMITERS, MATH_DELIMITERS, MATHJAX_URL, Publishing
from derive.document.sections import DEFAULT_STEPS, SECTIONS, STEPS
from derive.errors import DeriveError
from derive.files import check_folder, resolve_output, shown

NAME = "latex"
HELP = ("write the step-by-step derivation as a LaTeX document, Markdown for a blog or an HTML preview page, "
        "every equation proven")
EXAMPLE = """example:
  derive latex 3-2-2 -o derivation.tex                 the article network, compile with pdflatex
  derive latex 3-2-2 -o post.md                        Markdown for a blog, the diagram inline
  derive latex 3-2-2 -o post.md --math-delimiters kramdown --asset-url /assets --front-matter   a Jekyll post
  derive latex 3-2-2 -o preview.html                   one page to preview the post in a browser
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
    add_notation_options(parser, "arrows")
    parser.add_argument("--loss-name", metavar="NAME", help="the loss's symbol: MSE (set upright), C, L, "
                        "\\mathcal{L}, \\mathrm{CE} … (default MSE, or C with --notation nielsen)")
    parser.add_argument("--steps", choices=tuple(STEPS), default=DEFAULT_STEPS,
                        help="; ".join(f"{name}: {text}" for name, (text, _) in STEPS.items())
                        + f" (default {DEFAULT_STEPS}; each chooses the sections written by default)")
    parser.add_argument("--sections", metavar="LIST",
                        help="sections to write, by name (listed below): 'network,loss,pattern' is the whole set, "
                             "'-forward,-update' or '+expanded' change the defaults of --steps (write "
                             "--sections=-forward,… when the list starts with -)")
    parser.add_argument("--format", choices=("tex", "md", "html"), default=None,
                        help="tex (a complete document), md (Markdown for a blog) or html (a page to preview "
                             "the post); default from -o's suffix")
    parser.add_argument("--math-delimiters", choices=sorted(MATH_DELIMITERS), default=DEFAULT_DELIMITERS,
                        help="md: mathjax (default: $$ … $$ display, \\\\( … \\\\) inline, MathJax's and KaTeX's "
                             "default delimiters once Markdown has turned \\\\( into \\( ); dollars ($$ and $); "
                             "brackets (\\[ \\] and \\( \\) as written); kramdown ($$ for both, Jekyll)")
    parser.add_argument("--asset-url", metavar="PREFIX",
                        help="md: write the diagram as FILE-network.svg beside the document and link it as "
                             "PREFIX/FILE-network.svg (default: inline SVG in the Markdown)")
    parser.add_argument("--front-matter", action="store_true", help="md: start with YAML front matter (the title)")
    parser.add_argument("--mathjax-url", metavar="URL", default=MATHJAX_URL,
                        help=f"html: where the page loads MathJax 3 from (default {MATHJAX_URL})")
    add_output_options(parser, "FILE", "the document to write")


def run(args) -> int:
    from derive.document import asset_path, write_document
    from derive.document.model import loss_symbol
    from derive.document.sections import chosen_sections

    output = Path(args.output)
    suffix = output.suffix.lower()
    form = args.format or ("md" if suffix in (".md", ".markdown") else "html" if suffix in (".html", ".htm") else "tex")
    if args.loss_name is not None:
        loss_symbol(args.loss_name)  # a bad name is refused before the work
    chosen_sections(args.steps, args.sections)
    if form != "md" and (args.asset_url is not None or args.front_matter):
        raise DeriveError(f"--{'asset-url' if args.asset_url is not None else 'front-matter'} is for Markdown "
                          f"(--format md); this writes --format {form}")
    arch = parse_architecture(args)
    note = chosen_notation(args).notation  # a bad --notation FILE.toml or --symbols fails before the work
    real, _ = resolve_output(output, args.parents, create=False)  # refuse a bad -o before the work
    publishing = Publishing(args.math_delimiters, args.asset_url, front_matter=args.front_matter)
    if form == "md" and args.asset_url is not None:
        resolve_output(asset_path(output), args.parents, create=False)
    d = derived(args, arch)
    check_folder(real.parent, args.parents)  # --parents: create the folder now
    written = write_document(d, output, form, publishing, mathjax_url=args.mathjax_url, wrt=args.wrt,
                             notation_name=note, loss_name=args.loss_name,
                             steps=args.steps, sections=args.sections)
    for path, changed in written:
        print(f"{'wrote' if changed else 'unchanged:'} {shown(path)}")
    return 0
