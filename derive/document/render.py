"""Writing a proven document model as a LaTeX document or as MathJax Markdown."""
from __future__ import annotations

import sympy as sp

from derive.document import diagram
from derive.document.layout import WIDTH, LatexWriter, lines, visual_width
from derive.document.model import Diagram, Document, Equation, Text

_TEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def tex_text(text: str) -> str:
    """``text`` (a name, a path) for running text of a document: TeX's special characters
    escaped, so ``leaky_relu`` is written ``leaky\\_relu`` (which Markdown also shows as leaky_relu)."""
    return "".join(_TEX_SPECIALS.get(character, character) for character in str(text))


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
            first += rf" \quad \text{{\small ({note})}}"
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


def to_markdown(document: Document, notation, svg_name: str) -> str:
    writer = _writer(document, notation)
    out = ["---", f"title: \"{document.title}\"", "---", "",
           "*Written by derive; every equation below was proven equal with SymPy before it was written.*", ""]
    for section in document.sections:
        out += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Text):
                out += [block.text, ""]
            elif isinstance(block, Diagram):
                out += [f"![The network, every edge labelled by its weight]({svg_name})", ""]
            elif isinstance(block, Equation):
                out += ["$$", r"\begin{aligned}", " \\\\\n".join(equation_rows(block, writer)),
                        r"\end{aligned}", "$$", ""]
    return "\n".join(out)


def svg_of(document: Document, notation) -> str:
    return diagram.svg(document.diagram, notation)
