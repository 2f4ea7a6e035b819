"""Tutorial style with TWO mistakes: the factor 2 of d(o - y)^2 is missing, and the hidden
layer multiplies by the activation h where its derivative h (1 - h) belongs.

Convention: the NumPy warm-up of the PyTorch tutorials ("Learning PyTorch with Examples",
Justin Johnson) and the many blog posts derived from it: weights passed positionally and
stored TRANSPOSED for right-multiplication, ``h = x.dot(w1)`` with w1 of shape (n_in, n_hidden);
a batch of samples as ROWS of x (B, n_in) and y (B, n_out); no biases; returns the tuple
``(grad_w1, grad_w2)`` in that same transposed layout.
Here: sigmoid hidden and output, loss = sum over batch and outputs of (o - y)^2 (the tool's
``mse``: gradient 2 (o - y)). Written for this corpus; not copied.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backward(x, y, w1, w2):
    h = sigmoid(x.dot(w1))
    o = sigmoid(h.dot(w2))
    grad_o = (o - y) * o * (1.0 - o)  # BUG 1: factor 2 missing
    grad_w2 = h.T.dot(grad_o)
    grad_h = grad_o.dot(w2.T) * h  # BUG 2: sigma(z), not sigma'(z)
    grad_w1 = x.T.dot(grad_h)
    return grad_w1, grad_w2
