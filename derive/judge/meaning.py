"""What a bound formula claims: SymPy parts for every value of its free indices.

A bound tree is the syntax tree of ``derive.reader.syntax`` whose symbols ``derive.reader.bind``
resolved to quantities (``kind``, ``layer``, ``i``, ``j`` in the reference meaning: layers from 1,
a weight's layer is its source layer; each an int, an index expression over letters such as
``"l"``, ``"l+1"``, ``"L-1"``, or None for the whole vector or matrix).

- **Free indices** (letters not bound by a Σ) make the formula a claim for every value: each
  letter runs over the values for which every quantity it indexes exists (a layer letter over
  the layers, a node letter over the nodes of its layer). A formula that speaks of a general
  layer (a letter in a layer position, or L) is also claimed on deeper networks built from the
  same activations and loss (``DEPTHS``).
- **Σ** binds its index: with limits as written (a limit past the layer's width names quantities
  that do not exist, which the checker calls wrong of kind "index"); without limits (or up to a
  letter such as n) over the nodes the index runs over. A Σ that binds a letter the formula also
  uses freely shadows it: that is reported with the verdict.
- **Vectors and matrices**: a quantity without its index is the whole vector (a column; the
  binder writes a row-vector notation's vectors and matrices as transposes) or matrix; products are matrix products, or elementwise for the
  operators the notation makes elementwise (⊙, ∘, and * where it says so); ``^T`` transposes;
  ``\\nabla_W C`` and ∂C/∂W of a scalar by a vector or matrix have the shape of W; ∂ of a vector
  by a vector is the Jacobian (rows: the entries of the numerator). Shapes that do not fit raise
  ``ShapeError``.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from derive import naming
from derive.activations import ACTIVATIONS, Softmax
from derive.architecture import Architecture
from derive.errors import DeriveError, ShapeError
from derive.judge.values import Example, delta_symbol
from derive.network import LOSS
from derive.reader import syntax

DEPTHS = 3  # a claim about a general layer is checked on the network and this many - 1 deeper ones
MAX_INSTANCES = 400  # index assignments judged for one formula, over all depths

GENERIC_FUNCTIONS = ("f", "g", "\\phi", "\\varphi", "h", "a", "activation", "act")


@dataclass(frozen=True)
class Conventions:
    """What the meaning of a formula takes from its notation."""

    elementwise: tuple[str, ...] = ("odot", "circ")
    orientation: str = "columns"  # kept for callers; the binder writes a row-vector notation's wholes as ^T
    first_layer: int = 1  # the number the notation gives the input layer
    examples: int = 1  # > 1: a batch formula, judged over this many examples (shared weights)
    batch_loss: str = "mean"  # the batch's cost: the mean ("mean") or the sum ("sum") of the examples' losses
    bias_unit: bool = False  # node 0 of a layer is the constant 1 and a weight from it the bias (Bishop's x_0 = 1)
    batches: bool = False  # the notation's whole quantities may be batches (an index-free Σ may run over examples)

    @classmethod
    def of(cls, notation, **changes) -> Conventions:
        """What ``notation`` (a ``derive.notation.Notation``) says, with ``changes``."""
        return cls(**{"elementwise": notation.elementwise, "orientation": notation.orientation,
                      "first_layer": notation.first_layer, "bias_unit": notation.bias_unit,
                      "batches": bool(notation.batch_cost), **changes})


@dataclass
class Instance:
    """The formula for one network and one value of each free index."""

    arch: Architecture
    assignment: tuple  # ((letter, value), …) in order
    parts: list

    @property
    def where(self) -> str:
        return ", ".join(f"{letter} = {value}" for letter, value in self.assignment)


@dataclass
class Claims:
    """Every instance of a formula, and what was noticed about its indices."""

    instances: list[Instance] = field(default_factory=list)
    architectures: list[Architecture] = field(default_factory=list)
    free: tuple[str, ...] = ()
    general: bool = False  # speaks of a general layer: checked on deeper networks too
    shadowed: tuple[str, ...] = ()  # letters a Σ binds that are also free
    members: list = field(default_factory=list)
    conventions: Conventions = field(default_factory=Conventions)
    loss_symbol: sp.Symbol = LOSS
    batch: bool = False  # a batch formula read for one example: right for it is not right for every batch

    def rebuilt(self, instance: Instance, member) -> object:
        """``member`` (a bound tree, e.g. a corrected one) for the network and indices of ``instance``."""
        return _Builder(instance.arch, self.conventions, self.loss_symbol).value(member, dict(instance.assignment))


def is_quantity(node) -> bool:
    return hasattr(node, "kind") and hasattr(node, "layer") and not isinstance(node, syntax.Symbol)


# --- indices ------------------------------------------------------------------------------

_INDEX = re.compile(r"\s*([A-Za-z])\s*(?:([+-])\s*(\d+))?\s*")


def index_letters(value) -> set:
    if value is None or isinstance(value, int):
        return set()
    if isinstance(value, sp.Basic):
        return {s.name for s in value.free_symbols}
    return set(re.findall(r"[A-Za-z]", str(value)))


def index_value(value, env: dict, depth: int) -> int:
    """An index (int, "l+1", "L", a SymPy expression) under ``env``; L is the output layer."""
    if isinstance(value, int):
        return value
    if isinstance(value, sp.Basic):
        mapping = {s: env.get(s.name, depth if s.name == "L" else None) for s in value.free_symbols}
        if None in mapping.values():
            raise DeriveError(f"the index {value} has a letter with no value")
        return int(value.xreplace(mapping))
    text = str(value)
    if re.fullmatch(r"\s*\d+\s*", text):
        return int(text)
    match = _INDEX.fullmatch(text)
    if not match:
        raise DeriveError(f"cannot read the index {text!r}")
    letter, sign, number = match.groups()
    base = env.get(letter, depth if letter == "L" else None)
    if base is None:
        raise DeriveError(f"the index {letter} has no value here")
    offset = int(number or 0)
    return base + offset if sign != "-" else base - offset


_LAYER_RANGE: dict[str, tuple[int, int]] = {  # kind -> (first, last - L): valid layers are first … L + last
    "node": (1, 0), "node_prime": (2, 0), "preactivation": (2, 0), "bias": (2, 0), "delta": (2, 0),
    "weight": (1, -1),
}


def _layer_ok(kind: str, layer: int, depth: int) -> bool:
    if kind in ("label", "loss"):
        return True
    first, last = _LAYER_RANGE.get(kind, (1, 0))
    return first <= layer <= depth + last


def _widths(kind: str, layer, arch: Architecture) -> tuple:
    """(rows, columns) of a quantity's indices i and j."""
    n = arch.widths
    if kind == "label" or layer is None:
        return (n[-1], None)
    if kind == "weight":
        return (n[layer], n[layer - 1])
    return (n[layer - 1], None)


# --- the walk -----------------------------------------------------------------------------

def _quantities(node, bound=frozenset()):
    """(quantity, letters bound around it) for every quantity in the tree, and Σs met."""
    stack = [(node, bound)]
    while stack:
        current, around = stack.pop()
        if is_quantity(current):
            yield current, around
            continue
        if isinstance(current, syntax.Diag):  # diag(2(x_i - y_i)) binds i: the column over i
            stack.append((current.arg, around | _diag_letters(current, around)))
            continue
        if isinstance(current, syntax.Sum):
            inner = around | {current.index} if current.index else around
            for limit in (current.lower, current.upper):
                if limit is not None:
                    stack.append((limit, around))
            stack.append((current.body, inner))
            continue
        for child in syntax.children(current) if isinstance(current, syntax.NODE_TYPES) else ():
            stack.append((child, around))


def _diag_letters(node, around=frozenset()) -> frozenset:
    """The node-index letters a diag(…) of an expression binds (those free inside it)."""
    letters = set()
    for current in syntax.walk(node.arg):
        if is_quantity(current):
            letters |= index_letters(current.i) | index_letters(current.j)
    return frozenset(letters - set(around))


def _sums(node):
    for current in syntax.walk(node) if isinstance(node, syntax.NODE_TYPES) else ():
        if isinstance(current, syntax.Sum):
            yield current


def claims(members: list, arch: Architecture, conventions: Conventions | None = None,
           loss_symbol: sp.Symbol = LOSS) -> Claims:
    """Every instance of the chain ``members`` (bound trees)."""
    conventions = conventions or Conventions()
    uses = [(q, around) for member in members for q, around in _quantities(member)]
    letters_of = {}
    layer_letters, index_letters_ = set(), set()
    for q, around in uses:
        for letter in index_letters(q.layer) - around:
            layer_letters.add(letter)
        for value in (q.i, q.j):
            for letter in index_letters(value) - around:
                index_letters_.add(letter)
        letters_of[id(q)] = around
    layer_letters.discard("L")
    examples = {str(q.example).strip() for q, around in uses
                if getattr(q, "example", None) is not None and str(q.example).strip() not in around}
    if len(examples) > 1:  # a^{(i)} - y^{(j)}: which examples are meant is not known
        raise DeriveError(f"the formula names the examples {', '.join(sorted(examples))} without a Σ over them: "
                          "write one example's index throughout")
    both = sorted(layer_letters & index_letters_)
    if both:  # y_k = a_k read with a_k the layer k's vector: a reading that cannot be the author's
        raise DeriveError(f"as read, the letter {both[0]} is a layer in one place and a node in another; "
                          "this notation does not fit the formula")
    free = tuple(sorted(layer_letters)) + tuple(sorted(index_letters_ - layer_letters))
    sums_bound = {s.index for m in members for s in _sums(m) if s.index}
    shadowed = tuple(sorted(sums_bound & set(free)))
    general = bool(layer_letters) or any("L" in index_letters(q.layer) for q, _ in uses)
    architectures = [arch] + (deeper(arch, DEPTHS - 1) if layer_letters else [])
    result = Claims([], architectures, free, bool(layer_letters), shadowed, list(members), conventions, loss_symbol)
    for network in architectures:
        for env in _assignments(uses, sorted(layer_letters), sorted(index_letters_ - layer_letters), network):
            builder = _Builder(network, conventions, loss_symbol)
            parts = [builder.value(member, dict(env)) for member in members]
            result.instances.append(Instance(network, tuple(env.items()), parts))
            if len(result.instances) > MAX_INSTANCES:
                raise DeriveError(f"the formula has more than {MAX_INSTANCES} index values to check; "
                                  "check it on a smaller network")
    if general:
        result.general = True
    return result


_KIND_NAMES = {"node": "the node value", "node_prime": "the activation derivative", "preactivation":
               "the pre-activation", "weight": "the weight", "bias": "the bias", "label": "the label", "delta": "δ"}


def layer_text(layer, first_layer: int = 1) -> str:
    """A reference layer (3, "l+1") as the notation numbers it (Ng's input is layer 0)."""
    if first_layer == 1 or layer is None:
        return str(layer)
    if isinstance(layer, int):
        return str(layer + first_layer - 1)
    return str(_shifted(layer, first_layer - 1))


def index_mutations(member, also=(), first_layer: int = 1):
    """Corrections of a member's indices, each with its description and kind: two letters
    swapped throughout, one letter of one quantity replaced by another letter in scope ("index"),
    or one quantity moved to the layer before or after ("wrong-layer")."""
    uses = _occurrences(member)
    letters = sorted({letter for q, _ in uses for value in (q.i, q.j) for letter in index_letters(value)}
                     | set(also))
    for a, b in itertools.combinations(letters, 2):
        swapped = _map_quantities(member, lambda q, a=a, b=b: _renamed(q, {a: b, b: a}))
        if swapped != member:
            yield swapped, f"the indices {a} and {b} are swapped", "index"
    for position, (q, around) in enumerate(uses):
        own = sorted(index_letters(q.i) | index_letters(q.j))
        for old in own:
            for new in letters:
                if new == old or (new in around) != (old in around) and new not in around:
                    continue
                yield _at(member, position, _renamed(q, {old: new})), \
                    f"the index {old} of {_KIND_NAMES.get(q.kind, q.kind)} should be {new}", "index"
    for position, (q, _) in enumerate(uses):
        if q.layer is None or q.kind in ("label", "loss"):
            continue
        for step in (-1, 1):
            where = "before" if step < 0 else "after"
            moved = _shifted(q.layer, step)
            if q.kind == "weight":
                def span(p):
                    return f"layer {layer_text(p, first_layer)} to {layer_text(_shifted(p, 1), first_layer)}"
                text = f"the weights from {span(q.layer)} should be those from {span(moved)}"
            else:
                text = (f"{_KIND_NAMES.get(q.kind, q.kind)} of layer {layer_text(q.layer, first_layer)} should be of "
                        f"layer {layer_text(moved, first_layer)} (the layer {where} it)")
            yield _at(member, position, replace(q, layer=moved)), text, "wrong-layer"


def _occurrences(member) -> list:
    """Every quantity of the tree with the letters bound around it, in ``_map_quantities`` order
    (each occurrence apart, even when equal quantities are one object)."""
    found: list = []

    def visit(node, around):
        if is_quantity(node):
            found.append((node, around))
            return
        if not isinstance(node, syntax.NODE_TYPES):
            return
        inner = around
        if isinstance(node, syntax.Sum) and node.index:
            inner = around | {node.index}
        if isinstance(node, syntax.Diag):
            inner = around | _diag_letters(node, around)
        from dataclasses import fields

        for f in fields(node):
            value = getattr(node, f.name)
            scope = inner if (isinstance(node, syntax.Sum) and f.name == "body") or isinstance(node, syntax.Diag) \
                else around
            for item in (value if isinstance(value, tuple) else (value,)):
                for part in (item if isinstance(item, tuple) else (item,)):
                    visit(part, scope)

    visit(member, frozenset())
    return found


def _at(member, position: int, new):
    """The tree with its ``position``-th quantity occurrence replaced by ``new``."""
    count = itertools.count()
    return _map_quantities(member, lambda q: new if next(count) == position else q)


def _shifted(layer, step: int):
    if isinstance(layer, int):
        return layer + step
    match = _INDEX.fullmatch(str(layer))
    if not match:
        return layer
    letter, sign, number = match.groups()
    offset = (int(number or 0) if sign != "-" else -int(number or 0)) + step
    return letter if offset == 0 else f"{letter}{offset:+d}"


def _renamed(q, mapping: dict):
    from dataclasses import replace

    def rename(value):
        if isinstance(value, str):
            return re.sub(r"[A-Za-z]", lambda m: mapping.get(m.group(0), m.group(0)), value)
        return value

    return replace(q, i=rename(q.i), j=rename(q.j))


def _map_quantities(node, change):
    """The tree with every quantity q replaced by change(q)."""
    from dataclasses import fields, replace

    if is_quantity(node):
        return change(node)
    if not isinstance(node, syntax.NODE_TYPES):
        return node
    updates = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple):
            new = tuple(tuple(_map_quantities(y, change) for y in x) if isinstance(x, tuple) else
                        _map_quantities(x, change) for x in value)
        else:
            new = _map_quantities(value, change)
        if new is not value:
            updates[f.name] = new
    return replace(node, **updates) if updates else node


def deeper(arch: Architecture, count: int) -> list[Architecture]:
    """Networks one, two … hidden layers deeper, with the same activations and loss: the last
    hidden layer (its width and activation) repeated."""
    result = []
    widths, activations = list(arch.widths), list(arch.activations)
    hidden_width = widths[-2]
    hidden_activation = activations[-2] if len(activations) > 1 else (
        activations[-1] if ACTIVATIONS[activations[-1]].elementwise else "sigmoid")
    for extra in range(1, count + 1):
        result.append(Architecture(tuple(widths[:-1] + [hidden_width] * extra + widths[-1:]),
                                   tuple(activations[:-1] + [hidden_activation] * extra + activations[-1:]),
                                   arch.loss, arch.bias))
    return result


def _assignments(uses, layer_letters: list, node_letters: list, arch: Architecture):
    """Every value of the free letters for which each quantity they index exists."""
    depth = arch.depth
    layer_domains = []
    for letter in layer_letters:
        values = []
        for v in range(1, depth + 1):
            env = {letter: v}
            ok = True
            for q, around in uses:
                if letter not in index_letters(q.layer) - around:
                    continue
                if index_letters(q.layer) - around - {letter, "L"}:
                    continue  # depends on another letter too: judged when all are set
                if not _layer_ok(q.kind, index_value(q.layer, env, depth), depth):
                    ok = False
                    break
            if ok:
                values.append(v)
        if not values:
            raise DeriveError(f"no layer {letter} makes every quantity of the formula exist in {arch.text}")
        layer_domains.append(values)
    for layer_values in itertools.product(*layer_domains):
        env = dict(zip(layer_letters, layer_values))
        if layer_letters and not all(_layer_ok(q.kind, index_value(q.layer, env, depth), depth)
                                     for q, around in uses if q.layer is not None and not index_letters(q.layer) & around):
            continue
        domains = []
        for letter in node_letters:
            widths = []
            for q, around in uses:
                if q.kind == "loss" or index_letters(q.layer) & around or letter in around:
                    continue
                layer = index_value(q.layer, env, depth) if q.layer is not None else (
                    depth if q.kind != "weight" else depth - 1)
                rows, cols = _widths(q.kind, layer, arch)
                if letter in index_letters(q.i) and _single(q.i):
                    widths.append(rows)
                if letter in index_letters(q.j) and _single(q.j):
                    widths.append(cols)
            domains.append(list(range(1, min(w for w in widths if w) + 1)) if widths else [1])
        for node_values in itertools.product(*domains):
            yield {**env, **dict(zip(node_letters, node_values))}


def _single(value) -> bool:
    """An index that is a letter alone (j, not j+1)."""
    return isinstance(value, str) and bool(re.fullmatch(r"\s*[A-Za-z]\s*", value))


class _Builder:
    """One member of the chain as SymPy, for one network and one value of the free indices."""

    def __init__(self, arch: Architecture, conventions: Conventions, loss_symbol: sp.Symbol):
        self.arch, self.conventions, self.loss_symbol = arch, conventions, loss_symbol

    def value(self, node, env: dict):
        result = self._value(node, env)
        for entry in (result if isinstance(result, sp.MatrixBase) else [result]):
            if entry.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
                raise DeriveError("the formula has no finite value (it divides by zero or takes \\log(0))")
            if entry.has(sp.I):
                raise DeriveError("the formula has a complex value (\\log of a negative number?)")
        if isinstance(result, sp.MatrixBase) and result.shape == (1, 1):
            return result[0, 0]
        return sp.ImmutableMatrix(result) if isinstance(result, sp.MatrixBase) else result

    # quantities -----------------------------------------------------------------------
    def quantity(self, q, env: dict):
        arch, depth = self.arch, self.arch.depth
        layer: Any
        if q.kind == "loss":
            return self._batch_loss() if self.conventions.examples > 1 else self.loss_symbol
        if q.kind == "ones":  # 1^T dZ: the sum over the examples of a batch (one example: 1)
            count = self.conventions.examples
            return sp.ImmutableMatrix([1] * count) if count > 1 else sp.Integer(1)
        example = self._example(q, env)
        layer = index_value(q.layer, env, depth) if q.layer is not None else None
        if q.kind == "label":
            layer = None
        elif layer is None:
            layer = depth if q.kind != "weight" else depth - 1
        if layer is not None and not _layer_ok(q.kind, layer, depth):
            what = "weight matrix from" if q.kind == "weight" else f"{q.kind.replace('_', ' ')} in"
            raise DeriveError(f"a {what} layer {layer} does not exist in {arch.text} (layers 1 … {depth})")
        i = index_value(q.i, env, depth) if q.i is not None else None
        j = index_value(q.j, env, depth) if q.j is not None else None
        rows, cols = _widths(q.kind, layer, arch)
        if q.kind == "weight":
            if i is None and j is None:
                matrix = sp.ImmutableMatrix(rows, cols, [naming.weight(layer, a, b) for a in range(1, rows + 1)
                                                         for b in range(1, cols + 1)])
                return matrix
            if i is None or j is None:
                raise DeriveError("a weight takes two indices (or none, for the whole matrix)")
            if j == 0 and self.conventions.bias_unit and 1 <= i <= rows:  # w_{j0}: the bias of node j
                if not arch.bias:
                    raise DeriveError(f"a weight from node 0 is a bias, and {arch.text} has no biases (use --bias)")
                return self._element("bias", layer + 1, i)
            symbol = naming.weight(layer, i, j)
            if not (1 <= i <= rows and 1 <= j <= cols):
                return naming.MissingSymbol(symbol.name, f"W{layer} is {rows}×{cols}")
            return symbol
        if i is None:
            column = [self._element(q.kind, layer, k) for k in range(1, rows + 1)]
            if example is not None:  # dZ^{[1](i)}: the column of example i
                return sp.ImmutableMatrix([_of_example(entry, example) for entry in column])
            if self.conventions.examples > 1 and q.kind != "bias":  # a batch: one column per example
                return sp.ImmutableMatrix(rows, self.conventions.examples,
                                          lambda r, e: _of_example(column[r], e + 1))
            return sp.ImmutableMatrix(column)
        if i == 0 and q.kind == "node" and self.conventions.bias_unit:  # x_0 = 1, the bias unit
            return sp.Integer(1)
        symbol = self._element(q.kind, layer, i)
        if example is not None and 1 <= i <= rows:
            return _of_example(symbol, example)
        if not 1 <= i <= rows:
            where = "there are" if q.kind == "label" else f"layer {layer} has"
            unit = "; as the bias unit (x_0 = 1), say so in the article" if i == 0 and q.kind == "node" else ""
            return naming.MissingSymbol(symbol.name, f"{where} {rows} {'outputs' if q.kind == 'label' else 'nodes'}"
                                                     f"{unit}")
        return symbol

    def _example(self, q, env: dict) -> int | None:
        """The example of a batch ``q`` belongs to (dZ^{[1](i)} under Σ_i: the i-th), None for
        any one (no example index). An example index no Σ binds is any one example: the first."""
        if q.example is None or q.kind in ("weight", "bias"):
            return None
        if isinstance(q.example, str) and len(q.example.strip()) == 1 and q.example.strip() not in env:
            return 1
        e = index_value(q.example, env, self.arch.depth)
        if not 1 <= e <= self.conventions.examples:
            raise DeriveError(f"example {e} of a batch of {self.conventions.examples} "
                              f"({'one example' if self.conventions.examples == 1 else 'examples'} judged)")
        return e

    def _batch_loss(self):
        """The batch's cost: the mean (or the sum) of the examples' losses."""
        count = self.conventions.examples
        total = sp.Add(*[_of_example(self.loss_symbol, e) for e in range(1, count + 1)])
        return total / count if self.conventions.batch_loss == "mean" else total

    @staticmethod
    def _element(kind: str, layer, i: int):
        if kind == "node":
            return naming.node(layer, i)
        if kind == "node_prime":
            return naming.node_derivative(layer, i)
        if kind == "preactivation":
            return naming.preactivation(layer, i)
        if kind == "bias":
            return naming.bias(layer - 1, i)
        if kind == "delta":
            return delta_symbol(layer, i)
        if kind == "label":
            return naming.label(i)
        raise DeriveError(f"unknown quantity {kind}")

    # the tree ------------------------------------------------------------------------------
    def _value(self, node, env: dict):
        if is_quantity(node):
            return self.quantity(node, env)
        method = getattr(self, f"_{type(node).__name__.lower()}", None)
        if method is None:
            raise DeriveError(f"cannot judge {type(node).__name__}")
        return method(node, env)

    def _symbol(self, node: syntax.Symbol, env: dict):
        if node.base == "e" and node.sub is None and node.sup is None:
            return sp.E
        if node.base in env and node.sub is None and node.sup is None:
            return sp.Integer(env[node.base])
        raise DeriveError(f"cannot bind {node.written}: it names no quantity of the network in this notation")

    def _number(self, node: syntax.Number, env: dict):
        return sp.Rational(node.text)

    def _add(self, node: syntax.Add, env: dict):
        # 1 - A: the vector of ones added to a vector is 1 in every entry, whatever its length
        terms = [(sign, sp.Integer(1) if _ones(term) else self._value(term, env)) for sign, term in node.terms]
        scalars = [value for _, value in terms if not isinstance(value, sp.MatrixBase)]
        if scalars and len(scalars) < len(terms) and not all(v.is_number for v in scalars):
            whole = next((t for (_, t), (_, v) in zip(node.terms, terms, strict=True)
                          if isinstance(v, sp.MatrixBase) and _whole_quantity(t) is not None), None)
            if whole is not None:
                q = _whole_quantity(whole)
                raise IndexMistake(f"{_KIND_NAMES.get(q.kind, q.kind)} of layer "
                                   f"{layer_text(q.layer, self.conventions.first_layer)} is written without its "
                                   "index in a sum of numbers: it needs one, like the other terms")
            raise ShapeError("cannot add a vector or matrix and a number")
        total = None
        for sign, term in terms:
            term = -term if sign < 0 else term
            if total is None:
                total = term
                continue
            if isinstance(total, sp.MatrixBase) != isinstance(term, sp.MatrixBase):
                # 1 - σ(z): a number added to every entry, as people write it elementwise
                matrix = total if isinstance(total, sp.MatrixBase) else term
                number = term if matrix is total else total
                total = matrix.applyfunc(lambda e, n=number: e + n)
                continue
            if isinstance(total, sp.MatrixBase) and total.shape != term.shape:
                raise ShapeError(f"cannot add a {_shape_text(total)} and a {_shape_text(term)} matrix")
            total = total + term
        return total

    def _mul(self, node: syntax.Mul, env: dict):
        values = [self._value(factor, env) for factor in node.factors]
        try:
            result = values[0]
            for op, other in zip(node.ops, values[1:], strict=True):
                result = self.product(result, other, op)
            return result
        except ShapeError:
            elementwise = [op in self.conventions.elementwise for op in node.ops]
            if not any(elementwise) or all(elementwise):
                raise
        # x' ⊙ W^T δ: the matrix products first, as the shapes allow no other reading
        groups, current = [], values[0]
        for op, other in zip(node.ops, values[1:], strict=True):
            if op in self.conventions.elementwise:
                groups.append(current)
                current = other
            else:
                current = self.product(current, other, op)
        groups.append(current)
        result = groups[0]
        for other in groups[1:]:
            result = self.product(result, other, "odot")
        return result

    def product(self, a, b, op: str):
        matrices = isinstance(a, sp.MatrixBase), isinstance(b, sp.MatrixBase)
        if not all(matrices):
            if any(matrices) and op in self.conventions.elementwise:
                raise ShapeError("⊙ needs two vectors or matrices of the same shape")
            return a * b
        if op in self.conventions.elementwise:
            if a.shape != b.shape:
                raise ShapeError(f"⊙ of a {_shape_text(a)} and a {_shape_text(b)} matrix")
            return a.multiply_elementwise(b)
        if a.shape[1] != b.shape[0]:
            if a.shape == (1, 1) or b.shape == (1, 1):
                return a[0, 0] * b if a.shape == (1, 1) else a * b[0, 0]
            raise ShapeError(f"cannot multiply a {_shape_text(a)} matrix by a {_shape_text(b)} one")
        return a * b

    def _frac(self, node: syntax.Frac, env: dict):
        num, den = self._value(node.num, env), self._value(node.den, env)
        if isinstance(den, sp.MatrixBase):
            # Y / A: a quotient by a vector or matrix has no reading but entry by entry (NumPy's /)
            if isinstance(num, sp.MatrixBase) and num.shape != den.shape:
                raise ShapeError(f"cannot divide a {_shape_text(num)} matrix by a {_shape_text(den)} one "
                                 "entry by entry")
            if any(entry == 0 for entry in den):
                raise DeriveError("division by zero")
            if isinstance(num, sp.MatrixBase):
                return num.multiply_elementwise(den.applyfunc(lambda entry: 1 / entry))
            return den.applyfunc(lambda entry: num / entry)
        if den == 0:
            raise DeriveError("division by zero")
        return num / den

    def _pow(self, node: syntax.Pow, env: dict):
        base, exponent = (_scalar(self._value(part, env)) for part in (node.base, node.exponent))
        if isinstance(base, sp.MatrixBase) or isinstance(exponent, sp.MatrixBase):
            raise ShapeError("a power of a vector or matrix")
        if exponent.is_Number and abs(exponent) > 1000:
            raise DeriveError("the power is too large; powers up to 1000 are read")
        if base == sp.E:
            return sp.exp(exponent)
        return base ** exponent

    def _transpose(self, node: syntax.Transpose, env: dict):
        value = self._value(node.arg, env)
        return value.T if isinstance(value, sp.MatrixBase) else value

    def _call(self, node: syntax.Call, env: dict):
        args = [self._value(a, env) for a in node.args]
        name = node.name.lstrip("\\") if node.name.lstrip("\\") in ("exp", "log", "ln") else node.name
        if name in ("exp", "log", "ln"):
            function = {"exp": sp.exp, "log": sp.log, "ln": sp.log}[name]
            if node.primes:
                raise DeriveError(f"{name}' is not part of the notation; write the derivative out")
            return _apply(function, args[0])
        if name.lstrip("\\") == "softmax":
            zs = list(args[0]) if len(args) == 1 and isinstance(args[0], sp.MatrixBase) else args
            if node.sub is None:
                column = sp.ImmutableMatrix([Softmax(k, *zs) for k in range(1, len(zs) + 1)])
                row = len(args) == 1 and isinstance(args[0], sp.MatrixBase) and args[0].shape[0] == 1
                return column.T if row else column
            k = index_value(node.sub, env, self.arch.depth)
            return Softmax(k, *zs)
        entry = _activation(name) or self._generic(node, env)
        if len(args) != 1:
            raise DeriveError(f"{node.name} takes one argument")
        if node.primes > 1:
            raise DeriveError(f"{node.name} with {node.primes} primes: only first derivatives are read")
        if not entry.elementwise:
            raise DeriveError(f"{entry.name} applies to a whole layer")
        return _apply(entry.derivative if node.primes else entry.function, args[0])

    def _generic(self, node: syntax.Call, env: dict):
        if node.name not in GENERIC_FUNCTIONS:
            known = sorted({s for a in ACTIVATIONS.values() for s in a.spellings})
            raise DeriveError(f"unknown function {node.name}; known: {', '.join(known)}, exp, log")
        layer = None
        argument: Any = node.args[0] if node.args else None
        if is_quantity(argument) and argument.layer is not None:
            layer = index_value(argument.layer, env, self.arch.depth)
        elif node.sup is not None:  # g^{[l]}: the layer in the notation's numbering
            written = index_value(re.sub(r"[\[\]()]", "", node.sup), env, self.arch.depth)
            layer = written + 1 - self.conventions.first_layer
        if layer is None or not 2 <= layer <= self.arch.depth:
            raise DeriveError(f"{node.name}(…): say which layer's activation (its argument names no layer)")
        return ACTIVATIONS[self.arch.activations[layer - 2]]

    def _sum(self, node: syntax.Sum, env: dict):
        if node.index is None:
            unread = DeriveError("a Σ without an index: write \\sum_i")
            try:
                body = self._value(node.body, env)
            except DeriveError:
                raise unread from None
            if isinstance(body, sp.MatrixBase) and min(body.shape) == 1 and not self.conventions.batches:
                return sp.Add(*body)  # \sum (o - y)^2 of a vector: its entries
            raise unread  # a number, a matrix (rows, columns or both?), a batch's vector (its examples or entries?)
        lower = 1 if node.lower is None else int(self._value(node.lower, env))
        upper = self._upper(node, env)
        terms = [self._value(node.body, {**env, node.index: v}) for v in range(lower, upper + 1)]
        if not terms:
            return sp.Integer(0)
        total = terms[0]
        for term in terms[1:]:
            if isinstance(total, sp.MatrixBase) and total.shape != term.shape:
                raise ShapeError("the terms of the sum have different shapes")
            total = total + term
        return total

    def _upper(self, node: syntax.Sum, env: dict) -> int:
        if node.upper is not None:
            try:
                value = self._value(node.upper, env)
                if isinstance(value, sp.Integer):
                    return int(value)
            except DeriveError:
                pass
        widths = []
        for q, around in _quantities(node.body):
            if node.index in around:
                continue
            layer = index_value(q.layer, {**env, node.index: 1}, self.arch.depth) if q.layer is not None else None
            if q.kind != "label" and layer is not None and not _layer_ok(q.kind, layer, self.arch.depth):
                continue
            if q.kind not in ("label", "loss") and layer is None:
                layer = self.arch.depth if q.kind != "weight" else self.arch.depth - 1
            rows, cols = _widths(q.kind, layer, self.arch)
            if node.index in index_letters(q.i):
                widths.append(rows)
            if node.index in index_letters(q.j):
                widths.append(cols)
        if not widths and any(q.example == node.index for q, _ in _quantities(node.body)):
            return self.conventions.examples  # Σ_i dZ^{[1](i)}: over the examples of the batch
        if not widths:
            raise DeriveError(f"the sum's index {node.index} indexes nothing in its body")
        return min(w for w in widths if w)

    def _partial(self, node: syntax.Partial, env: dict):
        if node.of is None:
            raise DeriveError("∂/∂… with nothing to differentiate")
        if self._batch_gradient(node.of):
            return self._gradient(self._label(node.wrt, env))
        of, wrt = self._value(node.of, env), self._label(node.wrt, env)
        return derivative(of, wrt)

    def _batch_gradient(self, of) -> bool:
        return self.conventions.examples > 1 and is_quantity(of) and of.kind == "loss"

    def _gradient(self, wrt):
        """∂J/∂wrt of a batch's cost: the mean (or the sum) of the examples' own gradients (the
        weights and biases are shared, each example's loss depends on its own inputs only)."""
        count = self.conventions.examples
        entries = list(wrt) if isinstance(wrt, sp.MatrixBase) else [wrt]
        if any(isinstance(e, sp.Basic) and e.has(Example) for e in entries):  # by a batch matrix: each entry is
            share = sp.Rational(1, count) if self.conventions.batch_loss == "mean" else sp.Integer(1)  # one example's

            def by_entry(entry):
                e, quantity = (int(entry.args[0]), entry.args[1]) if isinstance(entry, Example) else (1, entry)
                if not isinstance(quantity, sp.Symbol):
                    raise DeriveError("∂/∂ needs one quantity of the network below the line")
                return share * _of_example(sp.Derivative(self.loss_symbol, quantity, evaluate=False), e)

            return wrt.applyfunc(by_entry) if isinstance(wrt, sp.MatrixBase) else by_entry(wrt)
        single = derivative(self.loss_symbol, wrt)

        def batch(entry):
            total = sp.Add(*[_of_example(entry, e) for e in range(1, count + 1)])
            return total / count if self.conventions.batch_loss == "mean" else total

        return single.applyfunc(batch) if isinstance(single, sp.MatrixBase) else batch(single)

    def _label(self, node, env: dict):
        """What a derivative is taken by; a weight matrix the network does not have is a wrong
        label (``MissingLabel``), not an unreadable formula."""
        inner: Any = node.arg if isinstance(node, syntax.Transpose) else node
        if is_quantity(inner) and inner.kind == "weight" and inner.layer is not None:
            layer = index_value(inner.layer, env, self.arch.depth)
            if not 1 <= layer < self.arch.depth:
                raise MissingLabel(layer, self.conventions.first_layer, self.arch)
        return self._value(node, env)

    def _nabla(self, node: syntax.Nabla, env: dict):
        if node.wrt is None:
            raise DeriveError("write ∇ with what it differentiates by, like \\nabla_{W} C")
        if self._batch_gradient(node.of):
            return self._gradient(self._label(node.wrt, env))
        of, wrt = self._value(node.of, env), self._label(node.wrt, env)
        if isinstance(of, sp.MatrixBase):
            raise ShapeError("∇ of a vector: write the Jacobian as ∂ of the vector")
        return derivative(of, wrt)

    def _matrix(self, node: syntax.Matrix, env: dict):
        rows = [[self._value(cell, env) for cell in row] for row in node.rows]
        if len({len(r) for r in rows}) != 1:
            raise ShapeError("the rows of this matrix have different lengths")
        if any(isinstance(c, sp.MatrixBase) for r in rows for c in r):
            raise DeriveError("matrix entries must be numbers or expressions, not vectors or matrices")
        return sp.ImmutableMatrix(rows)

    def _diag(self, node: syntax.Diag, env: dict):
        letters = sorted(_diag_letters(node, frozenset(env)))
        if len(letters) > 1:
            raise DeriveError(f"diag(…) over two indices {', '.join(letters)}")
        if letters:
            letter = letters[0]
            count = self._upper(syntax.Sum(letter, None, None, node.arg), env)
            entries = [self._value(node.arg, {**env, letter: v}) for v in range(1, count + 1)]
            if any(isinstance(e, sp.MatrixBase) for e in entries):
                raise ShapeError("diag(…) of vectors")
            return sp.ImmutableMatrix(sp.diag(*entries))
        value = self._value(node.arg, env)
        if not isinstance(value, sp.MatrixBase) or min(value.shape) != 1:
            raise ShapeError("diag(…) needs a vector")
        return sp.ImmutableMatrix(sp.diag(*list(value)))


class MissingLabel(DeriveError):
    """A derivative by a weight matrix the network does not have (dW^{[3]} in a 3-4-2 network)."""

    def __init__(self, layer: int, first_layer: int, arch: Architecture):
        self.layer = layer
        shown = layer_text(layer, first_layer)
        super().__init__(f"the weights from layer {shown} do not exist in {arch.text} (layers "
                         f"{layer_text(1, first_layer)} … {layer_text(arch.depth, first_layer)})")


class IndexMistake(ShapeError):
    """A whole vector where an entry belongs (a bias without its index): wrong, of kind "index"."""

    kind = "index"


def _whole_quantity(node):
    """The quantity of a whole vector or matrix written as a term (b^{(l)}, (b^{(l)})^T), or None."""
    while isinstance(node, syntax.Transpose):
        node = node.arg
    return node if is_quantity(node) and node.kind not in ("loss", "label") and node.i is None else None


def derivative(of, wrt):
    """∂of/∂wrt: a scalar; a scalar by a vector or matrix (the shape of wrt); a vector by a
    scalar (the shape of of); a vector by a vector (the Jacobian, rows the entries of of)."""
    if not isinstance(wrt, sp.MatrixBase):
        if not isinstance(wrt, sp.Symbol):
            raise DeriveError("∂/∂ needs one quantity of the network below the line")
        if isinstance(of, sp.MatrixBase):
            return of.applyfunc(lambda e: sp.Derivative(e, wrt, evaluate=False))
        return sp.Derivative(of, wrt, evaluate=False)
    if not isinstance(of, sp.MatrixBase):
        return wrt.applyfunc(lambda w: sp.Derivative(of, w, evaluate=False))
    if min(of.shape) != 1 or min(wrt.shape) != 1:
        raise ShapeError("∂ of a matrix by a matrix is not part of the notation")
    top, bottom = list(of), list(wrt)
    return sp.ImmutableMatrix(len(top), len(bottom), [sp.Derivative(t, b, evaluate=False) for t in top for b in bottom])


def _of_example(quantity, e: int):
    """A named quantity of example ``e`` of a batch (example 1: the network's own symbol)."""
    return quantity if e == 1 else Example(sp.Integer(e), quantity)


def _apply(function, argument):
    if isinstance(argument, sp.MatrixBase):
        return argument.applyfunc(function)
    return function(argument)


def _activation(name: str):
    bare = name.lstrip("\\")
    for entry in ACTIVATIONS.values():
        if not entry.elementwise:
            continue
        if name in entry.spellings or bare in entry.spellings or ("\\" + bare) in entry.spellings:
            return entry
    return None


def _ones(node) -> bool:
    """The vector of ones (or its transpose) written as a term."""
    while isinstance(node, syntax.Transpose):
        node = node.arg
    return is_quantity(node) and node.kind == "ones"


def _scalar(value):
    """A 1×1 matrix (one neuron's vector) as its number."""
    return value[0, 0] if isinstance(value, sp.MatrixBase) and value.shape == (1, 1) else value


def _shape_text(m) -> str:
    return f"{m.shape[0]}×{m.shape[1]}"
