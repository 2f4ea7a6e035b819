"""A square network (2-2-2): W and Wᵀ have one shape. `right_in_out` is right with weights
stored (n_in, n_out); `transposed_out_in` stores them (n_out, n_in) and returns every gradient
transposed, which must never pass as right under the other reading."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def right_in_out(X, Y, W1, W2):
    a2 = sigmoid(X @ W1)
    a3 = sigmoid(a2 @ W2)
    d3 = 2 * (a3 - Y) * a3 * (1 - a3)
    d2 = (d3 @ W2.T) * a2 * (1 - a2)
    return X.T @ d2, a2.T @ d3


def transposed_out_in(X, Y, W1, W2):
    a2 = sigmoid(X @ W1.T)
    a3 = sigmoid(a2 @ W2.T)
    d3 = 2 * (a3 - Y) * a3 * (1 - a3)
    d2 = (d3 @ W2) * a2 * (1 - a2)
    return X.T @ d2, a2.T @ d3
