"""Deep and wide networks: derived within bounded time and memory, or refused in one line.

Timings are in ``bench/scale.py``; these tests only check that the calls finish, give the
right numbers, stay under 1 GB and never let a RecursionError or traceback out."""
import json
import subprocess
import sys

import numpy as np
import pytest

import derive
from derive import derivation as derivation_module
from derive import naming
from derive.cli import main

from . import backprop, finite_differences
from .conftest import NAMED_ARCHITECTURES, assert_gradients_close, named, random_point


def chain(depth, width=2):
    return "-".join([str(width)] * depth)


def _reference(arch, params, x, y):
    X, Y = np.atleast_2d(x), np.atleast_2d(y)
    args = (arch.widths, arch.activations, arch.loss, arch.bias)
    by_hand = backprop.gradients(params, X, Y, *args)
    by_differences = finite_differences.gradient(lambda p: backprop.loss(p, X, Y, *args), params)
    return by_hand, by_differences


def test_200_layers_derive_layer_by_layer_with_every_identity_proven():
    arch = derive.Architecture.parse(chain(200))
    d = derive.derive(arch)
    assert d.method == "layered"
    assert d.pattern is not None
    # 796 weights, the 2 output deltas, 2 inner deltas per hidden layer
    assert d.pattern.proofs == {"outer product": 796, "output delta": 2, "inner delta": 396}
    summary = d.summary()
    assert "derived layer by layer" in summary
    assert "δ^(2) = (W^(2→3))ᵀ δ^(3) ⊙ x^(2)'" in summary
    params, x, y = random_point(arch, np.random.default_rng(5))
    by_hand = backprop.gradients(params, np.atleast_2d(x), np.atleast_2d(y), arch.widths, arch.activations,
                                 arch.loss, arch.bias)
    assert_gradients_close(d.evaluate(params, x, y), by_hand)


@pytest.mark.parametrize("activation, loss, bias", [
    ("sigmoid", "mse", False),
    (("tanh,softplus,leaky_relu,identity,sigmoid,tanh,softplus,tanh,sigmoid,tanh,softplus,tanh,"
      "identity,tanh,sigmoid,tanh,sigmoid,softmax"), "cross-entropy", True),
])
def test_a_deep_network_matches_backprop_and_finite_differences(activation, loss, bias):
    widths = "3-2-3-" + chain(15) + "-3"  # 19 layers: past the elementwise depth
    arch = derive.Architecture.parse(widths, activation=activation, loss=loss, bias=bias)
    assert arch.depth > derivation_module.LAYERED_DEPTH
    d = derive.derive(arch)
    assert d.method == "layered"
    params, x, y = random_point(arch, np.random.default_rng(8))
    by_hand, by_differences = _reference(arch, params, x, y)
    result = d.evaluate(params, x, y)
    assert_gradients_close(result, by_hand)
    assert_gradients_close(result, by_differences, rtol=1e-6)
    # the short forms near the output come from the proven pattern and give the same numbers
    short = d.partial(f"W{arch.depth - 2}", 1, 2, short=True)
    zs, xs = backprop.forward(params, np.atleast_2d(x), arch.widths, arch.activations, arch.bias)
    values = {naming.label(i + 1): v for i, v in enumerate(y)}
    for layer in range(arch.depth - 2, arch.depth + 1):
        for i, v in enumerate(xs[layer - 1][0]):
            values[naming.node(layer, i + 1)] = v
        if arch.activations[layer - 2] != "softmax":
            for i, z in enumerate(zs[layer - 1][0]):
                values[naming.node_derivative(layer, i + 1)] = backprop.ACTIVATION[
                    arch.activations[layer - 2]][1](z)
    for name in (f"W{arch.depth - 2}", f"W{arch.depth - 1}"):
        for index in np.ndindex(params[name].shape):
            values[naming.parameter_symbol(name, *[k + 1 for k in index])] = params[name][index]
    assert float(short.xreplace(values)) == pytest.approx(by_hand[f"W{arch.depth - 2}"][0, 1], rel=1e-10)


def test_a_12_layer_network_element_by_element_matches_backprop():
    arch = derive.Architecture.parse(chain(12), activation="tanh", loss="half-mse", bias=True)
    d = derive.derive(arch)
    assert d.method == "elementwise"
    params, x, y = random_point(arch, np.random.default_rng(2))
    by_hand, by_differences = _reference(arch, params, x, y)
    assert_gradients_close(d.evaluate(params, x, y), by_hand)
    assert_gradients_close(d.evaluate(params, x, y), by_differences, rtol=1e-6)


def test_written_out_forms_of_deep_networks_are_refused_by_size_not_by_recursion():
    d = derive.derive(derive.Architecture.parse(chain(200)))
    for request in (lambda: d.partial("W1", 1, 1, short=True), lambda: d.partial("W1", 1, 1),
                    lambda: d.loss, lambda: d.delta(2, 1)):
        with pytest.raises(derive.TooLargeError) as error:
            request()
        assert "\n" not in str(error.value)
    assert d.short_form_size("W1", 1, 1) > 10**50  # counted, never built


def test_huge_widths_and_depths_are_refused_in_one_line(capsys):
    for argv in (["show", "100000-100000-10"], ["build", "100000-100000-10"],
                 ["check-code", "x.py:f", "--arch", "100000-100000-10"], ["show", chain(1001)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "derive handles at most" in err


def test_show_of_a_200_layer_network_prints_the_pattern_and_large_partials_through_delta(capsys):
    assert main(["show", chain(200), "--max-elements", "2"]) == 0
    out = capsys.readouterr().out
    assert "∂L/∂W1[1,1] = δ2_1 x1_1" in out
    assert "∂L/∂W199[1,1] = 2*x199_1*x200'_1*(x200_1 - y_1)" in out
    assert "… 2 more elements of W1" in out


_MEMORY_PROBE = """
import json, resource, sys
from derive.cli import main
import derive
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
d = derive.derive(derive.Architecture.parse(sys.argv[1]))
d.summary()
codes = [main(["show", sys.argv[1], "--quiet"]), main(["show", "100000-100000-10"]),
         main(["show", "3000-3000-10", "--quiet", "--max-elements", "3"]),
         main(["show", "40-40-40-40-40-40-40-40", "--quiet", "--max-elements", "3"])]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"codes": codes, "kb": after, "delta_kb": after - before}))
"""


def test_deep_and_wide_calls_stay_under_1_gb():
    result = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, chain(200)], capture_output=True, text=True,
                            timeout=600, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["codes"] == [0, 2, 0, 0]
    assert report["kb"] < 1024 * 1024  # ru_maxrss is in KB on Linux


def test_deep_and_wide_networks_go_through_a_layered_witness():
    arch = derive.Architecture.parse("5-" + chain(18, 60) + "-3", activation="tanh", loss="half-mse", bias=True)
    assert arch.parameter_count > derivation_module.LAYERED_LIMIT
    d = derive.derive(arch)
    assert d.method == "witness"
    assert d.witness.widths == (3,) * 19 + (3,)
    assert "derived layer by layer" in d.summary()
    params, x, y = random_point(arch, np.random.default_rng(4))
    by_hand = backprop.gradients(params, np.atleast_2d(x), np.atleast_2d(y), arch.widths, arch.activations,
                                 arch.loss, arch.bias)
    assert_gradients_close(d.evaluate(params, x, y), by_hand)


@pytest.mark.parametrize("key", [k for k, v in NAMED_ARCHITECTURES.items() if v[0].count("-") >= 2])
def test_the_layered_route_finds_the_same_pattern_and_numbers_as_the_elementwise_route(key, monkeypatch):
    arch = named(key)
    elementwise = derive.derive(arch)
    monkeypatch.setattr(derivation_module, "LAYERED_DEPTH", 2)
    layered = derive.derive(arch)
    assert (elementwise.method, layered.method) == ("elementwise", "layered")
    assert layered.pattern.output == elementwise.pattern.output
    assert layered.pattern.inner_factor == elementwise.pattern.inner_factor
    assert layered.pattern.proofs == elementwise.pattern.proofs
    params, x, y = random_point(arch, np.random.default_rng(6))
    assert_gradients_close(layered.evaluate(params, x, y), elementwise.evaluate(params, x, y))


def test_show_of_a_deep_width_one_network_refuses_long_chains_by_depth(capsys):
    # width 1: the written-out partials stay small, but nest one level deeper per layer
    assert main(["show", chain(200, 1), "--max-elements", "1", "--expanded"]) == 0
    out = capsys.readouterr().out
    assert "∂L/∂W1[1,1] = δ2_1 x1_1  (δ from the pattern above; written out in named quantities it spans 198 layers" \
        in out
    assert "∂L/∂W199[1,1] = 2*x199_1*x200'_1*(x200_1 - y_1)" in out


def test_show_expanded_prints_large_written_out_forms_only_as_their_size(capsys):
    assert main(["show", chain(10), "--expanded", "--max-elements", "1"]) == 0
    out = capsys.readouterr().out
    assert "(expanded form not printed: it has " in out
    assert max(len(line) for line in out.splitlines()) < 200_000


def test_wide_hidden_layers_are_derived_layer_by_layer_before_memory_grows():
    # element by element, each term of δ^(2) would carry the symbols of every layer above:
    # about 41 million occurrences here (1.3 GB), so the layered route is taken
    arch = derive.Architecture.parse("40-40-40-40-40-40-40-40", activation="softplus", loss="mse")
    assert derivation_module.elementwise_cost(arch) > derivation_module.ELEMENTWISE_COST_LIMIT
    d = derive.derive(arch)
    assert d.method == "layered"
    assert "too wide to write every δ out" in d.summary()
    params, x, y = random_point(arch, np.random.default_rng(9))
    by_hand = backprop.gradients(params, np.atleast_2d(x), np.atleast_2d(y), arch.widths, arch.activations,
                                 arch.loss, arch.bias)
    assert_gradients_close(d.evaluate(params, x, y), by_hand)
