"""One sample per call as 1-D vectors, weights and biases passed as lists (n_out, n_in) and
(n,), returned as (nabla_b, nabla_w); tanh layers, sum of squared errors."""
import numpy as np


def backprop(x, y, weights, biases):
    values, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(w @ values[-1] + b)
        values.append(np.tanh(zs[-1]))
    delta = 2 * (values[-1] - y) * (1 - values[-1] ** 2)
    nabla_b, nabla_w = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        nabla_b[layer], nabla_w[layer] = delta, np.outer(delta, values[layer])
        if layer:
            delta = (weights[layer].T @ delta) * (1 - values[layer] ** 2)
    return nabla_b, nabla_w


def backprop_two_mistakes(x, y, weights, biases):
    """No output derivative and the factor 2 missing."""
    values, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(w @ values[-1] + b)
        values.append(np.tanh(zs[-1]))
    delta = values[-1] - y
    nabla_b, nabla_w = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        nabla_b[layer], nabla_w[layer] = delta, np.outer(delta, values[layer])
        if layer:
            delta = (weights[layer].T @ delta) * (1 - values[layer] ** 2)
    return nabla_b, nabla_w
