"""The registries: every activation and loss entry is right on its own.

Rule tier of the tests: the rewrite rule each proof trusts (σ' = σ(1 - σ), …) is proven
symbolically from the explicit definition; every NumPy kernel agrees with the explicit
definition in high precision and with central differences of itself at 0, near 0, ±3 and
±1000 (autograd's check_grads style, without overflow); the reference, the scalar form and
the kernels agree; every loss kernel agrees with its SymPy definition, its reference gradient
with central differences, and its label check accepts what its sampler draws.
"""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp

import derive
from derive.activations import ACTIVATIONS, BY_FUNCTION, Activation
from derive.losses import LOSSES, Loss
from derive.pattern import NotRecognized, recognize

ELEMENTWISE = [name for name, entry in ACTIVATIONS.items() if entry.elementwise]
POINTS = np.array([-1000.0, -30.0, -3.0, -0.7, -1e-3, 0.0, 1e-3, 0.7, 3.0, 30.0, 1000.0])


def explicit(entry: Activation, z):
    """f written with elementary functions only (opaque activations inside rules replaced)."""
    return entry.explicit(z)


def elementary(expr):
    """``expr`` with every opaque activation replaced by its explicit definition."""
    return expr.replace(lambda e: type(e) in BY_FUNCTION, lambda e: BY_FUNCTION[type(e)].explicit(e.args[0]))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_the_opaque_derivative_is_the_derivative_of_the_opaque_function(name):
    entry = ACTIVATIONS[name]
    z = sp.Symbol("z")
    assert sp.diff(entry.function(z), z) == entry.derivative(z)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_the_rewrite_rule_is_proven_from_the_definition(name):
    """f'(z) = from_output(f(z), z), symbolically; for a kink, on each side of it."""
    entry = ACTIVATIONS[name]
    z = sp.Symbol("z", real=True)
    p = sp.Symbol("p", positive=True)
    f = explicit(entry, z)
    claimed = elementary(entry.from_output(f, z))
    for branch in ([p, -p] if entry.kink else [z]):
        difference = (sp.diff(f, z) - claimed).subs(z, branch)
        assert sp.simplify(difference.rewrite(sp.exp)) == 0, (name, branch)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_kernels_agree_with_the_definition_in_high_precision(name):
    entry = ACTIVATIONS[name]
    z = sp.Symbol("z", real=True)
    f, fprime = explicit(entry, z), sp.diff(explicit(entry, z), z)
    points = POINTS[(np.abs(POINTS) > 1e-2) | ~np.array(entry.kink)]
    values, slopes = entry.numpy(points), entry.numpy_derivative(points)
    exact_f, exact_fprime = (sp.lambdify(z, e, modules="mpmath") for e in (f, fprime))
    mpmath.mp.dps = 40
    for v, value, slope in zip(points, values, slopes, strict=True):
        exact = float(exact_f(mpmath.mpf(float(v))))
        exact_slope = float(exact_fprime(mpmath.mpf(float(v))))
        # σ as (1 + tanh(z/2)) / 2 cannot overflow; in the far tail it is exact to 1e-17 absolute,
        # not relative, so the tolerance is machine precision at the scale max(1, |z|)
        scale = max(1.0, abs(float(v)))
        assert value == pytest.approx(exact, rel=1e-13, abs=1e-16 * scale), (name, v)
        assert slope == pytest.approx(exact_slope, rel=1e-12, abs=1e-15 * scale), (name, v)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_kernel_matches_central_differences_without_overflow(name):
    entry = ACTIVATIONS[name]
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        values = entry.numpy(POINTS)
        slopes = entry.numpy_derivative(POINTS)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(slopes))
    for v, slope in zip(POINTS, slopes, strict=True):
        if entry.kink and abs(v) < 1e-2:
            continue
        h = 1e-6 * max(1.0, abs(v))
        numeric = (entry.numpy(v + h) - entry.numpy(v - h)) / (2 * h)
        assert slope == pytest.approx(float(numeric), rel=1e-6, abs=1e-8), (name, v)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_reference_and_scalar_forms_agree_with_the_kernels(name):
    entry = ACTIVATIONS[name]
    value, slope = entry.reference(POINTS.copy())
    np.testing.assert_allclose(value, entry.numpy(POINTS), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(slope, entry.numpy_derivative(POINTS), rtol=1e-12, atol=1e-14)
    scalar = np.array([entry.scalar(float(v)) for v in POINTS])
    np.testing.assert_allclose(scalar, entry.numpy(POINTS), rtol=1e-12, atol=1e-14)


def test_every_kernel_is_named_for_the_code_generator():
    for name, entry in ACTIVATIONS.items():
        if entry.forward is not None:
            assert entry.forward.__name__ == f"_{name}"
        if entry.derivative_kernel is not None:
            assert entry.derivative_kernel.__name__ == f"_{name}_prime"


def test_softmax_has_no_elementwise_rule_and_says_so():
    with pytest.raises(derive.DeriveError, match="whole layer"):
        ACTIVATIONS["softmax"].from_output(sp.Symbol("x"), sp.Symbol("z"))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_kernel_is_the_definition_summed_over_the_batch(name):
    entry = LOSSES[name]
    rng = np.random.default_rng(3)
    n, batch = 3, 4
    z = rng.normal(0, 2, (batch, n))
    if entry.output == "softmax":
        x = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    elif entry.output == "sigmoid":
        x = 1 / (1 + np.exp(-z))
    else:
        x = z
    y = entry.check_labels(entry.sample(rng, (batch, n)), batch, n, np.float64)
    xs, ys = sp.symbols(f"x1:{n + 1}"), sp.symbols(f"y1:{n + 1}")
    per_sample = entry.build(list(xs), list(ys))
    expected = sum(float(per_sample.subs({**dict(zip(xs, xr)), **dict(zip(ys, yr))})) for xr, yr in zip(x, y))
    assert entry.value(x, z, y) == pytest.approx(expected, rel=1e-12)
    for xr, yr, zr in zip(x, y, z, strict=True):  # the reference gradient, by central differences
        _value, gradient, through_output = entry.reference(xr, yr, zr)
        variable = zr if through_output else xr
        for i in range(n):
            def at(t, i=i, variable=variable, through_output=through_output, yr=yr, zr=zr):
                shifted = variable.copy()
                shifted[i] = t
                if through_output:
                    out = np.exp(shifted) / np.exp(shifted).sum() if entry.output == "softmax" \
                        else 1 / (1 + np.exp(-shifted))
                    return entry.reference(out, yr, shifted)[0]
                return entry.reference(shifted, yr, zr)[0]
            h = 1e-6
            numeric = (at(variable[i] + h) - at(variable[i] - h)) / (2 * h)
            assert gradient[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_cross_entropy_labels_integer_classes_become_one_hot():
    check = LOSSES["cross-entropy"].check_labels
    np.testing.assert_array_equal(check(np.array([2, 0]), 2, 3, np.float64), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="class labels must lie in 0 … 2"):
        check(np.array([3, 0]), 2, 3, np.float64)


@pytest.mark.parametrize("Y, message", [
    (np.array([[0.5, 0.4, 0.0]]), "row 0 sums to 0.9"),
    (np.array([[1.5, 0.5, 0.0]]), "row 0 sums to 2"),
    (np.ones((1, 2)) / 2, r"Y has shape \(1, 2\); expected \(1, 3\)"),
])
def test_cross_entropy_refuses_labels_that_are_not_distributions(Y, message):
    with pytest.raises(ValueError, match=message):
        LOSSES["cross-entropy"].check_labels(Y, 1, 3, np.float64)


def test_binary_cross_entropy_refuses_labels_outside_0_1():
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        LOSSES["bce"].check_labels(np.array([[1.2]]), 1, 1, np.float64)


def test_a_network_whose_loss_couples_the_outputs_reaches_not_recognized(monkeypatch):
    """The pattern needs ∂L/∂x_i to depend on x_i and y_i alone; a loss that couples the
    outputs is refused by the recognizer with NotRecognized, and the derivation says why."""
    coupled = Loss("coupled", lambda xs, ys: (xs[0] - ys[0]) * (xs[1] - ys[1]), "a product of two errors",
                   value=LOSSES["mse"].value, equation="", check_labels=LOSSES["mse"].check_labels,
                   sample=LOSSES["mse"].sample, reference=LOSSES["mse"].reference)
    monkeypatch.setitem(LOSSES, "coupled", coupled)
    arch = derive.Architecture.parse("2-2-2", loss="coupled")
    d = derive.derive(arch)
    assert d.pattern is None and "other nodes than its own" in d.failure
    with pytest.raises(NotRecognized, match="other nodes than its own"):
        recognize(d.network, d._adjoints)


def test_gelu_uses_erf_not_the_tanh_approximation():
    z = 0.9
    exact = 0.5 * z * (1 + math.erf(z / math.sqrt(2)))
    assert float(ACTIVATIONS["gelu"].numpy(z)) == pytest.approx(exact, rel=1e-15)
