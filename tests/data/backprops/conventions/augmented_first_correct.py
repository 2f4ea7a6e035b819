"""Correct backprop with the BIAS AS AN EXTRA WEIGHT COLUMN placed FIRST.

Convention: Sebastian Raschka's "Python Machine Learning" (1st ed., ch. 12) NeuralNetMLP style:
a helper adds a bias unit as the FIRST column of ones, w1 has shape (n_hidden, n_features + 1) and
w2 (n_output, n_hidden + 1); the delta of the hidden layer drops row 0 (the bias unit) before the
gradient. Batch as rows here: X (B, n_features), Y (B, n_output) (the book keeps one-hot labels
transposed; this version does not). Signature ``get_gradient(X, Y, w1, w2)``, returns
``(grad1, grad2)``. Sigmoid hidden and output, logistic cost summed over the batch (``bce``).
Written for this corpus; not copied.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def add_bias_unit(A):
    return np.hstack([np.ones((A.shape[0], 1)), A])


def get_gradient(X, Y, w1, w2):
    a1 = add_bias_unit(X)               # (B, n_in + 1)
    z2 = w1.dot(a1.T)                   # (n_hidden, B)
    a2 = add_bias_unit(sigmoid(z2).T)   # (B, n_hidden + 1)
    z3 = w2.dot(a2.T)                   # (n_out, B)
    a3 = sigmoid(z3)
    sigma3 = a3 - Y.T
    sigma2 = w2.T.dot(sigma3)[1:, :] * sigmoid_gradient(z2)
    grad1 = sigma2.dot(a1)
    grad2 = sigma3.dot(a2)
    return grad1, grad2
