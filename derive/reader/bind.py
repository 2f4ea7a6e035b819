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
from derive.notation import (
    AUTO_ORDER,
    FORMS,
    NOTATIONS,
    ONES,
    Notation,
    index_value,
    pair_value,
    parse_equations_for,
    parse_for,
    shifted,
    split_index,
)
from derive.reader.parse import FUNCTION_MACROS, FUNCTION_WORDS
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
    walk,
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


def read_equations(latex: str, notation: Notation, arch: Architecture) -> list[list]:
    """Every chain in ``latex`` (a block may list several: w_1 = 0.15, w_2 = 0.2), bound."""
    binder = _Binder(notation, arch)
    return [[binder.bind(member) for member in chain] for chain in parse_equations_for(latex, notation)]


class _Binder:
    def __init__(self, notation: Notation, arch: Architecture):
        self.n = notation
        self.arch = arch
        self.bound: dict = {}
        from derive.losses import loss

        own = loss(arch.loss).latex_name
        self.own_loss = Symbol(own) if notation.own_loss_name else Symbol(notation.default_loss_name)
        self.loss_names = {s.written for s in (*notation.loss_symbols, self.own_loss)}

    def bind(self, node):
        if isinstance(node, Symbol):
            return self.symbol(node)
        if isinstance(node, Number):
            return node
        if isinstance(node, Add):
            return Add(tuple((sign, self.bind(term)) for sign, term in node.terms))
        if isinstance(node, Mul):
            return self.product(node)
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
            return Sum(node.index, self.limit(node.lower), self.limit(node.upper), self.bind(node.body))
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

    def product(self, node: Mul):
        """Factors bound, elementwise products marked; a name that --symbols makes a function
        (h=\\tanh) applies to the factor after it: h (z) is h(z)."""
        factors, ops = [], []
        k = 0
        while k < len(node.factors):
            factor = node.factors[k]
            alias = self.function_alias(factor)
            if alias is not None and isinstance(factor, Symbol) and k + 1 < len(node.factors) \
                    and node.ops[k] == "juxt":
                factors.append(Call(alias, (self.bind(node.factors[k + 1]),), factor.primes))
                if k + 1 < len(node.ops):
                    ops.append(node.ops[k + 1])
                k += 2
                continue
            factors.append(self.bind(factor))
            if k < len(node.ops):
                ops.append(node.ops[k])
            k += 1
        ops = ops[:len(factors) - 1]
        if len(factors) == 1:
            return factors[0]
        return Mul(tuple(factors), tuple("odot" if op in self.n.elementwise else op for op in ops))

    def function_alias(self, node) -> str | None:
        """The function a plain name stands for (--symbols 'f=\\sigma'), if it stands for one."""
        if not isinstance(node, Symbol) or node.sub is not None or node.sup is not None:
            return None
        alias = self.n.symbols.get(Symbol(node.base))
        if isinstance(alias, Symbol) and (alias.base in FUNCTION_MACROS or alias.base in FUNCTION_WORDS):
            return alias.base
        return None

    def limit(self, node):
        """A sum's limit bound where it names something (m, the examples, is 1); else as written."""
        if node is None:
            return None
        try:
            return self.bind(node)
        except DeriveError:
            return node

    def power(self, node: Pow):
        labelled = self.relabelled(node)
        if labelled is not node:
            return self.symbol(labelled)
        if self.is_euler(node.base):
            return Call(r"\exp", (self.bind(node.exponent),))  # e^{-z}
        base, exponent = self.bind(node.base), self.bind(node.exponent)
        if self.n.elementwise_powers and _whole(base) and isinstance(exponent, Number) \
                and exponent.text.isdigit() and 2 <= int(exponent.text) <= 4:
            count = int(exponent.text)  # (A^{[1]})^2 as NumPy means it: A ⊙ A
            return Mul((base,) * count, ("odot",) * (count - 1))
        return Pow(base, exponent)

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
        given = isinstance(base, Symbol) and (replace(base, text="") in self.n.symbols
                                              or self.pattern_meaning(base) is not None)
        if isinstance(base, Symbol) and base.sup is None and isinstance(exponent, (Number, Symbol)) and not given:
            # (a name the article or --symbols gives, z_j, squared is a square: z_j^2)
            label = exponent.text if isinstance(exponent, Number) else exponent.base
            if label.isalnum():
                labelled = replace(base, sup=label, text=f"{base.text}^{{{label}}}")
                if self.names(labelled):
                    return labelled
        return node

    def call(self, node: Call):
        relabelled = replace(node, args=tuple(self.relabelled(a) for a in node.args))
        if self.n.match(relabelled):
            return self.template(relabelled)
        if node.primes == 0 and node.sub is None and node.name in self.loss_names:
            return LOSS  # l(o, y), \mathcal{L}(a, y): the loss written as a function of its arguments
        arguments = tuple(self.bind(a) for a in node.args)
        if node.name in self.n.functions:  # N(z), g^{[l]}(z): the network's activation at z
            return Call(ACTIVATION, arguments, node.primes, None, self.layer_of(arguments))
        alias = self.function_alias(Symbol(node.name))
        if alias is not None:
            return Call(alias, arguments, node.primes)  # --symbols 'f=\sigma': f(z) is σ(z)
        return Call(node.name, arguments, node.primes, node.sub, node.sup)

    def layer_of(self, arguments: tuple) -> str | None:
        """N(b_l^i + \\sum_j w_{l-1}^{ij} a_{l-1}^j): the layer whose activation is taken at a
        weighted input written out, from its biases and weights, as a label in this notation's
        numbering; None for a quantity (its own layer says it) or when they disagree or are absent."""
        if len(arguments) != 1 or isinstance(arguments[0], Quantity):
            return None
        layers = set()
        for part in walk(arguments[0]):
            if isinstance(part, Quantity) and part.layer is not None and part.kind in ("bias", "preactivation"):
                layers.add(str(part.layer))
            elif isinstance(part, Quantity) and part.layer is not None and part.kind == "weight":
                layers.add(str(shifted(part.layer, 1)))  # a weight's layer is its source
        if len(layers) != 1:
            return None
        return str(shifted(index_value(layers.pop()), self.n.first_layer - 1))

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
        if plain in n.constant_symbols:
            value = n.constant_symbols[plain]
            return Quantity("ones") if value == ONES else Number(value)
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
        """An explicit name written with index letters is a pattern: h_i=x_i^{(2)} binds h_1 to
        x_1^{(2)} and h_j to x_j^{(2)}; a_j^l=x_j^{(l+1)} binds a_2^1 to x_2^{(2)}."""
        meaning = self.pattern_meaning(node)
        return None if meaning is None else self.explicit(node, meaning)

    def pattern_meaning(self, node: Symbol):
        if node.sub is None and node.sup is None:
            return None
        best, best_score = None, -1
        for key, meaning in self.n.symbols.items():
            if isinstance(meaning, Quantity) or (key.sub is None and key.sup is None) \
                    or (key.base, key.primes, key.accent) != (node.base, node.primes, node.accent):
                continue
            values: dict = {}
            if _index_part(key.sub, node.sub, values) and _index_part(key.sup, node.sup, values) and values:
                score = (key.sub == node.sub) + (key.sup == node.sup)  # a^L_j=… beats a^l_j=… for a^L_1
                if score > best_score:
                    best, best_score = _substituted(meaning, values), score
        return best

    def names(self, node: Symbol) -> bool:
        """Whether this notation (its templates or explicit names) names ``node``."""
        return bool(self.n.match(node)) or replace(node, text="") in self.n.symbols \
            or self.pattern_meaning(node) is not None

    def explicit(self, node: Symbol, meaning):
        """A name the article defined (``--symbols``, an article's definitions): its meaning
        is written in the reference notation."""
        try:
            reference = NOTATIONS["arrows"] if not self.n.bias_unit else replace(NOTATIONS["arrows"], bias_unit=True)
            bound = _Binder(reference, self.arch).bind(meaning)
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
        quantity = Quantity(kind, layer, i, j, values.get("example"))
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
                unit = q.j == 0 and self.n.bias_unit  # w_{j0}: the bias of node j (node 0 is the constant 1)
                if unit and not arch.bias:
                    raise DeriveError(f"{written}: a weight from node 0 is a bias, and {arch.text} has no "
                                      "biases (use --bias)")
                if isinstance(q.i, int) and not 1 <= q.i <= rows:
                    raise DeriveError(f"{written} does not exist: W{p} is {rows}×{cols}, and layer {shown(p + 1)} "
                                      f"has {rows} nodes")
                if isinstance(q.j, int) and not 1 <= q.j <= cols and not unit:
                    raise DeriveError(f"{written} does not exist: W{p} is {rows}×{cols}, and layer {shown(p)} "
                                      f"has {cols} nodes")
            return
        l = q.layer
        if not isinstance(l, int):
            if q.kind == "bias" and not arch.bias:  # b_l^i: a bias of any layer is not in the network
                raise DeriveError(f"{written}: {arch.text} has no biases (use --bias)")
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
        if q.i == 0 and q.kind == "node" and self.n.bias_unit:
            return  # x_0 = 1: the bias unit
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


def _whole(bound) -> bool:
    """Whether a bound tree holds a whole vector or matrix (a quantity without its indices)."""
    return any(isinstance(part, Quantity) and part.kind != "loss" and part.i is None and part.j is None
               for part in walk(bound))


def _index_part(pattern: str | None, text: str | None, values: dict) -> bool:
    """Whether ``text`` (a subscript or superscript) fits ``pattern`` made of index letters
    (i, ij, j,k), recording each letter's value; other patterns must be equal."""
    if pattern is None or text is None:
        return pattern == text
    for opening, closing in ("()", "[]"):  # a^{(l)}, a^{[l]}: the letter inside the same brackets
        if len(pattern) > 2 and pattern[0] == opening and pattern[-1] == closing:
            inside = len(text) > 2 and text[0] == opening and text[-1] == closing
            return inside and _index_part(pattern[1:-1].strip(), text[1:-1].strip(), values)
    letters = pattern.replace(",", "")
    if not (letters.isalpha() and len(set(letters)) == len(letters) <= 2):
        return pattern == text
    if len(letters) == 1:
        found: tuple | None = (index_value(text),) if index_value(text) is not None else None
    else:
        found = pair_value(text)
    if found is None:
        return False
    for letter, value in zip(letters, found):
        if values.setdefault(letter, str(value)) != str(value):
            return False
    return True


def _substituted(tree, values: dict):
    """``tree`` (unbound) with the index letters of ``values`` in its subscripts and
    superscripts replaced (all at once; ji is two letters), and sums of numbers worked out:
    (l+1) with l = 2 is (3)."""
    def run(match):
        letters = match.group(0)
        if not all(letter in values for letter in letters):
            return letters  # a word (new, h1 …), not indices
        parts = [values[letter] for letter in letters]
        return "".join(parts) if all(len(p) == 1 for p in parts) else ",".join(parts)

    def text(part):
        if part is None:
            return None
        part = re.sub(r"(?<!\\)[A-Za-z]+", run, part)
        part = re.sub(r"([A-Za-z])([+-]\d+)([+-]\d+)",
                      lambda m: shifted_text(m.group(1), int(m.group(2)) + int(m.group(3))), part)
        return re.sub(r"(?<![A-Za-z0-9+\-])(\d+)([+-])(\d+)",
                      lambda m: str(int(m.group(1)) + int(m.group(3)) * (1 if m.group(2) == "+" else -1)), part)

    return replaced(tree, lambda node: replace(node, sub=text(node.sub), sup=text(node.sup), text="")
                    if isinstance(node, Symbol) else None)


def shifted_text(letter: str, offset: int) -> str:
    return letter if offset == 0 else f"{letter}{offset:+d}"


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
                    parsed[key] = [m for chain in parse_equations_for(item, n) for m in chain]
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
