"""The network drawn with its weights and biases on the edges: one layout, drawn as TikZ
for LaTeX and as SVG for Markdown.

``layout`` computes everything in points (1/72.27 in, TeX's ``pt``), y growing downwards:
node circles (a grey ``+1`` node under each layer that feeds biases to the next), edge
segments, and a box for every piece of text: edge labels, the header of each layer (its
activation, written as the activation registry writes it) and the legend. Each edge label
is turned along its own edge and sits on it (or, where that has no room, right beside it),
at the place with the most room among those where its box covers no other label, no node,
no arrowhead and no other edge; an edge with no such place stays unlabelled and the legend
says how many are labelled. ``tikz`` and ``svg`` only draw that layout, so both drawings
agree to the hundredth of a point.

Labels are math in the document's notation: TikZ typesets the LaTeX, the SVG writes the
same LaTeX as ``<tspan>`` pieces with subscripts and superscripts stacked (``_runs``,
``_set``). Text sizes match the LaTeX document (10 pt class): labels \\footnotesize (8 pt),
nodes \\normalsize (10 pt). Text boxes are measured generously (``text_width``), so text
set in Latin Modern or Times stays inside them.
"""
from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

from derive.activations import activation
from derive.document.notation import Notation

# sizes in points -------------------------------------------------------------------------
RADIUS = 12.0  # node circles, at least: wider when a node's name needs it
NODE_FONT, LABEL_FONT, HEADER_FONT, LEGEND_FONT = 10.0, 8.0, 9.0, 8.0
SCRIPT = 0.75  # sub- and superscripts, relative to their base (TeX: 8 pt -> 6 pt)
SUB_SHIFT, SUP_SHIFT = 0.25, 0.4  # baseline shifts of scripts, in ems of the base
ASCENT, DESCENT = 0.75, 0.25  # the text box above and below a baseline, in ems
WIDE = frozenset("→+mwMW—")  # characters counted one em wide; all others NARROW ems
NARROW = 0.58  # conservative: wider than any digit or lower-case letter of Times or Latin Modern
PAD = 1.2  # white around a label's text
MAX_WIDTH = 460.0  # a LaTeX page's text width is 483 pt (A4, 2 cm margins)
MAX_HEIGHT = 400.0  # between the first and the last row of nodes: the picture stays within half a page
MARGIN = 8.0
ARROW = 7.0  # labels keep this far from a node's circle, clear of arrowheads
CLEAR = 1.5  # a label's box keeps this far from other edges and labels
BESIDE = 0.4  # a label beside its edge leaves this much of a gap
STEPS = 48  # candidate places of a label along its edge
PT_TO_PX = 96 / 72.27  # the SVG is shown at the size the LaTeX document prints it


@dataclass(frozen=True)
class Box:
    """A rectangle centred at (cx, cy), turned by ``angle`` radians (y down, so clockwise)."""

    cx: float
    cy: float
    hw: float  # half its width, along the angle
    hh: float  # half its height
    angle: float = 0.0

    @property
    def center(self) -> tuple[float, float]:
        return self.cx, self.cy

    def grown(self, d: float) -> Box:
        return Box(self.cx, self.cy, self.hw + d, self.hh + d, self.angle)

    def local(self, x: float, y: float) -> tuple[float, float]:
        """(x, y) in the box's own frame: centre at 0, its width along the first axis."""
        c, s = math.cos(self.angle), math.sin(self.angle)
        return (x - self.cx) * c + (y - self.cy) * s, -(x - self.cx) * s + (y - self.cy) * c

    def corners(self) -> list[tuple[float, float]]:
        c, s = math.cos(self.angle), math.sin(self.angle)
        return [(self.cx + u * c - v * s, self.cy + u * s + v * c)
                for u, v in ((-self.hw, -self.hh), (self.hw, -self.hh), (self.hw, self.hh), (-self.hw, self.hh))]

    def overlaps(self, other: Box) -> bool:
        """Separating axes: the boxes overlap unless one of their four edge directions parts them."""
        if math.hypot(self.cx - other.cx, self.cy - other.cy) >= math.hypot(self.hw, self.hh) + math.hypot(
                other.hw, other.hh):
            return False  # their circumscribed circles are apart
        for box in (self, other):
            corners = [box.local(x, y) for x, y in (self.corners() + other.corners())]
            ours, theirs = corners[:4], corners[4:]
            for axis in (0, 1):
                if (max(c[axis] for c in ours) <= min(c[axis] for c in theirs)
                        or max(c[axis] for c in theirs) <= min(c[axis] for c in ours)):
                    return False
        return True

    def meets_circle(self, x: float, y: float, r: float) -> bool:
        u, v = self.local(x, y)
        return math.hypot(u - min(max(u, -self.hw), self.hw), v - min(max(v, -self.hh), self.hh)) < r

    def meets_segment(self, x1: float, y1: float, x2: float, y2: float) -> bool:
        """Liang-Barsky clipping in the box's frame: does the segment enter the box?"""
        (u1, v1), (u2, v2) = self.local(x1, y1), self.local(x2, y2)
        t0, t1 = 0.0, 1.0
        du, dv = u2 - u1, v2 - v1
        for p, q in ((-du, u1 + self.hw), (du, self.hw - u1), (-dv, v1 + self.hh), (dv, self.hh - v1)):
            if p == 0:
                if q < 0:
                    return False
            elif p < 0:
                t0 = max(t0, q / p)
            else:
                t1 = min(t1, q / p)
            if t0 > t1:
                return False
        return True


@dataclass(frozen=True)
class Node:
    key: str  # "x2_1" (node 1 of layer 2) or "bias1" (the +1 node feeding layer 2)
    x: float
    y: float
    latex: str


@dataclass(frozen=True)
class Edge:
    key: str  # the parameter element it carries, as --wrt writes it: "W1[2,1]", "b1[2]"
    source: str
    target: str
    x1: float  # on the source circle
    y1: float
    x2: float  # on the target circle, where the arrowhead points
    y2: float


@dataclass(frozen=True)
class Label:
    text: str  # LaTeX math, or plain words when ``math`` is False
    box: Box
    size: float  # font size of the base text
    math: bool = True
    edge: str | None = None  # the key of the edge it labels
    kind: str = "weight"  # weight, header or legend


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    radius: float  # of every node's circle
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    labels: tuple[Label, ...]


# --- math as runs of text: the SVG's tspans, and every text box ------------------------

_SYMBOLS = {"rightarrow": "→", "to": "→", "sigma": "σ", "delta": "δ", "epsilon": "ε", "tanh": "tanh",
            ";": "", ",": "", "!": "", " ": ""}
_UPRIGHT = {"tanh"}
_GROUPS = {"operatorname", "mathrm", "text"}  # \operatorname{relu}: its argument, upright


def _group(latex: str, k: int) -> tuple[str, int]:
    """The braced group (or single character) at ``latex[k]``, and the index after it."""
    if latex[k] != "{":
        return latex[k], k + 1
    depth = 0
    for end in range(k, len(latex)):
        depth += {"{": 1, "}": -1}.get(latex[end], 0)
        if depth == 0:
            return latex[k + 1:end], end + 1
    raise ValueError(f"unbalanced braces in {latex!r}")


def _runs(latex: str, level: str = "") -> list[tuple[str, str, bool]]:
    """``w_{12}^{(1 \\rightarrow 2)}`` -> [("w", "", True), ("12", "sub", False), ("(1→2)", "sup", False)]:
    (text, level "", "sub" or "sup", italic), adjacent runs of one style merged."""
    out: list[tuple[str, str, bool]] = []
    k = 0
    while k < len(latex):
        char = latex[k]
        if char in "_^":
            inner, k = _group(latex, k + 1)
            out += [(text, "sub" if char == "_" else "sup", italic) for text, _, italic in _runs(inner, level)]
        elif char == "\\":
            end = k + 1
            while end < len(latex) and latex[end].isalpha():
                end += 1
            name = latex[k + 1:max(end, k + 2)]
            k = max(end, k + 2)
            if name in _GROUPS:
                inner, k = _group(latex, k)
                out.append((inner, level, False))
            else:
                symbol = _SYMBOLS.get(name, name)
                out.append((symbol, level, symbol.isalpha() and symbol not in _UPRIGHT))
        elif char in "{} ":
            k += 1
        else:
            out.append((char, level, char.isalpha()))
            k += 1
    merged: list[tuple[str, str, bool]] = []
    for run in out:
        if run[0] and merged and merged[-1][1:] == run[1:]:
            merged[-1] = (merged[-1][0] + run[0], *run[1:])
        elif run[0]:
            merged.append(run)
    return merged


def text_width(text: str, size: float) -> float:
    """A conservative width: more than the text takes in Times or Latin Modern."""
    return size * sum(1.0 if char in WIDE else NARROW for char in text)


_ADVANCE = {**dict.fromkeys("0123456789", 0.5), "(": 0.39, ")": 0.39, ",": 0.28, "+": 0.78, " ": 0.33,
            "'": 0.28, "w": 0.8, "m": 0.85, "→": 1.0}


def _advance(text: str, size: float) -> float:
    """Where the next piece starts: a little more than ``text`` takes in Latin Modern or Times
    (a script set a hair late reads well, one set into its base does not)."""
    return size * sum(_ADVANCE.get(char, 0.6) for char in text)


@dataclass(frozen=True)
class Piece:
    """One run of a text as the SVG places it, relative to the text's origin on its baseline."""

    text: str
    dx: float
    dy: float  # down from the baseline: a subscript's is positive
    size: float
    italic: bool


def _set(text: str, size: float, math_mode: bool = True) -> list[Piece]:
    """``text`` as pieces: a subscript and a superscript of one base stacked, as TeX sets them."""
    pieces: list[Piece] = []
    x, cursor = 0.0, {"sub": 0.0, "sup": 0.0}
    for run, level, italic in (_runs(text) if math_mode else [(text, "", False)]):
        if level:
            small = size * SCRIPT
            shift = SUB_SHIFT * size if level == "sub" else -SUP_SHIFT * size
            pieces.append(Piece(run, cursor[level], shift, small, italic))
            cursor[level] += _advance(run, small)
        else:
            x = max(x, *cursor.values())
            pieces.append(Piece(run, x, 0.0, size, italic))
            x += _advance(run, size)
            cursor = {"sub": x, "sup": x}
    return pieces


def _extent(pieces: list[Piece]) -> tuple[float, float, float, float]:
    """Left, right, height above and depth below the baseline of the pieces, conservatively."""
    return (min(p.dx for p in pieces), max(p.dx + text_width(p.text, p.size) for p in pieces),
            max(ASCENT * p.size - p.dy for p in pieces), max(DESCENT * p.size + p.dy for p in pieces))


def _box_at(x: float, y: float, text: str, size: float, math_mode: bool = True, angle: float = 0.0) -> Box:
    """The padded box of ``text`` centred at (x, y), turned by ``angle``."""
    left, right, up, down = _extent(_set(text, size, math_mode))
    return Box(x, y, (right - left) / 2 + PAD, (up + down) / 2 + PAD, angle)


def origin(box: Box, text: str, size: float, math_mode: bool = True) -> tuple[float, float]:
    """Where the text of a box starts on its baseline, in the box's unturned frame (centred)."""
    left, right, up, down = _extent(_set(text, size, math_mode))
    return box.cx - (left + right) / 2, box.cy + (up - down) / 2


# --- the layout ------------------------------------------------------------------------

def _radius(latex: str) -> float:
    """The circle around a node's name, its box's corners inside."""
    box = _box_at(0.0, 0.0, latex, NODE_FONT)
    return math.hypot(box.hw - PAD, box.hh - PAD) + 0.1


def _activation_latex(name: str) -> tuple[str, bool]:
    """How the header writes a layer's activation: (text, is math), from the registry."""
    entry = activation(name)
    return (entry.latex, True) if entry.latex else (entry.text, False)


@functools.lru_cache(maxsize=16)  # a document draws its network once per format
def layout(arch, notation: Notation) -> Layout:
    """Nodes, edges and every label of ``arch`` drawn in ``notation``: plain data in points."""
    widths, depth, bias = tuple(arch.widths), len(arch.widths), bool(arch.bias)
    densest = max(a * b for a, b in itertools.pairwise(widths))
    rows = max(n + (bias and l < depth) for l, n in enumerate(widths, start=1))
    first = getattr(notation, "first_layer", 1)  # the notation's own numbering: Ng's input is layer 0
    headers = [[(f"layer {l - 1 + first}", False), ("input", False) if l == 1 else _activation_latex(arch.activations[l - 2])]
               for l in range(1, depth + 1)]
    radius = max(RADIUS, *(_radius(notation.node(l, i)) for l, n in enumerate(widths, start=1) for i in (1, n)))
    side = MARGIN + max(radius, *(_box_at(0, 0, text, HEADER_FONT, is_math).hw
                                  for column in headers for text, is_math in column))
    dx = min(170.0, (MAX_WIDTH - 2 * side) / (depth - 1))
    dy = 44.0 + 2.0 * min(densest, 20)  # dense layers fan out more, which makes room for labels
    dy = min(dy, MAX_HEIGHT / max(1, rows - 1))
    header = 2 * HEADER_FONT * 1.3
    top = MARGIN + header + radius + 6

    nodes: dict[str, Node] = {}
    columns: dict[int, list[str]] = {}
    for l, n in enumerate(widths, start=1):
        count = n + (bias and l < depth)
        y0 = top + (rows - count) / 2 * dy
        x = side + (l - 1) * dx
        keys = []
        for i in range(1, n + 1):
            keys.append(f"x{l}_{i}")
            nodes[keys[-1]] = Node(keys[-1], x, y0 + (i - 1) * dy, notation.node(l, i))
        if bias and l < depth:
            keys.append(f"bias{l}")
            nodes[keys[-1]] = Node(keys[-1], x, y0 + n * dy, "+1")
        columns[l] = keys
    bottom = top + (rows - 1) * dy + radius

    edges: list[Edge] = []
    texts: dict[str, str] = {}
    for p in range(1, depth):
        for i in range(1, widths[p] + 1):
            target = nodes[f"x{p + 1}_{i}"]
            sources = [(f"W{p}[{i},{j}]", f"x{p}_{j}", notation.weight(p, i, j)) for j in range(1, widths[p - 1] + 1)]
            if bias:
                sources.append((f"b{p}[{i}]", f"bias{p}", notation.bias(p, i)))
            for key, source_key, latex in sources:
                source = nodes[source_key]
                ux, uy = target.x - source.x, target.y - source.y
                norm = math.hypot(ux, uy)
                ux, uy = ux / norm, uy / norm
                edges.append(Edge(key, source_key, target.key, source.x + radius * ux, source.y + radius * uy,
                                  target.x - radius * ux, target.y - radius * uy))
                texts[key] = latex

    labels: list[Label] = []
    for p in range(1, depth):  # gap by gap, each clear of the labels of the gaps before
        labels += _place([e for e in edges if e.source in columns[p]], edges, list(nodes.values()), radius, texts,
                         labels)

    for l, column in enumerate(headers, start=1):  # "layer l" over its activation
        for row, (text, is_math) in enumerate(column):
            box = _box_at(side + (l - 1) * dx, MARGIN + HEADER_FONT * 1.3 * (row + 0.5), text, HEADER_FONT, is_math)
            labels.append(Label(text, box, HEADER_FONT, is_math, kind="header"))

    width = 2 * side + (depth - 1) * dx
    y = bottom + 8
    for line in _wrap(_legend(arch, edges, labels), width - 2 * MARGIN, LEGEND_FONT):
        box = _box_at(0, 0, line, LEGEND_FONT, False)
        box = Box(MARGIN + box.hw, y + box.hh, box.hw, box.hh)
        labels.append(Label(line, box, LEGEND_FONT, False, kind="legend"))
        y = box.cy + box.hh
    return Layout(round(width, 2), round(y + MARGIN, 2), radius, tuple(nodes.values()), tuple(edges), tuple(labels))


def _legend(arch, edges, labels) -> str:
    parts = []
    if arch.bias:
        parts.append("Each +1 node feeds the biases of the next layer.")
    shown = {label.edge for label in labels if label.edge}
    missing = [e for e in edges if e.key not in shown]
    if missing:
        parts.append(f"{len(edges) - len(missing)} of {len(edges)} edges are labelled: a label that would "
                     "cover another edge or label is left out.")
    return " ".join(parts)


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(lines[-1] + " " + word, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _place(edges: list[Edge], every_edge: list[Edge], nodes: list[Node], radius: float, texts: dict[str, str],
           placed: list[Label]) -> list[Label]:
    """Labels for the edges of one layer gap, none covering a node, an arrowhead, another
    edge (of any gap) or another label (of this gap or ``placed`` before). Each label may sit anywhere along its own edge; the edge with the
    fewest free places is served first, at its place with the most room around it. A label
    sits on its edge (which runs through its middle, under its white ground) or, where that
    has no room, right beside it, touching it."""
    free: dict[str, list[tuple[int, float, float, Box]]] = {}  # edge -> [(beside, -room, |t - 0.4|, box)]
    for edge in edges:
        text = texts[edge.key]
        places = []
        angle = math.atan2(edge.y2 - edge.y1, edge.x2 - edge.x1)
        normal = (-math.sin(angle), math.cos(angle))
        size = _box_at(0.0, 0.0, text, LABEL_FONT)
        reach = 2 * (size.hw + size.hh) + 4.0  # what lies farther from the edge cannot meet its label
        near = [e for e in every_edge if e.key != edge.key and _apart(e.x1, e.y1, e.x2, e.y2, edge) < reach]
        circles = [(n.x, n.y, radius + (2.0 if n.key == edge.source else ARROW)) for n in nodes
                   if _apart(n.x, n.y, n.x, n.y, edge) < reach + radius + ARROW]
        for side in (0, -1, 1):
            shift = side * (size.hh + BESIDE)
            for step in range(1, STEPS):
                t = step / STEPS
                box = Box(edge.x1 + t * (edge.x2 - edge.x1) + shift * normal[0],
                          edge.y1 + t * (edge.y2 - edge.y1) + shift * normal[1], size.hw, size.hh, angle)
                room = _room(box, near, circles)
                if room >= CLEAR and not any(box.grown(CLEAR).overlaps(label.box) for label in placed):
                    places.append((abs(side), -room, round(abs(t - 0.4), 6), box))
        free[edge.key] = sorted(places, key=lambda place: place[:3])
    labels = []
    order = {edge.key: k for k, edge in enumerate(edges)}
    while free:
        key = min(free, key=lambda k: (len(free[k]), order[k]))
        places = free.pop(key)
        if not places:
            continue
        box = places[0][3]
        labels.append(Label(texts[key], box, LABEL_FONT, edge=key))
        for other, others in free.items():
            free[other] = [place for place in others if not place[3].grown(CLEAR).overlaps(box)]
    return sorted(labels, key=lambda label: order[str(label.edge)])


def _apart(x1: float, y1: float, x2: float, y2: float, edge: Edge) -> float:
    """How far apart the bounding boxes of a segment (or point) and ``edge`` are, at least."""
    return max(min(x1, x2) - max(edge.x1, edge.x2), min(edge.x1, edge.x2) - max(x1, x2),
               min(y1, y2) - max(edge.y1, edge.y2), min(edge.y1, edge.y2) - max(y1, y2), 0.0)


def _room(box: Box, edges: list[Edge], circles: list[tuple[float, float, float]]) -> float:
    """How far ``box`` may grow (up to 4 pt) and still meet none of ``edges`` and ``circles``
    (nodes, with their arrowheads); -1 if it already meets one."""
    room = -1.0
    for grow in (0.0, CLEAR, 2.5, 4.0):
        grown = box.grown(grow)
        if any(grown.meets_circle(*circle) for circle in circles) or any(
                grown.meets_segment(e.x1, e.y1, e.x2, e.y2) for e in edges):
            break
        room = grow
    return room


# --- drawing: TikZ and SVG from the same layout ---------------------------------------

def _pt(v: float) -> str:
    return f"{v:.2f}"


def _tex_words(text: str) -> str:
    return "".join({"_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#"}.get(char, char) for char in text)


def tikz(arch, notation: Notation) -> str:
    """The layout as a tikzpicture (y flipped: the layout's y grows downwards)."""
    drawing = layout(arch, notation)
    lines = [r"\begin{center}", r"\begin{tikzpicture}[x=1pt,y=-1pt,",
             r"  edge/.style={->,draw=black!60},",
             (rf"  neuron/.style={{circle,draw,fill=white,minimum size={_pt(2 * drawing.radius)}pt,"
              r"inner sep=0pt,font=\normalsize},"),
             r"  bias/.style={neuron,fill=black!8},",
             r"  weight/.style={fill=white,inner sep=0pt,font=\footnotesize},",
             r"  header/.style={inner sep=0pt,font=\small},",
             r"  legend/.style={inner sep=0pt,anchor=west,font=\footnotesize}]"]
    for e in drawing.edges:
        lines.append(rf"\draw[edge] ({_pt(e.x1)},{_pt(e.y1)}) -- ({_pt(e.x2)},{_pt(e.y2)}); % {e.key}")
    for label in drawing.labels:
        text = f"${label.text}$" if label.math else _tex_words(label.text)
        box = label.box
        if label.kind == "legend":
            lines.append(rf"\node[legend] at ({_pt(box.cx - box.hw + PAD)},{_pt(box.cy)}) {{{text}}};")
            continue
        size = (rf",minimum width={_pt(2 * box.hw)}pt,minimum height={_pt(2 * box.hh)}pt,"
                rf"rotate={_pt(-math.degrees(box.angle))}" if label.kind == "weight" else "")
        comment = f" % {label.edge}" if label.edge else ""
        lines.append(rf"\node[{label.kind}{size}] at ({_pt(box.center[0])},{_pt(box.center[1])}) {{{text}}};{comment}")
    for n in drawing.nodes:
        style = "bias" if n.key.startswith("bias") else "neuron"
        text = f"${n.latex}$"
        lines.append(rf"\node[{style}] at ({_pt(n.x)},{_pt(n.y)}) {{{text}}};")
    lines += [r"\end{tikzpicture}", r"\end{center}"]
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _svg_text(text: str, box: Box, size: float, math_mode: bool) -> str:
    """The text of ``box`` as one <text>, each piece a <tspan> at its own place."""
    x, y = origin(box, text, size, math_mode)
    spans = []
    for piece in _set(text, size, math_mode):
        style = ' font-style="italic"' if piece.italic else ""
        scaled = f' font-size="{_pt(piece.size)}"' if piece.size != size else ""
        spans.append(f'<tspan x="{_pt(x + piece.dx)}" y="{_pt(y + piece.dy)}"{scaled}{style}>'
                     f"{_escape(piece.text)}</tspan>")
    return f'<text font-size="{_pt(size)}">' + "".join(spans) + "</text>"


def svg(arch, notation: Notation) -> str:
    """The layout as a standalone SVG document (viewBox in points)."""
    drawing = layout(arch, notation)
    w, h = drawing.width, drawing.height
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{w * PT_TO_PX:.0f}" height="{h * PT_TO_PX:.0f}" '
            f'viewBox="0 0 {_pt(w)} {_pt(h)}" font-family="\'Latin Modern Roman\', \'Times New Roman\', Times, '
            f'\'Liberation Serif\', serif">'),
           ('<defs><marker id="derive-arrowhead" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
            'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#666"/></marker></defs>'),
           '<rect width="100%" height="100%" fill="white"/>']
    for e in drawing.edges:
        out.append(f'<line data-edge="{e.key}" x1="{_pt(e.x1)}" y1="{_pt(e.y1)}" x2="{_pt(e.x2)}" y2="{_pt(e.y2)}" '
                   'stroke="#666" stroke-width="0.6" marker-end="url(#derive-arrowhead)"/>')
    for label in drawing.labels:
        box = label.box
        edge = f' data-edge="{label.edge}"' if label.edge else ""
        turn = (f' transform="rotate({_pt(math.degrees(box.angle))} {_pt(box.cx)} {_pt(box.cy)})"'
                if label.kind == "weight" else "")
        out.append(f'<g class="{label.kind}"{edge}{turn}>')
        if label.kind == "weight":
            out.append(f'<rect x="{_pt(box.cx - box.hw)}" y="{_pt(box.cy - box.hh)}" width="{_pt(2 * box.hw)}" '
                       f'height="{_pt(2 * box.hh)}" fill="white"/>')
        out.append(_svg_text(label.text, box, label.size, label.math))
        out.append("</g>")
    for n in drawing.nodes:
        is_bias = n.key.startswith("bias")
        out.append(f'<g class="{"bias" if is_bias else "node"}" data-node="{n.key}">')
        out.append(f'<circle cx="{_pt(n.x)}" cy="{_pt(n.y)}" r="{_pt(drawing.radius)}" '
                   f'fill="{"#ebebeb" if is_bias else "white"}" stroke="black" stroke-width="0.6"/>')
        out.append(_svg_text(n.latex, _box_at(n.x, n.y, n.latex, NODE_FONT), NODE_FONT, True))
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
