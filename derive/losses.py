"""The loss registry: each loss is one entry, and every consumer reads it.

An entry builds the per-sample loss from the output nodes ``x_i^{(L)}`` and the labels
``y_i`` (lists of SymPy symbols of equal length ``n``):

``mse``            Σ_i (x_i - y_i)^2          (the article default: a sum, no ½)
``half-mse``       ½ Σ_i (x_i - y_i)^2
``mean-mse``       (1/n) Σ_i (x_i - y_i)^2
``bce``            -Σ_i [y_i log x_i + (1 - y_i) log(1 - x_i)], sigmoid outputs
``cross-entropy``  -Σ_i y_i log x_i, softmax outputs, labels summing to 1

and, for the other consumers:

``output``            the output activation the loss requires (None: any);
``labels_sum_to_one`` the derivation may use Σ_i y_i = 1;
``value``             NumPy kernel ``_loss_NAME(x, z, y)``: the loss summed over a batch of
                      rows, from outputs x and their pre-activations z, without overflow;
                      quoted into emitted modules with ``helpers``;
``equation``          the per-sample loss in plain text, for comments;
``outer``             what the chain rule takes first on the expanded loss, for documents;
``check_labels``      ``_labels_KIND(Y, batch, n_out, dtype)``: Y as a (batch, n_out) array or a
                      ValueError that says what is wrong; quoted into emitted modules;
``sample``            ``(rng, shape) -> labels`` suited to the loss, for random checks;
``stable``            the per-sample loss as a SymPy expression in z (and ``lse``, log Σ e^z),
                      for the unrolled form; None: the plain definition is stable;
``reference``         ``(x, y, z) -> (loss, gradient, through_output)``: the hand-written
                      reference; ``through_output`` means the gradient is ∂L/∂z, not ∂L/∂x.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from derive.activations import Softplus
from derive.errors import lookup


@dataclass(frozen=True)
class Loss:
    name: str
    build: Callable[[Sequence[sp.Expr], Sequence[sp.Expr]], sp.Expr]
    description: str
    value: Callable
    equation: str
    check_labels: Callable
    sample: Callable
    reference: Callable
    output: str | None = None
    labels_sum_to_one: bool = False
    latex_name: str = "L"
    stable: Callable | None = None
    helpers: tuple[Callable, ...] = ()
    label_note: tuple[str, ...] = ()  # what the labels must be, for the emitted module's header
    outer: str = "the outer square"  # the chain rule's first step on the expanded loss


# --- kernels quoted into emitted modules ----------------------------------------------------

def _labels_any(Y, batch, n_out, dtype):
    """Y as a (batch, n_out) array of real targets."""
    Y = np.asarray(Y)
    if Y.ndim < 2 and batch == 1:
        Y = Y.reshape(1, -1)
    if Y.shape != (batch, n_out):
        raise ValueError(f"Y has shape {Y.shape}; expected ({batch}, {n_out}), one row of {n_out} targets per sample")
    return Y.astype(dtype, copy=False)


def _labels_probabilities(Y, batch, n_out, dtype):
    """Y as a (batch, n_out) array of targets in [0, 1]."""
    Y = _labels_any(Y, batch, n_out, dtype)
    if Y.size and (Y.min() < 0 or Y.max() > 1):
        raise ValueError("binary cross-entropy needs every entry of Y in [0, 1]")
    return Y


def _labels_distributions(Y, batch, n_out, dtype):
    """Y as (batch, n_out) rows that each sum to 1 (what the pattern δ = x - y needs);
    integer class labels, one per sample in 0 … n_out - 1, become one-hot rows."""
    Y = np.asarray(Y)
    if Y.dtype.kind in "iu" and Y.ndim <= 1 and Y.size == batch:
        classes = Y.reshape(batch)
        if classes.min() < 0 or classes.max() >= n_out:
            raise ValueError(f"class labels must lie in 0 … {n_out - 1}; got {classes.min()} … {classes.max()}")
        one_hot = np.zeros((batch, n_out), dtype)
        one_hot[np.arange(batch), classes] = 1
        return one_hot
    Y = _labels_any(Y, batch, n_out, dtype)
    errors = np.abs(Y.sum(axis=1) - 1.0)
    if errors.max() > (1e-3 if Y.dtype == np.float32 else 1e-6):
        row = int(errors.argmax())
        raise ValueError(f"cross-entropy needs each row of Y to sum to 1 (one-hot rows or distributions); "
                         f"row {row} sums to {Y[row].sum():.6g}; pass one-hot rows or integer class labels")
    return Y


def _log_normalizer(z, x):
    """log Σ_k e^z_k over each row, from z and x = softmax(z) without a second exp:
    the largest x is e^0 / Σ_k e^(z_k - max z), so log Σ_k e^z_k = max z - log(max x),
    and max x >= 1/n keeps the log finite."""
    return z.max(axis=1, keepdims=True) - np.log(x.max(axis=1, keepdims=True))


def _loss_mse(x, z, y):
    """Σ over the batch of Σ_i (x_i - y_i)^2."""
    return float(np.sum((x - y) ** 2))


def _loss_half_mse(x, z, y):
    """Σ over the batch of ½ Σ_i (x_i - y_i)^2."""
    return 0.5 * float(np.sum((x - y) ** 2))


def _loss_mean_mse(x, z, y):
    """Σ over the batch of (1/n) Σ_i (x_i - y_i)^2."""
    return float(np.sum((x - y) ** 2)) / x.shape[1]


def _loss_bce(x, z, y):
    """Σ over the batch of Σ_i log(1 + e^z_i) - y_i z_i, the binary cross-entropy of σ(z)."""
    return float(np.sum(np.logaddexp(0.0, z) - y * z))


def _loss_cross_entropy(x, z, y):
    """Σ over the batch of Σ_i y_i (log Σ_k e^z_k - z_i), the cross-entropy of softmax(z)."""
    return float(np.sum(y * (_log_normalizer(z, x) - z)))


# --- label samplers for random checks -------------------------------------------------------

def _normal_labels(rng, shape):
    return rng.normal(0, 1, shape)


def _unit_labels(rng, shape):
    return rng.uniform(0, 1, shape)


def _distribution_labels(rng, shape):
    return rng.dirichlet(np.ones(shape[-1]), size=shape[:-1] or None)


# --- references ----------------------------------------------------------------------------

def _squares(xs, ys):
    return sp.Add(*[(x - y) ** 2 for x, y in zip(xs, ys, strict=True)])


def _reference_cross_entropy(x, y, z):
    top = z.max()
    lse = top + np.log(np.exp(z - top).sum())
    return float((y * (lse - z)).sum()), x * y.sum() - y, True


LOSSES: dict[str, Loss] = {
    entry.name: entry
    for entry in [
        Loss("mse", _squares, "sum of squared errors, no 1/2", latex_name="MSE",
             value=_loss_mse, equation="L = Σ_i (x_i - y_i)^2",
             check_labels=_labels_any, sample=_normal_labels,
             reference=lambda x, y, z: (float(((x - y) ** 2).sum()), 2 * (x - y), False)),
        Loss("half-mse", lambda xs, ys: sp.Rational(1, 2) * _squares(xs, ys),
             "half the sum of squared errors", latex_name="MSE",
             value=_loss_half_mse, equation="L = ½ Σ_i (x_i - y_i)^2",
             check_labels=_labels_any, sample=_normal_labels,
             reference=lambda x, y, z: (float(0.5 * ((x - y) ** 2).sum()), x - y, False)),
        Loss("mean-mse", lambda xs, ys: sp.Rational(1, len(xs)) * _squares(xs, ys),
             "mean of squared errors over the outputs", latex_name="MSE",
             value=_loss_mean_mse, equation="L = (1/{n_out}) Σ_i (x_i - y_i)^2",
             check_labels=_labels_any, sample=_normal_labels,
             reference=lambda x, y, z: (float(((x - y) ** 2).mean()), 2 * (x - y) / len(x), False)),
        Loss("bce",
             lambda xs, ys: -sp.Add(*[y * sp.log(x) + (1 - y) * sp.log(1 - x) for x, y in zip(xs, ys, strict=True)]),
             "binary cross-entropy of sigmoid outputs", output="sigmoid",
             value=_loss_bce,
             equation="L = -Σ_i y_i log x_i + (1 - y_i) log(1 - x_i) = Σ_i log(1 + e^z_i) - y_i z_i",
             check_labels=_labels_probabilities, sample=_unit_labels, helpers=(_labels_any,),
             outer="the logarithms",
             label_note=("Labels: each entry of Y lies in [0, 1].",),
             stable=lambda zs, ys, lse: sp.Add(*[Softplus(z) - y * z for z, y in zip(zs, ys, strict=True)]),
             reference=lambda x, y, z: (float((np.logaddexp(0, z) - y * z).sum()), x - y, True)),
        Loss("cross-entropy", lambda xs, ys: -sp.Add(*[y * sp.log(x) for x, y in zip(xs, ys, strict=True)]),
             "categorical cross-entropy of softmax outputs (labels sum to 1)", output="softmax",
             labels_sum_to_one=True, outer="the logarithm",
             value=_loss_cross_entropy, equation="L = -Σ_i y_i log x_i = Σ_i y_i (log Σ_k e^z_k - z_i)",
             check_labels=_labels_distributions, sample=_distribution_labels,
             stable=lambda zs, ys, lse: sp.Add(*[y * (lse - z) for z, y in zip(zs, ys, strict=True)]),
             reference=_reference_cross_entropy, helpers=(_log_normalizer, _labels_any),
             label_note=("Labels: each row of Y sums to 1 (one-hot or a distribution); the pattern's",
                         "δ^(L) = x^(L) - y uses that.")),
    ]
}


def loss(name: str) -> Loss:
    """The table entry for ``name``; an unknown name is a one-line error."""
    return lookup(LOSSES, name, "loss")
