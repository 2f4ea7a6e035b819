"""Correct IN-PLACE UPDATER in the "math layout" with 1-D biases.

Convention: the common from-scratch SGD step ``W -= lr * dW`` (e.g. the CS231n assignment
two-layer net's update loop, or most "MLP from scratch" posts), with W1 (n_hidden, n_in) as in the
equations (row = destination unit), biases as 1-D vectors (n,), batch as rows.
``train_step(X, Y, W1, b1, W2, b2, lr)`` updates all four arrays in place and returns the loss.
relu hidden, sigmoid output, binary cross-entropy summed over the batch (``bce``).
Written for this corpus; not copied.
"""
import numpy as np


def train_step(X, Y, W1, b1, W2, b2, lr):
    Z1 = X @ W1.T + b1
    A1 = np.maximum(Z1, 0.0)
    Z2 = A1 @ W2.T + b2
    P = 1.0 / (1.0 + np.exp(-Z2))
    loss = -np.sum(Y * np.log(P) + (1.0 - Y) * np.log(1.0 - P))
    dZ2 = P - Y
    dW2 = dZ2.T @ A1
    db2 = dZ2.sum(axis=0)
    dZ1 = (dZ2 @ W2) * (Z1 > 0)
    dW1 = dZ1.T @ X
    db1 = dZ1.sum(axis=0)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    return loss
