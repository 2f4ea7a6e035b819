"""From LaTeX to claims: parse, bind in a notation, and give every instance its meaning.

``read_claims(latex, notation, arch)`` is the reader's stages 1 and 2 (``derive.reader.parse``,
``derive.reader.bind``) followed by ``derive.judge.meaning``. Binding here does not refuse a
quantity with a number past the network's size (``w_{13}^{(2→3)}`` in a 3-2-2 network): that
is a mistake in the formula, which the judge reports as wrong, not an unreadable formula.
"""
from __future__ import annotations

import re
from dataclasses import replace

import sympy as sp

from derive import naming
from derive.architecture import Architecture
from derive.errors import DeriveError, ShapeError
from derive.judge.meaning import DEPTHS, Claims, Conventions, claims, deeper
from derive.losses import loss as loss_entry
from derive.notation import AUTO_ORDER, NOTATIONS, ONES_NAMES, Notation, index_value, pair_value
from derive.reader import bind as binding
from derive.reader.parse import parse
from derive.reader.syntax import Nabla, Number, Partial, Quantity, Sum, Symbol, Transpose, walk


class _Lenient(binding._Binder):
    """A binder that leaves numbers past the network's size to the judge (layers are still
    checked: a layer that does not exist names nothing)."""

    def bind(self, node):
        """As the notation binds, and ∇_a C (a bare node letter under ∇) is the output layer's
        gradient, as in Nielsen's book."""
        if isinstance(node, Nabla) and isinstance(node.wrt, Symbol) and node.wrt.sub is None \
                and node.wrt.sup is None:
            try:
                return super().bind(node)
            except DeriveError:
                output = replace(node.wrt, sup="L", text="")
                return Nabla(super().bind(output), super().bind(node.of))
        if isinstance(node, Symbol) and node.sub is not None:
            try:
                return super().bind(node)
            except DeriveError as error:
                entry = self._entry(node)
                if entry is None:
                    raise error from None
                return entry
        return super().bind(node)

    def _entry(self, node: Symbol):
        """o_j, W_{jk}: an entry of a vector or matrix the notation writes whole (o, W_h)."""
        try:
            whole = super().bind(replace(node, sub=None, text=""))
        except DeriveError:
            return None
        if isinstance(whole, Transpose):
            whole = whole.arg
        if not isinstance(whole, Quantity) or whole.kind == "loss" or whole.i is not None:
            return None
        sub = node.sub or ""
        indices = index_value(sub)
        if whole.kind == "weight":
            pair = pair_value(sub)
            if pair is None:
                return None
            first, second = pair if self.n.orientation != "rows" else pair[::-1]
            return Quantity("weight", whole.layer, first, second)
        return None if indices is None else Quantity(whole.kind, whole.layer, indices, None)

    def check(self, q, node) -> None:
        if q.kind in ("weight", "label"):
            return
        if isinstance(q.i, int) or isinstance(q.layer, int):
            layer = q.layer
            if isinstance(layer, int) and not 1 <= layer <= self.arch.depth:
                super().check(q, node)
            if isinstance(layer, int) and layer == 1 and q.kind != "node":
                super().check(q, node)
            if q.kind == "bias" and not self.arch.bias:
                super().check(q, node)


def members(latex: str, notation: Notation, arch: Architecture) -> list:
    """The chain's members, parsed and bound (numbers past the network's size kept)."""
    binder = _Lenient(notation, arch)
    return [binder.bind(member) for member in binding.parse_for(latex, notation)]


EXAMPLES = 8  # the most examples a batch formula is judged over (the checker's points have them all)


def examples(arch: Architecture, after: int = 1) -> int:
    """The batch size m a batch formula is judged over: the smallest m > ``after`` (and ≥ 2) that is
    no layer's width on any network the formula is checked on, so that shapes (n × m against
    n × n') decide."""
    widths = {w for network in [arch, *deeper(arch, DEPTHS - 1)] for w in network.widths}
    return next((m for m in range(max(2, after + 1), EXAMPLES + 1) if m not in widths), EXAMPLES + 1)


def read_claims(latex: str, notation: Notation, arch: Architecture, batch_of_examples: bool = False,
                after: int = 1) -> Claims:
    """Every instance of the equation chain ``latex`` written in ``notation``. A batch formula
    (``batch``; with ``batch_of_examples``, also a parameter's gradient, ``couples_examples``) is
    judged over a batch of ``examples(arch)`` examples when the notation defines the batch's cost
    (``batch_cost``) and the formula can be (``batch_judged``): its batch matrices have a column
    (rows: a row) per example, each example its own inputs and labels, the weights shared, and m
    is the number of examples. Otherwise it is read for one example (m = 1) and marked ``batch``:
    it can be shown wrong, never proven right. A batch formula holds for every m: the checker
    judges it again over a larger batch (``after``: the size judged before) before calling it right."""
    conventions = Conventions.of(notation)
    bound = members(latex, notation, arch)
    couples = couples_examples(bound)
    is_batch = batch(latex, notation) or (batch_of_examples and couples)
    m = examples(arch, after)
    # outside Ng's names, only a parameter's gradient is judged over a batch, and one that writes m
    # only where the batch's cost is the mean (the article's δ may be its own cost's, m times smaller)
    named = notation.name == "ng" or (couples and (notation.batch_cost == "mean" or not counts_examples(latex, notation)))
    if is_batch and notation.batch_cost and m <= EXAMPLES and batch_judged(latex, notation) and named:
        over = replace(notation, constants={**notation.constants, "m": str(m)})
        try:
            found = claims(members(latex, over, arch), arch,
                           replace(conventions, examples=m, batch_loss=notation.batch_cost),
                           loss_symbol=loss_symbol(latex, over, arch))
            return found
        except ShapeError:
            raise
        except DeriveError:
            pass  # read for one example below
    found = claims(bound, arch, conventions, loss_symbol=loss_symbol(latex, notation, arch))
    found.batch = is_batch
    return found


def batch_judged(latex: str, notation: Notation) -> bool:
    """Whether a batch formula can be judged over a batch: every Σ in it sums over the nodes of
    a layer or over the examples written with their index (Σ_i dZ^{[1](i)}); a Σ over anything
    else (a whole batch matrix summed m times) is read for one example."""
    trees = binding.parse_for(latex, notation)
    for node in (node for tree in trees for node in walk(tree)):
        if isinstance(node, Sum) and node.index:
            pattern = re.compile(rf"\(\s*{re.escape(node.index)}\s*\)|\b{re.escape(node.index)}\b")
            if not any(isinstance(inner, Symbol) and any(pattern.search(part or "") for part in (inner.sub, inner.sup))
                       for inner in walk(node.body)):
                return False
        elif isinstance(node, Sum):
            return False
    return True


def batch_article(latexes: list, notation: Notation) -> str:
    """The cost of a batch when an article's whole quantities are batches of examples (a row or a
    column per example), "" when they are one example's: in a notation that defines a batch's
    cost, a formula that sums over the rows with the transposed vector of ones (1^T δ; a ones
    vector elsewhere, 1 - o, sums nothing) makes a batch of the notation's cost, one that writes
    the number of examples m (a 1/m mean) a batch whose cost is the mean. Ng's notation says which
    formulas are batch ones by their names (``batch``), so this is for the others (rows: X W + b
    over a batch of rows)."""
    if not notation.batch_cost or notation.name == "ng":
        return ""
    cost = ""
    for latex in latexes:
        if "=" in latex and counts_examples(latex, notation) and not is_count(latex):  # not "a batch of $m$"
            return "mean"
        if cost or not any(ones in latex for ones in ONES_NAMES):
            continue
        try:
            trees = binding.parse_for(latex, notation)
        except DeriveError:
            continue
        if any(isinstance(node, Transpose) and isinstance(node.arg, Symbol) and node.arg.base == "1"
               for tree in trees for node in walk(tree)):
            cost = notation.batch_cost
    return cost


def is_count(latex: str) -> bool:
    """A letter set to a whole number, as prose gives a size or a count: $L = 3$ layers, $n = 784$
    inputs, $m = 2$, $x_0 = 1$ (worked values carry indices or decimals, $net_{h1} = 12$,
    $w_1 = 0.15$, and stay equations)."""
    try:
        members = parse(latex)
    except DeriveError:
        return False
    return len(members) == 2 and isinstance(members[0], Symbol) and isinstance(members[1], Number) \
        and members[1].text.isdigit() and members[0].sub in (None, "0") and members[0].sup is None \
        and (len(members[0].base) == 1 or members[0].base.startswith("\\"))  # L, n, \lambda; not net


def counts_examples(latex: str, notation: Notation) -> bool:
    """Whether the formula writes the number of examples, m (a mean over them)."""
    try:
        trees = binding.parse_for(latex, notation)
    except DeriveError:
        return False
    return any(isinstance(node, Symbol) and node.base == "m" and node.sub is None and node.sup is None
               for tree in trees for node in walk(tree))


def couples_examples(members: list) -> bool:
    """Whether a bound formula, read over a batch of examples, sums over them: a gradient of a
    weight or a bias (∂L/∂W, ∇_b L), the examples' sum for every parameter."""
    for member in members:
        for node in walk(member):
            wrt = getattr(node, "wrt", None) if isinstance(node, (Nabla, Partial)) else None
            while isinstance(wrt, Transpose):
                wrt = wrt.arg
            if isinstance(wrt, Quantity) and wrt.kind in ("weight", "bias"):
                return True
    return False


BATCH_NAMES = ("A", "Z", "X", "Y", "dA", "dZ")  # Ng's matrices whose columns are the examples


def batch(latex: str, notation: Notation) -> bool:
    """Whether the formula couples the examples of a batch (Ng's notation: the count m, the cost
    J, the batch gradients dW and db of a batch matrix, a batch matrix transposed): it is judged
    for one example (m = 1), which can show it wrong but not prove it right. Formulas that act on
    each column alone (Z = W A + b, dZ = dA * g'(Z)) hold for every batch when they hold for one
    example."""
    if notation.name != "ng":
        # another batch notation whose formula writes m: a mean over examples its cost may not be
        return bool(notation.batch_cost) and counts_examples(latex, notation)
    try:
        trees = binding.parse_for(latex, notation)
    except DeriveError:
        return False
    nodes = [node for tree in trees for node in walk(tree)]
    bases = {node.base for node in nodes if isinstance(node, Symbol)}
    if bases & {"m", "J"}:
        return True
    batched = bool(bases & set(BATCH_NAMES))
    transposed = any(isinstance(node, Transpose) and any(isinstance(inner, Symbol) and inner.base in BATCH_NAMES
                                                         for inner in walk(node.arg)) for node in nodes)
    return batched and (transposed or bool(bases & {"dW", "db"}))


def loss_symbol(latex: str, notation: Notation, arch: Architecture) -> sp.Symbol:
    """The loss's name as the formula writes it (MSE, C, E …), for messages; two different
    names for the loss in one formula are refused (they would compare the loss with itself)."""
    names = [s.base for s in notation.loss_symbols] + [loss_entry(arch.loss).latex_name]
    try:
        trees = binding.parse_for(latex, notation)
    except DeriveError:
        trees = []
    written = list(dict.fromkeys(node.base for tree in trees for node in walk(tree)
                                 if isinstance(node, Symbol) and node.base in names and node.sub is None
                                 and node.sup is None and not node.primes))
    if len(written) > 1:
        raise DeriveError(f"one formula, two names for the loss: {' and '.join(written)}; write one of them")
    if written:
        return sp.Symbol(re.sub(r"\\(mathcal|mathrm|text)\b", "", written[0]) or "L")
    return sp.Symbol(notation.default_loss_name if not notation.own_loss_name else loss_entry(arch.loss).latex_name)


REFERENCE = ("arrows", "layer")  # the presets of the reference notation (shared/NOTATION.md)


def parts(latex: str, arch: Architecture, loss_name: str | None = None) -> list:
    """The SymPy parts of the chain ``latex`` written in the reference notation, for a formula
    with no free index (``Checker.check``'s input: a right side alone for ``--wrt``, one name
    bound by ``--symbols``), the loss written ``loss_name`` alone when given. A quantity past the
    network's size is refused, except a weight (kept, for the checker to call wrong)."""
    notation = choose(latex, arch, loss_name=loss_name, candidates=REFERENCE)
    found = refuse_absent(latex, notation, arch)
    if found.free or len(found.instances) != 1:
        letters = " ".join(found.free) or "?"
        raise DeriveError(f"a letter index ({letters}) outside \\sum_i or \\mathrm{{diag}}(…) names no one "
                          "quantity; write a number, like x_1^{(3)}")
    return list(found.instances[0].parts)


def quantity(latex: str, arch: Architecture, loss_name: str | None = None) -> sp.Symbol | None:
    """The one quantity ``latex`` names in the reference notation (an engine symbol, or the loss
    as its written name), or None: a whole vector or matrix (even of one entry), an index form, a
    formula, or what does not read or bind."""
    try:
        notation = choose(latex, arch, loss_name=loss_name, candidates=REFERENCE)
        bound = members(latex, notation, arch)
        if len(bound) != 1 or not isinstance(bound[0], Quantity):
            return None
        q = bound[0]
        if q.kind != "loss" and (q.i is None or (q.kind == "weight" and q.j is None)):
            return None
        found = parts(latex, arch, loss_name)
    except (DeriveError, RecursionError):
        return None
    return found[0] if len(found) == 1 and isinstance(found[0], sp.Symbol) else None


def refuse_absent(latex: str, notation: Notation, arch: Architecture) -> Claims:
    """The claims of ``latex`` for one example; a node, bias or label past the network's size
    names nothing and is a one-line DeriveError (a weight past it is kept: a wrong index, for the
    checker to call wrong)."""
    found = claims(members(latex, notation, arch), arch, Conventions(first_layer=notation.first_layer),
                   loss_symbol=loss_symbol(latex, notation, arch))
    for instance in found.instances:
        for part in instance.parts:
            for entry in (part if isinstance(part, sp.MatrixBase) else [part]):
                absent = sorted((s for s in entry.free_symbols if isinstance(s, naming.MissingSymbol)
                                 and not s.name.startswith("w")), key=lambda s: s.name)
                if absent:
                    raise DeriveError(f"{naming.text_name(absent[0].name)} does not exist ({absent[0].why})")
    return found


def choose(latex: str, arch: Architecture, symbols: dict | None = None, loss_name: str | None = None,
           candidates: tuple[str, ...] = AUTO_ORDER) -> Notation:
    """``--notation auto`` for one formula: the first preset of ``candidates`` under which it reads
    and binds; when none does, the first preset's error. A formula the reference notation reads
    but that names a layer the network does not have is that error (another preset reading it
    differently would judge something the author did not write)."""
    first_error = None
    for name in candidates:
        n = NOTATIONS[name] if symbols is None else NOTATIONS[name].with_symbols(symbols)
        if loss_name:
            n = n.with_loss_name(loss_name)
        try:
            members(latex, n, arch)
            return n
        except DeriveError as error:
            if name == candidates[0] and "does not exist" in str(error):
                raise  # read in the reference notation, it names what the network does not have
            first_error = first_error or error
    assert first_error is not None
    raise first_error


__all__ = ["NOTATIONS", "REFERENCE", "choose", "members", "parts", "quantity", "read_claims"]
