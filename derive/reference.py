"""A reference backprop, written by hand one sample at a time with explicit Jacobians.

``derive build`` checks the generated modules against it (and against finite differences);
it shares no code with the derivation or the code generator (each registry entry's
``reference`` is written apart from its kernels): for each sample it runs the
layers forward, then multiplies the loss gradient by each layer's Jacobian on the way
back, (∂x/∂z)ᵀ then Wᵀ, and accumulates δ xᵀ.
"""
from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from derive.activations import activation
from derive.losses import loss as loss_entry


def _value_and_jacobian(name: str, z: np.ndarray):
    """x = f(z) and the Jacobian ∂x/∂z, as a full matrix (diag of the slope for elementwise f)."""
    if name == "softmax":
        e = np.exp(z - z.max())
        s = e / e.sum()
        return s, np.diag(s) - np.outer(s, s)
    x, slope = activation(name).reference(z)
    return x, np.diag(slope)


def _loss_and_gradient(name: str, x: np.ndarray, y: np.ndarray, z: np.ndarray):
    """The per-sample loss and ∂L/∂x of the output layer (for bce and cross-entropy ∂L/∂z)."""
    return loss_entry(name).reference(x, y, z)


MISTAKES = {
    "no output derivative": "δ of the output layer lacks the activation's derivative x^(L)'",
    "no inner derivative": "the inner δ lacks ⊙ x^(l)' (the activation's derivative)",
    "derivative of the layer above": "an off-by-one layer in σ': the inner δ uses x^(l+1)' instead of x^(l)'",
    "activation instead of derivative": "the inner δ multiplies by x^(l) = σ(z) instead of σ'(z)",
    "weights not transposed": "the inner δ uses W δ instead of Wᵀ δ",
    "bias row in delta": "a bias row mixed into δ: with the bias as a column of W, the wrong row of Wᵀ δ was dropped",
    "missing factor 2": "the factor 2 of the squared error is missing",
}

# The causes check-code names, by a fixed ID. Each variant is one exact way of making the
# mistake (a mistake has several real forms); ``model_gradients`` reproduces any one or two.
VARIANTS = {
    "no-output-derivative": ("no-output-derivative", MISTAKES["no output derivative"]),
    "no-inner-derivative": ("no-inner-derivative", MISTAKES["no inner derivative"]),
    "derivative-of-layer-above": ("derivative-of-layer-above", MISTAKES["derivative of the layer above"]),
    "activation-instead-of-derivative": ("activation-instead-of-derivative",
                                         MISTAKES["activation instead of derivative"]),
    "activation-instead-of-derivative:output": (
        "activation-instead-of-derivative", "δ of the output layer multiplies by x^(L) = f(z) instead of f'(z)"),
    "weights-not-transposed": ("weights-not-transposed", MISTAKES["weights not transposed"]),
    "bias-in-delta:row": ("bias-in-delta", MISTAKES["bias row in delta"]),
    "bias-in-delta:above": ("bias-in-delta", ("a bias term mixed into δ: the inner δ adds the bias b^(l+1) of the "
                                             "layer above to every component (Wᵀ δ + b)")),
    "bias-in-delta:product": ("bias-in-delta", ("a bias term mixed into δ: the inner δ adds the bias row's bᵀ δ "
                                               "to every component (the bias column of W kept in Wᵀ δ)")),
    "bias-in-delta:sum": ("bias-in-delta", ("a bias term mixed into δ: the inner δ adds the sum of the biases "
                                           "b^(l+1) of the layer above to every component (Wᵀ δ + Σ b)")),
    "bias-in-delta:own": ("bias-in-delta", ("a bias term mixed into δ: the inner δ adds the layer's own bias b^(l) "
                                           "to every component")),
    "missing-factor-2": ("missing-factor-2", MISTAKES["missing factor 2"]),
    "preactivation-instead-of-activation:forward": (
        "preactivation-instead-of-activation", ("the forward pass uses the pre-activation z where f(z) belongs: a "
                                               "hidden layer passes z on to the next layer")),
    "preactivation-instead-of-activation:both": (
        "preactivation-instead-of-activation", ("the pre-activation z is used where f(z) belongs, in the forward "
                                               "pass and in δ xᵀ")),
    "preactivation-instead-of-activation:backward": (
        "preactivation-instead-of-activation", ("the backward pass uses the pre-activation z where f(z) belongs: "
                                               "δ zᵀ instead of δ xᵀ")),
    "preactivation-instead-of-activation:slope": (
        "preactivation-instead-of-activation", ("the derivative is computed from the pre-activation z where f(z) "
                                               "belongs (e.g. z (1 - z) instead of x (1 - x))")),
    "stale-weights": ("stale-weights", ("the inner δ uses weights already updated by this step (Wᵀ δ after "
                                       "W -= lr ∇W): the error scales with the learning rate")),
}
OLD_NAMES = {"no output derivative": "no-output-derivative", "no inner derivative": "no-inner-derivative",
             "derivative of the layer above": "derivative-of-layer-above",
             "activation instead of derivative": "activation-instead-of-derivative",
             "weights not transposed": "weights-not-transposed", "bias row in delta": "bias-in-delta:row",
             "missing factor 2": "missing-factor-2"}


@functools.cache
def _slope_from_output(name: str):
    """The activation's rewrite rule in its output alone (σ' = x(1 - x), tanh' = 1 - x²) as a
    NumPy function, from the registry; None where the rule needs z or is a constant."""
    entry = activation(name)
    if not entry.elementwise:
        return None
    x, z = sp.symbols("x z")
    rule = entry.from_output(x, z)
    if z in rule.free_symbols or x not in rule.free_symbols:
        return None
    return sp.lambdify(x, rule, "numpy")


def loss_and_gradients(architecture: dict, params: dict, X, Y, mistake: str | None = None):
    """The summed loss over the batch and its gradient, sample by sample.

    ``mistake`` (a key of ``MISTAKES``) makes the same computation with one classic error,
    for recognizing it in someone's code; without it this is the reference."""
    widths, activations = architecture["widths"], architecture["activations"]
    bias, loss_name = architecture["bias"], architecture["loss"]
    X, Y = np.atleast_2d(np.asarray(X, float)), np.atleast_2d(np.asarray(Y, float))
    total = 0.0
    for x0, y in zip(X, Y):
        values, z = [x0], None
        for layer in range(1, len(widths)):
            z = np.asarray(params[f"W{layer}"], float) @ values[-1]
            if bias:
                z = z + np.asarray(params[f"b{layer}"], float)
            values.append(_value_and_jacobian(activations[layer - 1], z)[0])
        assert z is not None  # an architecture has at least two widths, so the loop above ran
        total += _loss_and_gradient(loss_name, values[-1], y, z)[0]
    if mistake is not None:
        grads = model_gradients(architecture, params, X, Y, (OLD_NAMES[mistake],))
        return None if grads is None else (total, grads)
    return total, model_gradients(architecture, params, X, Y)


def model_gradients(architecture: dict, params: dict, X, Y, variants=(), lr: float | None = None,
                    loss: str | None = None, stale_per_sample: bool = False):
    """The gradient of the loss summed over the batch, made with the given mistake variants
    (keys of ``VARIANTS``, none for the reference) and, with ``loss``, under another loss;
    None where a variant is impossible for these shapes or changes nothing.

    The backward pass goes layer by layer over the whole batch, so that "stale-weights"
    can use weights updated with this batch's gradient (``lr``), or with each sample's own
    (``stale_per_sample``, for code called one sample at a time)."""
    variants = set(variants)
    widths, activations = architecture["widths"], architecture["activations"]
    bias, loss_name = architecture["bias"], loss or architecture["loss"]
    X, Y = np.atleast_2d(np.asarray(X, float)), np.atleast_2d(np.asarray(Y, float))
    P = {k: np.asarray(v, float) for k, v in params.items()}
    L = len(widths) - 1
    forward_z = "preactivation-instead-of-activation:forward" in variants or \
        "preactivation-instead-of-activation:both" in variants
    if forward_z and L < 2:
        return None
    samples = []
    for x0, y in zip(X, Y):
        passed, outer, zs, jacobians, z = [x0], [x0], [], [], None
        for layer in range(1, L + 1):
            z = P[f"W{layer}"] @ passed[-1]
            if bias:
                z = z + P[f"b{layer}"]
            x, jacobian = _value_and_jacobian(activations[layer - 1], z)
            if "preactivation-instead-of-activation:slope" in variants and layer < L:
                rule = _slope_from_output(activations[layer - 1])
                if rule is None:
                    return None
                jacobian = np.diag(rule(z))
            zs.append(z)
            jacobians.append(jacobian)
            hidden = layer < L
            passed.append(z if forward_z and hidden else x)
            use_z = hidden and ("preactivation-instead-of-activation:both" in variants
                                or "preactivation-instead-of-activation:backward" in variants)
            outer.append(z if use_z else x)
        if "preactivation-instead-of-activation:forward" in variants:
            # the value actually reaching the output is computed from z; the backward pass
            # multiplies by f(z) in δ xᵀ and by f'(z) as it should
            outer = [x0] + [_value_and_jacobian(activations[i], zs[i])[0] for i in range(L - 1)] + [passed[-1]]
        assert z is not None  # an architecture has at least two widths, so the loop above ran
        _, gradient, through_output = _loss_and_gradient(loss_name, passed[-1], y, z)
        if "missing-factor-2" in variants:
            if loss_name not in ("mse", "mean-mse"):
                return None
            gradient = gradient / 2
        if through_output or "no-output-derivative" in variants:
            delta = gradient
        elif "activation-instead-of-derivative:output" in variants:
            delta = passed[-1] * gradient
        else:
            delta = jacobians[-1].T @ gradient
        samples.append({"outer": outer, "jacobians": jacobians, "delta": delta})
    grads = {k: np.zeros_like(v) for k, v in P.items()}
    current = dict(P)
    for layer in range(L, 0, -1):
        for s in samples:
            grads[f"W{layer}"] += np.outer(s["delta"], s["outer"][layer - 1])
            if bias:
                grads[f"b{layer}"] += s["delta"]
        if layer == 1:
            break
        if "stale-weights" in variants:
            if lr is None:
                return None
            if not stale_per_sample:
                current[f"W{layer}"] = P[f"W{layer}"] - lr * grads[f"W{layer}"]
        for s in samples:
            weights = current[f"W{layer}"]
            if "stale-weights" in variants and stale_per_sample:
                weights = P[f"W{layer}"] - lr * np.outer(s["delta"], s["outer"][layer - 1])
            s["delta"] = _inner_delta(P, weights, layer, s["delta"], s["jacobians"], s["outer"], bias, variants)
            if s["delta"] is None:
                return None
    return grads


def _inner_delta(params, W, layer, delta, jacobians, values, bias, variants):
    """δ^(layer) from δ^(layer+1): (∂x/∂z)ᵀ Wᵀ δ, or the mistake variants."""
    jacobian = jacobians[layer - 2]
    through = W.T @ delta
    if "weights-not-transposed" in variants:
        if W.shape[0] != W.shape[1]:
            return None
        through = W @ delta
    if bias and "bias-in-delta:row" in variants:
        augmented = np.hstack([W, params[f"b{layer}"][:, None]])
        through = (augmented.T @ delta)[1:]
    if bias and "bias-in-delta:above" in variants:
        above = params[f"b{layer}"]
        if above.shape[0] not in (1, through.shape[0]):
            return None
        through = through + above
    if bias and "bias-in-delta:sum" in variants:
        through = through + params[f"b{layer}"].sum()
    if bias and "bias-in-delta:product" in variants:
        through = through + params[f"b{layer}"] @ delta
    if bias and "bias-in-delta:own" in variants:
        through = through + params[f"b{layer - 1}"]
    if not bias and any(v.startswith("bias-in-delta") for v in variants):
        return None
    if "no-inner-derivative" in variants:
        return through
    if "derivative-of-layer-above" in variants:
        if jacobians[layer - 1].shape != jacobian.shape:
            return None
        jacobian = jacobians[layer - 1]
    elif "activation-instead-of-derivative" in variants:
        jacobian = np.diag(values[layer - 1])
    return jacobian.T @ through


def finite_difference_element(loss, params: dict, name: str, index, h: float = 1e-5) -> float:
    """The central difference (f(p+h) - f(p-h)) / 2h of ``loss(params)`` in one element."""
    shifted = {k: np.array(v, float) for k, v in params.items()}
    shifted[name][index] += h
    up = loss(shifted)
    shifted[name][index] -= 2 * h
    return (up - loss(shifted)) / (2 * h)
