"""A course's layered style (the convention of Ng's deep-learning assignments): parameters dict
W1 (n_out, n_in), b1 (n, 1), X with one example per column, grads dict dW1, db1. Sigmoid
layers; the sum of squared errors. Written for this corpus, not copied."""
import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def backward(parameters, X, Y):
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    A1 = sigmoid(W1 @ X + b1)
    A2 = sigmoid(W2 @ A1 + b2)
    dZ2 = 2 * (A2 - Y) * A2 * (1 - A2)
    dZ1 = (W2.T @ dZ2) * A1 * (1 - A1)
    return {"dW1": dZ1 @ X.T, "db1": dZ1.sum(axis=1, keepdims=True),
            "dW2": dZ2 @ A1.T, "db2": dZ2.sum(axis=1, keepdims=True)}


def backward_bce_delta(parameters, X, Y):
    """dZ2 = A2 - Y: the cross-entropy output delta, under a squared-error loss."""
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    A1 = sigmoid(W1 @ X + b1)
    A2 = sigmoid(W2 @ A1 + b2)
    dZ2 = A2 - Y
    dZ1 = (W2.T @ dZ2) * A1 * (1 - A1)
    return {"dW1": dZ1 @ X.T, "db1": dZ1.sum(axis=1, keepdims=True),
            "dW2": dZ2 @ A1.T, "db2": dZ2.sum(axis=1, keepdims=True)}
