"""LaTeX for expressions in a chosen notation, broken over lines where they are long.

``LatexWriter.pieces(expr)`` gives the LaTeX of ``expr`` as a list of pieces; a display line
may end between any two pieces: before a + or - of a sum at any depth, or at a · between
factors. Parentheses around broken sums are fixed-size (``\\Bigl( … \\Bigr)``), so a line
can end inside them. ``lines(pieces, width)`` packs pieces into lines.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from derive import naming
from derive.document.notation import Notation

WIDTH = 64  # visual characters per display line (fits an article's text width at 10pt)


class NotationPrinter(LatexPrinter):
    """SymPy's LaTeX printer with network symbols written in a notation."""

    def __init__(self, notation: Notation, settings=None):
        super().__init__({"mul_symbol": None, **(settings or {})})
        self.notation = notation

    def symbol_latex(self, symbol) -> str:
        parts = naming.parse_symbol(symbol.name)
        n = self.notation
        delta = re.fullmatch(r"delta(\d+)_(\d+)", symbol.name)
        if delta:
            return n.delta_element(int(delta.group(1)), int(delta.group(2)))
        if parts is None:
            return super()._print_Symbol(symbol)
        kind = parts["kind"]
        if kind == "y":
            return n.label(parts["i"])
        if kind == "x":
            return n.node(parts["layer"], parts["i"])
        if kind == "x'":
            return n.node_prime(parts["layer"], parts["i"])
        if kind == "z":
            return n.preactivation(parts["layer"], parts["i"])
        if kind == "w":
            return n.weight(parts["layer"], parts["i"], parts["j"])
        return n.bias(parts["layer"], parts["i"])

    def _print_Add(self, expr, order=None):
        """Sums with their positive terms first: x - y, not -y + x."""
        terms = ordered_terms(self, expr)
        text = self._print(terms[0])
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                text += " - " + self._bracket_sum(-term)
            else:
                text += " + " + self._bracket_sum(term)
        return text

    def _bracket_sum(self, term):
        printed = self._print(term)
        return rf"\left({printed}\right)" if term.is_Add else printed

    def _print_Derivative(self, expr):
        (variable, count), = expr.variable_count
        inner = self._print(expr.expr)
        if expr.expr.is_Add or expr.expr.is_Mul or expr.expr.is_Pow:
            inner = rf"\left[{inner}\right]"
        return rf"\frac{{\partial}}{{\partial {self._print(variable)}}} {inner}"


def ordered_terms(printer: LatexPrinter, expr) -> list:
    """The terms of a sum in SymPy's order, positive ones first."""
    terms = printer._as_ordered_terms(expr, order=None)
    return [t for t in terms if not t.could_extract_minus_sign()] + [
        t for t in terms if t.could_extract_minus_sign()]


def visual_width(latex: str) -> float:
    """About how many characters wide ``latex`` renders (scripts count half)."""
    text = re.sub(r"\\(left|right|[bB]igg?[lr]?)(?=[^a-zA-Z])", "", latex)
    text = re.sub(r"\\(operatorname|mathrm|vec|underline)\b", "", text)
    text = re.sub(r"\\(frac|partial)\b", "x", text)
    text = re.sub(r"\\[a-zA-Z]+", "x", text)
    text = re.sub(r"\\.", "", text)
    width, script_depth, depth, stack = 0.0, 0, 0, []
    pending_script = False
    for char in text:
        if char in "^_":
            pending_script = True
            continue
        if char == "{":
            stack.append(pending_script)
            script_depth += pending_script
            pending_script = False
            depth += 1
            continue
        if char == "}":
            if stack:
                script_depth -= stack.pop()
            continue
        if char == " ":
            continue
        width += 0.5 if (script_depth or pending_script) else 1.0
        pending_script = False
    return width


class LatexWriter:
    """Pieces of LaTeX for expressions, in one notation."""

    def __init__(self, notation: Notation, width: float = WIDTH):
        self.printer = NotationPrinter(notation)
        self.width = width

    def latex(self, expr) -> str:
        return self.printer.doprint(expr)

    def pieces(self, expr) -> list[str]:
        text = self.latex(expr)
        if visual_width(text) <= self.width or not getattr(expr, "args", ()):
            return [text]
        if expr.is_Add:
            return self._sum(expr)
        if expr.is_Mul:
            return self._product(expr)
        if expr.is_Pow and expr.exp.is_Integer and expr.exp > 0:
            return self._wrap(self.pieces(expr.base), r"\Bigl(", rf"\Bigr)^{{{expr.exp}}}")
        if isinstance(expr, sp.Derivative):
            (variable, _), = expr.variable_count
            head = rf"\frac{{\partial}}{{\partial {self.latex(variable)}}} \Bigl["
            return self._wrap(self.pieces(expr.expr), head, r"\Bigr]")
        if isinstance(expr, sp.Function) and len(expr.args) == 1:
            name = self.latex(expr.func(sp.Symbol("ARG")))
            head = name.split("ARG")[0].replace(r"\left(", "").rstrip("(")
            return self._wrap(self.pieces(expr.args[0]), head + r"\Bigl(", r"\Bigr)")
        return [text]

    def _wrap(self, inner: list[str], head: str, tail: str) -> list[str]:
        inner = list(inner)
        inner[0] = head + inner[0]
        inner[-1] = inner[-1] + tail
        return inner

    def _sum(self, expr) -> list[str]:
        out = []
        for k, term in enumerate(ordered_terms(self.printer, expr)):
            negative = term.could_extract_minus_sign()
            body = self.pieces(-term if negative else term)
            if k == 0:
                body[0] = ("- " if negative else "") + body[0]
            else:
                body[0] = ("- " if negative else "+ ") + body[0]
            out += body
        return out

    def _product(self, expr) -> list[str]:
        coefficient, factors = expr.as_coeff_mul()
        out = []
        if coefficient == -1:
            out.append("-")
        elif coefficient != 1:
            out.append(self.latex(coefficient))
        for factor in factors:
            if factor.is_Add:
                body = self._wrap(self.pieces(factor), r"\Bigl(", r"\Bigr)")
            else:
                body = self.pieces(factor)
            if out and out[-1] != "-":
                body[0] = r"\cdot " + body[0]
            out += body
        if out and out[0] == "-" and len(out) > 1:
            out = ["-" + out[1].removeprefix(r"\cdot ")] + out[2:]
        return out


def lines(pieces: list[str], width: float = WIDTH, first_width: float | None = None) -> list[str]:
    """Pack pieces into lines no wider than ``width`` (a single wider piece gets its own line)."""
    out, current, current_width = [], [], 0.0
    limit = first_width if first_width is not None else width
    for piece in pieces:
        w = visual_width(piece)
        if current and current_width + w > limit:
            out.append(" ".join(current))
            current, current_width, limit = [], 0.0, width
        current.append(piece)
        current_width += w
    if current:
        out.append(" ".join(current))
    return out
