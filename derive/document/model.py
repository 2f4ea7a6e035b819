"""The document model: sections of text and equations, every equation a chain of SymPy
objects ``parts[0] = parts[1] = …`` whose values are proven equal before it is written.

Compact forms use matrix symbols (``vector(3)`` is x^(3), ``matrix(2)`` is W^(2→3), …),
``Elementwise`` (a function applied to each entry), ``Hadamard`` (⊙) and ``Nabla`` (the
gradient matrix of the loss). ``Document.value`` turns any part into explicit SymPy: scalars
written out in inputs, weights and labels, matrices entry by entry, ∂L/∂w by differentiating
the expanded loss with SymPy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from derive import naming
from derive.activations import Softmax, activation
from derive.errors import DeriveError
from derive.proof import Prover, rank


@dataclass
class Text:
    text: str  # prose; inline math between $ … $


@dataclass
class Equation:
    parts: list
    notes: list = field(default_factory=list)  # one short remark per part after the first, or []
    definition: bool = False  # parts[0] is a new name for parts[1]: nothing to prove


@dataclass
class Diagram:
    """The network drawn with every edge labelled by its weight."""


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)


class Elementwise(sp.MatrixExpr):
    """An activation (named by a symbol) applied to every entry of a matrix expression: σ(W x)."""

    def __new__(cls, activation_name, argument):
        name = activation_name if isinstance(activation_name, sp.Symbol) else sp.Symbol(activation_name)
        return sp.Basic.__new__(cls, name, argument)

    @property
    def shape(self):
        return self.args[1].shape


class Hadamard(sp.MatrixExpr):
    """The elementwise product a ⊙ b of two matrix expressions."""

    @property
    def shape(self):
        return self.args[0].shape


class Nabla(sp.MatrixExpr):
    """∇_W L: the matrix of ∂L/∂w_ij for a weight matrix symbol W (or a bias vector)."""

    @property
    def shape(self):
        return self.args[0].shape


class Chain(sp.Expr):
    """A product written in the order given, as the chain rule is: ∂L/∂x · ∂x/∂z · ∂z/∂w
    (SymPy's Mul would sort its factors). Its value is the product."""

    is_commutative = True


class LossSymbol(sp.Symbol):
    """The loss's name: a word set upright (``MSE`` -> \\mathrm{MSE}), one letter in italics
    (``C``, ``L``), or the LaTeX given (``\\mathcal{L}``); ``_2`` adds a subscript."""

    def _latex(self, printer):
        if self.name.startswith("\\"):
            return self.name
        base, _, sub = self.name.partition("_")
        text = base if len(base) == 1 else rf"\mathrm{{{base}}}"
        return text + (f"_{{{sub}}}" if sub else "")


_LOSS_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)?"
                        r"|\\(mathrm|mathcal|mathit|mathbf|mathsf|mathscr|operatorname)\{[A-Za-z][A-Za-z0-9]*\}"
                        r"|\\ell")


def loss_symbol(name: str) -> LossSymbol:
    """The loss symbol for a name like MSE, C, L_2, \\mathrm{CE}, \\mathcal{L} or \\ell; any other
    name is a one-line error."""
    if not _LOSS_NAME.fullmatch(name):
        raise DeriveError(f"--loss-name {name!r} must be letters and digits (like MSE, C or L_2), or them "
                          r"inside \mathrm{…}, \mathcal{…}, \mathbf{…} (like \mathcal{L}), or \ell")
    return LossSymbol(name)


class ProofError(Exception):
    """An equation of the document could not be proven; nothing is written."""


@dataclass
class Document:
    title: str
    sections: list
    loss_symbol: sp.Symbol
    expand: object  # named expression -> written out in inputs, weights and labels
    loss: sp.Expr  # the expanded loss
    matrices: dict  # matrix symbol -> explicit Matrix of named quantities
    assumptions: dict = field(default_factory=dict)  # substitutions the proofs may use (Σ y = 1)
    named: dict = field(default_factory=dict)  # δ_i^(l) symbols -> their expressions
    diagram: object = None  # the Architecture to draw
    definitions: dict = field(default_factory=dict)  # x, z -> their definitions; None -> the loss in outputs
    _gradients: dict = field(default_factory=dict, repr=False)  # parameter -> ∂(expanded loss)/∂parameter

    @property
    def prover(self) -> Prover:
        """The proofs of this document's equations (the checker uses the same Prover)."""
        return Prover(self.loss_symbol, self.loss, self.expand, self.named, self.assumptions, self.definitions)

    def equations(self):
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Equation):
                    yield block

    def value(self, expr, written_out: bool = True):
        """``expr`` as explicit SymPy: a written-out scalar or an explicit Matrix; with
        ``written_out=False`` in the named quantities (x, x', z, weights, labels as independent
        symbols, δ by its expression), for parts without derivatives."""
        if isinstance(expr, sp.MatrixSymbol):
            return self.value(self.matrices[expr], written_out)
        if isinstance(expr, sp.MatrixBase):
            return sp.ImmutableMatrix(expr.shape[0], expr.shape[1], [self.value(e, written_out) for e in expr])
        if isinstance(expr, (sp.MatMul, sp.MatAdd, sp.Transpose)):
            explicit = expr.xreplace({m: sp.ImmutableMatrix(self.value(m, written_out))
                                      for m in expr.atoms(sp.MatrixSymbol)})
            return self.value(sp.ImmutableMatrix(explicit.doit()), written_out)
        if isinstance(expr, Elementwise):
            name, argument = expr.args
            inner = self.value(argument, written_out)
            if name.name == "softmax":  # the whole layer at once
                return sp.ImmutableMatrix(len(inner), 1, [Softmax(i + 1, *inner) for i in range(len(inner))])
            return inner.applyfunc(activation(name.name).function)
        if isinstance(expr, Hadamard):
            a, b = (self.value(arg, written_out) for arg in expr.args)
            return a.multiply_elementwise(b)
        if isinstance(expr, Nabla) and not written_out:
            return self.matrices[expr.args[0]].applyfunc(lambda s: sp.Derivative(self.loss_symbol, s))
        if isinstance(expr, Nabla):
            symbols = self.matrices[expr.args[0]]  # written out as ∂L/∂w is, so that equal parts are identical
            return symbols.applyfunc(lambda s: self.value(sp.Derivative(self.loss_symbol, s)))
        if expr.has(Chain):
            expr = expr.replace(lambda e: isinstance(e, Chain), lambda e: sp.Mul(*e.args))
        if not written_out:
            return expr.xreplace(self.named)
        known = {}  # ∂L/∂w, taken once (derivatives by named quantities: the prover's)
        for derivative in expr.atoms(sp.Derivative):
            variable = derivative.variables[0]
            if derivative.expr == self.loss_symbol and isinstance(variable, naming.NetworkSymbol) and not rank(variable):
                known[derivative] = self.gradient(variable)
        return self.prover.value(expr.xreplace(known) if known else expr)

    def gradient(self, parameter):
        """∂L/∂parameter of the expanded loss (taken once: many equations use it)."""
        if parameter not in self._gradients:
            self._gradients[parameter] = sp.diff(self.loss, parameter)
        return self._gradients[parameter]

    def prove(self, equation: Equation) -> None:
        """Raise ``ProofError`` unless every link of the chain is proven."""
        if equation.definition:
            return
        values: dict = {}

        def written(k):
            if k not in values:
                values[k] = self.value(equation.parts[k])
            return values[k]

        for k in range(1, len(equation.parts)):
            if not (self._equal_as_named(equation.parts[k - 1], equation.parts[k])
                    or self._equal_at_level(equation.parts[k - 1], equation.parts[k])
                    or self.same_values(written(k - 1), written(k))):
                raise ProofError(f"cannot prove link {k} of {equation.parts[0]} = …")

    def _equal_as_named(self, a, b) -> bool:
        """Whether two parts without derivatives expand to the same thing with the named
        quantities taken as independent symbols: then they are equal whatever those stand for
        (a quick proof by expansion only; the written-out values decide otherwise)."""
        if any(p.has(Nabla, sp.Derivative, self.loss_symbol) for p in (a, b)):
            return False
        a, b = self.value(a, written_out=False), self.value(b, written_out=False)
        if isinstance(a, sp.MatrixBase) != isinstance(b, sp.MatrixBase) or getattr(a, "shape", 0) != getattr(b, "shape", 0):
            return False
        pairs = zip(a, b, strict=True) if isinstance(a, sp.MatrixBase) else [(a, b)]
        return all(sp.expand((x - y).xreplace(self.assumptions)) == 0 for x, y in pairs)

    def _equal_at_level(self, a, b) -> bool:
        """Whether two parts are equal written out only part of the way down the forward pass:
        every derivative taken at its variable's level (∂L/∂w through the z that w feeds), then
        both sides compared in the quantities left, first at the highest of those levels (by
        expansion), then at the lowest (∂/∂x_i^(2) and x^(3): in x^(2), w, b, y). The
        quantities left are independent symbols, so equal there is equal written out in full,
        with far smaller expressions (the written-out values decide otherwise); one level lower
        still when x and x' of a layer must meet in z (σ' = σ(1 - σ))."""
        if not self.definitions:
            return False
        if any(isinstance(p, (sp.MatrixBase, sp.MatrixExpr)) for p in (a, b)):  # entry by entry
            a, b = self.value(a, written_out=False), self.value(b, written_out=False)
            return (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) and a.shape == b.shape
                    and all(self._equal_at_level(x, y) for x, y in zip(a, b, strict=True)))
        a_level, b_level = self._at_levels(a), self._at_levels(b)
        if a_level is None or b_level is None:
            return False
        (a, a_levels), (b, b_levels) = a_level, b_level
        symbols = a.free_symbols | b.free_symbols
        named = [_level(s) for s in symbols if s in self.definitions or _is_input(s)]
        levels = [level for level in a_levels + b_levels + named if level is not None]
        if not levels:
            return self.same_values(a, b)
        highest, lowest = max(a_levels + b_levels, default=None), min(levels)
        if highest is not None and highest != lowest:  # a quick try at the derivatives' level
            x, y = self._down_to(a, highest), self._down_to(b, highest)
            if sp.expand((x - y).xreplace(self.assumptions)) == 0:
                return True
        if self.same_values(self._down_to(a, lowest), self._down_to(b, lowest)):
            return True
        # x and x' = f'(z) of one layer are related through z: one level lower, f' is rewritten
        return lowest % 2 == 0 and lowest > 2 and self.same_values(self._down_to(a, lowest - 1),
                                                                    self._down_to(b, lowest - 1))

    def _at_levels(self, part):
        """``part`` with every derivative taken at its variable's level (∂A/∂w as ∂A/∂z · ∂z/∂w
        for the z that w feeds, when A holds w only through z), δ by its expression and the
        loss by its definition in the outputs; and those levels (None: not possible)."""
        expr = part.replace(lambda e: isinstance(e, Chain), lambda e: sp.Mul(*e.args)) if part.has(Chain) else part
        loss = {self.loss_symbol: self.definitions[None]}
        levels, taken = [], {}
        for derivative in expr.atoms(sp.Derivative):
            variable = derivative.variables[0]
            level = _level(variable)
            if level is None or len(derivative.variables) != 1:
                return None
            inner = derivative.expr.xreplace(self.named).xreplace(loss)
            fed = self._fed(variable)
            if fed is not None:
                above = self._down_to(inner, level + 1)
                if variable not in above.free_symbols:  # through z only: the chain rule
                    taken[derivative] = sp.diff(above, fed) * sp.diff(self.definitions[fed], variable)
                    levels.append(level + 1)
                    continue
            taken[derivative] = sp.diff(self._down_to(inner, level), variable)
            levels.append(level)
        return expr.xreplace(taken).xreplace(self.named).xreplace(loss), levels

    def _fed(self, parameter):
        """The pre-activation a weight or bias feeds (w_ij^(p) and b_i^(p): z_i^(p+1)), or None."""
        parts = naming.parse_symbol(getattr(parameter, "name", "")) if isinstance(parameter, naming.NetworkSymbol) else None
        if parts is None or parts["kind"] not in ("w", "b"):
            return None
        z = naming.preactivation(parts["layer"] + 1, parts["i"])
        return z if z in self.definitions else None

    def _down_to(self, expr, level: int):
        """``expr`` with every quantity above ``level`` substituted by its definition."""
        while True:
            above = {s: self.definitions[s] for s in expr.free_symbols
                     if s in self.definitions and (_level(s) or 0) > level}
            if not above:
                return expr
            expr = expr.xreplace(above)

    def equal(self, a, b) -> bool:
        """Whether two parts are proven equal."""
        return self.same_values(self.value(a), self.value(b))

    def same_values(self, a, b) -> bool:
        """Whether two written-out values are proven equal, as they stand or after the
        activations' rewrite rules."""
        return self.prover.same_values(a, b)

    def prove_all(self) -> int:
        count = 0
        for equation in self.equations():
            self.prove(equation)
            count += 0 if equation.definition else len(equation.parts) - 1
        return count


def _level(symbol) -> int | None:
    """Where a symbol enters the forward pass: z^(l) at 2l - 1; x^(l) and x^(l)' at 2l; the
    parameters into layer l + 1 at 2l (with the nodes they multiply); None for labels and
    anything else."""
    parts = naming.parse_symbol(symbol.name) if isinstance(symbol, naming.NetworkSymbol) else None
    if parts is None or "layer" not in parts:
        return None
    return 2 * parts["layer"] - (parts["kind"] == "z")


def _is_input(symbol) -> bool:
    parts = naming.parse_symbol(symbol.name) if isinstance(symbol, naming.NetworkSymbol) else None
    return parts is not None and parts["kind"] == "x" and parts["layer"] == 1
