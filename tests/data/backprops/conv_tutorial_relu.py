"""A tutorial's two-layer network in NumPy (the convention of the "learning PyTorch with
examples" warm-up): a batch in rows, weights passed positionally and stored (n_in, n_out) so
the forward pass is x.dot(w1), no biases, gradients returned as a tuple. Sigmoid output, sum of
squared errors. Written for this corpus, not copied."""
import numpy as np


def step(x, y, w1, w2):
    h = x.dot(w1)
    h_relu = np.maximum(h, 0)
    y_pred = 1 / (1 + np.exp(-h_relu.dot(w2)))
    grad_z = 2.0 * (y_pred - y) * y_pred * (1 - y_pred)
    grad_w2 = h_relu.T.dot(grad_z)
    grad_h = grad_z.dot(w2.T)
    grad_h[h < 0] = 0
    grad_w1 = x.T.dot(grad_h)
    return grad_w1, grad_w2


def step_preactivation(x, y, w1, w2):
    """The forward pass feeds h on where relu(h) belongs."""
    h = x.dot(w1)
    h_relu = np.maximum(h, 0)
    y_pred = 1 / (1 + np.exp(-h.dot(w2)))
    grad_z = 2.0 * (y_pred - y) * y_pred * (1 - y_pred)
    grad_w2 = h_relu.T.dot(grad_z)
    grad_h = grad_z.dot(w2.T)
    grad_h[h < 0] = 0
    grad_w1 = x.T.dot(grad_h)
    return grad_w1, grad_w2


def step_descent(x, y, w1, w2, learning_rate):
    """Returns the descent increments -lr·∇ instead of the gradients."""
    g1, g2 = step(x, y, w1, w2)
    return -learning_rate * g1, -learning_rate * g2
