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
    # ∂ of a δ, by a label and by the δ of the layer above (the backward graph)
    r"\frac{\partial \delta_1^{(3)}}{\partial y_1} = -2 x_1^{(3)\;'}",
    r"\frac{\partial \delta_1^{(2)}}{\partial \delta_2^{(3)}} = x_1^{(2)\;'} w_{21}^{(2)}",
    # Jacobians, and the chain rule as their product (a gradient is a column here)
    r"\frac{\partial \vec{x}^{(3)}}{\partial \vec{z}^{(3)}} = \mathrm{diag}(\vec{x}^{(3)\;'})",
    r"\frac{\partial \vec{z}^{(3)}}{\partial \vec{x}^{(2)}} = \underline{w}^{(2 \rightarrow 3)}",
    (r"\frac{\partial MSE}{\partial \vec{z}^{(3)}} = \left(\frac{\partial \vec{x}^{(3)}}{\partial \vec{z}^{(3)}}\right)^T "
     r"\frac{\partial MSE}{\partial \vec{x}^{(3)}}"),
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


@pytest.mark.parametrize("latex, kind", [
    (r"\frac{\partial \vec{z}^{(3)}}{\partial \vec{x}^{(2)}} = (\underline{w}^{(2 \rightarrow 3)})^T", "transposed"),
    ((r"\frac{\partial MSE}{\partial \vec{z}^{(3)}} = \frac{\partial MSE}{\partial \vec{x}^{(3)}} "
     r"\frac{\partial \vec{x}^{(3)}}{\partial \vec{z}^{(3)}}"), "shape"),
])
def test_the_order_and_transposes_of_jacobians_matter(latex, kind):
    result = check(latex, notation="arrows")
    assert (result.verdict, result.kind) == ("wrong", kind)


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


# --- index formulas (Nielsen's notation, a general layer l) -----------------------------------

NIELSEN = {"notation": "nielsen", "loss": "half-mse", "bias": True}


def test_a_general_layer_is_checked_on_three_depths():
    result = check(r"\delta^l_j = \sigma'(z^l_j) \sum_k w^{l+1}_{kj} \delta^{l+1}_k", "2-3-2", **NIELSEN)
    assert result.verdict == "right"
    assert "on 2-3-2, 2-3-3-2, 2-3-3-3-2" in result.links[0].how and "j = 1…3" in result.links[0].how


@pytest.mark.parametrize("latex, text", [
    (r"\delta^l_j = \sigma'(z^l_j) \sum_j w^{l+1}_{jj} \delta^{l+1}_j", "the sum shadows it"),
    (r"\delta^l_j = \sigma'(z^l_j) \sum_k w^{l+1}_{kj} \delta^{l+1}_j", "the index j of δ should be k"),
    (r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_j \delta^l_k", "the indices j and k are swapped"),
    (r"z^l_j = \sum_k w^l_{jk} a^{l-1}_k + b^l", "written without its index"),
    (r"\frac{\partial C}{\partial a^{2}_{j}} = \sum_{k=1}^{3} w^{3}_{kj} \delta^{3}_k", "does not exist"),
])
def test_misused_indices_are_index_mistakes(latex, text):
    result = check(latex, "2-2-2", **NIELSEN)
    assert (result.verdict, result.kind) == ("wrong", "index"), result.diagnosis
    assert text in result.diagnosis


def test_check_reads_the_notation_given_on_the_command_line(capsys):
    latex = r"\frac{\partial C}{\partial b^l_j} = \delta^l_j"
    assert main(["check", latex, "--arch", "2-3-2", "--bias", "--loss", "half-mse", "--notation", "nielsen"]) == 0
    assert "on 2-3-2, 2-3-3-2, 2-3-3-3-2" in capsys.readouterr().out
    assert main(["check", latex, "--arch", "2-3-2", "--bias", "--loss", "half-mse"]) == 0  # auto finds it
    capsys.readouterr()


def test_batch_formulas_are_judged_over_a_batch_of_examples():
    """Ng's dW = (1/m) dZ A^T sums over the examples: it is judged over a batch of m examples (each
    with its own inputs and labels, the weights shared, J the mean of the losses), so it is proven
    right (over two batch sizes: it is a claim for every m), and without the 1/m it is wrong by the
    factor m. The vector of ones (dZ 1) and a sum over the examples written with their index
    (Σ_i dZ^{[2](i)}) sum over the batch; a sum that names no example (Σ_i dZ^{[2]}, the whole batch
    m times) is read for one example only and never proven right. In an article whose quantities
    are batches (batch=True), every parameter gradient is judged over a batch (rows: B rows, the
    loss the sum over the rows)."""
    ng = check(r"dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[1]T}", "3-4-1", notation="ng", activation="tanh,sigmoid",
               loss="bce", bias=True)
    assert ng.verdict == "right" and "batches of m = 2 and 5" in ng.links[0].how
    only_at_two = check(r"dW^{[2]} = \frac{2}{m^2} dZ^{[2]} A^{[1]T}", "3-4-1", notation="ng",
                        activation="tanh,sigmoid", loss="bce", bias=True)
    assert only_at_two.verdict == "wrong"  # 2/m² is 1/m for m = 2 only: a batch formula holds for every m
    no_mean = check(r"dW^{[2]} = dZ^{[2]} A^{[1]T}", "3-4-1", notation="ng", activation="tanh,sigmoid",
                    loss="bce", bias=True)
    assert no_mean.verdict == "wrong" and no_mean.kind == "factor" and "2 times" in no_mean.diagnosis
    by_batch = check(r"\frac{\partial J}{\partial Z^{[2]}} = \frac{1}{m} dZ^{[2]}", "3-4-1", notation="ng",
                     activation="tanh,sigmoid", loss="bce", bias=True)
    assert by_batch.verdict == "right"  # dZ is the per-example derivative: m ∂J/∂Z (the course's convention)
    ng_db = {"notation": "ng", "activation": "tanh,sigmoid", "loss": "bce", "bias": True}
    ones = check(r"db^{[2]} = \frac{1}{m} dZ^{[2]} \mathbf{1}", "3-4-1", **ng_db)
    assert ones.verdict == "right" and "batches of m = 2 and 5" in ones.links[0].how
    by_example = check(r"db^{[2]} = \frac{1}{m} \sum_{i=1}^{m} dZ^{[2](i)}", "3-4-1", **ng_db)
    assert by_example.verdict == "right" and "batches of m = 2 and 5" in by_example.links[0].how
    unaveraged = check(r"db^{[2]} = \sum_{i=1}^{m} dZ^{[2](i)}", "3-4-1", **ng_db)
    assert unaveraged.verdict == "wrong" and unaveraged.kind == "factor" and "2 times" in unaveraged.diagnosis
    no_example = check(r"db^{[2]} = \frac{1}{m} \sum_{i=1}^{m} dZ^{[2]}", "3-4-1", **ng_db)
    assert no_example.verdict == "undecided" and "one example" in no_example.links[0].how
    columnwise = check(r"Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}", "3-4-1", notation="ng", activation="tanh,sigmoid",
                       loss="bce", bias=True)
    assert columnwise.verdict == "right"  # each column alone: one example is every example
    from derive.check import Checker
    from derive.notation import NOTATIONS, parse_symbols

    arch = derive.Architecture.parse("3-4-2", bias=True, loss="half-mse")
    rows = NOTATIONS["rows"].with_symbols(parse_symbols("o=(x^{(3)})^T, b_o=(b^{(3)})^T, y=y^T, l=L"))
    latex = r"\frac{\partial l}{\partial b_o} = (o - y) \odot o \odot (1 - o)"
    checker = Checker(derive.derive(arch))
    assert checker.judge(latex, None, rows)[0].verdict == "right"
    batch = checker.judge(latex, None, rows, batch=True)[0]  # B rows, L the sum of their losses: B × 2, not 1 × 2
    assert batch.verdict == "wrong" and batch.kind == "shape"
    summed = r"\frac{\partial l}{\partial W_o} = h^T \left((o - y) \odot o \odot (1 - o)\right)"
    rows = rows.with_symbols(parse_symbols("h=(x^{(2)})^T, W_o=(\\underline{w}^{(2 \\rightarrow 3)})^T"))
    assert checker.judge(summed, None, rows, batch=True)[0].verdict == "right"


def test_check_says_which_notation_auto_read_the_formula_in(capsys):
    assert main(["check", r"\frac{\partial C}{\partial w^3_{12}} = \delta^3_1 a^2_2", "--arch", "3-2-2",
                 "--loss", "half-mse"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("right") and err == "derive: read in the nielsen notation (--notation auto)\n"
    assert main(["check", r"\frac{\partial C}{\partial w^3_{12}} = \delta^3_1 a^2_2", "--arch", "3-2-2",
                 "--loss", "half-mse", "--notation", "nielsen"]) == 0
    assert capsys.readouterr().err == ""  # a notation named is not announced


def test_a_quotient_by_a_vector_is_taken_entry_by_entry():
    """Y / A has no reading but NumPy's, entry by entry: Ng's dA^{[2]} of the binary cross-entropy
    is proven, and a sign slip in it is wrong; in the row-vector notation the logistic's slope
    e^{-z}/(1 + e^{-z})^2 is proven at the pre-activation and wrong at the output."""
    ng = {"notation": "ng", "activation": "tanh,sigmoid", "loss": "bce", "bias": True}
    assert check(r"dA^{[2]} = -\frac{Y}{A^{[2]}} + \frac{1 - Y}{1 - A^{[2]}}", "3-4-2", **ng).verdict == "right"
    assert check(r"dA^{[2]} = -\frac{Y}{A^{[2]}} - \frac{1 - Y}{1 - A^{[2]}}", "3-4-2", **ng).verdict == "wrong"
    rows = {"notation": "rows", "loss": "half-mse", "bias": True,
            "symbols": "o=(x^{(3)})^T, z_o=(z^{(3)})^T, y=y^T, l=L"}
    slope = r"\frac{\partial o}{\partial z_o} = \frac{e^{-z_o}}{\left(1 + e^{-z_o}\right)^2}"
    assert check(slope, "3-4-2", **rows).verdict == "right"
    at_output = check(slope.replace("z_o}}", "o}}").replace("e^{-z_o}\\right", "e^{-o}\\right"), "3-4-2", **rows)
    assert at_output.verdict == "wrong" and at_output.kind == "derivative-at-wrong-argument"
    mismatched = check(r"\frac{\partial o}{\partial z_o} = \frac{o}{W_o}", "3-4-2",
                       **{**rows, "symbols": rows["symbols"] + r", W_o=(\underline{w}^{(2 \rightarrow 3)})^T"})
    assert mismatched.verdict == "wrong" and mismatched.kind == "shape"


def test_a_sum_without_an_index_adds_every_entry_of_a_vector():
    """L = Σ ½ (x - y) ⊙ (x - y) over the output vector adds its entries (the half squared error);
    without the ½ it is twice the loss. Σ of a plain number names no entries, and in a notation
    whose vectors may be batches (rows) an index-free Σ could run over the examples or the
    entries: both are refused, not guessed."""
    half = {"loss": "half-mse"}
    square = r"(\vec{x}^{(3)} - \vec{y}) \odot (\vec{x}^{(3)} - \vec{y})"
    assert check(r"L = \sum \frac{1}{2} " + square, "3-4-2", **half).verdict == "right"
    doubled = check(r"L = \sum " + square, "3-4-2", **half)
    assert doubled.verdict == "wrong" and doubled.kind == "factor"
    rows = {"notation": "rows", "loss": "half-mse", "symbols": "o=(x^{(3)})^T, y=y^T, l=L"}
    for latex, arguments in ((r"L = \sum \frac{1}{2}", half), (r"l = \sum 0.5 (o - y)^2", rows)):
        with pytest.raises(derive.DeriveError, match="without an index"):
            check(latex, "3-4-2", **arguments)


def test_a_delta_recursion_is_proven_a_step_at_a_time_on_deep_networks():
    """δ^l = Σ_k δ^{l+1}_k w_{jk}^{l+1} σ'(z^l_j) for every layer of a deep network: both sides are
    written down to the deepest δ they name (the proven recursion, one layer at a time), so the
    proof does not write δ out to the output layer, which grows with the depth."""
    latex = r"\delta_j^l = \sum_k \delta_k^{l+1} w_{jk}^{l+1} \sigma'(z_j^l)"
    result = check(latex, "2-3-3-3-3-2", notation="general")
    assert result.verdict == "right" and "symbolic proof for every index value" in result.links[0].how
    assert "2-3-3-3-3-3-3-2" in result.links[0].how
    swapped = check(latex.replace("w_{jk}", "w_{kj}"), "2-3-3-3-3-2", notation="general")
    assert swapped.verdict == "wrong"


def test_a_reading_that_makes_one_letter_a_layer_and_a_node_is_refused():
    """Bishop's y_k = a_k (output = its pre-activation, k the output's node) read in the index
    preset makes a_k layer k's vector beside y_k's node k: no author means that, so it is not
    judged (never called wrong for its shapes)."""
    with pytest.raises(derive.DeriveError, match="is a layer in one place and a node in another"):
        check("y_k = a_k", "2-3-2", notation="index", activation="tanh,identity", bias=True)


def test_the_chain_notation_reads_one_neuron_layers_as_numbers():
    """3Blue1Brown's a^{(L)}, z^{(L)}, w^{(L)} on a network of one neuron a layer: every quantity is a
    number, so powers, products and the chain of three ratios read as the video writes them."""
    chain = {"notation": "chain", "bias": True}
    assert check("C_0 = (a^{(L)} - y)^2", "1-1-1-1", **chain).verdict == "right"
    ratios = (r"\frac{\partial C_0}{\partial w^{(L)}} = \frac{\partial z^{(L)}}{\partial w^{(L)}} "
              r"\frac{\partial a^{(L)}}{\partial z^{(L)}} \frac{\partial C_0}{\partial a^{(L)}}")
    assert check(ratios, "1-1-1-1", **chain).verdict == "right"
    slip = check(r"\frac{\partial C_0}{\partial w^{(L)}} = a^{(L-1)} \sigma'(a^{(L)}) 2(a^{(L)} - y)", "1-1-1-1", **chain)
    assert slip.verdict == "wrong" and slip.kind == "derivative-at-wrong-argument"


def test_examples_are_kept_apart_and_the_vector_of_ones_broadcasts_in_a_sum():
    """a^{(i)} - y^{(j)} names two examples without a Σ: refused (it was proven as one example);
    1 - A in Ng's dW is a number taken from every entry, while dZ 1 sums over the batch."""
    ng = {"notation": "ng", "loss": "bce", "bias": True}
    with pytest.raises(derive.DeriveError, match="names the examples"):
        check("dz^{[2](i)} = a^{[2](j)} - y^{(k)}", "3-2-2", **ng)
    assert check("dz^{[2](i)} = a^{[2](i)} - y^{(i)}", "3-2-2", **ng).verdict == "right"
    latex = (r"dW^{[1]} = \frac{1}{m} \left( (W^{[2]T} dZ^{[2]}) \odot A^{[1]} \odot (\mathbf{1} - A^{[1]}) "
             r"\right) X^T")
    assert check(latex, "3-2-2", notation="ng").verdict == "right"


def test_the_missing_mean_is_named_only_when_the_factor_is_m_at_two_batch_sizes():
    """4/m dZ A^T over four examples is off by m, over five by 4: a constant factor, not the 1/m."""
    stray = check(r"dW^{[2]} = \frac{4}{m} dZ^{[2]} A^{[1]T}", "3-2-2", notation="ng")
    assert stray.verdict == "wrong" and "1/m" not in stray.diagnosis and "4 times" in stray.diagnosis
    unaveraged = check(r"dW^{[2]} = dZ^{[2]} A^{[1]T}", "3-2-2", notation="ng")
    assert unaveraged.verdict == "wrong" and "the 1/m is missing" in unaveraged.diagnosis


def test_a_matrix_product_beside_a_hadamard_product_is_taken_first_when_shapes_say_so():
    """x' ⊙ Wᵀ δ: (x' ⊙ Wᵀ) δ does not fit, x' ⊙ (Wᵀ δ) is BP2; without the transpose it is wrong."""
    bp2 = r"\vec{\delta}^{(2)} = \vec{x}^{(2)\;'} \odot (\underline{w}^{(2 \rightarrow 3)})^T \vec{\delta}^{(3)}"
    assert check(bp2, "3-2-2").verdict == "right"
    untransposed = check(bp2.replace(r"(\underline{w}^{(2 \rightarrow 3)})^T", r"\underline{w}^{(2 \rightarrow 3)}"),
                         "3-2-2")
    assert untransposed.verdict == "wrong" and untransposed.kind == "transposed"
