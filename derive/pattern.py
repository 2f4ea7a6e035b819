"""Find the matrix pattern in the elementwise partial derivatives, and prove it.

The recognizers run in order, each on results the previous one found:

1. ``outer product``   ∂L/∂w_{ij}^{(l)} = δ_i^{(l+1)} x_j^{(l)} with δ_i the same for
                       every j (and ∂L/∂b_i^{(l)} = δ_i^{(l+1)});
2. ``output delta``    δ^{(L)} from the loss: ∇_x L ⊙ x^{(L)'} for elementwise
                       activations, (diag(x) - x xᵀ) ∇_x L for softmax, and its
                       simplest form after the derivative rewrite rules (σ' = σ(1-σ))
                       and, for cross-entropy, Σ_i y_i = 1 (giving x - y);
3. ``inner delta``     δ^{(l)} = (W^{(l)})ᵀ δ^{(l+1)} ⊙ x^{(l)'}, found by collecting the
                       coefficient of each w_{ij}^{(l)} in δ_j^{(l)} and dividing by δ_i^{(l+1)}.

Every identity is proven element by element (the symbolic difference simplifies
to zero). Anything that does not match raises ``NotRecognized``: an unproven
pattern is never returned.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from derive import naming
from derive.activations import activation
from derive.graph import SymbolSets
from derive.network import LOSS, Network
from derive.proof import difference_is_zero

# Template symbols: the quantities of one generic output node.
X, Y, XP, Z, S = sp.symbols("x y x' z s")


class NotRecognized(Exception):
    """The elementwise results do not match a known pattern; the message says where."""


@dataclass(frozen=True)
class OutputDelta:
    """δ^{(L)} per output node, in the template symbols x, y, x', z, s."""

    kind: str  # "elementwise" | "softmax"
    gradient: sp.Expr  # ∂L/∂x_i as a function of x, y
    delta: sp.Expr  # δ_i as derived: g·x' (elementwise) or x·(g - s), s = Σ_k x_k g_k (softmax)
    simplified: sp.Expr  # the simplest proven form of δ_i (may equal ``delta``)
    rewrite: str | None  # the rule used for ``simplified`` ("x' = x (1 - x)", "Σ y = 1")


@dataclass
class Pattern:
    """The proven matrix pattern of a network, layer by layer."""

    depth: int
    output: OutputDelta
    inner_factor: dict  # layer l (2 … L-1) -> "x'" or 1: δ^{(l)} = Wᵀδ^{(l+1)} ⊙ factor
    bias: bool
    proofs: dict = field(default_factory=dict)  # recognizer -> number of proven identities
    methods: set = field(default_factory=set)

    @property
    def proof_count(self) -> int:
        return sum(self.proofs.values())

    def output_equation(self) -> str:
        """δ^(L) in article notation, with its simplest proven form."""
        L = self.depth
        v, gradient = naming.vector_text(L), template_text(self.output.gradient, L)
        if self.output.kind == "softmax":
            derived = f"{v} ⊙ (∇L - ({v}ᵀ∇L)) with ∇L = {gradient}"
        elif XP in self.output.delta.free_symbols:
            derived = f"{template_text(self.output.gradient, L, parenthesize=True)} ⊙ {v}'"
        else:
            derived = gradient
        text = f"{naming.delta_text(L)} = {derived}"
        if self.output.simplified != self.output.delta:
            text += f", which is {template_text(self.output.simplified, L)} (using {self.output.rewrite})"
        return text

    def inner_equation(self, layer: int) -> str:
        """δ^(l) = (W^(l→l+1))ᵀ δ^(l+1) ⊙ x^(l)'."""
        tail = f" ⊙ {naming.vector_text(layer)}'" if self.inner_factor[layer] != 1 else ""
        return (f"{naming.delta_text(layer)} = ({naming.weight_matrix_text(layer)})ᵀ "
                f"{naming.delta_text(layer + 1)}{tail}")

    def gradient_equation(self, p: int) -> str:
        """∇W^(p→p+1) L = δ^(p+1) (x^(p))ᵀ."""
        return f"∇{naming.weight_matrix_text(p)} = {naming.delta_text(p + 1)} ({naming.vector_text(p)})ᵀ"

    def bias_equation(self, p: int) -> str:
        return f"∇{naming.bias_text(p)} = {naming.delta_text(p + 1)}"

    def lines(self) -> list[str]:
        """The pattern as plain-text equations, output layer first."""
        out = [self.output_equation()]
        out += [self.inner_equation(layer) for layer in range(self.depth - 1, 1, -1)]
        for p in range(self.depth - 1, 0, -1):
            out.append(self.gradient_equation(p))
            if self.bias:
                out.append(self.bias_equation(p))
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def template_text(template: sp.Expr, layer: int, parenthesize: bool = False) -> str:
    """A δ template in plain article notation: 2·(x^(3) - y) ⊙ x^(3)'."""
    v = naming.vector_text(layer)
    names = {X: sp.Symbol(v), Y: sp.Symbol("y"), XP: sp.Symbol(f"{v}'"), Z: sp.Symbol(f"z^({layer})"),
             S: sp.Symbol(f"({v}ᵀ∇L)")}
    text = str(sp.factor_terms(template.xreplace(names))).replace("*", "·")
    return f"({text})" if parenthesize and template.is_Add else text


def recognize(net: Network, adjoints: dict, named: dict | None = None) -> tuple[Pattern, dict]:
    """The proven pattern, and the δ_i^{(l)} of every layer in named quantities.

    ``named`` is the map z -> δ symbol the reverse pass used for deep networks
    (``reverse.adjoints(net, named=…)``): δ^{(l)} is then found as that symbol in the
    outer products, and its recurrence is proven on the adjoint of z^{(l)} written in
    the δ^{(l+1)} symbols, one layer at a time.
    """
    arch = net.arch
    proofs = {"outer product": 0, "output delta": 0, "inner delta": 0}
    methods: set = set()
    deltas = {}
    symbols = SymbolSets()
    for p in range(arch.depth - 1, 0, -1):
        deltas[p + 1] = _outer_products(net, adjoints, p, proofs, symbols)
    output = _output_delta(net, deltas[arch.depth], proofs, methods)
    inner = {}
    for layer in range(arch.depth - 1, 1, -1):
        own = deltas[layer]
        if named:
            zs = net.preactivations[layer]
            if own != [named[z] for z in zs]:
                raise NotRecognized(f"the outer products of W{layer - 1} are not δ^({layer}) times x^({layer - 1})")
            own = [adjoints[z] for z in zs]
        inner[layer] = _inner_delta(net, own, deltas[layer + 1], layer, proofs, methods, symbols)
    methods.add("canonical form")
    return Pattern(arch.depth, output, inner, arch.bias, proofs, methods), deltas


def _divide_out(product: sp.Expr, factor: sp.Expr) -> sp.Expr | None:
    """``product / factor`` when ``factor`` is a factor of the canonical product."""
    if product is factor or product == factor:
        return sp.Integer(1)
    if product.is_Mul and factor in product.args:
        rest = list(product.args)
        rest.remove(factor)
        if factor not in rest:
            return rest[0] if len(rest) == 1 else sp.Mul._from_args(rest)
    return None


def _outer_products(net: Network, adjoints: dict, p: int, proofs: dict, symbols: SymbolSets) -> list:
    """δ_i^{(p+1)} such that ∂L/∂w_{ij}^{(p)} = δ_i x_j^{(p)} for every j (proven)."""
    below = net.nodes[p]
    deltas = []
    for i, row in enumerate(net.weights[p], start=1):
        delta = None
        for j, (w, x) in enumerate(zip(row, below), start=1):
            partial = adjoints[w]
            found = _divide_out(partial, x)
            if found is None:  # not a literal factor: divide and prove the product
                found = sp.cancel(partial / x)
                if x in symbols(found) or difference_is_zero(partial, found * x) is None:
                    raise NotRecognized(f"∂L/∂{w} is not a multiple of {x}: no outer product for W{p}")
            if delta is None:
                delta = found
                if symbols(delta) & set(below):
                    raise NotRecognized(f"∂L/∂{w} / {x} still depends on layer {p}: no outer product")
            elif found != delta and difference_is_zero(found, delta) is None:
                raise NotRecognized(f"∂L/∂{w} / {x} differs from row {i}'s other elements in W{p}")
            proofs["outer product"] += 1
        if net.arch.bias:
            b = net.biases[p][i - 1]
            if difference_is_zero(adjoints[b], delta) is None:
                raise NotRecognized(f"∂L/∂{b} differs from δ_{i}^({p + 1})")
            proofs["outer product"] += 1
        deltas.append(delta)
    return deltas


def _template(expr: sp.Expr, names: dict, what: str) -> sp.Expr:
    """``expr`` of one output node written in the generic template symbols."""
    template = expr.xreplace(names)
    if not template.free_symbols <= {X, Y, XP, Z}:
        raise NotRecognized(f"{what} involves other nodes than its own")
    return template


def _output_delta(net: Network, found: list, proofs: dict, methods: set) -> OutputDelta:
    arch = net.arch
    L = arch.depth
    entry = activation(arch.activations[-1])
    xs, ys = net.outputs, net.labels
    primes = net.derivatives.get(L, [])
    gradients = [sp.factor_terms(sp.diff(net.definitions[LOSS], x)) for x in xs]

    def names(i):
        mapping = {xs[i]: X, ys[i]: Y}
        if primes:
            mapping[primes[i]] = XP
        return mapping

    g_templates = {_template(g, names(i), "∂L/∂x_i") for i, g in enumerate(gradients)}
    if len(g_templates) != 1:
        raise NotRecognized("∂L/∂x_i^(L) is not the same function of x_i, y_i for every output")
    gradient = sp.factor_terms(g_templates.pop())
    if entry.elementwise:
        factor = XP if primes else sp.Integer(1)
        delta = gradient * factor
        for i, d in enumerate(found):
            expected = delta.xreplace({X: xs[i], Y: ys[i], XP: primes[i] if primes else 1})
            _prove(d, expected, f"δ_{i + 1}^({L}) = ∂L/∂x ⊙ x'", proofs, "output delta", methods)
        simplified, rewrite = _simplest_elementwise(delta, entry)
        return OutputDelta("elementwise", gradient, delta, simplified, rewrite)
    weighted = sp.Add(*[x * g for x, g in zip(xs, gradients)])
    for k, d in enumerate(found):
        expected = xs[k] * (gradients[k] - weighted)
        _prove(d, expected, f"δ_{k + 1}^({L}) = (diag(x) - x xᵀ) ∇L", proofs, "output delta", methods)
    delta = X * (gradient - S)
    simplified, rewrite = delta, None
    eliminate = net.label_assumptions()
    if eliminate:
        candidate = _template(sp.expand(found[0].xreplace(eliminate)), {xs[0]: X, ys[0]: Y}, "δ_1")
        for k, d in enumerate(found):
            expected = candidate.xreplace({X: xs[k], Y: ys[k]})
            _prove(d, expected, f"δ_{k + 1}^({L}) = {candidate} given Σ y = 1", proofs,
                   "output delta", methods, eliminate)
        simplified, rewrite = candidate, "Σ_i y_i = 1"
    return OutputDelta("softmax", gradient, delta, simplified, rewrite)


def _simplest_elementwise(delta: sp.Expr, entry) -> tuple[sp.Expr, str | None]:
    """δ after the activation's rewrite rule, when that is simpler, with the rule used."""
    if XP not in delta.free_symbols:
        return delta, None
    rule = entry.from_output(X, Z)
    rewritten = delta.xreplace({XP: rule})
    candidate = sp.factor(sp.cancel(rewritten))
    if sp.count_ops(candidate) >= sp.count_ops(delta):
        return delta, None
    if difference_is_zero(rewritten, candidate) is None:
        return delta, None
    return candidate, f"x' = {rule}"


def _coefficient(expr: sp.Expr, symbol: sp.Symbol, symbols: SymbolSets) -> sp.Expr:
    """The coefficient of ``symbol`` in ``expr``, which is linear in it."""
    if symbol not in symbols(expr):
        return sp.Integer(0)
    if expr is symbol:
        return sp.Integer(1)
    if expr.is_Add:
        return sp.Add(*[_coefficient(t, symbol, symbols) for t in expr.args])
    if expr.is_Mul:
        holders = [f for f in expr.args if symbol in symbols(f)]
        if len(holders) == 1:
            others = [f for f in expr.args if f is not holders[0]]
            return sp.Mul(*others) * _coefficient(holders[0], symbol, symbols)
    return sp.diff(expr, symbol)


def _coefficients(expr: sp.Expr, wanted: list, symbols: SymbolSets) -> dict:
    """``{w: _coefficient(expr, w)}`` for every ``w`` in ``wanted``, visiting each term of
    ``expr`` once instead of once per symbol (a layer's δ_j holds one term per weight)."""
    wanted_set = set(wanted)
    if expr.is_Mul:
        holders = [f for f in expr.args if symbols(f) & wanted_set]
        if len(holders) == 1:
            others = sp.Mul(*[f for f in expr.args if f is not holders[0]])
            inner = _coefficients(holders[0], wanted, symbols)
            return {w: others * c for w, c in inner.items()}
    if expr.is_Add:
        terms: dict = {w: [] for w in wanted}
        for term in expr.args:
            for w in _ordered_like(symbols(term) & wanted_set, wanted):
                terms[w].append(_coefficient(term, w, symbols))
        return {w: sp.Add(*found) for w, found in terms.items()}
    return {w: _coefficient(expr, w, symbols) for w in wanted}


def _ordered_like(subset, order: list) -> list:
    return [w for w in order if w in subset] if len(subset) > 1 else list(subset)


def _inner_delta(net: Network, own: list, above: list, layer: int, proofs: dict, methods: set,
                 symbols: SymbolSets):
    """The factor r with δ^{(layer)} = (W^{(layer)})ᵀ δ^{(layer+1)} ⊙ r, proven elementwise
    (``own`` is δ^{(layer)}, ``above`` δ^{(layer+1)})."""
    weights = net.weights[layer]
    primes = net.derivatives.get(layer, [])
    pattern_factor = "x'" if primes else 1
    for j, delta_j in enumerate(own):
        expected_factor = primes[j] if primes else sp.Integer(1)
        coefficients = _coefficients(delta_j, [row[j] for row in weights], symbols)
        for i, delta_i in enumerate(above):
            coefficient = coefficients[weights[i][j]]
            ratio = _divide_out(coefficient, delta_i) if delta_i != 0 else None
            if ratio is None:
                ratio = sp.cancel(coefficient / delta_i)
            if ratio != expected_factor:
                raise NotRecognized(
                    f"the coefficient of {weights[i][j]} in δ_{j + 1}^({layer}) is not "
                    f"δ_{i + 1}^({layer + 1}) · {expected_factor}"
                )
        recurrence = expected_factor * sp.Add(*[weights[i][j] * d for i, d in enumerate(above)])
        _prove(delta_j, recurrence, f"δ_{j + 1}^({layer}) = (Wᵀ δ^({layer + 1}))_{j + 1} ⊙ x'",
               proofs, "inner delta", methods)
    return pattern_factor


def _prove(lhs, rhs, statement, proofs, recognizer, methods, substitutions=None) -> None:
    method = difference_is_zero(lhs, rhs, substitutions)
    if method is None:
        raise NotRecognized(f"could not prove {statement}")
    proofs[recognizer] += 1
    methods.add(method)
