"""The gradient of -L: y - x instead of x - y."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def gradients(params, X, Y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    a2 = sigmoid(X @ W1.T + b1)
    a3 = sigmoid(a2 @ W2.T + b2)
    d3 = 2 * (Y - a3) * a3 * (1 - a3)
    d2 = (d3 @ W2) * a2 * (1 - a2)
    return {"W1": d2.T @ X, "b1": d2.sum(0), "W2": d3.T @ a2, "b2": d3.sum(0)}
