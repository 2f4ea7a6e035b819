"""Rows-with-row-biases style that returns the DESCENT STEP instead of the gradient: each returned
array is ``-epsilon * gradient`` (what the training loop adds with ``W1 += dW1``), with the
learning rate ``epsilon = 0.01`` a module constant as in the blog.

Convention: Britz / WildML "Neural Network from Scratch": X (B, n_in) rows, W1 (n_in, n_hidden),
b1 (1, n_hidden), W2 (n_hidden, n_out), b2 (1, n_out); ``backprop(X, Y, W1, b1, W2, b2)`` returns
``(dW1, db1, dW2, db2)``; tanh hidden, softmax output, cross-entropy summed over the batch.
Written for this corpus; not copied.
"""
import numpy as np

epsilon = 0.01  # learning rate for gradient descent


def backprop(X, Y, W1, b1, W2, b2):
    a1 = np.tanh(X.dot(W1) + b1)
    z2 = a1.dot(W2) + b2
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    delta3 = probs - Y
    delta2 = delta3.dot(W2.T) * (1.0 - a1 ** 2)
    # BUG: returns the update to add, not the gradient
    return (-epsilon * X.T.dot(delta2), -epsilon * delta2.sum(axis=0, keepdims=True),
            -epsilon * a1.T.dot(delta3), -epsilon * delta3.sum(axis=0, keepdims=True))
