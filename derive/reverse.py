"""The chain rule applied once, backwards, over the network's named definitions.

Starting from ∂L/∂L = 1, every definition ``v = f(u_1, …)`` passes its adjoint
∂L/∂v to each named quantity ``u`` it uses, times the local derivative ∂f/∂u.
Local derivatives are taken with SymPy on the (small) definition and written
back in named quantities, so σ'(z_i^{(l)}) appears as x_i^{(l)'} and softmax's
derivative as x_i (δ_ik - x_k). The results are the short forms of every
partial derivative, as expressions that share their common parts.
"""
from __future__ import annotations

import sympy as sp

from derive.graph import product
from derive.network import LOSS, Network


def adjoints(net: Network, seeds: dict | None = None, named: dict | None = None) -> dict:
    """∂L/∂s in named quantities for every parameter and every named node above the input.

    ``seeds`` may give ∂L/∂z for the output layer's z (proven equal forms of δ^(L));
    the pass then starts from those instead of from the loss. ``named`` maps some
    pre-activations z to symbols δ that stand for their adjoints ∂L/∂z: the adjoint of
    such a z is still computed and returned, but the quantities below receive δ instead
    of its expression, so every result stays local to its layer (deep networks).
    """
    named = named or {}
    parameters = set(net.all_parameters)
    wanted = set(parameters)
    for layer in range(2, net.arch.depth + 1):
        wanted.update(net.nodes[layer])
        wanted.update(net.preactivations[layer])
    if seeds is None:
        contributions: dict = {LOSS: [sp.Integer(1)]}
    else:
        contributions = {symbol: [value] for symbol, value in seeds.items()}
    result: dict = {}
    for symbol in reversed(list(net.definitions)):
        terms = contributions.pop(symbol, None)
        if terms is None:
            continue
        adjoint = terms[0] if len(terms) == 1 else sp.Add(*terms)
        result[symbol] = adjoint
        adjoint = named.get(symbol, adjoint)
        definition = net.definitions[symbol]
        for term in sp.Add.make_args(definition):
            for used in _ordered(term.free_symbols & wanted):
                local = _local_derivative(term, used, net.derivative_names)
                if used in parameters and local.is_Symbol:
                    contribution = product(adjoint, local)  # one per weight: kept as written
                else:
                    contribution = adjoint * local
                contributions.setdefault(used, []).append(contribution)
    for symbol, terms in contributions.items():
        result[symbol] = terms[0] if len(terms) == 1 else sp.Add(*terms)
    return result


def _ordered(symbols) -> list:
    return sorted(symbols, key=lambda s: s.name)


def _local_derivative(term: sp.Expr, used: sp.Symbol, names: dict) -> sp.Expr:
    """∂term/∂used, written in named quantities."""
    if term is used:
        return sp.Integer(1)
    if term.is_Mul:
        others = [f for f in term.args if f is not used]
        if len(others) == len(term.args) - 1 and not any(used in f.free_symbols for f in others):
            return sp.Mul(*others)
    local = sp.diff(term, used)
    if names:
        local = local.xreplace(names)
    if local.is_Add:
        local = sp.factor_terms(local)
    return local
