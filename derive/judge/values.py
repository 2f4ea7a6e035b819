"""What a part of a formula means, written out in the network's leaves, and its numbers.

``Values(derivation)`` writes any part of a claim (a named quantity, the loss, δ, an explicit
matrix, a partial ∂A/∂B of any of them) out in inputs, weights, biases and labels:

- ∂A/∂B with B a leaf (an input, a weight, a bias, a label) differentiates A written out;
- with B a named quantity (a node value x, a pre-activation z, an activation derivative x',
  a δ) it is the partial of backpropagation: B is cut out of the network and replaced by a
  free variable t (everything B depends on stays as it is, everything that depends on B is
  rebuilt from t), A is differentiated by t, and t is put back to B's value. So
  ∂L/∂z_i^{(l)} = δ_i^{(l)}, ∂x_i^{(l)}/∂z_i^{(l)} = σ'(z_i^{(l)}), ∂z_i^{(l+1)}/∂x_j^{(l)} = w_{ij}.

``explicit`` writes the activations with elementary functions (σ(u) = 1/(1 + e^{-u}), σ' its
derivative, softmax with exponentials), for proofs of formulas written in exp form.
``precise`` evaluates a written-out value at a point with ``DIGITS`` significant digits
(mpmath), which decides whether two sides really differ there.
"""
from __future__ import annotations

from functools import cache

import mpmath
import sympy as sp

from derive import naming
from derive.activations import BY_DERIVATIVE, BY_FUNCTION, Softmax, activation
from derive.derivation import Derivation
from derive.errors import DeriveError
from derive.graph import fold, substitute
from derive.losses import loss as loss_entry
from derive.network import LOSS

DIGITS = 40  # working precision of the numbers that decide "wrong"


def delta_symbol(layer: int, i: int) -> sp.Symbol:
    """δ_i^{(layer)}: a name for ∂L/∂z_i^{(layer)}."""
    return naming.NetworkSymbol(f"delta{layer}_{i}")


def _preactivation_of(delta: sp.Symbol) -> sp.Symbol:
    layer, i = delta.name.removeprefix("delta").split("_")
    return naming.preactivation(int(layer), int(i))


class Example(sp.Function):
    """``Example(e, q)``: the quantity ``q`` (a named quantity of one example: a node value, δ,
    a label, the loss) for example ``e`` of a batch; example 1 is the network's own symbols,
    example e > 1 the same written out with its own inputs and labels (the weights are shared)."""

    nargs = 2


def example_leaf(symbol: sp.Symbol, e: int) -> naming.NetworkSymbol:
    """An input or a label of example ``e`` of a batch (e > 1): a leaf of its own."""
    return naming.NetworkSymbol(f"{symbol.name}@{e}")


class _NotNamed(Exception):
    """A partial that the named quantities cannot write (a second derivative of an activation)."""


class Values:
    """Written-out values of the parts of claims about one derivation's network."""

    def __init__(self, d: Derivation, loss_symbol: sp.Symbol = LOSS):
        self.d, self.net = d, d.network
        self.loss_symbol = loss_symbol
        arch = d.arch
        self.deltas = {delta_symbol(layer, i): d.delta(layer, i)
                       for layer in range(2, arch.depth + 1) for i in range(1, arch.widths[layer - 1] + 1)}
        net = self.net
        self.leaves = set(net.inputs) | set(net.all_parameters) | set(net.labels)
        self.named = set(net.definitions) - {LOSS} | set(self.deltas) | {
            p for layer in net.derivatives for p in net.derivatives[layer]}
        self._cache: dict = {}
        self._cuts: dict = {}
        self._loss_override: sp.Expr | None = None
        self._primes = {p for layer in net.derivatives for p in net.derivatives[layer]}
        self._forward: dict = {}
        self._dependence: dict = {}

    # -------------------------------------------------------------------------------
    def value(self, expr):
        """``expr`` written out: a scalar, or an explicit Matrix of written-out entries."""
        if isinstance(expr, sp.MatrixBase):
            return sp.ImmutableMatrix(expr.shape[0], expr.shape[1], [self.value(e) for e in expr])
        key = (expr, self._loss_override)
        if key not in self._cache:
            self._cache[key] = self._written(expr)
        return self._cache[key]

    def in_named(self, expr):
        """``expr`` in the named quantities (x, x', w, b, y) when that is direct: ∂L/∂(a parameter)
        as the derivation's short form, δ as recognized, the loss as defined; None when a part
        needs more (a partial by a node value, a partial of anything but the loss)."""
        if isinstance(expr, sp.MatrixBase):
            entries = [self.in_named(e) for e in expr]
            return None if any(e is None for e in entries) else sp.ImmutableMatrix(expr.shape[0], expr.shape[1],
                                                                                    entries)
        if expr.has(Example):  # another example of a batch: its named quantities, renamed
            copies = {}
            for example in expr.atoms(Example):
                inner = self.in_named(example.args[1])
                if inner is None:
                    return None
                copies[example] = self.of_example(inner, int(example.args[0]))
            expr = expr.xreplace(copies)
        mapping = {}
        for derivative in expr.atoms(sp.Derivative):
            value = self._named_derivative(derivative)
            if value is None:
                return None
            mapping[derivative] = value
        named = expr.xreplace(mapping).xreplace({self.loss_symbol: self._named_loss()})
        if self._loss_override is None:
            return named.xreplace(self.deltas)
        try:  # δ of the other loss: its partial by the pre-activation
            return named.xreplace({delta: self._forward_partial(self._named_loss(), _preactivation_of(delta))
                                   for delta in named.free_symbols & set(self.deltas)})
        except _NotNamed:
            return None

    def delta_layers(self, expr) -> set:
        """The layers of the δs ``expr`` names."""
        entries = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
        return {int(s.name.removeprefix("delta").split("_")[0]) for e in entries for s in e.free_symbols
                if s in self.deltas}

    def as_deltas(self, expr):
        """``expr`` with each partial of the loss written by backpropagation's one-step identities:
        ∂L/∂z^{(l)}_i = δ^{(l)}_i, ∂L/∂x^{(l)}_i = Σ_k w^{(l)}_{ki} δ^{(l+1)}_k (below the output),
        ∂L/∂w^{(p)}_{ij} = δ^{(p+1)}_i x^{(p)}_j, ∂L/∂b^{(p)}_i = δ^{(p+1)}_i; None when a partial is
        of anything else (or by the output's x, or another loss)."""
        if isinstance(expr, sp.MatrixBase):
            entries = [self.as_deltas(e) for e in expr]
            return None if any(e is None for e in entries) else sp.ImmutableMatrix(expr.shape[0], expr.shape[1],
                                                                                    entries)
        if self._loss_override is not None:
            return None
        depth, widths = self.d.arch.depth, self.d.arch.widths
        mapping = {}
        for derivative in expr.atoms(sp.Derivative):
            if derivative.expr != self.loss_symbol or len(derivative.variables) != 1:
                return None
            parts = naming.parse_symbol(getattr(derivative.variables[0], "name", ""))
            kind, layer, i = (parts or {}).get("kind"), (parts or {}).get("layer"), (parts or {}).get("i")
            if kind == "z":
                mapping[derivative] = delta_symbol(layer, i)
            elif kind == "x" and layer < depth:
                mapping[derivative] = sp.Add(*[naming.weight(layer, k, i) * delta_symbol(layer + 1, k)
                                               for k in range(1, widths[layer] + 1)])
            elif kind == "w":
                mapping[derivative] = delta_symbol(layer + 1, i) * naming.node(layer, parts["j"])
            elif kind == "b":
                mapping[derivative] = delta_symbol(layer + 1, i)
            else:
                return None
        return expr.xreplace(mapping)

    def in_steps(self, expr, deepest: int):
        """``expr`` (without partials, the loss or other examples) with each δ of a layer before
        ``deepest`` written by the proven recursion δ^{(l)}_i = x^{(l)'}_i Σ_k w^{(l)}_{ki} δ^{(l+1)}_k
        (``derive.pattern``) and the δs of layer ``deepest`` kept as symbols: two sides equal so
        are equal (a sufficient condition, as cheap as the formula is short). None otherwise."""
        pattern = self.d.pattern
        if isinstance(expr, sp.MatrixBase):
            entries = [self.in_steps(e, deepest) for e in expr]
            return None if any(e is None for e in entries) else sp.ImmutableMatrix(expr.shape[0], expr.shape[1],
                                                                                    entries)
        if pattern is None or self._loss_override is not None or expr.has(sp.Derivative) or expr.has(Example) \
                or self.loss_symbol in expr.free_symbols or deepest > self.d.arch.depth:
            return None
        steps: dict = {}

        def step(layer: int, i: int):
            symbol = delta_symbol(layer, i)
            if layer >= deepest:
                return symbol
            if (layer, i) not in steps:
                factor = naming.node_derivative(layer, i) if pattern.inner_factor.get(layer) != 1 else 1
                steps[(layer, i)] = factor * sp.Add(*[naming.weight(layer, k, i) * step(layer + 1, k)
                                                      for k in range(1, self.d.arch.widths[layer] + 1)])
            return steps[(layer, i)]

        mapping = {}
        for s in expr.free_symbols & set(self.deltas):
            layer, i = (int(part) for part in s.name.removeprefix("delta").split("_"))
            mapping[s] = step(layer, i)
        for applied in expr.atoms(*BY_FUNCTION, *BY_DERIVATIVE):  # σ'(z_i^{(l)}) of layer l: x_i^{(l)'}
            parts = naming.parse_symbol(getattr(applied.args[0], "name", "")) if len(applied.args) == 1 else None
            if not parts or parts["kind"] != "z":
                continue
            layer, i = parts["layer"], parts["i"]
            derivative = type(applied) in BY_DERIVATIVE
            entry = (BY_DERIVATIVE if derivative else BY_FUNCTION)[type(applied)]
            if 2 <= layer <= self.d.arch.depth and entry.name == self.d.arch.activations[layer - 2]:
                mapping[applied] = naming.node_derivative(layer, i) if derivative else naming.node(layer, i)
        return expr.xreplace(mapping)

    def _named_derivative(self, derivative: sp.Derivative):
        if len(derivative.variables) != 1:
            return None
        wrt = derivative.variables[0]
        if derivative.expr == self.loss_symbol and wrt in self.leaves and self._loss_override is None:
            parts = naming.parse_symbol(getattr(wrt, "name", ""))
            if parts and parts["kind"] in ("w", "b"):
                name = f"{'W' if parts['kind'] == 'w' else 'b'}{parts['layer']}"
                return self.d.partial(name, parts["i"], parts.get("j"), short=True)
        if wrt not in self.leaves and wrt not in self.net.definitions:
            return None  # by x' or δ: not through the forward pass
        of = derivative.expr.xreplace({self.loss_symbol: self._named_loss()})
        if of.has(sp.Derivative) or any(s in self.deltas or s in self._primes for s in of.free_symbols):
            return None
        try:
            return self._forward_partial(of, wrt)
        except _NotNamed:
            return None

    def _forward_partial(self, expr, wrt):
        """∂expr/∂wrt through the named definitions (the chain rule over the network's graph),
        written in the named quantities (f'(z) as x')."""
        total = sp.Integer(0)
        for s in sorted(expr.free_symbols, key=lambda s: s.name):
            if s == wrt:
                inner = sp.Integer(1)
            elif s in self.net.definitions and s != LOSS and self._depends(s, wrt):
                key = (s, wrt)
                if key not in self._forward:
                    self._forward[key] = self._forward_partial(self.net.definitions[s], wrt)
                inner = self._forward[key]
            else:
                continue
            if inner == 0:
                continue
            outer = sp.diff(expr, s).xreplace(self.net.derivative_names)
            if outer.has(*BY_DERIVATIVE) or outer.has(sp.Derivative):
                raise _NotNamed
            total += outer * inner
        return total

    def _depends(self, s, wrt) -> bool:
        key = (s, wrt)
        if key not in self._dependence:
            definition = self.net.definitions.get(s)
            self._dependence[key] = s == wrt or (definition is not None and any(
                self._depends(t, wrt) for t in definition.free_symbols))
        return self._dependence[key]

    def with_loss(self, loss_name: str | None):
        """A context in which the loss symbol stands for another registry loss (None: the own)."""
        values = self

        class _Swap:
            def __enter__(self):
                self.before = values._loss_override
                values._loss_override = None if loss_name is None else loss_entry(loss_name).build(
                    values.net.outputs, values.net.labels)

            def __exit__(self, *exc):
                values._loss_override = self.before

        return _Swap()

    def _named_loss(self) -> sp.Expr:
        return self.net.loss if self._loss_override is None else self._loss_override

    def of_example(self, expr, e: int):
        """``expr`` (in named quantities or leaves) for example ``e`` of a batch: every symbol but
        the shared weights and biases renamed to that example's."""
        shared = set(self.net.all_parameters)
        return expr.xreplace({s: example_leaf(s, e) for s in expr.free_symbols
                              if isinstance(s, naming.NetworkSymbol) and s not in shared})

    def _copy(self, example: Example):
        e, quantity = example.args
        copies = {leaf: example_leaf(leaf, int(e)) for leaf in (*self.net.inputs, *self.net.labels)}
        return self.value(quantity).xreplace(copies)

    def _written(self, expr):
        if expr.has(Example):
            expr = expr.replace(lambda e: isinstance(e, Example), self._copy)
        if expr.has(sp.Derivative):
            expr = expr.replace(lambda e: isinstance(e, sp.Derivative), self._partial)
        named = expr.xreplace(self.deltas).xreplace({self.loss_symbol: self._named_loss()})
        return self.net.expanded(named)

    def _partial(self, derivative: sp.Derivative):
        result = derivative.expr
        for variable in derivative.variables:
            result = self.partial(result, variable)
        return result

    def partial(self, of, wrt):
        """∂(of)/∂(wrt), written out, for ``wrt`` a leaf or a named quantity."""
        if wrt == self.loss_symbol:
            raise DeriveError("a derivative with respect to the loss is not part of backpropagation")
        if wrt in self.leaves:
            return sp.diff(self.value(of), wrt)
        if isinstance(of, sp.Basic) and of.has(Example):
            raise DeriveError("a batch's derivative with respect to a node value is not supported: write it for "
                              "one example")
        if wrt not in self.named:
            shown = naming.latex_name(wrt.name) if isinstance(wrt, sp.Symbol) else sp.latex(wrt)
            raise DeriveError(f"∂/∂{shown}: derivatives are taken with respect to one quantity of the network "
                              "(a weight, a bias, an input, a node value, a pre-activation, a δ)")
        if isinstance(of, sp.Expr) and of.has(sp.Derivative):
            raise DeriveError("a derivative of a derivative with respect to a node is not supported")
        if wrt in self.deltas and not (of.free_symbols & set(self.deltas)):
            raise DeriveError("∂ with respect to δ: only the δ of the layers below depend on it (the loss and "
                              "the forward pass do not)")
        t, cut = self._cut(wrt)
        written = substitute(of.xreplace({self.loss_symbol: self._named_loss()}), cut)
        return sp.diff(written, t).xreplace({t: self.value(wrt)})

    def _cut(self, quantity) -> tuple:
        """A free variable t, and every named quantity written out in leaves with ``quantity``
        replaced by t."""
        if quantity not in self._cuts:
            t = sp.Dummy("t")
            mapping: dict = {}
            cache: dict = {}
            for symbol, definition in self.net.definitions.items():
                if symbol != LOSS:
                    mapping[symbol] = t if symbol == quantity else substitute(definition, mapping, cache)
            for function, prime in self.net.derivative_names.items():
                if prime not in mapping:
                    mapping[prime] = t if prime == quantity else substitute(function, mapping, cache)
            # δ backwards: the output's as recognized, each hidden one δ_i^{(l)} = f'(z_i) Σ_k w_ki δ_k^{(l+1)}
            arch = self.d.arch
            for layer in range(arch.depth, 1, -1):
                for i in range(1, arch.widths[layer - 1] + 1):
                    delta = delta_symbol(layer, i)
                    if delta == quantity:
                        mapping[delta] = t
                    elif layer == arch.depth:
                        mapping[delta] = substitute(self.deltas[delta], mapping, cache)
                    else:
                        entry = activation(arch.activations[layer - 2])
                        slope = entry.derivative(mapping[naming.preactivation(layer, i)])
                        mapping[delta] = slope * sp.Add(*[naming.weight(layer, k, i) * mapping[delta_symbol(layer + 1, k)]
                                                          for k in range(1, arch.widths[layer] + 1)])
            self._cuts[quantity] = (t, mapping)
        return self._cuts[quantity]


# --- activations in elementary functions ----------------------------------------------------

@cache
def _explicit_rules() -> tuple:
    u = sp.Dummy("u")
    rules = []
    for function, entry in BY_FUNCTION.items():
        form = entry.explicit(u)
        rules.append((function, sp.Lambda(u, form)))
    for derivative, entry in BY_DERIVATIVE.items():
        rules.append((derivative, sp.Lambda(u, sp.diff(entry.explicit(u), u))))
    return tuple(rules)


def explicit(value):
    """``value`` with every activation (and its derivative, and softmax) in elementary functions."""
    if isinstance(value, sp.MatrixBase):
        return value.applyfunc(explicit)
    for function, form in _explicit_rules():
        if value.has(function):
            value = value.replace(function, lambda arg, form=form: form(arg))
    if value.has(Softmax):
        value = value.replace(Softmax, lambda i, *zs: sp.exp(zs[int(i) - 1]) / sp.Add(*[sp.exp(z) for z in zs]))
    return value


def exp_atoms_zero(difference: sp.Expr) -> bool:
    """Whether ``difference`` (in elementary functions) is zero as a rational function of its
    exponentials: every e^{±u} becomes T_u^{±1} for a fresh T_u (tanh first rewritten into
    exponentials). Treating the exponentials as free variables is sound: zero for all values
    of them is zero for theirs."""
    difference = difference.rewrite(sp.exp) if difference.has(sp.tanh) else difference
    atoms: dict = {}

    def atom(arg):
        positive = -arg if arg.could_extract_minus_sign() else arg
        if positive not in atoms:
            atoms[positive] = sp.Dummy("T")
        return atoms[positive] if positive == arg else 1 / atoms[positive]

    replaced = difference.replace(sp.exp, atom)
    if replaced.has(sp.exp):
        return False
    return sp.cancel(sp.together(replaced)) == 0


# --- high-precision numbers -----------------------------------------------------------------

@cache
def _mp_functions() -> dict:
    z = sp.Dummy("z")
    table = {}
    for function, form in _explicit_rules():
        table[function] = sp.lambdify(z, form(z), "mpmath")
    return table


def precise(value, point: dict):
    """``value`` (written out) at ``point`` (symbol -> float) with ``DIGITS`` digits: an mpf,
    or None where it has no finite real value."""
    functions = _mp_functions()
    with mpmath.workdps(DIGITS):
        cache = {sp.sympify(k): mpmath.mpf(v) for k, v in point.items()}

        def combine(node, args):
            if node.is_Rational:
                return mpmath.mpf(node.p) / node.q
            if node.is_Number:
                return mpmath.mpf(str(node.evalf(DIGITS)))
            if node is sp.pi:
                return +mpmath.pi
            if node is sp.E:
                return +mpmath.e
            if node.is_Symbol:
                raise KeyError(node)
            if node.is_Add:
                return mpmath.fsum(args)
            if node.is_Mul:
                result = args[0]
                for a in args[1:]:
                    result = result * a
                return result
            if node.is_Pow:
                return mpmath.power(args[0], args[1])
            if node.func in functions:
                return functions[node.func](args[0])
            if node.func is Softmax:
                zs = args[1:]
                top = max(zs)
                exps = [mpmath.exp(x - top) for x in zs]
                return exps[int(args[0]) - 1] / mpmath.fsum(exps)
            simple = {sp.exp: mpmath.exp, sp.log: mpmath.log, sp.tanh: mpmath.tanh, sp.erf: mpmath.erf,
                      sp.Abs: abs, sp.sqrt: mpmath.sqrt}
            if node.func in simple:
                return simple[node.func](args[0])
            if node.func is sp.Heaviside:
                return mpmath.mpf(1) if args[0] > 0 else mpmath.mpf(0) if args[0] < 0 else mpmath.mpf(args[1])
            raise TypeError(f"cannot evaluate {node.func}")

        try:
            result = fold(value, cache, combine)
            if isinstance(result, mpmath.mpc):
                if abs(result.imag) > mpmath.mpf(10) ** (-DIGITS + 5) * max(1, abs(result)):
                    return None
                result = result.real
            result = mpmath.mpf(result)
        except (KeyError, TypeError, ValueError, ZeroDivisionError, OverflowError):
            return None
        return result if mpmath.isfinite(result) else None
