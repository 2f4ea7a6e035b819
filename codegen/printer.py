"""Printing SymPy expressions as Python/NumPy source: the only place math becomes text."""
from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from derive import naming
from derive.activations import (
    LeakyReLU,
    LeakyReLUPrime,
    ReLU,
    ReLUPrime,
    Sigmoid,
    SigmoidPrime,
    Softplus,
    SoftplusPrime,
    Tanh,
    TanhPrime,
)

# Opaque SymPy functions -> the helper the emitted module calls (``m.`` in unrolled code).
_FUNCTIONS = {
    Sigmoid: "sigmoid", Tanh: "tanh", ReLU: "relu", LeakyReLU: "leaky_relu", Softplus: "softplus",
    SigmoidPrime: "sigmoid_prime", TanhPrime: "tanh_prime", ReLUPrime: "relu_prime",
    LeakyReLUPrime: "leaky_relu_prime", SoftplusPrime: "softplus_prime",
}


class CodePrinter(PythonCodePrinter):
    """Python source for an expression; function calls go through ``namespace``."""

    def __init__(self, namespace: str = "np", settings=None):
        super().__init__({"fully_qualified_modules": False, **(settings or {})})
        self.namespace = namespace

    def _print_Symbol(self, expr):
        return naming.python_name(expr)

    def _print_Function(self, expr):
        name = _FUNCTIONS.get(type(expr))
        if name is None:
            return super()._print_Function(expr)
        return f"{self.namespace}.{name}({self._print(expr.args[0])})"

    def _print_log(self, expr):
        return f"{self.namespace}.log({self._print(expr.args[0])})"

    def _print_exp(self, expr):
        return f"{self.namespace}.exp({self._print(expr.args[0])})"

    def _print_Heaviside(self, expr):
        return f"{self.namespace}.step({self._print(expr.args[0])})"

    def _print_Half(self, expr):
        return "0.5"


def code(expr: sp.Expr, names: dict | None = None, namespace: str = "np", factor: bool = True) -> str:
    """Source for ``expr`` with symbols renamed by ``names`` (symbol -> identifier);
    ``factor`` pulls common factors out of sums first (2*(x - y), not 2*x - 2*y)."""
    if names:
        expr = expr.xreplace({s: sp.Symbol(n) for s, n in names.items()})
    return CodePrinter(namespace).doprint(sp.factor_terms(expr) if factor else expr)
