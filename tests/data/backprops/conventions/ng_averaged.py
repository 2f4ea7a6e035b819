"""deeplearning.ai style exactly as the course writes it: gradients AVERAGED over the m examples
(dW = (1/m) dZ A_prev^T), i.e. of the cost J = -(1/m) sum(...). The tool's ``bce`` is SUMMED over
the batch, so every gradient here is 1/m times the declared one (a constant factor).

Convention: columns are examples, X (n_x, m), Y (n_y, m); ``parameters`` dict with W1 (n_h, n_x),
b1 (n_h, 1), W2, b2; returns {"dW1", "db1", "dW2", "db2"}; tanh hidden, sigmoid output, bce.
The function to check is ``compute_gradients(parameters, X, Y)``. Written for this corpus.
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    A2 = sigmoid(parameters["W2"] @ A1 + parameters["b2"])
    return A2, {"A1": A1, "A2": A2}


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = (1.0 / m) * dZ2 @ A1.T
    db2 = (1.0 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = (parameters["W2"].T @ dZ2) * (1.0 - np.power(A1, 2))
    dW1 = (1.0 / m) * dZ1 @ X.T
    db1 = (1.0 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def compute_gradients(parameters, X, Y):
    _, cache = forward_propagation(X, parameters)
    return backward_propagation(parameters, cache, X, Y)
