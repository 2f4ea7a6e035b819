"""Checking hand-derived formulas against the derivation: proof, counterexample, diagnosis.

Each link ``A = B`` of a chain is first evaluated at random points, then proven (both sides
written out in inputs, weights and labels; ∂L/∂w by differentiating the expanded loss; the
difference must simplify to zero) under a budget (``derive.proof.budget``). A link is
"right" only when proven; "wrong" only when the two sides clearly differ at two or more
points (then with a counterexample: a point, the value of every symbol there, and both sides'
values); otherwise "undecided", with why (too large to prove and numerically equal at N
points, or not proven and not clearly different). For a wrong link the checker looks, within
``DIAGNOSIS_SECONDS``, for the smallest change that makes it true, each candidate screened
numerically and then proven: one symbol for another ("y_1 should be y_2"), two symbols
swapped, the derivative of another parameter, a constant factor or the sign, a transposed
matrix.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from derive import naming
from derive.derivation import Derivation
from derive.errors import DeriveError
from derive.losses import loss as loss_entry
from derive.numeric import Evaluator
from derive.proof import ProofBudgetExceeded, Prover, budget, rewritten

SCREEN_POINTS = 3
TOLERANCE = 1e-8  # relative: equal at a point
DIFFERENT = 1e-6  # relative: clearly different at a point (float64 rounding stays far below)
CONFIRMING_POINTS = 2  # "wrong" needs the sides clearly different at this many points
PROOF_SECONDS = 4.0  # per link
DIAGNOSIS_SECONDS = 4.0  # per wrong link
CHECK_SECONDS = 12.0  # for the whole chain: later links get what is left


@dataclass
class LinkVerdict:
    left: object
    right: object
    verdict: str  # "right" | "wrong" | "undecided"
    how: str = ""  # how it was established (for "undecided": why not)
    diagnosis: str | None = None
    counterexample: dict = field(default_factory=dict)


class Checker:
    """Checks equation chains for one derivation (element by element networks)."""

    def __init__(self, d: Derivation, loss_name: str = "L"):
        if d.method != "elementwise":
            raise DeriveError(f"checking formulas needs the expanded loss; {d.arch.text} is too large, "
                              "check them on a smaller network of the same shape")
        self.d, self.net = d, d.network
        loss = sp.Symbol(loss_name)
        assumptions = self.net.label_assumptions() if d.pattern is not None else {}
        from derive.reader import delta_symbol

        deltas = {delta_symbol(layer, i): d.delta(layer, i)
                  for layer in range(2, d.arch.depth + 1) for i in range(1, d.arch.widths[layer - 1] + 1)}
        from derive.network import LOSS

        definitions = {k: v for k, v in self.net.definitions.items() if k != LOSS}  # for ∂L/∂x, ∂x/∂z
        definitions[None] = self.net.loss
        self.prover = Prover(loss, d.loss, self.net.expanded, deltas, assumptions, definitions)
        rng = np.random.default_rng(7)
        self.points = [self._point(rng) for _ in range(SCREEN_POINTS)]
        # one evaluator per point, so that candidates share the work on their common parts
        self._evaluators = [Evaluator(point) for point in self.points]
        self._written: dict = {}  # part -> its written-out value, rewrite rules applied
        self._diagnosis_deadline: float | None = None  # while diagnosing: when to stop

    # ---------------------------------------------------------------------------------
    def check(self, parts: list) -> list[LinkVerdict]:
        if len(parts) < 2:
            raise DeriveError("nothing to check: write an equation, like \\frac{\\partial MSE}{\\partial w_{11}^{(2)}} = …")
        names = sorted({s.name for p in parts for s in _free(p) if not isinstance(s, naming.NetworkSymbol)})
        if len(names) > 1:
            raise DeriveError(f"one formula, two names for the loss: {' and '.join(names)}; write one of them")
        parts = [sp.ImmutableMatrix(p) if isinstance(p, sp.MatrixBase) else p for p in parts]
        parts = [self._rename_loss(p) for p in parts]
        deadline = time.monotonic() + CHECK_SECONDS
        return [self._link(a, b, deadline) for a, b in itertools.pairwise(parts)]

    def _rename_loss(self, part):
        """A bare name (MSE, C, L …; the reader lets through only the loss's names) stands
        for the loss; the first one met names it in messages."""
        names = {s for s in _free(part) if not isinstance(s, naming.NetworkSymbol)}
        if names and self.prover.loss_symbol.name == "L" and len(names) == 1:
            self.prover.loss_symbol = names.pop()
            return part
        return part.xreplace({s: self.prover.loss_symbol for s in names})

    def _link(self, a, b, deadline: float) -> LinkVerdict:
        if _shape(a) != _shape(b):  # certain without numbers
            verdict = LinkVerdict(a, b, "wrong", "the shapes differ")
            self._diagnosis_deadline = time.monotonic() + DIAGNOSIS_SECONDS
            try:
                with budget(DIAGNOSIS_SECONDS):
                    verdict.diagnosis = self._matrix_diagnosis(a, b)
            except (_OutOfTime, ProofBudgetExceeded):
                verdict.diagnosis = (f"the shapes differ: {_shape_text(a)} and {_shape_text(b)}")
            return verdict
        screened = self._screen(a, b)
        different = [k for k, state in enumerate(screened) if state == "different"]
        equal = sum(state == "equal" for state in screened)
        if len(different) < CONFIRMING_POINTS:
            try:
                with budget(min(PROOF_SECONDS, deadline - time.monotonic())):
                    if self.prover.equal(a, b):
                        return LinkVerdict(a, b, "right", "symbolic proof: both sides written out in inputs, "
                                           "weights and labels, their difference simplifies to zero")
                    why, detail = "not proven symbolically", ""
            except ProofBudgetExceeded as error:
                why, detail = "too large to prove symbolically", f" ({error})"
            except (RecursionError, MemoryError):
                why, detail = "too large to prove symbolically", " (the expression is nested too deep)"
            if equal == len(screened):
                return LinkVerdict(a, b, "undecided", f"{why}, numerically equal at {equal} points{detail}")
            if not different and not equal:
                seen = "no finite value at the random points"
            else:
                seen = f"equal at {equal} and clearly different at {len(different)} of {len(screened)} points"
            return LinkVerdict(a, b, "undecided", f"{why}, and the numbers do not settle it: {seen}{detail}")
        verdict = LinkVerdict(a, b, "wrong", f"the two sides differ at {len(different)} of {len(screened)} "
                                             "random points")
        self._diagnosis_deadline = min(time.monotonic() + DIAGNOSIS_SECONDS, deadline + DIAGNOSIS_SECONDS)
        try:
            with budget(max(0.0, self._diagnosis_deadline - time.monotonic())):
                if isinstance(a, sp.MatrixBase):
                    verdict.diagnosis = self._matrix_diagnosis(a, b)
                else:
                    verdict.counterexample = self._counterexample(a, b, different[0])
                    verdict.diagnosis = self._diagnosis(a, b)
        except (_OutOfTime, ProofBudgetExceeded):
            verdict.diagnosis = verdict.diagnosis or f"no single change found within {DIAGNOSIS_SECONDS:g} s"
        except (RecursionError, MemoryError):
            verdict.diagnosis = None
        return verdict

    # numbers -------------------------------------------------------------------------
    def _point(self, rng) -> dict:
        values = {}
        for x in self.net.inputs:
            values[x] = float(rng.uniform(-1, 1))
        for s in self.net.all_parameters:
            values[s] = float(rng.uniform(-1, 1))
        labels = loss_entry(self.d.arch.loss).sample(rng, (len(self.net.labels),))
        values.update({y: float(v) for y, v in zip(self.net.labels, labels)})
        return values

    def _numbers(self, expr, k: int) -> float:
        """``expr`` at screening point ``k`` (NaN where it has no finite value)."""
        deadline = getattr(self, "_diagnosis_deadline", None)
        if deadline is not None and time.monotonic() > deadline:
            raise _OutOfTime
        if expr not in self._written:
            self._written[expr] = rewritten(self.prover.value(expr))
        try:
            with np.errstate(all="ignore"):
                value = float(self._evaluators[k](self._written[expr]))
        except (KeyError, TypeError, ValueError, ZeroDivisionError, OverflowError):
            return float("nan")
        return value if np.isfinite(value) else float("nan")

    def _entries(self, part) -> list:
        return list(part) if isinstance(part, sp.MatrixBase) else [part]

    def _screen(self, a, b) -> list[str]:
        """Per point: "equal", "different" (clearly, all entries finite) or "unknown"."""
        self._diagnosis_deadline = None
        pairs = list(zip(self._entries(a), self._entries(b)))
        states = []
        for k in range(len(self.points)):
            state = "equal"
            for x, y in pairs:
                left, right = self._numbers(x, k), self._numbers(y, k)
                if not (np.isfinite(left) and np.isfinite(right)):
                    state = "unknown"
                    continue
                gap = abs(left - right) / max(1.0, abs(left), abs(right))
                if gap > DIFFERENT:
                    state = "different"
                    break
                if gap > TOLERANCE:
                    state = "unknown"
            states.append(state)
        return states

    def _close(self, a, b) -> bool:
        for k in range(len(self.points)):
            x, y = self._numbers(a, k), self._numbers(b, k)
            if not abs(x - y) <= TOLERANCE * max(1.0, abs(x), abs(y)):  # False for NaN
                return False
        return True

    def _counterexample(self, a, b, k: int = 0) -> dict:
        """The values at screening point ``k`` (one where the sides clearly differ)."""
        point = self.points[k]
        shown = {}
        named = {s for s in _free(a) | _free(b) if isinstance(s, naming.NetworkSymbol)}
        for s in sorted(named | set(self.net.inputs), key=_symbol_order):
            shown[naming.latex_name(s.name)] = self._numbers(s, k)
        for s in sorted(set(point) - set(shown), key=_symbol_order):
            shown.setdefault(naming.latex_name(s.name), point[s])
        return {"values": shown, "left": self._numbers(a, k), "right": self._numbers(b, k)}

    # diagnosis -------------------------------------------------------------------------
    def _diagnosis(self, a, b) -> str | None:
        for search in (self._other_parameter, self._one_symbol, self._factor, self._two_swapped, self._in_one_term):
            found = search(a, b)
            if found:
                return found
        return None

    def _confirmed(self, a, candidate) -> bool:
        return self._close(a, candidate) and self._proven(a, candidate)

    def _proven(self, a, b) -> bool:
        """Proven equal within the diagnosis budget (a candidate too large to prove is no fix)."""
        try:
            return self.prover.equal(a, b)
        except ProofBudgetExceeded:
            assert self._diagnosis_deadline is not None  # _proven runs only while diagnosing (_link sets it)
            if time.monotonic() > self._diagnosis_deadline:
                raise _OutOfTime from None
            return False

    def _other_parameter(self, a, b):
        if not isinstance(a, sp.Derivative) or a.expr != self.prover.loss_symbol:
            return None
        (claimed, _), = a.variable_count
        for other in self.net.all_parameters:
            if other != claimed:
                candidate = sp.Derivative(self.prover.loss_symbol, other, evaluate=False)
                if self._close(candidate, b) and self._proven(candidate, b):
                    loss = sp.latex(self.prover.loss_symbol)
                    return (f"this equals ∂{loss}/∂{naming.latex_name(other.name)}, "
                            f"not ∂{loss}/∂{naming.latex_name(claimed.name)}")
        return None

    def _one_symbol(self, a, b):
        for s in sorted(_named(b), key=_symbol_order):
            for t in self._alternatives(s):
                if self._confirmed(a, b.xreplace({s: t})):
                    note = " (the indices are transposed)" if _transposed(s, t) else ""
                    return f"{naming.latex_name(s.name)} should be {naming.latex_name(t.name)}{note}"
        return None

    def _two_swapped(self, a, b):
        for s, t in itertools.combinations(sorted(_named(b), key=_symbol_order), 2):
            if self._confirmed(a, b.xreplace({s: t, t: s})):
                return f"{naming.latex_name(s.name)} and {naming.latex_name(t.name)} are swapped"
        return None

    def _factor(self, a, b):
        ratios = []
        for k in range(len(self.points)):
            left, right = self._numbers(a, k), self._numbers(b, k)
            if abs(left) < 1e-12:
                return None
            ratios.append(right / left)
        if max(ratios) - min(ratios) > 1e-8 * max(1.0, abs(ratios[0])):
            return None
        if not all(np.isfinite(ratios)):
            return None
        factor = sp.nsimplify(ratios[0], tolerance=1e-9, rational=True)
        if not factor.is_Rational or factor == 1 or not self._proven(b, factor * a):
            return None
        if factor == -1:
            return "the sign is wrong"
        if factor.q != 1 and factor.p == 1:
            return f"a factor {factor.q} is missing (the right side is 1/{factor.q} of the correct value)"
        return f"off by a constant factor: the right side is {factor} times the correct value"

    def _in_one_term(self, a, b):
        """A mistake in one term of a sum only: a symbol, or two factors in each other's layer."""
        if not b.is_Add:
            return None
        terms = list(b.args)
        for k, term in enumerate(terms):
            symbols = sorted(_named(term), key=_symbol_order)
            fixes = [({s: t}, f"{_tex(s)} should be {_tex(t)}") for s in symbols for t in self._alternatives(s)]
            for s, t in itertools.combinations(symbols, 2):
                moved = _layers_swapped(s, t)
                if moved:
                    fixes.append((moved, (f"{_tex(s)} and {_tex(t)} are in each other's layer "
                                         f"({_tex(moved[s])} and {_tex(moved[t])} belong there)")))
            for mapping, text in fixes:
                candidate = sp.Add(*terms[:k], term.xreplace(mapping), *terms[k + 1:])
                if self._confirmed(a, candidate):
                    return f"in the term {sp.latex(term)}: {text}"
        return None

    def _alternatives(self, s):
        parts = naming.parse_symbol(s.name)
        kind = parts["kind"]
        pool = {
            "x": [x for layer in range(1, self.net.arch.depth + 1) for x in self.net.nodes[layer]],
            "x'": [p for layer in self.net.derivatives for p in self.net.derivatives[layer]],
            "y": list(self.net.labels),
            "w": [w for p in self.net.weights for row in self.net.weights[p] for w in row],
            "b": [b for p in self.net.biases for b in self.net.biases[p]],
            "z": [z for layer in self.net.preactivations for z in self.net.preactivations[layer]],
        }.get(kind, [])
        return [t for t in pool if t != s]

    def _matrix_diagnosis(self, a, b) -> str | None:
        doc = self.prover
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)):
            return "one side is a matrix and the other is not"
        if a.shape != b.shape:
            if a.shape == b.T.shape and self._proven(a, b.T):
                return f"the right side is the transpose of the left ({b.shape[0]}×{b.shape[1]} instead of " \
                       f"{a.shape[0]}×{a.shape[1]})"
            return f"the shapes differ: {a.shape[0]}×{a.shape[1]} and {b.shape[0]}×{b.shape[1]}"
        wrong = [(i, j) for i in range(a.shape[0]) for j in range(a.shape[1])
                 if not self._close(a[i, j], b[i, j])]
        if not wrong:
            return None
        entries = ", ".join(f"({i + 1},{j + 1})" for i, j in wrong)
        first = wrong[0]
        detail = self._diagnosis(a[first], b[first]) if not isinstance(doc.value(a[first]), sp.MatrixBase) else None
        text = f"entries {entries} are wrong" if len(wrong) > 1 else f"entry {entries} is wrong"
        return text + (f"; in entry ({first[0] + 1},{first[1] + 1}): {detail}" if detail else "")


class _OutOfTime(Exception):
    """The diagnosis search ran past ``DIAGNOSIS_SECONDS``."""


def _shape(part) -> tuple | None:
    return part.shape if isinstance(part, sp.MatrixBase) else None


def _shape_text(part) -> str:
    return f"{part.shape[0]}×{part.shape[1]}" if isinstance(part, sp.MatrixBase) else "a scalar"


def _free(part) -> set:
    if isinstance(part, sp.MatrixBase):
        return set().union(*[e.free_symbols for e in part]) if part else set()
    return part.free_symbols


def _named(expr) -> set:
    return {s for s in expr.free_symbols if isinstance(s, naming.NetworkSymbol)
            and naming.parse_symbol(s.name)}


def _symbol_order(symbol):
    parts = naming.parse_symbol(symbol.name) or {}
    order = {"x": 0, "x'": 1, "z": 2, "w": 3, "b": 4, "y": 5}
    return (order.get(parts.get("kind"), 9), parts.get("layer", 0), parts.get("i", 0), parts.get("j", 0))


def _tex(symbol) -> str:
    return naming.latex_name(symbol.name)


def _layers_swapped(s, t) -> dict | None:
    """For two node symbols of different layers, each moved to the other's layer."""
    a, b = naming.parse_symbol(s.name), naming.parse_symbol(t.name)
    assert a is not None and b is not None  # callers pass symbols of _named, which parse
    if a["kind"] != b["kind"] or a["kind"] not in ("x", "x'") or a["layer"] == b["layer"]:
        return None
    make = naming.node_derivative if a["kind"] == "x'" else naming.node
    return {s: make(b["layer"], a["i"]), t: make(a["layer"], b["i"])}


def _transposed(s, t) -> bool:
    a, b = naming.parse_symbol(s.name), naming.parse_symbol(t.name)
    assert a is not None and b is not None  # callers pass symbols of _named and their alternatives
    return a["kind"] == "w" and b["kind"] == "w" and a["layer"] == b["layer"] and (a["i"], a["j"]) == (b["j"], b["i"])
