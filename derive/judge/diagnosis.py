"""What is wrong with a formula: a kind from a fixed vocabulary, and a message in two spellings.

``KINDS`` is the vocabulary tests and corpora compare against; a diagnosis that combines two
mistakes has a tuple of two kinds. The message is a template whose pieces are SymPy objects,
written in LaTeX (``--latex``, JSON) or in plain Unicode for a terminal (``x₁⁽³⁾ should be
x₂⁽³⁾``), with every symbol named by ``derive.naming``.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.printing.str import StrPrinter

from derive import naming
from derive.activations import BY_DERIVATIVE, BY_FUNCTION, Softmax

KINDS = (
    "missing-activation-derivative",  # a σ'(z) factor left out
    "extra-activation-derivative",  # a σ'(z) factor too many
    "derivative-at-wrong-argument",  # σ'(x) (at the output) instead of σ'(z)
    "wrong-layer",  # a quantity of another layer
    "index",  # another node's quantity in the same layer, index reuse in a sum, out of range, shadowing
    "transposed",  # a transposed matrix (or its indices swapped)
    "missing-bias",  # the bias term left out
    "wrong-loss",  # the gradient of another loss
    "sign",
    "factor",  # a constant factor
    "symbol",  # one symbol for another of a different kind
    "shape",  # shapes that cannot be equal
    "wrong-parameter",  # the derivative of another parameter (or of one that does not exist)
)


@dataclass(frozen=True)
class Diagnosis:
    """``kind`` (one of KINDS, or a pair of them); ``template`` with ``{0}``, ``{1}`` … for ``pieces``."""

    kind: str | tuple
    template: str
    pieces: tuple = ()

    def render(self, latex: bool = False) -> str:
        shown = [_latex(p) if latex else text(p) for p in self.pieces]
        return self.template.format(*shown)

    @property
    def latex(self) -> str:
        return self.render(latex=True)

    @property
    def text(self) -> str:
        return self.render(latex=False)

    def combined(self, other_kind: str, note: str) -> Diagnosis:
        """This diagnosis and a second mistake (a sign or a constant factor) in the same formula."""
        kind = self.kind if other_kind in _kinds(self.kind) else (_kinds(self.kind)[0], other_kind)
        return Diagnosis(kind, self.template + "; " + note.replace("{", "{{").replace("}", "}}"), self.pieces)


def _kinds(kind) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _latex(piece) -> str:
    if isinstance(piece, str):
        return piece
    if isinstance(piece, sp.Symbol):
        return naming.latex_name(piece.name)
    if isinstance(piece, sp.Derivative) and len(piece.variables) == 1:
        return f"∂{_latex(piece.expr)}/∂{_latex(piece.variables[0])}"
    return sp.latex(piece)


class _TextPrinter(StrPrinter):
    """Expressions in plain Unicode with article names: σ(z₁⁽²⁾), x₁⁽³⁾′, 2·(x₁⁽³⁾ - y₁)."""

    def _print_Symbol(self, expr):
        return naming.text_name(expr.name)

    def _print_Function(self, expr):
        entry = BY_FUNCTION.get(type(expr))
        name = entry.text if entry else None
        if name is None:
            entry = BY_DERIVATIVE.get(type(expr))
            name = entry.text + "′" if entry else None
        if name is None:
            return super()._print_Function(expr)
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Derivative(self, expr):
        variable = expr.variables[0]
        return f"∂{self._print(expr.expr)}/∂{self._print(variable)}"

    def _print_Mul(self, expr):
        return super()._print_Mul(expr).replace("*", "·")


def text(piece) -> str:
    """A piece of a message in plain Unicode."""
    if isinstance(piece, str):
        return piece
    if isinstance(piece, Softmax):
        return "softmax" + str(piece.args[0]).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    return _TextPrinter().doprint(piece)
