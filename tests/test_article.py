"""The 3-2-2 article network: the results in shared/NOTATION.md come out exactly."""
import sympy as sp

import derive
from derive import naming
from derive.activations import Sigmoid, SigmoidPrime

x = {(l, i): naming.node(l, i) for l in (1, 2, 3) for i in (1, 2, 3)}
xp = {(l, i): naming.node_derivative(l, i) for l in (2, 3) for i in (1, 2)}
y1, y2 = naming.label(1), naming.label(2)


def w(layer, i, j):
    return naming.weight(layer, i, j)


def article():
    return derive.derive(derive.Architecture.parse("3-2-2", activation="sigmoid", loss="mse", bias=False))


def test_short_form_of_output_weight_is_the_articles():
    # ∂MSE/∂w_12^(2→3) = 2 (x_1^(3) - y_1) x_1^(3)' x_2^(2)
    expected = 2 * (x[3, 1] - y1) * xp[3, 1] * x[2, 2]
    assert sp.expand(article().partial("W2", 1, 2, short=True) - expected) == 0


def test_short_form_of_inner_weight_is_the_articles():
    expected = (2 * (x[3, 1] - y1) * xp[3, 1] * w(2, 1, 2) * xp[2, 2] * x[1, 3]
                + 2 * (x[3, 2] - y2) * xp[3, 2] * w(2, 2, 2) * xp[2, 2] * x[1, 3])
    assert sp.expand(article().partial("W1", 2, 3, short=True) - expected) == 0


def test_expanded_loss_is_the_sum_of_squares_of_the_written_out_outputs():
    inputs = [x[1, j] for j in (1, 2, 3)]
    hidden = [Sigmoid(sum(w(1, i, j) * inputs[j - 1] for j in (1, 2, 3))) for i in (1, 2)]
    outputs = [Sigmoid(sum(w(2, i, j) * hidden[j - 1] for j in (1, 2))) for i in (1, 2)]
    expected = (outputs[0] - y1) ** 2 + (outputs[1] - y2) ** 2
    assert article().loss == expected


def test_every_partial_is_the_derivative_of_the_expanded_loss():
    d = article()
    for name in ("W1", "W2"):
        rows, cols = d.arch.shape(name)
        for i in range(1, rows + 1):
            for j in range(1, cols + 1):
                symbol = naming.parameter_symbol(name, i, j)
                assert sp.expand(sp.diff(d.loss, symbol) - d.partial(name, i, j)) == 0


def test_derivatives_stay_visible_as_sigma_prime():
    expanded = article().partial("W2", 1, 1)
    assert expanded.has(SigmoidPrime)
    assert not expanded.has(sp.exp)


def test_matrix_pattern_is_the_articles():
    d = article()
    assert d.method == "elementwise"
    assert d.pattern.lines() == [
        "δ^(3) = 2·(x^(3) - y) ⊙ x^(3)'",
        "δ^(2) = (W^(2→3))ᵀ δ^(3) ⊙ x^(2)'",
        "∇W^(2→3) = δ^(3) (x^(2))ᵀ",
        "∇W^(1→2) = δ^(2) (x^(1))ᵀ",
    ]
    # δ^(3)_1 = 2 (x_1^(3) - y_1) x_1^(3)' and δ^(2)_2 = (w_12 δ_1^(3) + w_22 δ_2^(3)) x_2^(2)'
    delta3 = [2 * (x[3, i] - naming.label(i)) * xp[3, i] for i in (1, 2)]
    assert sp.expand(d.delta(3, 1) - delta3[0]) == 0
    assert sp.expand(d.delta(2, 2) - (w(2, 1, 2) * delta3[0] + w(2, 2, 2) * delta3[1]) * xp[2, 2]) == 0
