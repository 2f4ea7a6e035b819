"""The activation registry: each activation is one entry, and every consumer reads it.

For a node ``x = f(z)`` with pre-activation ``z`` an entry gives:

``function`` / ``derivative``  opaque SymPy functions f and f' (expanded expressions keep
                   f'(z) visible instead of exponentials); ``explicit`` writes f with
                   elementary functions, for the proofs of the rules below;
``from_output``    the rewrite rule: f'(z) in terms of the node's own value x where one
                   exists (σ' = x(1 - x)), else in z alone; tests/test_registry.py proves it;
``forward`` / ``derivative_kernel``  the NumPy kernels of the emitted modules, real functions
                   ``_NAME(z, out)`` and ``_NAME_prime(x, z, out)`` on arrays whose source the
                   code generator quotes (``helpers`` are quoted with them);
``scalar``         f on one Python float, for the unrolled form on one sample;
``reference``      ``z -> (x, slope)``, written apart from the kernels, for the hand-written
                   reference backprop (its Jacobian is diag(slope));
``latex``          how documents write f; ``spellings`` what the reader accepts: macros
                   (``\\sigma``) or words inside ``\\operatorname{…}``, ``\\mathrm{…}``, ``\\text{…}``;
``kink``           True where f' jumps (finite differences there mean nothing).

All activations are elementwise except ``softmax``, which maps the whole layer ``z`` to
``x_i = exp(z_i) / Σ_k exp(z_k)`` and is allowed on the output layer only. Adding an
activation is one entry in ``ACTIVATIONS``.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from derive.errors import DeriveError, lookup


class _Opaque(sp.Function):
    """A function of one argument that SymPy keeps unevaluated."""

    nargs = 1
    latex_name = ""

    def _latex(self, printer, exp=None):
        written = rf"{self.latex_name}\left({printer._print(self.args[0])}\right)"
        return written if exp is None else rf"\left({written}\right)^{{{exp}}}"


def _opaque_pair(name: str, latex: str):
    """An opaque activation f and its derivative f', which ∂/∂z of f(z) gives as f'(z)."""
    derivative = type(f"{name}Prime", (_Opaque,), {"latex_name": latex + "'"})

    def fdiff(self, argindex=1):
        return derivative(self.args[0])

    function = type(name, (_Opaque,), {"latex_name": latex, "fdiff": fdiff})
    return function, derivative


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


@dataclass(frozen=True)
class Activation:
    name: str
    text: str
    latex: str
    spellings: tuple[str, ...]
    function: Callable
    derivative: Callable
    explicit: Callable
    from_output: Callable
    rule: str
    forward: Callable | None
    derivative_kernel: Callable | None
    scalar: Callable
    reference: Callable
    helpers: tuple[Callable, ...] = ()
    kink: bool = False
    elementwise: bool = True

    @property
    def derivative_is_constant(self) -> bool:
        return self.derivative(sp.Symbol("z")).is_number

    def numpy(self, z):
        """f on floats or arrays, through the emitted kernel (which works on arrays of rows)."""
        z = np.asarray(z, dtype=float)
        if self.forward is None:
            return z.copy()
        rows = z.reshape(1, -1)
        return self.forward(rows, np.empty_like(rows)).reshape(z.shape)

    def numpy_derivative(self, z):
        """f'(z) on floats or arrays, through the emitted kernels."""
        z = np.asarray(z, dtype=float)
        if self.derivative_kernel is None:
            return np.ones_like(z)
        rows = z.reshape(1, -1)
        return self.derivative_kernel(self.numpy(rows), rows, np.empty_like(rows)).reshape(z.shape)


# --- NumPy kernels: quoted verbatim into emitted modules (module globals there: np, math) ----

def _erf(z, out):
    """erf elementwise (NumPy has no erf): math.erf per element, exact and slower than a ufunc."""
    out.flat[:] = [math.erf(v) for v in z.flat]
    return out


def _sigmoid(z, out):
    """σ(z) = 1 / (1 + e^-z), computed as (1 + tanh(z/2)) / 2, which cannot overflow."""
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _sigmoid_prime(x, z, out):
    """σ'(z) = σ(z) (1 - σ(z)), from the node's value x = σ(z)."""
    np.subtract(1.0, x, out=out)
    out *= x
    return out


def _tanh(z, out):
    """tanh(z)."""
    return np.tanh(z, out=out)


def _tanh_prime(x, z, out):
    """tanh'(z) = 1 - tanh(z)^2, from the node's value x = tanh(z)."""
    np.multiply(x, x, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _relu(z, out):
    """relu(z) = max(z, 0)."""
    return np.maximum(z, 0.0, out=out)


def _relu_prime(x, z, out):
    """relu'(z) = 1 where z > 0, else 0."""
    np.greater(z, 0.0, out=out)
    return out


def _leaky_relu(z, out):
    """leaky_relu(z) = z where z > 0, else 0.01 z."""
    np.multiply(z, 0.01, out=out)
    np.maximum(z, out, out=out)
    return out


def _leaky_relu_prime(x, z, out):
    """leaky_relu'(z) = 1 where z > 0, else 0.01."""
    np.greater(z, 0.0, out=out)
    out *= 0.99
    out += 0.01
    return out


def _softplus(z, out):
    """softplus(z) = log(1 + e^z), computed without overflow."""
    return np.logaddexp(z, 0.0, out=out)


def _softplus_prime(x, z, out):
    """softplus'(z) = σ(z) = 1 - e^-x, from the node's value x = softplus(z) >= 0."""
    np.negative(x, out=out)
    np.exp(out, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _gelu(z, out):
    """gelu(z) = z Φ(z) = z (1 + erf(z / √2)) / 2, exact (with erf, not the tanh approximation)."""
    np.multiply(z, 0.7071067811865476, out=out)
    _erf(out, out)
    out += 1.0
    out *= 0.5
    out *= z
    return out


def _gelu_prime(x, z, out):
    """gelu'(z) = Φ(z) + z φ(z), from z (no rule in x alone); φ(z) = e^(-z²/2) / √(2π)."""
    phi = np.multiply(z, z)
    phi *= -0.5
    np.exp(phi, out=phi)
    phi *= 0.3989422804014327
    phi *= z
    np.multiply(z, 0.7071067811865476, out=out)
    _erf(out, out)
    out += 1.0
    out *= 0.5
    out += phi
    return out


def _silu(z, out):
    """silu(z) = z σ(z), with σ computed as (1 + tanh(z/2)) / 2, which cannot overflow."""
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    out *= z
    return out


def _silu_prime(x, z, out):
    """silu'(z) = σ(z) (1 + z (1 - σ(z))) = σ(z) + x (1 - σ(z)), with x = z σ(z)."""
    s = np.multiply(z, 0.5)
    np.tanh(s, out=s)
    s += 1.0
    s *= 0.5
    np.subtract(1.0, s, out=out)
    out *= x
    out += s
    return out


def _softmax(z, out):
    """softmax over each row: e^(z_i - max z) / Σ_k e^(z_k - max z), which cannot overflow."""
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


# --- the same activations on one float, for the unrolled form --------------------------------

def _sigmoid_scalar(z):
    return 0.5 * (1.0 + math.tanh(0.5 * z))


def _tanh_scalar(z):
    return math.tanh(z)


def _relu_scalar(z):
    return max(z, 0.0)


def _leaky_relu_scalar(z):
    return max(z, 0.01 * z)


def _softplus_scalar(z):
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def _gelu_scalar(z):
    return 0.5 * z * (1.0 + math.erf(z * 0.7071067811865476))


def _silu_scalar(z):
    return 0.5 * z * (1.0 + math.tanh(0.5 * z))


# --- references: value and slope, written plainly and apart from the kernels ----------------

def _logistic(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _gelu_reference(z):
    cdf = np.array([0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in z.flat]).reshape(z.shape)
    density = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return z * cdf, cdf + z * density


def _silu_reference(z):
    s = _logistic(z)
    return z * s, s * (1.0 + z * (1.0 - s))


def _whole_layer(*_):
    raise DeriveError("softmax acts on the whole layer, not on one node; it has no elementwise rule")


LEAKY_SLOPE = sp.Rational(1, 100)

Sigmoid, SigmoidPrime = _opaque_pair("Sigmoid", r"\sigma")
Tanh, TanhPrime = _opaque_pair("Tanh", r"\tanh")
ReLU, ReLUPrime = _opaque_pair("ReLU", r"\operatorname{relu}")
LeakyReLU, LeakyReLUPrime = _opaque_pair("LeakyReLU", r"\operatorname{lrelu}")
Softplus, SoftplusPrime = _opaque_pair("Softplus", r"\operatorname{softplus}")
GELU, GELUPrime = _opaque_pair("GELU", r"\operatorname{gelu}")
SiLU, SiLUPrime = _opaque_pair("SiLU", r"\operatorname{silu}")


def _identity(z):
    return z


def _one(z):
    return sp.Integer(1)


def _standard_normal_cdf(z):
    return (1 + sp.erf(z / sp.sqrt(2))) / 2


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            name="sigmoid", text="σ", latex=r"\sigma", spellings=(r"\sigma", "sigmoid", "sigm"),
            function=Sigmoid, derivative=SigmoidPrime,
            explicit=lambda z: 1 / (1 + sp.exp(-z)),
            from_output=lambda x, z: x * (1 - x), rule="x' = x (1 - x)",
            forward=_sigmoid, derivative_kernel=_sigmoid_prime, scalar=_sigmoid_scalar,
            reference=lambda z: (_logistic(z), _logistic(z) * (1 - _logistic(z))),
        ),
        Activation(
            name="tanh", text="tanh", latex=r"\tanh", spellings=(r"\tanh", "tanh"),
            function=Tanh, derivative=TanhPrime, explicit=sp.tanh,
            from_output=lambda x, z: 1 - x**2, rule="x' = 1 - x^2",
            forward=_tanh, derivative_kernel=_tanh_prime, scalar=_tanh_scalar,
            reference=lambda z: (np.tanh(z), 1 - np.tanh(z) ** 2),
        ),
        Activation(
            name="relu", text="relu", latex=r"\operatorname{relu}", spellings=("relu", "ReLU", "ReLu"),
            function=ReLU, derivative=ReLUPrime,
            explicit=lambda z: sp.Piecewise((z, z > 0), (0, True)),
            from_output=lambda x, z: sp.Heaviside(z, 0), rule="x' = [z > 0]",
            forward=_relu, derivative_kernel=_relu_prime, scalar=_relu_scalar,
            reference=lambda z: (np.where(z > 0, z, 0.0), np.where(z > 0, 1.0, 0.0)), kink=True,
        ),
        Activation(
            name="leaky_relu", text="leaky_relu", latex=r"\operatorname{lrelu}",
            spellings=("lrelu", "leaky_relu", "LeakyReLU", "leakyrelu", r"leaky\_relu", "LReLU"),
            function=LeakyReLU, derivative=LeakyReLUPrime,
            explicit=lambda z: sp.Piecewise((z, z > 0), (LEAKY_SLOPE * z, True)),
            from_output=lambda x, z: LEAKY_SLOPE + (1 - LEAKY_SLOPE) * sp.Heaviside(z, 0),
            rule="x' = 0.01 + 0.99 [z > 0]",
            forward=_leaky_relu, derivative_kernel=_leaky_relu_prime, scalar=_leaky_relu_scalar,
            reference=lambda z: (np.where(z > 0, z, 0.01 * z), np.where(z > 0, 1.0, 0.01)), kink=True,
        ),
        Activation(
            name="softplus", text="softplus", latex=r"\operatorname{softplus}", spellings=("softplus",),
            function=Softplus, derivative=SoftplusPrime,
            explicit=lambda z: sp.log(1 + sp.exp(z)),
            from_output=lambda x, z: 1 - sp.exp(-x), rule="x' = 1 - e^(-x)",
            forward=_softplus, derivative_kernel=_softplus_prime, scalar=_softplus_scalar,
            reference=lambda z: (np.logaddexp(0, z), _logistic(z)),
        ),
        Activation(
            name="gelu", text="gelu", latex=r"\operatorname{gelu}", spellings=("gelu", "GELU", "GeLU"),
            function=GELU, derivative=GELUPrime,
            explicit=lambda z: z * _standard_normal_cdf(z),
            from_output=lambda x, z: _standard_normal_cdf(z) + z * sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi),
            rule="x' = Φ(z) + z φ(z)",
            forward=_gelu, derivative_kernel=_gelu_prime, scalar=_gelu_scalar,
            reference=_gelu_reference, helpers=(_erf,),
        ),
        Activation(
            name="silu", text="silu", latex=r"\operatorname{silu}", spellings=("silu", "SiLU", "swish", "Swish"),
            function=SiLU, derivative=SiLUPrime,
            explicit=lambda z: z / (1 + sp.exp(-z)),
            from_output=lambda x, z: Sigmoid(z) + x * (1 - Sigmoid(z)), rule="x' = σ(z) + x (1 - σ(z))",
            forward=_silu, derivative_kernel=_silu_prime, scalar=_silu_scalar,
            reference=_silu_reference,
        ),
        Activation(
            name="identity", text="identity", latex="", spellings=(),
            function=_identity, derivative=_one, explicit=_identity,
            from_output=lambda x, z: sp.Integer(1), rule="x' = 1",
            forward=None, derivative_kernel=None, scalar=_identity,
            reference=lambda z: (z.copy(), np.ones_like(z)),
        ),
        Activation(
            name="softmax", text="softmax", latex=r"\operatorname{softmax}", spellings=("softmax",),
            function=_whole_layer, derivative=_whole_layer, explicit=_whole_layer,
            from_output=_whole_layer, rule="",
            forward=_softmax, derivative_kernel=None, scalar=_whole_layer, reference=_whole_layer,
            elementwise=False,
        ),
    ]
}

# The opaque function classes -> their entry (printers, evaluators and rewrites dispatch on these).
BY_FUNCTION: dict[type, Activation] = {
    a.function: a for a in ACTIVATIONS.values() if a.elementwise and isinstance(a.function, type)
}
BY_DERIVATIVE: dict[type, Activation] = {
    a.derivative: a for a in ACTIVATIONS.values() if a.elementwise and isinstance(a.derivative, type)
}

# The opaque functions and their derivatives as NumPy functions of z, for the numeric evaluator.
NUMERIC_FUNCTIONS: dict[type, Callable] = {
    **{f: a.numpy for f, a in BY_FUNCTION.items()},
    **{f: a.numpy_derivative for f, a in BY_DERIVATIVE.items()},
}


# Operations the printed rules may call beyond the activations, with the kernel that computes
# them on arrays (exp, log and the step function are NumPy's own).
PRIMITIVES: dict[str, Callable] = {"erf": _erf}


def activation(name: str) -> Activation:
    """The table entry for ``name``; an unknown name is a one-line error."""
    return lookup(ACTIVATIONS, name, "activation")
