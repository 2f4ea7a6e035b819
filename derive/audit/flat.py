"""Learning an article's own names from its definitions: the flat notation.

Step-by-step tutorials name every quantity themselves (``w_1 … w_8``, ``i_1``, ``net_{h1}``,
``out_{o1}``, ``h_1``, ``target_{o1}``, ``E_{total}``) and define them before they
differentiate. ``learn`` reads those definitions in article order and matches each against
the architecture's forward pass:

- ``S = Σ_k w_k s_k + b`` (a weighted sum, a bias term alone or times 1): the sources s_k are
  the nodes of one layer (already bound, or the inputs), so S is the pre-activation of a node
  of the next layer, each w_k the weight from s_k to it, b its bias; ``S = f(Σ …)`` (f a named
  activation, a generic f, g, φ, or σ written out as 1/(1 + e^{-…})) makes S the node's value;
- ``S = f(T)`` with T a bound pre-activation: S is that node's value;
- ``S = ½ (t_1 - o_1)^2 + …`` (or a sum of such parts named on their own, or ``Σ ½ (t - o)^2``
  over unindexed names): squared differences of the output nodes; the other name in each is
  that output's label, and S is the loss when the whole matches a registry loss.

The node a definition names is the one its own name's digit says (``h1``, ``o_2``) when that
one is free, else the next free node of its layer; inputs likewise. A definition that cannot
be the architecture's (too many or too few terms, a name already bound to another quantity, a
bias in a network without biases, another loss, another activation) is a ``Contradiction``:
the item is "wrong" and says why. One name may stand for several quantities that must be
equal (one bias shared by a whole layer). Names defined by an expression that is no single
quantity (``E_{o1}``, ``w_5^{new}``) are kept as macros. Numbers given as data (``w_1 = 0.15``)
are kept as the article's values.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from derive import naming
from derive.activations import ACTIVATIONS
from derive.architecture import Architecture
from derive.losses import LOSSES
from derive.reader.syntax import Add, Call, Frac, Mul, Number, Partial, Pow, Sum, Symbol, walk

WEIGHT_BASES = frozenset({"w", "W", "\\theta", "\\Theta", "\\omega"})
LOSS_BASES = frozenset({"E", "L", "C", "J", "MSE", "Loss", "loss", "Cost", "cost", "Error", "error", "l", "\\ell"})
GENERIC_FUNCTIONS = frozenset({"f", "g", "\\phi", "\\varphi", "N", "act", "activation", "A"})
OUTPUT_WORDS = frozenset({"output", "out", "o", "prediction", "pred", "a", "\\hat{y}", "yhat", "y_{pred}"})
LOSS_SYMBOL = sp.Symbol("L")  # what the checker calls the loss
EULER = Symbol("e")
VECTOR_ACCENTS = frozenset({"vec", "underline", "bold"})


class Contradiction(Exception):
    """A definition that cannot be the architecture's: the item is wrong, with this message."""


class NotADefinition(Exception):
    """The formula has not the shape of a definition this module learns from."""


@dataclass
class Binding:
    symbol: Symbol
    quantities: list  # engine symbols (several: the same value, like one bias for a layer)
    line: int


@dataclass
class Learned:
    """What the article's definitions say its names are."""

    arch: Architecture
    bindings: dict = field(default_factory=dict)  # Symbol -> Binding
    macros: dict = field(default_factory=dict)  # Symbol -> the tree it stands for
    values: dict = field(default_factory=dict)  # Symbol -> number text (data the article gives)
    functions: dict = field(default_factory=dict)  # a name given an activation (--symbols 'h=\\tanh') -> its entry's name
    loss: Symbol | None = None
    reference: Callable | None = None  # Symbol -> engine symbol in the reference notation, or None

    def quantity(self, symbol: Symbol):
        """The engine symbol a name stands for: learned, else the reference notation's."""
        binding = self.bindings.get(symbol)
        if binding:
            return binding.quantities[0]
        return self.reference(symbol) if self.reference else None

    def spelled(self) -> dict:
        """Article spelling -> reference spellings, for the report."""
        return {b.symbol.written: ["L" if q == LOSS_SYMBOL else naming.latex_name(q.name) for q in b.quantities]
                for b in self.bindings.values()}

    def bound_symbols(self) -> set:
        return set(self.bindings) | set(self.macros)

    def ties(self) -> dict:
        """Every quantity that shares a name with others -> the first of them."""
        return {q: b.quantities[0] for b in self.bindings.values() if len(b.quantities) > 1 for q in b.quantities[1:]}

    def article_names(self) -> dict:
        """Reference spelling -> the article's own name, for diagnoses in its words."""
        names: dict = {}
        for binding in self.bindings.values():
            for quantity in binding.quantities:
                if quantity != LOSS_SYMBOL:
                    names.setdefault(naming.latex_name(quantity.name), binding.symbol.written)
        return names


def index_hint(symbol: Symbol) -> int | None:
    """The node number a name carries: h1, o_2, net_{h1} -> 1, 2, 1."""
    digits = re.findall(r"\d+", symbol.sub or "") or re.findall(r"\d+", symbol.base)
    return int(digits[-1]) if digits else None


class Learner:
    """Binds an article's names by its definitions, one equation at a time, in article order."""

    def __init__(self, arch: Architecture):
        self.arch = arch
        self.learned = Learned(arch)
        self.taken: dict = {}  # (layer, "node" | "input") -> {index: Symbol}
        self.reserved: set = set()  # names a notation's --symbols give: not the article's to define

    # ---------------------------------------------------------------------------------
    def definition(self, members: list, line: int) -> str | None:
        """Learn from ``S = rhs …``: a description of what S now is, or None when the formula is
        not a definition of a new name. Raises Contradiction."""
        if len(members) < 2 or not isinstance(members[0], (Symbol, Call)):
            return None
        name, rhs = members[0], members[1]
        if isinstance(name, Call):
            name = Symbol(name.name)
        if name in self.learned.bindings or name in self.learned.macros or name == EULER:
            return None
        if _is_number(rhs):
            return None  # a value, or a numeric result: not a definition
        if not _symbols(rhs) - {EULER}:
            return None
        head = members[0]
        if isinstance(head, Call) and all(isinstance(a, Symbol) for a in head.args) \
                and (_activation_name(head.name) is None or (_activation_name(head.name) == "" and len(head.args) > 1)) \
                and head.name not in ("\\exp", "\\log", "\\ln"):
            function = Symbol(head.name)  # f(X, w) = X w: a function named for the article
            if function not in self.learned.macros and self.learned.quantity(function) is None:
                self.learned.macros[function] = rhs
                return f"{head.name} names the expression on its right"
        if isinstance(members[0], Call):
            return None
        if self.reserved and (name in self.reserved or _symbols(rhs) & self.reserved):
            return None
        if _is_update(name):
            self.learned.macros[name] = rhs
            return "the update rule, nothing to prove"
        if name.accent in VECTOR_ACCENTS or name.sup is not None or any(
                type(n).__name__ in ("Matrix", "Nabla", "Transpose", "Diag") for n in walk(rhs)):
            return None  # vectors, matrices, layer labels: the flat notation is plain scalar names
        known = self.learned.quantity(name)
        if known is not None:
            if known != LOSS_SYMBOL:
                return None  # a quantity the notation reads: a claim to check, not a definition
            try:
                self._loss(name, rhs, line)  # the loss's own name, defined: learn its labels
            except NotADefinition:
                pass
            return None  # and check it as a claim
        if isinstance(rhs, Symbol) and len(members) == 2:
            quantity = self.learned.quantity(rhs)
            if quantity is not None:  # y_{pred} = o_1: another name for the same quantity
                return self._bind(name, [quantity], line)
        for attempt in (self._loss, self._activated, self._linear):
            try:
                return attempt(name, rhs, line)
            except NotADefinition:
                continue
        names = _symbols(rhs) - {EULER}
        if any(isinstance(n, Partial) for n in walk(rhs)) or all(
                n in self.learned.macros or n in self.learned.values or self.learned.quantity(n) is not None
                for n in names):
            self.learned.macros[name] = rhs  # δ_{o1} = ∂E/∂net_{o1}: a name for an expression
            return f"{name.written} names the expression on its right"
        return None

    # the forward pass ----------------------------------------------------------------------
    def _activated(self, name: Symbol, rhs, line: int) -> str:
        function, argument = _strip_activation(rhs)
        if function is None:
            raise NotADefinition
        if isinstance(argument, Symbol):
            quantity = self.learned.quantity(argument)
            parts = naming.parse_symbol(quantity.name) if isinstance(quantity, naming.NetworkSymbol) else None
            if not parts or parts["kind"] != "z":
                if quantity is None:
                    raise NotADefinition
                raise Contradiction(f"{name.written} applies the activation to {argument.written}, which is "
                                    f"{_describe(quantity)}, not a pre-activation")
            self._check_activation(function, parts["layer"], name)
            return self._bind(name, [naming.node(parts["layer"], parts["i"])], line)
        return self._linear(name, argument, line, activated=function)

    def _linear(self, name: Symbol, rhs, line: int, activated: str | None = None) -> str:
        pairs, biases = _weighted_sum(rhs)
        oriented = [self._orient(a, b) for a, b in pairs]
        layers = {self._source_layer(source) for _, source in oriented}
        if len(layers) != 1:
            raise Contradiction(f"{name.written} sums nodes of different layers "
                                f"({', '.join(str(layer) for layer in sorted(layers))})")
        (layer,) = layers
        width = self.arch.widths[layer - 1]
        if len(oriented) == 1 < width and all(index_hint(s) is None for pair in oriented for s in pair):
            raise NotADefinition  # h W_o: one product of unindexed names is a vector formula
        if len(oriented) != width:
            raise Contradiction(f"{name.written} sums {len(oriented)} weighted terms over layer {layer}, which has "
                                f"{width} nodes in the {self.arch.text} network")
        if layer >= self.arch.depth:
            raise Contradiction(f"{name.written} sums the output layer; no layer follows it in the "
                                f"{self.arch.text} network")
        if activated is not None:
            self._check_activation(activated, layer + 1, name)
        if biases and not self.arch.bias:
            raise Contradiction(f"{name.written} adds the bias {biases[0].written}, but the network has no biases "
                                "(audit with --bias)")
        if len(biases) > 1:
            raise Contradiction(f"{name.written} adds two biases, {biases[0].written} and {biases[1].written}")
        if not biases and self.arch.bias:
            raise Contradiction(f"{name.written} has no bias term, but the network has biases (audit without --bias)")
        sources = [self._source_index(source, layer, [s for _, s in oriented]) for _, source in oriented]
        if len(set(sources)) != len(sources):
            raise Contradiction(f"{name.written} sums the same node of layer {layer} twice")
        i = self._free_index(name, layer + 1)
        target = naming.node(layer + 1, i) if activated is not None else naming.preactivation(layer + 1, i)
        for (weight, source), j in zip(oriented, sources, strict=True):
            self._bind_input(source, layer, j, line)
            self._bind(weight, [naming.weight(layer, i, j)], line)
        if biases:
            self._bind(biases[0], [naming.bias(layer, i)], line, shared=True)
        return self._bind(name, [target], line)

    def _orient(self, a: Symbol, b: Symbol) -> tuple:
        """(weight, source) of a product of two names."""
        def kind(s):
            quantity = self.learned.quantity(s)
            parts = naming.parse_symbol(quantity.name) if isinstance(quantity, naming.NetworkSymbol) else None
            return parts["kind"] if parts else None

        if kind(a) == "x" or kind(b) == "w":
            return b, a
        if kind(b) == "x" or kind(a) == "w":
            return a, b
        if b.base in WEIGHT_BASES and a.base not in WEIGHT_BASES:
            return b, a
        return a, b

    def _source_layer(self, source: Symbol) -> int:
        quantity = self.learned.quantity(source)
        if quantity is None:
            return 1  # a name not bound yet is an input
        parts = naming.parse_symbol(quantity.name) if isinstance(quantity, naming.NetworkSymbol) else None
        if not parts or parts["kind"] != "x":
            raise Contradiction(f"{source.written} is {_describe(quantity)}; a weighted sum adds node values")
        return parts["layer"]

    def _source_index(self, source: Symbol, layer: int, all_sources: list) -> int:
        quantity = self.learned.quantity(source)
        if quantity is not None:
            return _parts(quantity)["i"]
        taken = self.taken.setdefault((layer, "x"), {})
        hint = index_hint(source)
        if hint is not None and 1 <= hint <= self.arch.widths[layer - 1] and taken.get(hint, source) == source:
            return hint
        for k in range(1, self.arch.widths[layer - 1] + 1):
            if k not in taken:
                return k
        raise Contradiction(f"{source.written} would be input {len(taken) + 1}; the network has "
                            f"{self.arch.widths[0]} inputs")

    def _free_index(self, name: Symbol, layer: int) -> int:
        taken = self.taken.setdefault((layer, "node"), {})
        width = self.arch.widths[layer - 1]
        hint = index_hint(name)
        if hint is not None and 1 <= hint <= width and hint not in taken:
            chosen = hint
        else:
            free = [k for k in range(1, width + 1) if k not in taken]
            if not free:
                raise Contradiction(f"{name.written} would be node {width + 1} of layer {layer}, which has {width} "
                                    f"nodes in the {self.arch.text} network")
            chosen = free[0]
        taken[chosen] = name
        return chosen

    def _bind_input(self, source: Symbol, layer: int, j: int, line: int) -> None:
        if self.learned.quantity(source) is None:
            self.taken.setdefault((layer, "x"), {})[j] = source
            self._bind(source, [naming.node(layer, j)], line)

    def _check_activation(self, function: str, layer: int, name: Symbol) -> None:
        own = self.arch.activations[layer - 2]
        if function not in ("", own) and function in ACTIVATIONS:
            raise Contradiction(f"{name.written} applies {function}; the network's layer {layer} uses {own} "
                                f"(audit with --activation {function})")

    def _bind(self, symbol: Symbol, quantities: list, line: int, shared: bool = False) -> str:
        existing = self.learned.bindings.get(symbol)
        if existing is None and self.learned.reference and self.learned.reference(symbol) == quantities[0]:
            return f"{symbol.written} is {_describe(quantities[0])}"  # the reference notation's own name
        if existing is not None:
            if quantities[0] in existing.quantities:
                return f"{symbol.written} is {_describe(existing.quantities[0])}"
            if shared and _same_kind_and_layer(existing.quantities[0], quantities[0]):
                existing.quantities.append(quantities[0])
                return f"{symbol.written} is shared by {len(existing.quantities)} nodes"
            raise Contradiction(f"{symbol.written} is already {_describe(existing.quantities[0])} (line "
                                f"{existing.line}); here it would be {_describe(quantities[0])}")
        self.learned.bindings[symbol] = Binding(symbol, list(quantities), line)
        return f"{symbol.written} is {_describe(quantities[0])}"

    # the loss ---------------------------------------------------------------------------
    def _loss(self, name: Symbol, rhs, line: int) -> str:
        expanded = self._expand_macros(rhs)
        parts = _squared_differences(expanded)
        if parts is None:
            raise NotADefinition
        outputs, labels = [], []
        depth = self.arch.depth
        for factor, left, right in parts:
            pair = self._output_and_label(left, right)
            if pair is None:
                raise NotADefinition
            output, label = pair
            if output == "vector":
                return self._generic_loss(name, factor, line)
            outputs.append((factor, output))
            labels.append(label)
        indices = [_parts(o)["i"] for _, o in outputs]
        for (_, output), label in zip(outputs, labels, strict=True):
            i = _parts(output)["i"]
            if isinstance(label, Symbol):
                self._bind(label, [naming.label(i)], line)
        if sorted(indices) != list(range(1, self.arch.widths[depth - 1] + 1)) or len({f for f, _ in outputs}) != 1:
            self.learned.macros[name] = rhs  # a part of the loss (E_{o1}), named on its own
            return f"{name.written} names a part of the loss"
        factor = outputs[0][0]
        return self._match_loss(name, factor, line)

    def _generic_loss(self, name: Symbol, factor, line: int) -> str:
        return self._match_loss(name, factor, line)

    def _match_loss(self, name: Symbol, factor, line: int) -> str:
        """Σ_i factor (x_i - y_i)^2 against the registry's losses."""
        net_outputs = [naming.node(self.arch.depth, i) for i in range(1, self.arch.widths[-1] + 1)]
        labels = [naming.label(i) for i in range(1, self.arch.widths[-1] + 1)]
        written = factor * sp.Add(*[(x - y) ** 2 for x, y in zip(net_outputs, labels, strict=True)])
        own = LOSSES[self.arch.loss]
        if sp.expand(own.build(net_outputs, labels) - written) == 0:
            self.learned.loss = name
            return self._bind(name, [LOSS_SYMBOL], line)
        for entry in LOSSES.values():
            try:
                same = sp.expand(entry.build(net_outputs, labels) - written) == 0
            except (TypeError, ValueError):
                same = False
            if same:
                raise Contradiction(f"{name.written} is {entry.description} ({entry.name}); the network's loss is "
                                    f"{own.name} ({own.description}): audit with --loss {entry.name}")
        raise Contradiction(f"{name.written} is {factor} times the sum of squared errors, which is not the "
                            f"network's loss ({own.name}: {own.description})")

    def _output_and_label(self, left, right):
        """(output node, label name) of a squared difference, either order; "vector" for the
        unindexed generic form; None otherwise."""
        for output, label in ((left, right), (right, left)):
            if not isinstance(output, Symbol) or not isinstance(label, Symbol):
                continue
            quantity = self.learned.quantity(output)
            parts = naming.parse_symbol(quantity.name) if isinstance(quantity, naming.NetworkSymbol) else None
            if parts and parts["kind"] == "x" and parts["layer"] == self.arch.depth:
                other = self.learned.quantity(label)
                if other is not None and not (isinstance(other, naming.NetworkSymbol)
                                              and naming.parse_symbol(other.name)["kind"] == "y"):
                    return None
                return quantity, label
        generic = all(isinstance(s, Symbol) and s.sub is None and s not in self.learned.bindings
                      for s in (left, right))
        if generic and {left.written, right.written, left.base, right.base} & OUTPUT_WORDS:
            return "vector", None
        return None

    def _expand_macros(self, tree):
        macros = self.learned.macros
        if not macros:
            return tree
        return _replace(tree, lambda node: macros.get(node) if isinstance(node, Symbol) else None)


def _parts(quantity) -> dict:
    """naming.parse_symbol of an engine symbol known to be one of the network's."""
    parts = naming.parse_symbol(quantity.name)
    if parts is None:
        raise NotADefinition
    return parts


def _is_update(name: Symbol) -> bool:
    """w^{new}, w_{new}, w^{+}, w^{(1)}_{new}: the name of an updated parameter."""
    return any(part and (part.strip("()") in ("new", "+", "next") or part.endswith(",new"))
               for part in (name.sub, name.sup))


def _same_kind_and_layer(a, b) -> bool:
    pa, pb = naming.parse_symbol(a.name), naming.parse_symbol(b.name)
    return bool(pa and pb and pa["kind"] == pb["kind"] and pa.get("layer") == pb.get("layer"))


def _describe(quantity) -> str:
    if quantity == LOSS_SYMBOL:
        return "the loss"
    return naming.latex_name(quantity.name)


# tree shapes ---------------------------------------------------------------------------------
def _is_number(node) -> bool:
    if isinstance(node, Number):
        return True
    if isinstance(node, Add) and len(node.terms) == 1:
        return _is_number(node.terms[0][1])
    return False


def _symbols(node) -> set:
    return {n for n in walk(node) if isinstance(n, Symbol)}


def _activation_name(name: str) -> str | None:
    """The registry name of an activation spelled ``name`` ("" for a generic f, g, φ)."""
    if name in GENERIC_FUNCTIONS:
        return ""
    for entry in ACTIVATIONS.values():
        if name in entry.spellings or name.lstrip("\\") == entry.name:
            return entry.name
    return None


def _strip_activation(node) -> tuple:
    """(activation name or "" for a generic one, argument), or (None, None)."""
    if isinstance(node, Call) and len(node.args) == 1 and not node.primes:
        function = _activation_name(node.name)
        if function is not None:
            return function, node.args[0]
    if isinstance(node, Mul) and len(node.factors) == 2 and node.ops == ("juxt",):
        head, argument = node.factors
        if isinstance(head, Symbol) and head.sub is None and head.sup is None and head.base in GENERIC_FUNCTIONS \
                and isinstance(argument, Add):
            return "", argument
    if isinstance(node, Frac) and _is_one(node.num) and isinstance(node.den, Add) and len(node.den.terms) == 2:
        (s1, one), (s2, power) = node.den.terms
        if s1 == 1 and s2 == 1 and _is_one(one):
            exponent = None
            if isinstance(power, Pow) and power.base == EULER:
                exponent = power.exponent
            elif isinstance(power, Call) and power.name == "\\exp" and len(power.args) == 1:
                exponent = power.args[0]
            if isinstance(exponent, Add) and len(exponent.terms) == 1 and exponent.terms[0][0] == -1:
                return "sigmoid", exponent.terms[0][1]
    return None, None


def _is_one(node) -> bool:
    return isinstance(node, Number) and node.text in ("1", "1.0")


def _weighted_sum(node) -> tuple:
    """([(a, b) products of two names], [bias names]) of Σ a_k b_k + b; NotADefinition otherwise."""
    terms = node.terms if isinstance(node, Add) else ((1, node),)
    pairs, biases = [], []
    for sign, term in terms:
        if sign != 1:
            raise NotADefinition
        if isinstance(term, Symbol):
            biases.append(term)
            continue
        if isinstance(term, Mul) and len(term.factors) == 2:
            a, b = term.factors
            if isinstance(a, Symbol) and _is_one(b):
                biases.append(a)
                continue
            if isinstance(b, Symbol) and _is_one(a):
                biases.append(b)
                continue
            if isinstance(a, Symbol) and isinstance(b, Symbol) and EULER not in (a, b) \
                    and a.accent not in VECTOR_ACCENTS and b.accent not in VECTOR_ACCENTS \
                    and (a.sup is None or b.sup is None):
                pairs.append((a, b))
                continue
        raise NotADefinition
    if not pairs:
        raise NotADefinition
    return pairs, biases


def _squared_differences(node):
    """[(factor, A, B)] of Σ factor (A - B)^2 (terms, or one unindexed \\sum), or None."""
    if isinstance(node, Sum) and node.index is None and node.lower is None:
        return _squared_differences(node.body)
    terms = node.terms if isinstance(node, Add) else ((1, node),)
    result = []
    for sign, term in terms:
        if sign != 1:
            return None
        factor, rest = sp.Integer(1), term
        if isinstance(term, Mul) and len(term.factors) == 2:
            constant = _constant(term.factors[0])
            if constant is None:
                return None
            factor, rest = constant, term.factors[1]
            if isinstance(rest, Sum) and rest.index is None and rest.lower is None:
                inner = _squared_differences(rest.body)
                if inner is None:
                    return None
                result.extend((factor * f, a, b) for f, a, b in inner)
                continue
        elif isinstance(term, Frac) and isinstance(term.den, Number):
            constant = _constant(term.den)
            if constant is None or constant == 0:
                return None
            factor, rest = 1 / constant, term.num
        if not (isinstance(rest, Pow) and isinstance(rest.exponent, Number) and rest.exponent.text == "2"):
            return None
        base = rest.base
        if not (isinstance(base, Add) and len(base.terms) == 2 and base.terms[0][0] == 1 and base.terms[1][0] == -1):
            return None
        result.append((factor, base.terms[0][1], base.terms[1][1]))
    return result or None


def _constant(node):
    if isinstance(node, Number):
        return sp.Rational(node.text)
    if isinstance(node, Frac) and isinstance(node.num, Number) and isinstance(node.den, Number):
        return sp.Rational(node.num.text) / sp.Rational(node.den.text)
    return None


def _replace(node, replacement):
    """``node`` with every subtree for which ``replacement`` gives a tree replaced by it."""
    found = replacement(node)
    if found is not None:
        return found
    if isinstance(node, Add):
        return Add(tuple((s, _replace(t, replacement)) for s, t in node.terms))
    if isinstance(node, Mul):
        return Mul(tuple(_replace(f, replacement) for f in node.factors), node.ops)
    if isinstance(node, Frac):
        return Frac(_replace(node.num, replacement), _replace(node.den, replacement))
    if isinstance(node, Pow):
        return Pow(_replace(node.base, replacement), _replace(node.exponent, replacement))
    if isinstance(node, Call):
        return dataclasses.replace(node, args=tuple(_replace(a, replacement) for a in node.args))
    if isinstance(node, Sum):
        return Sum(node.index, node.lower, node.upper, _replace(node.body, replacement))
    if isinstance(node, Partial):
        return Partial(None if node.of is None else _replace(node.of, replacement), node.wrt, node.spelling)
    return node


# the flat notation's meaning ---------------------------------------------------------------
class Unbound(Exception):
    """A name the article never defined (nor the network has): the link cannot be judged."""

    def __init__(self, symbol: Symbol):
        super().__init__(symbol.written)
        self.symbol = symbol


def to_sympy(node, learned: Learned, depth: int = 0, local: dict | None = None):
    """A tree in the article's learned names as a SymPy expression in the engine's symbols
    (scalars only: the flat notation has no vectors); ``local`` maps names to expressions
    first (a function's argument). Raises Unbound or NotADefinition (a shape the flat
    notation does not have)."""
    if depth > 200:
        raise NotADefinition

    def again(child):
        return to_sympy(child, learned, depth + 1, local)

    if local and isinstance(node, Symbol) and node in local:
        return local[node]

    if isinstance(node, Number):
        return sp.Rational(node.text)
    if isinstance(node, Symbol):
        quantity = learned.quantity(node)
        if quantity is not None:
            return quantity
        if node in learned.macros:
            return again(learned.macros[node])
        if node in learned.values:
            return sp.Rational(learned.values[node])
        if node == EULER:
            return sp.E
        letters = [Symbol(c) for c in node.base] if node.base.isalpha() and node.sub is None \
            and node.sup is None and not node.primes and not node.accent and len(node.base) > 1 else []
        if letters and all((local and c in local) or learned.quantity(c) is not None for c in letters):
            return sp.Mul(*[again(c) for c in letters])  # Xw: a product of one-letter names written together
        raise Unbound(node)
    if isinstance(node, Add):
        return sp.Add(*[sign * again(term) for sign, term in node.terms])
    if isinstance(node, Mul):
        return sp.Mul(*[again(f) for f in node.factors])
    if isinstance(node, Frac):
        return again(node.num) / again(node.den)
    if isinstance(node, Pow):
        base = again(node.base)
        exponent = again(node.exponent)
        return sp.exp(exponent) if base == sp.E else base ** exponent
    if isinstance(node, Call) and learned.quantity(Symbol(node.name)) == LOSS_SYMBOL:
        return LOSS_SYMBOL  # l(o, y): the loss written as a function of the output and label
    if isinstance(node, Sum) and node.index is None and node.lower is None and learned.arch.widths[-1] == 1:
        return again(node.body)  # Σ over the one output
    if type(node).__name__ == "Transpose" and isinstance(again(node.arg), sp.Expr):
        return again(node.arg)  # a scalar is its own transpose
    if isinstance(node, Call) and len(node.args) == 1:
        argument = again(node.args[0])
        if node.name in ("\\exp",):
            return sp.exp(argument)
        if node.name in ("\\log", "\\ln"):
            return sp.log(argument)
        function = learned.functions.get(node.name, _activation_name(node.name))
        if function is not None and node.primes <= 1:
            entry = ACTIVATIONS[function or _layer_activation(argument, learned)]
            if not entry.elementwise:
                raise NotADefinition
            return (entry.derivative if node.primes else entry.function)(argument)
        raise NotADefinition
    if isinstance(node, Partial) and node.of is not None and isinstance(node.wrt, Symbol):
        wrt = again(node.wrt)
        if not isinstance(wrt, sp.Symbol):
            raise NotADefinition
        of = again(node.of)
        binding = learned.bindings.get(node.wrt)
        tied = binding.quantities if binding else [wrt]
        # one name for several parameters (a bias shared by a layer): the sum of their partials
        return sp.Add(*[sp.Derivative(of, q, evaluate=False) for q in tied])
    raise NotADefinition


def _layer_activation(argument, learned: Learned) -> str:
    """The activation a generic f means: the network's at the layer of its argument."""
    arch = learned.arch
    for symbol in argument.free_symbols if isinstance(argument, sp.Expr) else ():
        parts = naming.parse_symbol(symbol.name) if isinstance(symbol, naming.NetworkSymbol) else None
        if parts and parts["kind"] == "z":
            return arch.activations[parts["layer"] - 2]
    return arch.activations[-1] if len(set(arch.activations)) == 1 else arch.activations[0]
