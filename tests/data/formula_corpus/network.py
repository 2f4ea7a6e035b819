"""A small NumPy network for establishing the formula corpus's verdicts by numbers.

Written independently of `derive` (it imports nothing from it). Layers are numbered in the
reference notation of the project: 1 = input, L = output. `W(l)` is the matrix from layer l
to layer l+1 (shape n_{l+1} x n_l, first index the destination), `b(l)` the bias added to
the pre-activation of layer l, `z(l)` the pre-activation, `a(l)` the value of layer l.

Values are kept as batches of columns (n_l, m); m = 1 is a single example, and the
accessors then return plain vectors. Every derivative is a five-point central finite difference of a
forward pass in which one quantity (a weight matrix, a bias, a layer's value or its
pre-activation) is overridden: `D(dst, src)` is the derivative of `dst` (the loss, or a
layer's value or pre-activation) with respect to `src`, with everything downstream of `src`
recomputed and everything else held fixed.
"""

from __future__ import annotations

import numpy as np

STEP = 1e-3  # five-point central differences: error O(STEP^4)


class ShapeMismatch(Exception):
    """Two operands of a formula do not conform (its verdict is wrong by shape)."""


class OutOfRange(Exception):
    """A formula names a node, weight or label that does not exist in the network."""


class Nonexistent(Exception):
    """The derivative's label names a parameter that the network does not have."""


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


ACTIVATIONS = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "softmax": (_softmax, None),
}


def _per_example_loss(name: str, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The loss of each column (example), summed over the output nodes."""
    if name == "mse":
        return ((a - y) ** 2).sum(axis=0)
    if name == "half-mse":
        return 0.5 * ((a - y) ** 2).sum(axis=0)
    if name == "mean-mse":
        return ((a - y) ** 2).mean(axis=0)
    if name == "bce":
        return -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum(axis=0)
    if name == "cross-entropy":
        return -(y * np.log(a)).sum(axis=0)
    raise ValueError(f"unknown loss {name}")


def parse_arch(arch: str) -> list[int]:
    return [int(w) for w in arch.split("-")]


def parse_activations(spec: str, layers: int) -> list[str]:
    """One activation per non-input layer; a single name applies to every layer."""
    names = [s.strip() for s in spec.split(",")]
    if len(names) == 1:
        names = names * (layers - 1)
    if len(names) != layers - 1:
        raise ValueError(f"{spec!r}: need {layers - 1} activations")
    return names


class Net:
    """One network at one random point: weights, biases, inputs and labels."""

    def __init__(self, arch: str, activation: str, loss: str, bias: bool,
                 seed: int, batch: int = 1, batch_mean: bool = True) -> None:
        rng = np.random.default_rng(seed)
        self.n = [0] + parse_arch(arch)  # self.n[l] = width of layer l (1-based)
        self.L = len(self.n) - 1
        self.acts = [""] + [""] + parse_activations(activation, self.L)  # acts[l] for l >= 2
        self.loss_name, self.bias, self.m, self.batch_mean = loss, bias, batch, batch_mean
        self.params: dict[tuple[str, int], np.ndarray] = {}
        for l in range(1, self.L):
            self.params[("W", l)] = rng.normal(0, 1, (self.n[l + 1], self.n[l]))
        for l in range(2, self.L + 1):
            value = rng.normal(0, 0.5, (self.n[l], 1)) if bias else np.zeros((self.n[l], 1))
            self.params[("b", l)] = value
        self.x = rng.normal(0, 1, (self.n[1], batch))
        n_out = self.n[self.L]
        if loss == "cross-entropy":
            self.Y = rng.dirichlet(np.ones(n_out), size=batch).T  # each column sums to 1
        else:
            self.Y = rng.uniform(0.05, 0.95, (n_out, batch))
        self.values = self.run({})

    # -- the forward pass, with any one quantity overridden ------------------------------
    def run(self, override: dict) -> dict:
        p = {k: override.get(k, v) for k, v in self.params.items()}
        out: dict = {("a", 1): override.get(("a", 1), self.x)}
        for l in range(2, self.L + 1):
            z = override.get(("z", l))
            if z is None:
                z = p[("W", l - 1)] @ out[("a", l - 1)] + p[("b", l)]
            out[("z", l)] = z
            a = override.get(("a", l))
            out[("a", l)] = ACTIVATIONS[self.acts[l]][0](z) if a is None else a
        per_example = _per_example_loss(self.loss_name, out[("a", self.L)], self.Y)
        out[("loss",)] = per_example.mean() if self.batch_mean else per_example.sum()
        return out

    def _base(self, key: tuple) -> np.ndarray:
        return self.params[key] if key[0] in ("W", "b") else self.values[key]

    def D(self, dst: tuple, src: tuple) -> np.ndarray:
        """d dst / d src by central differences: shape dst.shape + src.shape (squeezed)."""
        if src[0] == "b" and not self.bias:
            raise Nonexistent(f"no biases in this network: {src}")
        base = self._base(src)
        cols = []
        for idx in np.ndindex(*base.shape):
            values = {}
            step = STEP
            if src == ("a", self.L):  # the loss may take logs of the output: stay inside (0, 1)
                step *= float(np.clip(min(abs(base[idx]), abs(1 - base[idx])), 1e-2, 1))
            for k in (-2, -1, 1, 2):
                moved = base.copy()
                moved[idx] += k * step
                values[k] = self.run({src: moved})[dst]
            cols.append((values[-2] - 8 * values[-1] + 8 * values[1] - values[2]) / (12 * step))
        dst_shape = np.shape(self.values[dst])
        jac = np.array(cols).reshape(base.shape + dst_shape)
        jac = np.moveaxis(jac, list(range(base.ndim)), list(range(len(dst_shape), jac.ndim)))
        # drop the trailing axis of a single example and of a bias column
        if src[0] == "b" or (src[0] in ("a", "z") and self.m == 1):
            jac = jac[..., 0]
        if dst[0] in ("a", "z") and self.m == 1:
            jac = jac.take(0, axis=len(dst_shape) - 1)
        return jac

    # -- plain values (reference notation) -----------------------------------------------
    def a(self, l: int) -> np.ndarray:
        self._layer(l, 1)
        return _squeeze(self.values[("a", l)], self.m)

    def z(self, l: int) -> np.ndarray:
        self._layer(l, 2)
        return _squeeze(self.values[("z", l)], self.m)

    def sp(self, l: int) -> np.ndarray:
        """The activation's derivative at the pre-activation of layer l (elementwise)."""
        self._layer(l, 2)
        return ACTIVATIONS[self.acts[l]][1](self.z(l))

    def W(self, l: int) -> np.ndarray:
        self._layer(l, 1, self.L - 1)
        return self.params[("W", l)]

    def w(self, l: int, i: int, j: int) -> float:
        """w_{ij}^{(l -> l+1)}, 1-based; a weight that does not exist is OutOfRange."""
        W = self.W(l)
        if not (1 <= i <= W.shape[0] and 1 <= j <= W.shape[1]):
            raise OutOfRange(f"w_{i}{j}^({l}->{l + 1}) in a {W.shape} matrix")
        return W[i - 1, j - 1]

    def b(self, l: int) -> np.ndarray:
        self._layer(l, 2)
        return self.params[("b", l)][:, 0]

    def y(self) -> np.ndarray:
        return _squeeze(self.Y, self.m)

    def loss(self) -> float:
        return self.values[("loss",)]

    def node(self, kind: str, l: int, i: int) -> float:
        """One entry (1-based) of a layer's value, pre-activation, σ' or label."""
        vec = {"a": self.a, "z": self.z, "sp": self.sp, "y": lambda _l: self.y()}[kind](l)
        if not 1 <= i <= len(vec):
            raise OutOfRange(f"{kind}_{i} of layer {l} (width {len(vec)})")
        return vec[i - 1]

    def _layer(self, l: int, lo: int, hi: int | None = None) -> None:
        if not lo <= l <= (self.L if hi is None else hi):
            raise OutOfRange(f"layer {l} in a {self.L}-layer network")


def _squeeze(v, m: int):
    if m == 1 and np.ndim(v) >= 1 and np.shape(v)[-1] == 1:
        v = np.asarray(v)[..., 0]
    return v


# -- shape-checked algebra, so that a formula that does not conform fails loudly -----------
def col(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, dtype=float).reshape(-1, 1)


def row(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, dtype=float).reshape(1, -1)


def mm(*ms: np.ndarray) -> np.ndarray:
    """A matrix product of 2-D operands that must conform."""
    out = ms[0]
    for m in ms[1:]:
        if out.ndim != 2 or m.ndim != 2 or out.shape[1] != m.shape[0]:
            raise ShapeMismatch(f"{out.shape} times {m.shape}")
        out = out @ m
    return out


def had(*ms: np.ndarray) -> np.ndarray:
    """An elementwise (Hadamard) product of operands of one shape."""
    out = ms[0]
    for m in ms[1:]:
        if np.shape(out) != np.shape(m):
            raise ShapeMismatch(f"{np.shape(out)} elementwise {np.shape(m)}")
        out = out * m
    return out


def add(*ms: np.ndarray) -> np.ndarray:
    out = ms[0]
    for m in ms[1:]:
        if np.shape(out) != np.shape(m):
            raise ShapeMismatch(f"{np.shape(out)} plus {np.shape(m)}")
        out = out + m
    return out


def diag(v: np.ndarray) -> np.ndarray:
    return np.diag(np.asarray(v).reshape(-1))


def T(m: np.ndarray) -> np.ndarray:
    if m.ndim != 2:
        raise ShapeMismatch(f"transpose of a {m.ndim}-D value")
    return m.T


def sig(z):
    return 1 / (1 + np.exp(-z))


def dsig(z):
    return sig(z) * (1 - sig(z))
