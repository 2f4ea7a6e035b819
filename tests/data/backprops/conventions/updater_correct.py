"""Correct IN-PLACE UPDATER, "neural network in 11 lines" style.

Convention: Andrew Trask's "A Neural Network in 11 lines of Python" (iamtrask.github.io):
weights syn0 (n_in, n_hidden) and syn1 (n_hidden, n_out) stored TRANSPOSED, batch as rows, no
biases, error written ``y - l2`` and the step ADDED in place (``syn1 += ...``). Here with a
learning rate: ``train_step(x, y, syn0, syn1, lr)`` updates syn0 and syn1 in place and returns
only the error. Since the step is +lr (y - o) sigma'(z) ..., it descends the quadratic cost
1/2 sum (o - y)^2 (the tool's ``half-mse``): gradient = (before - after) / lr.
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
    l1_error = l2_delta.dot(syn1.T)
    l1_delta = l1_error * nonlin(l1, deriv=True)
    syn1 += lr * l1.T.dot(l2_delta)
    syn0 += lr * l0.T.dot(l1_delta)
    return float(np.abs(l2_error).mean())
