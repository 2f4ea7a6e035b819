"""Derivation documents: the steps an article writes out, each equation proven, as LaTeX,
Markdown for a blog, or an HTML page that previews it."""
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


def render_document(d, form: str = "tex", publishing=None, mathjax_url: str | None = None,
                    **document_options) -> tuple[str, str | None]:
    """The document's text (``form`` tex, md or html) and, for md and html, its SVG diagram;
    every equation proven first. ``publishing`` (render.Publishing) shapes the Markdown,
    ``mathjax_url`` the page; ``document_options`` (wrt, notation_name, loss_name, …) the model."""
    from derive.document.render import MATHJAX_URL, svg_of, to_html, to_markdown, to_tex

    document, note = proven_document(d, **document_options)
    if form == "tex":
        return to_tex(document, note), None
    if form == "html":
        return to_html(document, note, mathjax_url or MATHJAX_URL), svg_of(document, note)
    return to_markdown(document, note, publishing), svg_of(document, note)


def asset_path(output) -> Path:
    """Where ``--asset-url`` writes the diagram: FILE-network.svg beside the document."""
    output = Path(output)
    return output.with_name(f"{output.stem}-network.svg")


def write_document(d, output, form="tex", publishing=None, **options) -> list:
    """Write the document atomically (and the SVG beside Markdown written with an asset URL);
    [(path, changed), …]."""
    from dataclasses import replace

    from derive.files import write_text

    output = Path(output)
    svg_path = asset_path(output)
    if publishing is not None:
        publishing = replace(publishing, svg_name=svg_path.name)
    text, svg = render_document(d, form, publishing=publishing, **options)
    written = [(output, write_text(output, text))]
    if form == "md" and publishing is not None and publishing.asset_url is not None and svg is not None:
        written.append((svg_path, write_text(svg_path, svg)))
    return written


def markdown_for_notebook(d, **options) -> str:
    """The Markdown document for a notebook: no front matter, $ … $ inline math (Jupyter's
    Markdown reads it), the diagram as a data URI (a notebook keeps images, not inline SVG)."""
    import base64

    from derive.document.render import Publishing

    text, svg = render_document(d, "md", publishing=Publishing(delimiters="dollars", asset_url="SVG"), **options)
    assert svg is not None  # render_document gives the diagram for every form but tex
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return text.replace("](SVG/network.svg)", f"]({uri})")


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
