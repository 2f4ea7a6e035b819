"""Correct backprop, PyTorch-tutorial NumPy warm-up style (relu hidden, linear output).

Convention: "Learning PyTorch with Examples" (Justin Johnson), the pure-NumPy two-layer net:
``h = x.dot(w1)``, ``h_relu = np.maximum(h, 0)``, ``y_pred = h_relu.dot(w2)``, loss
``np.square(y_pred - y).sum()`` (the tool's ``mse``), gradients with ``grad_y_pred = 2 (y_pred - y)``.
Weights stored TRANSPOSED (w1: (n_in, n_hidden)), batch as rows, no biases, positional
arguments, returns ``(grad_w1, grad_w2)``. Written for this corpus; not copied.
"""
import numpy as np


def backward(x, y, w1, w2):
    h = x.dot(w1)
    h_relu = np.maximum(h, 0.0)
    y_pred = h_relu.dot(w2)
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.T.dot(grad_y_pred)
    grad_h = grad_y_pred.dot(w2.T)
    grad_h = np.where(h > 0.0, grad_h, 0.0)
    grad_w1 = x.T.dot(grad_h)
    return grad_w1, grad_w2
