"""Notations as data: every notation the tool writes it reads back to the same quantity, user
notations (FILE.toml, --symbols) read what their authors mean, and --notation auto finds the
notation a text is written in. Expected quantities are the reference meanings of
shared/NOTATION.md, spelled out by hand."""
import argparse
import re
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from derive.architecture import Architecture
from derive.cli import main
from derive.commands.options import add_notation_options, chosen_notation
from derive.document import render_document
from derive.errors import DeriveError
from derive.notation import FORMS, NOTATIONS, load_toml, notation, notation_from_data, parse_symbols
from derive.reader.bind import LOSS, bind, choose, read, read_equations
from derive.reader.parse import parse
from derive.reader.syntax import (
    Add,
    Call,
    Mul,
    Nabla,
    Number,
    Partial,
    Pow,
    Quantity,
    Sum,
    Symbol,
    Transpose,
    walk,
)

WRITERS = ("arrows", "layer", "nielsen", "general", "ng", "rows", "index")
ARTICLE = Architecture.parse("3-2-2")
BIASED = Architecture.parse("2-3-3-2", bias=True)


def Q(kind, layer=None, i=None, j=None, example=None):
    return Quantity(kind, layer, i, j, example)


def plain(tree):
    """A bound tree with double transposes removed (a row notation writes a column x as x^T)."""
    if isinstance(tree, Transpose):
        inner = plain(tree.arg)
        return inner.arg if isinstance(inner, Transpose) else Transpose(inner)
    return tree


def quantities(arch):
    """(form, layer, i, j) for every quantity of ``arch`` in reference numbering."""
    L, widths = arch.depth, arch.widths
    for l in range(1, L + 1):
        yield "node_vector", l, None, None
        for i in range(1, widths[l - 1] + 1):
            yield "node", l, i, None
        if l == 1:
            continue
        for form in ("node_prime", "preactivation", "delta") + (("bias",) if arch.bias else ()):
            yield f"{form}_vector", l, None, None
            for i in range(1, widths[l - 1] + 1):
                yield form, l, i, None
    for p in range(1, L):
        yield "weight_matrix", p, None, None
        for i in range(1, widths[p] + 1):
            for j in range(1, widths[p - 1] + 1):
                yield "weight", p, i, j
    yield "label_vector", None, None, None
    for i in range(1, widths[-1] + 1):
        yield "label", None, i, None


def meaning(form, layer, i, j):
    kind, whole, gradient = FORMS[form]
    quantity = Q(kind, layer, i, j)
    if gradient:
        return Nabla(quantity, LOSS) if whole else Partial(LOSS, quantity)
    return quantity


@pytest.mark.parametrize("name", WRITERS)
@pytest.mark.parametrize("arch", [ARTICLE, BIASED], ids=["3-2-2", "2-3-3-2-bias"])
def test_every_quantity_written_reads_back_as_itself(name, arch):
    n = NOTATIONS[name]
    for form, layer, i, j in quantities(arch):
        text = n.write(form, layer, i, j)
        [tree] = read(text, n, arch)
        assert plain(tree) == meaning(form, layer, i, j), (form, layer, i, j, text)


def test_the_activation_of_a_weighted_input_written_out_is_that_of_its_layer():
    """N(b_l^i + \\sum_j w_{l-1}^{ij} a_{l-1}^j) is layer l's activation: its biases and weights
    say which layer, labelled in the notation's own numbering (g^{[2]} is reference layer 3)."""
    index, ng = NOTATIONS["index"], NOTATIONS["ng"]
    [call] = read(r"N(b_2^i + \sum_j w_1^{ij} a_1^j)", index, BIASED)
    assert call.name == "activation" and call.sup == "2"
    assert read(r"N'(\sum_j w_2^{ij} a_2^j)", index, BIASED)[0].sup == "3"  # a weight joins its source to the next
    assert read(r"g(W^{[2]} a^{[1]} + b^{[2]})", ng, BIASED)[0].sup == "2"
    assert read(r"N(b_2^i + b_3^i)", index, BIASED)[0].sup is None  # two layers: none is said
    assert read("N(a_1^1)", index, BIASED)[0].sup is None  # a quantity names its own layer


def test_powers_of_whole_quantities_are_elementwise_where_the_notation_computes_like_numpy():
    ng, arrows = NOTATIONS["ng"], NOTATIONS["arrows"]
    [tree] = read(r"1 - (A^{[1]})^2", ng, BIASED)
    assert tree.terms[1][1] == Mul((Q("node", 2), Q("node", 2)), ("odot",))
    assert read(r"(a^{[1]}_2)^2", ng, BIASED) == [Pow(Q("node", 2, 2), Number("2"))]  # one entry: a number's square
    assert isinstance(read(r"(x^{(2)})^2", arrows, BIASED)[0], Pow)  # the article's notation has no such power
    assert notation_from_data({"extends": "arrows", "elementwise_powers": True}).elementwise_powers


def test_ngs_gradients_read_back_as_gradients():
    ng = NOTATIONS["ng"]
    for form, layer, i, j in [("d_weight_matrix", 2, None, None), ("d_weight", 1, 3, 2), ("d_bias_vector", 3, None, None),
                              ("d_bias", 2, 1, None), ("d_node_vector", 3, None, None)]:
        [tree] = read(ng.write(form, layer, i, j), ng, BIASED)
        assert tree == meaning(form, layer, i, j)


@pytest.mark.parametrize("name", ["arrows", "nielsen", "general", "ng", "rows"])
def test_letter_indices_read_back_as_letters(name):
    n = NOTATIONS[name]
    assert read(n.write("node", "l", "j"), n, ARTICLE) == [Q("node", "l", "j")]
    assert read(n.write("weight", "l", "j", "k"), n, ARTICLE) == [Q("weight", "l", "j", "k")]
    assert read(n.write("delta", "l+1", "k"), n, ARTICLE) == [Q("delta", "l+1", "k")]
    assert read(n.write("node", "L", "j"), n, ARTICLE) == [Q("node", 3, "j")]  # L, the output layer, in every notation


SMALL = Architecture.parse("2-2-1", activation="tanh,sigmoid", bias=True)
DOCUMENT_NETWORKS = {"md": ARTICLE, "tex": SMALL}  # both forms, and biases, in a few seconds


@pytest.fixture(scope="module")
def documents():
    """Every document derive latex writes, in each notation and form."""
    derivations = {form: derive.derive(arch) for form, arch in DOCUMENT_NETWORKS.items()}
    return {(name, form): render_document(derivations[form], form, notation_name=name)[0]
            for name in WRITERS for form in ("md", "tex")}


def _formulas(text, form):
    """Display blocks and the parameters named in headings (prose like $w_{ij}$ is not a formula)."""
    if form == "md":
        return re.findall(r"\$\$(.*?)\$\$", text, re.DOTALL) + re.findall(r"with respect to \$([^$]+)\$", text)
    return re.findall(r"\\begin\{align\*\}(.*?)\\end\{align\*\}", text, re.DOTALL) + \
        re.findall(r"with respect to \$([^$]+)\$", text)


@pytest.mark.parametrize("name", WRITERS)
@pytest.mark.parametrize("form", ["md", "tex"])
def test_every_formula_of_every_document_reads_and_binds(documents, name, form):
    formulas = _formulas(documents[name, form], form)
    assert len(formulas) > 20
    n = NOTATIONS[name]
    for latex in formulas:
        if r"\text{new}" in latex:
            continue  # the update rule defines w_new; nothing to bind it to
        members = read(latex, n, DOCUMENT_NETWORKS[form])
        assert not [s for m in members for s in walk(m) if isinstance(s, Symbol)
                    and not isinstance(s, Quantity)], latex


def test_the_writer_writes_exactly_the_article_spellings():
    arrows, layer, nielsen = NOTATIONS["arrows"], NOTATIONS["layer"], NOTATIONS["nielsen"]
    assert arrows.weight(1, 2, 3) == r"w_{23}^{(1 \rightarrow 2)}"
    assert arrows.weight(1, 12, 3) == r"w_{12,3}^{(1 \rightarrow 2)}"
    assert arrows.node(1, 2) == "x_{2}" and arrows.node(3, 1) == "x_{1}^{(3)}"
    assert arrows.node_prime(3, 1) == r"x_{1}^{(3)\;'}"
    assert arrows.matrix(2) == r"\underline{w}^{(2 \rightarrow 3)}" and arrows.vector(1) == r"\vec{x}^{(1)}"
    assert layer.weight(2, 1, 2) == "w_{12}^{(2)}" and layer.matrix(1) == "W^{(1)}"
    assert nielsen.weight(1, 2, 3) == "w^{2}_{23}" and nielsen.node_prime(2, 1) == r"\sigma'(z^{2}_{1})"
    assert nielsen.vector(1) == "x" and nielsen.vector(2) == "a^{2}"
    general = NOTATIONS["general"]
    assert general.weight(1, 2, 3) == "w^{1}_{32}" and general.node(1, 2) == "a^{0}_{2}"  # source first, input 0
    ng = NOTATIONS["ng"]
    assert ng.node(2, 1) == "a^{[1]}_{1}" and ng.matrix(1) == "W^{[1]}" and ng.delta(3) == "dz^{[2]}"
    rows = NOTATIONS["rows"]
    assert rows.weight(1, 2, 3) == "W^{(1)}_{32}"  # row i of W is the source node
    assert rows.vector(1) == "X^{T}" and rows.matrix(1) == "W^{(1)T}"  # columns are the transposed rows


@pytest.mark.parametrize("name, latex, expected", [
    ("arrows", r"w_{12}^{(2 \rightarrow 3)}", Q("weight", 2, 1, 2)),
    ("arrows", "w_{12}^{(2)}", Q("weight", 2, 1, 2)),
    ("arrows", "W^{(1)}", Q("weight", 1)),
    ("arrows", r"x_1^{(3)\;'}", Q("node_prime", 3, 1)),
    ("arrows", "x_2", Q("node", 1, 2)),
    ("arrows", r"x_i^{(l)}", Q("node", "l", "i")),
    ("nielsen", "w^l_{jk}", Q("weight", "l-1", "j", "k")),  # from k in l-1 to j in l
    ("nielsen", "a^L_j", Q("node", 3, "j")),  # L is the output layer
    ("nielsen", "a^{L-1}_j", Q("node", 2, "j")),
    ("nielsen", "a^{2}", Q("node", 2)),  # a layer label, not a square
    ("nielsen", r"\sigma'(z^3_1)", Q("node_prime", 3, 1)),
    ("nielsen", r"\delta^l_j", Q("delta", "l", "j")),
    ("nielsen", r"\nabla_a C", Nabla(Q("node", 3), LOSS)),  # a alone: the output layer, as in the book
    ("arrows", r"\mathcal{L}", LOSS),
    ("general", "w_{ij}^l", Q("weight", "l", "j", "i")),  # from i in l-1 to j in l, the input being layer 0
    ("general", "a_j^1", Q("node", 2, "j")),
    ("general", "a_i^L", Q("node", 3, "i")),
    ("general", "x_i", Q("node", 1, "i")),
    ("general", "t_j", Q("label", None, "j")),
    ("general", r"{\cal C}", LOSS),
    ("general", r"f'(z_j^l)", Q("node_prime", "l+1", "j")),
    ("ng", "a^{[1]}_{2}", Q("node", 2, 2)),  # layer 0 is the input
    ("ng", "W^{[l]}", Q("weight", "l")),
    ("ng", "a^{[L]}", Q("node", 3)),
    ("ng", "dW^{[2]}", Nabla(Q("weight", 2), LOSS)),
    ("ng", "dZ^{[2]}", Q("delta", 3)),
    ("ng", "m", Number("1")),
    ("ng", "g'^{[1]}(z^{[1]}_{2})", Q("node_prime", 2, 2)),
    ("ng", "g^{[1]}(z^{[1]}_{2})", Call("activation", (Q("preactivation", 2, 2),))),
    ("index", "N'(z_l^i)", Q("node_prime", "l", "i")),
    ("index", "N(z_2^1)", Call("activation", (Q("preactivation", 2, 1),))),
    ("rows", "X", Transpose(Q("node", 1))),
    ("rows", "W_h", Transpose(Q("weight", 1))),
    ("rows", "o", Transpose(Q("node", 3))),
    ("rows", r"\hat{y}", Transpose(Q("node", 3))),
    ("rows", "W^{(1)}_{32}", Q("weight", 1, 2, 3)),
    ("rows", "l", LOSS),
    ("rows", r"\mathbf{1}", Q("ones")),  # the vector of ones of a batch
    ("rows", r"\delta_o", Transpose(Q("delta", 3))),
    ("rows", "o_j", Q("node", 3, "j")),
    ("ng", "dZ^{[1](i)}", Q("delta", 2, example="i")),  # the column of example i
    ("ng", "y^{(i)}", Q("label", example="i")),
    ("ng", "a", Q("node", 3)),  # \mathcal{L}(a, y): a alone is the output
    ("ng", r"\mathcal{L}(a^{[2]}, y)", LOSS),
    ("flat", "E_{total}", LOSS),
    ("index", "a_l^i", Q("node", "l", "i")),
    ("index", "{a_{l-1}}^j", Q("node", "l-1", "j")),
    ("index", "w_{l-1}^{ij}", Q("weight", "l-1", "i", "j")),
    ("index", "y^i", Q("label", None, "i")),
])  # a bias of a letter layer: tests/test_output_layer_letter.py (it needs a network with biases)
def test_spellings_bind_to_their_reference_quantities(name, latex, expected):
    assert read(latex, NOTATIONS[name], ARTICLE) == [expected]


def test_a_word_that_is_no_name_is_the_product_of_its_letters():
    n = NOTATIONS["rows"].with_symbols(parse_symbols(r"w=\underline{w}^{(1 \rightarrow 2)}"))
    assert read("Xw", n, Architecture.parse("2-2")) == [
        Mul((Transpose(Q("node", 1)), Transpose(Q("weight", 1))), ("juxt",))]


def test_eulers_number_is_the_exponential():
    assert read(r"\frac{e^{-z_1^{(2)}}}{2}", NOTATIONS["arrows"], ARTICLE)[0].num == Call(
        r"\exp", (Add(((-1, Q("preactivation", 2, 1)),)),))


def test_a_layer_is_a_number_or_a_layer_letter():
    with pytest.raises(DeriveError, match="cannot bind"):
        read(r"\delta_o", NOTATIONS["index"], ARTICLE)  # o names the output in other notations, it is no layer
    assert read(r"\delta_k", NOTATIONS["index"], ARTICLE) == [Q("delta", "k")]


def test_a_block_of_several_equations_reads_each():
    n = NOTATIONS["flat"].with_symbols(parse_symbols("w_1=w_{11}^{(1)}, w_2=w_{12}^{(1)}"))
    assert read_equations(r"w_1 = 0.15, \quad w_2 = 0.2.", n, ARTICLE) == [
        [Q("weight", 1, 1, 1), Number("0.15")], [Q("weight", 1, 1, 2), Number("0.2")]]


def test_sum_limits_are_bound_where_they_name_something():
    [tree] = read(r"\frac{1}{m} \sum_{i=1}^{m} dZ^{[1](i)}", NOTATIONS["ng"], ARTICLE)
    assert tree.factors[1] == Sum("i", Number("1"), Number("1"), Q("delta", 2, example="i"))
    [tree] = read(r"\sum_{j=1}^{n} x_j^{(3)}", NOTATIONS["arrows"], ARTICLE)
    assert tree.upper == Symbol("n")  # the size j runs over, as written


def test_a_power_stays_a_power_where_the_letter_has_no_label():
    assert read("x_1^2", NOTATIONS["arrows"], ARTICLE) == [Pow(Q("node", 1, 1), Number("2"))]
    assert read("(a^{3}_{1} - y_1)^{2}", NOTATIONS["nielsen"], ARTICLE) == [
        Pow(Add(((1, Q("node", 3, 1)), (-1, Q("label", None, 1)))), Number("2"))]


def test_elementwise_products_are_marked_as_the_notation_says():
    [tree] = read(r"a^{[2]} * g'^{[2]}(z^{[2]})", NOTATIONS["ng"], ARTICLE)
    assert tree == Mul((Q("node", 3), Q("node_prime", 3)), ("odot",))
    [tree] = read(r"2 * x_1^{(3)}", NOTATIONS["arrows"], ARTICLE)
    assert tree.ops == ("star",)  # * is plain multiplication in the article


@pytest.mark.parametrize("latex, message", [
    (r"w_{13}^{(2 \rightarrow 3)}", r"w_{13}^{(2 \rightarrow 3)} does not exist: W2 is 2×2, and layer 2 has 2 nodes"),
    (r"w_{31}^{(1 \rightarrow 2)}", "does not exist: W1 is 2×3"),
    (r"w_{11}^{(3 \rightarrow 4)}", "no weight matrix from layer 3"),
    (r"w_{11}^{(1 \rightarrow 3)}", "write weights like"),
    ("x_1^{(5)}", "layer 5 does not exist"),
    ("x_0^{(3)}", "x_0^{(3)} does not exist: layer 3 has 2 nodes"),
    ("y_3", "y_3 does not exist: there are 2 outputs"),
    ("b_1^{(2)}", "has no biases"),
    (r"\delta_1^{(1)}", "the input layer has no δ"),
    ("z_1^{(1)}", "the input layer has no pre-activation"),
    ("w_{10}", "write weights like"),
    ("Q", "unknown name Q"),
    (r"\frac{\delta C}{\delta w}", "means ∂ only in notations that say so"),
])
def test_what_cannot_be_bound_is_named_in_one_line(latex, message):
    with pytest.raises(DeriveError) as error:
        read(latex, NOTATIONS["arrows"], ARTICLE)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_loss_name_option_leaves_one_name_for_the_loss():
    n = NOTATIONS["arrows"].with_loss_name("Cost")
    assert read("Cost", n, ARTICLE) == [LOSS]
    with pytest.raises(DeriveError, match="unknown name MSE"):
        read("MSE", n, ARTICLE)


GENERAL_INDEX_TOML = r'''
name = "course-pages"
description = "layer as a subscript, node as a superscript, weights from i in l to j in l+1"
weight_order = "from-to"
delta_is_partial = true
functions = ["N"]
loss_names = ["C"]

[templates]
node = ["a_{<l>}^{<i>}"]
node_vector = ["a_{<l>}"]
preactivation = ["z_{<l>}^{<i>}"]
weight = ["w_{<p>}^{<ij>}"]
weight_matrix = ["w_{<p>}"]
bias = ["b_{<l>}^{<i>}"]
bias_vector = ["b_{<l>}"]
label = ["y^{<i>}"]
label_vector = ["y"]
'''


def test_a_toml_notation_reads_its_own_conventions(tmp_path):
    path = tmp_path / "course.toml"
    path.write_text(GENERAL_INDEX_TOML)
    n = notation(str(path))
    assert n.name == "course-pages"
    arch = Architecture.parse("3-2-2", bias=True)
    left, right = read(r"{a_l}^i = N(b_l^i + \sum_{j=1}^{n} a_{l-1}^j w_{l-1}^{ji})", n, arch)
    assert left == Q("node", "l", "i")
    assert isinstance(right, Call) and right.name == "activation"  # N is the network's activation
    assert read(r"\frac{\delta C}{\delta w_{l-1}^{ij}}", n, arch) == [
        Partial(LOSS, Q("weight", "l-1", "j", "i"))]  # from i to j: the destination j comes first
    assert n.write("weight", 1, 2, 3) == "w_{1}^{32}"


def test_derive_latex_writes_in_a_toml_notation_and_reads_it_back(tmp_path, capsys):
    path = tmp_path / "course.toml"
    path.write_text(GENERAL_INDEX_TOML.replace('name = "course-pages"', 'name = "course-pages"\nextends = "arrows"'))
    output = tmp_path / "d.md"
    assert main(["latex", "3-2-2", "--bias", "--notation", str(path), "--format", "md", "-o", str(output)]) == 0
    capsys.readouterr()
    text = output.read_text()
    assert "w_{1}^{11}" in text  # the weight from node 1 of layer 1 to node 1 of layer 2, in the file's spelling
    n = load_toml(path)
    for latex in _formulas(text, "md"):
        if r"\text{new}" not in latex:
            read(latex, n, Architecture.parse("3-2-2", bias=True))


def test_a_preset_written_as_toml_is_the_same_notation():
    for name in WRITERS:
        n = NOTATIONS[name]
        again = notation_from_data(tomllib.loads(n.as_toml()))
        for form, layer, i, j in quantities(BIASED):
            assert again.write(form, layer, i, j) == n.write(form, layer, i, j)


@pytest.mark.parametrize("text, message", [
    ("name = ", "is not valid TOML"),
    ('weight_order = "up"', "weight_order is 'to-from' or 'from-to'"),
    ('[templates]\nnode = ["x_{<k>}"]', "uses <k>"),
    ('[templates]\nnodes = ["x_{<i>}"]', "unknown form 'nodes'"),
    ('[templates]\nnode = ["x_{<i>"]', "not readable LaTeX"),
    ("first_layer = 2", "first_layer is 0 or 1"),
    ("colour = 1", "unknown field 'colour'"),
    ('extends = "greek"', "unknown notation 'greek'"),
    ("loss_names = 3", "loss_names must be a list"),
    ('[fixed]\nnode_vector = [["X"]]', "fixed.node_vector entries are"),
])
def test_a_bad_notation_file_is_a_one_line_error(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(DeriveError) as error:
        load_toml(path)
    assert message in str(error.value) and "\n" not in str(error.value)
    assert str(error.value).startswith(str(path))


def test_missing_notation_file(tmp_path):
    with pytest.raises(DeriveError, match="does not exist"):
        notation(str(tmp_path / "none.toml"))


def test_symbols_bind_an_articles_names_to_the_reference_quantities():
    arch = Architecture.parse("2-2")
    symbols = parse_symbols(r"h=z^{(2)}, o=x^{(2)}, W_h=\underline{w}^{(1 \rightarrow 2)}, l=L")
    n = NOTATIONS["rows"].with_symbols(symbols)
    assert read("h = X W_h", n, arch) == [
        Transpose(Q("preactivation", 2)), Mul((Transpose(Q("node", 1)), Transpose(Q("weight", 1))), ("juxt",))]
    assert read(r"\frac{\partial l}{\partial o}", n, arch) == [Partial(LOSS, Transpose(Q("node", 2)))]
    flat = NOTATIONS["flat"].with_symbols(parse_symbols(r"w_1=w_{11}^{(1)}, net_{h1}=z_1^{(2)}, out_{h1}=x_1^{(2)}"))
    assert read(r"net_{h1}", flat, arch) == [Q("preactivation", 2, 1)]
    assert read(r"\frac{\partial E_{total}}{\partial w_1}", flat, arch) == [Partial(LOSS, Q("weight", 1, 1, 1))]
    with pytest.raises(DeriveError, match="unknown name i_1|cannot bind i_1"):
        read("i_1", flat, arch)


def test_symbols_with_layer_and_node_letters_are_patterns_too():
    n = NOTATIONS["flat"].with_symbols(parse_symbols(
        r"a_j^l=x_j^{(l+1)}, a_j^L=x_j^{(L)}, w_{ij}^l=w_{ji}^{(l \rightarrow l+1)}, f=\sigma"))
    assert read("a_2^1", n, BIASED) == [Q("node", 2, 2)]
    assert read("a_j^{l-1}", n, BIASED) == [Q("node", "l", "j")]
    assert read("a_1^L", n, BIASED) == [Q("node", 4, 1)]  # the more literal pattern wins
    assert read("w_{12}^2", n, BIASED) == [Q("weight", 2, 2, 1)]  # a label, as the pattern says
    assert read("w_{jk}^{l+1}", n, BIASED) == [Q("weight", "l+1", "k", "j")]
    assert read("f'(a_1^1)", n, BIASED) == [Call(r"\sigma", (Q("node", 2, 1),), 1)]  # f is σ
    tanh = NOTATIONS["flat"].with_symbols(parse_symbols(r"g=\tanh, h=\operatorname{relu}, a_1=x_1^{(2)}"))
    assert read("g(a_1) + h(a_1)", tanh, BIASED) == [
        Add(((1, Call(r"\tanh", (Q("node", 2, 1),))), (1, Call("relu", (Q("node", 2, 1),)))))]


def test_a_name_the_article_gives_is_squared_not_relabelled():
    """Nielsen's a^2 is layer 2's a; but z_j given as a name (--symbols) squared is z_j²."""
    n = NOTATIONS["nielsen"].with_symbols(parse_symbols(r"z_j=x_j^{(2)}"))
    assert read("z_j^2", n, ARTICLE) == [Pow(Q("node", 2, "j"), Number("2"))]
    assert read("z_j^2", NOTATIONS["nielsen"], ARTICLE) == [Q("preactivation", 2, "j")]


def test_a_symbol_with_an_index_letter_is_a_pattern():
    n = NOTATIONS["flat"].with_symbols(parse_symbols(r"h_i=x_i^{(2)}, o_j=x_j^{(3)}"))
    assert read(r"h_1 + o_k", n, ARTICLE) == [Add(((1, Q("node", 2, 1)), (1, Q("node", 3, "k"))))]
    with pytest.raises(DeriveError, match="h_3 is bound to something that does not exist"):
        read("h_3", n, ARTICLE)


@pytest.mark.parametrize("text, message", [
    ("h", "is not NAME=MEANING"),
    ("h=", "is not NAME=MEANING"),
    ("h=z^{(2)}, h=x^{(2)}", "h is given twice"),
    ("x+y=z^{(2)}", "is not a single name"),
    ("h=z^{(2", "unreadable LaTeX"),
    (" , ", "--symbols is empty"),
])
def test_bad_symbols_are_one_line_errors(text, message):
    with pytest.raises(DeriveError) as error:
        parse_symbols(text)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_symbol_bound_to_what_the_network_lacks_is_named():
    n = NOTATIONS["flat"].with_symbols(parse_symbols("w_9=w_{31}^{(1)}"))
    with pytest.raises(DeriveError, match=r"w_9 is bound to something that does not exist"):
        read("w_9", n, ARTICLE)


def test_symbols_are_written_by_latex_too():
    n = NOTATIONS["arrows"].with_symbols(parse_symbols(r"o=\vec{x}^{(3)}, net_{1}=z_1^{(2)}"))
    assert n.vector(3) == "o" and n.preactivation(2, 1) == "net_{1}" and n.vector(2) == r"\vec{x}^{(2)}"


NIELSEN_TEXT = [r"\delta^L = \nabla_a C \odot \sigma'(z^L)", r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)",
                r"\frac{\partial C}{\partial b^l_j} = \delta^l_j", r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j"]
NG_TEXT = [r"dZ^{[2]} = A^{[2]} - Y", r"dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[1]T}",
           r"dZ^{[1]} = W^{[2]T} dZ^{[2]} * g'^{[1]}(Z^{[1]})"]
ARTICLE_TEXT = [r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(2)}",
                r"MSE = \sum_i (x_i^{(3)} - y_i)^2", r"x_1^{(2)} = \sigma(w_{11}^{(1)} x_1 + w_{12}^{(1)} x_2)"]
INDEX_TEXT = [r"{a_l}^i = N(b_l^i + \sum_{j} a_{l-1}^j w_{l-1}^{ij})", r"\frac{\delta C}{\delta a_l^i} = 2(a_l^i - y^i)",
              r"\frac{\delta C}{\delta b_l} = 2(a_l - y) \frac{\delta a_l}{\delta b_l}"]
ROWS_TEXT = [r"o = \sigma(h W_o + b_o)", r"h = \sigma(X W_h + b_h)", r"\frac{\partial L}{\partial W_o} = h^T \delta^{(3)}"]


@pytest.mark.parametrize("items, expected", [
    (NIELSEN_TEXT, "nielsen"), (NG_TEXT, "ng"), (ARTICLE_TEXT, "arrows"), (ROWS_TEXT, "rows"), (INDEX_TEXT, "index"),
    (NIELSEN_TEXT[:2] + ARTICLE_TEXT, "arrows"),
])
def test_auto_picks_the_notation_the_text_is_written_in(items, expected):
    choice = choose(items, Architecture.parse("3-2-2", bias=True))
    assert choice.notation.name == expected
    assert choice.read == choice.total - len(choice.unbound)
    assert choice.tried[expected] == choice.read


def test_auto_says_what_it_could_not_bind():
    choice = choose([*ARTICLE_TEXT, r"x_1^{(9)} = 1", r"\foo"], ARTICLE)
    assert choice.notation.name == "arrows" and choice.read == 3
    assert [why.split(":")[0] for _, why in choice.unbound] == ["x_1^{(9)}", "unreadable LaTeX at line 1, column 1"]


def test_binding_keeps_every_other_node():
    [tree] = parse(r"\sum_j w_{jk}^{(2)} \delta_j^{(3)}")
    bound = bind(tree, NOTATIONS["arrows"], ARTICLE)
    assert bound.index == "j" and bound.body.factors == (Q("weight", 2, "j", "k"), Q("delta", 3, "j"))


def test_latex_notation_option(tmp_path, capsys):
    out = tmp_path / "d.tex"
    assert main(["latex", "3-2-2", "--notation", "auto", "-o", str(out)]) == 2
    assert "name one" in capsys.readouterr().err
    assert main(["latex", "3-2-2", "--notation", "flat", "-o", str(out)]) == 2
    assert "cannot write it" in capsys.readouterr().err
    assert main(["latex", "3-2-2", "--symbols", "h=", "-o", str(out)]) == 2
    assert "is not NAME=MEANING" in capsys.readouterr().err


PIECES = list("xyzwbaWAXhoNE_^{}()[]=+-*/',0123456789 &") + [
    r"\frac", r"\partial", r"\delta", r"\sigma", r"\sum_j", r"\nabla_", r"\left(", r"\right)", r"\rightarrow",
    r"\cdot", r"\odot", r"\;", r"\\", "MSE", r"\vec{x}", r"\underline{w}", r"\hat", "^{[", "]}", "^{(", ")}",
    r"\text{net}", r"\mathrm{d}", "dW", "^T", "′", "∂", r"\begin{bmatrix}", r"\end{bmatrix}", r"\tag{1}", "e^"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(NIELSEN_TEXT + NG_TEXT + ARTICLE_TEXT + ROWS_TEXT + INDEX_TEXT),
       st.integers(0, 120), st.integers(0, 6), st.lists(st.sampled_from(PIECES), min_size=1, max_size=3),
       st.sampled_from(sorted(NOTATIONS)))
def test_mutated_formulas_read_or_fail_in_one_line(text, at, cut, inserted, name):
    mutated = text[:at] + "".join(inserted) + text[at + cut:]
    try:
        read(mutated, NOTATIONS[name], BIASED)
    except DeriveError as error:
        assert "\n" not in str(error)


def test_the_shared_options_give_the_notation_for_each_command():
    parser = argparse.ArgumentParser()
    add_notation_options(parser, "auto")
    args = parser.parse_args([])
    args.loss_name = None
    assert chosen_notation(args, NIELSEN_TEXT, ARTICLE).notation.name == "nielsen"
    args = parser.parse_args(["--notation", "ng", "--symbols", "h=z^{(2)}"])
    args.loss_name = "Cost"
    chosen = chosen_notation(args, NG_TEXT, ARTICLE).notation
    assert chosen.name == "ng" and chosen.loss_names == ("Cost",) and Symbol("h") in chosen.symbols
    with pytest.raises(DeriveError, match="name one"):
        chosen_notation(parser.parse_args([]))
    with pytest.raises(SystemExit):
        parser.parse_args(["--notation", "greek"])
