"""deeplearning.ai style with NO INNER DERIVATIVE: dZ1 = W2^T dZ2, the (1 - A1^2) of tanh is missing.

Convention: COLUMNS ARE EXAMPLES. X has shape (n_x, m), Y has shape (n_y, m); ``parameters`` is a
dict {"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}; ``forward_propagation``
returns (A2, cache) and ``backward_propagation`` returns a dict {"dW1", "db1", "dW2", "db2"}.
tanh hidden layer, sigmoid output, binary cross-entropy. Unlike the course (which divides by m),
this version uses the cost SUMMED over the m examples, so it matches the tool's ``bce``.
The function to check is ``compute_gradients(parameters, X, Y)``. Written for this corpus.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def backward_propagation(parameters, cache, X, Y):
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = parameters["W2"].T @ dZ2  # BUG: missing * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def compute_gradients(parameters, X, Y):
    _, cache = forward_propagation(X, parameters)
    return backward_propagation(parameters, cache, X, Y)
