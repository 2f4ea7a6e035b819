"""An in-place training step (a from-scratch blog style): a batch in rows, weights (n_in, n_out)
and biases (1, n) passed positionally, updated with w -= lr * grad, nothing returned. Tanh
hidden layer, sigmoid output, sum of squared errors. Written for this corpus."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def train_step(X, Y, w1, b1, w2, b2, lr):
    h = np.tanh(X @ w1 + b1)
    o = sigmoid(h @ w2 + b2)
    d_o = 2 * (o - Y) * o * (1 - o)
    d_h = (d_o @ w2.T) * (1 - h ** 2)
    w2 -= lr * h.T @ d_o
    b2 -= lr * d_o.sum(axis=0, keepdims=True)
    w1 -= lr * X.T @ d_h
    b1 -= lr * d_h.sum(axis=0, keepdims=True)


def train_step_stale(X, Y, w1, b1, w2, b2, lr):
    """Updates w2 before using it for the hidden delta."""
    h = np.tanh(X @ w1 + b1)
    o = sigmoid(h @ w2 + b2)
    d_o = 2 * (o - Y) * o * (1 - o)
    w2 -= lr * h.T @ d_o
    b2 -= lr * d_o.sum(axis=0, keepdims=True)
    d_h = (d_o @ w2.T) * (1 - h ** 2)
    w1 -= lr * X.T @ d_h
    b1 -= lr * d_h.sum(axis=0, keepdims=True)
