"""The loss table: every loss the engine knows, in one place.

Each entry builds the per-sample loss from the output nodes ``x_i^{(L)}`` and the
labels ``y_i`` (lists of SymPy symbols of equal length ``n``):

``mse``            Σ_i (x_i - y_i)^2          (the article default: a sum, no ½)
``half-mse``       ½ Σ_i (x_i - y_i)^2
``mean-mse``       (1/n) Σ_i (x_i - y_i)^2
``bce``            -Σ_i [y_i log x_i + (1 - y_i) log(1 - x_i)], sigmoid outputs
``cross-entropy``  -Σ_i y_i log x_i, softmax outputs, labels summing to 1

``output`` names the output activation a loss requires (None: any);
``labels_sum_to_one`` says the derivation may use Σ_i y_i = 1.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from derive.errors import lookup


@dataclass(frozen=True)
class Loss:
    name: str
    build: Callable[[Sequence[sp.Expr], Sequence[sp.Expr]], sp.Expr]
    description: str
    output: str | None = None
    labels_sum_to_one: bool = False
    latex_name: str = "L"


def _squares(xs, ys):
    return sp.Add(*[(x - y) ** 2 for x, y in zip(xs, ys)])


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss("mse", _squares, "sum of squared errors, no 1/2", latex_name="MSE"),
        Loss(
            "half-mse",
            lambda xs, ys: sp.Rational(1, 2) * _squares(xs, ys),
            "half the sum of squared errors",
            latex_name="MSE",
        ),
        Loss(
            "mean-mse",
            lambda xs, ys: sp.Rational(1, len(xs)) * _squares(xs, ys),
            "mean of squared errors over the outputs",
            latex_name="MSE",
        ),
        Loss(
            "bce",
            lambda xs, ys: -sp.Add(
                *[y * sp.log(x) + (1 - y) * sp.log(1 - x) for x, y in zip(xs, ys)]
            ),
            "binary cross-entropy of sigmoid outputs",
            output="sigmoid",
            latex_name="L",
        ),
        Loss(
            "cross-entropy",
            lambda xs, ys: -sp.Add(*[y * sp.log(x) for x, y in zip(xs, ys)]),
            "categorical cross-entropy of softmax outputs (labels sum to 1)",
            output="softmax",
            labels_sum_to_one=True,
            latex_name="L",
        ),
    ]
}


def loss(name: str) -> Loss:
    """The table entry for ``name``; an unknown name is a one-line error."""
    return lookup(LOSSES, name, "loss")