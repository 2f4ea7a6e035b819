"""The network as named definitions, the way an article writes it down.

Every quantity has a definition in terms of named quantities of the layer below:
``z_i^{(l)} = Σ_j w_{ij}^{(l-1→l)} x_j^{(l-1)} (+ b_i^{(l)})``, ``x_i^{(l)} = f(z_i^{(l)})``,
and the loss in terms of the output nodes and labels. ``expanded`` writes any
expression in named quantities out in full, in inputs, weights and labels only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from derive import naming
from derive.activations import Softmax, activation
from derive.architecture import Architecture
from derive.graph import product, substitute
from derive.losses import loss as loss_entry

LOSS = sp.Symbol("L")


@dataclass
class Network:
    arch: Architecture
    inputs: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    nodes: dict = field(default_factory=dict)  # layer -> [x_i]
    derivatives: dict = field(default_factory=dict)  # layer -> [x_i'] (elementwise layers)
    preactivations: dict = field(default_factory=dict)  # layer -> [z_i]
    weights: dict = field(default_factory=dict)  # parameter layer -> [[w_ij]]
    biases: dict = field(default_factory=dict)  # parameter layer -> [b_i]
    definitions: dict = field(default_factory=dict)  # symbol -> expression, inputs first
    derivative_names: dict = field(default_factory=dict)  # f'(z_i) or softmax_k(z) -> symbol
    _expansion: dict = field(default_factory=dict)
    _expansion_cache: dict = field(default_factory=dict)

    @property
    def outputs(self) -> list:
        return self.nodes[self.arch.depth]

    @property
    def loss(self) -> sp.Expr:
        return self.definitions[LOSS]

    def parameter_symbols(self, parameter: str) -> list:
        """The symbols of a parameter, row by row (``W``) or in order (``b``)."""
        layer = int(parameter[1:])
        if parameter[0] == "W":
            return [w for row in self.weights[layer] for w in row]
        return list(self.biases[layer])

    @property
    def all_parameters(self) -> list:
        return [s for name in self.arch.parameter_names for s in self.parameter_symbols(name)]

    def label_assumptions(self) -> dict:
        """Σ_i y_i = 1 as a substitution (the last label eliminated) when the loss's labels sum
        to one (cross-entropy); the proofs that use it apply it to both sides."""
        if not loss_entry(self.arch.loss).labels_sum_to_one:
            return {}
        return {self.labels[-1]: 1 - sp.Add(*self.labels[:-1])}

    def expanded(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with every named quantity written out in inputs, weights and labels."""
        if not self._expansion:
            self._expansion.update(_expansion_of(self))
        return substitute(expr, self._expansion, self._expansion_cache)


def build_network(arch: Architecture) -> Network:
    net = Network(arch)
    widths = arch.widths
    net.inputs = [naming.node(1, j) for j in range(1, widths[0] + 1)]
    net.nodes[1] = net.inputs
    net.labels = [naming.label(i) for i in range(1, widths[-1] + 1)]
    for layer in range(2, arch.depth + 1):
        _add_layer(net, layer)
    net.definitions[LOSS] = loss_entry(arch.loss).build(net.outputs, net.labels)
    return net


def _add_layer(net: Network, layer: int) -> None:
    arch = net.arch
    below = net.nodes[layer - 1]
    n = arch.widths[layer - 1]
    entry = activation(arch.activations[layer - 2])
    weights = [[naming.weight(layer - 1, i, j) for j in range(1, len(below) + 1)] for i in range(1, n + 1)]
    biases = [naming.bias(layer - 1, i) for i in range(1, n + 1)] if arch.bias else []
    net.weights[layer - 1] = weights
    if arch.bias:
        net.biases[layer - 1] = biases
    zs = [naming.preactivation(layer, i) for i in range(1, n + 1)]
    xs = [naming.node(layer, i) for i in range(1, n + 1)]
    net.preactivations[layer] = zs
    net.nodes[layer] = xs
    for i, z in enumerate(zs):
        terms = [product(w, x) for w, x in zip(weights[i], below)]
        if arch.bias:
            terms.append(biases[i])
        net.definitions[z] = sp.Add(*terms)
    if entry.elementwise:
        primes = []
        for i, (x, z) in enumerate(zip(xs, zs), start=1):
            net.definitions[x] = entry.function(z)
            if entry.derivative_is_constant:
                continue
            prime = naming.node_derivative(layer, i)
            primes.append(prime)
            net.derivative_names[entry.derivative(z)] = prime
        net.derivatives[layer] = primes
    else:
        for i, x in enumerate(xs, start=1):
            net.definitions[x] = Softmax(i, *zs)
            net.derivative_names[Softmax(i, *zs)] = x


def _expansion_of(net: Network) -> dict:
    """Every named quantity written out in inputs, weights, biases (built on first use: deep
    networks never need it, their written-out forms are refused by size first)."""
    arch = net.arch
    expansion: dict = {}
    for layer in range(2, arch.depth + 1):
        below = net.nodes[layer - 1]
        entry = activation(arch.activations[layer - 2])
        zs = net.preactivations[layer]
        for i, z in enumerate(zs):
            written_out = [product(w, expansion.get(x, x)) for w, x in zip(net.weights[layer - 1][i], below)]
            expansion[z] = sp.Add(*written_out, *([net.biases[layer - 1][i]] if arch.bias else []))
        expanded_z = [expansion[z] for z in zs]
        if entry.elementwise:
            for i, x in enumerate(net.nodes[layer], start=1):
                expansion[x] = entry.function(expanded_z[i - 1])
                if not entry.derivative_is_constant:
                    expansion[naming.node_derivative(layer, i)] = entry.derivative(expanded_z[i - 1])
        else:
            for i, x in enumerate(net.nodes[layer], start=1):
                expansion[x] = Softmax(i, *expanded_z)
    return expansion
