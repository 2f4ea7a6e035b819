"""Rows-with-row-biases style with a LOSS MISMATCH: sigmoid output, the loss declared is the
summed squared error (``mse``), but the output delta is written ``o - y`` with neither the factor
2 nor sigmoid'(z) -- these are exactly the binary cross-entropy gradients.

Convention: Britz / WildML "Neural Network from Scratch" layout: X (B, n_in) rows, W1 (n_in, n_hidden),
b1 (1, n_hidden), W2 (n_hidden, n_out), b2 (1, n_out); ``backprop(X, Y, W1, b1, W2, b2)`` returns
``(dW1, db1, dW2, db2)``. Sigmoid hidden and output. Written for this corpus; not copied.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backprop(X, Y, W1, b1, W2, b2):
    a1 = sigmoid(X.dot(W1) + b1)
    o = sigmoid(a1.dot(W2) + b2)
    delta3 = o - Y  # BUG: the loss is sum (o - y)^2, whose delta is 2 (o - y) o (1 - o)
    dW2 = a1.T.dot(delta3)
    db2 = np.sum(delta3, axis=0, keepdims=True)
    delta2 = delta3.dot(W2.T) * a1 * (1.0 - a1)
    dW1 = X.T.dot(delta2)
    db1 = np.sum(delta2, axis=0, keepdims=True)
    return dW1, db1, dW2, db2
