"""Every partial derivative equals sympy.diff of the expanded loss, the hand-written
backprop and central finite differences; the pattern is proven or refused."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import derive
from derive import derivation as derivation_module
from derive import naming
from derive.graph import tree_size

from . import backprop, finite_differences
from .conftest import (
    NAMED_ARCHITECTURES,
    architectures,
    assert_gradients_close,
    named,
    near_a_kink,
    random_point,
)


def reference(arch, params, x, y):
    """Hand-written backprop and finite differences at one sample."""
    X, Y = np.atleast_2d(x), np.atleast_2d(y)
    args = (arch.widths, arch.activations, arch.loss, arch.bias)
    by_hand = backprop.gradients(params, X, Y, *args)
    by_differences = finite_differences.gradient(lambda p: backprop.loss(p, X, Y, *args), params)
    return by_hand, by_differences


@pytest.mark.parametrize("key", sorted(NAMED_ARCHITECTURES))
def test_partials_are_sympy_diff_of_the_expanded_loss(key):
    d = derive.derive(named(key))
    loss = d.loss
    rng = np.random.default_rng(1)
    params, x, y = random_point(d.arch, rng)
    values = d._values(params, x, y)
    for name in d.arch.parameter_names:
        for symbol in d.network.parameter_symbols(name):
            mine = d.network.expanded(d._adjoints[symbol])
            theirs = sp.diff(loss, symbol)
            difference = sp.expand(mine - theirs)
            if difference != 0:  # logs and quotients: compare exactly at a rational point
                point = {s: sp.Rational(round(float(v) * 64), 64) for s, v in values.items()}
                assert abs(sp.N(difference.xreplace(point).doit(), 30)) < 1e-25, symbol


@pytest.mark.parametrize("key", sorted(NAMED_ARCHITECTURES))
def test_named_networks_match_backprop_and_finite_differences(key):
    arch = named(key)
    d = derive.derive(arch)
    params, x, y = random_point(arch, np.random.default_rng(7))
    by_hand, by_differences = reference(arch, params, x, y)
    mine = d.evaluate(params, x, y)
    assert_gradients_close(mine, by_hand)
    assert_gradients_close(mine, by_differences)
    assert d.loss_value(params, x, y) == pytest.approx(
        backprop.loss(params, np.atleast_2d(x), np.atleast_2d(y), arch.widths, arch.activations,
                      arch.loss, arch.bias), rel=1e-12)


@given(arch=architectures(), seed=st.integers(0, 2**32 - 1))
def test_random_networks_match_backprop_and_finite_differences(arch, seed):
    d = derive.derive(arch)
    assert d.pattern is not None, d.failure
    params, x, y = random_point(arch, np.random.default_rng(seed))
    by_hand, by_differences = reference(arch, params, x, y)
    mine = d.evaluate(params, x, y)
    assert_gradients_close(mine, by_hand)
    if not near_a_kink(arch, params, x):
        assert_gradients_close(mine, by_differences)


@pytest.mark.parametrize("key, rule", [("tanh-softmax-ce", "Σ_i y_i = 1"), ("relu-bce", "x' = x*(1 - x)")])
def test_cross_entropy_outputs_collapse_to_x_minus_y(key, rule):
    output = derive.derive(named(key)).pattern.output
    x, y = sp.symbols("x y")
    assert output.simplified == x - y
    assert output.rewrite == rule  # softmax: the labels sum to 1; sigmoid: σ' = σ(1 - σ)


def test_softmax_with_mse_keeps_the_jacobian():
    pattern = derive.derive(named("softmax-mse")).pattern
    assert pattern.output.kind == "softmax"
    assert pattern.output.rewrite is None
    assert pattern.lines()[0] == "δ^(3) = x^(3) ⊙ (∇L - (x^(3)ᵀ∇L)) with ∇L = 2·(x^(3) - y)/3"


def test_32_32_32_is_derived_element_by_element():
    d = derive.derive(derive.Architecture.parse("32-32-32"))
    assert d.method == "elementwise"
    assert d.pattern.proofs["outer product"] == 2048
    assert d.pattern.proofs["inner delta"] == 32


def test_large_networks_go_through_a_witness(monkeypatch):
    monkeypatch.setattr(derivation_module, "ELEMENTWISE_LIMIT", 40)
    arch = derive.Architecture.parse("6-5-4-3", activation="tanh,relu,softmax", loss="cross-entropy", bias=True)
    d = derive.derive(arch)
    assert d.method == "witness"
    assert d.witness.widths == (3, 3, 3, 3)
    assert "witness network 3-3-3-3" in d.summary()
    params, x, y = random_point(arch, np.random.default_rng(3))
    by_hand, by_differences = reference(arch, params, x, y)
    assert_gradients_close(d.evaluate(params, x, y), by_hand)
    assert_gradients_close(d.evaluate(params, x, y), by_differences)
    # the short form comes from the instantiated pattern and evaluates to the same number
    short = d.partial("W1", 5, 6, short=True)
    forward_values = _named_values(arch, params, x, y)
    assert float(short.xreplace(forward_values)) == pytest.approx(by_hand["W1"][4, 5], rel=1e-12)
    with pytest.raises(derive.TooLargeError, match="terms"):
        _ = d.loss
    with pytest.raises(derive.TooLargeError, match="terms"):
        d.partial("W1", 1, 1)


def _named_values(arch, params, x, y):
    zs, xs = backprop.forward(params, np.atleast_2d(x), arch.widths, arch.activations, arch.bias)
    values = {naming.label(i + 1): v for i, v in enumerate(y)}
    for layer in range(1, arch.depth + 1):
        for i, v in enumerate(xs[layer - 1][0]):
            values[naming.node(layer, i + 1)] = v
        name = arch.activations[layer - 2] if layer > 1 else None
        if name and name != "softmax":
            for i, z in enumerate(zs[layer - 1][0]):
                values[naming.node_derivative(layer, i + 1)] = backprop.ACTIVATION[name][1](z)
    for name in arch.parameter_names:
        for index in np.ndindex(params[name].shape):
            values[naming.parameter_symbol(name, *[k + 1 for k in index])] = params[name][index]
    return values


def test_expanded_form_of_a_large_network_is_refused_with_its_size():
    d = derive.derive(derive.Architecture.parse("784-128-10"))
    assert d.method == "elementwise"
    with pytest.raises(derive.TooLargeError, match=r"\d{1,3}(,\d{3})+ terms"):
        _ = d.loss
    short = d.partial("W1", 1, 1, short=True)  # δ_1^(2) x_1 in named quantities: 10 output terms
    assert short.is_Mul and naming.node(1, 1) in short.free_symbols and len(str(short)) < 2_000


def test_expanded_size_estimate_is_close_to_the_real_size():
    for key in NAMED_ARCHITECTURES:
        d = derive.derive(named(key))
        assert 0.75 <= derivation_module.expanded_size(d.arch) / tree_size(d.loss) <= 1.5, key


@pytest.mark.parametrize(
    "text, options, message",
    [
        ("3", {}, "at least two layers"),
        ("3-0-2", {}, "width 0"),
        ("3-x-2", {}, "layer widths"),
        ("3-2-2", {"activation": "swiglu"}, "unknown activation 'swiglu'; use one of: sigmoid"),
        ("3-2-2", {"loss": "hinge"}, "unknown loss 'hinge'"),
        ("3-2-2", {"activation": "softmax,sigmoid"}, "output layer only"),
        ("3-2-2", {"activation": "tanh,tanh,tanh"}, "one per non-input layer"),
        ("3-2-2", {"loss": "cross-entropy"}, "needs a softmax output layer"),
        ("3-2-2", {"loss": "bce", "activation": "tanh"}, "needs a sigmoid output layer"),
        ("3-2-1", {"activation": "tanh,softmax"}, "at least 2 output nodes"),
    ],
)
def test_bad_architectures_get_one_line_errors(text, options, message):
    with pytest.raises(derive.DeriveError, match=message) as error:
        derive.Architecture.parse(text, **options)
    assert "\n" not in str(error.value)


def test_bad_elements_are_refused():
    d = derive.derive(derive.Architecture.parse("3-2-2"))
    with pytest.raises(derive.DeriveError, match=r"shape \(2, 3\)"):
        d.partial("W1", 3, 1)
    with pytest.raises(derive.DeriveError, match="no biases"):
        d.partial("b1", 1)
    with pytest.raises(derive.DeriveError, match="unknown parameter 'W3'"):
        d.partial("W3", 1, 1)
