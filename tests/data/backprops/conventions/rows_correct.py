"""Correct backprop, "Implementing a Neural Network from Scratch" (Denny Britz, WildML) style.

Convention: batch as ROWS, X (B, n_in), Y (B, n_out); weights stored for right-multiplication,
W1 (n_in, n_hidden), W2 (n_hidden, n_out), biases as ROW vectors b1 (1, n_hidden), b2 (1, n_out);
``z1 = X.dot(W1) + b1``; positional signature ``backprop(X, Y, W1, b1, W2, b2)`` returning the
tuple ``(dW1, db1, dW2, db2)`` (db as (1, n) rows, keepdims). tanh hidden, softmax output,
categorical cross-entropy summed over the batch; labels as probability rows (the blog indexes
integer labels instead: ``delta3[range(n), y] -= 1``). Written for this corpus; not copied.
"""
import numpy as np


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def backprop(X, Y, W1, b1, W2, b2):
    z1 = X.dot(W1) + b1
    a1 = np.tanh(z1)
    z2 = a1.dot(W2) + b2
    probs = softmax_rows(z2)
    delta3 = probs - Y
    dW2 = a1.T.dot(delta3)
    db2 = np.sum(delta3, axis=0, keepdims=True)
    delta2 = delta3.dot(W2.T) * (1.0 - np.power(a1, 2))
    dW1 = X.T.dot(delta2)
    db1 = np.sum(delta2, axis=0, keepdims=True)
    return dW1, db1, dW2, db2
