"""Judging formulas (issue 11): partials of anything, sound verdicts, blame in a chain, diagnosis
kinds, the Python API. Every expected verdict here is established by hand (and the wrong ones
by the numbers in test_judge_mutations.py's independent evaluation), never by the tool."""
import re

import pytest

import derive
from derive.cli import main

SIGMA_PRIME_EXP = r"\frac{\exp(-z_1^{(3)})}{(1+\exp(-z_1^{(3)}))^2}"
OUT_W12 = r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}}"
RIGHT_W12 = r"2 (x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(2)}"


def check(latex, arch="3-2-2", **options):
    return derive.check(latex, arch, **options)


@pytest.mark.parametrize("latex", [
    # σ'(z) written in exponentials is σ'(z): proven by rewriting the activations into exp form
    rf"{OUT_W12} = 2 (x_1^{{(3)}} - y_1) {SIGMA_PRIME_EXP} x_2^{{(2)}}",
    r"\frac{\partial x_1^{(3)}}{\partial z_1^{(3)}} = " + SIGMA_PRIME_EXP,
    r"\frac{\partial x_1^{(3)}}{\partial z_1^{(3)}} = x_1^{(3)} (1 - x_1^{(3)})",
    # Σ binds the power that follows it: the sum of the squares, not the square of the sum
    r"MSE = \sum_i (x_i^{(3)} - y_i)^2",
    # ∂ of the loss by a node value, a pre-activation; ∂ of a node value by a node value
    r"\frac{\partial MSE}{\partial x_1^{(3)}} = 2 (x_1^{(3)} - y_1)",
    r"\frac{\partial MSE}{\partial z_2^{(3)}} = 2 (x_2^{(3)} - y_2) x_2^{(3)\;'} = \delta_2^{(3)}",
    r"\frac{\partial MSE}{\partial x_1^{(2)}} = \delta_1^{(3)} w_{11}^{(2)} + \delta_2^{(3)} w_{21}^{(2)}",
    r"\frac{\partial MSE}{\partial z_1^{(2)}} = \delta_1^{(2)}",
    r"\frac{\partial z_1^{(3)}}{\partial x_2^{(2)}} = w_{12}^{(2)}",
    r"\frac{\partial x_1^{(3)}}{\partial x_2^{(2)}} = x_1^{(3)\;'} w_{12}^{(2)}",
    # the chain rule as a product of partials
    (rf"{OUT_W12} = \frac{{\partial MSE}}{{\partial x_1^{{(3)}}}} \frac{{\partial x_1^{{(3)}}}}{{\partial z_1^{{(3)}}}} "
    r"\frac{\partial z_1^{(3)}}{\partial w_{12}^{(2)}}"),
])
def test_right_formulas_are_proven(latex):
    result = check(latex)
    assert result.verdict == "right", result.links
    assert all("symbolic proof" in link.how for link in result.links)


@pytest.mark.parametrize("latex, kind, text", [
    (rf"{OUT_W12} = 2 (x_1^{{(3)}} - y_1) x_2^{{(2)}}", "missing-activation-derivative",
     "a factor x₁⁽³⁾′ (the activation's derivative) is missing"),
    (rf"{OUT_W12} = 2 (x_1^{{(3)}} - y_1) x_1^{{(3)\;'}} x_1^{{(3)\;'}} x_2^{{(2)}}", "extra-activation-derivative",
     "the factor x₁⁽³⁾′ should not be there"),
    (rf"{OUT_W12} = 2 (x_1^{{(3)}} - y_1) \sigma'(x_1^{{(3)}}) x_2^{{(2)}}", "derivative-at-wrong-argument",
     "σ′(x₁⁽³⁾) should be σ′(z₁⁽³⁾)"),
    (rf"{OUT_W12} = 2 (x_1^{{(3)}} - y_2) x_1^{{(3)\;'}} x_2^{{(2)}}", "index", "y₂ should be y₁"),
    (rf"{OUT_W12} = 2 (x_1^{{(3)}} - y_1) x_1^{{(3)\;'}} x_2^{{(1)}}", "wrong-layer", "x₂ should be x₂⁽²⁾"),
    (rf"{OUT_W12} = 2 (x_1^{{(3)}} - x_1) x_1^{{(3)\;'}} x_2^{{(2)}}", "symbol", "x₁ should be y₁"),
    (rf"{OUT_W12} = (x_1^{{(3)}} - y_1) x_1^{{(3)\;'}} x_2^{{(2)}}", "factor", "a factor 2 is missing"),
    (rf"{OUT_W12} = 2 (y_1 - x_1^{{(3)}}) x_1^{{(3)\;'}} x_2^{{(2)}}", "sign", "the sign is wrong"),
    (r"\frac{\partial MSE}{\partial w_{11}^{(2 \rightarrow 3)}} = " + RIGHT_W12, "wrong-parameter",
     "this equals ∂MSE/∂w₁₂⁽²→³⁾, not ∂MSE/∂w₁₁⁽²→³⁾"),
    (r"\frac{\partial MSE}{\partial z_1^{(3)}} = 2 (x_1^{(3)} - y_1)", "missing-activation-derivative",
     "x₁⁽³⁾′"),
    (rf"{OUT_W12} = -2 (x_1^{{(3)}} - y_1) x_2^{{(2)}}", ("missing-activation-derivative", "sign"), "x₁⁽³⁾′"),
    ((r"x_1^{(2)} = \sigma(w_{11}^{(1 \rightarrow 2)} x_1 + w_{12}^{(1 \rightarrow 2)} x_2 + "
     r"w_{13}^{(1 \rightarrow 2)} x_2)"), "index", "x₂ should be x₃"),
])
def test_wrong_formulas_get_their_kind_and_a_plain_text_diagnosis(latex, kind, text):
    result = check(latex)
    assert result.verdict == "wrong"
    assert result.kind == kind, result.diagnosis
    assert text in result.diagnosis
    assert "\\" not in result.diagnosis and "{" not in result.diagnosis  # plain Unicode, no LaTeX


def test_a_missing_bias_is_diagnosed():
    result = check(r"x_1^{(3)} = \sigma(w_{11}^{(2)} x_1^{(2)} + w_{12}^{(2)} x_2^{(2)})", bias=True)
    assert (result.verdict, result.kind) == ("wrong", "missing-bias")
    assert "b₁⁽³⁾" in result.diagnosis


def test_the_gradient_of_another_loss_is_diagnosed():
    result = check(r"\frac{\partial L}{\partial z_1^{(3)}} = (x_1^{(3)} - y_1) x_1^{(3)\;'}", "2-3-2", loss="bce")
    assert (result.verdict, result.kind) == ("wrong", "wrong-loss")


def test_a_transposed_gradient_matrix_is_diagnosed():
    latex = (r"\nabla_{\underline{w}^{(2 \rightarrow 3)}} MSE = \begin{bmatrix} 2 (x_1^{(3)} - y_1) x_1^{(3)'} x_1^{(2)} "
             r"& 2 (x_2^{(3)} - y_2) x_2^{(3)'} x_1^{(2)} \\ 2 (x_1^{(3)} - y_1) x_1^{(3)'} x_2^{(2)} & "
             r"2 (x_2^{(3)} - y_2) x_2^{(3)'} x_2^{(2)} \end{bmatrix}")
    result = check(latex)
    assert (result.verdict, result.kind) == ("wrong", "transposed")


def test_vectors_whose_shapes_do_not_fit_are_wrong_of_kind_shape(capsys):
    latex = (r"\nabla_{\underline{w}^{(2 \rightarrow 3)}} MSE = \mathrm{diag}(2(x^{(3)}_i - y_i)) \cdot (\vec{x}^{(2)})^T "
             r"\cdot \vec{x}^{(3)\;'}")
    assert (check(latex).verdict, check(latex).kind) == ("wrong", "shape")
    assert main(["check", latex, "--arch", "3-2-2"]) == 1
    assert "shape" not in capsys.readouterr().err


def test_in_a_chain_the_member_that_breaks_it_is_blamed():
    """A = B = C with A = C and B wrong: both links are wrong, and both blame B (member 1),
    with B's own mistake."""
    wrong_middle = r"2 (x_1^{(3)} - y_2) x_1^{(3)\;'} x_2^{(2)}"
    result = check(f"{OUT_W12} = {wrong_middle} = {RIGHT_W12}")
    assert [link.verdict for link in result.links] == ["wrong", "wrong"]
    assert [link.blame for link in result.links] == [1, 1]
    assert all(link.diagnosis == "y₂ should be y₁" for link in result.links)
    last = check(f"{OUT_W12} = {RIGHT_W12} = {wrong_middle}")
    assert [link.verdict for link in last.links] == ["right", "wrong"]
    assert last.links[1].blame == 2 and last.links[1].diagnosis == "y₂ should be y₁"


def test_a_label_naming_a_parameter_that_does_not_exist_is_wrong():
    """w_{13}^{(2→3)} does not exist in 3-2-2 (W2 is 2×2): wrong, and the diagnosis names the
    derivative the right side really is."""
    result = check(r"\frac{\partial MSE}{\partial w_{13}^{(2 \rightarrow 3)}} = " + RIGHT_W12)
    assert (result.verdict, result.kind) == ("wrong", "wrong-parameter")
    assert result.diagnosis == "w₁₃⁽²→³⁾ does not exist in 3-2-2 (W2 is 2×2); the right side is ∂MSE/∂w₁₂⁽²→³⁾"
    assert result.links[0].blame == 0


def test_a_weight_out_of_range_in_a_formula_is_an_index_mistake():
    result = check(r"x_1^{(2)} = \sigma(w_{11}^{(1)} x_1 + w_{31}^{(1)} x_2 + w_{13}^{(1)} x_3)")
    assert (result.verdict, result.kind) == ("wrong", "index")
    assert result.diagnosis == "w₃₁⁽¹→²⁾ does not exist (W1 is 2×3); it should be w₁₂⁽¹→²⁾"


def test_wrong_needs_two_points_at_forty_digits_and_prints_sides_that_differ():
    """The counterexample shows only the formula's own symbols, and both sides with enough
    digits to tell them apart."""
    result = check(rf"{OUT_W12} = 2 (x_1^{{(3)}} - y_1) x_1^{{(3)\;'}} x_2^{{(2)}} + 10^{{-12}} x_1^{{(3)}}")
    assert result.verdict == "wrong"
    example = result.counterexample
    assert example["left"] != example["right"]
    assert set(example["values"]) == {r"x_{1}^{(3)}", r"x_{1}^{(3)\;'}", r"x_{2}^{(2)}", "y_{1}"}


def test_the_terminal_is_plain_text_and_latex_on_request(capsys):
    latex = rf"{OUT_W12} = 2 (x_1^{{(3)}} - y_2) x_1^{{(3)\;'}} x_2^{{(2)}}"
    assert main(["check", latex, "--arch", "3-2-2"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("wrong: y₂ should be y₁\n") and "counterexample: at x₂⁽²⁾ = " in out
    assert main(["check", latex, "--arch", "3-2-2", "--latex"]) == 1
    assert capsys.readouterr().out.startswith("wrong: y_{2} should be y_{1}\n")


def test_the_python_api_returns_verdict_objects_that_show_in_jupyter(tmp_path):
    right = check(rf"{OUT_W12} = {RIGHT_W12}")
    assert right and right.verdict == "right" and right.exit_status == 0 and right.kind is None
    assert "| right |" in right._repr_markdown_() and "<table>" in right._repr_html_()
    same = derive.check(rf"{OUT_W12} = {RIGHT_W12}", derive.Architecture.parse("3-2-2"))
    assert same.verdict == "right"
    with pytest.raises(derive.DeriveError, match="already fixes them"):
        derive.check(rf"{OUT_W12} = {RIGHT_W12}", derive.Architecture.parse("3-2-2"), loss="bce")
    article = tmp_path / "post.md"
    article.write_text(f"The gradient:\n\n$$\n{OUT_W12} = 2 (x_1^{{(3)}} - y_2) x_1^{{(3)\\;'}} x_2^{{(2)}}\n$$\n")
    audit = derive.audit(article, "3-2-2")
    assert audit.exit_status == 1 and [(i.lines, i.verdict) for i in audit.items] == [((4, 4), "wrong")]
    assert "| 4 | wrong |" in audit._repr_markdown_()
    assert derive.audit(article.read_text(), "3-2-2").counts() == audit.counts()


def test_the_modules_stay_modules():
    """derive.check and derive.audit are callable and still the modules of the same names."""
    from derive.audit import exit_status
    from derive.check import Checker

    assert callable(derive.check) and callable(derive.audit)
    assert derive.check.Checker is Checker and derive.audit.exit_status is exit_status


def test_a_node_derivative_never_ends_the_audit_in_a_traceback(tmp_path, capsys):
    article = tmp_path / "post.md"
    article.write_text("$$\n\\frac{\\partial MSE}{\\partial x_1^{(3)}} = 2 (x_1^{(3)} - y_1)\n$$\n"
                       "$$\n\\frac{\\partial MSE}{\\partial x_1^{(2)}} = 7\n$$\n")
    assert main(["audit", str(article), "--arch", "3-2-2"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"line 2: right", out) and re.search(r"line 5: wrong", out)
