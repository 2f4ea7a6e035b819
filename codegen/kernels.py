"""How each activation and loss is spelled in emitted NumPy code: one entry each.

``ACTIVATION_KERNELS[name]`` gives helper functions for the ``matrix`` form that
write into a preallocated ``out`` array (``forward(z, out)``, ``derivative(x, z, out)``,
the derivative from the node's value x by the rewrite rule of derive.activations)
and the scalar/array helpers of the ``unrolled`` form. ``LOSS_KERNELS[name]`` gives
the numerically stable loss of a batch from the output values ``x`` and, where
logs would overflow, the pre-activations ``z``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActivationKernel:
    forward: str  # source of def _{name}(z, out)
    derivative: str | None  # source of def _{name}_prime(x, z, out); None: the derivative is 1
    rule: str  # the rewrite rule, for comments
    needs_z: bool = False  # derivative reads z (keep z apart from x)


ACTIVATION_KERNELS = {
    "sigmoid": ActivationKernel(
        forward='''def _sigmoid(z, out):
    """σ(z) = 1 / (1 + e^-z), computed as (1 + tanh(z/2)) / 2, which cannot overflow."""
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out''',
        derivative='''def _sigmoid_prime(x, z, out):
    """σ'(z) = σ(z) (1 - σ(z)), from the node's value x = σ(z)."""
    np.subtract(1.0, x, out=out)
    out *= x
    return out''',
        rule="x' = x (1 - x)",
    ),
    "tanh": ActivationKernel(
        forward='''def _tanh(z, out):
    """tanh(z)."""
    return np.tanh(z, out=out)''',
        derivative='''def _tanh_prime(x, z, out):
    """tanh'(z) = 1 - tanh(z)^2, from the node's value x = tanh(z)."""
    np.multiply(x, x, out=out)
    np.subtract(1.0, out, out=out)
    return out''',
        rule="x' = 1 - x^2",
    ),
    "relu": ActivationKernel(
        forward='''def _relu(z, out):
    """relu(z) = max(z, 0)."""
    return np.maximum(z, 0.0, out=out)''',
        derivative='''def _relu_prime(x, z, out):
    """relu'(z) = 1 where z > 0, else 0."""
    np.greater(z, 0.0, out=out)
    return out''',
        rule="x' = [z > 0]",
        needs_z=True,
    ),
    "leaky_relu": ActivationKernel(
        forward='''def _leaky_relu(z, out):
    """leaky_relu(z) = z where z > 0, else 0.01 z."""
    np.multiply(z, 0.01, out=out)
    np.maximum(z, out, out=out)
    return out''',
        derivative='''def _leaky_relu_prime(x, z, out):
    """leaky_relu'(z) = 1 where z > 0, else 0.01."""
    np.greater(z, 0.0, out=out)
    out *= 0.99
    out += 0.01
    return out''',
        rule="x' = 0.01 + 0.99 [z > 0]",
        needs_z=True,
    ),
    "softplus": ActivationKernel(
        forward='''def _softplus(z, out):
    """softplus(z) = log(1 + e^z), computed without overflow."""
    return np.logaddexp(z, 0.0, out=out)''',
        derivative='''def _softplus_prime(x, z, out):
    """softplus'(z) = σ(z) = 1 - e^-x, from the node's value x = softplus(z) >= 0."""
    np.negative(x, out=out)
    np.exp(out, out=out)
    np.subtract(1.0, out, out=out)
    return out''',
        rule="x' = 1 - e^(-x)",
    ),
    "identity": ActivationKernel(forward="", derivative=None, rule="x' = 1"),
    "softmax": ActivationKernel(
        forward='''def _softmax(z, out):
    """softmax over each row: e^(z_i - max z) / Σ_k e^(z_k - max z), which cannot overflow."""
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out''',
        derivative=None,
        rule="",
    ),
}


@dataclass(frozen=True)
class LossKernel:
    value: str  # the batch's summed loss; {x} outputs, {z} their inputs, y labels, {n_out}
    equation: str  # the per-sample loss, for comments
    needs_z: bool = False


LOSS_KERNELS = {
    "mse": LossKernel("float(np.sum(({x} - y) ** 2))", "L = Σ_i (x_i - y_i)^2"),
    "half-mse": LossKernel("0.5 * float(np.sum(({x} - y) ** 2))", "L = ½ Σ_i (x_i - y_i)^2"),
    "mean-mse": LossKernel("float(np.sum(({x} - y) ** 2)) / {n_out}", "L = (1/{n_out}) Σ_i (x_i - y_i)^2"),
    "bce": LossKernel(
        "float(np.sum(np.logaddexp(0.0, {z}) - y * {z}))",
        "L = -Σ_i y_i log x_i + (1 - y_i) log(1 - x_i) = Σ_i log(1 + e^z_i) - y_i z_i",
        needs_z=True,
    ),
    "cross-entropy": LossKernel(
        "float(np.sum(y * (_log_normalizer({z}, {x}) - {z})))",
        "L = -Σ_i y_i log x_i = Σ_i y_i (log Σ_k e^z_k - z_i)",
        needs_z=True,
    ),
}

LOG_NORMALIZER = '''def _log_normalizer(z, x):
    """log Σ_k e^z_k over each row, from z and x = softmax(z) without a second exp:
    the largest x is e^0 / Σ_k e^(z_k - max z), so log Σ_k e^z_k = max z - log(max x),
    and max x >= 1/n keeps the log finite."""
    return z.max(axis=1, keepdims=True) - np.log(x.max(axis=1, keepdims=True))'''


GRADIENT = '''def _gradient(delta, x, out):
    """Σ over the batch of δ xᵀ; for one sample that is an outer product, which NumPy
    computes faster as a broadcast multiply than as a matrix product."""
    if delta.shape[0] == 1:
        return np.multiply(delta.T, x, out=out)
    return np.matmul(delta.T, x, out=out)'''
