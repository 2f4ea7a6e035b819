"""The network drawn with every edge labelled by its weight: TikZ for LaTeX, SVG for Markdown."""
from __future__ import annotations

import itertools
import math

from derive.document.notation import Notation

LABEL_LIMIT = 40  # edges; beyond this the labels would overlap, so edges stay unlabelled


def _y(widths, l, i, dy):
    n = widths[l - 1]
    return dy * ((n - 1) / 2 - (i - 1))


def tikz(arch, notation: Notation) -> str:
    widths = arch.widths
    label = sum(a * b for a, b in itertools.pairwise(widths)) <= LABEL_LIMIT
    lines = [r"\begin{center}", r"\begin{tikzpicture}[x=1cm,y=1cm,",
             r"  neuron/.style={circle,draw,minimum size=0.9cm,inner sep=0pt},",
             r"  weight/.style={font=\tiny,sloped,above,inner sep=1pt}]"]
    for l, n in enumerate(widths, start=1):
        for i in range(1, n + 1):
            lines.append(rf"\node[neuron] (n{l}-{i}) at ({4.2 * (l - 1):.1f},{_y(widths, l, i, 1.6):.2f}) "
                         rf"{{${notation.node(l, i)}$}};")
    for p in range(1, len(widths)):
        for i in range(1, widths[p] + 1):
            for j in range(1, widths[p - 1] + 1):
                where = 0.22 + 0.5 * (i - 1) / max(1, widths[p] - 1)  # staggered by destination
                text = rf" node[weight,pos={where:.3f}] {{${notation.weight(p, i, j)}$}}" if label else ""
                lines.append(rf"\draw[->] (n{p}-{j}) --{text} (n{p + 1}-{i});")
    lines += [r"\end{tikzpicture}", r"\end{center}"]
    return "\n".join(lines)


def _plain(latex: str) -> str:
    """Weight labels for SVG text: w_{11}^{(1 \\rightarrow 2)} -> w11 (1→2)."""
    text = latex.replace(r"\rightarrow", "→").replace(r"\;'", "'")
    for char in "{}_^\\":
        text = text.replace(char, "" if char != "^" else " ")
    return " ".join(text.split())


def svg(arch, notation: Notation) -> str:
    widths = arch.widths
    label = sum(a * b for a, b in itertools.pairwise(widths)) <= LABEL_LIMIT
    dx, dy, r = 190, 80, 22
    height = dy * max(widths) + 40
    width = dx * (len(widths) - 1) + 2 * r + 40
    cy = height / 2
    x = lambda l: 20 + r + dx * (l - 1)
    y = lambda l, i: cy - _y(widths, l, i, dy)  # node 1 on top, as in the TikZ drawing
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="serif" font-size="13">'),
           ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
           'markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>')]
    for p in range(1, len(widths)):
        for i in range(1, widths[p] + 1):
            for j in range(1, widths[p - 1] + 1):
                x1, y1, x2, y2 = x(p) + r, y(p, j), x(p + 1) - r, y(p + 1, i)
                out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#555" '
                           'marker-end="url(#arrow)"/>')
                if label:  # along the edge, staggered by destination, as in the TikZ drawing
                    t = 0.22 + 0.5 * (i - 1) / max(1, widths[p] - 1)
                    lx, ly = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
                    angle = math.degrees(math.atan2(y2 - y1, x2 - x1))
                    out.append(f'<text x="{lx:.1f}" y="{ly - 3:.1f}" font-size="10" text-anchor="middle" '
                               f'transform="rotate({angle:.1f} {lx:.1f} {ly:.1f})" fill="#036">'
                               f'{_escape(_plain(notation.weight(p, i, j)))}</text>')
    for l, n in enumerate(widths, start=1):
        for i in range(1, n + 1):
            out.append(f'<circle cx="{x(l):.1f}" cy="{y(l, i):.1f}" r="{r}" fill="white" stroke="black"/>')
            out.append(f'<text x="{x(l):.1f}" y="{y(l, i) + 4:.1f}" text-anchor="middle">'
                       f'{_escape(_plain(notation.node(l, i)))}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
