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


class SymbolSets:
    """``free_symbols`` of many expressions that share parts, each part computed once."""

    def __init__(self):
        self._cache: dict = {}

    def __call__(self, expr: sp.Expr) -> frozenset:
        cache = self._cache
        stack = [expr]
        while stack:
            node = stack[-1]
            if node in cache:
                stack.pop()
                continue
            if node.is_Symbol:
                cache[node] = frozenset((node,))
                stack.pop()
                continue
            pending = [a for a in node.args if a not in cache]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            cache[node] = frozenset().union(*[cache[a] for a in node.args]) if node.args else frozenset()
        return cache[expr]


def substitute(expr: sp.Expr, mapping: dict, cache: dict | None = None) -> sp.Expr:
    """``expr.xreplace(mapping)`` that rebuilds each shared subexpression once."""
    if cache is None:
        cache = {}
    stack = [expr]
    while stack:
        node = stack[-1]
        if node in cache:
            stack.pop()
            continue
        if node in mapping:
            cache[node] = mapping[node]
            stack.pop()
            continue
        if not node.args:
            cache[node] = node
            stack.pop()
            continue
        pending = [a for a in node.args if a not in cache]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        new_args = [cache[a] for a in node.args]
        if all(a is b for a, b in zip(new_args, node.args)):
            cache[node] = node
        else:
            cache[node] = node.func(*new_args)
    return cache[expr]


def tree_size(expr: sp.Expr, cache: dict | None = None) -> int:
    """How many nodes ``expr`` has written out as a tree (what printing walks)."""
    if cache is None:
        cache = {}
    stack = [expr]
    while stack:
        node = stack[-1]
        if node in cache:
            stack.pop()
            continue
        pending = [a for a in node.args if a not in cache]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        cache[node] = 1 + sum(cache[a] for a in node.args)
    return cache[expr]
