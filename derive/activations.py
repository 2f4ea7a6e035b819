"""The activation table: every activation the engine knows, in one place.

Each entry says, for a node ``x = f(z)`` with pre-activation ``z``:

``function``       the opaque SymPy function ``f`` used in expanded expressions;
``derivative``     the opaque SymPy function ``f'`` (kept visible as f'(z), never
                   expanded into exponentials);
``explicit``       ``f`` written with elementary functions, used only to prove the
                   rules below;
``from_output``    the rewrite rule: ``f'(z)`` in terms of the node's own value
                   ``x`` (and ``z`` where needed), e.g. σ' = σ(1-σ);
``numpy`` / ``numpy_derivative``  stable scalar NumPy spellings for evaluation;
``latex``          the LaTeX spelling of ``f``.

All activations are elementwise except ``softmax``, which maps the whole layer
``z`` to ``x_i = exp(z_i) / Σ_k exp(z_k)`` and is allowed on the output layer only.
Adding an activation is one entry in ``ACTIVATIONS``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from derive.errors import lookup


def _stable_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class _Opaque(sp.Function):
    """A function of one argument that SymPy keeps unevaluated."""

    nargs = 1
    latex_name = ""

    def _latex(self, printer):
        return rf"{self.latex_name}\left({printer._print(self.args[0])}\right)"


def _opaque_pair(name: str, latex: str):
    """An opaque activation f and its derivative f', which ∂/∂z of f(z) gives as f'(z)."""
    derivative = type(f"{name}Prime", (_Opaque,), {"latex_name": latex + "'"})

    def fdiff(self, argindex=1):
        return derivative(self.args[0])

    function = type(name, (_Opaque,), {"latex_name": latex, "fdiff": fdiff})
    return function, derivative


Sigmoid, SigmoidPrime = _opaque_pair("Sigmoid", r"\sigma")
Tanh, TanhPrime = _opaque_pair("Tanh", r"\tanh")
ReLU, ReLUPrime = _opaque_pair("ReLU", r"\operatorname{relu}")
LeakyReLU, LeakyReLUPrime = _opaque_pair("LeakyReLU", r"\operatorname{lrelu}")
Softplus, SoftplusPrime = _opaque_pair("Softplus", r"\operatorname{softplus}")


class Softmax(sp.Function):
    """``Softmax(i, z_1, …, z_n)`` is ``exp(z_i) / Σ_k exp(z_k)`` (i is 1-based)."""

    def fdiff(self, argindex=1):
        if argindex == 1:
            raise sp.ArgumentIndexError(self, argindex)
        i = int(self.args[0])
        k = argindex - 1
        zs = self.args[1:]
        kronecker = 1 if i == k else 0
        return self * (kronecker - Softmax(k, *zs))

    def _latex(self, printer):
        zs = ", ".join(printer._print(z) for z in self.args[1:])
        return rf"\operatorname{{softmax}}_{{{self.args[0]}}}\left({zs}\right)"


LEAKY_SLOPE = sp.Rational(1, 100)


@dataclass(frozen=True)
class Activation:
    name: str
    function: Callable[[sp.Expr], sp.Expr]
    derivative: Callable[[sp.Expr], sp.Expr]
    explicit: Callable[[sp.Expr], sp.Expr]
    explicit_derivative: Callable[[sp.Expr], sp.Expr]
    from_output: Callable[[sp.Expr, sp.Expr], sp.Expr]
    numpy: Callable
    numpy_derivative: Callable
    latex: str
    elementwise: bool = True

    @property
    def text(self) -> str:
        """Plain-text name for comments: σ for the sigmoid, else the name."""
        return "σ" if self.name == "sigmoid" else self.name

    @property
    def derivative_is_constant(self) -> bool:
        return self.derivative(sp.Symbol("z")).is_number


def _identity(z):
    return z


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            name="sigmoid",
            function=Sigmoid,
            derivative=SigmoidPrime,
            explicit=lambda z: 1 / (1 + sp.exp(-z)),
            explicit_derivative=lambda z: sp.exp(-z) / (1 + sp.exp(-z)) ** 2,
            from_output=lambda x, z: x * (1 - x),
            numpy=_stable_sigmoid,
            numpy_derivative=lambda z: _stable_sigmoid(z) * (1 - _stable_sigmoid(z)),
            latex=r"\sigma",
        ),
        Activation(
            name="tanh",
            function=Tanh,
            derivative=TanhPrime,
            explicit=sp.tanh,
            explicit_derivative=lambda z: 1 / sp.cosh(z) ** 2,
            from_output=lambda x, z: 1 - x**2,
            numpy=np.tanh,
            numpy_derivative=lambda z: 1 - np.tanh(z) ** 2,
            latex=r"\tanh",
        ),
        Activation(
            name="relu",
            function=ReLU,
            derivative=ReLUPrime,
            explicit=lambda z: sp.Piecewise((z, z > 0), (0, True)),
            explicit_derivative=lambda z: sp.Piecewise((1, z > 0), (0, True)),
            from_output=lambda x, z: sp.Heaviside(z, 0),
            numpy=lambda z: np.maximum(z, 0.0),
            numpy_derivative=lambda z: (np.asarray(z) > 0).astype(float),
            latex=r"\operatorname{relu}",
        ),
        Activation(
            name="leaky_relu",
            function=LeakyReLU,
            derivative=LeakyReLUPrime,
            explicit=lambda z: sp.Piecewise((z, z > 0), (LEAKY_SLOPE * z, True)),
            explicit_derivative=lambda z: sp.Piecewise((1, z > 0), (LEAKY_SLOPE, True)),
            from_output=lambda x, z: LEAKY_SLOPE + (1 - LEAKY_SLOPE) * sp.Heaviside(z, 0),
            numpy=lambda z: np.where(np.asarray(z) > 0, z, 0.01 * np.asarray(z)),
            numpy_derivative=lambda z: np.where(np.asarray(z) > 0, 1.0, 0.01),
            latex=r"\operatorname{lrelu}",
        ),
        Activation(
            name="softplus",
            function=Softplus,
            derivative=SoftplusPrime,
            explicit=lambda z: sp.log(1 + sp.exp(z)),
            explicit_derivative=lambda z: sp.exp(z) / (1 + sp.exp(z)),
            from_output=lambda x, z: 1 - sp.exp(-x),
            numpy=lambda z: np.logaddexp(0.0, z),
            numpy_derivative=_stable_sigmoid,
            latex=r"\operatorname{softplus}",
        ),
        Activation(
            name="identity",
            function=_identity,
            derivative=lambda z: sp.Integer(1),
            explicit=_identity,
            explicit_derivative=lambda z: sp.Integer(1),
            from_output=lambda x, z: sp.Integer(1),
            numpy=lambda z: np.asarray(z, dtype=float),
            numpy_derivative=lambda z: np.ones_like(np.asarray(z, dtype=float)),
            latex="",
        ),
        Activation(
            name="softmax",
            function=None,
            derivative=None,
            explicit=None,
            explicit_derivative=None,
            from_output=None,
            numpy=None,
            numpy_derivative=None,
            latex=r"\operatorname{softmax}",
            elementwise=False,
        ),
    ]
}

# The opaque function classes of the elementwise activations and their
# derivatives, for the numeric evaluator: class -> NumPy function of z.
NUMERIC_FUNCTIONS: dict[type, Callable] = {}
for _a in ACTIVATIONS.values():
    if _a.elementwise and isinstance(_a.function, type):
        NUMERIC_FUNCTIONS[_a.function] = _a.numpy
        NUMERIC_FUNCTIONS[_a.derivative] = _a.numpy_derivative


def activation(name: str) -> Activation:
    """The table entry for ``name``; an unknown name is a one-line error."""
    return lookup(ACTIVATIONS, name, "activation")