"""The syntax tree of article LaTeX: what was written, before any notation gives it a meaning.

``derive.reader.parse.parse(latex)`` gives the members of a chain ``A = B = C`` as these
frozen dataclasses. Nothing here knows a notation: ``x_1^{(3)}``, ``a^l_j``, ``net_{h1}`` and
``W^{[l]}`` are all a ``Symbol``; ``derive.reader.bind`` decides which quantity each one is.

Symbol parts are *normalized source text*: spaces and layout removed, outer braces removed,
``\\text{…}``/``\\mathrm{…}`` unwrapped, ``\\rightarrow``/``\\to`` written ``->``:
``w_{12}^{(1 \\rightarrow 2)}`` is ``Symbol("w", "12", "(1->2)")``, ``\\vec{x}^{(3)\\;'}`` is
``Symbol("x", None, "(3)", primes=1, accent="vec")``, ``\\text{net}_{h1}`` is
``Symbol("net", "h1", None)``. A superscript is part of the symbol (a label) when it is in
parentheses or brackets, or starts with a letter (``a^l_j``, ``w^{l+1}``, ``y^i``), or is a
number written before the subscript (``a^{2}_{1}``); otherwise it is a power (``x_1^3``,
``e^{-z}``), and ``^T``/``^\\top``/``^\\intercal`` is a transpose.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Union


@dataclass(frozen=True)
class Symbol:
    """A letter, Greek letter or name with its subscript, superscript label, primes and accent."""

    base: str  # "x", "W", "\\delta", "net", "MSE"
    sub: str | None = None  # "1", "jk", "l-1", "h1", "total"
    sup: str | None = None  # "(3)", "(1->2)", "[l]", "l+1", "ij"
    primes: int = 0  # x'  x^{(3)\;'}  \sigma^{\prime}
    accent: str | None = None  # "vec" | "hat" | "underline" | "bold" | "bar" | "cal" | "tilde"
    text: str = field(default="", compare=False)  # the source, for messages

    @property
    def written(self) -> str:
        """The source text, or a canonical spelling when there is none."""
        if self.text:
            return self.text
        base = rf"\{_ACCENT_MACRO[self.accent]}{{{self.base}}}" if self.accent else self.base
        sub = f"_{{{self.sub}}}" if self.sub is not None else ""
        sup = f"^{{{self.sup}}}" if self.sup is not None else ""
        return base + sub + sup + "'" * self.primes


_ACCENT_MACRO = {"vec": "vec", "hat": "hat", "underline": "underline", "bold": "mathbf", "bar": "bar",
                 "cal": "mathcal", "tilde": "tilde"}


@dataclass(frozen=True)
class Number:
    text: str  # "2", "0.5" (exact decimal text)


@dataclass(frozen=True)
class Add:
    """terms: (sign, term) pairs, sign +1 or -1; ``-x`` alone is ``Add(((-1, x),))``."""

    terms: tuple[tuple[int, Node], ...]


@dataclass(frozen=True)
class Mul:
    """factors with the operator written at each junction, ``len(ops) == len(factors) - 1``:
    "juxt" (nothing), "cdot", "times", "star" (*), "odot", "circ"."""

    factors: tuple[Node, ...]
    ops: tuple[str, ...]


@dataclass(frozen=True)
class Frac:
    num: Node
    den: Node


@dataclass(frozen=True)
class Pow:
    base: Node
    exponent: Node


@dataclass(frozen=True)
class Transpose:
    arg: Node
    spelling: str = "T"  # "T" (^T, ^{T}, ^\top, ^\intercal) or "prime" ((…)' after a bracket)


@dataclass(frozen=True)
class Call:
    """f(args): ``name`` as written without its wrapper ("\\sigma", "relu", "\\log", "f",
    "activation"); ``primes`` for σ'(z), f'(z); ``sub`` for softmax_{i}(…); ``sup`` for a label."""

    name: str
    args: tuple[Node, ...]
    primes: int = 0
    sub: str | None = None
    sup: str | None = None  # a label: g^{[l]}(Z^{[l]}), the activation of layer l


@dataclass(frozen=True)
class Sum:
    """\\sum_{index=lower}^{upper} body; body is the product or power that follows."""

    index: str | None
    lower: Node | None
    upper: Node | None
    body: Node


@dataclass(frozen=True)
class Partial:
    """∂of/∂wrt (``of`` None for the operator ∂/∂wrt with nothing after it); spelling
    "partial" (∂), "d" (d/dx) or "delta" (\\frac{\\delta C}{\\delta w}, ∂ in some notations)."""

    of: Node | None
    wrt: Node
    spelling: str = "partial"


@dataclass(frozen=True)
class Nabla:
    """\\nabla_{wrt} of; ``wrt`` None for a bare \\nabla."""

    wrt: Node | None
    of: Node


@dataclass(frozen=True)
class Matrix:
    rows: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True)
class Diag:
    arg: Node


@dataclass(frozen=True)
class Quantity:
    """A leaf of a *bound* tree: a quantity of the network in the reference meaning
    (``derive.notation`` documents the kinds: node, node_prime, preactivation, weight, bias,
    label, delta, loss, and ones, the vector of ones of a batch); layer, i and j are ints, index expressions like "l+1" or "j", or
    None for the whole vector or matrix."""

    kind: str
    layer: int | str | None = None
    i: int | str | None = None
    j: int | str | None = None
    example: int | str | None = None  # the example of a batch it belongs to (Ng's x^{(i)}); None: any one


Node = Union[  # noqa: UP007 (a runtime alias)
    Symbol, Number, Add, Mul, Frac, Pow, Transpose, Call, Sum, Partial, Nabla, Matrix, Diag, Quantity]

NODE_TYPES = (Symbol, Number, Add, Mul, Frac, Pow, Transpose, Call, Sum, Partial, Nabla, Matrix, Diag, Quantity)


def children(node) -> tuple:
    """The subtrees of ``node``, in source order (for walks that do not care about the kind)."""
    if isinstance(node, Add):
        return tuple(term for _, term in node.terms)
    if isinstance(node, Mul):
        return node.factors
    if isinstance(node, Frac):
        return (node.num, node.den)
    if isinstance(node, Pow):
        return (node.base, node.exponent)
    if isinstance(node, (Transpose, Diag)):
        return (node.arg,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Sum):
        return tuple(n for n in (node.lower, node.upper, node.body) if n is not None)
    if isinstance(node, Partial):
        return (node.wrt,) if node.of is None else (node.of, node.wrt)
    if isinstance(node, Nabla):
        return (node.of,) if node.wrt is None else (node.wrt, node.of)
    if isinstance(node, Matrix):
        return tuple(cell for row in node.rows for cell in row)
    return ()


def walk(node):
    """Every node of the tree, parents before children, without recursion (trees of long
    sums are wide, deeply nested ones are bounded by the parser)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def replaced(node, change: Callable):
    """The tree with ``change(node)`` in place of every node for which it is not None (that
    node's subtree is not visited); every other node rebuilt from its replaced children."""
    new = change(node)
    if new is not None:
        return new
    if not isinstance(node, NODE_TYPES) or isinstance(node, (Symbol, Number, Quantity)):
        return node
    updates = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, NODE_TYPES):
            updates[f.name] = replaced(value, change)
        elif isinstance(value, tuple):
            updates[f.name] = tuple(_replaced_item(item, change) for item in value)
    return replace(node, **updates)


def _replaced_item(item, change: Callable):
    if isinstance(item, NODE_TYPES):
        return replaced(item, change)
    if isinstance(item, tuple):  # (sign, term) of Add, a row of Matrix
        return tuple(_replaced_item(part, change) for part in item)
    return item
