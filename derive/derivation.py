"""``derive(arch)``: the whole derivation of one network, and what it offers."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from derive import naming
from derive.activations import activation
from derive.architecture import Architecture, check_size
from derive.errors import DeriveError, TooLargeError
from derive.graph import flattened, tree_size
from derive.network import Network, build_network
from derive.numeric import Evaluator
from derive.pattern import XP, NotRecognized, Pattern, S, X, Y, Z, recognize
from derive.reverse import adjoints as reverse_pass

# Networks up to this many parameters are derived element by element; larger ones
# through a witness network of the same depth, activations, loss and bias setting.
ELEMENTWISE_LIMIT = 250_000
# Expanded expressions larger than this many tree nodes are refused: printing or
# walking them would not finish in reasonable time.
EXPANDED_SIZE_LIMIT = 2_000_000
# Witness widths: inputs and hidden layers shrink to this; outputs stay as they are
# up to WITNESS_MAX_OUTPUTS (the output δ may depend on the output count).
WITNESS_WIDTH = 3
WITNESS_MAX_OUTPUTS = 64
# Deeper networks are derived layer by layer: the reverse pass names each hidden layer's
# δ^{(l)} = ∂L/∂z^{(l)} as a symbol, so every result and every proof stays local to its
# layer (time and memory linear in depth). Written out through all layers, a partial
# derivative grows exponentially with depth as a tree, so it is refused past this depth.
LAYERED_DEPTH = 16
# Deep networks are derived layer by layer at their own widths up to this many parameters
# (SymPy costs about 0.15 ms a parameter there), through a witness above it.
LAYERED_LIMIT = 50_000
# Element by element, every δ^{(l)} is written out through all layers above it, and the
# proofs keep the set of symbols of each of its terms: about n_l n_{l+1} terms, each with
# every weight above. Past this many symbol occurrences (about 30 bytes each: 40-40-40-40-
# 40-40-40-40 has 40 million and peaks at 1.3 GB) a network is derived layer by layer.
ELEMENTWISE_COST_LIMIT = 10_000_000
# Partials written out from the instantiated pattern (witness and layered routes): at most
# this many terms built (they are shared), through at most LAYERED_DEPTH layers.
INSTANCE_TERM_LIMIT = 1_000_000


@dataclass
class Derivation:
    """The backpropagation derivation of one network."""

    arch: Architecture
    method: str  # "elementwise", "layered" (deep) or "witness" (wide)
    network: Network  # the network derived (the witness, if any)
    pattern: Pattern | None
    failure: str | None = None  # why no pattern was recognized
    timings: dict = field(default_factory=dict)
    _adjoints: dict = field(default_factory=dict, repr=False)
    _deltas: dict = field(default_factory=dict, repr=False)
    _instances: dict = field(default_factory=dict, repr=False)
    _sizes: dict = field(default_factory=dict, repr=False)

    @property
    def proven(self) -> Pattern:
        """The proven pattern; a one-line error that says why when none was proven."""
        if self.pattern is None:
            raise DeriveError(f"the matrix pattern of {self.arch.text} was not proven ({self.failure})")
        return self.pattern

    @property
    def witness(self) -> Architecture | None:
        """The small network the pattern was proven on, when ``method == "witness"``."""
        return self.network.arch if self.method == "witness" else None

    # -- expressions ---------------------------------------------------------
    @property
    def loss(self) -> sp.Expr:
        """The fully expanded loss, in inputs, weights, biases and labels."""
        self._require_elementwise("the expanded loss")
        return self._written_out(self.network.loss, "the expanded loss")

    def node(self, layer: int, i: int) -> sp.Expr:
        """x_i^{(layer)} written out in full in inputs, weights and biases."""
        self._require_elementwise(f"node x_{i}^({layer})")
        symbol = naming.node(layer, i)
        self._check_index(layer, i)
        return self._written_out(symbol, f"node x_{i}^({layer})")

    def partial(self, parameter: str, i: int, j: int | None = None, short: bool = False) -> sp.Expr:
        """∂L/∂ of one parameter element (1-based, row = destination node).

        Expanded (in inputs, weights and labels) by default; ``short=True`` gives it in
        the named quantities x_i^{(l)}, x_i^{(l)'} instead.
        """
        symbol = self._element(parameter, i, j)
        if self.method != "elementwise":
            if not short:
                self._require_elementwise(f"the expanded ∂L/∂{symbol}")
            return self._instantiated_partial(parameter, i, j)
        short_form = self._adjoints[symbol]
        if short:
            size = self.short_form_size(parameter, i, j)
            if size > EXPANDED_SIZE_LIMIT:
                raise TooLargeError(
                    f"∂L/∂{symbol} of {self.arch.text} in named quantities has {count_text(size)} terms "
                    f"(limit {EXPANDED_SIZE_LIMIT:,}); use d.delta and the pattern instead"
                )
            return flattened(short_form)
        return self._written_out(short_form, f"∂L/∂{symbol}")

    def short_form_size(self, parameter: str, i: int, j: int | None = None) -> int:
        """How many tree nodes ``partial(parameter, i, j, short=True)`` has written out
        (what printing it walks), counted without writing it out (an estimate on the
        witness and layered routes)."""
        symbol = self._element(parameter, i, j)
        if self.method == "elementwise":
            return tree_size(self._adjoints[symbol], self._sizes)
        layer = int(parameter[1:])
        return self._instance_size(layer + 1) + (0 if j is None else 2)

    def short_forms(self, parameter: str) -> list:
        """Every element's partial in named quantities, row by row (elementwise route)."""
        self._require_elementwise("every short form")
        return [flattened(self._adjoints[s]) for s in self.network.parameter_symbols(parameter)]

    def delta(self, layer: int, i: int) -> sp.Expr:
        """δ_i^{(layer)} = ∂L/∂z_i^{(layer)} in named quantities, as recognized."""
        self._check_index(layer, i)
        if layer < 2:
            raise DeriveError("δ exists for layers 2 … L only")
        if self.method != "elementwise":
            return self._instantiated_delta(layer, i)
        return self._deltas[layer][i - 1]

    # -- numbers ---------------------------------------------------------------
    def evaluate(self, params: dict, x, y) -> dict:
        """Every partial evaluated from the symbolic results, for one sample.

        ``params`` holds ``W1 …`` (and ``b1 …``) in the layout of the generated modules;
        the answer has the same keys and shapes.
        """
        if self.method != "elementwise":
            return self._evaluate_pattern(params, self._values(params, x, y, parameters=False))
        values = self._values(params, x, y)
        evaluate = Evaluator(values)
        net = self.network
        result = {}
        for name in self.arch.parameter_names:
            symbols = net.parameter_symbols(name)
            numbers = [float(evaluate(net.expanded(self._adjoints[s]))) for s in symbols]
            result[name] = np.array(numbers).reshape(self.arch.shape(name))
        return result

    def loss_value(self, params: dict, x, y) -> float:
        """The loss at one sample, evaluated from the expanded expression."""
        self._require_elementwise("the expanded loss")
        return float(Evaluator(self._values(params, x, y))(self.network.expanded(self.network.loss)))

    # -- text --------------------------------------------------------------------
    def summary(self) -> str:
        arch = self.arch
        lines = [f"{arch.describe()}: {arch.parameter_count:,} parameters"]
        if self.method == "witness":
            lines.append(
                f"derived through the witness network {self.network.arch.text} (same depth, activations, "
                f"loss and biases): {arch.text} has more than {parameter_limit(arch):,} parameters, "
                "so the pattern proven on the witness is instantiated for its widths"
            )
        elif self.method == "layered":
            why = (f"{arch.depth} layers is deeper than {LAYERED_DEPTH}" if arch.depth > LAYERED_DEPTH
                   else "too wide to write every δ out through all layers above it")
            lines.append(
                f"derived layer by layer ({why}): each hidden layer's δ = ∂L/∂z is a named symbol "
                "and every identity is proven on one layer"
            )
        else:
            lines.append("derived element by element: every partial of the expanded loss")
        if self.method == "witness" and self.network.arch.depth > LAYERED_DEPTH:
            lines.append(f"the witness is deeper than {LAYERED_DEPTH} layers, so it is derived layer by layer")
        if self.pattern is None:
            lines.append(f"matrix pattern NOT recognized: {self.failure}")
        else:
            proofs = ", ".join(f"{n} {k}" for k, n in self.proven.proofs.items())
            lines.append(f"matrix pattern proven ({self.proven.proof_count:,} identities: {proofs}):")
            lines += ["  " + line for line in self.proven.lines()]
        return "\n".join(lines)

    # -- helpers -----------------------------------------------------------------
    def _require_elementwise(self, what: str) -> None:
        if self.method == "elementwise":
            return
        size = expanded_size(self.arch)
        if size > EXPANDED_SIZE_LIMIT:
            raise TooLargeError(
                f"{what} of {self.arch.text} would have about {count_text(size)} terms "
                f"(limit {EXPANDED_SIZE_LIMIT:,}); use the short form in named quantities, or derive a "
                "smaller network to see it written out"
            )
        raise TooLargeError(
            f"{what} (about {count_text(size)} terms) is not written out for networks derived "
            f"{self._route()}; {'use the short form in named quantities, or ' if 'expanded ∂L' in what else ''}derive a network of at most "
            f"{LAYERED_DEPTH} layers with narrower hidden layers to see it written out"
        )

    def _route(self) -> str:
        return "layer by layer" if self.method == "layered" else "through a witness"

    def _written_out(self, named: sp.Expr, what: str) -> sp.Expr:
        """``named`` in inputs, weights and labels, refused when too large to print."""
        size = expanded_size(self.arch)
        expr = None
        if size <= 4 * EXPANDED_SIZE_LIMIT:  # close enough to the limit to count exactly
            expr = self.network.expanded(named)
            size = tree_size(expr)
        if size > EXPANDED_SIZE_LIMIT:
            raise TooLargeError(
                f"{what} of {self.arch.text} written out has {count_text(size)} terms "
                f"(limit {EXPANDED_SIZE_LIMIT:,}); use the short form in named quantities, or a smaller network"
            )
        return expr

    def _check_index(self, layer: int, i: int) -> None:
        if not 1 <= layer <= self.arch.depth or not 1 <= i <= self.arch.widths[layer - 1]:
            raise DeriveError(f"node {i} of layer {layer} does not exist in {self.arch.text}")

    def _element(self, parameter: str, i: int, j: int | None):
        shape = self.arch.shape(parameter)
        index = (i,) if j is None else (i, j)
        if len(index) != len(shape) or not all(1 <= k <= n for k, n in zip(index, shape)):
            raise DeriveError(
                f"{parameter} has shape {shape} (1-based indices {', '.join(f'1…{n}' for n in shape)}); "
                f"got {index}"
            )
        return naming.parameter_symbol(parameter, i, j)

    def _values(self, params: dict, x, y, parameters: bool = True) -> dict:
        arch = self.arch
        x = np.asarray(x, dtype=float).reshape(-1)
        y = np.asarray(y, dtype=float).reshape(-1)
        if x.shape != (arch.widths[0],) or y.shape != (arch.widths[-1],):
            raise DeriveError(f"x must have {arch.widths[0]} entries and y {arch.widths[-1]}")
        values = {naming.node(1, j + 1): v for j, v in enumerate(x)}
        values.update({naming.label(i + 1): v for i, v in enumerate(y)})
        for name in arch.parameter_names:
            array = np.asarray(params[name], dtype=float)
            if array.shape != arch.shape(name):
                raise DeriveError(f"{name} must have shape {arch.shape(name)}, not {array.shape}")
            if not parameters:  # the pattern is evaluated on the arrays themselves
                continue
            for index in np.ndindex(array.shape):
                one_based = [k + 1 for k in index]
                values[naming.parameter_symbol(name, *one_based)] = array[index]
        return values

    # witness route: the proven pattern instantiated for the requested widths
    def output_delta(self, i: int) -> sp.Expr:
        """δ_i^{(L)} in its simplest proven form, in named quantities (e.g. x_i - y_i)."""
        self._check_index(self.arch.depth, i)
        return self._instantiated_delta(self.arch.depth, i)

    def _instantiated_delta(self, layer: int, i: int) -> sp.Expr:
        key = (layer, i)
        if key in self._instances:
            return self._instances[key]
        arch = self.arch
        L = arch.depth
        self._check_instance(layer)
        # layer by layer from the output down (no recursion): δ^(l) needs all of δ^(l+1)
        for current in range(L, layer - 1, -1):
            rows = [i] if current == layer else range(1, arch.widths[current - 1] + 1)
            for row in rows:
                if (current, row) not in self._instances:
                    self._instances[(current, row)] = self._instance(current, row)
        return self._instances[key]

    def _instance(self, layer: int, i: int) -> sp.Expr:
        """δ_i^(layer) from the pattern, given the instances of δ^(layer+1)."""
        arch, pattern = self.arch, self.proven
        L = arch.depth
        if layer == L:
            names = _output_names(arch, i)
            if pattern.output.kind == "softmax" and S in pattern.output.simplified.free_symbols:
                names[S] = sp.Add(*[
                    naming.node(L, k) * pattern.output.gradient.xreplace(_output_names(arch, k))
                    for k in range(1, arch.widths[-1] + 1)
                ])
            return pattern.output.simplified.xreplace(names)
        factor = naming.node_derivative(layer, i) if pattern.inner_factor[layer] != 1 else 1
        return factor * sp.Add(*[
            naming.weight(layer, k, i) * self._instances[(layer + 1, k)]
            for k in range(1, arch.widths[layer] + 1)
        ])

    def _check_instance(self, layer: int) -> None:
        """Refuse to write δ^(layer) out from the pattern when it would be too large to use."""
        arch = self.arch
        what = f"δ^({layer}) of {arch.text} written out in named quantities"
        if arch.depth - layer > LAYERED_DEPTH:
            raise TooLargeError(
                f"{what} spans {arch.depth - layer} layers (limit {LAYERED_DEPTH}; it nests deeper and "
                "grows with the product of the widths at every layer); use the proven pattern (δ layer "
                "by layer) or d.evaluate"
            )
        terms = sum(arch.widths[k - 1] * arch.widths[k] for k in range(layer, arch.depth))
        if terms > INSTANCE_TERM_LIMIT:
            raise TooLargeError(
                f"{what} needs {terms:,} shared terms (limit {INSTANCE_TERM_LIMIT:,}); "
                "use the proven pattern or d.evaluate"
            )
        size = self._instance_size(layer)
        if size > EXPANDED_SIZE_LIMIT:
            raise TooLargeError(
                f"{what} has about {count_text(size)} terms (limit {EXPANDED_SIZE_LIMIT:,}); "
                "use the proven pattern or d.evaluate"
            )

    def _instance_size(self, layer: int) -> int:
        """About how many tree nodes δ_i^(layer) from the pattern has written out."""
        arch, pattern = self.arch, self.proven
        size = tree_size(pattern.output.simplified)
        if S in pattern.output.simplified.free_symbols:
            size += arch.widths[-1] * (2 + tree_size(pattern.output.gradient))
        for current in range(arch.depth - 1, layer - 1, -1):
            size = 2 + arch.widths[current] * (2 + size)
        return size

    def _instantiated_partial(self, parameter: str, i: int, j: int | None) -> sp.Expr:
        layer = int(parameter[1:])
        delta = self._instantiated_delta(layer + 1, i)
        return delta if j is None else delta * naming.node(layer, j)

    def _evaluate_pattern(self, params: dict, values: dict) -> dict:
        """The instantiated pattern evaluated layer by layer with NumPy."""
        arch, pattern = self.arch, self.proven
        L = arch.depth
        xs = {1: np.array([values[naming.node(1, j)] for j in range(1, arch.widths[0] + 1)])}
        zs, primes = {}, {}
        for layer in range(2, L + 1):
            z = np.asarray(params[f"W{layer - 1}"], float) @ xs[layer - 1]
            if arch.bias:
                z = z + np.asarray(params[f"b{layer - 1}"], float)
            entry = activation(arch.activations[layer - 2])
            zs[layer] = z
            if entry.elementwise:
                xs[layer] = entry.numpy(z)
                primes[layer] = entry.numpy_derivative(z)
            else:
                shifted = np.exp(z - z.max())
                xs[layer] = shifted / shifted.sum()
        y = np.array([values[naming.label(i)] for i in range(1, arch.widths[-1] + 1)])
        template = pattern.output.simplified
        symbols = (X, Y, XP, Z, S)
        out_x = xs[L]
        s = 0.0
        if S in template.free_symbols:
            g = sp.lambdify((X, Y), pattern.output.gradient, "numpy")
            s = float(np.sum(out_x * g(out_x, y)))
        function = sp.lambdify(symbols, template, "numpy")
        delta = np.broadcast_to(function(out_x, y, primes.get(L, 1.0), zs[L], s), out_x.shape).astype(float)
        result = {}
        for layer in range(L - 1, 0, -1):
            result[f"W{layer}"] = np.outer(delta, xs[layer])
            if arch.bias:
                result[f"b{layer}"] = delta.copy()
            if layer > 1:
                delta = np.asarray(params[f"W{layer}"], float).T @ delta
                if pattern.inner_factor[layer] != 1:
                    delta = delta * primes[layer]
        return {name: result[name] for name in arch.parameter_names}


def _output_names(arch: Architecture, i: int) -> dict:
    L = arch.depth
    return {
        X: naming.node(L, i),
        Y: naming.label(i),
        XP: naming.node_derivative(L, i),
        Z: naming.preactivation(L, i),
    }


def count_text(n: int) -> str:
    """A count for a message: 1,234,567, or its order of magnitude (10^42) past 12 digits."""
    return f"{n:,}" if n < 10**12 else f"10^{len(str(n)) - 1}"


def expanded_size(arch: Architecture) -> int:
    """How many tree nodes the expanded loss of ``arch`` has, counted without building it."""
    size = 1  # an input symbol
    for layer in range(2, arch.depth + 1):
        below = arch.widths[layer - 2]
        z = 1 + below * (2 + size) + (1 if arch.bias else 0)
        if activation(arch.activations[layer - 2]).elementwise:
            size = 1 + z
        else:
            size = 2 + arch.widths[layer - 1] * z
    uses = 2 if arch.loss == "bce" else 1  # bce writes each output twice: log x and log(1 - x)
    return 1 + arch.widths[-1] * uses * (5 + size)


def elementwise_cost(arch: Architecture) -> int:
    """About how many symbol occurrences the element-by-element proofs keep: each of the
    n_l n_{l+1} terms w_ij δ_i^{(l+1)} of δ^{(l)} with the symbols of every layer above."""
    n = arch.widths  # n[layer - 1] is the width of layer ``layer``
    above = 3 * n[-1]  # outputs, their derivatives, labels
    cost = 0
    for layer in range(arch.depth - 1, 1, -1):
        cost += n[layer - 1] * n[layer] * above
        above += n[layer - 1] * n[layer] + 2 * n[layer - 1]
    return cost


def parameter_limit(arch: Architecture) -> int:
    """How many parameters ``arch`` may have to be derived at its own widths."""
    if arch.depth <= LAYERED_DEPTH and elementwise_cost(arch) <= ELEMENTWISE_COST_LIMIT:
        return ELEMENTWISE_LIMIT
    return min(ELEMENTWISE_LIMIT, LAYERED_LIMIT)


def witness_of(arch: Architecture) -> Architecture:
    """A small network of the same depth, activations, loss and bias setting."""
    widths = [min(n, WITNESS_WIDTH) for n in arch.widths[:-1]]
    out = arch.widths[-1]
    if out > WITNESS_MAX_OUTPUTS:
        raise DeriveError(
            f"{arch.text} is too large to derive element by element ({arch.parameter_count:,} "
            f"parameters, limit {parameter_limit(arch):,}) and has more than {WITNESS_MAX_OUTPUTS} "
            "outputs for a witness network; use fewer outputs or fewer parameters"
        )
    return arch.with_widths(widths + [out])


def derive(arch: Architecture) -> Derivation:
    """Derive ``arch``: element by element, layer by layer when deep, or through a witness
    network when too large."""
    if isinstance(arch, str):
        arch = Architecture.parse(arch)
    check_size(arch.text, arch.widths, arch.bias)
    target = arch if arch.parameter_count <= parameter_limit(arch) else witness_of(arch)
    layered = target.depth > LAYERED_DEPTH or elementwise_cost(target) > ELEMENTWISE_COST_LIMIT
    method = "witness" if target is not arch else "layered" if layered else "elementwise"
    timings = {}
    start = time.perf_counter()
    network = build_network(target)
    named = layered_names(network) if layered else None
    timings["expand"] = time.perf_counter() - start
    start = time.perf_counter()
    adjoints = reverse_pass(network, named=named)
    timings["differentiate"] = time.perf_counter() - start
    start = time.perf_counter()
    try:
        pattern, deltas = recognize(network, adjoints, named)
        failure = None
    except NotRecognized as error:
        pattern, deltas, failure = None, {}, str(error)
    timings["pattern"] = time.perf_counter() - start
    if method != "elementwise" and pattern is None:
        where = f"the witness {target.text}" if method == "witness" else f"{arch.text} layer by layer"
        raise DeriveError(f"the matrix pattern could not be proven on {where} ({failure}), "
                          f"so {arch.text} cannot be derived")
    return Derivation(arch, method, network, pattern, failure, timings, adjoints, deltas)


def layered_names(network: Network) -> dict:
    """A symbol δ_i^(l) for the adjoint of every hidden pre-activation z_i^(l) (l = 2 … L-1)."""
    return {z: sp.Symbol(f"δ{layer}_{i}")
            for layer in range(2, network.arch.depth)
            for i, z in enumerate(network.preactivations[layer], start=1)}
