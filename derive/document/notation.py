"""Notation presets: how each quantity is written in the document.

``arrows`` is the reference notation of the articles (w_{ij}^{(1 \\rightarrow 2)}),
``layer`` names weights by their source layer (w_{ij}^{(1)}, W^{(1)}), and ``nielsen`` is
the a/z/δ style of Nielsen's book (a^l_j, w^l_{jk} into layer l, cost C).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from derive.errors import lookup


def _ij(i: int, j: int) -> str:
    return f"{i}{j}" if i < 10 and j < 10 else f"{i},{j}"


@dataclass(frozen=True)
class Notation:
    name: str
    node: Callable[[int, int], str]  # (layer, i): x_i^{(l)}, the input layer included
    node_prime: Callable[[int, int], str]
    preactivation: Callable[[int, int], str]
    weight: Callable[[int, int, int], str]  # (parameter layer p, i, j): into node i of p+1
    bias: Callable[[int, int], str]  # (parameter layer p, i): bias of node i of layer p+1
    vector: Callable[[int], str]
    vector_prime: Callable[[int], str]
    matrix: Callable[[int], str]
    bias_vector: Callable[[int], str]
    delta: Callable[[int], str]
    delta_element: Callable[[int, int], str]
    default_loss_name: str = "MSE"

    def label(self, i: int) -> str:
        return f"y_{{{i}}}"

    label_vector = r"\vec{y}"


def _arrows_weight(p, i, j):
    return rf"w_{{{_ij(i, j)}}}^{{({p} \rightarrow {p + 1})}}"


NOTATIONS = {
    "arrows": Notation(
        name="arrows",
        node=lambda l, i: f"x_{{{i}}}" if l == 1 else f"x_{{{i}}}^{{({l})}}",
        node_prime=lambda l, i: rf"x_{{{i}}}^{{({l})\;'}}",
        preactivation=lambda l, i: f"z_{{{i}}}^{{({l})}}",
        weight=_arrows_weight,
        bias=lambda p, i: f"b_{{{i}}}^{{({p + 1})}}",
        vector=lambda l: rf"\vec{{x}}^{{({l})}}",
        vector_prime=lambda l: rf"\vec{{x}}^{{({l})\;'}}",
        matrix=lambda p: rf"\underline{{w}}^{{({p} \rightarrow {p + 1})}}",
        bias_vector=lambda p: rf"\vec{{b}}^{{({p + 1})}}",
        delta=lambda l: rf"\vec{{\delta}}^{{({l})}}",
        delta_element=lambda l, i: rf"\delta_{{{i}}}^{{({l})}}",
    ),
    "nielsen": Notation(
        name="nielsen",
        node=lambda l, i: f"x_{{{i}}}" if l == 1 else f"a^{{{l}}}_{{{i}}}",
        node_prime=lambda l, i: rf"\sigma'(z^{{{l}}}_{{{i}}})",
        preactivation=lambda l, i: f"z^{{{l}}}_{{{i}}}",
        weight=lambda p, i, j: f"w^{{{p + 1}}}_{{{_ij(i, j)}}}",
        bias=lambda p, i: f"b^{{{p + 1}}}_{{{i}}}",
        vector=lambda l: "x" if l == 1 else f"a^{{{l}}}",
        vector_prime=lambda l: rf"\sigma'(z^{{{l}}})",
        matrix=lambda p: f"w^{{{p + 1}}}",
        bias_vector=lambda p: f"b^{{{p + 1}}}",
        delta=lambda l: rf"\delta^{{{l}}}",
        delta_element=lambda l, i: rf"\delta^{{{l}}}_{{{i}}}",
        default_loss_name="C",
    ),
}


NOTATIONS["layer"] = replace(  # the same, with weights named by their source layer
    NOTATIONS["arrows"],
    name="layer",
    weight=lambda p, i, j: f"w_{{{_ij(i, j)}}}^{{({p})}}",
    matrix=lambda p: f"W^{{({p})}}",
)


def notation(name: str) -> Notation:
    """The table entry for ``name``; an unknown name is a one-line error."""
    return lookup(NOTATIONS, name, "notation")