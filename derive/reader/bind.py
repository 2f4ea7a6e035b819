"""Binding: a syntax tree's symbols resolved to the network's quantities in a notation.

``bind(tree, notation, arch)`` gives the same tree with every ``Symbol`` (and every call
that a template spells, like Nielsen's ``\\sigma'(z^l_j)``) replaced by a ``Quantity`` in the
reference meaning (``derive.notation``), or by a small tree of them (``dW^{[l]}`` is
``Nabla(Quantity("weight", l-1), Quantity("loss"))``; in a row-vector notation a whole
vector or matrix is ``Transpose(Quantity(…))``); Euler's e^{x} becomes ``Call("\\exp", (x,))``,
a notation's constants (m, the number of examples) their ``Number``, and a call of one of its
``functions`` (``N(z)``, ``g^{[l]}(z)``: the network's activation, whichever it is at z)
``Call("activation", args, primes)``. Products keep their operator, except that the ones the
notation calls elementwise become "odot". The limits of a sum are kept as written (the n of
``\\sum_{j=1}^{n}`` is the size of whatever j runs over). Index letters stay letters; numbers are
checked against the architecture. A symbol that cannot be bound is a one-line
``DeriveError`` that names it and says why.

``read(latex, notation, arch)`` parses and binds; ``choose(items, arch)`` is
``--notation auto``: the preset under which the most items read and bind.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from derive.architecture import Architecture
from derive.errors import DeriveError
from derive.notation import AUTO_ORDER, FORMS, NOTATIONS, Notation, parse_for, split_index
from derive.reader.syntax import (
    Add,
    Call,
    Diag,
    Frac,
    Matrix,
    Mul,
    Nabla,
    Number,
    Partial,
    Pow,
    Quantity,
    Sum,
    Symbol,
    Transpose,
    replaced,
)

LOSS = Quantity("loss")
ACTIVATION = "activation"  # the name of a bound call of the network's own activation (N(z), g(z))


def bind(tree, notation: Notation, arch: Architecture):
    """``tree`` with its symbols resolved in ``notation`` for ``arch`` (module docstring)."""
    return _Binder(notation, arch).bind(tree)


def read(latex: str, notation: Notation, arch: Architecture) -> list:
    """The members of the chain in ``latex``, parsed and bound."""
    binder = _Binder(notation, arch)
    return [binder.bind(member) for member in parse_for(latex, notation)]


class _Binder:
    def __init__(self, notation: Notation, arch: Architecture):
        self.n = notation
        self.arch = arch
        self.bound: dict = {}
        from derive.losses import loss

        own = loss(arch.loss).latex_name
        self.own_loss = Symbol(own) if notation.own_loss_name else Symbol(notation.default_loss_name)

    def bind(self, node):
        if isinstance(node, Symbol):
            return self.symbol(node)
        if isinstance(node, Number):
            return node
        if isinstance(node, Add):
            return Add(tuple((sign, self.bind(term)) for sign, term in node.terms))
        if isinstance(node, Mul):
            ops = tuple("odot" if op in self.n.elementwise else op for op in node.ops)
            return Mul(tuple(self.bind(f) for f in node.factors), ops)
        if isinstance(node, Frac):
            return Frac(self.bind(node.num), self.bind(node.den))
        if isinstance(node, Pow):
            return self.power(node)
        if isinstance(node, Transpose):
            if node.spelling == "prime" and not self.n.prime_is_transpose:
                raise DeriveError(f"a prime after a bracket is a transpose only in notations that say so; "
                                  f"the {self.n.name} notation writes transposes ^T")
            return Transpose(self.bind(node.arg))
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Sum):
            return Sum(node.index, node.lower, node.upper, self.bind(node.body))
        if isinstance(node, Partial):
            if node.spelling == "delta" and not self.n.delta_is_partial:
                raise DeriveError(f"\\frac{{\\delta …}}{{\\delta …}} means ∂ only in notations that say so; "
                                  f"the {self.n.name} notation writes \\partial")
            of = None if node.of is None else self.bind(node.of)
            return Partial(of, self.bind(node.wrt))
        if isinstance(node, Nabla):
            return Nabla(None if node.wrt is None else self.bind(node.wrt), self.bind(node.of))
        if isinstance(node, Matrix):
            return Matrix(tuple(tuple(self.bind(cell) for cell in row) for row in node.rows))
        if isinstance(node, Diag):
            return Diag(self.bind(node.arg))
        return node  # already bound (a Quantity)

    def power(self, node: Pow):
        labelled = self.relabelled(node)
        if labelled is not node:
            return self.symbol(labelled)
        if self.is_euler(node.base):
            return Call(r"\exp", (self.bind(node.exponent),))  # e^{-z}
        return Pow(self.bind(node.base), self.bind(node.exponent))

    def is_euler(self, node) -> bool:
        """A plain e that the notation does not bind otherwise is Euler's number."""
        return (isinstance(node, Symbol) and node.base == "e" and node.sub is None and node.sup is None
                and not node.primes and node.accent is None and replace(node, text="") not in self.n.symbols
                and not self.n.match(node))

    def relabelled(self, node):
        """a^{2} in Nielsen's notation is layer 2's activations, not a square: a number or a
        letter above a letter that this notation writes with its layer above is a label."""
        if not isinstance(node, Pow):
            return node
        base, exponent = node.base, node.exponent
        if isinstance(base, Symbol) and base.sup is None and isinstance(exponent, (Number, Symbol)):
            label = exponent.text if isinstance(exponent, Number) else exponent.base
            if label.isalnum():
                labelled = replace(base, sup=label, text=f"{base.text}^{{{label}}}")
                if self.n.match(labelled):
                    return labelled
        return node

    def call(self, node: Call):
        relabelled = replace(node, args=tuple(self.relabelled(a) for a in node.args))
        if self.n.match(relabelled):
            return self.template(relabelled)
        if node.primes == 0 and node.sub is None and Symbol(node.name) in (*self.n.loss_symbols, self.own_loss):
            return LOSS  # l(o, y): the loss written as a function of its arguments
        arguments = tuple(self.bind(a) for a in node.args)
        if node.name in self.n.functions:  # N(z), g^{[l]}(z): the network's activation at z
            return Call(ACTIVATION, arguments, node.primes)
        return Call(node.name, arguments, node.primes, node.sub, node.sup)

    def symbol(self, node: Symbol):
        bound = self.bound.get(node)  # the same symbol binds the same way (text aside)
        if bound is None:
            bound = self.bound[node] = self._symbol(node)
        return bound

    def _symbol(self, node: Symbol):
        n = self.n
        plain = replace(node, text="")
        if plain in n.symbols:
            return self.explicit(node, n.symbols[plain])
        indexed = self.indexed(node)
        if indexed is not None:
            return indexed
        if node.sub is None and node.sup is None and node.primes == 0 and node.accent is None \
                and node.base in n.constants:
            return Number(n.constants[node.base])
        if plain in n.loss_symbols or plain == self.own_loss:
            return LOSS
        if n.match(node):
            return self.template(node)
        if node.primes and n.prime_is_transpose:
            return Transpose(self.symbol(replace(node, primes=node.primes - 1)))
        if self.is_euler(node):
            return Call(r"\exp", (Number("1"),))
        split = self.letters(node)
        if split is not None:
            return split
        raise DeriveError(self.unbound(node))

    def letters(self, node: Symbol):
        """Xw, a word that is no name here, as the product of its letters when each one binds."""
        if node.sub is not None or node.sup is not None or node.primes or node.accent or len(node.base) < 2 \
                or not node.base.isalpha():
            return None
        try:
            factors = tuple(self.symbol(Symbol(letter, text=letter)) for letter in node.base)
        except DeriveError:
            return None
        return Mul(factors, ("juxt",) * (len(factors) - 1))

    def indexed(self, node: Symbol):
        """An explicit name with an index letter is a pattern: h_i=x_i^{(2)} binds h_1 to
        x_1^{(2)} and h_j to x_j^{(2)}."""
        if node.sub is None:
            return None
        for key, meaning in self.n.symbols.items():
            if key.sub is None or len(key.sub) != 1 or not key.sub.isalpha() or isinstance(meaning, Quantity) \
                    or (key.base, key.sup, key.primes, key.accent) != (node.base, node.sup, node.primes, node.accent):
                continue
            return self.explicit(node, _substituted(meaning, key.sub, node.sub))
        return None

    def explicit(self, node: Symbol, meaning):
        """A name the article defined (``--symbols``, an article's definitions): its meaning
        is written in the reference notation."""
        try:
            bound = _Binder(NOTATIONS["arrows"], self.arch).bind(meaning)
        except DeriveError as error:
            raise DeriveError(f"{_written(node)} is bound to something that does not exist: {error}") from None
        if self.n.orientation == "rows" and isinstance(bound, Quantity) and bound.kind != "loss" and bound.i is None:
            return Transpose(bound)
        return bound

    def template(self, node):
        form, values = self.n.match(node)[0]
        kind, whole, gradient = FORMS[form]
        layer = self.layer(values.get("layer"))
        i, j = (None, None) if whole else (values.get("i"), values.get("j"))
        quantity = Quantity(kind, layer, i, j)
        self.check(quantity, node)
        if gradient:
            return Nabla(quantity, LOSS) if whole else Partial(LOSS, quantity)
        if whole and self.n.orientation == "rows":
            return Transpose(quantity)
        return quantity

    def layer(self, value):
        """The letter L (the output layer) resolved to the network's depth."""
        if isinstance(value, str):
            letter, offset = split_index(value)
            if letter == "L":
                return self.arch.depth + offset
        return value

    # checks against the architecture ---------------------------------------------------
    def check(self, q: Quantity, node) -> None:
        arch, written = self.arch, _written(node)
        widths, depth = arch.widths, arch.depth
        shown = self._shown
        if q.kind == "label":
            if isinstance(q.i, int) and not 1 <= q.i <= widths[-1]:
                raise DeriveError(f"{written} does not exist: there are {widths[-1]} outputs")
            return
        if q.kind == "weight":
            p = q.layer
            if isinstance(p, int):
                if not 1 <= p < depth:
                    raise DeriveError(f"{written} does not exist: there is no weight matrix from layer {shown(p)} "
                                      f"in {arch.text} (layers {shown(1)} … {shown(depth)})")
                rows, cols = widths[p], widths[p - 1]
                if isinstance(q.i, int) and not 1 <= q.i <= rows:
                    raise DeriveError(f"{written} does not exist: W{p} is {rows}×{cols}, and layer {shown(p + 1)} "
                                      f"has {rows} nodes")
                if isinstance(q.j, int) and not 1 <= q.j <= cols:
                    raise DeriveError(f"{written} does not exist: W{p} is {rows}×{cols}, and layer {shown(p)} "
                                      f"has {cols} nodes")
            return
        l = q.layer
        if not isinstance(l, int):
            return
        if not 1 <= l <= depth:
            raise DeriveError(f"{written}: layer {shown(l)} does not exist: {arch.text} has layers "
                              f"{shown(1)} … {shown(depth)}")
        if l == 1 and q.kind != "node":
            what = {"bias": "no bias", "delta": "no δ", "preactivation": "no pre-activation z",
                    "node_prime": "no activation, so no activation derivative"}[q.kind]
            raise DeriveError(f"{written} does not exist: the input layer has {what}")
        if q.kind == "bias" and not arch.bias:
            raise DeriveError(f"{written}: {arch.text} has no biases (use --bias)")
        if isinstance(q.i, int) and not 1 <= q.i <= widths[l - 1]:
            raise DeriveError(f"{written} does not exist: layer {shown(l)} has {widths[l - 1]} nodes")

    def _shown(self, layer: int) -> int:
        """A reference layer number as this notation writes it."""
        return layer + self.n.first_layer - 1

    def unbound(self, node: Symbol) -> str:
        """Why ``node`` binds to nothing, and how this notation writes what it might be."""
        written, n = _written(node), self.n
        examples = []
        for pattern in n.patterns:
            tree = pattern.tree
            if isinstance(tree, Symbol) and tree.base == node.base and tree.accent == node.accent:
                example = _example(n, pattern.form)
                if example and example not in examples:
                    examples.append(example)
        if examples:
            kinds = sorted({FORMS[p.form][0] for p in n.patterns
                            if isinstance(p.tree, Symbol) and p.tree.base == node.base})
            what = {"weight": "weights", "node": "nodes", "bias": "biases", "delta": "δ", "label": "labels",
                    "preactivation": "pre-activations", "node_prime": "activation derivatives"}
            return (f"cannot bind {written} in the {n.name} notation: write {' or '.join(what[k] for k in kinds)} "
                    f"like {', '.join(examples[:3])}")
        losses = ", ".join(dict.fromkeys([self.own_loss.base, *n.loss_names]))
        if node.sub is None and node.sup is None and node.accent is None and not node.primes:
            return (f"unknown name {written} in the {n.name} notation: the loss is written {losses}; "
                    "other names need --symbols or a definition in the article")
        return (f"cannot bind {written} in the {n.name} notation: no quantity is written like it "
                "(give its meaning with --symbols)")


def _substituted(tree, letter: str, value: str):
    """``tree`` (unbound) with the index ``letter`` in its subscripts and superscripts replaced."""
    pattern = re.compile(rf"(?<![A-Za-z\\]){letter}(?![A-Za-z])")

    def text(part):
        return None if part is None else pattern.sub(value, part)

    return replaced(tree, lambda node: replace(node, sub=text(node.sub), sup=text(node.sup), text="")
                    if isinstance(node, Symbol) else None)


def _written(node) -> str:
    if isinstance(node, Symbol):
        return node.written
    if isinstance(node, Call):
        return f"{node.name}{chr(39) * node.primes}(…)"
    return "this symbol"


def _example(n: Notation, form: str) -> str | None:
    """The form written with sample values (w_{12}^{(1 \\rightarrow 2)})."""
    kind, whole, _ = FORMS[form]
    try:
        if kind == "weight":
            return n.write(form, 1, None if whole else 2, None if whole else 1)
        return n.write(form, None if kind == "label" else 2, None if whole else 1)
    except DeriveError:
        return None


@dataclass
class Choice:
    """What ``--notation auto`` chose: the notation, how many items it read, and the items it
    could not read or bind (text, why)."""

    notation: Notation
    read: int
    total: int
    unbound: list = field(default_factory=list)
    tried: dict = field(default_factory=dict)  # preset name -> items read


def choose(items, arch: Architecture, symbols: dict | None = None, candidates: tuple[str, ...] = AUTO_ORDER,
           loss_name: str | None = None) -> Choice:
    """The preset under which the most ``items`` (LaTeX texts) parse and bind to ``arch``,
    ties going to the earlier in ``candidates``; ``symbols`` (``--symbols``) are added to each,
    and ``loss_name`` (``--loss-name``) is each one's only name for the loss."""
    items = list(items)
    best: Choice | None = None
    tried = {}
    parsed: dict = {}  # (functions, item) -> members or the error: most notations parse alike
    for name in candidates:
        n = NOTATIONS[name] if symbols is None else NOTATIONS[name].with_symbols(symbols)
        if loss_name:
            n = n.with_loss_name(loss_name)
        binder = _Binder(n, arch)
        unbound = []
        for item in items:
            key = (n.functions, item)
            if key not in parsed:
                try:
                    parsed[key] = parse_for(item, n)
                except DeriveError as error:
                    parsed[key] = error
            try:
                members = parsed[key]
                if isinstance(members, DeriveError):
                    raise members
                for member in members:
                    binder.bind(member)
            except DeriveError as error:
                unbound.append((item, str(error)))
        count = len(items) - len(unbound)
        tried[name] = count
        if best is None or count > best.read:
            best = Choice(n, count, len(items), unbound)
    assert best is not None, "choose() needs at least one candidate notation"
    best.tried = tried
    return best
