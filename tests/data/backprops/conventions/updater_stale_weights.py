"""In-place updater ("neural network in 11 lines" style) with STALE WEIGHTS: syn1 is updated
BEFORE the hidden error is propagated through it, so the hidden-layer step uses the new syn1.
The error in syn0's step is proportional to the learning rate.

Convention: Andrew Trask's "A Neural Network in 11 lines of Python": syn0 (n_in, n_hidden),
syn1 (n_hidden, n_out), TRANSPOSED storage, batch as rows, no biases, error ``y - l2``, step added
in place; ``train_step(x, y, syn0, syn1, lr)`` returns only the error. Loss ``half-mse``.
Written for this corpus; not copied.
"""
import numpy as np


def nonlin(x, deriv=False):
    if deriv:
        return x * (1.0 - x)
    return 1.0 / (1.0 + np.exp(-x))


def train_step(x, y, syn0, syn1, lr):
    l0 = x
    l1 = nonlin(l0.dot(syn0))
    l2 = nonlin(l1.dot(syn1))
    l2_error = y - l2
    l2_delta = l2_error * nonlin(l2, deriv=True)
    syn1 += lr * l1.T.dot(l2_delta)          # BUG: updated before it is used below
    l1_error = l2_delta.dot(syn1.T)
    l1_delta = l1_error * nonlin(l1, deriv=True)
    syn0 += lr * l0.T.dot(l1_delta)
    return float(np.abs(l2_error).mean())
