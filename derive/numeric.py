"""Evaluate SymPy expressions numerically over their shared graph.

Each distinct subexpression is computed once (expressions built by the engine
share their common parts, and walking them as trees would repeat that work
exponentially often). Values may be floats or NumPy arrays of one shape, so one
call evaluates an expression at many points at once.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from derive.activations import NUMERIC_FUNCTIONS, Softmax
from derive.graph import fold


class Evaluator:
    """Evaluates expressions at one assignment of values to symbols, sharing work."""

    def __init__(self, values: dict):
        self._cache = {sp.sympify(k): np.asarray(v, dtype=float) for k, v in values.items()}
        self._softmax: dict = {}

    def __call__(self, expr: sp.Expr):
        return fold(expr, self._cache, self._apply)

    def _apply(self, node, args):
        if node.is_Number:
            return float(node)
        if node.is_Symbol:
            raise KeyError(f"no value given for symbol {node}")
        if node.is_Add:
            total = args[0]
            for a in args[1:]:
                total = total + a
            return total
        if node.is_Mul:
            product = args[0]
            for a in args[1:]:
                product = product * a
            return product
        if node.is_Pow:
            base, exponent = args
            if float(exponent) == -1:
                return 1.0 / base
            return base ** exponent
        func = node.func
        if func in NUMERIC_FUNCTIONS:
            return NUMERIC_FUNCTIONS[func](args[0])
        if func is Softmax:
            return self._softmax_of(node.args[1:])[int(node.args[0]) - 1]
        if func is sp.log:
            return np.log(args[0])
        if func is sp.exp:
            return np.exp(args[0])
        if func is sp.Heaviside:
            return np.heaviside(args[0], 0.0)
        raise TypeError(f"cannot evaluate {func} numerically")

    def _softmax_of(self, zs):
        key = tuple(zs)
        if key not in self._softmax:
            values = np.array([self._cache[z] for z in zs])
            shifted = np.exp(values - values.max(axis=0))
            self._softmax[key] = shifted / shifted.sum(axis=0)
        return self._softmax[key]
