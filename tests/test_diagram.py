"""The network diagram: labels typeset as math, none covering another label, a node or an
edge it does not belong to, biases and activations shown, and TikZ and SVG drawing one layout.

The geometry here is read back from the emitted SVG and measured with this file's own
polygon tests, never with the layout's: each text's box comes from its font size and its
number of characters, counted generously."""
import math
import os
import re
import shutil
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import derive
from derive.activations import activation
from derive.document import diagram
from derive.document.notation import notation

from .conftest import architectures, needs, parsed

SVG = "{http://www.w3.org/2000/svg}"
EM = 0.58  # per character, in ems of its font size: more than a digit or letter of Latin Modern or Times
WIDE_EM = 1.0  # for → + m w M W
NEAR = 0.5  # points: "near its box"

ARCHITECTURES = {
    "3-2-2": ("3-2-2", "sigmoid", "mse", False),
    "2-3-3-2 with biases": ("2-3-3-2", "tanh,relu,softmax", "cross-entropy", True),
    "4-4-4": ("4-4-4", "sigmoid", "mse", False),
    "3-6-6-2 with biases": ("3-6-6-2", "tanh,tanh,sigmoid", "mse", True),
}


def architecture(key):
    return parsed(ARCHITECTURES[key])


# --- geometry of convex polygons, written for this test -------------------------------

def _inside(point, polygon):
    """Strictly inside a convex polygon given clockwise or counter-clockwise."""
    signs = set()
    for (ax, ay), (bx, by) in zip(polygon, polygon[1:] + polygon[:1]):
        cross = (bx - ax) * (point[1] - ay) - (by - ay) * (point[0] - ax)
        if abs(cross) > 1e-9:
            signs.add(cross > 0)
    return len(signs) == 1


def _segments_cross(p, q, r, s):
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    d1, d2, d3, d4 = orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
    return d1 * d2 < 0 and d3 * d4 < 0


def _point_segment_distance(point, a, b):
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    t = max(0.0, min(1.0, ((point[0] - ax) * dx + (point[1] - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(point[0] - ax - t * dx, point[1] - ay - t * dy)


def _sides(polygon):
    return list(zip(polygon, polygon[1:] + polygon[:1]))


def polygons_overlap(a, b):
    return (any(_inside(p, b) for p in a) or any(_inside(p, a) for p in b)
            or any(_segments_cross(p, q, r, s) for p, q in _sides(a) for r, s in _sides(b)))


def segment_meets_polygon(a, b, polygon):
    return _inside(a, polygon) or _inside(b, polygon) or any(_segments_cross(a, b, r, s) for r, s in _sides(polygon))


def circle_meets_polygon(center, radius, polygon):
    return _inside(center, polygon) or min(_point_segment_distance(center, r, s) for r, s in _sides(polygon)) < radius


def grown(polygon, d):
    """A convex polygon pushed out by ``d`` from its centre (enough for the small boxes here)."""
    cx = sum(p[0] for p in polygon) / len(polygon)
    cy = sum(p[1] for p in polygon) / len(polygon)
    out = []
    for x, y in polygon:
        length = math.hypot(x - cx, y - cy)
        out.append((x + (x - cx) / length * d * math.sqrt(2), y + (y - cy) / length * d * math.sqrt(2)))
    return out


# --- the SVG read back ---------------------------------------------------------------

def text_box(text_element):
    """The box (x0, y0, x1, y1) of a <text> in its own frame: each tspan from its x, its
    baseline y, its font size and its characters, generously."""
    size = float(text_element.get("font-size"))
    x0 = y0 = math.inf
    x1 = y1 = -math.inf
    for span in text_element.iter(f"{SVG}tspan"):
        fs = float(span.get("font-size", size))
        x, y = float(span.get("x")), float(span.get("y"))
        width = fs * sum(WIDE_EM if c in "→+mwMW" else EM for c in span.text)
        x0, x1 = min(x0, x), max(x1, x + width)
        y0, y1 = min(y0, y - 0.75 * fs), max(y1, y + 0.25 * fs)
    return x0, y0, x1, y1


def turned(box, transform):
    """The corners of ``box`` after an SVG ``rotate(a cx cy)`` (or none)."""
    x0, y0, x1, y1 = box
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    if not transform:
        return corners
    a, cx, cy = map(float, re.fullmatch(r"rotate\(([-\d.]+) ([-\d.]+) ([-\d.]+)\)", transform).groups())
    c, s = math.cos(math.radians(a)), math.sin(math.radians(a))
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in corners]


def read_svg(text):
    root = ElementTree.fromstring(text)
    drawing = {"lines": {}, "circles": {}, "labels": [], "node_texts": []}
    for line in root.iter(f"{SVG}line"):
        drawing["lines"][line.get("data-edge")] = tuple(float(line.get(k)) for k in ("x1", "y1", "x2", "y2"))
    for group in root.iter(f"{SVG}g"):
        kind = group.get("class")
        text = group.find(f"{SVG}text")
        spans = [span.text for span in text.iter(f"{SVG}tspan")]
        if kind in ("node", "bias"):
            circle = group.find(f"{SVG}circle")
            center = (float(circle.get("cx")), float(circle.get("cy")))
            drawing["circles"][group.get("data-node")] = (center, float(circle.get("r")))
            drawing["node_texts"].append((center, float(circle.get("r")), turned(text_box(text), None), spans))
        else:
            drawing["labels"].append({"kind": kind, "edge": group.get("data-edge"), "spans": spans,
                                      "box": turned(text_box(text), group.get("transform")),
                                      "transform": group.get("transform"), "rect": group.find(f"{SVG}rect"),
                                      "text": text})
    return drawing


@pytest.fixture(scope="module", params=list(ARCHITECTURES))
def drawn(request):
    arch = architecture(request.param)
    return arch, read_svg(diagram.svg(arch, notation("arrows")))


# --- the drawing ---------------------------------------------------------------------

def test_no_label_overlaps_another_label(drawn):
    _, drawing = drawn
    labels = drawing["labels"]
    for k, a in enumerate(labels):
        for b in labels[k + 1:]:
            assert not polygons_overlap(a["box"], b["box"]), (a["spans"], b["spans"])


def test_no_label_overlaps_a_node(drawn):
    _, drawing = drawn
    for label in drawing["labels"]:
        for key, (center, radius) in drawing["circles"].items():
            assert not circle_meets_polygon(center, radius + 1, label["box"]), (label["spans"], key)


def test_no_label_crosses_an_edge_it_does_not_belong_to(drawn):
    _, drawing = drawn
    for label in drawing["labels"]:
        near = grown(label["box"], NEAR)
        for key, (x1, y1, x2, y2) in drawing["lines"].items():
            if key != label["edge"]:
                assert not segment_meets_polygon((x1, y1), (x2, y2), near), (label["spans"], key)


def test_each_label_sits_on_or_right_beside_its_own_edge_clear_of_its_arrowhead(drawn):
    _, drawing = drawn
    for label in drawing["labels"]:
        if label["kind"] != "weight":
            continue
        x1, y1, x2, y2 = drawing["lines"][label["edge"]]
        rect = label["rect"]
        half_height = float(rect.get("height")) / 2
        rect_center = (float(rect.get("x")) + float(rect.get("width")) / 2, float(rect.get("y")) + half_height)
        assert _point_segment_distance(rect_center, (x1, y1), (x2, y2)) < half_height + 0.5  # touching it
        text_center = (sum(p[0] for p in label["box"]) / 4, sum(p[1] for p in label["box"]) / 4)
        turn = re.fullmatch(r"rotate\(([-\d.]+) ([-\d.]+) ([-\d.]+)\)", label["transform"]).groups()
        assert math.dist((float(turn[1]), float(turn[2])), rect_center) < 0.02  # turned about its own centre
        assert math.dist(text_center, turned((*rect_center, *rect_center), label["transform"])[0]) < 3
        assert not circle_meets_polygon((x2, y2), 5, label["box"])  # the arrowhead stays visible
        assert abs(float(turn[0]) - math.degrees(math.atan2(y2 - y1, x2 - x1))) < 0.05  # set along the edge


@settings(max_examples=5)
@example(arch=derive.Architecture.parse("1-1-3-5-4", bias=True), notation_name="arrows")  # labels of two gaps met
@given(arch=architectures(max_depth=5, max_width=5), notation_name=st.sampled_from(["arrows", "layer", "nielsen"]))
def test_any_network_is_drawn_without_overlaps(arch, notation_name):
    drawing = read_svg(diagram.svg(arch, notation(notation_name)))
    labels = drawing["labels"]
    for k, label in enumerate(labels):
        assert not any(polygons_overlap(label["box"], other["box"]) for other in labels[k + 1:])
        assert not any(circle_meets_polygon(c, r + 1, label["box"]) for c, r in drawing["circles"].values())
        near = grown(label["box"], NEAR)
        assert not any(segment_meets_polygon((x1, y1), (x2, y2), near)
                       for key, (x1, y1, x2, y2) in drawing["lines"].items() if key != label["edge"])


def test_node_names_fit_inside_their_circles(drawn):
    _, drawing = drawn
    for center, radius, box, spans in drawing["node_texts"]:
        assert all(math.dist(center, corner) < radius for corner in box), spans


def test_every_edge_is_drawn_and_the_legend_counts_the_labelled_ones(drawn):
    arch, drawing = drawn
    expected = {f"W{p}[{i},{j}]" for p in range(1, arch.depth)
                for i in range(1, arch.widths[p] + 1) for j in range(1, arch.widths[p - 1] + 1)}
    if arch.bias:
        expected |= {f"b{p}[{i}]" for p in range(1, arch.depth) for i in range(1, arch.widths[p] + 1)}
    assert set(drawing["lines"]) == expected
    labelled = [label["edge"] for label in drawing["labels"] if label["kind"] == "weight"]
    assert len(set(labelled)) == len(labelled) and set(labelled) <= expected
    legend = " ".join("".join(label["spans"]) for label in drawing["labels"] if label["kind"] == "legend")
    if len(labelled) < len(expected):
        assert f"{len(labelled)} of {len(expected)} edges are labelled" in legend
    else:
        assert "labelled" not in legend
    assert len(labelled) >= len(expected) / 3  # dense layers lose labels, never most of them


@pytest.mark.parametrize("key", ["3-2-2"])
def test_small_networks_have_every_edge_labelled(key):
    for bias in (False, True):
        for name in ("arrows", "layer", "nielsen"):
            arch = derive.Architecture.parse(ARCHITECTURES[key][0], bias=bias)
            drawing = read_svg(diagram.svg(arch, notation(name)))
            labelled = {label["edge"] for label in drawing["labels"] if label["kind"] == "weight"}
            assert labelled == set(drawing["lines"]), (name, bias)


def test_labels_are_math_with_subscripts_and_superscripts():
    arch = derive.Architecture.parse("3-2-2")
    drawing = read_svg(diagram.svg(arch, notation("arrows")))
    label = next(lb for lb in drawing["labels"] if lb["edge"] == "W1[1,2]")  # from node 2 of layer 1 to node 1
    base, sub, sup = label["text"].iter(f"{SVG}tspan")
    assert (base.text, sub.text, sup.text) == ("w", "12", "(1→2)")
    assert base.get("font-style") == "italic"
    assert float(sub.get("font-size")) < float(label["text"].get("font-size"))
    assert float(sub.get("y")) > float(base.get("y")) > float(sup.get("y"))  # y grows downwards
    assert sub.get("x") == sup.get("x") and float(sub.get("x")) > float(base.get("x"))  # stacked after w
    nielsen = read_svg(diagram.svg(arch, notation("nielsen")))
    label = next(lb for lb in nielsen["labels"] if lb["edge"] == "W2[2,1]")
    assert [span.text for span in label["text"].iter(f"{SVG}tspan")] == ["w", "3", "21"]  # w^3_{21}
    assert "x1 (2)" not in diagram.svg(arch, notation("arrows"))


def test_biases_are_drawn_as_plus_one_nodes_with_their_own_labels():
    arch = architecture("2-3-3-2 with biases")
    drawing = read_svg(diagram.svg(arch, notation("arrows")))
    biases = [key for key in drawing["circles"] if key.startswith("bias")]
    assert len(biases) == arch.depth - 1  # one per layer that feeds another
    assert [t[3] for t in drawing["node_texts"] if t[3] == ["+1"]] == [["+1"]] * len(biases)
    label = next(lb for lb in drawing["labels"] if lb["edge"] == "b1[3]")
    assert label["spans"] == ["b", "3", "(2)"]
    plain = read_svg(diagram.svg(derive.Architecture.parse("2-3-3-2"), notation("arrows")))
    assert not any(key.startswith("bias") for key in plain["circles"])
    assert not any(edge.startswith("b") for edge in plain["lines"])


def test_each_layer_is_headed_by_its_activation_from_the_registry():
    arch = architecture("2-3-3-2 with biases")
    drawing = read_svg(diagram.svg(arch, notation("arrows")))
    headers = ["".join(label["spans"]) for label in drawing["labels"] if label["kind"] == "header"]
    assert headers == ["layer 1", "input", "layer 2", "tanh", "layer 3", "relu", "layer 4", "softmax"]
    ng = read_svg(diagram.svg(arch, notation("ng")))  # in the notation's own numbering: Ng's input is layer 0
    assert ["".join(label["spans"]) for label in ng["labels"] if label["kind"] == "header"][::2] == [
        "layer 0", "layer 1", "layer 2", "layer 3"]
    tex = diagram.tikz(arch, notation("arrows"))
    for name in arch.activations:
        assert f"{{${activation(name).latex}$}}" in tex
    sigmoid = read_svg(diagram.svg(derive.Architecture.parse("3-2-2", activation="sigmoid,identity"),
                                   notation("arrows")))
    assert ["".join(label["spans"]) for label in sigmoid["labels"] if label["kind"] == "header"][3:] == [
        "σ", "layer 3", "identity"]


def _tikz_positions(tex):
    number = r"(-?[\d.]+)"
    edges = {key: tuple(map(float, xy)) for *xy, key in re.findall(
        rf"\\draw\[edge\] \({number},{number}\) -- \({number},{number}\); % (\S+)", tex)}
    nodes = sorted(tuple(map(float, xy)) for xy in re.findall(
        rf"\\node\[(?:neuron|bias)\] at \({number},{number}\)", tex))
    labels = {key: (float(x), float(y), float(angle)) for angle, x, y, key in re.findall(
        rf"\\node\[weight,[^\]]*rotate={number}\] at \({number},{number}\) {{.*}}; % (\S+)", tex)}
    return edges, nodes, labels


@pytest.mark.parametrize("key", list(ARCHITECTURES))
def test_tikz_and_svg_draw_the_same_layout(key):
    arch = architecture(key)
    tex = diagram.tikz(arch, notation("arrows"))
    drawing = read_svg(diagram.svg(arch, notation("arrows")))
    edges, nodes, labels = _tikz_positions(tex)
    assert edges == drawing["lines"]
    assert nodes == sorted(center for center, _ in drawing["circles"].values())
    svg_labels = {}
    for label in drawing["labels"]:
        if label["kind"] == "weight":
            angle, x, y = map(float, re.fullmatch(r"rotate\(([-\d.]+) ([-\d.]+) ([-\d.]+)\)",
                                                   label["transform"]).groups())
            svg_labels[label["edge"]] = (x, y, -angle)  # TikZ turns counter-clockwise with y up
    assert labels == svg_labels and labels
    for label in drawing["labels"]:  # and the same math in both
        if label["kind"] == "weight":
            latex = re.search(rf"{{\$(.*)\$}}; % {re.escape(label['edge'])}\n", tex).group(1)
            assert latex == _parameter_latex(label["edge"], notation("arrows"))


def _parameter_latex(key, note):
    kind, *indices = re.fullmatch(r"([Wb])(\d+)\[(\d+)(?:,(\d+))?\]", key).groups()
    numbers = [int(k) for k in indices if k is not None]
    return note.weight(*numbers) if kind == "W" else note.bias(*numbers)


def test_the_drawing_is_byte_identical_across_runs():
    program = ("import derive; from derive.document import diagram; from derive.document.notation import notation; "
               "a = derive.Architecture.parse('2-3-3-2', activation='tanh,relu,softmax', loss='cross-entropy', "
               "bias=True); print(diagram.svg(a, notation('arrows')) + diagram.tikz(a, notation('nielsen')))")
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1] and "<svg" in runs[0]


needs_pdflatex = needs(bool(shutil.which("pdflatex")), "pdflatex is installed by .ci/run")


@needs_pdflatex
@pytest.mark.parametrize("key, notation_name", [("2-3-3-2 with biases", "arrows"), ("3-6-6-2 with biases", "nielsen")])
def test_the_tikz_compiles_inside_the_page(key, notation_name, tmp_path):
    picture = diagram.tikz(architecture(key), notation(notation_name))
    preamble = [r"\documentclass[10pt]{article}", r"\usepackage[a4paper,margin=2cm]{geometry}",
                r"\usepackage{amsmath,amssymb}", r"\usepackage{tikz}", r"\begin{document}"]
    (tmp_path / "d.tex").write_text("\n".join([*preamble, picture, r"\end{document}"]))
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    log = (tmp_path / "d.log").read_text(errors="replace")
    assert result.returncode == 0, log[-2000:]
    assert "Overfull" not in log


def test_the_checks_catch_overlaps_and_crossings():
    drawing = read_svg(diagram.svg(architecture("3-2-2"), notation("arrows")))
    first, second = [label for label in drawing["labels"] if label["kind"] == "weight"][:2]
    assert not polygons_overlap(first["box"], second["box"])
    assert polygons_overlap(first["box"], [(x + 3, y + 2) for x, y in first["box"]])
    x1, y1, x2, y2 = drawing["lines"][first["edge"]]
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    square = [(cx - 5, cy - 5), (cx + 5, cy - 5), (cx + 5, cy + 5), (cx - 5, cy + 5)]
    assert segment_meets_polygon((x1, y1), (x2, y2), square)
    assert not segment_meets_polygon((x1, y1 - 20), (x2, y2 - 20), square)
    center, radius = drawing["circles"]["x1_1"]
    touching = [(center[0] + radius - 1 + dx, center[1] + dy) for dx, dy in ((0, -5), (10, -5), (10, 5), (0, 5))]
    assert circle_meets_polygon(center, radius, touching)
    assert not circle_meets_polygon(center, radius, [(x + 2, y) for x, y in touching])


@pytest.mark.parametrize("widths", ["2-2", "5-1", "2-2-2-2-2", "2-3-3-3-3-3-2"])
def test_the_drawing_fits_the_text_width_of_an_a4_page(widths):
    arch = derive.Architecture.parse(widths, bias=True)
    root = ElementTree.fromstring(diagram.svg(arch, notation("arrows")))
    width = float(root.get("viewBox").split()[2])
    assert width <= 483  # points: A4 with 2 cm margins, the LaTeX document's page
    drawing = read_svg(diagram.svg(arch, notation("arrows")))
    assert max(max(x1, x2) for x1, _, x2, _ in drawing["lines"].values()) < width


@pytest.mark.parametrize("notation_name", ["arrows", "nielsen"])
def test_two_digit_node_names_fit_inside_wider_circles(notation_name):
    drawing = read_svg(diagram.svg(derive.Architecture.parse("2-10-2"), notation(notation_name)))
    assert ["10" in "".join(spans) for *_, spans in drawing["node_texts"]].count(True) == 1
    for center, radius, box, spans in drawing["node_texts"]:
        assert all(math.dist(center, corner) < radius for corner in box), spans
