"""Biases kept as the last column of each weight matrix, the input augmented with ones (a
common from-scratch repository style); a batch in rows, weights passed positionally,
gradients returned as a list. Sigmoid, sum of squared errors. Written for this corpus."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def with_ones(a):
    return np.hstack([a, np.ones((a.shape[0], 1))])


def gradients(X, Y, W1, W2):
    a1 = with_ones(X)
    a2 = sigmoid(a1 @ W1.T)
    a2b = with_ones(a2)
    a3 = sigmoid(a2b @ W2.T)
    d3 = 2 * (a3 - Y) * a3 * (1 - a3)
    d2 = (d3 @ W2[:, :-1]) * a2 * (1 - a2)
    return [d2.T @ a1, d3.T @ a2b]


def gradients_no_inner_derivative(X, Y, W1, W2):
    a1 = with_ones(X)
    a2 = sigmoid(a1 @ W1.T)
    a2b = with_ones(a2)
    a3 = sigmoid(a2b @ W2.T)
    d3 = 2 * (a3 - Y) * a3 * (1 - a3)
    d2 = d3 @ W2[:, :-1]
    return [d2.T @ a1, d3.T @ a2b]
