"""Writing a proven document model as a LaTeX document, as Markdown for a blog, or as one
self-contained HTML page that previews the post.

The math of the Markdown and HTML stays inside what MathJax 3's default TeX packages (base,
ams, what a blog's ``tex-chtml.js`` loads without configuration) and KaTeX both read, within
KaTeX's limit of macro expansions (``web_math``). ``MATH_DELIMITERS`` says how each choice of
``--math-delimiters`` writes it.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

import sympy as sp

from derive.document import diagram
from derive.document.layout import WIDTH, LatexWriter, lines, visual_width
from derive.document.model import Diagram, Document, Equation, Text

_TEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_TEX_UNESCAPE = re.compile(r"\\textbackslash\{\}|\\textasciitilde\{\}|\\textasciicircum\{\}|\\[&%$#_{}]")

# (display open, display close, inline open, inline close) as written in the Markdown source.
MATH_DELIMITERS = {
    # the default: $$ blocks and \\( \\) inline, which a Markdown processor (kramdown, CommonMark)
    # turns into \( \), the inline delimiter of MathJax's and KaTeX's default configuration
    "mathjax": ("$$", "$$", r"\\(", r"\\)"),
    "dollars": ("$$", "$$", "$", "$"),  # GitHub, pandoc, or a MathJax/KaTeX configured for $ … $
    "brackets": (r"\[", r"\]", r"\(", r"\)"),  # for a math-aware processor that keeps them as written
    "kramdown": ("$$", "$$", "$$", "$$"),  # Jekyll's kramdown: it writes \( \) and \[ \] for MathJax
}
DEFAULT_DELIMITERS = "mathjax"
MATHJAX_URL = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"
DIAGRAM_CAPTION = "The network, every edge labelled by its weight"


@dataclass(frozen=True)
class Publishing:
    """How the Markdown is written for a blog: its math delimiters, the diagram inline (the
    default) or linked as ``asset_url/svg_name``, and YAML front matter only when asked."""
    delimiters: str = DEFAULT_DELIMITERS
    asset_url: str | None = None
    svg_name: str = "network.svg"
    front_matter: bool = False


def tex_text(text: str) -> str:
    """``text`` (a name, a path) for running text of a document: TeX's special characters
    escaped, so ``leaky_relu`` is written ``leaky\\_relu``."""
    return "".join(_TEX_SPECIALS.get(character, character) for character in str(text))


def plain_text(tex: str) -> str:
    """Running text of the document model (TeX escapes, no math) as plain characters."""
    def one(match: re.Match) -> str:
        escape = match.group(0)
        return {r"\textbackslash{}": "\\", r"\textasciitilde{}": "~", r"\textasciicircum{}": "^"}.get(
            escape, escape[-1])
    return _TEX_UNESCAPE.sub(one, tex)


def _segments(text: str) -> list[tuple[bool, str]]:
    """Running text split into (is_math, piece): its inline math stands between $ … $."""
    pieces = re.split(r"(?<!\\)\$(.+?)(?<!\\)\$", text)
    return [(k % 2 == 1, piece) for k, piece in enumerate(pieces) if piece]


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|$])")


def markdown_text(text: str, delimiters: str) -> str:
    """A Text block (or title) of the model as Markdown: prose escaped, inline math delimited."""
    _, _, opening, closing = MATH_DELIMITERS[delimiters]
    out = []
    for is_math, piece in _segments(text):
        if not is_math:
            out.append(_MARKDOWN_SPECIALS.sub(r"\\\1", plain_text(piece)))
        elif delimiters == "mathjax":  # Markdown reads this math as text: \\ becomes \, \_ becomes _
            math = re.sub(r"\\(?=[^A-Za-z])", r"\\\\", web_math(piece))
            out.append(opening + re.sub(r"([_*])", r"\\\1", math) + closing)  # _ … _ would open emphasis
        else:
            out.append(opening + web_math(piece) + closing)
    return "".join(out)


def html_text(text: str) -> str:
    """A Text block (or title) of the model as HTML, inline math between \\( … \\)."""
    return "".join(html.escape(rf"\({web_math(piece)}\)" if is_math else plain_text(piece), quote=False)
                   for is_math, piece in _segments(text))


# KaTeX stops a formula after 1000 macro expansions (its maxExpand default): \operatorname costs 3
# each, and a long chain-rule display of a 4-layer network writes hundreds. The web forms name
# functions with \mathrm, which costs nothing (and which derive audit reads back). A step note is
# plain \text{(…)}: MathJax's default configuration has no macros inside \text (textmacros), and
# \small outside it would stop derive audit from reading the row. (\quad costs 1 in KaTeX, but its
# cheaper stand-ins are either unread by derive audit or, like "\ ", a macro that MathJax refuses
# to expand in a formula longer than its 5 KB buffer.)
_WEB_MATH = ((re.compile(r"\\operatorname\{([^{}]*)\}"), r"\\mathrm{\1}"),
             (re.compile(r"\\text\{\\small "), r"\\text{"))


def web_math(latex: str) -> str:
    """``latex`` for MathJax and KaTeX on a web page: no macro KaTeX counts against maxExpand."""
    for pattern, replacement in _WEB_MATH:
        latex = pattern.sub(replacement, latex)
    return latex


def web_rows(equation: Equation, writer: LatexWriter) -> str:
    """The rows of an equation for an ``aligned`` display on a web page."""
    return web_math(" \\\\\n".join(equation_rows(equation, writer)))


def equation_rows(equation: Equation, writer: LatexWriter) -> list[str]:
    """The rows of an align environment: ``lhs &= …``, long parts continued on ``&\\quad`` rows."""
    lhs = writer.latex(equation.parts[0])
    indent = visual_width(lhs) + 2  # every row starts at the alignment point after the left side
    rows = []
    for k, part in enumerate(equation.parts[1:]):
        if isinstance(part, sp.MatMul) and all(isinstance(f, sp.MatrixBase) for f in part.args):
            pieces = [writer.latex(f) for f in part.args]  # a product of explicit matrices may break between them
        elif isinstance(part, (sp.MatrixBase, sp.MatrixExpr)):
            pieces = [writer.latex(part)]
        else:
            pieces = writer.pieces(part, width=max(WIDTH - indent - 3, 24))
        prefix = f"{lhs} &= " if k == 0 else "&= "
        packed = lines(pieces, max(WIDTH - indent, 24))
        note = equation.notes[k + 1] if equation.notes and k + 1 < len(equation.notes) else ""
        first = prefix + packed[0]
        if note and visual_width(packed[0]) + indent + len(note) * 0.8 < WIDTH + 8:
            first += rf" \quad \text{{\small ({note})}}"  # web_math drops \small for MathJax and KaTeX
        rows.append(first)
        rows += [r"&\quad " + row for row in packed[1:]]
    return rows


def _writer(document: Document, notation) -> LatexWriter:
    return LatexWriter(notation, loss_latex=sp.latex(document.loss_symbol))


def to_tex(document: Document, notation) -> str:
    writer = _writer(document, notation)
    out = [
        r"\documentclass[10pt]{article}",
        r"\usepackage[a4paper,margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage{tikz}",
        r"\allowdisplaybreaks",
        rf"\title{{{document.title}}}",
        r"\author{written by derive; every equation proven with SymPy}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
    ]
    for section in document.sections:
        out.append(rf"\section*{{{section.title}}}")
        for block in section.blocks:
            if isinstance(block, Text):
                out.append(block.text)
            elif isinstance(block, Diagram):
                out.append(diagram.tikz(document.diagram, notation))
            elif isinstance(block, Equation):
                out.append(r"\begin{align*}")
                out.append(" \\\\\n".join(equation_rows(block, writer)))
                out.append(r"\end{align*}")
            out.append("")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


ATTRIBUTION = "Written by derive; every equation below was proven equal with SymPy before it was written."


def to_markdown(document: Document, notation, publishing: Publishing | None = None) -> str:
    """The document as Markdown for a blog: see ``Publishing`` and ``MATH_DELIMITERS``."""
    publishing = publishing or Publishing()
    open_display, close_display, _, _ = MATH_DELIMITERS[publishing.delimiters]
    writer = _writer(document, notation)
    out = []
    if publishing.front_matter:
        out += ["---", f"title: {json.dumps(plain_text(_plain_title(document.title)), ensure_ascii=False)}",
                "---", ""]  # the blog's layout sets the title as the page's heading
    else:
        out += [f"# {markdown_text(document.title, publishing.delimiters)}", ""]
    out += [f"*{ATTRIBUTION}*", ""]
    for section in document.sections:
        out += [f"## {markdown_text(section.title, publishing.delimiters)}", ""]
        for block in section.blocks:
            if isinstance(block, Text):
                out += [markdown_text(block.text, publishing.delimiters), ""]
            elif isinstance(block, Diagram):
                if publishing.asset_url is None:
                    out += [inline_svg(document, notation), ""]
                else:
                    out += [f"![{DIAGRAM_CAPTION}]({publishing.asset_url.rstrip('/')}/{publishing.svg_name})", ""]
            elif isinstance(block, Equation):
                out += [open_display, r"\begin{aligned}", web_rows(block, writer), r"\end{aligned}", close_display, ""]
    return "\n".join(out)


def _plain_title(title: str) -> str:
    return re.sub(r"\$([^$]*)\$", r"\1", title)


def inline_svg(document: Document, notation) -> str:
    """The diagram as SVG markup for a Markdown or HTML page: no blank line inside, so a
    Markdown processor passes it through as one HTML block."""
    return "\n".join(line for line in svg_of(document, notation).splitlines() if line.strip())


_PAGE_STYLE = """body { max-width: 52rem; margin: 2rem auto; padding: 0 1rem; font-family: Georgia, serif;
       line-height: 1.5; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
figure { margin: 1rem 0; overflow-x: auto; } .display { overflow-x: auto; }"""


def to_html(document: Document, notation, mathjax_url: str = MATHJAX_URL) -> str:
    """One self-contained page that previews the post: the diagram inline, MathJax 3 from
    ``mathjax_url`` with its default configuration (what a blog loads), \\( \\) and \\[ \\]."""
    writer = _writer(document, notation)
    title = html.escape(plain_text(_plain_title(document.title)), quote=False)
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{title}</title>", f"<style>\n{_PAGE_STYLE}\n</style>",
           f'<script id="MathJax-script" async src="{html.escape(mathjax_url)}"></script>',
           "</head>", "<body>", f"<h1>{html_text(document.title)}</h1>", f"<p><em>{html.escape(ATTRIBUTION)}</em></p>"]
    for section in document.sections:
        out.append(f"<h2>{html_text(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, Text):
                out.append(f"<p>{html_text(block.text)}</p>")
            elif isinstance(block, Diagram):
                out += ["<figure>", inline_svg(document, notation),
                        f"<figcaption>{DIAGRAM_CAPTION}</figcaption>", "</figure>"]
            elif isinstance(block, Equation):
                display = r"\[\begin{aligned}" + "\n" + web_rows(block, writer) + "\n" + r"\end{aligned}\]"
                out.append(f'<div class="display">{html.escape(display, quote=False)}</div>')
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def svg_of(document: Document, notation) -> str:
    return diagram.svg(document.diagram, notation)
