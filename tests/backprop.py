"""A hand-written NumPy backprop: the independent reference for every gradient test.

Written by hand from the textbook equations, sharing no code with ``derive``:
forward z = x W^T + b, x = f(z); backward δ^(L) from the loss, δ^(l) = (δ^(l+1) W) ⊙ f'(z),
∇W = δ^T x_prev, ∇b = Σ δ. Works on a batch X of shape (B, n_in); the loss is the sum
over the batch of the per-sample loss.
"""
import math

import numpy as np


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _gelu(z):
    cdf = 0.5 * (1.0 + np.vectorize(math.erf)(z / math.sqrt(2.0)))
    return z * cdf


def _gelu_prime(z):
    cdf = 0.5 * (1.0 + np.vectorize(math.erf)(z / math.sqrt(2.0)))
    return cdf + z * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)


ACTIVATION = {
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "relu": (lambda z: np.where(z > 0, z, 0.0), lambda z: np.where(z > 0, 1.0, 0.0)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    "softplus": (_softplus, _sigmoid),
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "gelu": (_gelu, _gelu_prime),
    "silu": (lambda z: z * _sigmoid(z), lambda z: _sigmoid(z) + z * _sigmoid(z) * (1 - _sigmoid(z))),
}


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(params, X, widths, activations, bias):
    """Pre-activations and node values of every layer (index 0 is the input)."""
    xs, zs = [X], [None]
    for layer in range(1, len(widths)):
        z = xs[-1] @ params[f"W{layer}"].T
        if bias:
            z = z + params[f"b{layer}"]
        name = activations[layer - 1]
        x = softmax(z) if name == "softmax" else ACTIVATION[name][0](z)
        zs.append(z)
        xs.append(x)
    return zs, xs


def loss(params, X, Y, widths, activations, loss_name, bias):
    _zs, xs = forward(params, X, widths, activations, bias)
    out = xs[-1]
    if loss_name == "mse":
        per = ((out - Y) ** 2).sum(axis=1)
    elif loss_name == "half-mse":
        per = 0.5 * ((out - Y) ** 2).sum(axis=1)
    elif loss_name == "mean-mse":
        per = ((out - Y) ** 2).mean(axis=1)
    elif loss_name == "bce":
        per = -(Y * np.log(out) + (1 - Y) * np.log(1 - out)).sum(axis=1)
    elif loss_name == "cross-entropy":
        per = -(Y * np.log(out)).sum(axis=1)
    else:
        raise ValueError(loss_name)
    return float(per.sum())


def gradients(params, X, Y, widths, activations, loss_name, bias):
    zs, xs = forward(params, X, widths, activations, bias)
    out, z_out = xs[-1], zs[-1]
    n_out = widths[-1]
    # dL/dx of the output layer, per sample
    if loss_name == "mse":
        dx = 2 * (out - Y)
    elif loss_name == "half-mse":
        dx = out - Y
    elif loss_name == "mean-mse":
        dx = 2 * (out - Y) / n_out
    elif loss_name == "bce":
        dx = None  # handled with the sigmoid below
    else:
        dx = None  # cross-entropy, handled with the softmax below
    last = activations[-1]
    if loss_name == "bce":  # d/dz of -[y log σ + (1-y) log(1-σ)] = σ - y
        delta = out - Y
    elif loss_name == "cross-entropy":  # d/dz of -Σ y log softmax(z) = softmax(z) Σy - y
        delta = out * Y.sum(axis=1, keepdims=True) - Y
    elif last == "softmax":  # Jacobian of softmax is diag(s) - s s^T
        delta = out * (dx - (dx * out).sum(axis=1, keepdims=True))
    else:
        delta = dx * ACTIVATION[last][1](z_out)
    grads = {}
    for layer in range(len(widths) - 1, 0, -1):
        grads[f"W{layer}"] = delta.T @ xs[layer - 1]
        if bias:
            grads[f"b{layer}"] = delta.sum(axis=0)
        if layer > 1:
            delta = (delta @ params[f"W{layer}"]) * ACTIVATION[activations[layer - 2]][1](zs[layer - 1])
    return grads
