"""The chain rule applied step by step to the expanded loss, the way an article does it.

Each step takes every ∂/∂w still in the expression one level down: through a square
(the power rule), through an activation (σ' appears), through a weighted sum (the
coefficient of the weight, or a further ∂/∂w of the terms that contain it).
"""
from __future__ import annotations

import sympy as sp

from derive.activations import Softmax


def D(expr, w):
    """The unevaluated ∂expr/∂w, or 0 / 1 when that is immediate."""
    if w not in expr.free_symbols:
        return sp.Integer(0)
    if expr == w:
        return sp.Integer(1)
    return sp.Derivative(expr, w, evaluate=False)


def one_level(expr, w):
    """``expr`` with every ∂/∂w taken one level down."""
    if isinstance(expr, sp.Derivative):
        return _rule(expr.expr, w)
    if not expr.args or not expr.has(sp.Derivative):
        return expr
    return expr.func(*[one_level(a, w) for a in expr.args])


def _rule(f, w):
    if f.is_Add:  # a weighted sum: constants stay, ∂/∂w moves to the terms with w
        return sp.Add(*[_linear(term, w) for term in f.args])
    if f.is_Mul:
        return _linear(f, w)
    if f.is_Pow and f.exp.is_number:  # the power rule
        return sp.Mul(f.exp, f.base ** (f.exp - 1), D(f.base, w), evaluate=False)
    if isinstance(f, sp.log):
        return D(f.args[0], w) / f.args[0]
    if isinstance(f, Softmax):
        return sp.Add(*[f.fdiff(k + 2) * D(z, w) for k, z in enumerate(f.args[1:])])
    if isinstance(f, sp.Function) and len(f.args) == 1:  # the chain rule through an activation
        return f.fdiff(1) * D(f.args[0], w)
    return sp.diff(f, w)


def _linear(term, w):
    """∂(c·g)/∂w = c·∂g/∂w for a product with one factor holding w (product rule otherwise)."""
    if term.is_Mul:
        holders = [f for f in term.args if w in f.free_symbols]
        if len(holders) == 1:
            rest = sp.Mul(*[f for f in term.args if f is not holders[0]])
            return rest * D(holders[0], w)
        return sp.Add(*[sp.Mul(*[g for g in term.args if g is not f]) * D(f, w) for f in holders])
    return D(term, w)


def steps(expanded_loss, w) -> list:
    """∂L/∂w from ∂/∂w[expanded loss] down to the result, one level at a time."""
    current = D(expanded_loss, w)
    out = [current]
    while current.has(sp.Derivative):
        current = one_level(current, w)
        out.append(current)
    return out


def describe(before, after) -> str:
    """What a step did, for the note beside it."""
    rules = []
    for derivative in before.atoms(sp.Derivative):
        f = derivative.expr
        if f.is_Pow:
            rules.append("power rule")
        elif f.is_Add or f.is_Mul:
            rules.append("weighted sum")
        elif isinstance(f, sp.log):
            rules.append("derivative of log")
        elif isinstance(f, sp.Function):
            rules.append(f"chain rule through {type(f).__name__.lower()}")
    return ", ".join(sorted(set(rules)))
