"""Tutorial style, WEIGHTS NOT TRANSPOSED when the error goes back: grad_o.dot(w2) where
grad_o.dot(w2.T) belongs. It only runs because the network is square (3-3-3).

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
    grad_o = 2.0 * (o - y) * o * (1.0 - o)
    grad_w2 = h.T.dot(grad_o)
    grad_h = grad_o.dot(w2) * h * (1.0 - h)  # BUG: w2, not w2.T (square layer, so it runs)
    grad_w1 = x.T.dot(grad_h)
    return grad_w1, grad_w2
