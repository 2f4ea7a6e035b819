"""Correct backprop with the BIAS AS AN EXTRA WEIGHT COLUMN (the "bias trick", appended last).

Convention: CS231n "Linear classification" notes' bias trick carried to a two-layer net, as in
many from-scratch MLPs: every layer's input gets a constant 1 appended, and the weight matrix
W (n_out, n_in + 1) holds the bias in its LAST column. Batch as rows: X (B, n_in), Y (B, n_out).
Signature ``grads(W1, W2, X, Y)``, returns ``(dW1, dW2)`` in the augmented shapes.
tanh hidden, linear output, loss = per sample mean over outputs of (o - y)^2, summed over the
batch (the tool's ``mean-mse``). Written for this corpus; not copied.
"""
import numpy as np


def with_ones(A):
    return np.hstack([A, np.ones((A.shape[0], 1))])


def grads(W1, W2, X, Y):
    n_out = W2.shape[0]
    X1 = with_ones(X)
    H = np.tanh(X1 @ W1.T)
    H1 = with_ones(H)
    O = H1 @ W2.T
    dO = (2.0 / n_out) * (O - Y)
    dW2 = dO.T @ H1
    back = dO @ W2                      # (B, n_hidden + 1)
    dH = back[:, :-1] * (1.0 - H ** 2)  # drop the bias column
    dW1 = dH.T @ X1
    return dW1, dW2
