"""Walks over SymPy expressions that visit each shared subexpression once.

The engine's expressions share their common parts (δ of a layer appears in every
partial below it); SymPy's own walks (``free_symbols``, ``xreplace``) treat them as
trees and repeat that work exponentially often in the depth of the network.
"""
from __future__ import annotations

import sympy as sp


def product(factor: sp.Expr, symbol: sp.Symbol) -> sp.Expr:
    """``factor · symbol`` kept as written: a two-factor product that SymPy does not
    re-flatten (flattening costs tens of microseconds, and the engine builds one
    per weight). Mathematically it is the same product."""
    return sp.Mul._from_args((factor, symbol))


def flattened(expr: sp.Expr) -> sp.Expr:
    """``expr`` with a top-level product put back into SymPy's canonical form."""
    return sp.Mul(*expr.args) if expr.is_Mul else expr


def fold(expr: sp.Expr, cache: dict, combine, stop=None):
    """Compute ``cache[node] = combine(node, [values of its arguments])`` for every distinct
    subexpression of ``expr``, children first, each once; ``stop(node)`` may give a node's
    value without looking inside (None: look inside). Returns the value of ``expr``."""
    stack = [expr]
    while stack:
        node = stack[-1]
        if node in cache:
            stack.pop()
            continue
        if stop is not None:
            value = stop(node)
            if value is not None:
                cache[node] = value
                stack.pop()
                continue
        pending = [a for a in node.args if a not in cache]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        cache[node] = combine(node, [cache[a] for a in node.args])
    return cache[expr]


class SymbolSets:
    """``free_symbols`` of many expressions that share parts, each part computed once."""

    def __init__(self):
        self._cache: dict = {}

    def __call__(self, expr: sp.Expr) -> frozenset:
        return fold(expr, self._cache, _symbols_of)


def _symbols_of(node, values) -> frozenset:
    return frozenset((node,)) if node.is_Symbol else frozenset().union(*values)


def substitute(expr: sp.Expr, mapping: dict, cache: dict | None = None) -> sp.Expr:
    """``expr.xreplace(mapping)`` that rebuilds each shared subexpression once."""
    return fold(expr, {} if cache is None else cache, _rebuilt, stop=mapping.get)


def _rebuilt(node, values):
    if all(a is b for a, b in zip(values, node.args)):
        return node
    return node.func(*values)


def tree_size(expr: sp.Expr, cache: dict | None = None) -> int:
    """How many nodes ``expr`` has written out as a tree (what printing walks)."""
    return fold(expr, {} if cache is None else cache, lambda node, sizes: 1 + sum(sizes))
