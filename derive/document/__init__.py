"""Derivation documents: the steps an article writes out, each equation proven, as LaTeX or
MathJax Markdown."""
from __future__ import annotations

from pathlib import Path


def proven_document(d, wrt=None, notation_name: str = "arrows", loss_name=None, steps: str | None = None,
                    sections=None):
    """The document model of ``d`` with every equation proven, and its notation; ``steps`` and
    ``sections`` choose what appears (derive.document.build.STEPS and SECTIONS)."""
    from derive.document.build import DEFAULT_STEPS, build_document
    from derive.document.notation import notation

    document = build_document(d, wrt=wrt, loss_name=loss_name, notation_name=notation_name,
                              steps=steps or DEFAULT_STEPS, sections=sections)
    document.prove_all()
    return document, notation(notation_name)


def render_document(d, form: str = "tex", wrt=None, notation_name: str = "arrows", loss_name=None,
                    svg_name: str = "network.svg", steps: str | None = None,
                    sections=None) -> tuple[str, str | None]:
    """The document's text, and the SVG diagram for Markdown; every equation proven first."""
    from derive.document.render import svg_of, to_markdown, to_tex

    document, note = proven_document(d, wrt, notation_name, loss_name, steps, sections)
    if form == "tex":
        return to_tex(document, note), None
    return to_markdown(document, note, svg_name), svg_of(document, note)


def write_document(d, output, form="tex", **options) -> list:
    """Write the document (and, for Markdown, its SVG beside it); [(path, changed), …]."""
    from derive.files import write_text

    output = Path(output)
    svg_path = output.with_name(f"{output.stem}-network.svg")
    text, svg = render_document(d, form, svg_name=svg_path.name, **options)
    written = [(output, write_text(output, text))]
    if svg is not None:
        written.append((svg_path, write_text(svg_path, svg)))
    return written


def markdown_for_notebook(d, **options) -> str:
    """The Markdown document with its diagram inlined as a data URI (no file beside it) and
    without the YAML front matter (a notebook shows it as text); ``options`` as for
    ``render_document`` (steps, sections, wrt, …)."""
    import base64

    text, svg = render_document(d, "md", svg_name="SVG", **options)
    assert svg is not None  # render_document gives the diagram for every form but tex
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return _without_front_matter(text.replace("](SVG)", f"]({uri})"))


def _without_front_matter(text: str) -> str:
    """``text`` without a leading ``---`` … ``---`` block (and the blank lines after it)."""
    if not text.startswith("---\n"):
        return text
    end = text.find("\n---\n", 3)
    return text if end < 0 else text[end + 5:].lstrip("\n")


class Shown:
    """A derivation document for a notebook: Jupyter displays it through ``_repr_markdown_``;
    ``markdown`` is the text."""

    def __init__(self, markdown: str):
        self.markdown = markdown

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __str__(self) -> str:
        return self.markdown


def show_derivation(d, steps: str | None = None, wrt=None, sections=None, notation: str = "arrows",
                    loss_name=None) -> Shown:
    """``Derivation.show``: the proven document of ``d`` for a notebook, as chosen: ``steps``
    (full, named, result), ``wrt`` (elements like "W1[2,1]"), ``sections`` (like "-forward")."""
    if isinstance(wrt, str):
        wrt = [wrt]
    return Shown(markdown_for_notebook(d, steps=steps, wrt=wrt, sections=sections, notation_name=notation,
                                       loss_name=loss_name))


def pattern_latex(d) -> str:
    """The δ recurrence section of the document, proven, as ``$$\\begin{aligned}…$$``."""
    import sympy as sp

    from derive.document.build import pattern_equations
    from derive.document.layout import LatexWriter
    from derive.document.notation import notation
    from derive.document.render import equation_rows

    document, equations = pattern_equations(d)
    writer = LatexWriter(notation("arrows"), loss_latex=sp.latex(document.loss_symbol))
    rows = [row for equation in equations for row in equation_rows(equation, writer)]
    return "$$\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$$"


def derivation_markdown(d) -> str:
    """``Derivation._repr_markdown_``: the whole derivation as MathJax Markdown (small
    networks), else the summary."""
    from derive.errors import DeriveError

    try:
        return markdown_for_notebook(d)
    except DeriveError:
        return "```\n" + d.summary() + "\n```"


def derivation_latex(d) -> str | None:
    """``Derivation._repr_latex_``: the proven matrix pattern as one aligned display."""
    return pattern_latex(d) if d.pattern is not None else None
