"""Symbolic proofs that two expressions are equal: their difference simplifies to zero.

Without a budget (the derivation documents, whose expressions the engine builds) a proof
tries canonical form, expansion and simplification as before. Inside ``with budget(…)``
(the checker, whose expressions users write) it is bounded: an expression tree over
``EXPAND_LIMIT`` nodes, or one whose expansion would have more than ``terms`` terms (counted
with multinomial coefficients before expanding), is refused at once, and every SymPy step
runs against a wall-clock deadline; past either, ``ProofBudgetExceeded`` says why.
"""
from __future__ import annotations

import math
import signal
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import sympy as sp

from derive import naming
from derive.activations import BY_DERIVATIVE, Softmax
from derive.graph import fold, tree_size

EXPAND_LIMIT = 20_000  # tree nodes; beyond this only canonical-form equality is tried
EXPANDED_TERMS_LIMIT = 20_000  # terms an expansion may produce inside a budget
PROOF_SECONDS = 4.0  # wall clock for one proof inside a budget
_CAP = 10**15  # term counts are capped here, so that estimating stays cheap


class ProofBudgetExceeded(Exception):
    """The proof would need more than its budget; the message says which limit."""


@dataclass
class Budget:
    deadline: float  # time.monotonic() value
    terms: int


_BUDGET: ContextVar[Budget | None] = ContextVar("proof_budget", default=None)


@contextmanager
def budget(seconds: float = PROOF_SECONDS, terms: int = EXPANDED_TERMS_LIMIT):
    """Proofs inside the block are bounded by ``terms`` and a deadline ``seconds`` from now
    (an enclosing budget's earlier deadline still applies)."""
    outer = _BUDGET.get()
    deadline = time.monotonic() + seconds
    if outer is not None:
        deadline = min(deadline, outer.deadline)
        terms = min(terms, outer.terms)
    token = _BUDGET.set(Budget(deadline, terms))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def difference_is_zero(lhs: sp.Expr, rhs: sp.Expr, substitutions: dict | None = None) -> str | None:
    """The method that shows ``lhs - rhs`` simplifies to 0, or None if none does.

    ``substitutions`` (e.g. a label eliminated by Σ y_i = 1) apply to the difference.
    Inside ``budget(…)``, raises ``ProofBudgetExceeded`` instead of working past it.
    """
    if lhs == rhs and not substitutions:
        return "canonical form"
    difference = lhs - rhs
    if substitutions:
        difference = difference.xreplace(substitutions)
    if difference == 0:
        return "canonical form"
    limits = _BUDGET.get()
    size = tree_size(difference)
    if size > EXPAND_LIMIT:
        if limits is not None:
            raise ProofBudgetExceeded(f"the difference has {size:,} nodes; proofs expand up to {EXPAND_LIMIT:,}")
        return None
    if limits is None:
        expanded = sp.expand(difference)
        if expanded == 0:
            return "expansion"
        if sp.cancel(sp.together(expanded)) == 0:
            return "simplification"
        if sp.simplify(difference) == 0:
            return "simplification"
        return None
    terms = expanded_terms(difference)
    if terms > limits.terms:
        shown = f"{terms:,}" if terms < _CAP else f"over {_CAP:,}"
        raise ProofBudgetExceeded(f"expanding it would give {shown} terms; proofs expand up to {limits.terms:,}")
    expanded = _within(limits, sp.expand, difference)
    if expanded == 0:
        return "expansion"
    if _within(limits, lambda e: sp.cancel(sp.together(e)), expanded) == 0:
        return "simplification"
    if _within(limits, sp.simplify, difference) == 0:
        return "simplification"
    return None


def expanded_terms(expr: sp.Expr) -> int:
    """An upper bound on the terms ``sp.expand(expr)`` produces anywhere in ``expr`` (a
    power of a sum of k terms to the n gives C(n+k-1, k-1) monomials; products multiply,
    sums add; arguments of functions and denominators are expanded separately)."""
    def combine(node, values):
        if not values:
            return (1, 1)
        terms = [t for t, _ in values]
        work = max(w for _, w in values)
        if node.is_Add:
            own = min(_CAP, sum(terms))
        elif node.is_Mul:
            own = 1
            for t in terms:
                own = min(_CAP, own * t)
        elif node.is_Pow and node.exp.is_Integer:
            n, k = abs(int(node.exp)), terms[0]
            count = _CAP if n > 10_000 else min(_CAP, math.comb(n + k - 1, k - 1)) if k > 1 else 1
            if node.exp > 0:
                own = count
            else:  # a denominator: expanded on its own
                own, work = 1, max(work, count)
        else:  # a function or a symbolic power: its arguments expand on their own
            own = 1
        return (own, min(_CAP, max(work, own)))

    return fold(expr, {}, combine)[1]


class _Interrupted(BaseException):
    """Raised by the alarm inside a SymPy call that ran out of time."""


def _within(limits: Budget, function, argument):
    """``function(argument)``, stopped at the budget's deadline (by SIGALRM on the main
    thread; elsewhere the deadline is checked before the call only)."""
    remaining = limits.deadline - time.monotonic()
    if remaining <= 0:
        raise ProofBudgetExceeded("the time for the proof ran out")
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return function(argument)

    def interrupt(signum, frame):
        raise _Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        # and again every 50 ms: an interrupt that lands where Python swallows exceptions (a
        # garbage-collector or weakref callback) must not leave the expansion running for ever
        signal.setitimer(signal.ITIMER_REAL, remaining, 0.05)
        try:
            return function(argument)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Interrupted:
        raise ProofBudgetExceeded("the time for the proof ran out") from None
    finally:
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


class Prover:
    """Proves parts of equations equal, for the documents and the checker alike.

    ``value`` writes a part out: named quantities (x, z, δ via ``named``) and the loss symbol
    become expressions in inputs, weights and labels (``expand``), derivatives are taken, an
    explicit Matrix is written out entry by entry. Two values are equal when their difference
    is proven zero, as they stand or after the activations' rewrite rules (σ' = σ(1 - σ), …),
    with ``assumptions`` (Σ y = 1 for cross-entropy) applied.

    With ``definitions`` (every x and z by the quantities of the layer below, ``None`` for the
    loss in the outputs), a derivative by a named quantity, ∂L/∂x_i^(l) or ∂x_i^(l)/∂z_i^(l),
    is taken as the chain rule through named quantities means it: everything above that
    quantity written in it, the rest held fixed.
    """

    def __init__(self, loss_symbol: sp.Symbol, loss: sp.Expr, expand, named: dict | None = None,
                 assumptions: dict | None = None, definitions: dict | None = None):
        self.loss_symbol = loss_symbol
        self.loss = loss
        self.expand = expand
        self.named = named or {}
        self.assumptions = assumptions or {}
        self.definitions = definitions or {}

    def value(self, expr):
        """``expr`` written out: a scalar, or an explicit Matrix of written-out entries."""
        if isinstance(expr, sp.MatrixBase):
            return sp.ImmutableMatrix(expr.shape[0], expr.shape[1], [self.value(e) for e in expr])
        local = {a: self.local_derivative(a) for a in expr.atoms(sp.Derivative)
                 if self.definitions and rank(a.variables[0])}
        if local:
            expr = expr.xreplace(local)
        written = self.expand(expr.xreplace(self.named).xreplace({self.loss_symbol: self.loss}))
        return written.doit() if written.has(sp.Derivative) else written

    def local_derivative(self, derivative):
        """∂A/∂v for a named quantity v (a node x or a pre-activation z), in named quantities:
        A with everything above v substituted by its definition, differentiated by v."""
        (variable, _count), = derivative.variable_count
        level = rank(variable)
        expr = derivative.expr.xreplace({self.loss_symbol: self.definitions[None]})
        while True:
            above = {s: self.definitions[s] for s in expr.free_symbols
                     if s in self.definitions and rank(s) > level}
            if not above:
                return sp.diff(expr, variable)
            expr = expr.xreplace(above)

    def equal(self, a, b) -> bool:
        """Whether two parts are proven equal."""
        return self.same_values(self.value(a), self.value(b))

    def same_values(self, a, b) -> bool:
        """Whether two written-out values are proven equal, as they stand or rewritten (at once
        when the rewriting makes them identical: a softmax against its e^z / Σ e^z)."""
        if a == b:
            return equal_values(a, b, self.assumptions)
        ra, rb = rewritten(a), rewritten(b)
        return ra == rb or equal_values(a, b, self.assumptions) or equal_values(ra, rb, self.assumptions)


def rank(symbol) -> int:
    """Where a named quantity sits in the forward pass: z^(l) is 2l - 1, x^(l) is 2l (l ≥ 2);
    0 for inputs, parameters, labels and anything else."""
    parts = naming.parse_symbol(getattr(symbol, "name", "")) if isinstance(symbol, naming.NetworkSymbol) else None
    if parts is None or parts["kind"] not in ("x", "z") or (parts["kind"] == "x" and parts["layer"] == 1):
        return 0
    return 2 * parts["layer"] - (parts["kind"] == "z")


def rewritten(value):
    """``value`` with every activation derivative f'(u) written by its rewrite rule
    (σ'(u) = σ(u)(1 - σ(u)), …), rules that tests/test_registry.py proves, and every
    softmax as e^{z_i} / Σ_k e^{z_k}."""
    for derivative, entry in BY_DERIVATIVE.items():
        value = value.replace(derivative, lambda u, e=entry: e.from_output(e.function(u), u))
    if value.has(Softmax):
        value = value.replace(Softmax, lambda i, *z: sp.exp(z[int(i) - 1]) / sp.Add(*[sp.exp(u) for u in z]))
    return value


def equal_values(a, b, assumptions) -> bool:
    """Whether two written-out values (scalars or explicit matrices) are proven equal."""
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            return False
        return all(equal_values(x, y, assumptions) for x, y in zip(a, b, strict=True))
    return difference_is_zero(a, b, assumptions or None) is not None
