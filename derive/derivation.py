"""``derive(arch)``: the whole derivation of one network, and what it offers."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from derive import naming
from derive.activations import activation
from derive.architecture import Architecture
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


@dataclass
class Derivation:
    """The backpropagation derivation of one network."""

    arch: Architecture
    method: str  # "elementwise" or "witness"
    network: Network  # the network derived element by element (the witness, if any)
    pattern: Pattern | None
    failure: str | None = None  # why no pattern was recognized
    timings: dict = field(default_factory=dict)
    _adjoints: dict = field(default_factory=dict, repr=False)
    _deltas: dict = field(default_factory=dict, repr=False)
    _instances: dict = field(default_factory=dict, repr=False)

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
        if self.method == "witness":
            if not short:
                raise TooLargeError(
                    f"the expanded ∂L/∂{symbol} of {self.arch.text} would have about "
                    f"{expanded_size(self.arch):,} terms; ask for short=True, or use a smaller network"
                )
            return self._instantiated_partial(parameter, i, j)
        short_form = self._adjoints[symbol]
        if short:
            return flattened(short_form)
        return self._written_out(short_form, f"∂L/∂{symbol}")

    def short_forms(self, parameter: str) -> list:
        """Every element's partial in named quantities, row by row (elementwise route)."""
        self._require_elementwise("every short form")
        return [flattened(self._adjoints[s]) for s in self.network.parameter_symbols(parameter)]

    def delta(self, layer: int, i: int) -> sp.Expr:
        """δ_i^{(layer)} = ∂L/∂z_i^{(layer)} in named quantities, as recognized."""
        self._check_index(layer, i)
        if layer < 2:
            raise DeriveError("δ exists for layers 2 … L only")
        if self.method == "witness":
            return self._instantiated_delta(layer, i)
        return self._deltas[layer][i - 1]

    # -- numbers ---------------------------------------------------------------
    def evaluate(self, params: dict, x, y) -> dict:
        """Every partial evaluated from the symbolic results, for one sample.

        ``params`` holds ``W1 …`` (and ``b1 …``) in the layout of the generated modules;
        the answer has the same keys and shapes.
        """
        values = self._values(params, x, y)
        if self.method == "witness":
            return self._evaluate_pattern(params, values)
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
                f"derived through the witness network {self.witness.text} (same depth, activations, "
                f"loss and biases): {arch.text} has more than {ELEMENTWISE_LIMIT:,} parameters, "
                "so the pattern proven on the witness is instantiated for its widths"
            )
        else:
            lines.append("derived element by element: every partial of the expanded loss")
        if self.pattern is None:
            lines.append(f"matrix pattern NOT recognized: {self.failure}")
        else:
            proofs = ", ".join(f"{n} {k}" for k, n in self.pattern.proofs.items())
            lines.append(f"matrix pattern proven ({self.pattern.proof_count:,} identities: {proofs}):")
            lines += ["  " + line for line in self.pattern.lines()]
        return "\n".join(lines)

    # -- notebooks -----------------------------------------------------------------
    def _repr_markdown_(self) -> str:
        """The whole derivation as MathJax Markdown (small networks), else the summary."""
        from derive.document import markdown_for_notebook

        try:
            return markdown_for_notebook(self)
        except DeriveError:
            return "```\n" + self.summary() + "\n```"

    def _repr_latex_(self) -> str | None:
        """The proven matrix pattern as one aligned display."""
        from derive.document import pattern_latex

        return pattern_latex(self) if self.pattern is not None else None

    # -- helpers -----------------------------------------------------------------
    def _require_elementwise(self, what: str) -> None:
        if self.method == "witness":
            raise TooLargeError(
                f"{what} of {self.arch.text} would have about {expanded_size(self.arch):,} terms "
                f"(limit {EXPANDED_SIZE_LIMIT:,}); derive a smaller network to see it written out"
            )

    def _written_out(self, named: sp.Expr, what: str) -> sp.Expr:
        """``named`` in inputs, weights and labels, refused when too large to print."""
        size = expanded_size(self.arch)
        expr = None
        if size <= 4 * EXPANDED_SIZE_LIMIT:  # close enough to the limit to count exactly
            expr = self.network.expanded(named)
            size = tree_size(expr)
        if size > EXPANDED_SIZE_LIMIT:
            raise TooLargeError(
                f"{what} of {self.arch.text} written out has {size:,} terms "
                f"(limit {EXPANDED_SIZE_LIMIT:,}); use short=True or a smaller network"
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

    def _values(self, params: dict, x, y) -> dict:
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
        arch, pattern = self.arch, self.pattern
        L = arch.depth
        if layer == L:
            names = _output_names(arch, i)
            if pattern.output.kind == "softmax" and S in pattern.output.simplified.free_symbols:
                names[S] = sp.Add(*[
                    naming.node(L, k) * pattern.output.gradient.xreplace(_output_names(arch, k))
                    for k in range(1, arch.widths[-1] + 1)
                ])
            value = pattern.output.simplified.xreplace(names)
        else:
            factor = naming.node_derivative(layer, i) if pattern.inner_factor[layer] != 1 else 1
            value = factor * sp.Add(*[
                naming.weight(layer, k, i) * self._instantiated_delta(layer + 1, k)
                for k in range(1, arch.widths[layer] + 1)
            ])
        self._instances[key] = value
        return value

    def _instantiated_partial(self, parameter: str, i: int, j: int | None) -> sp.Expr:
        layer = int(parameter[1:])
        delta = self._instantiated_delta(layer + 1, i)
        return delta if j is None else delta * naming.node(layer, j)

    def _evaluate_pattern(self, params: dict, values: dict) -> dict:
        """The instantiated pattern evaluated layer by layer with NumPy."""
        arch, pattern = self.arch, self.pattern
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


def witness_of(arch: Architecture) -> Architecture:
    """A small network of the same depth, activations, loss and bias setting."""
    widths = [min(n, WITNESS_WIDTH) for n in arch.widths[:-1]]
    out = arch.widths[-1]
    if out > WITNESS_MAX_OUTPUTS:
        raise DeriveError(
            f"{arch.text} is too large to derive element by element ({arch.parameter_count:,} "
            f"parameters, limit {ELEMENTWISE_LIMIT:,}) and has more than {WITNESS_MAX_OUTPUTS} "
            "outputs for a witness network; use fewer outputs or fewer parameters"
        )
    return arch.with_widths(widths + [out])


def derive(arch: Architecture) -> Derivation:
    """Derive ``arch``: element by element, or through a witness network when too large."""
    if isinstance(arch, str):
        arch = Architecture.parse(arch)
    method = "elementwise" if arch.parameter_count <= ELEMENTWISE_LIMIT else "witness"
    target = arch if method == "elementwise" else witness_of(arch)
    timings = {}
    start = time.perf_counter()
    network = build_network(target)
    timings["expand"] = time.perf_counter() - start
    start = time.perf_counter()
    adjoints = reverse_pass(network)
    timings["differentiate"] = time.perf_counter() - start
    start = time.perf_counter()
    try:
        pattern, deltas = recognize(network, adjoints)
        failure = None
    except NotRecognized as error:
        pattern, deltas, failure = None, {}, str(error)
    timings["pattern"] = time.perf_counter() - start
    if method == "witness" and pattern is None:
        raise DeriveError(
            f"the matrix pattern could not be proven on the witness {target.text} ({failure}), "
            f"so {arch.text} cannot be derived"
        )
    return Derivation(arch, method, network, pattern, failure, timings, adjoints, deltas)
