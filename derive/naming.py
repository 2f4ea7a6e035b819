"""Names of every quantity, in one place, for the engine, the LaTeX and the code.

Symbols are named after the parameters of the generated modules:

=================  ==============  ==========================================
symbol name        article LaTeX   meaning
=================  ==============  ==========================================
``x1_3``           x_3             input node 3 (layer 1)
``x3_1``           x_1^{(3)}       node 1 of layer 3, σ(z_1^{(3)})
``x3'_1``          x_1^{(3)'}      the activation's derivative at that node
``z3_1``           z_1^{(3)}       node 1 of layer 3 before the activation
``w2_2_1``         w_{21}^{(2→3)}  ``W2[1, 0]``: node 1 of layer 2 to node 2 of layer 3
``b2_1``           b_1^{(3)}       ``b2[0]``: bias of node 1 of layer 3
``y_1``            y_1             label of output node 1
=================  ==============  ==========================================
"""
from __future__ import annotations

import re
from functools import cache

import sympy as sp

from derive.errors import DeriveError

_NAME = re.compile(r"(?P<kind>[xzwb])(?P<layer>\d+)(?P<prime>')?_(?P<i>\d+)(?:_(?P<j>\d+))?|y_(?P<y>\d+)")


class NetworkSymbol(sp.Symbol):
    """A named quantity of the network; prints itself in article notation."""

    def _latex(self, printer):
        in_notation = getattr(printer, "symbol_latex", None)  # a document's chosen notation
        return in_notation(self) if in_notation else latex_name(self.name)


class MissingSymbol(NetworkSymbol):
    """A quantity the network does not have (w_{13}^{(2→3)} in a 3-2-2 network, x_3^{(3)} past
    the last node), named like the ones it has; ``why`` says what exists instead."""

    def __new__(cls, name: str, why: str = ""):
        symbol = super().__new__(cls, name)
        symbol.why = why
        return symbol

    def __getnewargs__(self):
        return (self.name, self.why)


def _indices(*numbers: int) -> str:
    if all(n < 10 for n in numbers):
        return "".join(str(n) for n in numbers)
    return ",".join(str(n) for n in numbers)


@cache
def latex_name(name: str) -> str:
    """The article LaTeX of a symbol name (``w2_2_1`` -> ``w_{21}^{(2 \\rightarrow 3)}``)."""
    delta = re.fullmatch(r"delta(\d+)_(\d+)", name)
    if delta:
        return rf"\delta_{{{delta.group(2)}}}^{{({delta.group(1)})}}"
    match = _NAME.fullmatch(name)
    if not match:
        return name
    if match.group("y"):
        return f"y_{{{match.group('y')}}}"
    kind, layer, i = match.group("kind"), int(match.group("layer")), int(match.group("i"))
    if kind == "w":
        j = int(match.group("j"))
        return rf"w_{{{_indices(i, j)}}}^{{({layer} \rightarrow {layer + 1})}}"
    if kind == "b":
        return f"b_{{{i}}}^{{({layer + 1})}}"
    if kind == "x" and layer == 1:
        return f"x_{{{i}}}"
    prime = r"\;'" if match.group("prime") else ""
    return f"{kind}_{{{i}}}^{{({layer}){prime}}}"


def node(layer: int, i: int) -> NetworkSymbol:
    """x_i^{(layer)}; layer 1 is the input."""
    return NetworkSymbol(f"x{layer}_{i}")


def node_derivative(layer: int, i: int) -> NetworkSymbol:
    """x_i^{(layer)'}: the activation's derivative at node i of ``layer``."""
    return NetworkSymbol(f"x{layer}'_{i}")


def preactivation(layer: int, i: int) -> NetworkSymbol:
    return NetworkSymbol(f"z{layer}_{i}")


def weight(layer: int, i: int, j: int) -> NetworkSymbol:
    """w_{ij}^{(layer → layer+1)} = ``W{layer}[i-1, j-1]``."""
    return NetworkSymbol(f"w{layer}_{i}_{j}")


def bias(layer: int, i: int) -> NetworkSymbol:
    """b_i^{(layer+1)} = ``b{layer}[i-1]``."""
    return NetworkSymbol(f"b{layer}_{i}")


def label(i: int) -> NetworkSymbol:
    return NetworkSymbol(f"y_{i}")


def parameter_symbol(parameter: str, i: int, j: int | None = None) -> NetworkSymbol:
    """The symbol of one element of a parameter, 1-based: ("W2", 2, 1) -> w2_2_1."""
    layer = int(parameter[1:])
    if parameter[0] == "W":
        if j is None:
            raise DeriveError(f"{parameter} is a matrix: give both indices (row and column)")
        return weight(layer, i, j)
    return bias(layer, i)


def parse_symbol(name: str) -> dict | None:
    """The parts of a symbol name, or None when it is not one of ours."""
    match = _NAME.fullmatch(name)
    if not match:
        return None
    if match.group("y"):
        return {"kind": "y", "i": int(match.group("y"))}
    parts = {
        "kind": match.group("kind") + ("'" if match.group("prime") else ""),
        "layer": int(match.group("layer")),
        "i": int(match.group("i")),
    }
    if match.group("j"):
        parts["j"] = int(match.group("j"))
    return parts


# Plain-text article notation, for comments in emitted code and terminal output.
def vector_text(layer: int) -> str:
    """x^(l): the vector of layer l's nodes."""
    return f"x^({layer})"


def weight_matrix_text(parameter_layer: int) -> str:
    """W^(l→l+1): the weight matrix ``W{l}``."""
    return f"W^({parameter_layer}→{parameter_layer + 1})"


def bias_text(parameter_layer: int) -> str:
    """b^(l+1): the bias vector ``b{l}`` of layer l+1."""
    return f"b^({parameter_layer + 1})"


def delta_text(layer: int) -> str:
    return f"δ^({layer})"


def python_name(symbol) -> str:
    """A Python identifier for a symbol: ``x3'_1`` -> ``x3p_1``."""
    return symbol.name.replace("'", "p")


_SUB = str.maketrans("0123456789+-()=", "₀₁₂₃₄₅₆₇₈₉₊₋₍₎₌")
_SUP = str.maketrans("0123456789+-()=", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾⁼")


@cache
def text_name(name: str) -> str:
    """The plain-Unicode article name of a symbol, for a terminal (``w2_2_1`` -> ``w₂₁⁽²→³⁾``,
    ``x3'_1`` -> ``x₁⁽³⁾′``, ``delta3_1`` -> ``δ₁⁽³⁾``); other names are returned as they are."""
    delta = re.fullmatch(r"delta(\d+)_(\d+)", name)
    if delta:
        return f"δ{delta.group(2).translate(_SUB)}{('(' + delta.group(1) + ')').translate(_SUP)}"
    match = _NAME.fullmatch(name)
    if not match:
        return name
    if match.group("y"):
        return f"y{match.group('y').translate(_SUB)}"
    kind, layer, i = match.group("kind"), int(match.group("layer")), int(match.group("i"))
    if kind == "w":
        j = int(match.group("j"))
        return f"w{_indices(i, j).translate(_SUB)}⁽{str(layer).translate(_SUP)}→{str(layer + 1).translate(_SUP)}⁾"
    if kind == "b":
        return f"b{str(i).translate(_SUB)}{f'({layer + 1})'.translate(_SUP)}"
    if kind == "x" and layer == 1:
        return f"x{str(i).translate(_SUB)}"
    prime = "′" if match.group("prime") else ""
    return f"{kind}{str(i).translate(_SUB)}{f'({layer})'.translate(_SUP)}{prime}"
