"""A plain hand-written NumPy backprop for relu-relu-softmax cross-entropy networks with
biases: the baseline the generated code must not be slower than. Written by hand, the way
a careful person writes it in a notebook; ``step_preallocated`` is the same with ``out=``
buffers."""
import numpy as np


def step(params, X, Y):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    z2 = X @ W1.T + b1
    a2 = np.maximum(z2, 0)
    z3 = a2 @ W2.T + b2
    a3 = np.maximum(z3, 0)
    z4 = a3 @ W3.T + b3
    top = z4.max(axis=1, keepdims=True)
    e = np.exp(z4 - top)
    total = e.sum(axis=1, keepdims=True)
    p = e / total
    loss = float(np.sum(Y * (top + np.log(total) - z4)))
    d4 = p - Y
    d3 = (d4 @ W3) * (z3 > 0)
    d2 = (d3 @ W2) * (z2 > 0)
    grads = {"W3": d4.T @ a3, "b3": d4.sum(0), "W2": d3.T @ a2, "b2": d3.sum(0),
             "W1": d2.T @ X, "b1": d2.sum(0)}
    return loss, grads


class Preallocated:
    """The same step writing into buffers allocated once per batch size."""

    def __init__(self, params, batch):
        dtype = params["W1"].dtype
        n2, n3, n4 = params["W1"].shape[0], params["W2"].shape[0], params["W3"].shape[0]
        self.z2, self.z3, self.z4 = (np.empty((batch, n), dtype) for n in (n2, n3, n4))
        self.a2, self.a3 = np.empty((batch, n2), dtype), np.empty((batch, n3), dtype)
        self.d2, self.d3 = np.empty((batch, n2), dtype), np.empty((batch, n3), dtype)
        self.grads = {k: np.empty_like(v) for k, v in params.items()}

    def step(self, params, X, Y):
        W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
        g = self.grads
        np.matmul(X, W1.T, out=self.z2)
        self.z2 += b1
        np.maximum(self.z2, 0, out=self.a2)
        np.matmul(self.a2, W2.T, out=self.z3)
        self.z3 += b2
        np.maximum(self.z3, 0, out=self.a3)
        np.matmul(self.a3, W3.T, out=self.z4)
        self.z4 += b3
        top = self.z4.max(axis=1, keepdims=True)
        e = np.exp(self.z4 - top)
        total = e.sum(axis=1, keepdims=True)
        loss = float(np.sum(Y * (top + np.log(total) - self.z4)))
        d4 = e / total - Y
        np.matmul(d4.T, self.a3, out=g["W3"])
        d4.sum(0, out=g["b3"])
        np.matmul(d4, W3, out=self.d3)
        self.d3 *= self.z3 > 0
        np.matmul(self.d3.T, self.a2, out=g["W2"])
        self.d3.sum(0, out=g["b2"])
        np.matmul(self.d3, W2, out=self.d2)
        self.d2 *= self.z2 > 0
        np.matmul(self.d2.T, X, out=g["W1"])
        self.d2.sum(0, out=g["b1"])
        return loss, g
