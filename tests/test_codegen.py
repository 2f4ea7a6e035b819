"""Generated modules, both forms: forward, loss and gradients equal the hand-written
backprop (1e-10) and central finite differences; edge cases; numerical stability."""
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import codegen
import derive

from . import backprop, finite_differences
from .conftest import (
    NAMED_ARCHITECTURES,
    architectures,
    assert_gradients_close,
    named,
    near_a_kink,
    random_point,
)
from .modules import generated_module

FORMS = ["matrix", "unrolled"]


def by_hand(arch, params, X, Y):
    args = (arch.widths, arch.activations, arch.loss, arch.bias)
    return backprop.loss(params, X, Y, *args), backprop.gradients(params, X, Y, *args)


def check_module(module, arch, params, X, Y, differences=True):
    expected_loss, expected = by_hand(arch, params, X, Y)
    _, xs = backprop.forward(params, X, arch.widths, arch.activations, arch.bias)
    np.testing.assert_allclose(module.forward(params, X), xs[-1], rtol=1e-10, atol=1e-12)
    assert module.loss(params, X, Y) == pytest.approx(expected_loss, rel=1e-10, abs=1e-12)
    value, grads = module.loss_and_gradients(params, X, Y)
    assert value == pytest.approx(expected_loss, rel=1e-10, abs=1e-12)
    assert_gradients_close(grads, expected, rtol=1e-10)
    assert_gradients_close(module.gradients(params, X, Y), expected, rtol=1e-10)
    if differences and not near_a_kink(arch, params, X):
        numeric = finite_differences.gradient(lambda p: module.loss(p, X, Y), params)
        assert_gradients_close(grads, numeric, rtol=1e-7)


@pytest.mark.parametrize("form", FORMS)
@given(arch=architectures(max_depth=5, max_width=6), seed=st.integers(0, 2**32 - 1),
       batch=st.integers(1, 5))
def test_random_networks_match_backprop_and_finite_differences(form, arch, seed, batch):
    module = generated_module(arch, form)
    params, X, Y = random_point(arch, np.random.default_rng(seed), batch=batch)
    check_module(module, arch, params, X, Y)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("key", sorted(NAMED_ARCHITECTURES))
def test_named_networks(form, key):
    arch = named(key)
    params, X, Y = random_point(arch, np.random.default_rng(11), batch=7)
    check_module(generated_module(arch, form), arch, params, X, Y)


@pytest.mark.parametrize("form", FORMS)
def test_a_single_sample_gives_unbatched_results(form):
    arch = named("tanh-softmax-ce")
    module = generated_module(arch, form)
    params, x, y = random_point(arch, np.random.default_rng(5))
    out = module.forward(params, x)
    assert out.shape == (arch.widths[-1],)
    batched_loss, batched = by_hand(arch, params, x[None, :], y[None, :])
    value, grads = module.loss_and_gradients(params, x, y)
    assert value == pytest.approx(batched_loss, rel=1e-10)
    assert_gradients_close(grads, batched, rtol=1e-10)


@pytest.mark.parametrize("form", FORMS)
def test_float32_in_float32_out(form):
    arch = named("mixed-4-layer")
    module = generated_module(arch, form)
    params, X, Y = random_point(arch, np.random.default_rng(2), batch=4)
    params32 = {k: v.astype(np.float32) for k, v in params.items()}
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    assert module.forward(params32, X32).dtype == np.float32
    value, grads = module.loss_and_gradients(params32, X32, Y32)
    assert isinstance(value, float)
    assert all(g.dtype == np.float32 for g in grads.values())
    _, expected = by_hand(arch, params, X, Y)
    assert_gradients_close({k: g.astype(float) for k, g in grads.items()}, expected, rtol=1e-4)


def test_init_params_follow_the_contract():
    arch = named("tanh-softmax-ce")
    module = generated_module(arch, "matrix")
    params = module.init_params(seed=3)
    assert list(params) == ["W1", "W2", "b1", "b2"]
    assert params["W1"].shape == (3, 4) and params["b2"].shape == (3,)
    assert all(np.array_equal(params[k], module.init_params(seed=3)[k]) for k in params)
    assert module.ARCHITECTURE == {"widths": [4, 3, 3], "activations": ["tanh", "softmax"],
                                   "loss": "cross-entropy", "bias": True}
    assert module.init_params(dtype=np.float32)["W1"].dtype == np.float32


def test_matrix_form_writes_into_given_gradient_buffers():
    arch = named("relu-bce")
    module = generated_module(arch, "matrix")
    params, X, Y = random_point(arch, np.random.default_rng(4), batch=3)
    out = {k: np.full_like(v, np.nan) for k, v in params.items()}
    _, grads = module.loss_and_gradients(params, X, Y, out=out)
    assert all(grads[k] is out[k] for k in out)
    assert_gradients_close(grads, by_hand(arch, params, X, Y)[1], rtol=1e-10)


STABILITY = [
    ("3-4-2", "sigmoid", "bce"),
    ("3-4-3", "softplus,softmax", "cross-entropy"),
    ("3-4-3", "sigmoid,softmax", "mse"),
    ("3-4-2", "softplus,sigmoid", "mse"),
    ("3-4-2", "tanh,identity", "half-mse"),
]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("widths, activation, loss", STABILITY)
def test_preactivations_of_1000_give_no_overflow_nan_or_warning(form, widths, activation, loss):
    arch = derive.Architecture.parse(widths, activation=activation, loss=loss, bias=True)
    module = generated_module(arch, form)
    params = {name: np.zeros(arch.shape(name)) for name in arch.parameter_names}
    for name, value in params.items():
        if name.startswith("W"):
            value[:] = np.where(np.arange(value.size).reshape(value.shape) % 2, 1.0, -1.0)
    X = np.array([[1000.0, -1000.0, 1000.0], [-1000.0, 1000.0, -1000.0]]) / 3
    Y = np.zeros((2, arch.widths[-1]))
    Y[:, 0] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is exact enough
            out = module.forward(params, X)
            value, grads = module.loss_and_gradients(params, X, Y)
    assert np.all(np.isfinite(out)) and np.isfinite(value)
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    zs, _ = backprop.forward(params, X, arch.widths, arch.activations, arch.bias)
    assert max(np.abs(z).max() for z in zs[1:]) >= 300  # the test reaches the saturated regime


def test_unrolled_form_is_refused_for_large_networks():
    d = derive.derive(derive.Architecture.parse("32-32-32"))
    with pytest.raises(derive.DeriveError, match="use --form matrix"):
        codegen.generate(d, "unrolled")


@pytest.mark.parametrize("form", ["matrix", "unrolled"])
def test_sixteen_threads_give_the_single_threaded_results(form):
    """Each thread keeps its own workspaces: concurrent calls with one batch size never share
    a buffer, so every result equals the one computed alone."""
    import threading

    arch = named("tanh-softmax-ce")
    module = generated_module(arch, form)
    rng = np.random.default_rng(5)
    cases = [random_point(arch, rng, batch=32) for _ in range(16)]
    alone = [module.loss_and_gradients(*case) for case in cases]
    results = [None] * len(cases)
    start = threading.Barrier(len(cases))

    def work(k):
        start.wait()
        for _ in range(20):
            results[k] = module.loss_and_gradients(*cases[k])
            assert results[k][0] == alone[k][0]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(cases))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for (value, grads), (expected_value, expected) in zip(results, alone, strict=True):
        assert value == expected_value
        for name in expected:
            np.testing.assert_array_equal(grads[name], expected[name])


@pytest.mark.parametrize("form", ["matrix", "unrolled"])
def test_labels_are_validated_for_the_loss(form):
    arch = named("tanh-softmax-ce")
    module = generated_module(arch, form)
    rng = np.random.default_rng(6)
    params, X, _ = random_point(arch, rng, batch=10)
    classes = rng.integers(0, 3, 10)
    as_integers = module.loss_and_gradients(params, X, classes)
    as_one_hot = module.loss_and_gradients(params, X, np.eye(3)[classes])
    assert as_integers[0] == pytest.approx(as_one_hot[0], rel=1e-12)
    with pytest.raises(ValueError, match="row 0 sums to 2"):
        module.loss(params, X, np.full((10, 3), 2 / 3))
    with pytest.raises(ValueError, match=r"Y has shape \(10, 2\); expected \(10, 3\)"):
        module.loss(params, X, np.ones((10, 2)) / 2)
    with pytest.raises(ValueError, match=r"X has shape \(10, 5\)"):
        module.forward(params, np.ones((10, 5)))
    mse = generated_module(named("article"), form)
    with pytest.raises(ValueError, match=r"Y has shape \(4, 3\); expected \(4, 2\)"):
        mse.gradients(mse.init_params(), np.ones((4, 3)), np.ones((4, 3)))
