"""The syntax stage of the reader: article LaTeX in any notation → a tree of what was written.

Shapes are spelled out by hand from what each formula means to a reader of the article;
nothing here depends on a notation or a network."""
import json
import time
from pathlib import Path

import pytest

from derive.errors import DeriveError
from derive.reader.parse import open_ends, parse, parse_equations, parse_one
from derive.reader.syntax import (
    Add,
    Call,
    Diag,
    Frac,
    Matrix,
    Mul,
    Nabla,
    Number,
    Partial,
    Pow,
    Sum,
    Symbol,
    Transpose,
    replaced,
    walk,
)

DATA = Path(__file__).parent / "data"


def S(base, sub=None, sup=None, primes=0, accent=None):
    return Symbol(base, sub, sup, primes, accent)


def juxt(*factors):
    return Mul(tuple(factors), ("juxt",) * (len(factors) - 1))


def minus(a, b):
    return Add(((1, a), (-1, b)))


TWO = Number("2")


@pytest.mark.parametrize("latex, tree", [
    # the reference notation: parenthesised superscripts are layer labels, primes are σ'
    (r"x_1^{(3)}", S("x", "1", "(3)")),
    (r"x_1^{(3)\;'}", S("x", "1", "(3)", 1)),
    (r"x_{1}^{(3) \;'}", S("x", "1", "(3)", 1)),
    (r"x^{(3)}_1'", S("x", "1", "(3)", 1)),
    (r"w_{12}^{(2 \rightarrow 3)}", S("w", "12", "(2->3)")),
    (r"w_{12}^{(2 \to 3)}", S("w", "12", "(2->3)")),
    (r"\underline{w}^{(1 \rightarrow 2)}", S("w", None, "(1->2)", accent="underline")),
    (r"\vec{x}^{(3)\;'}", S("x", None, "(3)", 1, "vec")),
    (r"\vec{\delta}^{(3)}", S(r"\delta", None, "(3)", accent="vec")),
    # other notations: letters as labels, brackets, multi-letter names, accents
    (r"a^l_j", S("a", "j", "l")),
    (r"w^{l+1}_{jk}", S("w", "jk", "l+1")),
    (r"w_{l-1}^{ij}", S("w", "l-1", "ij")),
    (r"w_{j,k}^{l}", S("w", "j,k", "l")),
    (r"a^{2}_{1}", S("a", "1", "2")),
    (r"{a_l}^i", S("a", "l", "i")),
    (r"W^{[l]}", S("W", None, "[l]")),
    (r"dW^{[l]}", S("dW", None, "[l]")),
    (r"net_{h1}", S("net", "h1")),
    (r"\text{net}_{h1}", S("net", "h1")),
    (r"\mathrm{out}_{o1}", S("out", "o1")),
    (r"E_{total}", S("E", "total")),
    (r"E_{\text{total}}", S("E", "total")),
    (r"y_{pred}", S("y", "pred")),
    (r"\hat{y}", S("y", accent="hat")),
    (r"\mathbf{W}^{(2)}", S("W", None, "(2)", accent="bold")),
    (r"\boldsymbol{\delta}^{l}", S(r"\delta", None, "l", accent="bold")),
    (r"\bar{x}", S("x", accent="bar")),
    # ŷ set in bold is still ŷ, not the label y: bold beside another accent is typography
    (r"\hat{\boldsymbol{y}}", S("y", accent="hat")),
    (r"\boldsymbol{\hat{y}}", S("y", accent="hat")),
    (r"\mathbf{\vec{x}}", S("x", accent="vec")),
    (r"\mathcal{L}", S("L", accent="cal")),
    (r"MSE", S("MSE")),
    (r"\delta_1^{(3)}", S(r"\delta", "1", "(3)")),
    (r"x^{(l)}_{i}", S("x", "i", "(l)")),
    (r"z^{(l+1)}", S("z", None, "(l+1)")),
    (r"x'", S("x", primes=1)),
    (r"x''", S("x", primes=2)),
    (r"w_5^{+}", S("w", "5", "+")),
    (r"a^{[2](i)}", S("a", None, "[2](i)")),
    (r"{\cal C}", S("C", accent="cal")),
    (r"\mathbf{1}", S("1", accent="bold")),
    (r"w^*", S("w", None, "*")),
    (r"x^{\prime}", S("x", primes=1)),
    (r"x′", S("x", primes=1)),
])
def test_symbols_keep_their_normalized_parts(latex, tree):
    assert parse_one(latex) == tree


@pytest.mark.parametrize("latex, tree", [
    # powers: numbers after the subscript, anything on e, brackets
    (r"x_1^3", Pow(S("x", "1"), Number("3"))),
    (r"x_1^{(3)} ^2", Pow(S("x", "1", "(3)"), TWO)),
    (r"x_1^{(3)2}", Pow(S("x", "1", "(3)"), TWO)),  # the label, then the power, in one pair of braces
    (r"a^{[2]3}", Pow(S("a", None, "[2]"), Number("3"))),
    (r"x^2", Pow(S("x"), TWO)),
    (r"e^{-z}", Pow(S("e"), Add(((-1, S("z")),)))),
    (r"(o - y)^2", Pow(minus(S("o"), S("y")), TWO)),
    # transposes in every spelling, and a label followed by T
    (r"W^T", Transpose(S("W"))),
    (r"W^{T}", Transpose(S("W"))),
    (r"W^\top", Transpose(S("W"))),
    (r"X^\intercal", Transpose(S("X"))),
    (r"(\vec{x}^{(2)})^T", Transpose(S("x", None, "(2)", accent="vec"))),
    (r"A^{[l-1]T}", Transpose(S("A", None, "[l-1]"))),
    (r"W^{(2)T}_{\text{new}}", Transpose(S("W", "new", "(2)"))),
    (r"(X W)'", Transpose(juxt(S("X"), S("W")), "prime")),
    (r"X^ᵀ".replace("^", ""), Transpose(S("X"))),
])
def test_superscripts_are_labels_powers_or_transposes(latex, tree):
    assert parse_one(latex) == tree


def test_a_sum_binds_the_product_that_follows_it():
    square = Pow(minus(S("x", "i"), S("y", "i")), TWO)
    assert parse_one(r"\sum_i (x_i - y_i)^2") == Sum("i", None, None, square)
    assert parse_one(r"\sum_{i} (x_i - y_i)^2 + 1") == Add(((1, Sum("i", None, None, square)), (1, Number("1"))))
    assert parse_one(r"\sum_{j=1}^{n} a_{l-1}^j w_{l-1}^{ij}") == Sum(
        "j", Number("1"), S("n"), juxt(S("a", "l-1", "j"), S("w", "l-1", "ij")))
    assert parse_one(r"\sum_j w_{jk}^{l+1} \delta_j^{l+1}") == Sum(
        "j", None, None, juxt(S("w", "jk", "l+1"), S(r"\delta", "j", "l+1")))
    assert parse_one(r"\sum 0.5(o - y)^2") == Sum(None, None, None, juxt(Number("0.5"), Pow(minus(S("o"), S("y")), TWO)))
    assert parse_one(r"∑_j 2 x_j") == Sum("j", None, None, juxt(TWO, S("x", "j")))


@pytest.mark.parametrize("latex, tree", [
    (r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}}", Partial(S("MSE"), S("w", "12", "(2->3)"))),
    (r"\frac{\partial C}{\partial a^L_j}", Partial(S("C"), S("a", "j", "L"))),
    (r"\frac{\partial E_{total}}{\partial out_{o1}}", Partial(S("E", "total"), S("out", "o1"))),
    (r"\frac{\partial \mathcal{L}}{\partial W^{[l]}}", Partial(S("L", accent="cal"), S("W", None, "[l]"))),
    (r"\frac{\partial z^{l+1}_k}{\partial z^l_j}", Partial(S("z", "k", "l+1"), S("z", "j", "l"))),
    (r"\frac{\partial}{\partial w} (b + a w)", Partial(Add(((1, S("b")), (1, juxt(S("a"), S("w"))))), S("w"))),
    (r"\frac{dC}{dw}", Partial(S("C"), S("w"), "d")),
    (r"\frac{d a^L}{d z^L}", Partial(S("a", None, "L"), S("z", None, "L"), "d")),
    (r"\frac{\mathrm{d}y}{\mathrm{d}x}", Partial(S("y"), S("x"), "d")),
    (r"\frac{\delta C}{\delta w_{l-1}}", Partial(S("C"), S("w", "l-1"), "delta")),
    (r"\partial E / \partial w_1", Partial(S("E"), S("w", "1"))),
    (r"∂E/∂w_1", Partial(S("E"), S("w", "1"))),
    (r"\nabla_a C", Nabla(S("a"), S("C"))),
    (r"\nabla_{W} L", Nabla(S("W"), S("L"))),
    (r"\nabla_{\underline{w}^{(1 \rightarrow 2)}} MSE", Nabla(S("w", None, "(1->2)", accent="underline"), S("MSE"))),
    (r"\frac{\delta^l_j}{2}", Frac(S(r"\delta", "j", "l"), TWO)),
    (r"\frac12", Frac(Number("1"), TWO)),
])
def test_derivatives_of_anything(latex, tree):
    assert parse_one(latex) == tree


def test_an_operator_derivative_takes_one_factor():
    """∂/∂w [inner] · σ'(z): the σ' factor multiplies the derivative, it is not inside it."""
    tree = parse_one(r"\frac{\partial}{\partial w_{11}} \left[ a + b \right] \cdot \sigma'(z)")
    assert tree == Mul((Partial(Add(((1, S("a")), (1, S("b")))), S("w", "11")), Call(r"\sigma", (S("z"),), 1)),
                       ("cdot",))


def test_a_chain_of_partials_is_a_product_of_partials():
    left, right = parse(r"\frac{\partial l}{\partial w} = \frac{\partial l}{\partial o} * "
                        r"\frac{\partial o}{\partial h} \cdot \frac{\partial h}{\partial w}")
    assert left == Partial(S("l"), S("w"))
    assert right == Mul((Partial(S("l"), S("o")), Partial(S("o"), S("h")), Partial(S("h"), S("w"))), ("star", "cdot"))


@pytest.mark.parametrize("latex, tree", [
    (r"\sigma(z)", Call(r"\sigma", (S("z"),))),
    (r"\sigma'(z)", Call(r"\sigma", (S("z"),), 1)),
    (r"\sigma^{\prime}(z)", Call(r"\sigma", (S("z"),), 1)),
    (r"\sigma^{'}(z)", Call(r"\sigma", (S("z"),), 1)),
    (r"\sigma\left(z\right)", Call(r"\sigma", (S("z"),))),
    (r"\tanh x", Call(r"\tanh", (S("x"),))),
    (r"\operatorname{relu}(z)", Call("relu", (S("z"),))),
    (r"\mathrm{ReLU}(z)", Call("ReLU", (S("z"),))),
    (r"relu(z)", Call("relu", (S("z"),))),
    (r"\text{softmax}(z)", Call("softmax", (S("z"),))),
    (r"\operatorname{softmax}_{1}(a, b)", Call("softmax", (S("a"), S("b")), sub="1")),
    (r"s_{1}\Bigl(a, b\Bigr)", Call("softmax", (S("a"), S("b")), sub="1")),  # derive's written-out softmax
    (r"s_1 (a + b)", juxt(S("s", "1"), Add(((1, S("a")), (1, S("b")))))),  # a name times a bracket
    (r"f'(z)", Call("f", (S("z"),), 1)),
    (r"g'^{[l]}(Z^{[l]})", Call("g", (S("Z", None, "[l]"),), 1, sup="[l]")),
    (r"N'(z)", Call("N", (S("z"),), 1)),
    (r"l(o, y)", Call("l", (S("o"), S("y")))),
    (r"\mathcal{L}(a, y)", Call(r"\mathcal{L}", (S("a"), S("y")))),
    (r"\tanh^2(x)", Pow(Call(r"\tanh", (S("x"),)), TWO)),
    (r"activation(X W_h + b_h)", Call("activation", (Add(((1, juxt(S("X"), S("W", "h"))), (1, S("b", "h")))),))),
    (r"\exp(-z)", Call(r"\exp", (Add(((-1, S("z")),)),))),
    (r"\log x", Call(r"\log", (S("x"),))),
    (r"\mathrm{diag}(x)", Diag(S("x"))),
    (r"\|y - a^L\|", Call("norm", (minus(S("y"), S("a", None, "L")),))),
    (r"\left\| a \right\|_2", Call("norm", (S("a"),), sub="2")),
    (r"|x_1|", Call("abs", (S("x", "1"),))),
    (r"\operatorname{diag}(x)", Diag(S("x"))),
])
def test_function_calls(latex, tree):
    assert parse_one(latex) == tree


def test_a_letter_before_brackets_is_a_product_unless_it_is_a_function():
    assert parse_one(r"w (a + b)") == juxt(S("w"), Add(((1, S("a")), (1, S("b")))))
    assert parse_one(r"N(z)") == juxt(S("N"), S("z"))
    assert parse(r"N(z)", functions=("N",)) == [Call("N", (S("z"),))]


def test_every_multiplication_spelling_is_kept():
    tree = parse_one(r"a * b \cdot c \times d \odot e \circ f g")
    assert tree == Mul(tuple(S(c) for c in "abcdefg"), ("star", "cdot", "times", "odot", "circ", "juxt"))
    assert parse_one("a · b × c") == Mul((S("a"), S("b"), S("c")), ("cdot", "times"))


def test_the_four_backprop_equations_in_nielsens_notation():
    sigma_prime = Call(r"\sigma", (S("z", None, "L"),), 1)
    assert parse(r"\delta^L = \nabla_a C \odot \sigma'(z^L)") == [
        S(r"\delta", None, "L"), Mul((Nabla(S("a"), S("C")), sigma_prime), ("odot",))]
    assert parse(r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)") == [
        S(r"\delta", None, "l"),
        Mul((juxt(Transpose(S("w", None, "l+1")), S(r"\delta", None, "l+1")), Call(r"\sigma", (S("z", None, "l"),), 1)),
            ("odot",))]
    assert parse(r"\frac{\partial C}{\partial b^l_j} = \delta^l_j") == [
        Partial(S("C"), S("b", "j", "l")), S(r"\delta", "j", "l")]
    assert parse(r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j") == [
        Partial(S("C"), S("w", "jk", "l")), juxt(S("a", "k", "l-1"), S(r"\delta", "j", "l"))]


def test_matrices_and_diag():
    tree = parse_one(r"\begin{bmatrix} x_1 & x_2 \\ x_3 & x_4 \end{bmatrix}")
    assert tree == Matrix(((S("x", "1"), S("x", "2")), (S("x", "3"), S("x", "4"))))
    assert parse_one(r"\begin{pmatrix} 1 \\ 2 \\ \end{pmatrix}") == Matrix(((Number("1"),), (TWO,)))
    tree = parse_one(r"\mathrm{diag}(2(x^{(3)}_i - y_i)) \cdot \vec{x}^{(3)\;'} \cdot (\vec{x}^{(2)})^T")
    assert isinstance(tree, Mul) and isinstance(tree.factors[0], Diag) and tree.ops == ("cdot", "cdot")


def test_layout_is_ignored():
    plain = parse(r"x_1^{(2)} = \sigma(w_{11}^{(1)} x_1 + w_{12}^{(1)} x_2)")
    for dressed in (
        r"x_1^{(2)} &= \sigma\left(w_{11}^{(1)} x_1 \\ &\quad + w_{12}^{(1)} x_2\right) \tag{3}",
        r"\displaystyle x_1^{(2)} \; = \, \sigma\Bigl(w_{11}^{(1)} x_1 + w_{12}^{(1)} x_2\Bigr) \label{eq:one}",
        r"\begin{aligned} x_1^{(2)} &= \sigma\big(w_{11}^{(1)} x_1 + w_{12}^{(1)} x_2\big) \end{aligned}",
        r"\boxed{x_1^{(2)} = \sigma(w_{11}^{(1)} x_1 + w_{12}^{(1)} x_2)}",
        r"x_1^{(2)} = \sigma(w_{11}^{(1)} x_1 \text{ (the first input) } + w_{12}^{(1)} x_2) \left. \right.",
    ):
        assert parse(dressed) == plain, dressed


def test_unicode_reads_as_its_macros():
    assert parse("∂E/∂w = −2 · x′ × 3") == parse(r"\partial E / \partial w = -2 \cdot x' \times 3")
    assert parse("δ_j = ∑_k w_{kj} δ_k ⊙ σ′(z_j)") == parse(r"\delta_j = \sum_k w_{kj} \delta_k \odot \sigma'(z_j)")


def test_a_block_may_list_several_equations_and_end_with_punctuation():
    assert parse_equations(r"w_1 = 0.15, \quad w_2 = 0.2; \; b = 1.") == [
        [S("w", "1"), Number("0.15")], [S("w", "2"), Number("0.2")], [S("b"), Number("1")]]
    assert parse(r"x = 1.") == parse(r"x = 1,") == [S("x"), Number("1")]
    with pytest.raises(DeriveError, match="unexpected ','"):
        parse(r"x = 1, y = 2")


def test_a_chain_has_one_member_per_equals_sign():
    assert len(parse(r"A = B = C")) == 3
    assert parse(r"h := x \coloneqq y \equiv z") == [S("h"), S("x"), S("y"), S("z")]
    assert parse(r"E = \sum_i (x_i^{(3)} - y_i)^2")[0] == S("E")


def test_a_chain_broken_over_display_blocks_may_start_or_end_with_equals():
    assert parse(r"= 2 x_1 \\ = y") == [juxt(TWO, S("x", "1")), S("y")]
    assert parse(r"MSE = \\") == [S("MSE")]
    assert open_ends(r"\\ &= 2 x_1") == (True, False)
    assert open_ends(r"MSE &= \\") == (False, True)
    assert open_ends(r"MSE = 2") == (False, False)


def test_symbols_remember_their_source_text():
    member = parse_one(r"a_{l-1}^iw_{l-1}^{ij}")
    assert [f.text for f in member.factors] == ["a_{l-1}^i", "w_{l-1}^{ij}"]
    assert [s.text for s in walk(parse_one(r"x_1^{(3)\;'} + \text{net}_{h1}")) if isinstance(s, Symbol)] == [
        r"x_1^{(3)\;'}", r"\text{net}_{h1}"]
    assert parse(r"\underline{w}_{\text{new}} & = 1")[0].text == r"\underline{w}_{\text{new}}"
    assert parse("x_1 \\\\ = 1")[0].text == "x_1"


@pytest.mark.parametrize("latex, message", [
    (r"x_1^{(2)} = \sigma(", "line 1, column 20: unexpected the end of the formula"),
    (r"x_1^{(2)} = \foo{x}", r"column 13: unexpected '\\foo'"),
    ("x = 1\n + (y", "line 2, column 6"),
    (r"x = )", "unexpected ')'"),
    (r"\frac{\partial C}{w}", "expected \\partial in the denominator"),
    (r"\begin{cases} x \end{cases}", "a matrix environment"),
    (r"\begin{bmatrix} x_1 & x_2 \\ x_3 \end{bmatrix}", "different lengths (2, 1)"),
    (r"10^{99999}", "powers up to 1000"),
    ("1" * 100, "numbers of up to 60 digits"),
    ("(" * 70 + "x" + ")" * 70, "nested 70 deep"),
    (r"\sum_i " * 200 + "x", "more than 150 deep"),
    ("x" * 250_001, "characters are read"),
])
def test_unreadable_input_is_a_one_line_error(latex, message):
    with pytest.raises(DeriveError) as error:
        parse(latex)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_hostile_inputs_give_trees_or_one_line_errors():
    for case in json.loads((DATA / "hostile_inputs.json").read_text()):
        if "latex" not in case:
            continue
        try:
            parse(case["latex"])
        except DeriveError as error:
            assert "\n" not in str(error)


def test_fifty_nested_brackets_are_read():
    assert parse("(" * 50 + "x_1" + ")" * 50 + " = x_1") == [S("x", "1"), S("x", "1")]


def test_a_long_equation_parses_in_linear_time():
    term = r"w_{12}^{(2 \rightarrow 3)} \sigma\left(w_{11}^{(1 \rightarrow 2)} x_{1} + x_{2}^{(2)\;'}\right)"
    latex = r"\frac{\partial MSE}{\partial w_{11}^{(1)}} = " + " + ".join([term] * 2200)
    assert len(latex) > 170_000
    start = time.perf_counter()
    left, right = parse(latex)
    assert left == Partial(S("MSE"), S("w", "11", "(1)"))
    assert time.perf_counter() - start < 2.0
    assert isinstance(right, Add) and len(right.terms) == 2200


def test_replaced_rebuilds_a_tree_around_its_replacements():
    tree = parse_one(r"\sum_j 2 (x_j - y_j)^2 + \begin{bmatrix} x_j \\ 1 \end{bmatrix}")
    renamed = replaced(tree, lambda node: S("o", node.sub) if isinstance(node, Symbol) and node.base == "x" else None)
    assert renamed == parse_one(r"\sum_j 2 (o_j - y_j)^2 + \begin{bmatrix} o_j \\ 1 \end{bmatrix}")
