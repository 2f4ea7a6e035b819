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
from derive.activations import Softmax
from derive.document.model import Chain
from derive.document.notation import Notation

WIDTH = 62  # visual characters per display line, by visual_width (an A4 text width at 10pt)


class NotationPrinter(LatexPrinter):
    """SymPy's LaTeX printer with network symbols written in a notation."""

    def __init__(self, notation: Notation, loss_latex: str = "L", settings=None):
        super().__init__({"mul_symbol": None, "mat_str": "bmatrix", "mat_delim": "", **(settings or {})})
        self.notation = notation
        self.loss_latex = loss_latex

    def _print(self, expr, **kwargs):
        if isinstance(expr, Softmax):  # before the class's own _latex
            return self.softmax_latex(expr)
        return super()._print(expr, **kwargs)

    def softmax_latex(self, expr) -> str:
        """e^{z_i} / Σ_k e^{z_k} over named quantities; s_i(u_1, …) when its arguments are
        written out (the documents define s_i)."""
        i, arguments = int(expr.args[0]), expr.args[1:]
        if all(a.is_Symbol for a in arguments):
            exps = [f"e^{{{self._print(a)}}}" for a in arguments]
            return rf"\frac{{{exps[i - 1]}}}{{{' + '.join(exps)}}}"
        return rf"s_{{{i}}}\left({', '.join(self._print(a) for a in arguments)}\right)"

    def _print_Chain(self, expr):
        return r" \cdot ".join(self._bracket_sum(factor) for factor in expr.args)

    def _print_MatrixSymbol(self, expr):
        n, name = self.notation, expr.name
        match = re.fullmatch(r"(vec|mat)_(x|xp|W|b|delta|y)(?:_(\d+))?(_new)?", name)
        if not match:
            return super()._print_MatrixSymbol(expr)
        kind, layer, new = match.group(2), int(match.group(3) or 0), match.group(4)
        text = {"x": lambda: n.vector(layer), "xp": lambda: n.vector_prime(layer), "W": lambda: n.matrix(layer),
                "b": lambda: n.bias_vector(layer), "delta": lambda: n.delta(layer),
                "y": lambda: n.label_vector}[kind]()
        if new and "_" in text:  # w_{2} already has a subscript: {w_{2}}_{\text{new}}, never a double one
            text = "{" + text + "}"
        return text + (r"_{\text{new}}" if new else "")

    def _print_Elementwise(self, expr):
        from derive.activations import activation

        name, argument = expr.args
        inner = self._print(argument)
        function = activation(name.name).latex
        return rf"{function}\left({inner}\right)" if function else inner

    def _print_Hadamard(self, expr):
        a, b = (self._print(arg) for arg in expr.args)
        if isinstance(expr.args[0], (sp.MatMul, sp.MatAdd)):
            a = rf"\left({a}\right)"
        return rf"{a} \odot {b}"

    def _print_Nabla(self, expr):
        return rf"\nabla_{{{self._print(expr.args[0])}}} {self.loss_latex}"

    def _print_Symbol(self, expr, style="plain"):
        if expr.name.startswith("delta") and re.fullmatch(r"delta\d+_\d+", expr.name):
            return self.symbol_latex(expr)
        return super()._print_Symbol(expr, style)

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

    def _print_MatAdd(self, expr):
        """Matrix sums with their positive terms first: W - ε ∇W, not -ε ∇W + W."""
        def negative(term) -> bool:  # -ε ∇W: a product whose first factor carries the sign
            return bool(term.is_MatMul and term.args[0].could_extract_minus_sign())

        terms = sorted(expr.args, key=negative)  # stable: SymPy's order otherwise
        text = self._print(terms[0])
        for term in terms[1:]:
            if negative(term):
                text += " - " + self._print(sp.MatMul(-term.args[0], *term.args[1:]))
            else:
                text += " + " + self._print(term)
        return text

    def _bracket_sum(self, term):
        printed = self._print(term)
        return rf"\left({printed}\right)" if term.is_Add else printed

    def _print_Derivative(self, expr):
        (variable, _count), = expr.variable_count
        if expr.expr.is_Symbol:  # ∂MSE/∂w, ∂x/∂z
            return rf"\frac{{\partial {self._print(expr.expr)}}}{{\partial {self._print(variable)}}}"
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

    def __init__(self, notation: Notation, loss_latex: str = "L", width: float = WIDTH):
        self.printer = NotationPrinter(notation, loss_latex)
        self.width = width

    def latex(self, expr) -> str:
        return self.printer.doprint(expr)

    def pieces(self, expr, width: float | None = None) -> list[str]:
        """Pieces no wider than ``width`` where the expression allows (default: the writer's)."""
        if width is not None:
            saved, self.width = self.width, width
            try:
                return self.pieces(expr)
            finally:
                self.width = saved
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
        if isinstance(expr, Chain):
            out = []
            for k, factor in enumerate(expr.args):
                body = self._wrap(self.pieces(factor), r"\Bigl(", r"\Bigr)") if factor.is_Add else self.pieces(factor)
                if k:
                    body[0] = r"\cdot " + body[0]
                out += body
            return out
        if isinstance(expr, Softmax):
            out = []
            for k, z in enumerate(expr.args[1:]):
                body = self.pieces(z)
                if k:
                    out[-1] += ","
                out += body
            return self._wrap(out, rf"s_{{{expr.args[0]}}}\Bigl(", r"\Bigr)")
        if isinstance(expr, sp.Function) and len(expr.args) == 1:
            head, tail = self.latex(expr.func(sp.Symbol("ARG"))).split("ARG")
            head, tail = head.replace(r"\left(", r"\Bigl("), tail.replace(r"\right)", r"\Bigr)")
            # a row of a display may not close a brace it did not open: \log{(…)} -> \log(…)
            head, tail = head.replace(r"{\Bigl(", r"\Bigl("), tail.replace(r"\Bigr)}", r"\Bigr)")
            return self._wrap(self.pieces(expr.args[0]), head, tail)
        return [text]

    def _wrap(self, inner: list[str], head: str, tail: str) -> list[str]:
        inner = list(inner)
        inner[0] = head + inner[0]
        inner[-1] = inner[-1] + tail
        return inner

    def _sum(self, expr) -> list[str]:
        out: list[str] = []
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
        """Factors joined by ·, the numeric coefficient kept with the first factor."""
        coefficient, factors = expr.as_coeff_mul()
        out: list[str] = []
        for factor in factors:
            if factor.is_Add:
                body = self._wrap(self.pieces(factor), r"\Bigl(", r"\Bigr)")
            elif factor.is_Pow and factor.exp == -1 and visual_width(self.latex(factor)) > self.width:
                body = self._wrap(self.pieces(factor.base), r"\Bigl(", r"\Bigr)^{-1}")
            else:
                body = self.pieces(factor)
            if out:
                body[0] = r"\cdot " + body[0]
            out += body
        if coefficient == -1:
            out[0] = "-" + out[0]
        elif coefficient != 1:
            out[0] = f"{self.latex(coefficient)} " + out[0]
        return out


def lines(pieces: list[str], width: float = WIDTH, first_width: float | None = None) -> list[str]:
    """Pack pieces into lines no wider than ``width`` (a single wider piece gets its own line)."""
    out: list[str] = []
    current: list[str] = []
    current_width = 0.0
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
