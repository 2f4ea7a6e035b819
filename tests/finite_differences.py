"""Central finite differences (fourth-order stencil), independent of any derivation."""
import numpy as np


def gradient(f, params, h=1e-3):
    """∂f/∂p for every element of every array in ``params`` (a dict), by
    (-f(p+2h) + 8 f(p+h) - 8 f(p-h) + f(p-2h)) / 12h, error O(h^4)."""
    result = {}
    for name, array in params.items():
        grad = np.zeros_like(array, dtype=float)
        for index in np.ndindex(array.shape):
            values = []
            for step in (2 * h, h, -h, -2 * h):
                shifted = {k: v.astype(float).copy() for k, v in params.items()}
                shifted[name][index] += step
                values.append(f(shifted))
            grad[index] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
        result[name] = grad
    return result
