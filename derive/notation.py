"""Notations as data: which LaTeX spelling means which quantity of the network.

One table, ``NOTATIONS``, read by the document writer (``Notation.write`` formats a
template) and by the reader (``Notation.match`` matches a template against a parsed symbol,
``derive.reader.bind`` resolves a whole tree), so that every notation the tool writes it
can read back.

**Quantities** are in the reference meaning of the article notation (layers numbered from
1, the input; ``Quantity(kind, layer, i, j)``):

| kind | element | whole | meaning |
|---|---|---|---|
| node | x_i^{(l)} | vector of layer l | σ(z_i^{(l)}); layer 1 is the input |
| node_prime | x_i^{(l)'} | vector | σ'(z_i^{(l)}), the activation's derivative at that node |
| preactivation | z_i^{(l)} | vector | the weighted sum going into node i of layer l |
| weight | w_{ij}^{(l)} | matrix (n_{l+1} × n_l) | from node j of layer l to node i of layer l+1 |
| bias | b_i^{(l)} | vector | added to node i of layer l |
| label | y_i | vector | target of output i (``layer`` is None) |
| delta | δ_i^{(l)} | vector | ∂L/∂z_i^{(l)} |
| loss | L | | the loss (all parts None) |

``layer``, ``i`` and ``j`` are ints, index expressions over letters (``"l"``, ``"l+1"``,
``"j"``: free or bound indices of the formula), or None for the whole vector or matrix. The
letter L in a layer position is the output layer, resolved to the network's depth.

**Templates** are LaTeX with placeholders in angle brackets: ``<l>`` the layer of a node
(bias, δ…), ``<p>`` and ``<q>`` the source and destination layers of a weight, ``<i>``,
``<j>`` the indices as written and ``<ij>`` both joined (``12``, ``1,2``, ``jk``), ``<e>`` an example's index (``x^{(i)}`` in Ng's
notes: the quantity of example i of a batch; a formula read for one example reads it as that one).
Layers are written in the notation's own numbering (``first_layer`` is the number of the
input layer: 1 in the article, 0 in Ng's course). The first template of a form is the one
written; the others are read too. ``fixed`` templates name one layer (``X`` the input, ``o``
the output "L"); they are written for that layer unless marked "read" (or their layer is L).
Forms ending in ``_vector``/``_matrix`` are the whole quantity; forms starting with ``d_`` are gradients of the loss (``dW^{[l]}`` is ∇_W L, ``dz^{[l]}`` is δ).

**Conventions** per notation: ``weight_order`` ("to-from": the first index is the
destination, as in the article; "from-to" the source), ``orientation`` ("columns": vectors
are columns; "rows": vectors are rows and weight matrices are n_l × n_{l+1}, as in
batch-row code ``X W + b``, so each whole quantity is the transpose of the reference one),
``elementwise`` (the products that are elementwise), ``prime_is_transpose``,
``delta_is_partial`` (``\\frac{\\delta C}{\\delta w}`` means ∂), ``elementwise_powers`` (a
power of a vector or matrix, ``(A^{[1]})^2``, is taken elementwise, as NumPy's ``**``), ``bias_unit``
(node 0 of a layer is the constant 1 and the weight from it the bias: Bishop's x_0 = 1), ``loss_names``,
``functions`` (names of the network's activation, like ``N``), ``constants`` (``m``, the
number of examples, is 1 where a formula is read for one example; a constant whose value is
``ONES``, like ``\\mathbf{1}``, is the vector of ones of a batch, the quantity of kind
"ones"), ``batch_cost`` (the cost of a batch of examples: "mean" or "sum" of the examples'
losses, "" when the notation does not define one; ``derive.judge.formula`` judges a batch formula
over a batch of examples with it), ``output_letter`` (a layer letter read as L, the output layer:
an article that writes its loss with a_l learns l = L from there on, ``derive.audit.article``), and ``symbols``:
explicit bindings ``{Symbol: tree}`` (an article's own names, ``--symbols``), whose trees
are written in the reference notation and read with ``arrows``.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from derive.errors import DeriveError, lookup
from derive.reader.parse import FUNCTION_MACROS, FUNCTION_WORDS, parse, parse_equations, parse_one
from derive.reader.syntax import Call, Quantity, Symbol

__all__ = ["NOTATIONS", "Notation", "Quantity", "load_toml", "notation", "parse_symbols"]

Index = int | str | None


KINDS = ("node", "node_prime", "preactivation", "weight", "bias", "label", "delta", "loss")

# form -> (kind, whole, gradient): what a template of that form means
FORMS: Mapping[str, tuple[str, bool, bool]] = MappingProxyType({
    **{kind: (kind, False, False) for kind in ("node", "node_prime", "preactivation", "weight", "bias", "label",
                                              "delta")},
    **{f"{kind}_vector": (kind, True, False) for kind in ("node", "node_prime", "preactivation", "bias", "label",
                                                         "delta")},
    "weight_matrix": ("weight", True, False),
    **{f"d_{kind}": (kind, False, True) for kind in ("node", "preactivation", "weight", "bias")},
    **{f"d_{kind}_vector": (kind, True, True) for kind in ("node", "preactivation", "bias")},
    "d_weight_matrix": ("weight", True, True),
})
_PLACEHOLDERS = {"node": ("l", "i", "e"), "node_prime": ("l", "i", "e"), "preactivation": ("l", "i", "e"),
                 "bias": ("l", "i", "e"), "delta": ("l", "i", "e"), "label": ("i", "e"),
                 "weight": ("p", "q", "i", "j", "ij", "e")}
LAYER_LETTERS = frozenset("lLkmnpqrst")  # letters that may stand for a layer (a_o, \delta_h are names)
_MARK = "zzq"  # placeholders become letters the parser keeps as labels: <l> -> zzql
_VALUE = r"[A-Za-z0-9+\-]+"
_PAIR = r"[A-Za-z0-9,]+"


def _ij(i, j) -> str:
    """Two indices written together: 12, or 1,2 when one has two digits; jk for letters."""
    if isinstance(i, int) and isinstance(j, int):
        return f"{i}{j}" if i < 10 and j < 10 else f"{i},{j}"
    return f"{i}{j}" if len(str(i)) == 1 and len(str(j)) == 1 else f"{i},{j}"


def shifted(value: Index, offset: int) -> Index:
    """An index plus a constant: 3+1 = 4, "l"+1 = "l+1", "l+1"-1 = "l"."""
    if value is None or offset == 0:
        return value
    if isinstance(value, int):
        return value + offset
    letter, number = split_index(value)
    number += offset
    return letter if number == 0 else f"{letter}{number:+d}"


def split_index(value: str) -> tuple[str, int]:
    match = re.fullmatch(r"([A-Za-z])([+-]\d+)?", value)
    if not match:
        raise DeriveError(f"index {value!r} is not a letter with an offset like l+1")
    return match.group(1), int(match.group(2) or 0)


def index_value(text: str) -> Index:
    """A written index: a number, or a letter with an offset (l, l+1, L-1); None if neither."""
    if re.fullmatch(r"\d+", text):
        return int(text)
    match = re.fullmatch(r"([A-Za-z])([+-])(\d+)", text)
    if match:
        return f"{match.group(1)}{match.group(2)}{int(match.group(3))}" if int(match.group(3)) else match.group(1)
    if re.fullmatch(r"[A-Za-z]", text):
        return text
    return None


def pair_value(text: str) -> tuple[Index, Index] | None:
    """Two written indices: 12, 1,2, 10,3, jk, j,k, j,k+1."""
    parts = text.split(",")
    if len(parts) == 1 and len(text) == 2:
        parts = list(text)
    if len(parts) != 2:
        return None
    values = tuple(index_value(p) for p in parts)
    return (values[0], values[1]) if None not in values else None


ONES = "ones"  # the value of a constant that is the vector of ones of a batch (Quantity("ones"))
ONES_NAMES = {name: ONES for name in (r"\mathbf{1}", r"\boldsymbol{1}", r"\bm{1}", r"\vec{1}")}


@dataclass(frozen=True)
class _Pattern:
    form: str
    tree: Symbol | Call  # with placeholder marks in its texts
    layer: Index = None  # a fixed template's layer, in reference numbering ("L": the output)


GENERAL_LOSS_NAMES = ("L", "E", "C", "J")  # besides the loss's own name (MSE for the squared errors)


def accepted_loss_names(arch, chosen: str | None = None) -> tuple:
    """The bare names that stand for the loss: ``chosen`` alone when given (an article's
    ``--loss-name``), else the loss's own name (MSE for the squared errors) and L, E, C, J."""
    if chosen:
        return (chosen,)
    from derive.losses import loss

    return tuple(dict.fromkeys((loss(arch.loss).latex_name, *GENERAL_LOSS_NAMES)))


def chosen_loss_name(loss_names: tuple | None) -> str | None:
    """The one name ``accepted_loss_names`` gives for a ``--loss-name``, else None."""
    return loss_names[0] if loss_names and len(loss_names) == 1 else None


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: its tables are dicts
class Notation:
    """A notation: templates per form, and the conventions of the docstring above."""

    name: str
    templates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fixed: Mapping[str, tuple[tuple, ...]] = field(default_factory=dict)  # (LaTeX, layer[, "read"])
    first_layer: int = 1
    weight_order: str = "to-from"
    orientation: str = "columns"
    elementwise: tuple[str, ...] = ("odot", "circ")
    prime_is_transpose: bool = False
    delta_is_partial: bool = False
    elementwise_powers: bool = False
    loss_names: tuple[str, ...] = GENERAL_LOSS_NAMES
    default_loss_name: str = "MSE"
    functions: tuple[str, ...] = ()
    constants: Mapping[str, str] = field(default_factory=dict)
    symbols: Mapping = field(default_factory=dict)  # {Symbol: tree in the reference notation}
    description: str = ""
    own_loss_name: bool = True  # the loss's own name (MSE for the squared errors) is read too
    batch_cost: str = ""  # a batch's cost: "mean" or "sum" of the examples' losses ("": not defined)
    bias_unit: bool = False  # node 0 of a layer is the constant 1, w_{j0} the bias of node j (Bishop's x_0 = 1)
    output_letter: str = ""  # a layer letter read as L, the output layer (an article's l after its loss definition)

    def __post_init__(self):
        _validate(self)

    # writing ---------------------------------------------------------------------
    def write(self, form: str, layer: Index = None, i: Index = None, j: Index = None) -> str:
        """The LaTeX of a quantity in this notation; layer in reference numbering (for a
        weight, its source layer; for a bias, its node's layer)."""
        kind, whole, _ = FORMS[form]
        named = self._named.get((form, layer, i, j))
        if named is not None:
            return _transposed(named) if whole and self.orientation == "rows" else named
        written = next((entry[0] for entry in self.fixed.get(form, ())
                        if isinstance(entry[1], int) and entry[1] == layer and entry[2:] != ("read",)), None)
        if written is None:
            templates = self.templates.get(form)
            if not templates:
                raise DeriveError(f"the notation {self.name!r} has no template for {form.replace('_', ' ')}; "
                                  f"it cannot write it")
            written = templates[0]
        text = self._fill(written, kind, layer, i, j)
        return _transposed(text) if whole and self.orientation == "rows" else text

    def _fill(self, template: str, kind: str, layer: Index, i: Index, j: Index) -> str:
        shown = _layer_value(layer, 2 - self.first_layer) if layer is not None else None  # L stays L
        values = {"l": shown, "p": shown, "q": shifted(shown, 1), "i": i, "j": j}
        if kind == "weight" and i is not None:
            first, second = (i, j) if self.weight_order == "to-from" else (j, i)
            values.update(i=first, j=second, ij=_ij(first, second))
        return re.sub(r"<(\w+)>", lambda m: str(values[m.group(1)]), template)

    @cached_property
    def _named(self) -> dict:
        """(form, layer, i, j) -> the name ``symbols`` give that quantity, written instead of
        the template (``--symbols 'h=z^{(2)}'`` writes z^{(2)} as h)."""
        named: dict = {}
        for symbol, meaning in self.symbols.items():
            for form, values in NOTATIONS["arrows"].match(meaning) if isinstance(meaning, (Symbol, Call)) else ():
                key = (form, values.get("layer"), values.get("i"), values.get("j"))
                named.setdefault(key, symbol.written)
        return named

    # the writer's interface (derive.document): reference layers, parameter layers p
    def node(self, l: int, i: int) -> str:
        return self.write("node", l, i)

    def node_prime(self, l: int, i: int) -> str:
        return self.write("node_prime", l, i)

    def preactivation(self, l: int, i: int) -> str:
        return self.write("preactivation", l, i)

    def weight(self, p: int, i: int, j: int) -> str:
        return self.write("weight", p, i, j)

    def bias(self, p: int, i: int) -> str:
        """Bias of node i of layer p + 1 (p is the parameter layer b_p of the engine)."""
        return self.write("bias", p + 1, i)

    def vector(self, l: int) -> str:
        return self.write("node_vector", l)

    def vector_prime(self, l: int) -> str:
        return self.write("node_prime_vector", l)

    def matrix(self, p: int) -> str:
        return self.write("weight_matrix", p)

    def bias_vector(self, p: int) -> str:
        return self.write("bias_vector", p + 1)

    def delta(self, l: int) -> str:
        return self.write("delta_vector", l)

    def delta_element(self, l: int, i: int) -> str:
        return self.write("delta", l, i)

    def label(self, i: int) -> str:
        return self.write("label", None, i)

    @property
    def label_vector(self) -> str:
        return self.write("label_vector")

    # reading ---------------------------------------------------------------------
    @cached_property
    def patterns(self) -> tuple[_Pattern, ...]:
        """Every template parsed, the written ones first."""
        out = []
        for form, entries in self.fixed.items():
            for text, layer, *_ in entries:
                out.append(_Pattern(form, _template_tree(text, self.name, form), _reference_layer(layer)))
        for form, texts in self.templates.items():
            out.extend(_Pattern(form, _template_tree(text, self.name, form)) for text in texts)
        return tuple(out)

    @cached_property
    def loss_symbols(self) -> tuple[Symbol, ...]:
        return tuple(_plain(parse_one(name)) for name in self.loss_names)

    @cached_property
    def constant_symbols(self) -> dict:
        """``constants`` by their parsed names (m, \\mathbf{1}: the number of examples and the
        vector of ones, both 1 for the one example formulas are read for)."""
        return {_plain(parse_one(name)): value for name, value in {**ONES_NAMES, **self.constants}.items()}

    @cached_property
    def _by_head(self) -> dict:
        """Patterns by the base of their symbol or the name of their call (to try few)."""
        heads: dict = {}
        for pattern in self.patterns:
            tree = pattern.tree
            key = ("symbol", tree.base) if isinstance(tree, Symbol) else ("call", tree.name)
            heads.setdefault(key, []).append(pattern)
        return heads

    @cached_property
    def _matched(self) -> dict:
        return {}  # Symbol -> match(Symbol): symbols repeat thousands of times in long formulas

    def match(self, node) -> list[tuple[str, dict]]:
        """The forms ``node`` (a Symbol or Call) can be, with the values of their placeholders
        in reference numbering (layer, i, j; "layer" is a weight's source layer)."""
        if isinstance(node, Symbol):
            cached = self._matched.get(node)
            if cached is None:
                cached = self._matched[node] = self._match(node, self._by_head.get(("symbol", node.base), ()))
            return cached
        if isinstance(node, Call):
            return self._match(node, self._by_head.get(("call", node.name), ()))
        return []

    def _match(self, node, patterns) -> list[tuple[str, dict]]:
        found = []
        for pattern in patterns:
            values = _match_tree(pattern.tree, node)
            if values is None:
                continue
            values = self._reference(pattern, values)
            if values is not None:
                found.append((pattern.form, values))
        return found

    def _reference(self, pattern: _Pattern, written: dict) -> dict | None:
        """Placeholder values as read → reference values (layers renumbered, weight pair
        ordered destination first); None when they are not indices."""
        kind = FORMS[pattern.form][0]
        values: dict = {}
        if pattern.layer is not None:
            values["layer"] = pattern.layer
        for name, text in written.items():
            if name == "e":
                values["example"] = index_value(text)  # the example of a batch: a letter or a number
                continue
            if name == "ij":
                pair = pair_value(text)
                if pair is None:
                    return None
                values["i"], values["j"] = pair
                continue
            value = index_value(text)
            if value is None:
                return None
            if name in ("l", "p", "q"):
                if isinstance(value, str) and value[0] not in LAYER_LETTERS:
                    return None
                if isinstance(value, str) and value[0] == self.output_letter:
                    value = "L" + value[1:]  # a_l after "C = Σ (a_l - y)^2": l names the output layer
                value = _layer_value(value, self.first_layer)
                if name == "q":
                    value = shifted(value, -1)
                if "layer" in values and values["layer"] != value:
                    return None  # (p -> q) with q not p + 1
                values["layer"] = value
            else:
                values[name] = value
        if kind == "weight" and self.weight_order == "from-to" and "i" in values:
            values["i"], values["j"] = values.get("j"), values["i"]
        return values

    def with_loss_name(self, name: str) -> Notation:
        """This notation with exactly one name for the loss (``--loss-name``)."""
        return replace(self, loss_names=(name,), default_loss_name=name, own_loss_name=False)

    def with_symbols(self, symbols: Mapping) -> Notation:
        """This notation with more explicit bindings (an article's names, ``--symbols``):
        ``{Symbol: meaning}``, the key without its source text (``Symbol("net", "h1")``), the
        meaning a tree in the reference notation (bound with ``arrows``) or already bound
        (a ``Quantity``, or a tree of them)."""
        return replace(self, symbols={**self.symbols, **symbols})

    def as_toml(self) -> str:
        """The notation as a FILE.toml a user can start from."""
        def quoted(text):
            return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines = [f"name = {quoted(self.name)}", f"first_layer = {self.first_layer}",
                 f"weight_order = {quoted(self.weight_order)}", f"orientation = {quoted(self.orientation)}",
                 f"elementwise = [{', '.join(map(quoted, self.elementwise))}]",
                 f"prime_is_transpose = {str(self.prime_is_transpose).lower()}",
                 f"delta_is_partial = {str(self.delta_is_partial).lower()}",
                 f"elementwise_powers = {str(self.elementwise_powers).lower()}",
                 f"bias_unit = {str(self.bias_unit).lower()}",
                 f"loss_names = [{', '.join(map(quoted, self.loss_names))}]",
                 f"default_loss_name = {quoted(self.default_loss_name)}",
                 f"functions = [{', '.join(map(quoted, self.functions))}]", "", "[templates]"]
        lines += [f"{form} = [{', '.join(map(quoted, texts))}]" for form, texts in self.templates.items()]
        lines += ["", "[fixed]"]
        lines += [f"{form} = [{', '.join('[' + ', '.join(quoted(v) if isinstance(v, str) else str(v) for v in e) + ']' for e in entries)}]"
                  for form, entries in self.fixed.items()]
        if self.constants:
            lines += ["", "[constants]"] + [f"{quoted(k)} = {quoted(v)}" for k, v in self.constants.items()]
        return "\n".join(lines) + "\n"


def _transposed(text: str) -> str:
    """A row quantity written as the reference column: W^{(1)} -> W^{(1)T}, X -> X^{T}."""
    match = re.fullmatch(r"(.*\^\{)([^{}]*)\}", text)
    if match and not text.endswith("'}"):
        return f"{match.group(1)}{match.group(2)}T}}"
    if "^" in text:
        return rf"\left({text}\right)^{{T}}"
    return f"{text}^{{T}}"


def _reference_layer(layer) -> Index:
    return layer if isinstance(layer, int) or layer in ("L", "L-1") else index_value(str(layer))


def _layer_value(value: Index, first_layer: int) -> Index:
    """A layer as written → reference numbering; L (the output layer) is the same in all."""
    if isinstance(value, str) and value[0] == "L":
        return value
    return shifted(value, 1 - first_layer)


def _plain(node):
    """A parsed name without its source text, for comparisons."""
    if isinstance(node, Symbol):
        return replace(node, text="")
    return node


def _template_tree(text: str, notation: str, form: str):
    marked = re.sub(r"<(\w+)>", lambda m: _MARK + m.group(1), text)
    try:
        tree = parse_one(marked, functions=("g", "f"))
    except DeriveError as error:
        raise DeriveError(f"notation {notation!r}: the {form} template {text!r} is not readable LaTeX: {error}") \
            from None
    if not isinstance(tree, (Symbol, Call)):
        raise DeriveError(f"notation {notation!r}: the {form} template {text!r} must be a symbol or a call "
                          f"like \\sigma'(z^{{<l>}}_{{<i>}})")
    return _plain(tree)


@dataclass(frozen=True)
class _Part:
    regex: re.Pattern | None
    names: tuple[str, ...]
    literal: str | None


def _part_regex(text: str | None) -> _Part:
    if text is None or _MARK not in text:
        return _Part(None, (), text)
    names: list[str] = []
    pieces = re.split(rf"{_MARK}(ij|[a-z])", text)
    regex = ""
    for k, piece in enumerate(pieces):
        if k % 2 == 0:
            regex += re.escape(piece)
        else:
            names.append(piece)
            regex += f"({_PAIR if piece == 'ij' else _VALUE})"
    return _Part(re.compile(regex), tuple(names), None)


_PART_CACHE: dict = {}


def _match_part(template_text: str | None, text: str | None, values: dict) -> bool:
    part = _PART_CACHE.get(template_text)
    if part is None:
        part = _PART_CACHE[template_text] = _part_regex(template_text)
    if part.regex is None:
        return template_text == text
    if text is None:
        return False
    match = part.regex.fullmatch(text)
    if match is None:
        return False
    for name, value in zip(part.names, match.groups()):
        if values.setdefault(name, value) != value:
            return False
    return True


def _match_tree(template, node) -> dict | None:
    """Placeholder texts when ``node`` has the shape of ``template``, else None."""
    values: dict = {}
    if isinstance(template, Symbol):
        if not isinstance(node, Symbol) or (node.base, node.accent, node.primes) != \
                (template.base, template.accent, template.primes):
            return None
        if _match_part(template.sub, node.sub, values) and _match_part(template.sup, node.sup, values):
            return values
        return None
    if isinstance(template, Call):
        if not isinstance(node, Call) or (node.name, node.primes, len(node.args)) != \
                (template.name, template.primes, len(template.args)):
            return None
        if not (_match_part(template.sub, node.sub, values) and _match_part(template.sup, node.sup, values)):
            return None
        for t, n in zip(template.args, node.args):
            inner = _match_tree(t, n)
            if inner is None or any(values.setdefault(k, v) != v for k, v in inner.items()):
                return None
        return values
    return None


def _validate(n: Notation) -> None:
    if n.weight_order not in ("to-from", "from-to"):
        raise DeriveError(f"notation {n.name!r}: weight_order is 'to-from' or 'from-to', not {n.weight_order!r}")
    if n.orientation not in ("columns", "rows"):
        raise DeriveError(f"notation {n.name!r}: orientation is 'columns' or 'rows', not {n.orientation!r}")
    if n.first_layer not in (0, 1):
        raise DeriveError(f"notation {n.name!r}: first_layer is 0 or 1, not {n.first_layer!r}")
    unknown = sorted(set(n.templates) - set(FORMS)) + sorted(set(n.fixed) - set(FORMS))
    if unknown:
        raise DeriveError(f"notation {n.name!r}: unknown form {unknown[0]!r}; forms are {', '.join(FORMS)}")
    for form, texts in [*n.templates.items(), *((f, tuple(t[0] for t in e)) for f, e in n.fixed.items())]:
        allowed = _PLACEHOLDERS.get(FORMS[form][0], ())
        for text in texts:
            used = set(re.findall(r"<(\w+)>", text))
            extra = used - set(allowed)
            if extra:
                raise DeriveError(f"notation {n.name!r}: the {form} template {text!r} uses <{min(extra)}>; "
                                  f"{form} templates take {', '.join(f'<{a}>' for a in allowed) or 'no placeholders'}")
    if n.batch_cost not in ("", "mean", "sum"):
        raise DeriveError(f"notation {n.name!r}: batch_cost is 'mean' or 'sum', not {n.batch_cost!r}")
    bad = [op for op in n.elementwise if op not in ("juxt", "cdot", "times", "star", "odot", "circ")]
    if bad:
        raise DeriveError(f"notation {n.name!r}: elementwise products are among juxt, cdot, times, star, odot, "
                          f"circ; not {bad[0]!r}")


_ARROWS = Notation(
    name="arrows",
    description="the article notation: x_i^{(l)}, w_{ij}^{(l \\rightarrow l+1)}, \\vec{x}^{(l)}, "
                "\\underline{w}^{(l \\rightarrow l+1)}, MSE",
    templates={
        "node": ("x_{<i>}^{(<l>)}", "x^{(<l>)}_{<i>}"),
        "node_prime": (r"x_{<i>}^{(<l>)\;'}", "x^{(<l>)}_{<i>}'"),
        "preactivation": ("z_{<i>}^{(<l>)}",),
        "weight": (r"w_{<ij>}^{(<p> \rightarrow <q>)}", "w_{<ij>}^{(<p>)}"),
        "bias": ("b_{<i>}^{(<l>)}",),
        "label": ("y_{<i>}",),
        "delta": ("\\delta_{<i>}^{(<l>)}",),
        "node_vector": (r"\vec{x}^{(<l>)}", "x^{(<l>)}", r"\mathbf{x}^{(<l>)}", r"\underline{x}^{(<l>)}"),
        "node_prime_vector": (r"\vec{x}^{(<l>)\;'}", "x^{(<l>)'}", r"\mathbf{x}^{(<l>)'}"),
        "preactivation_vector": (r"\vec{z}^{(<l>)}", "z^{(<l>)}", r"\mathbf{z}^{(<l>)}", r"\underline{z}^{(<l>)}"),
        "weight_matrix": (r"\underline{w}^{(<p> \rightarrow <q>)}", r"\underline{w}^{(<p>)}", "W^{(<p>)}",
                          r"W^{(<p> \rightarrow <q>)}", r"\mathbf{W}^{(<p>)}", r"\vec{w}^{(<p>)}",
                          r"\vec{w}^{(<p> \rightarrow <q>)}"),
        "bias_vector": (r"\vec{b}^{(<l>)}", "b^{(<l>)}", r"\mathbf{b}^{(<l>)}", r"\underline{b}^{(<l>)}"),
        "label_vector": (r"\vec{y}", "y", r"\mathbf{y}"),
        "delta_vector": (r"\vec{\delta}^{(<l>)}", r"\delta^{(<l>)}", r"\boldsymbol{\delta}^{(<l>)}"),
    },
    fixed={"node": (("x_{<i>}", 1),), "node_vector": ((r"\vec{x}", 1, "read"),)},
    loss_names=("MSE", "L", "E", "C", "J", r"\mathcal{L}"),
)

_NIELSEN = Notation(
    name="nielsen",
    description="Nielsen's book: a^l_j, z^l_j, w^l_{jk} from k in l-1 to j in l, b^l_j, \\delta^l_j, C",
    templates={
        "node": ("a^{<l>}_{<i>}", "a_{<i>}^{<l>}"),
        "node_prime": (r"\sigma'(z^{<l>}_{<i>})", r"\sigma'(z_{<i>}^{<l>})"),
        "preactivation": ("z^{<l>}_{<i>}", "z_{<i>}^{<l>}"),
        "weight": ("w^{<q>}_{<ij>}", "w_{<ij>}^{<q>}"),
        "bias": ("b^{<l>}_{<i>}", "b_{<i>}^{<l>}"),
        "label": ("y_{<i>}",),
        "delta": (r"\delta^{<l>}_{<i>}", r"\delta_{<i>}^{<l>}"),
        "node_vector": ("a^{<l>}",),
        "node_prime_vector": (r"\sigma'(z^{<l>})",),
        "preactivation_vector": ("z^{<l>}",),
        "weight_matrix": ("w^{<q>}",),
        "bias_vector": ("b^{<l>}",),
        "label_vector": (r"\vec{y}", "y"),
        "delta_vector": (r"\delta^{<l>}",),
    },
    fixed={"node": (("x_{<i>}", 1),), "node_vector": (("x", 1), ("a", "L"))},  # ∇_a C: the output layer's a
    loss_names=("C", "L", "E", "J", r"\mathcal{L}"),
    default_loss_name="C",
)

_NG = Notation(
    name="ng",
    description="Ng's course: a^{[l]}, z^{[l]}, W^{[l]}, b^{[l]}, g'^{[l]}(z), dW, db, dz; layer 0 is the input, "
                "columns are examples (a batch formula is judged over a batch of m examples, J the mean)",
    templates={
        "node": ("a^{[<l>]}_{<i>}", "a_{<i>}^{[<l>]}"),
        "node_prime": ("g'^{[<l>]}(z^{[<l>]}_{<i>})",),
        "preactivation": ("z^{[<l>]}_{<i>}", "z_{<i>}^{[<l>]}"),
        "weight": ("W^{[<q>]}_{<ij>}", "w^{[<q>]}_{<ij>}"),
        "bias": ("b^{[<l>]}_{<i>}",),
        "label": ("y_{<i>}",),
        "delta": ("dz^{[<l>]}_{<i>}",),
        "node_vector": ("a^{[<l>]}", "A^{[<l>]}", "a^{[<l>](<e>)}"),
        "node_prime_vector": ("g'^{[<l>]}(z^{[<l>]})", "g'^{[<l>]}(Z^{[<l>]})"),
        "preactivation_vector": ("z^{[<l>]}", "Z^{[<l>]}", "z^{[<l>](<e>)}"),
        "weight_matrix": ("W^{[<q>]}",),
        "bias_vector": ("b^{[<l>]}",),
        "label_vector": ("y", "Y", "y^{(<e>)}"),
        "delta_vector": ("dz^{[<l>]}", "dZ^{[<l>]}", "dz^{[<l>](<e>)}", "dZ^{[<l>](<e>)}"),
        "d_node_vector": ("da^{[<l>]}", "dA^{[<l>]}"),
        "d_weight_matrix": ("dW^{[<q>]}",),
        "d_bias_vector": ("db^{[<l>]}",),
        "d_weight": ("dW^{[<q>]}_{<ij>}",),
        "d_bias": ("db^{[<l>]}_{<i>}",),
    },
    fixed={"node": (("x_{<i>}", 1),),
           "node_vector": (("x", 1), ("X", 1, "read"), ("x^{(<e>)}", 1), (r"\hat{y}", "L"), ("a", "L"))},
    first_layer=0,
    elementwise=("odot", "circ", "star"),
    elementwise_powers=True,
    loss_names=("J", "L", r"\mathcal{L}", "C", "E"),
    default_loss_name=r"\mathcal{L}",  # one example's loss; J is the mean cost over m examples
    functions=("g",),
    constants={"m": "1"},
    batch_cost="mean",
)

_ROWS = Notation(
    name="rows",
    description="batch-row code notation: X W + b, h, o or \\hat{y}, l; vectors are rows and W is n_l × n_{l+1} "
                "(formulas are read for one example)",
    templates={
        "node": ("h^{(<l>)}_{<i>}", "h_{<i>}^{(<l>)}"),
        "node_prime": ("h'^{(<l>)}_{<i>}", "h^{(<l>)'}_{<i>}"),
        "preactivation": ("z^{(<l>)}_{<i>}", "z_{<i>}^{(<l>)}"),
        "weight": ("W^{(<p>)}_{<ij>}",),
        "bias": ("b^{(<l>)}_{<i>}",),
        "label": ("y_{<i>}",),
        "delta": (r"\delta^{(<l>)}_{<i>}",),
        "node_vector": ("h^{(<l>)}",),
        "node_prime_vector": ("h'^{(<l>)}", "h^{(<l>)'}"),
        "preactivation_vector": ("z^{(<l>)}",),
        "weight_matrix": ("W^{(<p>)}", "W_{<p>}"),
        "bias_vector": ("b^{(<l>)}",),
        "label_vector": ("y", "Y"),
        "delta_vector": (r"\delta^{(<l>)}",),
    },
    fixed={"node": (("x_{<i>}", 1), ("h_{<i>}", 2, "read"), ("o_{<i>}", "L"), (r"\hat{y}_{<i>}", "L")),
           "node_vector": (("X", 1), ("x", 1, "read"), ("h", 2, "read"), ("o", "L"), (r"\hat{y}", "L")),
           "preactivation_vector": (("z_h", 2, "read"), ("z_o", "L")),
           "weight_matrix": (("W_h", 1, "read"), ("W_o", "L-1")),
           "bias_vector": (("b_h", 2, "read"), ("b_o", "L")),
           "delta_vector": ((r"\delta_h", 2, "read"), (r"\delta_o", "L"))},
    weight_order="from-to",
    orientation="rows",
    elementwise=("odot", "circ", "star"),
    elementwise_powers=True,
    loss_names=("L", "l", "E", "J", "C", r"\mathcal{L}"),
    default_loss_name="L",
    constants={"m": "1"},
    batch_cost="sum",
)

_INDEX = Notation(
    name="index",
    description="course pages with the layer below and the node above: a_l^i, z_l^i, w_l^{ij} into node i, "
                "b_l^i, y^i, N(…) the activation, C; \\frac{\\delta C}{\\delta w} is ∂",
    templates={
        "node": ("a_{<l>}^{<i>}",),
        "node_prime": ("N'(z_{<l>}^{<i>})",),
        "preactivation": ("z_{<l>}^{<i>}",),
        "weight": ("w_{<p>}^{<ij>}",),
        "bias": ("b_{<l>}^{<i>}",),
        "label": ("y^{<i>}", "y_{<i>}"),
        "delta": (r"\delta_{<l>}^{<i>}",),
        "node_vector": ("a_{<l>}",),
        "node_prime_vector": ("N'(z_{<l>})",),
        "preactivation_vector": ("z_{<l>}",),
        "weight_matrix": ("w_{<p>}",),
        "bias_vector": ("b_{<l>}",),
        "label_vector": ("y",),
        "delta_vector": (r"\delta_{<l>}",),
    },
    delta_is_partial=True,
    loss_names=("C", "L", "E", "J", r"\mathcal{L}"),
    default_loss_name="C",
    functions=("N",),
)

_CHAIN = Notation(
    name="chain",
    description="3Blue1Brown's backpropagation calculus: a^{(L)}, z^{(L)} = w^{(L)} a^{(L-1)} + b^{(L)}, C_0; "
                "layers in parentheses from the input's 0, neurons below (w_{jk}^{(L)} from k in L-1 to j in L); "
                "one neuron a layer makes every quantity a number",
    templates={
        "node": ("a_{<i>}^{(<l>)}", "a^{(<l>)}_{<i>}"),
        "node_prime": (r"\sigma'(z_{<i>}^{(<l>)})", r"\sigma'(z^{(<l>)}_{<i>})"),
        "preactivation": ("z_{<i>}^{(<l>)}", "z^{(<l>)}_{<i>}"),
        "weight": ("w_{<ij>}^{(<q>)}", "w^{(<q>)}_{<ij>}"),
        "bias": ("b_{<i>}^{(<l>)}", "b^{(<l>)}_{<i>}"),
        "label": ("y_{<i>}",),
        "delta": (r"\delta_{<i>}^{(<l>)}", r"\delta^{(<l>)}_{<i>}"),
        "node_vector": ("a^{(<l>)}",),
        "node_prime_vector": (r"\sigma'(z^{(<l>)})",),
        "preactivation_vector": ("z^{(<l>)}",),
        "weight_matrix": ("w^{(<q>)}",),  # lowercase only: W^{(1)} a^{(1)} is the layers-from-1 convention
        "bias_vector": ("b^{(<l>)}",),
        "label_vector": ("y",),
        "delta_vector": (r"\delta^{(<l>)}",),
    },
    first_layer=0,
    loss_names=("C_0", "C", "L", "E", "J", r"\mathcal{L}"),
    default_loss_name="C_0",
)

_GOODFELLOW = Notation(
    name="goodfellow",
    description="Goodfellow, Bengio and Courville's Deep Learning (§6.5): \\boldsymbol{h}^{(k)} = f(\\boldsymbol{a}^{(k)}), "
                "\\boldsymbol{a}^{(k)} = \\boldsymbol{b}^{(k)} + \\boldsymbol{W}^{(k)} \\boldsymbol{h}^{(k-1)}, "
                "\\hat{\\boldsymbol{y}}, J, \\nabla_{\\boldsymbol{a}^{(k)}} J; \\boldsymbol{h}^{(0)} = \\boldsymbol{x}",
    templates={
        "node": ("h_{<i>}^{(<l>)}",),
        "node_prime": ("f'(a_{<i>}^{(<l>)})",),
        "preactivation": ("a_{<i>}^{(<l>)}",),
        "weight": ("W_{<ij>}^{(<q>)}",),
        "bias": ("b_{<i>}^{(<l>)}",),
        "label": ("y_{<i>}",),
        "delta": (r"\delta_{<i>}^{(<l>)}",),
        "node_vector": (r"\mathbf{h}^{(<l>)}", "h^{(<l>)}"),
        "node_prime_vector": (r"f'(\mathbf{a}^{(<l>)})", "f'(a^{(<l>)})"),
        "preactivation_vector": (r"\mathbf{a}^{(<l>)}", "a^{(<l>)}"),
        "weight_matrix": (r"\mathbf{W}^{(<q>)}", "W^{(<q>)}"),
        "bias_vector": (r"\mathbf{b}^{(<l>)}", "b^{(<l>)}"),
        "label_vector": (r"\mathbf{y}", "y"),
        "delta_vector": (r"\mathbf{\delta}^{(<l>)}", r"\delta^{(<l>)}"),
    },
    fixed={"node": (("x_{<i>}", 1, "read"), (r"\hat{y}_{<i>}", "L")),
           "node_vector": ((r"\mathbf{x}", 1, "read"), ("x", 1, "read"), (r"\hat{\mathbf{y}}", "L"),
                           (r"\hat{y}", "L"))},
    first_layer=0,
    loss_names=("J", "L", r"\mathcal{L}", "C", "E"),
    default_loss_name="J",
    functions=("f",),
)  # written with \mathbf, which MathJax's and KaTeX's defaults have; \boldsymbol reads as the same

NOTATIONS: dict[str, Notation] = {
    "arrows": _ARROWS,
    "layer": replace(  # the same, with weights named by their source layer
        _ARROWS, name="layer", description="the article notation with weights named by their source layer: "
                                           "w_{ij}^{(l)}, W^{(l)}",
        templates={**_ARROWS.templates,
                   "weight": ("w_{<ij>}^{(<p>)}", r"w_{<ij>}^{(<p> \rightarrow <q>)}"),
                   "weight_matrix": ("W^{(<p>)}", r"\underline{w}^{(<p> \rightarrow <q>)}", r"\underline{w}^{(<p>)}",
                                     r"\mathbf{W}^{(<p>)}")}),
    "nielsen": _NIELSEN,
    "general": replace(  # Nielsen's letters with the weight's source node first and the input as layer 0
        _NIELSEN, name="general",
        description="general-index lecture notes: a_j^l, z_j^l, w_{ij}^l from i in l-1 to j in l, b_j^l, "
                    "\\delta_j^l, f the activation, targets t_j, {\\cal C}; the input is layer 0",
        templates={**_NIELSEN.templates, "node_prime": (r"f'(z_{<i>}^{<l>})", r"f'(z^{<l>}_{<i>})"),
                   "node_prime_vector": (r"f'(z^{<l>})",),
                   "label": ("t_{<i>}", "y_{<i>}"), "label_vector": ("t", "y")},
        fixed={"node": (("x_{<i>}", 1, "read"),), "node_vector": (("x", 1, "read"), ("a", "L"))},
        first_layer=0, weight_order="from-to", functions=("f",),
        loss_names=(r"\mathcal{C}", "C", r"\mathcal{L}", "E", "J"), default_loss_name=r"\mathcal{C}"),
    "ng": _NG,
    "rows": _ROWS,
    "index": _INDEX,
    "chain": _CHAIN,
    "goodfellow": _GOODFELLOW,
    "flat": Notation(
        name="flat",
        description="flat scalar names (w_1 … w_n, h_1, o_1, net_{h1}, out_{o1}, E_{total}) bound by an article's "
                    "own definitions or --symbols",
        loss_names=("E_{total}", "E", "L", "C", "J"), default_loss_name="E"),
}
AUTO_ORDER = ("arrows", "layer", "nielsen", "general", "rows", "ng", "index", "chain", "goodfellow", "flat")  # ties go to the earlier


def notation(name: str) -> Notation:
    """The table entry for ``name``, or the notation in ``name`` when it is a FILE.toml;
    an unknown name is a one-line error."""
    if name.endswith(".toml"):
        return load_toml(name)
    return lookup(NOTATIONS, name, "notation")


_TOML_KEYS = {"name", "extends", "description", "first_layer", "weight_order", "orientation", "elementwise",
              "prime_is_transpose", "delta_is_partial", "elementwise_powers", "bias_unit", "loss_names",
              "default_loss_name", "functions", "constants", "templates", "fixed", "symbols"}


def load_toml(path: str | Path) -> Notation:
    """A user notation from FILE.toml: the fields of a preset (``extends`` names the preset
    it starts from, default none); ``[symbols]`` maps names to the reference notation."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeriveError(f"{path}: the notation file does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DeriveError(f"{path}: cannot read the notation file: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise DeriveError(f"{path}: the notation file is not valid TOML: {error}") from None
    return notation_from_data(data, default_name=path.stem, where=str(path))


def notation_from_data(data: dict, default_name: str = "user", where: str = "the notation") -> Notation:
    """A notation from the fields of a TOML file (already decoded)."""
    unknown = sorted(set(data) - _TOML_KEYS)
    if unknown:
        raise DeriveError(f"{where}: unknown field {unknown[0]!r}; fields are {', '.join(sorted(_TOML_KEYS))}")
    fields: dict = {"name": data.get("name", default_name)}
    try:
        base = lookup(NOTATIONS, data["extends"], "notation") if "extends" in data else Notation(name=default_name)
        for key in ("description", "default_loss_name", "weight_order", "orientation"):
            if key in data:
                fields[key] = _typed(data[key], str, key, where)
        for key in ("first_layer",):
            if key in data:
                fields[key] = _typed(data[key], int, key, where)
        for key in ("prime_is_transpose", "delta_is_partial", "elementwise_powers", "bias_unit"):
            if key in data:
                fields[key] = _typed(data[key], bool, key, where)
        for key in ("elementwise", "loss_names", "functions"):
            if key in data:
                fields[key] = tuple(_typed(v, str, key, where) for v in _typed(data[key], list, key, where))
        if "templates" in data:
            templates = dict(base.templates)
            for form, texts in _typed(data["templates"], dict, "templates", where).items():
                texts = [texts] if isinstance(texts, str) else _typed(texts, list, f"templates.{form}", where)
                templates[form] = tuple(_typed(t, str, f"templates.{form}", where) for t in texts)
            fields["templates"] = templates
        if "fixed" in data:
            fixed = dict(base.fixed)
            for form, entries in _typed(data["fixed"], dict, "fixed", where).items():
                pairs = []
                for entry in _typed(entries, list, f"fixed.{form}", where):
                    if not (isinstance(entry, list) and len(entry) in (2, 3) and isinstance(entry[0], str)
                            and isinstance(entry[1], (int, str)) and entry[2:] in ([], ["read"])):
                        raise DeriveError(f"{where}: fixed.{form} entries are [\"LaTeX\", layer] or "
                                          f"[\"LaTeX\", layer, \"read\"], like [\"X\", 1]")
                    pairs.append(tuple(entry))
                fixed[form] = tuple(pairs)
            fields["fixed"] = fixed
        if "constants" in data:
            fields["constants"] = {str(k): str(v) for k, v in _typed(data["constants"], dict, "constants", where).items()}
        result = replace(base, **fields)
        if "symbols" in data:
            items = _typed(data["symbols"], dict, "symbols", where)
            result = result.with_symbols(parse_symbols(", ".join(f"{k}={_typed(v, str, 'symbols', where)}"
                                                                 for k, v in items.items())))
        _ = (result.patterns, result.loss_symbols, result.constant_symbols)  # every name parses now, not later
        return result
    except DeriveError as error:
        message = str(error)
        raise DeriveError(message if message.startswith(where) else f"{where}: {message}") from None


def _typed(value, kind, key: str, where: str):
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise DeriveError(f"{where}: {key} must be {_TYPE_NAMES[kind]}, not {value!r}")
    return value


_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "a table"}


def parse_symbols(text: str) -> dict:
    """``--symbols 'h=z^{(2)}, o=x^{(2)}, W_h=\\underline{w}^{(1 \\rightarrow 2)}, l=L'`` →
    ``{Symbol: tree}``, the right sides parsed (in the reference notation; they are bound with
    ``arrows`` when a formula is read, against its network)."""
    bindings: dict = {}
    for item in split_top_level(text):
        if not item.strip():
            continue
        parts = split_top_level(item, "=")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise DeriveError(f"--symbols: {item.strip()!r} is not NAME=MEANING (like h=z^{{(2)}})")
        name_text, meaning_text = parts[0].strip(), parts[1].strip()
        try:
            name = parse_one(name_text)
            meaning = _function_name(meaning_text) or parse_one(meaning_text)
        except DeriveError as error:
            raise DeriveError(f"--symbols: {item.strip()!r}: {error}") from None
        if not isinstance(name, Symbol):
            raise DeriveError(f"--symbols: {name_text!r} is not a single name (like h, W_h or net_{{h1}})")
        key = _plain(name)
        if key in bindings:
            raise DeriveError(f"--symbols: {name_text} is given twice")
        bindings[key] = meaning
    if not bindings:
        raise DeriveError("--symbols is empty; give NAME=MEANING pairs like 'h=z^{(2)}, o=x^{(2)}'")
    return bindings


def _function_name(text: str) -> Symbol | None:
    """``\\tanh``, ``relu``, ``\\operatorname{relu}`` as the meaning of a name: a function alias."""
    name = re.sub(r"^\\(?:operatorname|mathrm|text)\{(.*)\}$", r"\1", text.strip())
    return Symbol(name) if name in FUNCTION_MACROS or name in FUNCTION_WORDS else None


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """``text`` split at ``separator`` outside braces, brackets and parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def parse_for(latex: str, n: Notation) -> list:
    """``parse`` with the notation's function names (``N(…)`` is a call where N is one)."""
    return parse(latex, functions=n.functions)


def parse_equations_for(latex: str, n: Notation) -> list[list]:
    """``parse_equations`` with the notation's function names."""
    return parse_equations(latex, functions=n.functions)
