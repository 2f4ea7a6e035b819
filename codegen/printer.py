"""Printing SymPy expressions as Python/NumPy source: the only place math becomes text."""
from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from derive import naming
from derive.activations import BY_DERIVATIVE, BY_FUNCTION

# Opaque SymPy functions -> the operation the emitted module calls (``m.`` in unrolled code).
_FUNCTIONS = {
    **{f: a.name for f, a in BY_FUNCTION.items()},
    **{f: f"{a.name}_prime" for f, a in BY_DERIVATIVE.items()},
}


class CodePrinter(PythonCodePrinter):
    """Python source for an expression; function calls go through ``namespace``, and the
    operations called are collected in ``used`` while printing (for the module to define)."""

    def __init__(self, namespace: str = "np", settings=None):
        super().__init__({"fully_qualified_modules": False, **(settings or {})})
        self.namespace = namespace
        self.used: set[str] = set()

    def _call(self, name: str, argument) -> str:
        self.used.add(name)
        return f"{self.namespace}.{name}({self._print(argument)})"

    def _print_Symbol(self, expr):
        return naming.python_name(expr)

    def _print_Function(self, expr):
        name = _FUNCTIONS.get(type(expr))
        if name is None:
            return super()._print_Function(expr)
        return self._call(name, expr.args[0])

    def _print_log(self, expr):
        return self._call("log", expr.args[0])

    def _print_exp(self, expr):
        return self._call("exp", expr.args[0])

    def _print_erf(self, expr):
        return self._call("erf", expr.args[0])

    def _print_Heaviside(self, expr):
        return self._call("step", expr.args[0])

    def _print_Half(self, expr):
        return "0.5"

    def _print_Pow(self, expr, rational=False):
        if expr.is_number and not expr.is_Rational:  # √2, 1/√(2π): a float literal
            return repr(float(expr))
        return super()._print_Pow(expr, rational)

    def _print_NumberSymbol(self, expr):
        return repr(float(expr))


def code(expr: sp.Expr, names: dict | None = None, namespace: str = "np", factor: bool = True,
         used: set | None = None) -> str:
    """Source for ``expr`` with symbols renamed by ``names`` (symbol -> identifier);
    ``factor`` pulls common factors out of sums first (2*(x - y), not 2*x - 2*y); the
    operations it calls are added to ``used``."""
    if names:
        expr = expr.xreplace({s: sp.Symbol(n) for s, n in names.items()})
    printer = CodePrinter(namespace)
    text = printer.doprint(sp.factor_terms(expr) if factor else expr)
    if used is not None:
        used |= printer.used
    return text
