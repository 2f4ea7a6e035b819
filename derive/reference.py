"""A reference backprop, written by hand one sample at a time with explicit Jacobians.

``derive build`` checks the generated modules against it (and against finite differences);
it shares no code with the derivation or the code generator (each registry entry's
``reference`` is written apart from its kernels): for each sample it runs the
layers forward, then multiplies the loss gradient by each layer's Jacobian on the way
back, (∂x/∂z)ᵀ then Wᵀ, and accumulates δ xᵀ.
"""
from __future__ import annotations

import numpy as np

from derive.activations import activation
from derive.errors import DeriveError
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


def loss_and_gradients(architecture: dict, params: dict, X, Y, mistake: str | None = None):
    """The summed loss over the batch and its gradient, sample by sample.

    ``mistake`` (a key of ``MISTAKES``) makes the same computation with one classic error,
    for recognizing it in someone's code; without it this is the reference."""
    widths, activations = architecture["widths"], architecture["activations"]
    bias, loss_name = architecture["bias"], architecture["loss"]
    X, Y = np.atleast_2d(np.asarray(X, float)), np.atleast_2d(np.asarray(Y, float))
    grads = {k: np.zeros_like(np.asarray(v, float)) for k, v in params.items()}
    total = 0.0
    for x0, y in zip(X, Y):
        values, jacobians, z = [x0], [], None
        for layer in range(1, len(widths)):
            z = np.asarray(params[f"W{layer}"], float) @ values[-1]
            if bias:
                z = z + np.asarray(params[f"b{layer}"], float)
            x, jacobian = _value_and_jacobian(activations[layer - 1], z)
            values.append(x)
            jacobians.append(jacobian)
        if z is None:
            raise DeriveError("the network needs at least an input and an output layer")
        value, gradient, through_output = _loss_and_gradient(loss_name, values[-1], y, z)
        total += value
        if mistake == "missing factor 2" and loss_name in ("mse", "mean-mse"):
            gradient = gradient / 2
        delta = gradient if through_output or mistake == "no output derivative" else jacobians[-1].T @ gradient
        for layer in range(len(widths) - 1, 0, -1):
            if delta is None:  # the mistake is impossible for these shapes
                return None
            grads[f"W{layer}"] += np.outer(delta, values[layer - 1])
            if bias:
                grads[f"b{layer}"] += delta
            if layer > 1:
                delta = _inner_delta(params, layer, delta, jacobians, values, bias, mistake)
    return total, grads


def _inner_delta(params, layer, delta, jacobians, values, bias, mistake):
    """δ^(layer) from δ^(layer+1): (∂x/∂z)ᵀ Wᵀ δ, or one of the classic mistakes."""
    W = np.asarray(params[f"W{layer}"], float)
    jacobian = jacobians[layer - 2]
    through = W.T @ delta
    if mistake == "weights not transposed":
        if W.shape[0] != W.shape[1]:
            return None
        through = W @ delta
    elif mistake == "bias row in delta" and bias:
        augmented = np.hstack([W, np.asarray(params[f"b{layer}"], float)[:, None]])
        through = (augmented.T @ delta)[1:]
    if mistake == "no inner derivative":
        return through
    if mistake == "derivative of the layer above":
        if jacobians[layer - 1].shape != jacobian.shape:
            return None
        jacobian = jacobians[layer - 1]
    elif mistake == "activation instead of derivative":
        jacobian = np.diag(values[layer - 1])
    return jacobian.T @ through


def finite_difference_element(loss, params: dict, name: str, index, h: float = 1e-5) -> float:
    """The central difference (f(p+h) - f(p-h)) / 2h of ``loss(params)`` in one element."""
    shifted = {k: np.array(v, float) for k, v in params.items()}
    shifted[name][index] += h
    up = loss(shifted)
    shifted[name][index] -= 2 * h
    return (up - loss(shifted)) / (2 * h)
