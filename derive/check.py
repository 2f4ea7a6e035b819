"""Judging hand-derived formulas: proof, high-precision counterexample, blame, diagnosis.

Each link ``A = B`` of a chain is judged on the sides written out in the network's leaves
(``derive.judge.values``: partials of anything, δ, the loss). A link is

- "right" only when proven: the difference simplifies to zero as it stands, with the
  activations' rewrite rules (σ' = σ(1 - σ), …), or with the activations in exponentials
  (σ' written as e^{-z}/(1 + e^{-z})^2 is σ');
- "wrong" only when the two sides differ at ``CONFIRMING_POINTS`` or more random points
  evaluated with ``values.DIGITS`` significant digits (then with a counterexample: the value of
  each symbol of the formula there, and both sides printed with as many digits as it takes
  to tell them apart);
- otherwise "undecided", with the reason.

In a chain ``A = B = C`` the member that breaks it is blamed (``blame``: its position in the
chain): when A = C holds and A ≠ B, B is wrong, in both links that touch it. A derivative
labelled with a parameter the network does not have is wrong, and the diagnosis says which
derivative the other side is. For a wrong link the checker looks, within
``DIAGNOSIS_SECONDS``, for the smallest change that makes it true, each candidate screened
numerically and then proven, and names its kind (``derive.judge.diagnosis.KINDS``).
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace

import mpmath
import numpy as np
import sympy as sp

from derive import naming
from derive.activations import BY_DERIVATIVE, activation
from derive.derivation import Derivation
from derive.errors import DeriveError, ShapeError
from derive.judge.diagnosis import Diagnosis
from derive.judge.meaning import Conventions, MissingLabel
from derive.judge.values import DIGITS, Values, example_leaf, exp_atoms_zero, explicit, precise
from derive.losses import LOSSES
from derive.losses import loss as loss_entry
from derive.network import LOSS
from derive.notation import chosen_loss_name
from derive.numeric import Evaluator
from derive.proof import ProofBudgetExceeded, _within, budget, equal_values, expanded_terms, rewritten

SCREEN_POINTS = 3
TOLERANCE = 1e-8  # relative, float64: equal at a point
DIFFERENT = 1e-6  # relative, float64: clearly different at a point
PRECISE_DIFFERENT = mpmath.mpf(10) ** -25  # relative, at DIGITS digits: really different
CONFIRMING_POINTS = 2  # "wrong" needs the sides really different at this many points
PROOF_SECONDS = 4.0  # per link
EXP_PROOF_SECONDS = 1.5  # of which the proof in exponentials may take this much
DIAGNOSIS_SECONDS = 4.0  # per wrong link
CHECK_SECONDS = 12.0  # for the whole chain: later links get what is left


@dataclass
class Counterexample:
    """A point where the two sides differ: the formula's own symbols there, and both sides."""

    symbols: tuple  # (Symbol, value) pairs
    left: mpmath.mpf
    right: mpmath.mpf

    def sides(self) -> tuple[str, str]:
        """Both values, with as many digits as it takes to tell them apart."""
        for digits in (10, 15, 20, 30, DIGITS):
            left, right = mpmath.nstr(self.left, digits), mpmath.nstr(self.right, digits)
            if left != right:
                return left, right
        return mpmath.nstr(self.left, DIGITS), mpmath.nstr(self.right, DIGITS)

    def values(self, latex: bool = True) -> dict:
        name = naming.latex_name if latex else naming.text_name
        return {name(s.name): float(v) for s, v in self.symbols}

    def as_dict(self) -> dict:
        left, right = self.sides()
        return {"values": self.values(), "left": left, "right": right}


MISSING_MEAN = "the 1/m is missing"


@dataclass
class LinkVerdict:
    left: object
    right: object
    verdict: str  # "right" | "wrong" | "undecided"
    how: str = ""  # how it was established (for "undecided": why not)
    found: Diagnosis | None = None
    counterexample: Counterexample | None = None
    blame: int | None = None  # position in the chain of the member at fault (wrong links)
    link: int = 0  # this link joins members link and link + 1

    @property
    def diagnosis(self) -> str | None:
        """The diagnosis in LaTeX (JSON, --latex)."""
        return self.found.latex if self.found else None

    @property
    def diagnosis_text(self) -> str | None:
        """The diagnosis in plain Unicode (a terminal)."""
        return self.found.text if self.found else None

    @property
    def kind(self):
        return self.found.kind if self.found else None


class Checker:
    """Judges equation chains about one derivation (element by element networks)."""

    def __init__(self, d: Derivation, loss_name: str = "L"):
        if d.method != "elementwise":
            raise DeriveError(f"checking formulas needs the expanded loss; {d.arch.text} is too large, "
                              "check them on a smaller network of the same shape")
        self.d, self.net = d, d.network
        self.values = Values(d, sp.Symbol(loss_name))
        self.assumptions = self.net.label_assumptions() if d.pattern is not None else {}
        rng = np.random.default_rng(7)
        self.points = [self._point(rng) for _ in range(SCREEN_POINTS)]
        examples = np.random.default_rng(11)  # the other examples of a batch: their own inputs and labels
        for point in self.points:
            point.update(self._example_point(examples))
        self._evaluators = [Evaluator(point) for point in self.points]
        self._floats: dict = {}
        self._precise: dict = {}
        self._diagnosis_deadline: float | None = None
        self._general = False
        self._judge: Judge | None = None
        # x' in the node's own value (σ' = x (1 - x), …): the rewrite rules in named quantities
        self._rules = {}
        for layer, primes in self.net.derivatives.items():
            entry = activation(d.arch.activations[layer - 2])
            for i, prime in enumerate(primes, start=1):
                self._rules[prime] = entry.from_output(naming.node(layer, i), naming.preactivation(layer, i))
        self._named_points: dict = {}
        self._named_evaluators: dict = {}
        self._examples = 1  # the examples of the batch formula being judged (their named values at the points)
        self._batch_loss = "mean"  # their cost: the mean or the sum of their losses

    @property
    def loss_symbol(self) -> sp.Symbol:
        return self.values.loss_symbol

    # ---------------------------------------------------------------------------------
    def check(self, parts: list, general: bool = False) -> list[LinkVerdict]:
        """The verdict of each link of the chain ``parts``; ``general``: the parts are one instance
        of a formula with free indices (its ∂L/∂w label is generic, so a right side that is
        another parameter's derivative is an index mistake, not another parameter)."""
        self._general = general
        absent = sorted({s for part in parts for s in _missing(part)}, key=_symbol_order)
        if len(parts) < 2 and absent:
            raise DeriveError(f"{naming.text_name(absent[0].name)} does not exist ({absent[0].why})")
        if len(parts) < 2:
            raise DeriveError("nothing to check: write an equation, like \\frac{\\partial MSE}{\\partial w_{11}^{(2)}} = …")
        names = sorted({s.name for p in parts for s in _free(p) if not isinstance(s, naming.NetworkSymbol)})
        if len(names) > 1:
            raise DeriveError(f"one formula, two names for the loss: {' and '.join(names)}; write one of them")
        parts = [sp.ImmutableMatrix(p) if isinstance(p, sp.MatrixBase) else p for p in parts]
        parts = [self._rename_loss(p) for p in parts]
        deadline = time.monotonic() + CHECK_SECONDS
        verdicts = []
        for k, (a, b) in enumerate(itertools.pairwise(parts)):
            verdict = self._link(a, b, deadline)
            verdict.link = k
            if verdict.blame is not None:  # _link blames a side of its own link
                verdict.blame += k
            verdicts.append(verdict)
        self._blame(parts, verdicts)
        return verdicts

    def judge(self, latex: str, loss_names: tuple | None = None, notation=None,
              batch: bool | None = None) -> list[LinkVerdict]:
        """Read ``latex`` (an equation chain) in ``notation`` (a ``derive.notation.Notation``; None:
        the first preset under which it reads and binds) and judge every instance of it; vectors
        or matrices whose shapes do not fit together make one wrong verdict of kind "shape".
        A formula the reference notation's one preset cannot bind is read in its other preset
        (arrows or layer, ``formula.REFERENCE``). ``batch``: the article's quantities are batches of examples (True), so
        a parameter's gradient, a sum over the examples, is a batch formula too; a batch formula is
        judged over a batch of examples where the notation defines the batch's cost, else for one
        example only and never called right (``formula.read_claims``)."""
        from derive.judge import formula

        try:
            try:
                chosen = notation or formula.choose(latex, self.d.arch, loss_name=chosen_loss_name(loss_names))
                found = formula.read_claims(latex, chosen, self.d.arch, batch_of_examples=bool(batch))
            except ShapeError:
                raise
            except MissingLabel as missing:
                text = str(missing) + self._label_fix(latex, chosen, missing)
                return [LinkVerdict(None, None, "wrong", str(missing),
                                    Diagnosis("wrong-parameter", text.replace("{", "{{").replace("}", "}}")), blame=0)]
            except DeriveError as error:
                if notation is None or notation.name not in formula.REFERENCE or notation.symbols or \
                        _binds(latex, notation, self.d.arch):
                    raise
                try:  # w_{21}^{(2)} where the arrows were expected, or back
                    other = formula.choose(latex, self.d.arch, loss_name=chosen_loss_name(loss_names),
                                           candidates=tuple(n for n in formula.REFERENCE if n != notation.name))
                except DeriveError:
                    raise error from None
                return self.judge(latex, loss_names, other, batch)
            verdicts = self._judged(found)
            examples = found.conventions.examples
            if examples > 1:
                self._one_example_diagnoses(latex, chosen, verdicts)
                self._missing_mean_confirmed(latex, chosen, batch, examples, verdicts)
                sizes = str(examples)
                if any(v.verdict == "right" for v in verdicts):
                    sizes = self._larger_batch(latex, chosen, batch, examples, verdicts)
                for v in verdicts:
                    v.how += (f" (judged over batches of m = {sizes} examples, each with its own inputs and labels, "
                              f"the weights shared, the cost the {found.conventions.batch_loss} of the examples' "
                              "losses)")
            if found.batch:
                for v in verdicts:
                    if v.verdict == "right":
                        v.verdict = "undecided"
                        v.how = ("a batch formula (a sum over the examples) is proven for one example (m = 1) only: "
                                 + v.how)
            return verdicts
        except ShapeError as error:
            return [LinkVerdict(None, None, "wrong", "the shapes do not fit together",
                                Diagnosis(getattr(error, "kind", "shape"),
                                          str(error).replace("{", "{{").replace("}", "}}")))]

    def _judged(self, claims) -> list[LinkVerdict]:
        """``claims`` judged by this checker's one Judge (made when first needed)."""
        if self._judge is None:
            self._judge = Judge(self)
        return self._judge.judge(claims)

    def _one_example_diagnoses(self, latex: str, notation, verdicts: list) -> None:
        """A batch formula shown wrong without a named mistake (the single changes are tried on
        the batch's sum, where a mistake inside each example's term is not one change) takes the
        mistake found for one example, when that link is wrong for one example too."""
        from derive.judge import formula
        from derive.judge.meaning import claims

        if not any(v.verdict == "wrong" and v.found is None for v in verdicts):
            return
        try:
            one = self._judged(claims(formula.members(latex, notation, self.d.arch), self.d.arch,
                                           Conventions.of(notation),
                                           loss_symbol=formula.loss_symbol(latex, notation, self.d.arch)))
        except DeriveError:
            return
        for k, v in enumerate(verdicts):
            found = one[k].found if k < len(one) and one[k].verdict == "wrong" else None
            if v.verdict == "wrong" and v.found is None and found is not None:
                v.found = Diagnosis(found.kind, found.template + " (as found for one example)", found.pieces)

    def _missing_mean_confirmed(self, latex: str, notation, batch, examples: int, verdicts: list) -> None:
        """"The 1/m is missing" only when the factor is m at a second batch size too (4/m over four
        examples is off by m, over five by 4): otherwise the larger batch's diagnosis is given."""
        from derive.judge import formula

        suspects = [k for k, v in enumerate(verdicts) if v.found is not None and MISSING_MEAN in v.found.template]
        if not suspects:
            return
        try:
            larger = self._judged(formula.read_claims(latex, notation, self.d.arch,
                                                           batch_of_examples=bool(batch), after=examples))
        except DeriveError:
            return
        for k in suspects:
            again = larger[k].found if k < len(larger) and larger[k].verdict == "wrong" else None
            if again is None or MISSING_MEAN not in again.template:
                verdicts[k].found = again

    def _larger_batch(self, latex: str, notation, batch, examples: int, verdicts: list) -> str:
        """A batch formula is a claim for every batch size: its links proven right over m examples are
        judged again over a larger batch, and keep "right" only when proven there too (a wrong or an
        undecided verdict there replaces it). The sizes judged, as text."""
        from derive.judge import formula

        try:
            other = formula.read_claims(latex, notation, self.d.arch, batch_of_examples=bool(batch), after=examples)
            larger = self._judged(other) if other.conventions.examples > examples else []
        except ShapeError as error:
            larger = [LinkVerdict(None, None, "wrong", "the shapes do not fit together",
                                  Diagnosis(getattr(error, "kind", "shape"), str(error).replace("{", "{{").replace(
                                      "}", "}}")))] * len(verdicts)
            other = None
        if not larger:
            for v in verdicts:
                if v.verdict == "right":
                    v.verdict, v.how = "undecided", "proven for one batch size only: " + v.how
            return str(examples)
        for k, v in enumerate(verdicts):
            if v.verdict == "right" and k < len(larger) and larger[k].verdict != "right":
                verdicts[k] = larger[k]
        size = other.conventions.examples if other is not None else examples + 1
        return f"{examples} and {size}"

    def _label_fix(self, latex: str, notation, missing) -> str:
        """"; the right side is the derivative by the weights from layer p to p+1" when moving the
        label to one weight matrix that exists makes the formula right."""
        from derive.judge import formula
        from derive.judge.meaning import _map_quantities, claims, layer_text

        members = formula.members(latex, notation, self.d.arch)
        label = members[0]
        for layer in range(1, self.d.arch.depth):
            moved = _map_quantities(label, lambda q, p=layer: replace(q, layer=p) if q.kind == "weight" and (
                q.layer == missing.layer) else q)
            try:
                found = claims([moved, *members[1:]], self.d.arch, loss_symbol=self.loss_symbol)
                verdicts = self._judged(found)
            except DeriveError:
                continue
            if all(v.verdict == "right" for v in verdicts):
                first = notation.first_layer
                return (f"; the right side is the derivative by the weights from layer {layer_text(layer, first)} to "
                        f"{layer_text(layer + 1, first)}")
        return ""

    def _rename_loss(self, part):
        names = {s for s in _free(part) if not isinstance(s, naming.NetworkSymbol)}
        if names and self.values.loss_symbol.name == "L" and len(names) == 1:
            self.values.loss_symbol = names.pop()
            return part
        return part.xreplace({s: self.values.loss_symbol for s in names})

    def _blame(self, parts: list, verdicts: list[LinkVerdict]) -> None:
        """The member at fault in each wrong link: the one that differs from the chain's other
        members (A = C holds and A ≠ B: B), else the right one."""
        for v in verdicts:
            if v.verdict != "wrong" or v.blame is not None:
                continue
            k = v.link
            left_agrees = any(self._agree(parts[k], parts[m]) for m in range(len(parts)) if m not in (k, k + 1))
            right_agrees = any(self._agree(parts[k + 1], parts[m]) for m in range(len(parts))
                               if m not in (k, k + 1))
            if right_agrees and not left_agrees:
                v.blame = k
                reference = next(parts[m] for m in range(len(parts))
                                 if m not in (k, k + 1) and self._agree(parts[k + 1], parts[m]))
                found = self._diagnose(reference, parts[k])
                if found is not None:
                    v.found = found
            else:
                v.blame = k + 1

    def _agree(self, a, b) -> bool:
        """Whether two members agree at every screening point (numbers only: for blame)."""
        if _shape(a) != _shape(b):
            return False
        try:
            return all(self._close(x, y) for x, y in zip(_entries(a), _entries(b)))
        except (DeriveError, _OutOfTime):
            return False

    # ---------------------------------------------------------------------------------
    def _link(self, a, b, deadline: float) -> LinkVerdict:
        missing = _nonexistent_label(a, self.values)
        if missing is not None:
            return self._nonexistent(a, b, missing)
        absent = sorted({s for part in (a, b) for s in _missing(part)}, key=_symbol_order)
        if absent:  # certain without numbers
            return self._absent(a, b, absent)
        if _shape(a) != _shape(b):
            elementwise = self._elementwise_reading(a, b, deadline)
            if elementwise is not None:
                return elementwise
            verdict = LinkVerdict(a, b, "wrong", "the shapes differ")  # certain without numbers
            verdict.found = self._shape_diagnosis(a, b)
            return verdict
        screened = self._screen(a, b)
        different = [k for k, state in enumerate(screened) if state == "different"]
        equal = sum(state == "equal" for state in screened)
        why = detail = ""
        if len(different) < CONFIRMING_POINTS:
            try:
                with budget(max(0.1, min(PROOF_SECONDS, deadline - time.monotonic()))):
                    if self._proven(a, b, inside_diagnosis=False):
                        return LinkVerdict(a, b, "right", "symbolic proof: both sides written out in inputs, "
                                           "weights and labels, their difference simplifies to zero")
                    why = "not proven symbolically"
            except ProofBudgetExceeded as error:
                why, detail = "too large to prove symbolically", f" ({error})"
            except (RecursionError, MemoryError):
                why, detail = "too large to prove symbolically", " (the expression is nested too deep)"
        confirmed = self._confirmed_points(a, b)
        if len(confirmed) < CONFIRMING_POINTS:
            if not why:  # the float screen saw differences the precise numbers do not confirm
                why = "the sides differ in float64 but not at high precision"
            if equal == len(screened):
                return LinkVerdict(a, b, "undecided", f"{why}, numerically equal at {equal} points{detail}")
            seen = (f"equal at {len(self.points) - len(confirmed)} and really different at {len(confirmed)} "
                    f"of {len(self.points)} points at {DIGITS} digits")
            return LinkVerdict(a, b, "undecided", f"{why}, and the numbers do not settle it: {seen}{detail}")
        verdict = LinkVerdict(a, b, "wrong", f"the two sides differ at {len(confirmed)} of {len(self.points)} "
                                             f"random points ({DIGITS}-digit arithmetic)")
        if not isinstance(a, sp.MatrixBase):
            verdict.counterexample = self._counterexample(a, b, confirmed[0])
        verdict.found = self._diagnose(a, b, deadline)
        return verdict

    def _elementwise_reading(self, a, b, deadline: float) -> LinkVerdict | None:
        """∂o/∂z = o ⊙ (1 - o): a Jacobian (n × n) written as a vector of n entries, as people write
        the derivative of an elementwise function. When the Jacobian is proven diagonal, the link
        is its diagonal against the vector; otherwise None (the shapes simply differ)."""
        if _is_square(a) and _is_vector(b):
            square, vector = a, b
        elif _is_square(b) and _is_vector(a):
            square, vector = b, a
        else:
            return None
        if square.shape[0] != len(vector) or square.shape[0] < 2:
            return None
        n = square.shape[0]
        try:
            with budget(max(0.1, min(PROOF_SECONDS, deadline - time.monotonic()))):
                if not all(self._close(square[i, j], sp.Integer(0)) and self._proven(square[i, j], sp.Integer(0), False)
                           for i in range(n) for j in range(n) if i != j):
                    return None
        except ProofBudgetExceeded:
            return None
        diagonal = sp.ImmutableMatrix([square[i, i] for i in range(n)])
        column = sp.ImmutableMatrix(list(vector))
        left, right = (diagonal, column) if square is a else (column, diagonal)
        verdict = self._link(left, right, deadline)
        note = "read elementwise (the Jacobian is diagonal: its diagonal against the vector)"
        verdict.how = f"{verdict.how}; {note}" if verdict.how else note
        verdict.left, verdict.right = a, b
        return verdict

    def _diagnose(self, a, b, deadline: float | None = None) -> Diagnosis | None:
        start = time.monotonic()
        limit = start + DIAGNOSIS_SECONDS
        if deadline is not None:
            limit = min(limit, deadline + DIAGNOSIS_SECONDS)
        self._diagnosis_deadline = limit
        try:
            with budget(max(0.0, limit - time.monotonic())):
                if isinstance(a, sp.MatrixBase):
                    return self._matrix_diagnosis(a, b)
                return self._diagnosis(a, b)
        except (_OutOfTime, ProofBudgetExceeded, RecursionError, MemoryError):
            return None
        finally:
            self._diagnosis_deadline = None

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

    def _example_point(self, rng) -> dict:
        """Inputs and labels of the examples 2 … ``formula.EXAMPLES`` of a batch."""
        from derive.judge.formula import EXAMPLES

        values = {}
        for e in range(2, EXAMPLES + 1):
            for x in self.net.inputs:
                values[example_leaf(x, e)] = float(rng.uniform(-1, 1))
            labels = loss_entry(self.d.arch.loss).sample(rng, (len(self.net.labels),))
            values.update({example_leaf(y, e): float(v) for y, v in zip(self.net.labels, labels)})
        return values

    def _written(self, expr):
        return self.values.value(expr)

    def _numbers(self, expr, k: int) -> float:
        """``expr`` at screening point ``k`` in float64 (NaN where it has no finite value)."""
        deadline = self._diagnosis_deadline
        if deadline is not None and time.monotonic() > deadline:
            raise _OutOfTime
        key = (expr, self.values._loss_override)
        if key not in self._floats:
            named = self.values.in_named(expr)
            if named is not None and not any(e.has(sp.Derivative) for e in _entries(named)):
                self._floats[key] = (True, named)
            else:
                self._floats[key] = (False, rewritten(self._written(expr)))
        in_named, value = self._floats[key]
        try:
            with np.errstate(all="ignore"):
                evaluate = self._named_evaluator(k) if in_named else self._evaluators[k]
                value = float(evaluate(value))
        except (KeyError, TypeError, ValueError, ZeroDivisionError, OverflowError):
            return float("nan")
        return value if np.isfinite(value) else float("nan")

    def _precise_number(self, expr, k: int):
        key = (expr, k)
        if key not in self._precise:
            named = self.values.in_named(expr)
            if named is not None and not any(e.has(sp.Derivative) for e in _entries(named)):
                self._precise[key] = precise(named, self._named_point(k, precisely=True))
            else:
                self._precise[key] = precise(self._written(expr), self.points[k])
        return self._precise[key]

    def _named_point(self, k: int, precisely: bool = False) -> dict:
        """Screening point ``k`` with the value of every named quantity (x, x', z, δ) added:
        a forward pass through the definitions, then δ as recognized."""
        key = (k, precisely, self._examples)
        if key not in self._named_points:
            values = dict(self.points[k])
            if precisely:
                def number(expr):
                    return precise(expr, values)
            else:
                def number(expr):
                    with np.errstate(all="ignore"):
                        return float(Evaluator(values)(expr))
            for symbol, definition in self.net.definitions.items():
                if symbol != LOSS:
                    values[symbol] = number(definition)
            for function, prime in self.net.derivative_names.items():
                if prime not in values:
                    values[prime] = number(function)
            for delta, named in self.values.deltas.items():
                values[delta] = number(named)
            values.update(self._example_named(k, precisely))
            if any(v is None for v in values.values()):
                values = {s: v for s, v in values.items() if v is not None}
            self._named_points[key] = values
        return self._named_points[key]

    def _named_evaluator(self, k: int) -> Evaluator:
        key = (k, self._examples)
        if key not in self._named_evaluators:
            self._named_evaluators[key] = Evaluator(self._named_point(k))
        return self._named_evaluators[key]

    def _example_named(self, k: int, precisely: bool) -> dict:
        """The named quantities of the examples 2 … of the batch being judged at point ``k``: the
        forward pass and δ with each example's own inputs and labels."""
        point, found = self.points[k], {}

        def number(expr, where):
            if precisely:
                return precise(expr, where)
            with np.errstate(all="ignore"):
                return float(Evaluator(where)(expr))

        for e in range(2, self._examples + 1):
            values = {s: v for s, v in point.items() if s in self.net.all_parameters}
            values.update({leaf: point[example_leaf(leaf, e)] for leaf in (*self.net.inputs, *self.net.labels)})
            for symbol, definition in self.net.definitions.items():
                if symbol != LOSS:
                    values[symbol] = number(definition, values)
            for function, prime in self.net.derivative_names.items():
                if prime not in values:
                    values[prime] = number(function, values)
            for delta, named in self.values.deltas.items():
                values[delta] = number(named, values)
            found.update({example_leaf(s, e): v for s, v in values.items()
                          if s not in self.net.all_parameters and v is not None})
        return found

    def _confirmed_points(self, a, b) -> list[int]:
        """The points where the sides really differ, at DIGITS digits."""
        found = []
        for k in range(len(self.points)):
            for x, y in zip(_entries(a), _entries(b)):
                left, right = self._precise_number(x, k), self._precise_number(y, k)
                if left is None or right is None:
                    continue
                with mpmath.workdps(DIGITS):
                    if abs(left - right) > PRECISE_DIFFERENT * max(1, abs(left), abs(right)):
                        found.append(k)
                        break
        return found

    def _screen(self, a, b) -> list[str]:
        """Per point: "equal", "different" (clearly, all entries finite) or "unknown"."""
        pairs = list(zip(_entries(a), _entries(b)))
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
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
            return _shape(a) == _shape(b) and all(self._close(x, y) for x, y in zip(_entries(a), _entries(b)))
        for k in range(len(self.points)):
            x, y = self._numbers(a, k), self._numbers(b, k)
            if not abs(x - y) <= TOLERANCE * max(1.0, abs(x), abs(y)):  # False for NaN
                return False
        return True

    def _counterexample(self, a, b, k: int) -> Counterexample:
        """The formula's own symbols at point ``k`` (where the sides differ), and both sides."""
        named = sorted({s for s in _free(a) | _free(b) if isinstance(s, naming.NetworkSymbol)}, key=_symbol_order)
        shown = []
        for s in named:
            value = self._precise_number(s, k)
            if value is not None:
                shown.append((s, value))
        return Counterexample(tuple(shown), self._precise_number(a, k), self._precise_number(b, k))

    # proof -----------------------------------------------------------------------------
    def _proven(self, a, b, inside_diagnosis: bool = True) -> bool:
        """Proven equal: in exponentials (tried first, for at most ``EXP_PROOF_SECONDS``), as they
        stand, or with the rewrite rules."""
        try:
            if self._named_proof(a, b):
                return True
            left, right = self._written(a), self._written(b)
            if _shape(left) != _shape(right):
                return False
            if _elementary(left) or _elementary(right):  # written in exponentials: prove it there
                try:
                    with budget(EXP_PROOF_SECONDS):
                        if all(self._exp_proof(x, y) for x, y in zip(_entries(left), _entries(right))):
                            return True
                except ProofBudgetExceeded:
                    pass
            return equal_values(left, right, self.assumptions) or \
                equal_values(rewritten(left), rewritten(right), self.assumptions)
        except ProofBudgetExceeded:
            if not inside_diagnosis:
                raise
            if self._diagnosis_deadline is not None and time.monotonic() > self._diagnosis_deadline:
                raise _OutOfTime from None
            return False

    def _named_proof(self, a, b) -> bool:
        """Equal in the named quantities, taken as independent symbols (a sufficient condition,
        cheap where both sides are written in x, x', w, y, δ and ∂L/∂w)."""
        if self._stepped_proof(a, b):
            return True
        left, right = self.values.in_named(a), self.values.in_named(b)
        if left is None or right is None or _shape(left) != _shape(right):
            return False
        if any(e.has(sp.Derivative) for e in _entries(left) + _entries(right)):
            return False
        from derive.proof import _BUDGET

        limits = _BUDGET.get()
        for x, y in zip(_entries(left), _entries(right)):
            difference = x - y
            if self._named_zero(difference, limits):
                continue
            rules = self._example_rules()
            if not difference.free_symbols & set(rules):  # no x' to write as x (1 - x)
                return False
            if not self._named_zero(difference.xreplace(rules), limits):
                return False
        return True

    def _stepped_proof(self, a, b) -> bool:
        """Equal with the δs of both sides written down to the deepest layer either names (δ^l
        = x^l' ⊙ W^T δ^{l+1} a step at a time, those δs taken as independent symbols): a
        recursion over a deep network is proven without writing δ out to the output."""
        a, b = self.values.as_deltas(a), self.values.as_deltas(b)
        if a is None or b is None:
            return False
        layers = self.values.delta_layers(a) | self.values.delta_layers(b)
        if not self.values.delta_layers(a) or not self.values.delta_layers(b):
            return False
        left, right = self.values.in_steps(a, max(layers)), self.values.in_steps(b, max(layers))
        if left is None or right is None or _shape(left) != _shape(right):
            return False
        from derive.proof import _BUDGET

        limits = _BUDGET.get()
        rules = self._example_rules()
        try:
            return all(self._named_zero((x - y).xreplace(rules), limits) for x, y in zip(_entries(left),
                                                                                          _entries(right)))
        except ProofBudgetExceeded:
            return False

    def _example_rules(self) -> dict:
        """The rewrite rules x' → x (1 - x), also for the other examples of the batch being judged."""
        rules = dict(self._rules)
        for e in range(2, self._examples + 1):
            rules.update({self.values.of_example(p, e): self.values.of_example(rule, e)
                          for p, rule in self._rules.items()})
        return rules

    def _named_zero(self, difference, limits) -> bool:
        if self.assumptions:
            difference = difference.xreplace(self.assumptions)
        if difference == 0:
            return True
        def zero(e):
            return sp.expand(e) == 0 or (e.is_Add and sp.cancel(sp.together(e)) == 0)
        if limits is None:
            return zero(difference)
        terms = expanded_terms(difference)
        if terms > limits.terms:
            raise ProofBudgetExceeded(f"expanding it would give {terms:,} terms; proofs expand up to {limits.terms:,}")
        return bool(_within(limits, zero, difference))

    def _exp_proof(self, left, right) -> bool:
        difference = left - right
        if self.assumptions:
            difference = difference.xreplace(self.assumptions)
        if difference == 0:
            return True
        from derive.proof import _BUDGET

        limits = _BUDGET.get()
        if limits is None:
            return exp_atoms_zero(explicit(difference))
        return bool(_within(limits, lambda e: exp_atoms_zero(explicit(e)), difference))

    # diagnosis -------------------------------------------------------------------------
    def _diagnosis(self, a, b) -> Diagnosis | None:
        """The smallest change found that makes ``b`` equal ``a``: one mistake (possibly with a
        sign or a constant factor besides), else two."""
        searches = (self._factor, self._wrong_loss) if self._general else (
            self._other_parameter, self._factor, self._wrong_loss)
        for search in searches:
            found = search(a, b)
            if found:
                return found
        for candidate, diagnosis in self._single_fixes(b):
            found = self._fixes(a, candidate, diagnosis)
            if found:
                return found
        for first, diagnosis in self._structural_fixes(b):
            for candidate, second in self._symbol_fixes(first):
                if self._close(a, candidate) and self._proven(a, candidate):
                    return Diagnosis((diagnosis.kind, second.kind) if second.kind != diagnosis.kind else diagnosis.kind,
                                     diagnosis.template + "; " + second.template.format(
                                         *[f"{{{k + len(diagnosis.pieces)}}}" for k in range(len(second.pieces))]),
                                     diagnosis.pieces + second.pieces)
        return None

    def _single_fixes(self, b):
        yield from self._structural_fixes(b)
        yield from self._symbol_fixes(b)
        yield from self._bias_fixes(b)
        yield from self._swap_fixes(b)

    def _structural_fixes(self, b):
        """A transposed weight matrix (in vector and matrix formulas), σ' at the wrong argument, a σ'
        factor too many or missing."""
        if isinstance(b, sp.MatrixBase):
            yield from self._transposed_fixes(b)
            yield from self._vector_derivative_fixes(b)
            return
        yield from self._argument_fixes(b)
        yield from self._activation_derivative_fixes(b)

    def _vector_derivative_fixes(self, b):
        """⊙ x'^{(l)} missing: each row i multiplied by x_i^{(l)'} (layers as wide as b is tall)."""
        for layer in sorted(self.net.derivatives):
            primes = self.net.derivatives[layer]
            if len(primes) == b.shape[0]:
                fixed = sp.ImmutableMatrix(b.shape[0], b.shape[1], [b[i, j] * primes[i] for i in range(b.shape[0])
                                                                     for j in range(b.shape[1])])
                yield fixed, Diagnosis("missing-activation-derivative",
                                       f"a factor ⊙ x^({layer})' (the activation's derivative) is missing")
            if len(primes) == b.shape[1]:  # a row-vector notation: along the columns
                fixed = sp.ImmutableMatrix(b.shape[0], b.shape[1], [b[i, j] * primes[j] for i in range(b.shape[0])
                                                                     for j in range(b.shape[1])])
                yield fixed, Diagnosis("missing-activation-derivative",
                                       f"a factor ⊙ x^({layer})' (the activation's derivative) is missing")

    def _fixes(self, a, fix, diagnosis: Diagnosis) -> Diagnosis | None:
        """``diagnosis`` when ``fix`` (the right side corrected) equals ``a``, combined with a sign
        or a constant factor when it equals ``a`` up to one; None otherwise."""
        if self._close(a, fix):
            return diagnosis if self._proven(a, fix) else None
        factor = self._ratio(fix, a)
        if factor is None or factor == 1 or not self._proven(factor * fix, a):
            return None
        if factor == -1:
            return diagnosis.combined("sign", "and the sign is wrong")
        return diagnosis.combined("factor", f"and the right side is {_factor_text(1 / factor)} times the correct value")

    def _ratio(self, b, a):
        """The small rational r with a = r b at every point, or None."""
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
            return None
        ratios: list[float] = []
        for k in range(len(self.points)):
            left, right = self._numbers(a, k), self._numbers(b, k)
            if not (np.isfinite(left) and np.isfinite(right)) or abs(right) < 1e-12:
                return None
            ratios.append(left / right)
            if abs(ratios[-1] - ratios[0]) > 1e-8 * max(1.0, abs(ratios[0])):
                return None
        factor = sp.nsimplify(ratios[0], tolerance=1e-9, rational=True)
        if not factor.is_Rational or factor == 0 or abs(factor.p) > 64 or factor.q > 64:
            return None
        return factor

    def _other_parameter(self, a, b):
        if not isinstance(a, sp.Derivative) or a.expr != self.loss_symbol:
            return None
        (claimed, _), = a.variable_count
        for other in self.net.all_parameters:
            if other != claimed:
                candidate = sp.Derivative(self.loss_symbol, other, evaluate=False)
                if self._close(candidate, b) and self._proven(candidate, b):
                    return Diagnosis("wrong-parameter", "this equals {0}, not {1}", (
                        candidate, sp.Derivative(self.loss_symbol, claimed, evaluate=False)))
        return None

    def _factor(self, a, b):
        factor = self._ratio(a, b)  # b = factor · a
        if factor is None or factor == 1 or not self._proven(b, factor * a):
            return None
        if factor == -1:
            return Diagnosis("sign", "the sign is wrong")
        if factor < 0:
            return Diagnosis(("sign", "factor"), f"the sign is wrong and the right side is {_factor_text(-factor)} "
                             "times the correct value")
        if factor.q != 1 and factor.p == 1:
            return Diagnosis("factor", f"a factor {factor.q} is missing (the right side is 1/{factor.q} of the "
                             "correct value)")
        if self._examples > 1 and factor == self._examples and self._batch_loss == "mean":
            return Diagnosis("factor", f"{MISSING_MEAN}: over a batch of m = {factor} examples the right side is "
                             f"{factor} times the correct value")
        return Diagnosis("factor", f"off by a constant factor: the right side is {_factor_text(factor)} times the "
                         "correct value")

    def _wrong_loss(self, a, b):
        """The derivative of another loss: computed on this network with that loss, or, for the
        cross-entropies (whose gradient cancels the output σ'), the squared error's output σ'."""
        own = loss_entry(self.d.arch.loss)
        if own.name in ("bce", "cross-entropy"):
            L = self.d.arch.depth
            outputs = self.net.nodes[L]
            factors = [p for p in self.net.derivatives.get(L, [])] + sorted(
                (c for c in _derivative_calls(b) if _layer_of(c.args[0]) == L), key=sp.default_sort_key)
            factors += [x * (1 - x) for x in outputs]
            for factor in factors:
                for candidate in (b.xreplace({factor: 1}) if factor.is_Symbol or type(factor) in BY_DERIVATIVE
                                  else sp.cancel(b / factor),):
                    if candidate != b and self._close(a, candidate) and self._proven(a, candidate):
                        return Diagnosis("wrong-loss", f"this is the squared error's δ (with the output's σ'); "
                                         f"with the {own.description} the output's σ' cancels")
        if self.loss_symbol not in _free(a):
            return None
        for name, entry in LOSSES.items():
            if name == own.name:
                continue
            with self.values.with_loss(name):
                try:
                    matches = self._close(a, b) and self._loss_differs(a, own.name) and self._proven(a, b)
                except DeriveError:
                    matches = False
            if matches:
                return Diagnosis("wrong-loss", f"this is the derivative of the {entry.description} "
                                 f"({entry.equation}), not of this network's {own.description}")
        return None

    def _loss_differs(self, a, own: str) -> bool:
        """Under the swapped loss: ``a`` is not a constant multiple of its value under ``own``."""
        alternative = [self._numbers(a, k) for k in range(len(self.points))]
        with self.values.with_loss(None):
            actual = [self._numbers(a, k) for k in range(len(self.points))]
        ratios = [x / y for x, y in zip(alternative, actual) if abs(y) > 1e-12]
        return len(ratios) < len(actual) or max(ratios) - min(ratios) > 1e-8 * max(1.0, abs(ratios[0]))

    def _transposed_fixes(self, b):
        """Every weight of one square matrix with its indices swapped: the matrix transposed."""
        layers = sorted({parts["layer"] for s in _named(b) for parts in [naming.parse_symbol(s.name)]
                         if parts and parts["kind"] == "w"})
        for layer in layers:
            rows, cols = self.d.arch.widths[layer], self.d.arch.widths[layer - 1]
            present = {w for w in _named(b) if (naming.parse_symbol(w.name) or {}).get("layer") == layer
                       and (naming.parse_symbol(w.name) or {}).get("kind") == "w"}
            if rows != cols or rows < 2 or len(present) < 2:
                continue
            swap = {naming.weight(layer, i, j): naming.weight(layer, j, i)
                    for i in range(1, rows + 1) for j in range(1, cols + 1)}
            yield _xreplace(b, swap), Diagnosis("transposed", f"the weight matrix W{layer} should be transposed")

    def _argument_fixes(self, b):
        zs = [z for layer in sorted(self.net.preactivations) for z in self.net.preactivations[layer]]
        for call in sorted(_derivative_calls(b), key=sp.default_sort_key):
            argument = call.args[0]
            written_as = argument if _is_preactivation(argument) else next(
                (z for z in zs if not _is_node(argument) and self._close(argument, z)), None)
            for z in zs:
                if argument == z:
                    continue
                kind = "derivative-at-wrong-argument" if written_as is None else _symbol_kind(written_as, z)
                yield _xreplace(b, {call: call.func(z)}), Diagnosis(kind, "{0} should be {1}", (call, call.func(z)))

    def _activation_derivative_fixes(self, b):
        primes = [p for layer in sorted(self.net.derivatives) for p in self.net.derivatives[layer]]
        present = sorted((s for s in _named(b) if (naming.parse_symbol(s.name) or {}).get("kind") == "x'"),
                         key=_symbol_order)
        for p in present:  # one too many
            yield b / p, Diagnosis("extra-activation-derivative", "the factor {0} should not be there",
                                                  (p,))
        for call in sorted(_derivative_calls(b), key=sp.default_sort_key):
            yield _xreplace(b, {call: 1}), Diagnosis("extra-activation-derivative",
                                                     "the factor {0} should not be there", (call,))
        for layer in sorted(self.net.derivatives):  # σ' written in the node's value: x (1 - x)
            entry = activation(self.d.arch.activations[layer - 2])
            for i, x in enumerate(self.net.nodes[layer], start=1):
                if x in b.free_symbols:
                    written = entry.from_output(x, naming.preactivation(layer, i))
                    yield b / written, Diagnosis("extra-activation-derivative", "the factor {0} should not be there",
                                                 (written,))
        for p in primes:  # one missing, in the whole or in one term of a sum
            yield b * p, Diagnosis("missing-activation-derivative",
                                   "a factor {0} (the activation's derivative) is missing", (p,))
            for add in _sums(b, products=True):
                terms = list(add.args)
                for k, term in enumerate(terms):
                    candidate = _xreplace(b, {add: sp.Add(*terms[:k], term * p, *terms[k + 1:])})
                    yield candidate, Diagnosis("missing-activation-derivative",
                                               "in the term {0}: a factor {1} (the activation's derivative) is missing",
                                               (term, p))

    def _symbol_fixes(self, b):
        """One symbol for another, everywhere it occurs, or in one term of a sum only."""
        named = sorted(_named(b), key=_symbol_order)
        for s in named:
            for t in self._alternatives(s):
                note = " (the indices are transposed)" if _transposed(s, t) else ""
                yield _xreplace(b, {s: t}), Diagnosis(_symbol_kind(s, t, b), "{0} should be {1}" + note, (s, t))
        for add in _sums(b):
            terms = list(add.args)
            for k, term in enumerate(terms):
                symbols = sorted(_named(term), key=_symbol_order)
                if len(symbols) == len(named) and len(terms) == 1:
                    continue
                for s in symbols:
                    for t in self._alternatives(s):
                        candidate = _xreplace(b, {add: sp.Add(*terms[:k], _xreplace(term, {s: t}), *terms[k + 1:])})
                        yield candidate, Diagnosis(_symbol_kind(s, t, term), "in the term {0}: {1} should be {2}",
                                                   (term, s, t))
                for s, t in itertools.combinations(symbols, 2):
                    moved = _layers_swapped(s, t)
                    if moved:
                        candidate = _xreplace(b, {add: sp.Add(*terms[:k], _xreplace(term, moved), *terms[k + 1:])})
                        yield candidate, Diagnosis("wrong-layer", "in the term {0}: {1} and {2} are in each other's "
                                                   "layer ({3} and {4} belong there)",
                                                   (term, s, t, moved[s], moved[t]))

    def _bias_fixes(self, b):
        if not self.d.arch.bias:
            return
        for node in _sums(b):
            rows = set()
            for s in _named(node):
                parts = naming.parse_symbol(s.name) or {}
                if parts.get("kind") == "w":
                    rows.add((parts["layer"], parts["i"]))
            for layer, i in sorted(rows):
                bias = naming.bias(layer, i)
                if bias not in node.free_symbols:
                    yield _xreplace(b, {node: node + bias}), Diagnosis("missing-bias", "the bias {0} is missing", (bias,))
        for z in sorted((s for s in _named(b) if (naming.parse_symbol(s.name) or {}).get("kind") == "z"),
                        key=_symbol_order):
            parts = naming.parse_symbol(z.name) or {}
            bias = naming.bias(parts["layer"] - 1, parts["i"])
            yield _xreplace(b, {z: z - bias}), Diagnosis("missing-bias", "the bias {0} is missing", (bias,))

    def _swap_fixes(self, b):
        for s, t in itertools.combinations(sorted(_named(b), key=_symbol_order), 2):
            yield _xreplace(b, {s: t, t: s}), Diagnosis(_symbol_kind(s, t), "{0} and {1} are swapped", (s, t))

    def _alternatives(self, s):
        parts = naming.parse_symbol(s.name)
        if parts is None:
            return []
        net = self.net
        pools = {
            "x": [x for layer in range(1, net.arch.depth + 1) for x in net.nodes[layer]],
            "x'": [p for layer in net.derivatives for p in net.derivatives[layer]],
            "y": list(net.labels),
            "w": [w for p in net.weights for row in net.weights[p] for w in row],
            "b": [b for p in net.biases for b in net.biases[p]],
            "z": [z for layer in net.preactivations for z in net.preactivations[layer]],
        }
        kind = parts["kind"]
        same = pools.get(kind, [])
        others = {"x": ("x'", "z", "y"), "x'": ("x",), "y": ("x",), "z": ("x",)}.get(kind, ())
        return [t for t in same + [t for k in others for t in pools[k]] if t != s]

    def _shape_diagnosis(self, a, b) -> Diagnosis:
        if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) and a.shape == b.T.shape:
            try:
                with budget(DIAGNOSIS_SECONDS):
                    if self._close_all(a, b.T) and self._proven(a, b.T):
                        return Diagnosis("shape", f"the right side is the transpose of the left "
                                         f"({b.shape[0]}×{b.shape[1]} instead of {a.shape[0]}×{a.shape[1]})")
            except (ProofBudgetExceeded, _OutOfTime):
                pass
        return Diagnosis("shape", f"the shapes differ: {_shape_text(a)} and {_shape_text(b)}")

    def _close_all(self, a, b) -> bool:
        return all(self._close(x, y) for x, y in zip(_entries(a), _entries(b)))

    def _matrix_diagnosis(self, a, b) -> Diagnosis | None:
        wrong = [(i, j) for i in range(a.shape[0]) for j in range(a.shape[1]) if not self._close(a[i, j], b[i, j])]
        if not wrong:
            return None
        if a.shape == a.T.shape and a.shape[0] > 1 and self._close_all(a, b.T) and self._proven(a, b.T):
            return Diagnosis("transposed", "the right side is the transpose of the left")
        structural = list(self._structural_fixes(b))
        for candidate, diagnosis in structural:
            if self._close(a, candidate) and self._proven(a, candidate):
                return diagnosis
        for first, diagnosis in structural:
            for candidate, second in self._structural_fixes(first):
                if second.kind != diagnosis.kind and self._close(a, candidate) and self._proven(a, candidate):
                    return Diagnosis((diagnosis.kind, second.kind), diagnosis.template + "; " + second.template)
        entries = ", ".join(f"({i + 1},{j + 1})" for i, j in wrong)
        first = wrong[0]
        detail = self._diagnosis(a[first], b[first])
        text = f"entries {entries} are wrong" if len(wrong) > 1 else f"entry {entries} is wrong"
        if detail is None:
            return Diagnosis("symbol", text)
        escaped = text.replace("{", "{{").replace("}", "}}")
        return Diagnosis(detail.kind, f"{escaped}; in entry ({first[0] + 1},{first[1] + 1}): " + detail.template,
                         detail.pieces)

    def _absent(self, a, b, absent: list) -> LinkVerdict:
        """A formula that names a quantity the network does not have: wrong (index out of
        range), with the existing quantity that makes it right when one does."""
        s = absent[0]
        side = 1 if s in _missing(b) else 0
        verdict = LinkVerdict(a, b, "wrong", f"{naming.latex_name(s.name)} does not exist in {self.d.arch.text}",
                              blame=side)
        found = Diagnosis("index", "{0} does not exist (" + s.why + ")", (s,))
        if len(absent) == 1:
            self._diagnosis_deadline = time.monotonic() + DIAGNOSIS_SECONDS
            try:
                with budget(DIAGNOSIS_SECONDS):
                    fixed, other = (b, a) if side else (a, b)
                    for t in self._alternatives(s):
                        if (naming.parse_symbol(t.name) or {}).get("kind") != (naming.parse_symbol(s.name) or {}).get(
                                "kind"):
                            continue
                        candidate = _xreplace(fixed, {s: t})
                        if self._close(other, candidate) and self._proven(other, candidate):
                            found = Diagnosis("index", "{0} does not exist (" + s.why + "); it should be {1}", (s, t))
                            break
            except (_OutOfTime, ProofBudgetExceeded):
                pass
            finally:
                self._diagnosis_deadline = None
        verdict.found = found
        return verdict

    def _nonexistent(self, a, b, missing) -> LinkVerdict:
        verdict = LinkVerdict(a, b, "wrong", f"{naming.latex_name(missing.name)} is not a parameter of "
                                             f"{self.d.arch.text}")
        verdict.blame = 0
        really = None
        try:
            with budget(DIAGNOSIS_SECONDS):
                self._diagnosis_deadline = time.monotonic() + DIAGNOSIS_SECONDS
                for other in self.net.all_parameters:
                    candidate = sp.Derivative(self.loss_symbol, other, evaluate=False)
                    if self._close(candidate, b) and self._proven(candidate, b):
                        really = candidate
                        break
        except (_OutOfTime, ProofBudgetExceeded):
            pass
        finally:
            self._diagnosis_deadline = None
        shape = _parameter_shape_text(missing, self.d.arch)
        if really is not None:
            verdict.found = Diagnosis("wrong-parameter", "{0} does not exist in " + self.d.arch.text + shape +
                                      "; the right side is {1}", (missing, really))
        else:
            verdict.found = Diagnosis("wrong-parameter", "{0} does not exist in " + self.d.arch.text + shape,
                                      (missing,))
        return verdict


FORMULA_SECONDS = 40.0  # for every instance of one formula with free indices


class Judge:
    """Judges formulas with free indices: every instance, on every network it speaks of (one
    ``Checker`` per network)."""

    def __init__(self, checker, loss_name: str = "L"):
        """``checker``: the Checker of the network (or its Derivation, for a new Checker)."""
        if not isinstance(checker, Checker):
            checker = Checker(checker, loss_name)
        self.d = checker.d
        self.loss_name = checker.loss_symbol.name
        self._checkers: dict = {checker.d.arch: checker}
        self._examples, self._batch_loss = 1, "mean"

    def checker(self, arch) -> Checker:
        if arch not in self._checkers:
            from derive.derivation import derive

            self._checkers[arch] = Checker(derive(arch), self.loss_name)
        checker = self._checkers[arch]
        checker._examples = self._examples  # the batch being judged (1: one example)
        checker._batch_loss = self._batch_loss
        return checker

    def judge(self, claims) -> list[LinkVerdict]:
        """One verdict per link over every instance of ``claims`` (``derive.judge.meaning``)."""
        instances = claims.instances
        if not instances:
            raise DeriveError("the formula has no index value for which every quantity exists")
        self._examples, self._batch_loss = claims.conventions.examples, claims.conventions.batch_loss
        general = bool(claims.free)
        if not general:
            instance = instances[0]
            verdicts = self.checker(instance.arch).check(instance.parts)
            for v in verdicts:  # a whole quantity of the wrong layer, an index: corrections of the tree
                if v.verdict == "wrong" and v.left is not None and (
                        v.found is None or isinstance(v.left, sp.MatrixBase) and v.found.kind == "symbol"):
                    v.found = self._index_fix(claims, instance, v) or v.found
            return verdicts
        deadline = time.monotonic() + FORMULA_SECONDS
        links = len(instances[0].parts) - 1
        first_wrong: list = [None] * links
        first_undecided: list = [None] * links
        judged = 0
        for instance in instances:
            if time.monotonic() > deadline:
                break
            verdicts = self.checker(instance.arch).check(instance.parts, general=True)
            judged += 1
            for k, v in enumerate(verdicts):
                if v.verdict == "wrong" and first_wrong[k] is None:
                    first_wrong[k] = (instance, v)
                elif v.verdict == "undecided" and first_undecided[k] is None:
                    first_undecided[k] = (instance, v)
            if all(w is not None for w in first_wrong):
                break
        networks = ", ".join(dict.fromkeys(a.text for a in claims.architectures))
        ranges = _ranges(instances)
        result = []
        for k in range(links):
            if first_wrong[k] is not None:
                instance, v = first_wrong[k]
                where = f"at {instance.where} in {instance.arch.text}: "
                found = self._index_fix(claims, instance, v) or v.found
                if claims.shadowed:
                    letters = ", ".join(claims.shadowed)
                    found = Diagnosis("index", f"the sum's index {letters} is also the formula's free index "
                                      f"{letters}: the sum shadows it")
                if found is not None:
                    found = Diagnosis(found.kind, where.replace("{", "{{").replace("}", "}}") + found.template,
                                      found.pieces)
                result.append(LinkVerdict(v.left, v.right, "wrong", where + v.how, found, v.counterexample,
                                          v.blame, k))
            elif first_undecided[k] is not None:
                instance, v = first_undecided[k]
                result.append(LinkVerdict(v.left, v.right, "undecided",
                                          f"{v.how} (at {instance.where} in {instance.arch.text})", link=k))
            elif judged < len(instances):
                result.append(LinkVerdict(None, None, "undecided", f"proven for {judged} of {len(instances)} index "
                                          f"values; the time for the formula ({FORMULA_SECONDS:g} s) ran out",
                                          link=k))
            else:
                result.append(LinkVerdict(None, None, "right", f"symbolic proof for every index value ({ranges}) "
                                          f"on {networks}", link=k))
        return result


    def _index_fix(self, claims, instance, v) -> Diagnosis | None:
        """A correction of the wrong member's indices that makes the instance right."""
        from derive.judge.meaning import index_mutations

        checker = self.checker(instance.arch)
        k = v.link
        wrong = v.blame if v.blame is not None else k + 1
        other = instance.parts[k] if wrong == k + 1 else instance.parts[k + 1]
        other = checker._rename_loss(other)
        start = time.monotonic()
        node_letters = tuple(letter for letter in claims.free if letter not in ("l", "L"))
        for mutated, text, kind in index_mutations(claims.members[wrong], node_letters,
                                                   claims.conventions.first_layer):
            if time.monotonic() - start > DIAGNOSIS_SECONDS:
                return None
            try:
                candidate = checker._rename_loss(claims.rebuilt(instance, mutated))
                if _shape(candidate) == _shape(other) and checker._close(other, candidate) and \
                        checker._proven(other, candidate):
                    return Diagnosis(kind, text.replace("{", "{{").replace("}", "}}"))
            except (DeriveError, _OutOfTime, ProofBudgetExceeded):
                continue
        return None


def _binds(latex: str, notation, arch) -> bool:
    """Whether ``latex`` reads and binds in ``notation`` (then a failure is not the notation's)."""
    from derive.judge import formula

    try:
        formula.members(latex, notation, arch)
    except DeriveError:
        return False
    return True


def _ranges(instances) -> str:
    """l = 2…3, j = 1…3: the values each free letter took."""
    values: dict = {}
    for instance in instances:
        for letter, value in instance.assignment:
            values.setdefault(letter, set()).add(value)
    return ", ".join(f"{letter} = {min(v)}…{max(v)}" if len(v) > 1 else f"{letter} = {min(v)}"
                     for letter, v in values.items())


class _OutOfTime(Exception):
    """The diagnosis search ran past ``DIAGNOSIS_SECONDS``."""


def _nonexistent_label(part, values: Values):
    """The parameter a derivative ∂L/∂w is taken by, when the network has no such parameter."""
    if isinstance(part, sp.Derivative) and part.expr == values.loss_symbol and len(part.variables) == 1:
        variable = part.variables[0]
        parts = naming.parse_symbol(getattr(variable, "name", ""))
        if parts and parts["kind"] in ("w", "b") and variable not in values.leaves:
            return variable
    return None


def _missing(part) -> set:
    """The quantities a part names that the network does not have (a ∂L/∂w label aside)."""
    entries = _entries(part)
    found = set()
    for entry in entries:
        labels = set()
        if isinstance(entry, sp.Derivative) and not isinstance(entry.expr, naming.NetworkSymbol):
            labels = set(entry.variables)
        symbols = entry.free_symbols | set().union(*[d.variables for d in entry.atoms(sp.Derivative)])
        found |= {s for s in symbols if isinstance(s, naming.MissingSymbol) and s not in labels}
    return found


def _parameter_shape_text(symbol, arch) -> str:
    parts = naming.parse_symbol(symbol.name) or {}
    layer = parts.get("layer", 0)
    if parts.get("kind") == "w" and 1 <= layer < arch.depth:
        return f" (W{layer} is {arch.widths[layer]}×{arch.widths[layer - 1]})"
    return ""


def _factor_text(factor) -> str:
    return str(factor)


def _is_square(part) -> bool:
    return isinstance(part, sp.MatrixBase) and part.shape[0] == part.shape[1]


def _is_vector(part) -> bool:
    return isinstance(part, sp.MatrixBase) and min(part.shape) == 1


def _shape(part) -> tuple | None:
    return part.shape if isinstance(part, sp.MatrixBase) else None


def _shape_text(part) -> str:
    return f"{part.shape[0]}×{part.shape[1]}" if isinstance(part, sp.MatrixBase) else "a scalar"


def _entries(part) -> list:
    return list(part) if isinstance(part, sp.MatrixBase) else [part]


def _free(part) -> set:
    if isinstance(part, sp.MatrixBase):
        return set().union(*[e.free_symbols for e in part]) if part else set()
    return part.free_symbols


def _named(expr) -> set:
    return {s for s in expr.free_symbols if isinstance(s, naming.NetworkSymbol) and naming.parse_symbol(s.name)}


def _derivative_calls(expr) -> set:
    return {node for node in sp.preorder_traversal(expr) if type(node) in BY_DERIVATIVE}


def _elementary(value) -> bool:
    """Whether a written-out value uses exponentials, logarithms or tanh of its own."""
    return any(e.has(sp.exp, sp.tanh) for e in _entries(value))


def _xreplace(expr, mapping: dict):
    return expr.xreplace(mapping)


def _sums(expr, products: bool = False) -> list:
    """The sums inside ``expr`` (itself first when it is one), each once, in a fixed order;
    ``products``: only sums of two or more products (the terms a factor can be missing from)."""
    found = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Add) and node not in found:
            if products and sum(term.is_Mul for term in node.args) < 2:
                continue
            found.append(node)
    return found


def _layer_of(expr) -> int | None:
    parts = naming.parse_symbol(expr.name) if isinstance(expr, sp.Symbol) else None
    return parts.get("layer") if parts else None


def _is_node(expr) -> bool:
    parts = naming.parse_symbol(expr.name) if isinstance(expr, sp.Symbol) else None
    return parts is not None and parts["kind"] == "x"


def _is_preactivation(expr) -> bool:
    parts = naming.parse_symbol(getattr(expr, "name", "")) if isinstance(expr, sp.Symbol) else None
    return parts is not None and parts["kind"] == "z"


def _symbol_kind(s, t, within=None) -> str:
    """The kind of the mistake "s should be t" (in the expression ``within``): a node value
    where its own pre-activation belongs, inside a function (σ'(x), 1 - tanh(x)^2), is the
    activation's derivative taken at the wrong argument."""
    a = naming.parse_symbol(getattr(s, "name", "")) if isinstance(s, sp.Symbol) else None
    b = naming.parse_symbol(getattr(t, "name", "")) if isinstance(t, sp.Symbol) else None
    if a and b and a["kind"] == "x" and b["kind"] == "z" and (a["layer"], a["i"]) == (b["layer"], b["i"]) \
            and within is not None and any(isinstance(f, sp.Function) and s in f.free_symbols
                                           for f in sp.preorder_traversal(within)):
        return "derivative-at-wrong-argument"
    if not a or not b or a["kind"] != b["kind"]:
        return "symbol"
    if a.get("layer") != b.get("layer"):
        return "wrong-layer"
    return "index"


def _symbol_order(symbol):
    parts = naming.parse_symbol(symbol.name) or {}
    order = {"x": 0, "x'": 1, "z": 2, "w": 3, "b": 4, "y": 5}
    return (order.get(parts.get("kind"), 9), parts.get("layer", 0), parts.get("i", 0), parts.get("j", 0), symbol.name)


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
    if a is None or b is None:
        return False
    return a["kind"] == "w" and b["kind"] == "w" and a["layer"] == b["layer"] and (a["i"], a["j"]) == (b["j"], b["i"])
