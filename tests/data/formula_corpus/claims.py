r"""The corpus: each formula's LaTeX and metadata, with a hand transcription of both sides.

Every entry is a function of one `Net` (one random point of one network) returning one pair
or a list of pairs (left side, right side) of numbers or arrays. The left side of a
derivative is always the central finite difference of the forward pass (network.py); the
right side is the formula read by hand, term by term. Index formulas loop over every index
value; general-l formulas loop over every layer l where they are meant to hold, and are run
on the deeper networks listed in `depths` as well. A symbol that does not exist raises
OutOfRange, a product that does not conform raises ShapeMismatch, a derivative labelled with a
weight the network does not have raises Nonexistent after checking what the right side
really is.

Notation helpers mirror each notation's own numbering: nielsen numbers the input layer 1
(a^1 = x, w^l from l-1 to l), ng numbers it 0 (W^{[l]} from [l-1] to [l]), arrows/layer number
it 1 (w^{(l -> l+1)} = w^{(l)} from l to l+1), rows has x, h, o with W_h (n_in x n_h).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from network import Nonexistent, OutOfRange, T, add, col, diag, dsig, had, mm, row, sig

CLAIMS: list["Claim"] = []
LOSS = ("loss",)


@dataclass
class Claim:
    id: str
    latex: str
    arch: str
    activation: str
    loss: str
    bias: bool
    notation: str
    verdict: str
    kinds: list[str]
    why: str
    general_l: bool
    fn: Callable
    depths: list[tuple[str, str]] = field(default_factory=list)
    batch: int = 1
    batch_mean: bool = True

    def record(self) -> dict:
        return {"id": self.id, "latex": self.latex, "arch": self.arch, "activation": self.activation,
                "loss": self.loss, "bias": self.bias, "notation": self.notation,
                "verdict": self.verdict, "kinds": self.kinds, "why": self.why,
                "general_l": self.general_l}


def deeper(arch: str, activation: str, *inserts: list[int]) -> list[tuple[str, str]]:
    """The same network with extra hidden layers after the input (same hidden activation)."""
    widths = arch.split("-")
    acts = activation.split(",")
    out = []
    for extra in inserts:
        w = [widths[0]] + [str(e) for e in extra] + widths[1:]
        a = activation if len(acts) == 1 else ",".join([acts[0]] * len(extra) + acts)
        out.append(("-".join(w), a))
    return out


def entry(id: str, latex: str, *, verdict: str, why: str, kinds: tuple = (), general_l: bool = False,
          depths: list | None = None, batch: int = 1, batch_mean: bool = True, **net):
    def register(fn: Callable) -> Callable:
        CLAIMS.append(Claim(id, latex, net["arch"], net["activation"], net["loss"], net["bias"],
                            net["notation"], verdict, list(kinds), why, general_l, fn,
                            depths or [], batch, batch_mean))
        return fn
    return register


def nonexistent(rhs: float, really: float, label: str):
    """The right side is a real derivative (checked here), but the label names no weight."""
    if not np.isclose(rhs, really, rtol=1e-6, atol=1e-9):
        raise AssertionError(f"the right side is not the derivative named in 'why' ({label})")
    raise Nonexistent(label)


# ============================================================================================
# arrows: the reference notation, 3-2-2, sigmoid, MSE = sum_i (x_i^(3) - y_i)^2, no biases
# ============================================================================================
ARROWS = dict(arch="3-2-2", activation="sigmoid", loss="mse", bias=False, notation="arrows")


class Ref:
    """x_i^{(l)}, x_i^{(l)'}, w_{ij}^{(l -> l+1)}, y_i, b_i^{(l)}, delta_i^{(l)} (1-based)."""

    def __init__(self, n):
        self.n = n

    def x(self, l, i):
        return self.n.node("a", l, i)

    def xp(self, l, i):
        return self.n.node("sp", l, i)

    def y(self, i):
        return self.n.node("y", 0, i)

    def w(self, l, i, j):
        return self.n.w(l, i, j)

    def b(self, l, i):
        return self.n.b(l)[i - 1]

    def dw(self, l, i, j):
        """The derivative of the loss by w_{ij}^{(l -> l+1)} (the label of the left side)."""
        g = self.n.D(LOSS, ("W", l))
        if not (1 <= i <= g.shape[0] and 1 <= j <= g.shape[1]):
            raise Nonexistent(f"w_{i}{j}^({l}->{l + 1})")
        return g[i - 1, j - 1]

    def delta(self, l, i):
        return self._vec(self.n.D(LOSS, ("z", l)), i)

    def dx(self, l, i):
        return self._vec(self.n.D(LOSS, ("a", l)), i)

    @staticmethod
    def _vec(v, i):
        if not 1 <= i <= len(v):
            raise OutOfRange(f"index {i} of {len(v)}")
        return v[i - 1]


@entry("arrows-out-w12", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(2)}",
       verdict="right", why="output-layer weight: outer square, sigma' at z_1^(3), then the hidden value it multiplies", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 2), 2 * (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.x(2, 2)


@entry("arrows-in-w23", r"\frac{\partial MSE}{\partial w_{23}^{(1 \rightarrow 2)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)\;'} w_{12}^{(2 \rightarrow 3)} x_2^{(2)\;'} x_3 + 2 (x_2^{(3)} - y_2) x_2^{(3)\;'} w_{22}^{(2 \rightarrow 3)} x_2^{(2)\;'} x_3",
       verdict="right", why="hidden weight: one term per output node, each through w_{i2}^(2->3) and sigma' at z_2^(2)", **ARROWS)
def _(n):
    r = Ref(n)
    rhs = sum(2 * (r.x(3, i) - r.y(i)) * r.xp(3, i) * r.w(2, i, 2) * r.xp(2, 2) * r.x(1, 3) for i in (1, 2))
    return r.dw(1, 2, 3), rhs


@entry("arrows-out-w12-no-sigma-prime", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) x_2^{(2)}",
       verdict="wrong", kinds=("missing-activation-derivative",), why="the factor x_1^(3)' (sigma' of the output node) is missing", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 2), 2 * (r.x(3, 1) - r.y(1)) * r.x(2, 2)


@entry("arrows-out-w21-extra-sigma-prime", r"\frac{\partial MSE}{\partial w_{21}^{(2 \rightarrow 3)}} = 2 (x_2^{(3)} - y_2) x_2^{(3)\;'} x_1^{(2)\;'} x_1^{(2)}",
       verdict="wrong", kinds=("extra-activation-derivative",), why="an output weight sees x_1^(2) directly; the factor x_1^(2)' does not belong", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 2, 1), 2 * (r.x(3, 2) - r.y(2)) * r.xp(3, 2) * r.xp(2, 1) * r.x(2, 1)


@entry("arrows-out-w11-sigma-prime-of-output", r"\frac{\partial MSE}{\partial w_{11}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) \sigma'(x_1^{(3)}) x_1^{(2)}",
       verdict="wrong", kinds=("derivative-at-wrong-argument",), why="sigma' taken at the node's output x_1^(3) instead of its input w_11 x_1^(2) + w_12 x_2^(2)", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 1), 2 * (r.x(3, 1) - r.y(1)) * dsig(r.x(3, 1)) * r.x(2, 1)


@entry("arrows-out-w11-sigma-prime-of-input", r"\frac{\partial MSE}{\partial w_{11}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) \sigma'(w_{11}^{(2 \rightarrow 3)} x_1^{(2)} + w_{12}^{(2 \rightarrow 3)} x_2^{(2)}) x_1^{(2)}",
       verdict="right", why="sigma' written out at the node's input, the weighted sum", **ARROWS)
def _(n):
    r = Ref(n)
    zin = r.w(2, 1, 1) * r.x(2, 1) + r.w(2, 1, 2) * r.x(2, 2)
    return r.dw(2, 1, 1), 2 * (r.x(3, 1) - r.y(1)) * dsig(zin) * r.x(2, 1)


@entry("arrows-out-w12-no-two", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = (x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(2)}",
       verdict="wrong", kinds=("factor",), why="MSE has no 1/2, so the outer square gives a factor 2 that is missing", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 2), (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.x(2, 2)


@entry("arrows-out-w12-sign", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (y_1 - x_1^{(3)}) x_1^{(3)\;'} x_2^{(2)}",
       verdict="wrong", kinds=("sign",), why="(y_1 - x_1^(3)) instead of (x_1^(3) - y_1): the sign is flipped", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 2), 2 * (r.y(1) - r.x(3, 1)) * r.xp(3, 1) * r.x(2, 2)


@entry("arrows-out-w12-wrong-label", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_2) x_1^{(3)\;'} x_2^{(2)}",
       verdict="wrong", kinds=("index",), why="output node 1 is compared with y_2; y_2 should be y_1", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 2), 2 * (r.x(3, 1) - r.y(2)) * r.xp(3, 1) * r.x(2, 2)


@entry("arrows-out-w12-input-instead-of-hidden", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(1)}",
       verdict="wrong", kinds=("wrong-layer",), why="the weight multiplies the hidden value x_2^(2), not the input x_2^(1)", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 2), 2 * (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.x(1, 2)


@entry("arrows-w13-does-not-exist", r"\frac{\partial MSE}{\partial w_{13}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(2)}",
       verdict="wrong", kinds=("wrong-parameter",), why="layer 2 has 2 nodes, so w_13^(2->3) does not exist; the right side is dMSE/dw_12^(2->3)", **ARROWS)
def _(n):
    r = Ref(n)
    nonexistent(2 * (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.x(2, 2), r.dw(2, 1, 2), "w_13^(2->3)")


@entry("arrows-w31-does-not-exist", r"\frac{\partial MSE}{\partial w_{31}^{(1 \rightarrow 2)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)\;'} w_{11}^{(2 \rightarrow 3)} x_1^{(2)\;'} x_3 + 2 (x_2^{(3)} - y_2) x_2^{(3)\;'} w_{21}^{(2 \rightarrow 3)} x_1^{(2)\;'} x_3",
       verdict="wrong", kinds=("wrong-parameter",), why="w^(1->2) is 2x3, so w_31 does not exist (indices swapped); the right side is dMSE/dw_13^(1->2)", **ARROWS)
def _(n):
    r = Ref(n)
    rhs = sum(2 * (r.x(3, i) - r.y(i)) * r.xp(3, i) * r.w(2, i, 1) * r.xp(2, 1) * r.x(1, 3) for i in (1, 2))
    nonexistent(rhs, r.dw(1, 1, 3), "w_31^(1->2)")


@entry("arrows-forward-x1", r"x_1^{(2)} = \sigma(w_{11}^{(1 \rightarrow 2)} x_1 + w_{12}^{(1 \rightarrow 2)} x_2 + w_{13}^{(1 \rightarrow 2)} x_3)",
       verdict="right", why="forward pass written out for hidden node 1", **ARROWS)
def _(n):
    r = Ref(n)
    return r.x(2, 1), sig(sum(r.w(1, 1, j) * r.x(1, j) for j in (1, 2, 3)))


@entry("arrows-forward-x2-repeated-input", r"x_2^{(2)} = \sigma(w_{21}^{(1 \rightarrow 2)} x_1 + w_{22}^{(1 \rightarrow 2)} x_2 + w_{23}^{(1 \rightarrow 2)} x_2)",
       verdict="wrong", kinds=("index",), why="the last term should multiply x_3, not x_2 again", **ARROWS)
def _(n):
    r = Ref(n)
    return r.x(2, 2), sig(r.w(1, 2, 1) * r.x(1, 1) + r.w(1, 2, 2) * r.x(1, 2) + r.w(1, 2, 3) * r.x(1, 2))


ARROWS_B = dict(ARROWS, bias=True)


@entry("arrows-forward-out-no-bias", r"x_1^{(3)} = \sigma(w_{11}^{(2 \rightarrow 3)} x_1^{(2)} + w_{12}^{(2 \rightarrow 3)} x_2^{(2)})",
       verdict="wrong", kinds=("missing-bias",), why="the network has biases; b_1^(3) is missing inside sigma", **ARROWS_B)
def _(n):
    r = Ref(n)
    return r.x(3, 1), sig(r.w(2, 1, 1) * r.x(2, 1) + r.w(2, 1, 2) * r.x(2, 2))


@entry("arrows-forward-out-bias", r"x_1^{(3)} = \sigma(w_{11}^{(2 \rightarrow 3)} x_1^{(2)} + w_{12}^{(2 \rightarrow 3)} x_2^{(2)} + b_1^{(3)})",
       verdict="right", why="forward pass of output node 1 with its bias", **ARROWS_B)
def _(n):
    r = Ref(n)
    return r.x(3, 1), sig(r.w(2, 1, 1) * r.x(2, 1) + r.w(2, 1, 2) * r.x(2, 2) + r.b(3, 1))


@entry("arrows-bias-out", r"\frac{\partial MSE}{\partial b_2^{(3)}} = 2 (x_2^{(3)} - y_2) x_2^{(3)\;'}",
       verdict="right", why="a bias's derivative is the node's delta", **ARROWS_B)
def _(n):
    r = Ref(n)
    return n.D(LOSS, ("b", 3))[1], 2 * (r.x(3, 2) - r.y(2)) * r.xp(3, 2)


@entry("arrows-bias-hidden-sum", r"\frac{\partial MSE}{\partial b_1^{(2)}} = \sum_i 2 (x_i^{(3)} - y_i) x_i^{(3)\;'} w_{i1}^{(2 \rightarrow 3)} x_1^{(2)\;'}",
       verdict="right", why="hidden bias: sum over the output nodes i (bound index)", **ARROWS_B)
def _(n):
    r = Ref(n)
    return n.D(LOSS, ("b", 2))[0], sum(2 * (r.x(3, i) - r.y(i)) * r.xp(3, i) * r.w(2, i, 1) * r.xp(2, 1) for i in (1, 2))


def _vec_delta3(n):
    return had(2 * (col(n.a(3)) - col(n.y())), col(n.sp(3)))


@entry("arrows-grad-out-matrix", r"\nabla_{\underline{w}^{(2 \rightarrow 3)}} MSE = \big(2(\vec{x}^{(3)} - \vec{y}) \odot \vec{x}^{(3)\;'}\big) \, (\vec{x}^{(2)})^T",
       verdict="right", why="output gradient matrix as the outer product delta^(3) (x^(2))^T", **ARROWS)
def _(n):
    return n.D(LOSS, ("W", 2)), mm(_vec_delta3(n), T(col(n.a(2))))


@entry("arrows-grad-in-matrix", r"\nabla_{\underline{w}^{(1 \rightarrow 2)}} MSE = \Big(\big((\underline{w}^{(2 \rightarrow 3)})^T \, (2(\vec{x}^{(3)} - \vec{y}) \odot \vec{x}^{(3)\;'})\big) \odot \vec{x}^{(2)\;'}\Big) \, (\vec{x}^{(1)})^T",
       verdict="right", why="inner gradient matrix: delta^(2) = (w^T delta^(3)) (.) x^(2)', times (x^(1))^T", **ARROWS)
def _(n):
    d2 = had(mm(T(n.W(2)), _vec_delta3(n)), col(n.sp(2)))
    return n.D(LOSS, ("W", 1)), mm(d2, T(col(n.a(1))))


@entry("arrows-grad-in-matrix-untransposed", r"\nabla_{\underline{w}^{(1 \rightarrow 2)}} MSE = \Big(\big(\underline{w}^{(2 \rightarrow 3)} \, (2(\vec{x}^{(3)} - \vec{y}) \odot \vec{x}^{(3)\;'})\big) \odot \vec{x}^{(2)\;'}\Big) \, (\vec{x}^{(1)})^T",
       verdict="wrong", kinds=("transposed",), why="the 2x2 matrix w^(2->3) must be transposed when delta^(3) flows back", **ARROWS)
def _(n):
    d2 = had(mm(n.W(2), _vec_delta3(n)), col(n.sp(2)))
    return n.D(LOSS, ("W", 1)), mm(d2, T(col(n.a(1))))


@entry("arrows-grad-in-matrix-shape", r"\nabla_{\underline{w}^{(1 \rightarrow 2)}} MSE = \vec{x}^{(1)} \, \big(((\underline{w}^{(2 \rightarrow 3)})^T \vec{\delta}^{(3)}) \odot \vec{x}^{(2)\;'}\big)^T",
       verdict="wrong", kinds=("shape",), why="x^(1) (delta^(2))^T is 3x2 but the gradient of the 2x3 matrix w^(1->2) is 2x3", **ARROWS)
def _(n):
    d3 = col(n.D(LOSS, ("z", 3)))
    d2 = had(mm(T(n.W(2)), d3), col(n.sp(2)))
    return n.D(LOSS, ("W", 1)), mm(col(n.a(1)), T(d2))


@entry("arrows-diag-pattern", r"\nabla_{\underline{w}^{(2 \rightarrow 3)}} MSE = \mathrm{diag}(2(\vec{x}^{(3)} - \vec{y})) \cdot \vec{x}^{(3)\;'} \cdot (\vec{x}^{(2)})^T",
       verdict="right", why="the pattern diag . column . row of the output gradient", **ARROWS)
def _(n):
    return n.D(LOSS, ("W", 2)), mm(diag(2 * (n.a(3) - n.y())), col(n.sp(3)), T(col(n.a(2))))


@entry("arrows-diag-pattern-shape", r"\nabla_{\underline{w}^{(2 \rightarrow 3)}} MSE = \mathrm{diag}(2(\vec{x}^{(3)} - \vec{y})) \cdot (\vec{x}^{(2)})^T \cdot \vec{x}^{(3)\;'}",
       verdict="wrong", kinds=("shape",), why="a 2x2 diag times the 1x2 row (x^(2))^T does not conform", **ARROWS)
def _(n):
    return n.D(LOSS, ("W", 2)), mm(diag(2 * (n.a(3) - n.y())), T(col(n.a(2))), col(n.sp(3)))


@entry("arrows-bmatrix", r"\nabla_{\underline{w}^{(2 \rightarrow 3)}} MSE = \begin{bmatrix} 2(x_1^{(3)} - y_1) x_1^{(3)\;'} x_1^{(2)} & 2(x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(2)} \\ 2(x_2^{(3)} - y_2) x_2^{(3)\;'} x_1^{(2)} & 2(x_2^{(3)} - y_2) x_2^{(3)\;'} x_2^{(2)} \end{bmatrix}",
       verdict="right", why="the whole output gradient matrix, entry (i, j) = 2 (x_i - y_i) x_i' x_j^(2)", **ARROWS)
def _(n):
    r = Ref(n)
    m = np.array([[2 * (r.x(3, i) - r.y(i)) * r.xp(3, i) * r.x(2, j) for j in (1, 2)] for i in (1, 2)])
    return n.D(LOSS, ("W", 2)), m


@entry("arrows-bmatrix-swapped", r"\nabla_{\underline{w}^{(2 \rightarrow 3)}} MSE = \begin{bmatrix} 2(x_1^{(3)} - y_1) x_1^{(3)\;'} x_1^{(2)} & 2(x_2^{(3)} - y_2) x_2^{(3)\;'} x_1^{(2)} \\ 2(x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(2)} & 2(x_2^{(3)} - y_2) x_2^{(3)\;'} x_2^{(2)} \end{bmatrix}",
       verdict="wrong", kinds=("transposed",), why="the off-diagonal entries are each other's: this is the transpose of the gradient", **ARROWS)
def _(n):
    r = Ref(n)
    m = np.array([[2 * (r.x(3, j) - r.y(j)) * r.xp(3, j) * r.x(2, i) for j in (1, 2)] for i in (1, 2)])
    return n.D(LOSS, ("W", 2)), m


@entry("arrows-chain-two-factors", r"\frac{\partial MSE}{\partial w_{21}^{(2 \rightarrow 3)}} = \frac{\partial MSE}{\partial x_2^{(3)}} \frac{\partial x_2^{(3)}}{\partial w_{21}^{(2 \rightarrow 3)}}",
       verdict="right", why="chain rule through the only node w_21^(2->3) feeds", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 2, 1), r.dx(3, 2) * n.D(("a", 3), ("W", 2))[1, 1, 0]


@entry("arrows-chain-wrong-node", r"\frac{\partial MSE}{\partial w_{21}^{(2 \rightarrow 3)}} = \frac{\partial MSE}{\partial x_1^{(3)}} \frac{\partial x_1^{(3)}}{\partial w_{21}^{(2 \rightarrow 3)}}",
       verdict="wrong", kinds=("index",), why="w_21^(2->3) feeds output node 2, not 1; the right side is 0", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 2, 1), r.dx(3, 1) * n.D(("a", 3), ("W", 2))[0, 1, 0]


@entry("arrows-dloss-dnode", r"\frac{\partial MSE}{\partial x_1^{(3)}} = 2 (x_1^{(3)} - y_1)",
       verdict="right", why="derivative of the loss by an output node value", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dx(3, 1), 2 * (r.x(3, 1) - r.y(1))


@entry("arrows-dnode-dnode", r"\frac{\partial x_1^{(3)}}{\partial x_2^{(2)}} = x_1^{(3)\;'} w_{12}^{(2 \rightarrow 3)}",
       verdict="right", why="node-to-node Jacobian entry: sigma' times the connecting weight", **ARROWS)
def _(n):
    r = Ref(n)
    return n.D(("a", 3), ("a", 2))[0, 1], r.xp(3, 1) * r.w(2, 1, 2)


@entry("arrows-dnode-dnode-swapped", r"\frac{\partial x_1^{(3)}}{\partial x_2^{(2)}} = x_1^{(3)\;'} w_{21}^{(2 \rightarrow 3)}",
       verdict="wrong", kinds=("index",), why="the weight from node 2 to node 1 is w_12 (destination first), not w_21", **ARROWS)
def _(n):
    r = Ref(n)
    return n.D(("a", 3), ("a", 2))[0, 1], r.xp(3, 1) * r.w(2, 2, 1)


@entry("arrows-dloss-dhidden-sum", r"\frac{\partial MSE}{\partial x_2^{(2)}} = \sum_i 2 (x_i^{(3)} - y_i) x_i^{(3)\;'} w_{i2}^{(2 \rightarrow 3)}",
       verdict="right", why="a hidden node reaches the loss through every output node i", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dx(2, 2), sum(2 * (r.x(3, i) - r.y(i)) * r.xp(3, i) * r.w(2, i, 2) for i in (1, 2))


@entry("arrows-index-out", r"\frac{\partial MSE}{\partial w_{ij}^{(2 \rightarrow 3)}} = 2 (x_i^{(3)} - y_i) x_i^{(3)\;'} x_j^{(2)}",
       verdict="right", why="free i, j: checked for all four (i, j)", **ARROWS)
def _(n):
    r = Ref(n)
    idx = [(i, j) for i in (1, 2) for j in (1, 2)]
    return ([r.dw(2, i, j) for i, j in idx],
            [2 * (r.x(3, i) - r.y(i)) * r.xp(3, i) * r.x(2, j) for i, j in idx])


@entry("arrows-index-out-swapped", r"\frac{\partial MSE}{\partial w_{ij}^{(2 \rightarrow 3)}} = 2 (x_j^{(3)} - y_j) x_j^{(3)\;'} x_i^{(2)}",
       verdict="wrong", kinds=("index",), why="i is the destination (output node) and j the source; here they are swapped", **ARROWS)
def _(n):
    r = Ref(n)
    idx = [(i, j) for i in (1, 2) for j in (1, 2)]
    return ([r.dw(2, i, j) for i, j in idx],
            [2 * (r.x(3, j) - r.y(j)) * r.xp(3, j) * r.x(2, i) for i, j in idx])


@entry("arrows-index-in", r"\frac{\partial MSE}{\partial w_{ij}^{(1 \rightarrow 2)}} = \sum_k 2 (x_k^{(3)} - y_k) x_k^{(3)\;'} w_{ki}^{(2 \rightarrow 3)} x_i^{(2)\;'} x_j",
       verdict="right", why="free i (hidden node), j (input), bound k over the outputs: all six (i, j)", **ARROWS)
def _(n):
    r = Ref(n)
    idx = [(i, j) for i in (1, 2) for j in (1, 2, 3)]
    return ([r.dw(1, i, j) for i, j in idx],
            [sum(2 * (r.x(3, k) - r.y(k)) * r.xp(3, k) * r.w(2, k, i) * r.xp(2, i) * r.x(1, j) for k in (1, 2))
             for i, j in idx])


@entry("arrows-sum-limits", r"\frac{\partial MSE}{\partial x_j^{(2)}} = \sum_{i=1}^{2} 2 (x_i^{(3)} - y_i) x_i^{(3)\;'} w_{ij}^{(2 \rightarrow 3)}",
       verdict="right", why="sum with explicit limits over the two output nodes, free j", **ARROWS)
def _(n):
    r = Ref(n)
    return ([r.dx(2, j) for j in (1, 2)],
            [sum(2 * (r.x(3, i) - r.y(i)) * r.xp(3, i) * r.w(2, i, j) for i in range(1, 3)) for j in (1, 2)])


@entry("arrows-sum-limits-out-of-range", r"\frac{\partial MSE}{\partial x_j^{(2)}} = \sum_{i=1}^{3} 2 (x_i^{(3)} - y_i) x_i^{(3)\;'} w_{ij}^{(2 \rightarrow 3)}",
       verdict="wrong", kinds=("index",), why="layer 3 has 2 nodes; the sum runs to 3 (x_3^(3), y_3 do not exist)", **ARROWS)
def _(n):
    r = Ref(n)
    return ([r.dx(2, j) for j in (1, 2)],
            [sum(2 * (r.x(3, i) - r.y(i)) * r.xp(3, i) * r.w(2, i, j) for i in range(1, 4)) for j in (1, 2)])


@entry("arrows-loss-sum-of-squares", r"MSE = \sum_i (x_i^{(3)} - y_i)^2",
       verdict="right", why="the sum binds the square that follows it: a sum of squares", **ARROWS)
def _(n):
    r = Ref(n)
    return n.loss(), sum((r.x(3, i) - r.y(i)) ** 2 for i in (1, 2))


@entry("arrows-loss-half", r"MSE = \frac{1}{2}\sum_i (x_i^{(3)} - y_i)^2",
       verdict="wrong", kinds=("factor",), why="the reference MSE has no 1/2", **ARROWS)
def _(n):
    r = Ref(n)
    return n.loss(), 0.5 * sum((r.x(3, i) - r.y(i)) ** 2 for i in (1, 2))


@entry("arrows-exp-form", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) \frac{\exp(-(w_{11}^{(2 \rightarrow 3)} x_1^{(2)} + w_{12}^{(2 \rightarrow 3)} x_2^{(2)}))}{(1 + \exp(-(w_{11}^{(2 \rightarrow 3)} x_1^{(2)} + w_{12}^{(2 \rightarrow 3)} x_2^{(2)})))^2} x_2^{(2)}",
       verdict="right", why="sigma'(z) written as exp(-z)/(1+exp(-z))^2 at z = z_1^(3): equal to the short form", **ARROWS)
def _(n):
    r = Ref(n)
    z = r.w(2, 1, 1) * r.x(2, 1) + r.w(2, 1, 2) * r.x(2, 2)
    return r.dw(2, 1, 2), 2 * (r.x(3, 1) - r.y(1)) * np.exp(-z) / (1 + np.exp(-z)) ** 2 * r.x(2, 2)


@entry("arrows-sigma-one-minus-sigma", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)} (1 - x_1^{(3)}) x_2^{(2)}",
       verdict="right", why="sigma' = sigma (1 - sigma) written with the node value", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 2), 2 * (r.x(3, 1) - r.y(1)) * r.x(3, 1) * (1 - r.x(3, 1)) * r.x(2, 2)


@entry("arrows-sign-and-factor", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = (y_1 - x_1^{(3)}) x_1^{(3)\;'} x_2^{(2)}",
       verdict="wrong", kinds=("sign", "factor"), why="two mistakes: the sign is flipped and the factor 2 is missing (a factor -1/2 off)", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 2), (r.y(1) - r.x(3, 1)) * r.xp(3, 1) * r.x(2, 2)


@entry("arrows-no-sigma-prime-and-input", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) x_2^{(1)}",
       verdict="wrong", kinds=("missing-activation-derivative", "wrong-layer"), why="two mistakes: x_1^(3)' is missing and x_2^(1) should be x_2^(2)", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 2), 2 * (r.x(3, 1) - r.y(1)) * r.x(1, 2)


@entry("arrows-tanh-out", r"\frac{\partial MSE}{\partial w_{11}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1)(1 - (x_1^{(3)})^2) x_1^{(2)}",
       verdict="right", why="tanh network: tanh' = 1 - tanh^2 written with the node value", **dict(ARROWS, activation="tanh"))
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 1), 2 * (r.x(3, 1) - r.y(1)) * (1 - r.x(3, 1) ** 2) * r.x(2, 1)


GEN_ARROWS = deeper("3-2-2", "sigmoid", [4], [4, 3])


@entry("arrows-general-weight", r"\frac{\partial MSE}{\partial w_{ij}^{(l \rightarrow l+1)}} = \delta_i^{(l+1)} x_j^{(l)}",
       verdict="right", why="delta_i^(l) = dMSE/dz_i^(l); every l, i, j on 3 depths", general_l=True, depths=GEN_ARROWS, **ARROWS)
def _(n):
    r = Ref(n)
    pairs = []
    for l in range(1, n.L):
        for i in range(1, n.n[l + 1] + 1):
            for j in range(1, n.n[l] + 1):
                pairs.append((r.dw(l, i, j), r.delta(l + 1, i) * r.x(l, j)))
    return pairs


@entry("arrows-general-delta", r"\delta_j^{(l)} = x_j^{(l)\;'} \sum_i w_{ij}^{(l \rightarrow l+1)} \delta_i^{(l+1)}",
       verdict="right", why="the delta recurrence for every hidden layer l and node j, on 3 depths", general_l=True, depths=GEN_ARROWS, **ARROWS)
def _(n):
    r = Ref(n)
    return [(r.delta(l, j), r.xp(l, j) * sum(r.w(l, i, j) * r.delta(l + 1, i) for i in range(1, n.n[l + 1] + 1)))
            for l in range(2, n.L) for j in range(1, n.n[l] + 1)]


@entry("arrows-general-delta-swapped", r"\delta_j^{(l)} = x_j^{(l)\;'} \sum_i w_{ji}^{(l \rightarrow l+1)} \delta_i^{(l+1)}",
       verdict="wrong", kinds=("index",), why="w_{ji} runs from node i of layer l to node j of l+1: the indices are swapped (out of range when the layers differ in width)", general_l=True, depths=GEN_ARROWS, **ARROWS)
def _(n):
    r = Ref(n)
    return [(r.delta(l, j), r.xp(l, j) * sum(r.w(l, j, i) * r.delta(l + 1, i) for i in range(1, n.n[l + 1] + 1)))
            for l in range(2, n.L) for j in range(1, n.n[l] + 1)]


@entry("arrows-input-for-label", r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - x_1) x_1^{(3)\;'} x_2^{(2)}",
       verdict="wrong", kinds=("symbol",), why="the input x_1 is written where the label y_1 belongs", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 2), 2 * (r.x(3, 1) - r.x(1, 1)) * r.xp(3, 1) * r.x(2, 2)


# ============================================================================================
# layer: w_{ij}^{(l)} from node j of layer l to node i of layer l+1; 2-3-1, half-MSE named E
# ============================================================================================
LAYER = dict(arch="2-3-1", activation="sigmoid", loss="half-mse", bias=False, notation="layer")


@entry("layer-out-w13", r"\frac{\partial E}{\partial w_{13}^{(2)}} = (x_1^{(3)} - y_1) x_1^{(3)'} x_3^{(2)}",
       verdict="right", why="E = 1/2 sum (x_i^(3) - y_i)^2, so no factor 2", **LAYER)
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 3), (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.x(2, 3)


@entry("layer-in-w21", r"\frac{\partial E}{\partial w_{21}^{(1)}} = (x_1^{(3)} - y_1) x_1^{(3)'} w_{12}^{(2)} x_2^{(2)'} x_1",
       verdict="right", why="one output node, so a single path: through w_12^(2) and sigma' of hidden node 2", **LAYER)
def _(n):
    r = Ref(n)
    return r.dw(1, 2, 1), (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.w(2, 1, 2) * r.xp(2, 2) * r.x(1, 1)


@entry("layer-in-w21-weight-out-of-range", r"\frac{\partial E}{\partial w_{21}^{(1)}} = (x_1^{(3)} - y_1) x_1^{(3)'} w_{21}^{(2)} x_2^{(2)'} x_1",
       verdict="wrong", kinds=("index",), why="w^(2) is 1x3: w_21^(2) does not exist, the path weight is w_12^(2)", **LAYER)
def _(n):
    r = Ref(n)
    return r.dw(1, 2, 1), (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.w(2, 2, 1) * r.xp(2, 2) * r.x(1, 1)


@entry("layer-in-w21-no-hidden-sigma-prime", r"\frac{\partial E}{\partial w_{21}^{(1)}} = (x_1^{(3)} - y_1) x_1^{(3)'} w_{12}^{(2)} x_1",
       verdict="wrong", kinds=("missing-activation-derivative",), why="sigma' of hidden node 2 (x_2^(2)') is missing", **LAYER)
def _(n):
    r = Ref(n)
    return r.dw(1, 2, 1), (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.w(2, 1, 2) * r.x(1, 1)


@entry("layer-out-w13-mse-no-two", r"\frac{\partial MSE}{\partial w_{13}^{(2)}} = (x_1^{(3)} - y_1) x_1^{(3)'} x_3^{(2)}",
       verdict="wrong", kinds=("factor",), why="with MSE (no 1/2) the factor 2 is missing", **dict(LAYER, loss="mse"))
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 3), (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.x(2, 3)


@entry("layer-grad-out", r"\nabla_{W^{(2)}} E = \big((\vec{x}^{(3)} - \vec{y}) \odot \vec{x}^{(3)'}\big) (\vec{x}^{(2)})^T",
       verdict="right", why="1x3 output gradient: delta^(3) times the hidden row", **LAYER)
def _(n):
    d3 = had(col(n.a(3)) - col(n.y()), col(n.sp(3)))
    return n.D(LOSS, ("W", 2)), mm(d3, T(col(n.a(2))))


@entry("layer-grad-in", r"\nabla_{W^{(1)}} E = \big(((W^{(2)})^T \vec{\delta}^{(3)}) \odot \vec{x}^{(2)'}\big) (\vec{x}^{(1)})^T",
       verdict="right", why="3x2 inner gradient: (W^T delta^(3)) (.) x^(2)' times (x^(1))^T", **LAYER)
def _(n):
    d2 = had(mm(T(n.W(2)), col(n.D(LOSS, ("z", 3)))), col(n.sp(2)))
    return n.D(LOSS, ("W", 1)), mm(d2, T(col(n.a(1))))


@entry("layer-grad-in-no-transpose", r"\nabla_{W^{(1)}} E = \big(((W^{(2)})^T \vec{\delta}^{(3)}) \odot \vec{x}^{(2)'}\big) \vec{x}^{(1)}",
       verdict="wrong", kinds=("shape",), why="a 3x1 column times the 2x1 column x^(1) does not conform; (x^(1))^T is meant", **LAYER)
def _(n):
    d2 = had(mm(T(n.W(2)), col(n.D(LOSS, ("z", 3)))), col(n.sp(2)))
    return n.D(LOSS, ("W", 1)), mm(d2, col(n.a(1)))


@entry("layer-delta-untransposed-shape", r"\vec{\delta}^{(2)} = (W^{(2)} \vec{\delta}^{(3)}) \odot \vec{x}^{(2)'}",
       verdict="wrong", kinds=("shape",), why="W^(2) is 1x3 and delta^(3) has 1 entry: W^(2) delta^(3) does not conform, (W^(2))^T is meant", **LAYER)
def _(n):
    return col(n.D(LOSS, ("z", 2))), had(mm(n.W(2), col(n.D(LOSS, ("z", 3)))), col(n.sp(2)))


@entry("layer-w31-does-not-exist", r"\frac{\partial E}{\partial w_{31}^{(2)}} = (x_1^{(3)} - y_1) x_1^{(3)'} x_3^{(2)}",
       verdict="wrong", kinds=("wrong-parameter",), why="w^(2) is 1x3, w_31^(2) does not exist; the right side is dE/dw_13^(2)", **LAYER)
def _(n):
    r = Ref(n)
    nonexistent((r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.x(2, 3), r.dw(2, 1, 3), "w_31^(2)")


@entry("layer-general-last", r"\frac{\partial E}{\partial w_{ij}^{(L-1)}} = (x_i^{(L)} - y_i) x_i^{(L)'} x_j^{(L-1)}",
       verdict="right", why="last weight matrix for every i, j; checked on 3 depths (L = 3, 4, 5)",
       depths=deeper("2-3-1", "sigmoid", [4], [4, 2]), **LAYER)
def _(n):
    r, L = Ref(n), n.L
    return [(r.dw(L - 1, i, j), (r.x(L, i) - r.y(i)) * r.xp(L, i) * r.x(L - 1, j))
            for i in range(1, n.n[L] + 1) for j in range(1, n.n[L - 1] + 1)]


MEAN3 = dict(LAYER, arch="2-3-3", loss="mean-mse")


@entry("layer-mean-mse-dnode", r"\frac{\partial E}{\partial x_i^{(3)}} = \frac{2}{3} (x_i^{(3)} - y_i)",
       verdict="right", why="E is the mean over the 3 outputs, so the derivative carries 2/3", **MEAN3)
def _(n):
    r = Ref(n)
    return [(r.dx(3, i), 2 / 3 * (r.x(3, i) - r.y(i))) for i in (1, 2, 3)]


@entry("layer-mean-mse-dnode-sum-factor", r"\frac{\partial E}{\partial x_i^{(3)}} = 2 (x_i^{(3)} - y_i)",
       verdict="wrong", kinds=("factor",), why="the mean over 3 outputs divides by 3: 2/3, not 2", **MEAN3)
def _(n):
    r = Ref(n)
    return [(r.dx(3, i), 2 * (r.x(3, i) - r.y(i))) for i in (1, 2, 3)]


# ============================================================================================
# nielsen: a^l_j, z^l_j, w^l_{jk} (from k in l-1 to j in l), b^l_j, delta^l_j = dC/dz^l_j,
# layers from 1 (a^1 = x) to L, C = 1/2 sum_j (y_j - a^L_j)^2 unless said otherwise
# ============================================================================================
NIELSEN = dict(arch="2-3-2", activation="sigmoid", loss="half-mse", bias=True, notation="nielsen")
GEN = deeper("2-3-2", "sigmoid", [4], [4, 3])
SQUARE = dict(NIELSEN, arch="2-2-2")
GEN_SQUARE = deeper("2-2-2", "sigmoid", [2], [2, 2])


class Nl:
    """Nielsen's names on a Net (reference layers are the same numbers)."""

    def __init__(self, n):
        self.n, self.L = n, n.L

    def a(self, l, j=None):
        return self.n.a(l) if j is None else self.n.node("a", l, j)

    def z(self, l, j=None):
        return self.n.z(l) if j is None else self.n.node("z", l, j)

    def sp(self, l, j=None):
        return self.n.sp(l) if j is None else self.n.node("sp", l, j)

    def y(self, j=None):
        return self.n.y() if j is None else self.n.node("y", 0, j)

    def w(self, l, j=None, k=None):
        return self.n.W(l - 1) if j is None else self.n.w(l - 1, j, k)

    def delta(self, l, j=None):
        v = self.n.D(LOSS, ("z", l))
        return v if j is None else Ref._vec(v, j)

    def dC_da(self, l, j=None):
        v = self.n.D(LOSS, ("a", l))
        return v if j is None else Ref._vec(v, j)

    def dC_dw(self, l):
        return self.n.D(LOSS, ("W", l - 1))

    def dC_db(self, l):
        return self.n.D(LOSS, ("b", l))

    def nodes(self, l):
        return range(1, self.n.n[l] + 1)


@entry("nielsen-bp1", r"\delta^L_j = \frac{\partial C}{\partial a^L_j} \sigma'(z^L_j)",
       verdict="right", why="BP1 in components, every output j (L = output layer; also on deeper nets)", depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.delta(N.L, j), N.dC_da(N.L, j) * N.sp(N.L, j)) for j in N.nodes(N.L)]


@entry("nielsen-bp1-vector", r"\delta^L = \nabla_a C \odot \sigma'(z^L)",
       verdict="right", why="BP1 as vectors", depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return col(N.delta(N.L)), had(col(N.dC_da(N.L)), col(N.sp(N.L)))


@entry("nielsen-bp2", r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)",
       verdict="right", why="BP2 for every hidden l, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(col(N.delta(l)), had(mm(T(N.w(l + 1)), col(N.delta(l + 1))), col(N.sp(l)))) for l in range(2, N.L)]


@entry("nielsen-bp3", r"\frac{\partial C}{\partial b^l_j} = \delta^l_j",
       verdict="right", why="BP3 for every l >= 2 and j, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.dC_db(l)[j - 1], N.delta(l, j)) for l in range(2, N.L + 1) for j in N.nodes(l)]


@entry("nielsen-bp4", r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j",
       verdict="right", why="BP4 for every l >= 2, j in layer l, k in layer l-1, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.dC_dw(l)[j - 1, k - 1], N.a(l - 1, k) * N.delta(l, j))
            for l in range(2, N.L + 1) for j in N.nodes(l) for k in N.nodes(l - 1)]


@entry("nielsen-bp4-swapped", r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_j \delta^l_k",
       verdict="wrong", kinds=("index",), why="j belongs to layer l and k to layer l-1; swapped (out of range where widths differ)", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.dC_dw(l)[j - 1, k - 1], N.a(l - 1, j) * N.delta(l, k))
            for l in range(2, N.L + 1) for j in N.nodes(l) for k in N.nodes(l - 1)]


@entry("nielsen-bp2-untransposed", r"\delta^l = (w^{l+1} \delta^{l+1}) \odot \sigma'(z^l)",
       verdict="wrong", kinds=("transposed",), why="w^{l+1} must be transposed (square layers, so only the numbers tell)", general_l=True, depths=GEN_SQUARE, **SQUARE)
def _(n):
    N = Nl(n)
    return [(col(N.delta(l)), had(mm(N.w(l + 1), col(N.delta(l + 1))), col(N.sp(l)))) for l in range(2, N.L)]


@entry("nielsen-bp2-next-layer-sigma-prime", r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^{l+1})",
       verdict="wrong", kinds=("wrong-layer",), why="sigma' must be taken at z^l, not z^{l+1} (square layers)", general_l=True, depths=GEN_SQUARE, **SQUARE)
def _(n):
    N = Nl(n)
    return [(col(N.delta(l)), had(mm(T(N.w(l + 1)), col(N.delta(l + 1))), col(N.sp(l + 1)))) for l in range(2, N.L)]


@entry("nielsen-bp1-no-sigma-prime", r"\delta^L_j = \frac{\partial C}{\partial a^L_j}",
       verdict="wrong", kinds=("missing-activation-derivative",), why="BP1 without the factor sigma'(z^L_j)", **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.delta(N.L, j), N.dC_da(N.L, j)) for j in N.nodes(N.L)]


@entry("nielsen-bp1-sigma-prime-of-a", r"\delta^L_j = (a^L_j - y_j) \sigma'(a^L_j)",
       verdict="wrong", kinds=("derivative-at-wrong-argument",), why="sigma' at the activation a^L_j instead of z^L_j", **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.delta(N.L, j), (N.a(N.L, j) - N.y(j)) * dsig(N.a(N.L, j))) for j in N.nodes(N.L)]


@entry("nielsen-bp1-quadratic", r"\delta^L_j = (a^L_j - y_j)\sigma'(z^L_j)",
       verdict="right", why="BP1 for the quadratic cost C = 1/2 sum_j (y_j - a^L_j)^2", **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.delta(N.L, j), (N.a(N.L, j) - N.y(j)) * N.sp(N.L, j)) for j in N.nodes(N.L)]


@entry("nielsen-bp1-z-for-a", r"\delta^L_j = (z^L_j - y_j)\sigma'(z^L_j)",
       verdict="wrong", kinds=("symbol",), why="the weighted input z^L_j is written where the activation a^L_j belongs", **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.delta(N.L, j), (N.z(N.L, j) - N.y(j)) * N.sp(N.L, j)) for j in N.nodes(N.L)]


BCE = dict(NIELSEN, loss="bce")


@entry("nielsen-bce-delta-with-sigma-prime", r"\delta^L_j = (a^L_j - y_j)\sigma'(z^L_j)",
       verdict="wrong", kinds=("wrong-loss",), why="this is the quadratic-cost delta; with the cross-entropy cost sigma' cancels: delta^L_j = a^L_j - y_j", **BCE)
def _(n):
    N = Nl(n)
    return [(N.delta(N.L, j), (N.a(N.L, j) - N.y(j)) * N.sp(N.L, j)) for j in N.nodes(N.L)]


@entry("nielsen-bce-delta", r"\delta^L_j = a^L_j - y_j",
       verdict="right", why="cross-entropy cost -sum_j [y ln a + (1-y) ln(1-a)] with sigmoid output", **BCE)
def _(n):
    N = Nl(n)
    return [(N.delta(N.L, j), N.a(N.L, j) - N.y(j)) for j in N.nodes(N.L)]


@entry("nielsen-bce-last-weights", r"\frac{\partial C}{\partial w^L_{jk}} = a^{L-1}_k (a^L_j - y_j)",
       verdict="right", why="cross-entropy gradient of the last weights, every j, k", depths=GEN, **BCE)
def _(n):
    N, L = Nl(n), n.L
    return [(N.dC_dw(L)[j - 1, k - 1], N.a(L - 1, k) * (N.a(L, j) - N.y(j))) for j in N.nodes(L) for k in N.nodes(L - 1)]


@entry("nielsen-forward-z", r"z^l_j = \sum_k w^l_{jk} a^{l-1}_k + b^l_j",
       verdict="right", why="the weighted input of every node j of every layer l >= 2, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.z(l, j), sum(N.w(l, j, k) * N.a(l - 1, k) for k in N.nodes(l - 1)) + n.b(l)[j - 1])
            for l in range(2, N.L + 1) for j in N.nodes(l)]


@entry("nielsen-forward-a", r"a^l_j = \sigma\left(\sum_k w^l_{jk} a^{l-1}_k + b^l_j\right)",
       verdict="right", why="the activation of every node, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.a(l, j), sig(sum(N.w(l, j, k) * N.a(l - 1, k) for k in N.nodes(l - 1)) + n.b(l)[j - 1]))
            for l in range(2, N.L + 1) for j in N.nodes(l)]


@entry("nielsen-forward-a-no-bias", r"a^l_j = \sigma\left(\sum_k w^l_{jk} a^{l-1}_k\right)",
       verdict="wrong", kinds=("missing-bias",), why="the network has biases; b^l_j is missing", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.a(l, j), sig(sum(N.w(l, j, k) * N.a(l - 1, k) for k in N.nodes(l - 1))))
            for l in range(2, N.L + 1) for j in N.nodes(l)]


@entry("nielsen-forward-z-swapped", r"z^l_j = \sum_k w^l_{kj} a^{l-1}_k + b^l_j",
       verdict="wrong", kinds=("index",), why="w^l_{jk} has the destination j first; w^l_{kj} swaps them (out of range where widths differ)", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.z(l, j), sum(N.w(l, k, j) * N.a(l - 1, k) for k in N.nodes(l - 1)) + n.b(l)[j - 1])
            for l in range(2, N.L + 1) for j in N.nodes(l)]


@entry("nielsen-delta-components", r"\delta^l_j = \sigma'(z^l_j) \sum_k w^{l+1}_{kj} \delta^{l+1}_k",
       verdict="right", why="BP2 in components, bound k over layer l+1, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.delta(l, j), N.sp(l, j) * sum(N.w(l + 1, k, j) * N.delta(l + 1, k) for k in N.nodes(l + 1)))
            for l in range(2, N.L) for j in N.nodes(l)]


@entry("nielsen-delta-sum-reuses-j", r"\delta^l_j = \sigma'(z^l_j) \sum_j w^{l+1}_{jj} \delta^{l+1}_j",
       verdict="wrong", kinds=("index",), why="the bound j of the sum shadows the free j: the sum no longer depends on j (square layers)", general_l=True, depths=GEN_SQUARE, **SQUARE)
def _(n):
    N = Nl(n)
    # the sum binds its own j; sigma'(z^l_j) outside it keeps the free j
    return [(N.delta(l, j), N.sp(l, j) * sum(N.w(l + 1, jj, jj) * N.delta(l + 1, jj) for jj in N.nodes(l + 1)))
            for l in range(2, N.L) for j in N.nodes(l)]


@entry("nielsen-delta-index-outside-sum", r"\delta^l_j = \sigma'(z^l_j) \sum_k w^{l+1}_{kj} \delta^{l+1}_j",
       verdict="wrong", kinds=("index",), why="delta^{l+1} must carry the summed index k, not the free j (square layers)", general_l=True, depths=GEN_SQUARE, **SQUARE)
def _(n):
    N = Nl(n)
    return [(N.delta(l, j), N.sp(l, j) * sum(N.w(l + 1, k, j) * N.delta(l + 1, j) for k in N.nodes(l + 1)))
            for l in range(2, N.L) for j in N.nodes(l)]


@entry("nielsen-chain-three", r"\frac{\partial C}{\partial w^L_{jk}} = \frac{\partial C}{\partial a^L_j}\frac{\partial a^L_j}{\partial z^L_j}\frac{\partial z^L_j}{\partial w^L_{jk}}",
       verdict="right", why="chain rule through a^L_j and z^L_j, every j, k", **NIELSEN)
def _(n):
    N, L = Nl(n), n.L
    daz = n.D(("a", L), ("z", L))
    dzw = n.D(("z", L), ("W", L - 1))
    return [(N.dC_dw(L)[j - 1, k - 1], N.dC_da(L, j) * daz[j - 1, j - 1] * dzw[j - 1, j - 1, k - 1])
            for j in N.nodes(L) for k in N.nodes(L - 1)]


@entry("nielsen-chain-skips-activation", r"\frac{\partial C}{\partial w^L_{jk}} = \frac{\partial C}{\partial a^L_j}\frac{\partial z^L_j}{\partial w^L_{jk}}",
       verdict="wrong", kinds=("missing-activation-derivative",), why="the link da^L_j/dz^L_j = sigma'(z^L_j) is missing from the chain", **NIELSEN)
def _(n):
    N, L = Nl(n), n.L
    dzw = n.D(("z", L), ("W", L - 1))
    return [(N.dC_dw(L)[j - 1, k - 1], N.dC_da(L, j) * dzw[j - 1, j - 1, k - 1])
            for j in N.nodes(L) for k in N.nodes(L - 1)]


@entry("nielsen-dz-dw", r"\frac{\partial z^l_j}{\partial w^l_{jk}} = a^{l-1}_k",
       verdict="right", why="a weighted input by one of its weights, every l, j, k, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    out = []
    for l in range(2, N.L + 1):
        dzw = n.D(("z", l), ("W", l - 1))
        out += [(dzw[j - 1, j - 1, k - 1], N.a(l - 1, k)) for j in N.nodes(l) for k in N.nodes(l - 1)]
    return out


@entry("nielsen-da-dz", r"\frac{\partial a^l_j}{\partial z^l_j} = a^l_j (1 - a^l_j)",
       verdict="right", why="sigmoid: sigma' = sigma (1 - sigma), every l, j, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(n.D(("a", l), ("z", l))[j - 1, j - 1], N.a(l, j) * (1 - N.a(l, j)))
            for l in range(2, N.L + 1) for j in N.nodes(l)]


@entry("nielsen-da-dz-exp", r"\frac{\partial a^L_j}{\partial z^L_j} = \frac{\exp(-z^L_j)}{(1+\exp(-z^L_j))^2}",
       verdict="right", why="sigma' in exp form is sigma'", **NIELSEN)
def _(n):
    N, L = Nl(n), n.L
    return [(n.D(("a", L), ("z", L))[j - 1, j - 1], np.exp(-N.z(L, j)) / (1 + np.exp(-N.z(L, j))) ** 2) for j in N.nodes(L)]


@entry("nielsen-delta-exp", r"\delta^L_j = (a^L_j - y_j)\frac{\exp(-z^L_j)}{(1+\exp(-z^L_j))^2}",
       verdict="right", why="BP1 with sigma' in exp form", **NIELSEN)
def _(n):
    N, L = Nl(n), n.L
    return [(N.delta(L, j), (N.a(L, j) - N.y(j)) * np.exp(-N.z(L, j)) / (1 + np.exp(-N.z(L, j))) ** 2) for j in N.nodes(L)]


@entry("nielsen-delta-exp-sign", r"\delta^L_j = (y_j - a^L_j)\frac{\exp(-z^L_j)}{(1+\exp(-z^L_j))^2}",
       verdict="wrong", kinds=("sign",), why="(y_j - a^L_j): the sign is flipped", **NIELSEN)
def _(n):
    N, L = Nl(n), n.L
    return [(N.delta(L, j), (N.y(j) - N.a(L, j)) * np.exp(-N.z(L, j)) / (1 + np.exp(-N.z(L, j))) ** 2) for j in N.nodes(L)]


@entry("nielsen-dC-da", r"\frac{\partial C}{\partial a^L_j} = a^L_j - y_j",
       verdict="right", why="the quadratic cost's derivative by an output activation", **NIELSEN)
def _(n):
    N, L = Nl(n), n.L
    return [(N.dC_da(L, j), N.a(L, j) - N.y(j)) for j in N.nodes(L)]


@entry("nielsen-dz-da", r"\frac{\partial z^{l+1}_k}{\partial a^l_j} = w^{l+1}_{kj}",
       verdict="right", why="every l, k in l+1, j in l, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(n.D(("z", l + 1), ("a", l))[k - 1, j - 1], N.w(l + 1, k, j))
            for l in range(1, N.L) for k in N.nodes(l + 1) for j in N.nodes(l)]


@entry("nielsen-dz-da-swapped", r"\frac{\partial z^{l+1}_k}{\partial a^l_j} = w^{l+1}_{jk}",
       verdict="wrong", kinds=("index",), why="the weight from j (layer l) to k (layer l+1) is w^{l+1}_{kj}", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(n.D(("z", l + 1), ("a", l))[k - 1, j - 1], N.w(l + 1, j, k))
            for l in range(1, N.L) for k in N.nodes(l + 1) for j in N.nodes(l)]


@entry("nielsen-dz-dz", r"\frac{\partial z^{l+1}_k}{\partial z^l_j} = w^{l+1}_{kj}\sigma'(z^l_j)",
       verdict="right", why="every hidden l, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(n.D(("z", l + 1), ("z", l))[k - 1, j - 1], N.w(l + 1, k, j) * N.sp(l, j))
            for l in range(2, N.L) for k in N.nodes(l + 1) for j in N.nodes(l)]


@entry("nielsen-dz-dz-next-layer", r"\frac{\partial z^{l+1}_k}{\partial z^l_j} = w^{l+1}_{kj}\sigma'(z^{l+1}_k)",
       verdict="wrong", kinds=("wrong-layer",), why="the sigma' belongs to layer l (node j), not layer l+1", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(n.D(("z", l + 1), ("z", l))[k - 1, j - 1], N.w(l + 1, k, j) * N.sp(l + 1, k))
            for l in range(2, N.L) for k in N.nodes(l + 1) for j in N.nodes(l)]


@entry("nielsen-bp2-untransposed-no-sigma-prime", r"\delta^l = w^{l+1} \delta^{l+1}",
       verdict="wrong", kinds=("transposed", "missing-activation-derivative"), why="two mistakes: w^{l+1} untransposed and the factor sigma'(z^l) missing (square layers)", general_l=True, depths=GEN_SQUARE, **SQUARE)
def _(n):
    N = Nl(n)
    return [(col(N.delta(l)), mm(N.w(l + 1), col(N.delta(l + 1)))) for l in range(2, N.L)]


@entry("nielsen-delta-swapped-no-sigma-prime", r"\delta^l_j = \sum_k w^{l+1}_{jk}\delta^{l+1}_k",
       verdict="wrong", kinds=("index", "missing-activation-derivative"), why="two mistakes: w^{l+1}_{jk} should be w^{l+1}_{kj}, and sigma'(z^l_j) is missing (square layers)", general_l=True, depths=GEN_SQUARE, **SQUARE)
def _(n):
    N = Nl(n)
    return [(N.delta(l, j), sum(N.w(l + 1, j, k) * N.delta(l + 1, k) for k in N.nodes(l + 1)))
            for l in range(2, N.L) for j in N.nodes(l)]


SOFTMAX = dict(NIELSEN, arch="3-4-3", activation="sigmoid,softmax", loss="cross-entropy")


@entry("nielsen-softmax-delta", r"\delta^L_j = a^L_j - y_j",
       verdict="right", why="softmax output with log-likelihood cost -sum_j y_j ln a^L_j, labels summing to 1", **SOFTMAX)
def _(n):
    N, L = Nl(n), n.L
    return [(N.delta(L, j), N.a(L, j) - N.y(j)) for j in N.nodes(L)]


@entry("nielsen-softmax-last-weights", r"\frac{\partial C}{\partial w^L_{jk}} = a^{L-1}_k (a^L_j - y_j)",
       verdict="right", why="softmax + cross-entropy, every j, k", **SOFTMAX)
def _(n):
    N, L = Nl(n), n.L
    return [(N.dC_dw(L)[j - 1, k - 1], N.a(L - 1, k) * (N.a(L, j) - N.y(j))) for j in N.nodes(L) for k in N.nodes(L - 1)]


@entry("nielsen-softmax-delta-quadratic-style", r"\delta^L_j = (a^L_j - y_j) a^L_j (1 - a^L_j)",
       verdict="wrong", kinds=("wrong-loss",), why="the squared-error-with-sigmoid delta used with softmax and cross-entropy; it is a^L_j - y_j", **SOFTMAX)
def _(n):
    N, L = Nl(n), n.L
    return [(N.delta(L, j), (N.a(L, j) - N.y(j)) * N.a(L, j) * (1 - N.a(L, j))) for j in N.nodes(L)]


@entry("nielsen-grad-a", r"\nabla_a C = a^L - y",
       verdict="right", why="gradient of the quadratic cost by the output activations", **NIELSEN)
def _(n):
    N = Nl(n)
    return col(N.dC_da(N.L)), col(N.a(N.L)) - col(N.y())


@entry("nielsen-grad-a-two", r"\nabla_a C = 2(a^L - y)",
       verdict="wrong", kinds=("factor",), why="C has the factor 1/2, so no 2", **NIELSEN)
def _(n):
    N = Nl(n)
    return col(N.dC_da(N.L)), 2 * (col(N.a(N.L)) - col(N.y()))


TANH = dict(NIELSEN, activation="tanh")


@entry("nielsen-tanh-delta", r"\delta^L_j = (a^L_j - y_j)(1 - (a^L_j)^2)",
       verdict="right", why="tanh output: tanh'(z) = 1 - tanh(z)^2 = 1 - (a^L_j)^2", **TANH)
def _(n):
    N, L = Nl(n), n.L
    return [(N.delta(L, j), (N.a(L, j) - N.y(j)) * (1 - N.a(L, j) ** 2)) for j in N.nodes(L)]


@entry("nielsen-tanh-delta-at-a", r"\delta^L_j = (a^L_j - y_j)(1 - \tanh(a^L_j)^2)",
       verdict="wrong", kinds=("derivative-at-wrong-argument",), why="tanh' evaluated at a^L_j instead of z^L_j", **TANH)
def _(n):
    N, L = Nl(n), n.L
    return [(N.delta(L, j), (N.a(L, j) - N.y(j)) * (1 - np.tanh(N.a(L, j)) ** 2)) for j in N.nodes(L)]


# ============================================================================================
# ng: layer 0 = input, Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}, columns are examples.
# Batch convention: J = (1/m) sum over the m columns of the per-example loss; dZ^{[l]}, dA^{[l]}
# are the per-example derivatives dL/dZ (column by column, = m dJ/dZ), dW^{[l]} = dJ/dW^{[l]},
# db^{[l]} = dJ/db^{[l]} (Ng's course). Lower case (z, a, dz, dW) is a single example.
# ============================================================================================
NG = dict(arch="3-4-1", activation="tanh,sigmoid", loss="bce", bias=True, notation="ng")
NG_BATCH = dict(NG, batch=5)
NG_GEN = deeper("3-4-1", "tanh,sigmoid", [5], [5, 2])
NG1 = dict(NG, arch="3-4-2")
NG1_GEN = deeper("3-4-2", "tanh,sigmoid", [5], [5, 2])
NG_SQUARE = dict(NG, arch="2-2-2")
NG_SQUARE_GEN = deeper("2-2-2", "tanh,sigmoid", [2], [2, 2])
BATCH_WHY = "; batch of m = 5 columns, J = mean of the per-example loss, dZ = dL/dZ per column, dW = dJ/dW"


class Ng:
    """Ng's names on a Net: ng layer l is reference layer l + 1; every value is 2-D (n, m)."""

    def __init__(self, n):
        self.n, self.L, self.m = n, n.L - 1, n.m

    def _2d(self, v, l):
        return np.asarray(v, dtype=float).reshape(self.n.n[l + 1], self.m)

    def A(self, l):
        return self._2d(self.n.a(l + 1), l)

    def Z(self, l):
        if l < 1:
            raise OutOfRange(f"Z^[{l}]")
        return self._2d(self.n.z(l + 1), l)

    def W(self, l):
        if l < 1:
            raise OutOfRange(f"W^[{l}]")
        return self.n.W(l)

    def b(self, l):
        return col(self.n.b(l + 1))

    def Y(self):
        return self.n.Y

    def gp(self, l, at):
        """g^{[l]'} applied elementwise to `at`."""
        from network import ACTIVATIONS
        return ACTIVATIONS[self.n.acts[l + 1]][1](at)

    def dZ(self, l):
        return self.m * self._2d(self.n.D(LOSS, ("z", l + 1)), l)

    def dA(self, l):
        return self.m * self._2d(self.n.D(LOSS, ("a", l + 1)), l)

    def dW(self, l):
        return self.n.D(LOSS, ("W", l))

    def db(self, l):
        return col(self.n.D(LOSS, ("b", l + 1)))


def bc(b, m):
    """numpy's broadcasting of a bias column across the m example columns."""
    return np.repeat(b, m, axis=1)


@entry("ng-dZ-last", r"dZ^{[L]} = A^{[L]} - Y",
       verdict="right", why="sigmoid output with binary cross-entropy" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dZ(G.L), G.A(G.L) - G.Y()


@entry("ng-dW-last", r"dW^{[L]} = \frac{1}{m} dZ^{[L]} A^{[L-1]T}",
       verdict="right", why="the 1/m of the mean cost" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dW(G.L), mm(G.dZ(G.L), T(G.A(G.L - 1))) / G.m


@entry("ng-dW-last-no-mean", r"dW^{[L]} = dZ^{[L]} A^{[L-1]T}",
       verdict="wrong", kinds=("factor",), why="the factor 1/m of the mean cost is missing" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dW(G.L), mm(G.dZ(G.L), T(G.A(G.L - 1)))


@entry("ng-dZ-hidden", r"dZ^{[1]} = W^{[2]T} dZ^{[2]} * g^{[1]'}(Z^{[1]})",
       verdict="right", why="* is elementwise in this notation" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dZ(1), had(mm(T(G.W(2)), G.dZ(2)), G.gp(1, G.Z(1)))


@entry("ng-dZ-hidden-tanh", r"dZ^{[1]} = W^{[2]T} dZ^{[2]} * (1 - A^{[1]} * A^{[1]})",
       verdict="right", why="tanh hidden layer: g' = 1 - A^2 elementwise" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dZ(1), had(mm(T(G.W(2)), G.dZ(2)), 1 - had(G.A(1), G.A(1)))


@entry("ng-dZ-hidden-untransposed", r"dZ^{[1]} = W^{[2]} dZ^{[2]} * g^{[1]'}(Z^{[1]})",
       verdict="wrong", kinds=("transposed",), why="W^{[2]} must be transposed (2-2-2, so it conforms either way)" + BATCH_WHY, **dict(NG_SQUARE, batch=5))
def _(n):
    G = Ng(n)
    return G.dZ(1), had(mm(G.W(2), G.dZ(2)), G.gp(1, G.Z(1)))


@entry("ng-dW-first-no-transpose", r"dW^{[1]} = \frac{1}{m} dZ^{[1]} A^{[0]}",
       verdict="wrong", kinds=("shape",), why="dZ^{[1]} is 4 x m and A^{[0]} is 3 x m: A^{[0]T} is meant" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dW(1), mm(G.dZ(1), G.A(0)) / G.m


@entry("ng-dW-first", r"dW^{[1]} = \frac{1}{m} dZ^{[1]} X^T",
       verdict="right", why="X = A^{[0]}" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dW(1), mm(G.dZ(1), T(G.A(0))) / G.m


@entry("ng-dZ-last-sign", r"dZ^{[L]} = Y - A^{[L]}",
       verdict="wrong", kinds=("sign",), why="the sign is flipped" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dZ(G.L), G.Y() - G.A(G.L)


@entry("ng-dZ-last-squared-error-style", r"dZ^{[L]} = (A^{[L]} - Y) * A^{[L]} * (1 - A^{[L]})",
       verdict="wrong", kinds=("wrong-loss",), why="this is the squared-error dZ; with cross-entropy the sigmoid's derivative cancels" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dZ(G.L), had(G.A(G.L) - G.Y(), G.A(G.L), 1 - G.A(G.L))


@entry("ng-dW-last-sign-no-mean", r"dW^{[L]} = (Y - A^{[L]}) A^{[L-1]T}",
       verdict="wrong", kinds=("sign", "factor"), why="two mistakes: the sign of dZ and the missing 1/m" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dW(G.L), mm(G.Y() - G.A(G.L), T(G.A(G.L - 1)))


@entry("ng-forward-Z", r"Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}",
       verdict="right", why="every layer l = 1..L, b^{[l]} broadcast over the columns, on 3 depths" + BATCH_WHY,
       general_l=True, depths=NG_GEN, **NG_BATCH)
def _(n):
    G = Ng(n)
    return [(G.Z(l), add(mm(G.W(l), G.A(l - 1)), bc(G.b(l), G.m))) for l in range(1, G.L + 1)]


@entry("ng-forward-Z-transposed", r"Z^{[l]} = W^{[l]T} A^{[l-1]} + b^{[l]}",
       verdict="wrong", kinds=("shape",), why="W^{[l]} is n^{[l]} x n^{[l-1]}; its transpose does not conform with A^{[l-1]}" + BATCH_WHY,
       general_l=True, depths=NG_GEN, **NG_BATCH)
def _(n):
    G = Ng(n)
    return [(G.Z(l), add(mm(T(G.W(l)), G.A(l - 1)), bc(G.b(l), G.m))) for l in range(1, G.L + 1)]


@entry("ng-forward-A-no-bias", r"A^{[L]} = \sigma(W^{[L]} A^{[L-1]})",
       verdict="wrong", kinds=("missing-bias",), why="the output layer has a bias b^{[L]}" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.A(G.L), sig(mm(G.W(G.L), G.A(G.L - 1)))


@entry("ng-dZ-general", r"dZ^{[l]} = dA^{[l]} * g^{[l]'}(Z^{[l]})",
       verdict="right", why="every layer l, on 3 depths" + BATCH_WHY, general_l=True, depths=NG_GEN, **NG_BATCH)
def _(n):
    G = Ng(n)
    return [(G.dZ(l), had(G.dA(l), G.gp(l, G.Z(l)))) for l in range(1, G.L + 1)]


@entry("ng-dA-general", r"dA^{[l-1]} = W^{[l]T} dZ^{[l]}",
       verdict="right", why="every layer l = 1..L (dA^{[0]} = dL/dX), on 3 depths" + BATCH_WHY, general_l=True, depths=NG_GEN, **NG_BATCH)
def _(n):
    G = Ng(n)
    return [(G.dA(l - 1), mm(T(G.W(l)), G.dZ(l))) for l in range(1, G.L + 1)]


@entry("ng-dz-at-a", r"dz^{[l]} = da^{[l]} * g^{[l]'}(a^{[l]})",
       verdict="wrong", kinds=("derivative-at-wrong-argument",), why="g' at the activation a^{[l]} instead of z^{[l]}; single example", general_l=True, depths=NG1_GEN, **NG1)
def _(n):
    G = Ng(n)
    return [(G.dZ(l), had(G.dA(l), G.gp(l, G.A(l)))) for l in range(1, G.L + 1)]


@entry("ng-da-previous-weights", r"da^{[l-1]} = W^{[l-1]T} dz^{[l]}",
       verdict="wrong", kinds=("wrong-layer",), why="the weights between [l-1] and [l] are W^{[l]}, not W^{[l-1]} (equal widths); single example, l = 2..L", general_l=True, depths=NG_SQUARE_GEN, **NG_SQUARE)
def _(n):
    G = Ng(n)
    return [(G.dA(l - 1), mm(T(G.W(l - 1)), G.dZ(l))) for l in range(2, G.L + 1)]


@entry("ng-dW-single", r"dW^{[l]} = dz^{[l]} a^{[l-1]T}",
       verdict="right", why="single example, every layer l, on 3 depths", general_l=True, depths=NG1_GEN, **NG1)
def _(n):
    G = Ng(n)
    return [(G.dW(l), mm(G.dZ(l), T(G.A(l - 1)))) for l in range(1, G.L + 1)]


@entry("ng-db-single", r"db^{[l]} = dz^{[l]}",
       verdict="right", why="single example, every layer l, on 3 depths", general_l=True, depths=NG1_GEN, **NG1)
def _(n):
    G = Ng(n)
    return [(G.db(l), G.dZ(l)) for l in range(1, G.L + 1)]


@entry("ng-dW-z-for-a", r"dW^{[2]} = dz^{[2]} z^{[1]T}",
       verdict="wrong", kinds=("symbol",), why="the pre-activation z^{[1]} is written where the activation a^{[1]} belongs; single example", **NG1)
def _(n):
    G = Ng(n)
    return G.dW(2), mm(G.dZ(2), T(G.Z(1)))


@entry("ng-dL-dz-out", r"\frac{\partial \mathcal{L}}{\partial z^{[2]}} = a^{[2]} - y",
       verdict="right", why="single example, sigmoid outputs with binary cross-entropy summed over the 2 outputs", **NG1)
def _(n):
    G = Ng(n)
    return G.dZ(2), G.A(2) - G.Y()


@entry("ng-relu-dz-hidden", r"dz^{[1]} = W^{[2]T} dz^{[2]} * g^{[1]'}(z^{[1]})",
       verdict="right", why="ReLU hidden layer, g' the unit step; single example", **dict(NG1, activation="relu,sigmoid"))
def _(n):
    G = Ng(n)
    return G.dZ(1), had(mm(T(G.W(2)), G.dZ(2)), G.gp(1, G.Z(1)))


# ============================================================================================
# rows: one example is a row x (1 x n_in); h = sigma(x W_h + b_h), o = sigma(h W_o + b_o) with
# W_h (n_in x n_h), W_o (n_h x n_o), bias rows; l = 1/2 sum (o - y)^2; Jacobians do/dh are
# n_o x n_h (numerator layout), so dl/dh = dl/do . do/dh for row gradients.
# ============================================================================================
ROWS = dict(arch="3-4-2", activation="sigmoid", loss="half-mse", bias=True, notation="rows")
ROWS_SQ = dict(ROWS, arch="3-2-2")
ROWS_1 = dict(ROWS, arch="1-1-1")


class Rw:
    """The row-vector names on a 3-layer Net (a batch is B rows)."""

    def __init__(self, n):
        self.n = n

    def _r(self, v):
        v = np.asarray(v, dtype=float)
        return row(v) if v.ndim == 1 else v.T

    @property
    def x(self):
        return self._r(self.n.a(1))

    @property
    def h(self):
        return self._r(self.n.a(2))

    @property
    def o(self):
        return self._r(self.n.a(3))

    @property
    def y(self):
        return self._r(self.n.y())

    @property
    def Wh(self):
        return T(self.n.W(1))

    @property
    def Wo(self):
        return T(self.n.W(2))

    @property
    def bh(self):
        return row(self.n.b(2))

    @property
    def bo(self):
        return row(self.n.b(3))

    def d(self, src):
        """dl/d(src) in the shape the rows notation gives src."""
        g = self.n.D(LOSS, src)
        return T(g) if src[0] == "W" else self._r(g)

    def scalar(self, v):
        return float(np.asarray(v).reshape(-1)[0])


def brow(b, B):
    return np.repeat(b, B, axis=0)


def _do_sig(R):
    return had(R.o - R.y, R.o, 1 - R.o)


@entry("rows-forward-h", r"h = \sigma(x W_h + b_h)",
       verdict="right", why="row x times W_h (n_in x n_h) plus the bias row", **ROWS)
def _(n):
    R = Rw(n)
    return R.h, sig(add(mm(R.x, R.Wh), R.bh))


@entry("rows-forward-h-column-order", r"h = \sigma(W_h x + b_h)",
       verdict="wrong", kinds=("shape",), why="W_h is 3x4 and x a 1x3 row: W_h x does not conform (column-vector order in row notation)", **ROWS)
def _(n):
    R = Rw(n)
    return R.h, sig(add(mm(R.Wh, R.x), R.bh))


@entry("rows-forward-o-no-bias", r"o = \sigma(h W_o)",
       verdict="wrong", kinds=("missing-bias",), why="the output layer has the bias row b_o", **ROWS)
def _(n):
    R = Rw(n)
    return R.o, sig(mm(R.h, R.Wo))


@entry("rows-dl-do", r"\frac{\partial l}{\partial o} = o - y",
       verdict="right", why="l = 1/2 sum (o - y)^2", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("a", 3)), R.o - R.y


@entry("rows-dl-dWo", r"\frac{\partial l}{\partial W_o} = h^T \left((o - y) \odot o \odot (1 - o)\right)",
       verdict="right", why="4x1 column h^T times the 1x2 output delta: the shape of W_o", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("W", 2)), mm(T(R.h), _do_sig(R))


@entry("rows-dl-dWo-reversed", r"\frac{\partial l}{\partial W_o} = \left((o - y) \odot o \odot (1 - o)\right)^T h",
       verdict="wrong", kinds=("shape",), why="this is 2x4, the transpose of the 4x2 gradient of W_o", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("W", 2)), mm(T(_do_sig(R)), R.h)


@entry("rows-dl-dWh", r"\frac{\partial l}{\partial W_h} = x^T \left(\left(\left((o - y) \odot o \odot (1 - o)\right) W_o^T\right) \odot h \odot (1 - h)\right)",
       verdict="right", why="the output delta back through W_o^T, times sigma' of h, then x^T", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("W", 1)), mm(T(R.x), had(mm(_do_sig(R), T(R.Wo)), R.h, 1 - R.h))


@entry("rows-dl-dWh-no-hidden-sigma-prime", r"\frac{\partial l}{\partial W_h} = x^T \left(\left((o - y) \odot o \odot (1 - o)\right) W_o^T\right)",
       verdict="wrong", kinds=("missing-activation-derivative",), why="the factor h (1 - h), sigma' of the hidden layer, is missing", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("W", 1)), mm(T(R.x), mm(_do_sig(R), T(R.Wo)))


@entry("rows-dl-dWh-untransposed", r"\frac{\partial l}{\partial W_h} = x^T \left(\left(\left((o - y) \odot o \odot (1 - o)\right) W_o\right) \odot h \odot (1 - h)\right)",
       verdict="wrong", kinds=("transposed",), why="W_o must be transposed going back (3-2-2: W_o is 2x2, so it conforms either way)", **ROWS_SQ)
def _(n):
    R = Rw(n)
    return R.d(("W", 1)), mm(T(R.x), had(mm(_do_sig(R), R.Wo), R.h, 1 - R.h))


@entry("rows-dl-dbo", r"\frac{\partial l}{\partial b_o} = (o - y) \odot o \odot (1 - o)",
       verdict="right", why="the output delta row", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("b", 3)), _do_sig(R)


@entry("rows-dl-dbo-sign", r"\frac{\partial l}{\partial b_o} = (y - o) \odot o \odot (1 - o)",
       verdict="wrong", kinds=("sign",), why="(y - o): the sign is flipped", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("b", 3)), had(R.y - R.o, R.o, 1 - R.o)


@entry("rows-chain-scalar", r"\frac{\partial l}{\partial W_h} = \frac{\partial l}{\partial o}\frac{\partial o}{\partial h}\frac{\partial h}{\partial W_h}",
       verdict="right", why="1-1-1, every factor a scalar: the chain rule through o and h", **ROWS_1)
def _(n):
    R = Rw(n)
    dl_do = R.scalar(R.d(("a", 3)))
    do_dh = R.scalar(n.D(("a", 3), ("a", 2)))
    dh_dw = R.scalar(n.D(("a", 2), ("W", 1)))
    return R.scalar(R.d(("W", 1))), dl_do * do_dh * dh_dw


@entry("rows-dh-dWh", r"\frac{\partial h}{\partial W_h} = h(1 - h) x",
       verdict="right", why="1-1-1 scalars: sigma' = h (1 - h)", **ROWS_1)
def _(n):
    R = Rw(n)
    return R.scalar(n.D(("a", 2), ("W", 1))), R.scalar(R.h * (1 - R.h) * R.x)


@entry("rows-dh-dWh-sigma-prime-of-h", r"\frac{\partial h}{\partial W_h} = \sigma'(h) x",
       verdict="wrong", kinds=("derivative-at-wrong-argument",), why="sigma' taken at the output h instead of x W_h + b_h", **ROWS_1)
def _(n):
    R = Rw(n)
    return R.scalar(n.D(("a", 2), ("W", 1))), R.scalar(dsig(R.h) * R.x)


@entry("rows-do-dh", r"\frac{\partial o}{\partial h} = o(1 - o) W_o",
       verdict="right", why="1-1-1 scalars", **ROWS_1)
def _(n):
    R = Rw(n)
    return R.scalar(n.D(("a", 3), ("a", 2))), R.scalar(R.o * (1 - R.o) * R.Wo)


@entry("rows-do-dh-extra", r"\frac{\partial o}{\partial h} = o(1 - o) h(1 - h) W_o",
       verdict="wrong", kinds=("extra-activation-derivative",), why="h (1 - h) belongs to dh/dW_h, not to do/dh", **ROWS_1)
def _(n):
    R = Rw(n)
    return R.scalar(n.D(("a", 3), ("a", 2))), R.scalar(R.o * (1 - R.o) * R.h * (1 - R.h) * R.Wo)


@entry("rows-chain-jacobian", r"\frac{\partial l}{\partial h} = \frac{\partial l}{\partial o} \frac{\partial o}{\partial h}",
       verdict="right", why="row gradient dl/do (1x2) times the 2x2 Jacobian do/dh (numerator layout)", **ROWS_SQ)
def _(n):
    R = Rw(n)
    return R.d(("a", 2)), mm(R.d(("a", 3)), n.D(("a", 3), ("a", 2)))


@entry("rows-chain-jacobian-reversed", r"\frac{\partial l}{\partial h} = \frac{\partial o}{\partial h} \frac{\partial l}{\partial o}",
       verdict="wrong", kinds=("shape",), why="the 2x4 Jacobian do/dh times the 1x2 row dl/do does not conform: the order matters", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("a", 2)), mm(n.D(("a", 3), ("a", 2)), R.d(("a", 3)))


@entry("rows-mse-dl-dyhat", r"\frac{\partial l}{\partial \hat{y}} = 2(\hat{y} - y)",
       verdict="right", why="o written as y-hat; l = sum (y-hat - y)^2 without 1/2", **dict(ROWS, loss="mse"))
def _(n):
    R = Rw(n)
    return R.d(("a", 3)), 2 * (R.o - R.y)


@entry("rows-mse-dl-do-no-two", r"\frac{\partial l}{\partial o} = o - y",
       verdict="wrong", kinds=("factor",), why="l = sum (o - y)^2 has no 1/2, so the factor 2 is missing", **dict(ROWS, loss="mse"))
def _(n):
    R = Rw(n)
    return R.d(("a", 3)), R.o - R.y


ROWS_BATCH = dict(ROWS, batch=4, batch_mean=False)
ROWS_BATCH_WHY = "; batch of B = 4 rows (X, h, o, y are B x n), L = the sum over the rows of the per-row loss"


@entry("rows-batch-dWo", r"\frac{\partial L}{\partial W_o} = h^T \left((o - y) \odot o \odot (1 - o)\right)",
       verdict="right", why="h^T (4 x B) sums over the batch by itself" + ROWS_BATCH_WHY, **ROWS_BATCH)
def _(n):
    R = Rw(n)
    return R.d(("W", 2)), mm(T(R.h), _do_sig(R))


@entry("rows-batch-dbo-unsummed", r"\frac{\partial L}{\partial b_o} = (o - y) \odot o \odot (1 - o)",
       verdict="wrong", kinds=("shape",), why="the right side is B x 2 but b_o is 1 x 2: the sum over the batch rows is missing" + ROWS_BATCH_WHY, **ROWS_BATCH)
def _(n):
    R = Rw(n)
    return row(n.D(LOSS, ("b", 3))), _do_sig(R)


ROWS_TANH = dict(ROWS, arch="4-4-2", activation="tanh,identity")


@entry("rows-tanh-dE-dWh", r"\frac{\partial E}{\partial W_h} = x^T \left(\left((o - y) W_o^T\right) \odot (1 - h \odot h)\right)",
       verdict="right", why="tanh hidden layer, linear output, E = 1/2 sum (o - y)^2", **ROWS_TANH)
def _(n):
    R = Rw(n)
    return R.d(("W", 1)), mm(T(R.x), had(mm(R.o - R.y, T(R.Wo)), 1 - had(R.h, R.h)))


@entry("rows-tanh-dE-dWh-h-for-x", r"\frac{\partial E}{\partial W_h} = h^T \left(\left((o - y) W_o^T\right) \odot (1 - h \odot h)\right)",
       verdict="wrong", kinds=("wrong-layer",), why="W_h multiplies the input x, so x^T, not the hidden layer's h^T (4-4-2, so shapes agree)", **ROWS_TANH)
def _(n):
    R = Rw(n)
    return R.d(("W", 1)), mm(T(R.h), had(mm(R.o - R.y, T(R.Wo)), 1 - had(R.h, R.h)))


@entry("ng-dW-entry", r"dW^{[l]}_{jk} = dz^{[l]}_j a^{[l-1]}_k",
       verdict="right", why="entries (subscripts) of the single-example dW, every l, j, k, on 3 depths", general_l=True, depths=NG1_GEN, **NG1)
def _(n):
    G = Ng(n)
    return [(G.dW(l)[j, k], G.dZ(l)[j, 0] * G.A(l - 1)[k, 0])
            for l in range(1, G.L + 1) for j in range(n.n[l + 1]) for k in range(n.n[l])]


@entry("ng-dW-entry-swapped", r"dW^{[l]}_{jk} = dz^{[l]}_k a^{[l-1]}_j",
       verdict="wrong", kinds=("index",), why="row j of W^{[l]} belongs to node j of layer [l]; j and k are swapped (out of range where widths differ); single example", general_l=True, depths=NG1_GEN, **NG1)
def _(n):
    G = Ng(n)
    out = []
    for l in range(1, G.L + 1):
        for j in range(n.n[l + 1]):
            for k in range(n.n[l]):
                if k >= n.n[l + 1] or j >= n.n[l]:
                    raise OutOfRange(f"dz^[{l}]_{k + 1} or a^[{l - 1}]_{j + 1}")
                out.append((G.dW(l)[j, k], G.dZ(l)[k, 0] * G.A(l - 1)[j, 0]))
    return out


@entry("rows-dl-do-element", r"\frac{\partial l}{\partial o_j} = o_j - y_j",
       verdict="right", why="the entries of the output row, every j", **ROWS)
def _(n):
    R = Rw(n)
    return [(R.d(("a", 3))[0, j], R.o[0, j] - R.y[0, j]) for j in range(2)]


@entry("rows-dl-do-element-label", r"\frac{\partial l}{\partial o_2} = o_2 - y_1",
       verdict="wrong", kinds=("index",), why="output 2 is compared with the label y_1; y_1 should be y_2", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("a", 3))[0, 1], R.o[0, 1] - R.y[0, 0]


# ---- more combinations, wrong losses and nonexistent labels in the other notations --------
@entry("arrows-swapped-weight-no-hidden-sigma-prime", r"\frac{\partial MSE}{\partial w_{23}^{(1 \rightarrow 2)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)\;'} w_{21}^{(2 \rightarrow 3)} x_3 + 2 (x_2^{(3)} - y_2) x_2^{(3)\;'} w_{22}^{(2 \rightarrow 3)} x_3",
       verdict="wrong", kinds=("index", "missing-activation-derivative"), why="two mistakes: w_21^(2->3) should be w_12^(2->3), and x_2^(2)' is missing in both terms", **ARROWS)
def _(n):
    r = Ref(n)
    rhs = (2 * (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.w(2, 2, 1) * r.x(1, 3)
           + 2 * (r.x(3, 2) - r.y(2)) * r.xp(3, 2) * r.w(2, 2, 2) * r.x(1, 3))
    return r.dw(1, 2, 3), rhs


@entry("layer-bce-with-sigma-prime", r"\frac{\partial E}{\partial w_{11}^{(2)}} = (x_1^{(3)} - y_1) x_1^{(3)'} x_1^{(2)}",
       verdict="wrong", kinds=("wrong-loss",), why="E is the binary cross-entropy here: the sigmoid's derivative cancels, dE/dw_11^(2) = (x_1^(3) - y_1) x_1^(2)", **dict(LAYER, loss="bce"))
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 1), (r.x(3, 1) - r.y(1)) * r.xp(3, 1) * r.x(2, 1)


@entry("layer-bce", r"\frac{\partial E}{\partial w_{11}^{(2)}} = (x_1^{(3)} - y_1) x_1^{(2)}",
       verdict="right", why="sigmoid output with binary cross-entropy E", **dict(LAYER, loss="bce"))
def _(n):
    r = Ref(n)
    return r.dw(2, 1, 1), (r.x(3, 1) - r.y(1)) * r.x(2, 1)


@entry("nielsen-w31-does-not-exist", r"\frac{\partial C}{\partial w^3_{31}} = a^2_3 \delta^3_1",
       verdict="wrong", kinds=("wrong-parameter",), why="w^3 is 2x3 in a 2-3-2 network: w^3_31 does not exist; the right side is dC/dw^3_13", **NIELSEN)
def _(n):
    N = Nl(n)
    nonexistent(N.a(2, 3) * N.delta(3, 1), N.dC_dw(3)[0, 2], "w^3_31")


@entry("ng-dW-layer-does-not-exist", r"dW^{[3]} = dz^{[2]} a^{[1]T}",
       verdict="wrong", kinds=("wrong-parameter",), why="3-4-2 has W^{[1]}, W^{[2]} only (layer 0 is the input); the right side is dW^{[2]}; single example", **NG1)
def _(n):
    G = Ng(n)
    rhs = mm(G.dZ(2), T(G.A(1)))
    if not np.allclose(rhs, G.dW(2), rtol=1e-6, atol=1e-9):
        raise AssertionError("the right side is not dW^[2]")
    raise Nonexistent("W^[3]")


@entry("ng-dW-current-activation", r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l]T}",
       verdict="wrong", kinds=("wrong-layer",), why="dW^{[l]} pairs dZ^{[l]} with the previous layer's A^{[l-1]} (equal widths)" + BATCH_WHY,
       general_l=True, depths=NG_SQUARE_GEN, **dict(NG_SQUARE, batch=5))
def _(n):
    G = Ng(n)
    return [(G.dW(l), mm(G.dZ(l), T(G.A(l))) / G.m) for l in range(1, G.L + 1)]


@entry("ng-dW-wrong-layer-and-no-mean", r"dW^{[l]} = dZ^{[l]} A^{[l]T}",
       verdict="wrong", kinds=("wrong-layer", "factor"), why="two mistakes: A^{[l]} should be A^{[l-1]}, and the 1/m is missing (equal widths)" + BATCH_WHY,
       general_l=True, depths=NG_SQUARE_GEN, **dict(NG_SQUARE, batch=5))
def _(n):
    G = Ng(n)
    return [(G.dW(l), mm(G.dZ(l), T(G.A(l)))) for l in range(1, G.L + 1)]


@entry("rows-dl-dbo-label-for-output", r"\frac{\partial l}{\partial b_o} = (o - y) \odot o \odot (1 - y)",
       verdict="wrong", kinds=("symbol",), why="sigma' of the output is o (1 - o); y is written for o in the last factor", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("b", 3)), had(R.o - R.y, R.o, 1 - R.y)


@entry("rows-dl-dWh-untransposed-no-sigma-prime", r"\frac{\partial l}{\partial W_h} = x^T \left(\left((o - y) \odot o \odot (1 - o)\right) W_o\right)",
       verdict="wrong", kinds=("transposed", "missing-activation-derivative"), why="two mistakes: W_o untransposed (2x2 in 3-2-2) and h (1 - h) missing", **ROWS_SQ)
def _(n):
    R = Rw(n)
    return R.d(("W", 1)), mm(T(R.x), mm(_do_sig(R), R.Wo))


@entry("nielsen-bp4-extra-sigma-prime", r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j \sigma'(z^l_j)",
       verdict="wrong", kinds=("extra-activation-derivative",), why="delta^l_j already contains sigma'(z^l_j); it is counted twice", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.dC_dw(l)[j - 1, k - 1], N.a(l - 1, k) * N.delta(l, j) * N.sp(l, j))
            for l in range(2, N.L + 1) for j in N.nodes(l) for k in N.nodes(l - 1)]


@entry("ng-db-extra-derivative", r"db^{[l]} = dz^{[l]} * g^{[l]'}(z^{[l]})",
       verdict="wrong", kinds=("extra-activation-derivative",), why="dz^{[l]} already includes g'; db^{[l]} = dz^{[l]}; single example", general_l=True, depths=NG1_GEN, **NG1)
def _(n):
    G = Ng(n)
    return [(G.db(l), had(G.dZ(l), G.gp(l, G.Z(l)))) for l in range(1, G.L + 1)]


# ---- the same mathematics in other spellings people use ------------------------------------
@entry("arrows-cdot-brackets", r"\frac{\partial MSE}{\partial w_{22}^{(2 \rightarrow 3)}} = 2 \cdot \left[ x_2^{(3)} - y_2 \right] \cdot x_2^{(3)\;'} \cdot x_2^{(2)}",
       verdict="right", why="\\cdot for multiplication and \\left[ \\right] brackets", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 2, 2), 2 * (r.x(3, 2) - r.y(2)) * r.xp(3, 2) * r.x(2, 2)


@entry("arrows-times-four", r"\frac{\partial MSE}{\partial w_{22}^{(2 \rightarrow 3)}} = 4 \times (x_2^{(3)} - y_2) \times x_2^{(3)\;'} \times x_2^{(2)}",
       verdict="wrong", kinds=("factor",), why="the outer square gives 2, not 4 (\\times for multiplication)", **ARROWS)
def _(n):
    r = Ref(n)
    return r.dw(2, 2, 2), 4 * (r.x(3, 2) - r.y(2)) * r.xp(3, 2) * r.x(2, 2)


@entry("arrows-sigma-prime-spelled-out", r"\frac{\partial MSE}{\partial w_{21}^{(1 \rightarrow 2)}} = \sum_{i=1}^{2} 2 (x_i^{(3)} - y_i) \, \sigma^{'}(w_{i1}^{(2 \rightarrow 3)} x_1^{(2)} + w_{i2}^{(2 \rightarrow 3)} x_2^{(2)}) \, w_{i2}^{(2 \rightarrow 3)} \, \sigma^{'}(w_{21}^{(1 \rightarrow 2)} x_1 + w_{22}^{(1 \rightarrow 2)} x_2 + w_{23}^{(1 \rightarrow 2)} x_3) \, x_1",
       verdict="right", why="both sigma' written at their weighted sums, the output nodes summed with limits", **ARROWS)
def _(n):
    r = Ref(n)
    z2 = sum(r.w(1, 2, j) * r.x(1, j) for j in (1, 2, 3))
    rhs = sum(2 * (r.x(3, i) - r.y(i)) * dsig(r.w(2, i, 1) * r.x(2, 1) + r.w(2, i, 2) * r.x(2, 2)) * r.w(2, i, 2) * dsig(z2) * r.x(1, 1)
              for i in (1, 2))
    return r.dw(1, 2, 1), rhs


@entry("arrows-sigma-prime-wrong-row", r"\frac{\partial MSE}{\partial w_{21}^{(1 \rightarrow 2)}} = \sum_{i=1}^{2} 2 (x_i^{(3)} - y_i) \, \sigma^{'}(w_{i1}^{(2 \rightarrow 3)} x_1^{(2)} + w_{i2}^{(2 \rightarrow 3)} x_2^{(2)}) \, w_{i2}^{(2 \rightarrow 3)} \, \sigma^{'}(w_{11}^{(1 \rightarrow 2)} x_1 + w_{12}^{(1 \rightarrow 2)} x_2 + w_{13}^{(1 \rightarrow 2)} x_3) \, x_1",
       verdict="wrong", kinds=("index",), why="the hidden sigma' must be at hidden node 2's input (row 2 of w^(1->2)), not node 1's", **ARROWS)
def _(n):
    r = Ref(n)
    z1 = sum(r.w(1, 1, j) * r.x(1, j) for j in (1, 2, 3))
    rhs = sum(2 * (r.x(3, i) - r.y(i)) * dsig(r.w(2, i, 1) * r.x(2, 1) + r.w(2, i, 2) * r.x(2, 2)) * r.w(2, i, 2) * dsig(z1) * r.x(1, 1)
              for i in (1, 2))
    return r.dw(1, 2, 1), rhs


@entry("nielsen-bp2-top-circ", r"\delta^l = \left((w^{l+1})^\top \delta^{l+1}\right) \circ \sigma'(z^l)",
       verdict="right", why="BP2 with ^\\top and \\circ for the Hadamard product, on 3 depths", general_l=True, depths=GEN, **NIELSEN)
def _(n):
    N = Nl(n)
    return [(col(N.delta(l)), had(mm(T(N.w(l + 1)), col(N.delta(l + 1))), col(N.sp(l)))) for l in range(2, N.L)]


@entry("nielsen-forward-z-limits", r"z^2_j = \sum_{k=1}^{2} w^2_{jk} a^1_k + b^2_j",
       verdict="right", why="layer 2 of 2-3-2 reads the 2 inputs (a^1 = x); every j", **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.z(2, j), sum(N.w(2, j, k) * N.a(1, k) for k in range(1, 3)) + n.b(2)[j - 1]) for j in N.nodes(2)]


@entry("nielsen-forward-z-limits-out-of-range", r"z^2_j = \sum_{k=1}^{3} w^2_{jk} a^1_k + b^2_j",
       verdict="wrong", kinds=("index",), why="layer 1 has 2 nodes: a^1_3 and w^2_{j3} do not exist", **NIELSEN)
def _(n):
    N = Nl(n)
    return [(N.z(2, j), sum(N.w(2, j, k) * N.a(1, k) for k in range(1, 4)) + n.b(2)[j - 1]) for j in N.nodes(2)]


@entry("rows-intercal-cdot", r"\frac{\partial l}{\partial W_o} = h^\intercal \cdot \left((o - y) \circ o \circ (1 - o)\right)",
       verdict="right", why="^\\intercal for the transpose, \\cdot the matrix product, \\circ elementwise", **ROWS)
def _(n):
    R = Rw(n)
    return R.d(("W", 2)), mm(T(R.h), _do_sig(R))


@entry("ng-dA-top", r"dA^{[L-1]} = W^{[L]\top} dZ^{[L]}",
       verdict="right", why="^\\top transpose" + BATCH_WHY, **NG_BATCH)
def _(n):
    G = Ng(n)
    return G.dA(G.L - 1), mm(T(G.W(G.L)), G.dZ(G.L))
