"""Shared architectures, random points and comparisons for the test suite."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from derive import Architecture
from derive.activations import ACTIVATIONS
from derive.losses import LOSSES as LOSS_TABLE
from derive.losses import loss as loss_entry

settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ELEMENTWISE = [name for name, entry in ACTIVATIONS.items() if entry.elementwise]
LOSSES = list(LOSS_TABLE)

def needs(available: bool, reason: str):
    """Skip a test whose tool is missing, except under CI=true (as .ci/run sets), where the test
    runs and a missing tool is a failure, never a silent skip."""
    return pytest.mark.skipif(not available and os.environ.get("CI") != "true", reason=reason)


# A fixed collection of architectures every tier of tests runs on.
NAMED_ARCHITECTURES = {
    "article": ("3-2-2", "sigmoid", "mse", False),
    "tanh-softmax-ce": ("4-3-3", "tanh,softmax", "cross-entropy", True),
    "relu-bce": ("2-3-2", "relu,sigmoid", "bce", True),
    "mixed-4-layer": ("3-4-3-2", "softplus,leaky_relu,identity", "half-mse", True),
    "softmax-mse": ("2-2-3", "sigmoid,softmax", "mean-mse", False),
    "width-one": ("1-1-1", "tanh", "mse", True),
    "gelu-silu": ("3-3-2", "gelu,silu", "half-mse", True),
}


def parsed(spec):
    """(widths, activations, loss, bias) as an Architecture."""
    widths, activation, loss, bias = spec
    return Architecture.parse(widths, activation=activation, loss=loss, bias=bias)


def named(key):
    return parsed(NAMED_ARCHITECTURES[key])


@st.composite
def architectures(draw, min_depth=2, max_depth=4, max_width=4):
    depth = draw(st.integers(min_depth, max_depth))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth)]
    loss = draw(st.sampled_from(LOSSES))
    hidden = [draw(st.sampled_from(ELEMENTWISE)) for _ in range(depth - 2)]
    if loss == "bce":
        last = "sigmoid"
    elif loss == "cross-entropy":
        last = "softmax"
    else:
        last = draw(st.sampled_from(ELEMENTWISE + ["softmax"]))
    if last == "softmax":
        widths[-1] = max(widths[-1], 2)
    bias = draw(st.booleans())
    return Architecture.parse("-".join(map(str, widths)), activation=",".join(hidden + [last]),
                              loss=loss, bias=bias)


def random_point(arch, rng, batch=None):
    """Random parameters, inputs and labels that suit the loss."""
    params = {name: rng.normal(0, 0.8, arch.shape(name)) for name in arch.parameter_names}
    shape_x = (arch.widths[0],) if batch is None else (batch, arch.widths[0])
    shape_y = (arch.widths[-1],) if batch is None else (batch, arch.widths[-1])
    x = rng.normal(0, 1, shape_x)
    return params, x, loss_entry(arch.loss).sample(rng, shape_y)


def assert_gradients_close(actual, expected, rtol=1e-9):
    """Equal to ``rtol`` relative to the largest gradient entry (tiny entries compare absolutely)."""
    assert set(actual) == set(expected)
    scale = max(1.0, max(float(np.max(np.abs(v))) for v in expected.values()))
    for name in expected:
        assert actual[name].shape == expected[name].shape, name
        np.testing.assert_allclose(actual[name], expected[name], rtol=rtol, atol=rtol * scale, err_msg=name)


def near_a_kink(arch, params, X, margin=1e-2):
    """True when a pre-activation of an activation with a kink (relu, leaky_relu) lies within ``margin`` of 0, where
    finite differences with steps of 1e-3 straddle the kink and mean nothing."""
    from . import backprop

    zs, _ = backprop.forward(params, np.atleast_2d(X), arch.widths, arch.activations, arch.bias)
    for layer, name in enumerate(arch.activations, start=1):
        if ACTIVATIONS[name].kink and np.any(np.abs(zs[layer]) < margin):
            return True
    return False
