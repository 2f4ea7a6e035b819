"""Symbolic proofs that two expressions are equal: their difference simplifies to zero."""
from __future__ import annotations

import sympy as sp

from derive.graph import tree_size

EXPAND_LIMIT = 20_000  # tree nodes; beyond this only canonical-form equality is tried


def difference_is_zero(lhs: sp.Expr, rhs: sp.Expr, substitutions: dict | None = None) -> str | None:
    """The method that shows ``lhs - rhs`` simplifies to 0, or None if none does.

    ``substitutions`` (e.g. a label eliminated by Σ y_i = 1) apply to the difference.
    """
    if lhs == rhs and not substitutions:
        return "canonical form"
    difference = lhs - rhs
    if substitutions:
        difference = difference.xreplace(substitutions)
    if difference == 0:
        return "canonical form"
    if tree_size(difference) > EXPAND_LIMIT:
        return None
    if sp.expand(difference) == 0:
        return "expansion"
    if sp.cancel(sp.together(sp.expand(difference))) == 0:
        return "simplification"
    if sp.simplify(difference) == 0:
        return "simplification"
    return None
