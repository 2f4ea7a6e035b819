"""A batch in rows with (1, n) bias rows and weights (n_out, n_in), gradients returned as a tuple
(dW1, db1, dW2, db2) and averaged over the batch (a mean loss). Sigmoid, squared errors."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backprop(X, Y, W1, b1, W2, b2):
    m = X.shape[0]
    a2 = sigmoid(X @ W1.T + b1)
    a3 = sigmoid(a2 @ W2.T + b2)
    d3 = 2 * (a3 - Y) * a3 * (1 - a3) / m
    d2 = (d3 @ W2) * a2 * (1 - a2)
    return d2.T @ X, d2.sum(axis=0, keepdims=True), d3.T @ a2, d3.sum(axis=0, keepdims=True)
