"""Establish the expected verdicts of the article corpus by numbers.

NumPy only; this script never imports the tool.  For every article NAME.md the
table ARTICLES below holds, item by item, an anchor (a unique piece of text on
the line where the formula member is written), the verdict established by hand,
the diagnosis kinds, a short reason, and a hand transcription of the formula
member as a Python function of the network's parameters.  Each transcription
is compared with fourth-order central finite differences of the loss (or of the forward
quantity the left side names) at several random points:

* "right"  needs agreement to 1e-6 (relative) at every point;
* "wrong"  needs a relative difference above 1e-3 at two points or more
  (a formula whose shapes do not even multiply counts as a difference);
* numeric worked examples are recomputed exactly from the article's own
  numbers and compared with the printed digits (tolerance: the printed
  precision).

    python establish.py            check every NAME.json against the numbers
    python establish.py --write    (re)write NAME.json from the table, then check

Exit status 0 when every expected verdict agrees with the numbers, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
SEEDS = (11, 22, 33)
H = 1e-4          # finite-difference step (fourth-order central stencil)
RIGHT_TOL = 1e-6  # relative agreement for "right"
WRONG_TOL = 1e-3  # relative difference for "wrong"


def stencil(f2, f1, fm1, fm2):
    """Fourth-order central difference from f(x+2h), f(x+h), f(x-h), f(x-2h)."""
    return (-f2 + 8 * f1 - 8 * fm1 + fm2) / (12 * H)


# --------------------------------------------------------------------------
# activations and losses
# --------------------------------------------------------------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def dsigmoid(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


ACT: dict[str, tuple[Callable, Callable | None]] = {
    "sigmoid": (sigmoid, dsigmoid),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "softmax": (softmax, None),
}


def per_sample_loss(kind: str, a, y):
    """Loss of each column (one example per column)."""
    if kind == "mse":
        return ((a - y) ** 2).sum(axis=0)
    if kind == "half-mse":
        return 0.5 * ((a - y) ** 2).sum(axis=0)
    if kind == "mean-mse":
        return ((a - y) ** 2).mean(axis=0)
    if kind == "bce":
        return -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum(axis=0)
    if kind == "cross-entropy":
        return -(y * np.log(a)).sum(axis=0)
    raise ValueError(kind)


# --------------------------------------------------------------------------
# the network: layers 0 (input) .. L-1 (output); W[l] maps layer l-1 -> l,
# shape (n_l, n_{l-1}) (row = destination); b[l] shape (n_l, 1); examples are
# columns.  Every article's symbols are mapped onto this by its transcriptions.
# --------------------------------------------------------------------------

class Net:
    def __init__(self, sizes, acts, loss, bias, seed, m=1, batch="sum"):
        rng = np.random.default_rng(seed)
        self.sizes = list(sizes)
        self.L = len(sizes)
        if isinstance(acts, str):
            acts = [a.strip() for a in acts.split(",")]
        if len(acts) == 1:
            acts = acts * (self.L - 1)
        self.acts = [None] + list(acts)
        self.loss_kind = loss
        self.bias = bias
        self.m = m
        self.batch = batch
        self.W = {l: rng.normal(0.0, 0.9, (sizes[l], sizes[l - 1])) for l in range(1, self.L)}
        self.b = {l: (rng.normal(0.0, 0.6, (sizes[l], 1)) if bias else np.zeros((sizes[l], 1)))
                  for l in range(1, self.L)}
        self.x = rng.normal(0.0, 1.0, (sizes[0], m))
        n_out = sizes[-1]
        if loss == "bce":
            self.y = rng.integers(0, 2, (n_out, m)).astype(float)
        elif loss == "cross-entropy":
            self.y = np.eye(n_out)[:, rng.integers(0, n_out, m)]
        else:
            self.y = rng.normal(0.3, 0.5, (n_out, m))
        self.run()

    # forward -------------------------------------------------------------
    def f(self, l, z):
        return ACT[self.acts[l]][0](z)

    def fp(self, l, z):
        return ACT[self.acts[l]][1](z)

    def _continue(self, l, a):
        """Loss when the activation of layer l is a."""
        for k in range(l + 1, self.L):
            a = self.f(k, self.W[k] @ a + self.b[k])
        return self._reduce(per_sample_loss(self.loss_kind, a, self.y))

    def _reduce(self, per):
        return per.sum() if self.batch == "sum" else per.mean()

    def run(self):
        self.a = {0: self.x}
        self.z = {}
        for l in range(1, self.L):
            self.z[l] = self.W[l] @ self.a[l - 1] + self.b[l]
            self.a[l] = self.f(l, self.z[l])
        self.loss = self._reduce(per_sample_loss(self.loss_kind, self.a[self.L - 1], self.y))

    # finite differences ------------------------------------------------------
    def _fd(self, arr, value):
        g = np.zeros_like(arr)
        it = np.nditer(arr, flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            old = arr[i]
            f = []
            for step in (2 * H, H, -H, -2 * H):
                arr[i] = old + step
                f.append(value())
            arr[i] = old
            g[i] = stencil(*f)
        return g

    def dW(self, l):
        def value():
            self.run()
            return self.loss
        g = self._fd(self.W[l], value)
        self.run()
        return g

    def db(self, l):
        def value():
            self.run()
            return self.loss
        g = self._fd(self.b[l], value)
        self.run()
        return g

    def dz(self, l):
        """delta: dLoss/dz of layer l (every example)."""
        z = self.z[l].copy()
        return self._fd(z, lambda: self._continue(l, self.f(l, z)))

    def da(self, l):
        a = self.a[l].copy()
        return self._fd(a, lambda: self._continue(l, a))


# --------------------------------------------------------------------------
# items
# --------------------------------------------------------------------------

@dataclass
class Item:
    anchor: str
    verdict: str                    # right | wrong | definition | not-an-equation
    why: str
    kinds: list[str] = field(default_factory=list)
    value: Callable | None = None   # the formula member, transcribed by hand
    truth: Callable | None = None   # what the left side denotes (finite differences)
    numeric: Callable | None = None  # numeric examples: () -> ([members], exact, tol)
    nonexistent: str | None = None  # label names a parameter the network lacks
    line: int = 0


@dataclass
class Article:
    name: str
    meta: dict[str, Any]
    items: list[Item]
    make: Callable[[int], Any]      # seed -> evaluation context


NO_SUCH = object()


def rel(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        if a.size == b.size and a.size == 1:
            a = a.reshape(b.shape)
        else:
            return float("inf")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-12))


def measure(article: Article, item: Item) -> tuple[str, str]:
    """The verdict the numbers give, with a short account."""
    if item.numeric is not None:
        members, exact, tol = item.numeric()
        worst = max(abs(m - exact) for m in members)
        shown = " ".join(f"{m:.10g}" for m in members)
        account = f"members {shown} exact {exact:.10g} (off {worst:.1e}, tol {tol:.0e})"
        return ("right" if worst <= tol else "wrong"), account
    if item.nonexistent is not None:
        account = f"no parameter {item.nonexistent} in {article.meta['arch']}"
        value, truth = item.value, item.truth
        if value is not None and truth is not None:  # what the right side really is, as the reason says
            errs = [rel(value(ctx), truth(ctx)) for ctx in map(article.make, SEEDS)]
            if max(errs) > RIGHT_TOL:
                return "undecided", account + "; right side is NOT what the reason says"
            account += "; right side = the derivative named in the reason"
        return "wrong", account
    value, truth = item.value, item.truth
    assert value is not None and truth is not None, f"{article.name}: {item.anchor!r} has no transcription"
    errs = []
    for seed in SEEDS:
        ctx = article.make(seed)
        try:
            v = value(ctx)
        except ValueError:  # shapes that do not multiply
            errs.append(float("inf"))
            continue
        errs.append(rel(v, truth(ctx)))
    if all(e < RIGHT_TOL for e in errs):
        verdict = "right"
    elif sum(e > WRONG_TOL for e in errs) >= 2:
        verdict = "wrong"
    else:
        verdict = "undecided"
    return verdict, "rel. err " + " ".join(f"{e:.1e}" for e in errs)


def locate(article: Article) -> None:
    lines = (HERE / article.name).read_text(encoding="utf-8").splitlines()
    for item in article.items:
        if item.anchor.startswith("^") and item.anchor.endswith("$"):   # the whole line
            hits = [i + 1 for i, text in enumerate(lines) if text.strip() == item.anchor[1:-1]]
        else:
            hits = [i + 1 for i, text in enumerate(lines) if item.anchor in text]
        if len(hits) != 1:
            raise SystemExit(f"{article.name}: anchor {item.anchor!r} found on lines {hits}")
        item.line = hits[0]


def to_json(article: Article) -> dict[str, Any]:
    out = {"file": article.name, **article.meta, "items": []}
    for item in sorted(article.items, key=lambda it: it.line):
        entry: dict[str, Any] = {"line": item.line, "verdict": item.verdict}
        if item.kinds:
            entry["kinds"] = item.kinds
        entry["why"] = item.why
        if item.numeric is not None:
            entry["correct_value"] = float(f"{item.numeric()[1]:.10g}")
        out["items"].append(entry)
    return out


# --------------------------------------------------------------------------
# the articles (one module section each, appended below)
# --------------------------------------------------------------------------

ARTICLES: list[Article] = []


def main(argv: list[str]) -> int:
    write = "--write" in argv
    bad = 0
    counts: dict[str, dict[str, int]] = {}
    print(f"{'article':28} {'line':>4}  {'expected':10} {'numbers':10}  account")
    for article in ARTICLES:
        locate(article)
        stem = article.name[:-3]
        path = HERE / f"{stem}.json"
        want = to_json(article)
        if write:
            path.write_text(json.dumps(want, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        have = json.loads(path.read_text(encoding="utf-8"))
        if have != want:
            print(f"{article.name}: {path.name} differs from the table (run with --write)")
            bad += 1
        c = counts.setdefault(article.name, {"right": 0, "wrong": 0, "definition": 0, "not-an-equation": 0})
        for item in sorted(article.items, key=lambda it: it.line):
            c[item.verdict] += 1
            if item.verdict in ("definition", "not-an-equation") and item.value is None \
                    and item.numeric is None:
                continue
            if item.verdict in ("definition", "not-an-equation"):
                got, account = measure(article, item)
                ok = got == "right"   # a definition must agree with the network
                shown = "agrees" if ok else "DISAGREES"
            else:
                got, account = measure(article, item)
                ok = got == item.verdict
                shown = got
            mark = "" if ok else "   <-- MISMATCH"
            print(f"{article.name:28} {item.line:>4}  {item.verdict:10} {shown:10}  {account}{mark}")
            bad += not ok
    print()
    for name, c in counts.items():
        print(f"{name:28} right {c['right']:2}  wrong {c['wrong']:2}  definitions {c['definition']:2}"
              f"  other {c['not-an-equation']:2}")
    print("OK" if not bad else f"{bad} disagreement(s)")
    return 1 if bad else 0


# --------------------------------------------------------------------------
# flat_numeric.md: flat names, numeric worked example, 2-2-2 sigmoid,
# E = sum 1/2 (target - out)^2, one bias per neuron
# --------------------------------------------------------------------------

def fd1(f, x0):
    return stencil(f(x0 + 2 * H), f(x0 + H), f(x0 - H), f(x0 - 2 * H))


class Flat:
    """The flat names of a 2-2-2 network (w_1..w_4 into h1, h2; w_5..w_8 into o1, o2)."""

    def __init__(self, net):
        self.net = net
        W1, W2, b1, b2 = net.W[1], net.W[2], net.b[1][:, 0], net.b[2][:, 0]
        self.i1, self.i2 = net.x[:, 0]
        self.w1, self.w2, self.w3, self.w4 = W1[0, 0], W1[0, 1], W1[1, 0], W1[1, 1]
        self.w5, self.w6, self.w7, self.w8 = W2[0, 0], W2[0, 1], W2[1, 0], W2[1, 1]
        self.b1, self.b2, self.b3, self.b4 = b1[0], b1[1], b2[0], b2[1]
        self.oh1, self.oh2 = net.a[1][:, 0]
        self.oo1, self.oo2 = net.a[2][:, 0]
        self.nh1, self.nh2 = net.z[1][:, 0]
        self.no1, self.no2 = net.z[2][:, 0]
        self.t1, self.t2 = net.y[:, 0]
        self.d1 = -(self.t1 - self.oo1) * self.oo1 * (1 - self.oo1)
        self.d2 = -(self.t2 - self.oo2) * self.oo2 * (1 - self.oo2)

    def E_o(self, k, oh1):
        """E_{o k} as a function of out_{h1} (everything else fixed)."""
        w = (self.w5, self.w6, self.b3, self.t1) if k == 1 else (self.w7, self.w8, self.b4, self.t2)
        return 0.5 * (w[3] - sigmoid(w[0] * oh1 + w[1] * self.oh2 + w[2])) ** 2


def flat_make(seed):
    return Flat(Net([2, 2, 2], "sigmoid", "half-mse", True, seed))


def flat_numbers():
    i1, i2, t1, t2 = 0.10, 0.30, 0.05, 0.95
    w1, w2, w3, w4, w5, w6, w7, w8 = 0.20, 0.25, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60
    b1, b2, b3, b4 = 0.30, 0.35, 0.55, 0.60
    nh1, nh2 = w1 * i1 + w2 * i2 + b1, w3 * i1 + w4 * i2 + b2
    oh1, oh2 = sigmoid(nh1), sigmoid(nh2)
    no1, no2 = w5 * oh1 + w6 * oh2 + b3, w7 * oh1 + w8 * oh2 + b4
    oo1, oo2 = sigmoid(no1), sigmoid(no2)
    v = {"nh1": nh1, "nh2": nh2, "oh1": oh1, "oh2": oh2, "no1": no1, "no2": no2, "oo1": oo1, "oo2": oo2}
    v["E1"], v["E2"] = 0.5 * (t1 - oo1) ** 2, 0.5 * (t2 - oo2) ** 2
    v["dEdoo1"] = -(t1 - oo1)
    v["doo1"] = oo1 * (1 - oo1)
    v["g5"] = v["dEdoo1"] * v["doo1"] * oh1
    d1 = v["dEdoo1"] * v["doo1"]
    d2 = -(t2 - oo2) * oo2 * (1 - oo2)
    v["dEdoh1"] = d1 * w5 + d2 * w7
    v["doh1"] = oh1 * (1 - oh1)
    v["g1"] = v["dEdoh1"] * v["doh1"] * i1
    return v


FN = flat_numbers()
T9 = 2e-9   # nine printed decimals (products of printed numbers included)

ARTICLES.append(Article(
    name="flat_numeric.md",
    meta={
        "convention": "flat scalar names of the classic numeric worked example: net_{h1}, out_{h1}, "
                      "w_1..w_8, b_1..b_4, target_{o1}, E_{total} = sum 1/2 (target - output)^2",
        "source_of_convention": "Matt Mazur, 'A Step by Step Backpropagation Example' (mattmazur.com, 2015) "
                                "and the many posts redoing it with other numbers",
        "arch": "2-2-2", "activation": "sigmoid", "loss": "half-mse", "bias": True, "notation": "flat",
        "symbols": "i_1=x_1, i_2=x_2, w_1=w_{11}^{(1)}, w_2=w_{12}^{(1)}, w_3=w_{21}^{(1)}, w_4=w_{22}^{(1)}, "
                   "w_5=w_{11}^{(2)}, w_6=w_{12}^{(2)}, w_7=w_{21}^{(2)}, w_8=w_{22}^{(2)}, "
                   "b_1=b_1^{(2)}, b_2=b_2^{(2)}, b_3=b_1^{(3)}, b_4=b_2^{(3)}, out_{h1}=x_1^{(2)}, "
                   "out_{h2}=x_2^{(2)}, out_{o1}=x_1^{(3)}, out_{o2}=x_2^{(3)}, target_{o1}=y_1, target_{o2}=y_2, "
                   "E_{total}=L",
        "notes": "biases are one per neuron (b_1, b_2 hidden; b_3, b_4 output), unlike the original's shared "
                 "biases; numbers are this article's own",
    },
    make=flat_make,
    items=[
        Item("i_1 = 0.10, \\quad i_2", "definition", "input and target values assigned"),
        Item("w_1 = 0.20, \\; w_2", "definition", "weights assigned"),
        Item("b_1 = 0.30, \\; b_2", "definition", "biases and learning rate assigned"),
        Item("net_{h1} = w_1 \\cdot i_1", "definition", "net input of h1",
             value=lambda c: c.w1 * c.i1 + c.w2 * c.i2 + c.b1, truth=lambda c: c.nh1),
        Item("net_{h2} = w_3 \\cdot i_1", "definition", "net input of h2",
             value=lambda c: c.w3 * c.i1 + c.w4 * c.i2 + c.b2, truth=lambda c: c.nh2),
        Item("out_{h1} = \\frac{1}{1 + e^{-net_{h1}}}, \\qquad", "definition", "logistic outputs of h1, h2",
             value=lambda c: [sigmoid(c.nh1), sigmoid(c.nh2)], truth=lambda c: [c.oh1, c.oh2]),
        Item("0.30 \\cdot 1 = 0.395", "right", "0.02 + 0.075 + 0.3 = 0.395",
             numeric=lambda: ([0.20 * 0.10 + 0.25 * 0.30 + 0.30, 0.395], FN["nh1"], 1e-12)),
        Item("e^{-0.395}} = 0.597485766", "right", "sigma(0.395)",
             numeric=lambda: ([sigmoid(0.395), 0.597485766], FN["oh1"], T9)),
        Item("e^{-0.505}} = 0.623633628", "right", "net_h2 = 0.035 + 0.12 + 0.35 = 0.505, sigma(0.505)",
             numeric=lambda: ([sigmoid(0.505), 0.623633628], FN["oh2"], T9)),
        Item("net_{o1} = w_5 \\cdot out_{h1}", "definition", "net input of o1",
             value=lambda c: c.w5 * c.oh1 + c.w6 * c.oh2 + c.b3, truth=lambda c: c.no1),
        Item("net_{o2} = w_7 \\cdot out_{h1}", "definition", "net input of o2",
             value=lambda c: c.w7 * c.oh1 + c.w8 * c.oh2 + c.b4, truth=lambda c: c.no2),
        Item("0.55 \\cdot 1 = 1.130685409", "right", "net_o1 from the printed hidden outputs",
             numeric=lambda: ([0.45 * 0.597485766 + 0.50 * 0.623633628 + 0.55, 1.130685409], FN["no1"], T9)),
        Item("e^{-1.130685409}} = 0.755965367", "right", "sigma(net_o1)",
             numeric=lambda: ([sigmoid(1.130685409), 0.755965367], FN["oo1"], T9)),
        Item("net_{o2} = 0.55 \\cdot 0.597485766 + 0.60 \\cdot 0.623633628", "wrong",
             "the bias b_4 = 0.60 is left out: the sum is 1.302797348", ["missing-bias"],
             numeric=lambda: ([0.55 * 0.597485766 + 0.60 * 0.623633628], FN["no2"], T9)),
        Item("= 0.702797348", "wrong", "net_o2 without its bias; the correct value is 1.302797348",
             ["missing-bias"], numeric=lambda: ([0.702797348], FN["no2"], T9)),
        Item("e^{-1.302797348}} = 0.786305396", "right", "net_o2 = 0.55*0.5975 + 0.60*0.6236 + 0.60",
             numeric=lambda: ([sigmoid(1.302797348), 0.786305396], FN["oo2"], T9)),
        Item("E_{total} = \\sum \\frac{1}{2}", "definition", "the loss: half squared error summed over outputs"),
        Item("(0.05 - 0.755965367)^2 = 0.249193549", "right", "1/2 (0.05 - out_o1)^2",
             numeric=lambda: ([0.5 * (0.05 - 0.755965367) ** 2, 0.249193549], FN["E1"], T9)),
        Item("E_{o2} = \\frac{1}{2} (0.95", "right", "1/2 (0.95 - out_o2)^2, correct as written",
             numeric=lambda: ([0.5 * (0.95 - 0.786305396) ** 2], FN["E2"], T9)),
        Item("= 0.026795924", "wrong", "the 1/2 was dropped: (0.95 - 0.786305396)^2 = 0.026795924, "
             "half of it is 0.013397962", ["factor"],
             numeric=lambda: ([0.026795924], FN["E2"], T9)),
        Item("= 0.249193549 + 0.013397962 = 0.262591511", "right", "E_o1 + E_o2",
             numeric=lambda: ([0.249193549 + 0.013397962, 0.262591511], FN["E1"] + FN["E2"], T9)),
        Item("\\cdot \\frac{\\partial net_{o1}}{\\partial w_5}",
             "right", "chain rule through out_o1 and net_o1 (o1 is the only path from w_5)",
             value=lambda c: (-(c.t1 - c.oo1)) * dsigmoid(c.no1) * c.oh1,
             truth=lambda c: c.net.dW(2)[0, 0]),
        Item("\\frac{\\partial E_{total}}{\\partial out_{o1}} = -(target_{o1} - out_{o1})", "right",
             "d/d out of 1/2 (target - out)^2",
             value=lambda c: -(c.t1 - c.oo1), truth=lambda c: c.net.da(2)[0, 0]),
        Item("= -(0.05 - 0.755965367) = 0.705965367", "right", "numbers of the line above",
             numeric=lambda: ([-(0.05 - 0.755965367), 0.705965367], FN["dEdoo1"], T9)),
        Item("\\frac{\\partial out_{o1}}{\\partial net_{o1}} = out_{o1} (1 - out_{o1})", "right",
             "logistic derivative", value=lambda c: c.oo1 * (1 - c.oo1),
             truth=lambda c: fd1(sigmoid, c.no1)),
        Item("= 0.755965367 \\, (1 - 0.755965367) = 0.184481731", "right", "numbers of the line above",
             numeric=lambda: ([0.755965367 * (1 - 0.755965367), 0.184481731], FN["doo1"], T9)),
        Item("\\frac{\\partial net_{o1}}{\\partial w_5} = out_{h1} = 0.597485766", "right",
             "net_o1 is linear in w_5 with coefficient out_h1",
             numeric=lambda: ([0.597485766], FN["oh1"], T9)),
        Item("0.597485766 = 0.077815180", "right", "product of the three factors",
             numeric=lambda: ([0.705965367 * 0.184481731 * 0.597485766, 0.077815180], FN["g5"], T9)),
        Item("0.5 \\cdot 0.077815180 = 0.411092410", "right", "w_5 - eta dE/dw_5",
             numeric=lambda: ([0.45 - 0.5 * 0.077815180, 0.411092410], 0.45 - 0.5 * FN["g5"], T9)),
        Item("\\delta_{o1} = \\frac{\\partial E_{total}}{\\partial net_{o1}} =", "right",
             "delta of o1 (defined as dE/dnet_o1, and its value)",
             value=lambda c: c.d1, truth=lambda c: c.net.dz(2)[0, 0]),
        Item("\\delta_{o2} = \\frac{\\partial E_{total}}{\\partial net_{o2}} =", "right",
             "delta of o2 (defined as dE/dnet_o2, and its value)",
             value=lambda c: c.d2, truth=lambda c: c.net.dz(2)[1, 0]),
        Item("\\frac{\\partial E_{total}}{\\partial w_6} = \\delta_{o1} \\, out_{h1}", "wrong",
             "w_6 connects h2 to o1: the factor is out_h2, not out_h1", ["index"],
             value=lambda c: c.d1 * c.oh1, truth=lambda c: c.net.dW(2)[0, 1]),
        Item("\\frac{\\partial E_{total}}{\\partial w_7} = -(target_{o2}", "right", "delta_o2 out_h1",
             value=lambda c: -(c.t2 - c.oo2) * c.oo2 * (1 - c.oo2) * c.oh1,
             truth=lambda c: c.net.dW(2)[1, 0]),
        Item("\\frac{\\partial E_{total}}{\\partial w_8} = (target_{o2}", "wrong",
             "the minus sign of dE/dout_o2 is lost", ["sign"],
             value=lambda c: (c.t2 - c.oo2) * c.oo2 * (1 - c.oo2) * c.oh2,
             truth=lambda c: c.net.dW(2)[1, 1]),
        Item("\\frac{\\partial E_{total}}{\\partial b_3} = -(target_{o1}", "right", "delta_o1 times 1",
             value=lambda c: -(c.t1 - c.oo1) * c.oo1 * (1 - c.oo1),
             truth=lambda c: c.net.db(2)[0, 0]),
        Item("\\frac{\\partial E_{total}}{\\partial out_{h1}} = \\frac{\\partial E_{o1}}", "right",
             "out_h1 reaches the loss through both outputs",
             value=lambda c: fd1(lambda v: c.E_o(1, v), c.oh1) + fd1(lambda v: c.E_o(2, v), c.oh1),
             truth=lambda c: c.net.da(1)[0, 0]),
        Item("\\frac{\\partial E_{o1}}{\\partial out_{h1}} = \\delta_{o1} \\cdot w_5", "right",
             "w_5 carries out_h1 into o1",
             value=lambda c: c.d1 * c.w5, truth=lambda c: fd1(lambda v: c.E_o(1, v), c.oh1)),
        Item("\\frac{\\partial E_{o2}}{\\partial out_{h1}} = \\delta_{o2} \\cdot w_6", "wrong",
             "out_h1 reaches o2 through w_7; w_6 connects h2 to o1", ["index"],
             value=lambda c: c.d2 * c.w6, truth=lambda c: fd1(lambda v: c.E_o(2, v), c.oh1)),
        Item("\\frac{\\partial out_{h1}}{\\partial net_{h1}} = out_{h1} (1 - out_{h1})", "right",
             "logistic derivative", value=lambda c: c.oh1 * (1 - c.oh1),
             truth=lambda c: fd1(sigmoid, c.nh1)),
        Item("= 0.597485766 \\, (1 - 0.597485766)", "right", "0.597485766 * 0.402514234",
             numeric=lambda: ([0.597485766 * (1 - 0.597485766)], FN["doh1"], T9)),
        Item("= 0.250496525", "wrong", "arithmetic slip: the product is 0.240496525", [],
             numeric=lambda: ([0.250496525], FN["doh1"], T9)),
        Item("\\frac{\\partial E_{total}}{\\partial w_1} = (\\delta_{o1} w_5", "right",
             "(delta_o1 w_5 + delta_o2 w_7) sigma'(net_h1) i_1",
             value=lambda c: (c.d1 * c.w5 + c.d2 * c.w7) * c.oh1 * (1 - c.oh1) * c.i1,
             truth=lambda c: c.net.dW(1)[0, 0]),
        Item("= 0.043478959 \\cdot 0.240496525 \\cdot 0.10", "right", "printed factors of the line above",
             numeric=lambda: ([0.043478959 * 0.240496525 * 0.10], FN["g1"], T9)),
        Item("= 0.001045654", "right", "the product", numeric=lambda: ([0.001045654], FN["g1"], T9)),
        Item("w_1^{+} = 0.20 - 0.5 \\cdot 0.001045654 = 0.199477173", "right", "w_1 - eta dE/dw_1",
             numeric=lambda: ([0.20 - 0.5 * 0.001045654, 0.199477173], 0.20 - 0.5 * FN["g1"], T9)),
        Item("\\frac{\\partial E_{total}}{\\partial w_2} = (\\delta_{o1} w_5", "right",
             "as w_1 with i_2",
             value=lambda c: (c.d1 * c.w5 + c.d2 * c.w7) * c.oh1 * (1 - c.oh1) * c.i2,
             truth=lambda c: c.net.dW(1)[0, 1]),
        Item("\\frac{\\partial E_{total}}{\\partial w_3} = (\\delta_{o1} w_6", "wrong",
             "the factor out_h2 (1 - out_h2) of the hidden neuron is missing", ["missing-activation-derivative"],
             value=lambda c: (c.d1 * c.w6 + c.d2 * c.w8) * c.i1,
             truth=lambda c: c.net.dW(1)[1, 0]),
        Item("\\frac{\\partial E_{total}}{\\partial w_9}", "wrong",
             "there is no w_9 in this network; the right side is dE_total/dw_4", ["wrong-parameter"],
             nonexistent="w_9",
             value=lambda c: (c.d1 * c.w6 + c.d2 * c.w8) * c.oh2 * (1 - c.oh2) * c.i2,
             truth=lambda c: c.net.dW(1)[1, 1]),
    ],
))


# --------------------------------------------------------------------------
# rows_batch.md: batch rows, X W_h + b_h, 3-4-2 sigmoid, l = sum 0.5 (o - y)^2
# summed over the batch
# --------------------------------------------------------------------------

class Rows:
    def __init__(self, net):
        self.net = net
        self.X, self.y = net.x.T, net.y.T
        self.Wh, self.Wo = net.W[1].T, net.W[2].T
        self.zh, self.zo = net.z[1].T, net.z[2].T
        self.h, self.o = net.a[1].T, net.a[2].T
        self.one = np.ones((net.m, 1))
        self.do = (self.o - self.y) * self.o * (1 - self.o)
        self.dh = (self.do @ self.Wo.T) * self.h * (1 - self.h)


def rows_make(seed):
    return Rows(Net([3, 4, 2], "sigmoid", "half-mse", True, seed, m=5, batch="sum"))


def fd_elementwise(f, z):
    return stencil(f(z + 2 * H), f(z + H), f(z - H), f(z - 2 * H))


ARTICLES.append(Article(
    name="rows_batch.md",
    meta={
        "convention": "row-vector batch notation: one example per row, z_h = X W_h + b_h, h = sigma(z_h), "
                      "o = sigma(h W_o + b_o), l(o, y) = sum 0.5 (o - y)^2, gradients X^T delta, "
                      "odot element-wise, ```math fences",
        "source_of_convention": "Stanford CS231n notes (linear layer backprop, X W + b, dW = X^T dout) and "
                                "'neural network from scratch' blog series written with ```math blocks",
        "arch": "3-4-2", "activation": "sigmoid", "loss": "half-mse", "bias": True, "notation": "rows",
        "symbols": "X=(x^{(1)})^T, h=(x^{(2)})^T, o=(x^{(3)})^T, z_h=(z^{(2)})^T, z_o=(z^{(3)})^T, "
                   "W_h=(\\underline{w}^{(1 \\rightarrow 2)})^T, W_o=(\\underline{w}^{(2 \\rightarrow 3)})^T, "
                   "b_h=(b^{(2)})^T, b_o=(b^{(3)})^T, y=y^T, l=L",
        "notes": "batch of m examples as rows; the loss is summed over the batch and the outputs (no mean); "
                 "\\mathbf{1} is the column of m ones; checked with m = 5",
    },
    make=rows_make,
    items=[
        Item("z_h = X W_h + b_h", "definition", "hidden pre-activation, bias row broadcast",
             value=lambda c: c.X @ c.Wh + c.net.b[1].T, truth=lambda c: c.zh),
        Item("h = \\sigma(z_h)", "definition", "hidden output",
             value=lambda c: sigmoid(c.zh), truth=lambda c: c.h),
        Item("z_o = h W_o + b_o", "definition", "output pre-activation",
             value=lambda c: c.h @ c.Wo + c.net.b[2].T, truth=lambda c: c.zo),
        Item("o = \\sigma(z_o)", "definition", "output",
             value=lambda c: sigmoid(c.zo), truth=lambda c: c.o),
        Item("l(o, y) = \\sum 0.5 (o - y)^2", "definition", "half squared error summed over rows and outputs",
             value=lambda c: np.sum(0.5 * (c.o - c.y) ** 2), truth=lambda c: c.net.loss),
        Item("\\frac{\\partial l}{\\partial o} = o - y", "right", "derivative of 0.5 (o - y)^2",
             value=lambda c: c.o - c.y, truth=lambda c: c.net.da(2).T),
        Item("\\frac{\\partial o}{\\partial z_o} = o \\odot (1 - o)", "right",
             "sigma' = sigma (1 - sigma), element-wise",
             value=lambda c: c.o * (1 - c.o), truth=lambda c: fd_elementwise(sigmoid, c.zo)),
        Item("\\frac{\\partial o}{\\partial z_o} = \\frac{e^{-o}}", "wrong",
             "this is sigma'(o): the derivative must be taken at z_o, not at the output o",
             ["derivative-at-wrong-argument"],
             value=lambda c: np.exp(-c.o) / (1 + np.exp(-c.o)) ** 2,
             truth=lambda c: fd_elementwise(sigmoid, c.zo)),
        Item("\\delta_o = \\frac{\\partial l}{\\partial z_o} = (o - y)", "right", "output error signal",
             value=lambda c: c.do, truth=lambda c: c.net.dz(2).T),
        Item("\\frac{\\partial l}{\\partial W_o} = h^T \\delta_o", "right", "(4 x m)(m x 2): sum of outer products",
             value=lambda c: c.h.T @ c.do, truth=lambda c: c.net.dW(2).T),
        Item("\\frac{\\partial l}{\\partial W_o} = \\delta_o^T h", "wrong",
             "gives the 2 x 4 transpose of the 4 x 2 gradient", ["transposed"],
             value=lambda c: c.do.T @ c.h, truth=lambda c: c.net.dW(2).T),
        Item("\\frac{\\partial l}{\\partial b_o} = \\mathbf{1}^T \\delta_o", "right", "column sums of delta_o",
             value=lambda c: c.one.T @ c.do, truth=lambda c: c.net.db(2).T),
        Item("\\frac{\\partial l}{\\partial h} = \\delta_o W_o^T", "right", "back through the linear map of the output layer",
             value=lambda c: c.do @ c.Wo.T, truth=lambda c: c.net.da(1).T),
        Item("\\delta_h = \\frac{\\partial l}{\\partial z_h} = (\\delta_o W_o^T)", "right", "hidden error signal",
             value=lambda c: c.dh, truth=lambda c: c.net.dz(1).T),
        Item("\\frac{\\partial l}{\\partial z_h} = (\\delta_o W_o) \\odot", "wrong",
             "W_o must be transposed: (m x 2)(4 x 2) does not even multiply", ["transposed"],
             value=lambda c: (c.do @ c.Wo) * c.h * (1 - c.h), truth=lambda c: c.net.dz(1).T),
        Item("\\frac{\\partial l}{\\partial W_h} = X^T \\delta_h", "right", "(3 x m)(m x 4)",
             value=lambda c: c.X.T @ c.dh, truth=lambda c: c.net.dW(1).T),
        Item("\\frac{\\partial l}{\\partial b_h} = \\mathbf{1}^T \\delta_h", "right", "column sums of delta_h",
             value=lambda c: c.one.T @ c.dh, truth=lambda c: c.net.db(1).T),
        Item("\\frac{\\partial l}{\\partial W_h} = X^T (\\delta_o W_o^T)", "wrong",
             "the factor h (1 - h) of the hidden sigmoid is missing", ["missing-activation-derivative"],
             value=lambda c: c.X.T @ (c.do @ c.Wo.T), truth=lambda c: c.net.dW(1).T),
        Item("\\frac{\\partial l}{\\partial W_h} = h^T \\delta_h", "wrong",
             "the input of the hidden layer is X, not h (and h^T delta_h is 4 x 4)", ["wrong-layer"],
             value=lambda c: c.h.T @ c.dh, truth=lambda c: c.net.dW(1).T),
        Item("\\frac{\\partial l}{\\partial o} = 2 (o - y)", "wrong",
             "the 0.5 in the loss cancels the 2: the factor 2 is extra", ["factor"],
             value=lambda c: 2 * (c.o - c.y), truth=lambda c: c.net.da(2).T),
        Item("\\frac{\\partial l}{\\partial b_o} = \\delta_o", "wrong",
             "the bias gradient sums delta_o over the batch rows: 1 x 2, not m x 2", ["shape"],
             value=lambda c: c.do, truth=lambda c: c.net.db(2).T),
    ],
))


# --------------------------------------------------------------------------
# nielsen_four_equations.md: a^l_j, z^l_j, w^l_{jk} (k in l-1 -> j in l),
# layers from 1, 2-3-3-2 sigmoid, C = 1/2 sum_j (y_j - a^L_j)^2, BP1-BP4
# --------------------------------------------------------------------------

def cat(parts):
    return np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in parts])


class Layered:
    """Layer-numbered view of a single-example network: layer `first` is the input."""

    def __init__(self, net, first=1):
        self.net, self.first = net, first
        self.L = net.L - 1 + first          # number of the output layer
        self._delta = {}

    def a(self, l):
        return self.net.a[l - self.first][:, 0]

    def z(self, l):
        return self.net.z[l - self.first][:, 0]

    def w(self, l):
        return self.net.W[l - self.first]

    def b(self, l):
        return self.net.b[l - self.first][:, 0]

    def sp(self, l):
        return self.net.fp(l - self.first, self.net.z[l - self.first])[:, 0]

    def delta(self, l):   # finite differences of the loss with respect to z^l
        if l not in self._delta:
            self._delta[l] = self.net.dz(l - self.first)[:, 0]
        return self._delta[l]

    def gw(self, l):
        return self.net.dW(l - self.first)

    def gb(self, l):
        return self.net.db(l - self.first)[:, 0]

    def hidden(self):
        return range(self.first + 1, self.L)

    def layers(self):       # every layer with weights
        return range(self.first + 1, self.L + 1)


def niel_make(seed):
    return Layered(Net([2, 3, 3, 2], "sigmoid", "half-mse", True, seed), first=1)


def each_jk(c, f):
    """[f(l, j, k) for every weight w^l_{jk}] in a fixed order (layers, rows, columns)."""
    out = []
    for l in c.layers():
        rows, cols = c.w(l).shape
        out += [f(l, j, k) for j in range(rows) for k in range(cols)]
    return np.array(out)


def index_safe(f):
    """A formula that indexes past a layer's width is a difference, like a shape error."""
    def g(c):
        try:
            return f(c)
        except IndexError:
            raise ValueError("index out of range")
    return g


ARTICLES.append(Article(
    name="nielsen_four_equations.md",
    meta={
        "convention": "Nielsen: a^l_j = sigma(z^l_j), z^l_j = sum_k w^l_{jk} a^{l-1}_k + b^l_j, w^l_{jk} from "
                      "neuron k of layer l-1 to neuron j of layer l, layers from 1 (input), delta^l_j = dC/dz^l_j, "
                      "C = 1/2 sum_j (y_j - a^L_j)^2, BP1-BP4",
        "source_of_convention": "Michael Nielsen, 'Neural Networks and Deep Learning', chapter 2 "
                                "(neuralnetworksanddeeplearning.com/chap2.html)",
        "arch": "2-3-3-2", "activation": "sigmoid", "loss": "half-mse", "bias": True, "notation": "nielsen",
        "symbols": "a^l_j=x_j^{(l)}, z^l_j=z_j^{(l)}, w^l_{jk}=w_{jk}^{(l-1 \\rightarrow l)}, b^l_j=b_j^{(l)}, "
                   "\\sigma'(z^l_j)=x_j^{(l)'}, C=L, L=4",
        "notes": "general-l formulas were checked for every layer l the network has (weights: l = 2, 3, 4; "
                 "hidden errors: l = 2, 3); one training example",
    },
    make=niel_make,
    items=[
        Item("z^l_j = \\sum_k w^l_{jk} a^{l-1}_k + b^l_j", "definition", "weighted input",
             value=lambda c: cat([c.w(l) @ c.a(l - 1) + c.b(l) for l in c.layers()]),
             truth=lambda c: cat([c.z(l) for l in c.layers()])),
        Item("a^l_j = \\sigma(z^l_j)", "definition", "activation",
             value=lambda c: cat([sigmoid(c.z(l)) for l in c.layers()]),
             truth=lambda c: cat([c.a(l) for l in c.layers()])),
        Item("C = \\frac{1}{2} \\sum_j (y_j - a^L_j)^2", "definition", "quadratic cost with 1/2",
             value=lambda c: 0.5 * np.sum((c.net.y[:, 0] - c.a(c.L)) ** 2), truth=lambda c: c.net.loss),
        Item("\\delta^l_j \\equiv \\frac{\\partial C}{\\partial z^l_j}", "definition", "the error of a neuron"),
        Item("\\frac{\\partial C}{\\partial a^L_j} = (a^L_j - y_j)", "right", "derivative of 1/2 (y - a)^2",
             value=lambda c: c.a(c.L) - c.net.y[:, 0], truth=lambda c: c.net.da(c.net.L - 1)[:, 0]),
        Item("\\sigma'(z^L_j) \\tag{BP1}", "right", "BP1",
             value=lambda c: (c.a(c.L) - c.net.y[:, 0]) * c.sp(c.L), truth=lambda c: c.delta(c.L)),
        Item("\\delta^L = \\nabla_a C \\odot \\sigma'(z^L)", "right", "BP1 in vector form",
             value=lambda c: c.net.da(c.net.L - 1)[:, 0] * c.sp(c.L), truth=lambda c: c.delta(c.L)),
        Item("\\delta^L = (a^L - y) \\odot \\sigma'(z^L)", "right", "BP1 for the quadratic cost",
             value=lambda c: (c.a(c.L) - c.net.y[:, 0]) * c.sp(c.L), truth=lambda c: c.delta(c.L)),
        Item("\\delta^L_j = (a^L_j - y_j) \\sigma'(a^L_j)", "wrong",
             "sigma' must be taken at z^L_j, not at the activation a^L_j", ["derivative-at-wrong-argument"],
             value=lambda c: (c.a(c.L) - c.net.y[:, 0]) * dsigmoid(c.a(c.L)), truth=lambda c: c.delta(c.L)),
        Item("\\delta^L = (y - a^L) \\odot \\sigma'(z^L)", "wrong", "sign: (y - a^L) instead of (a^L - y)",
             ["sign"],
             value=lambda c: (c.net.y[:, 0] - c.a(c.L)) * c.sp(c.L), truth=lambda c: c.delta(c.L)),
        Item("\\delta^L_j = 2 (a^L_j - y_j) \\sigma'(z^L_j)", "wrong",
             "the cost has a factor 1/2, so there is no 2", ["factor"],
             value=lambda c: 2 * (c.a(c.L) - c.net.y[:, 0]) * c.sp(c.L), truth=lambda c: c.delta(c.L)),
        Item("\\tag{BP2}", "right", "BP2, checked for l = 2 and l = 3",
             value=lambda c: cat([(c.w(l + 1).T @ c.delta(l + 1)) * c.sp(l) for l in c.hidden()]),
             truth=lambda c: cat([c.delta(l) for l in c.hidden()])),
        Item("\\delta^l_j = \\sum_k w^{l+1}_{kj} \\delta^{l+1}_k \\sigma'(z^l_j)", "right",
             "BP2 component-wise; k runs over layer l+1",
             value=lambda c: cat([[sum(c.w(l + 1)[k, j] * c.delta(l + 1)[k] for k in range(c.w(l + 1).shape[0]))
                                   * c.sp(l)[j] for j in range(len(c.a(l)))] for l in c.hidden()]),
             truth=lambda c: cat([c.delta(l) for l in c.hidden()])),
        Item("\\delta^l_j = \\sum_k w^{l+1}_{jk} \\delta^{l+1}_k \\sigma'(z^l_j)", "wrong",
             "indices of w swapped: w^{l+1}_{kj} connects j in l to k in l+1 "
             "(for l = 3 the swapped index even runs past layer 4)", ["index"],
             value=index_safe(lambda c: cat([[sum(c.w(l + 1)[j, k] * c.delta(l + 1)[k]
                                                   for k in range(c.w(l + 1).shape[0]))
                                               * c.sp(l)[j] for j in range(len(c.a(l)))] for l in c.hidden()])),
             truth=lambda c: cat([c.delta(l) for l in c.hidden()])),
        Item("\\delta^l = (w^{l+1} \\delta^{l+1}) \\odot \\sigma'(z^l)", "wrong",
             "w^{l+1} must be transposed", ["transposed"],
             value=lambda c: cat([(c.w(l + 1) @ c.delta(l + 1)) * c.sp(l) for l in c.hidden()]),
             truth=lambda c: cat([c.delta(l) for l in c.hidden()])),
        Item("\\tag{BP3}", "right", "BP3, every layer",
             value=lambda c: cat([c.delta(l) for l in c.layers()]),
             truth=lambda c: cat([c.gb(l) for l in c.layers()])),
        Item("\\tag{BP4}", "right", "BP4, every layer",
             value=lambda c: each_jk(c, lambda l, j, k: c.a(l - 1)[k] * c.delta(l)[j]),
             truth=lambda c: each_jk(c, lambda l, j, k: c.gw(l)[j, k])),
        Item("\\frac{\\partial C}{\\partial w^l} = \\delta^l (a^{l-1})^T", "right", "BP4 as an outer product",
             value=lambda c: cat([np.outer(c.delta(l), c.a(l - 1)) for l in c.layers()]),
             truth=lambda c: cat([c.gw(l) for l in c.layers()])),
        Item("\\frac{\\partial C}{\\partial w^l_{jk}} = a^l_k \\delta^l_j", "wrong",
             "the activation is the one feeding the weight, a^{l-1}_k, not a^l_k", ["wrong-layer"],
             value=index_safe(lambda c: each_jk(c, lambda l, j, k: c.a(l)[k] * c.delta(l)[j])),
             truth=lambda c: each_jk(c, lambda l, j, k: c.gw(l)[j, k])),
        Item("\\frac{\\partial C}{\\partial w^l_{jk}} = a^{l-1}_k \\delta^l_j \\sigma'(z^l_j)", "wrong",
             "delta^l_j already contains sigma'(z^l_j)", ["extra-activation-derivative"],
             value=lambda c: each_jk(c, lambda l, j, k: c.a(l - 1)[k] * c.delta(l)[j] * c.sp(l)[j]),
             truth=lambda c: each_jk(c, lambda l, j, k: c.gw(l)[j, k])),
    ],
))


# --------------------------------------------------------------------------
# ng_vectorized.md: A^{[l]}, Z^{[l]}, W^{[l]}, columns are examples, 2-4-1
# tanh,sigmoid, J = mean over the m examples of the binary cross-entropy
# dZ, dA: per-example loss derivatives (m dJ/dZ); dW, db: dJ/dW, dJ/db
# --------------------------------------------------------------------------

class Ng:
    def __init__(self, net):
        self.net, self.m = net, net.m
        self.X, self.Y = net.x, net.y
        self.W1, self.W2 = net.W[1], net.W[2]
        self.Z1, self.Z2 = net.z[1], net.z[2]
        self.A1, self.A2 = net.a[1], net.a[2]
        self._dz = {}

    def dZ(self, l):      # numbers: m dJ/dZ^{[l]}
        if l not in self._dz:
            self._dz[l] = self.m * self.net.dz(l)
        return self._dz[l]

    def dA(self, l):
        return self.m * self.net.da(l)

    def A(self, l):
        return self.net.a[l]

    def gp(self, l):
        return self.net.fp(l, self.net.z[l])


def ng_make(seed):
    return Ng(Net([2, 4, 1], "tanh,sigmoid", "bce", True, seed, m=6, batch="mean"))


ARTICLES.append(Article(
    name="ng_vectorized.md",
    meta={
        "convention": "Ng / deeplearning.ai: superscript [l] layer index from 0 (A^{[0]} = X), examples as columns, "
                      "m examples, Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}, dW^{[l]} = dJ/dW^{[l]} = "
                      "1/m dZ^{[l]} A^{[l-1]T}, dZ^{[l]} = per-example dL/dZ^{[l]}, * element-wise",
        "source_of_convention": "Andrew Ng, deeplearning.ai 'Neural Networks and Deep Learning' (Coursera), "
                                "weeks 3-4: 'Gradient descent for neural networks', 'Forward and backward "
                                "propagation'",
        "arch": "2-4-1", "activation": "tanh,sigmoid", "loss": "bce", "bias": True, "notation": "ng",
        "symbols": "A^{[0]}=X=x^{(1)}, A^{[1]}=x^{(2)}, A^{[2]}=x^{(3)}, Z^{[1]}=z^{(2)}, Z^{[2]}=z^{(3)}, "
                   "W^{[1]}=\\underline{w}^{(1 \\rightarrow 2)}, W^{[2]}=\\underline{w}^{(2 \\rightarrow 3)}, "
                   "b^{[1]}=b^{(2)}, b^{[2]}=b^{(3)}, Y=y, J=L",
        "notes": "batch of m examples as columns; J is the MEAN over the batch of the binary cross-entropy; "
                 "dW, db are dJ/dW, dJ/db; dZ, dA are the per-example loss derivatives, i.e. m dJ/dZ, m dJ/dA "
                 "(the course's convention, stated in the article); checked with m = 6; general-l lines "
                 "checked for l = 1, 2",
    },
    make=ng_make,
    items=[
        Item("Z^{[1]} = W^{[1]} X + b^{[1]}", "definition", "hidden pre-activation",
             value=lambda c: c.W1 @ c.X + c.net.b[1], truth=lambda c: c.Z1),
        Item("A^{[1]} = \\tanh(Z^{[1]})", "definition", "hidden activation",
             value=lambda c: np.tanh(c.Z1), truth=lambda c: c.A1),
        Item("Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}", "definition", "output pre-activation",
             value=lambda c: c.W2 @ c.A1 + c.net.b[2], truth=lambda c: c.Z2),
        Item("A^{[2]} = \\sigma(Z^{[2]})", "definition", "output activation",
             value=lambda c: sigmoid(c.Z2), truth=lambda c: c.A2),
        Item("\\mathcal{L}(a, y) = -\\left(", "definition", "binary cross-entropy of one example"),
        Item("J = \\frac{1}{m} \\sum_{i=1}^{m}", "definition", "cost: mean over the examples",
             value=lambda c: np.mean(-(c.Y * np.log(c.A2) + (1 - c.Y) * np.log(1 - c.A2))),
             truth=lambda c: c.net.loss),
        Item("dA^{[2]} = -\\frac{Y}{A^{[2]}}", "right", "dL/da of the cross-entropy",
             value=lambda c: -c.Y / c.A2 + (1 - c.Y) / (1 - c.A2), truth=lambda c: c.dA(2)),
        Item("dZ^{[2]} = dA^{[2]} * g^{[2]\\prime}(Z^{[2]})", "right", "chain rule through the sigmoid",
             value=lambda c: c.dA(2) * dsigmoid(c.Z2), truth=lambda c: c.dZ(2)),
        Item("dZ^{[2]} = A^{[2]} - Y", "right", "sigmoid with cross-entropy simplifies to a - y",
             value=lambda c: c.A2 - c.Y, truth=lambda c: c.dZ(2)),
        Item("dW^{[2]} = \\frac{1}{m} dZ^{[2]} A^{[1]T}", "right", "average of the per-example outer products",
             value=lambda c: c.dZ(2) @ c.A1.T / c.m, truth=lambda c: c.net.dW(2)),
        Item("db^{[2]} = \\frac{1}{m} \\sum", "right", "average of the columns of dZ^{[2]}",
             value=lambda c: c.dZ(2).sum(axis=1, keepdims=True) / c.m, truth=lambda c: c.net.db(2)),
        Item("dA^{[1]} = W^{[2]T} dZ^{[2]}", "right", "back through Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}",
             value=lambda c: c.W2.T @ c.dZ(2), truth=lambda c: c.dA(1)),
        Item("dZ^{[1]} = W^{[2]T} dZ^{[2]} * (1 - (A^{[1]})^2)", "right", "tanh' = 1 - tanh^2 = 1 - a^2",
             value=lambda c: (c.W2.T @ c.dZ(2)) * (1 - c.A1 ** 2), truth=lambda c: c.dZ(1)),
        Item("dW^{[1]} = \\frac{1}{m} dZ^{[1]} X^T", "right", "average of outer products with the inputs",
             value=lambda c: c.dZ(1) @ c.X.T / c.m, truth=lambda c: c.net.dW(1)),
        Item("db^{[1]} = \\frac{1}{m} \\sum", "right", "average of the columns of dZ^{[1]}",
             value=lambda c: c.dZ(1).sum(axis=1, keepdims=True) / c.m, truth=lambda c: c.net.db(1)),
        Item("dZ^{[l]} = dA^{[l]} * g^{[l]\\prime}(Z^{[l]})", "right", "general layer, l = 1, 2",
             value=lambda c: cat([c.dA(l) * c.gp(l) for l in (1, 2)]),
             truth=lambda c: cat([c.dZ(l) for l in (1, 2)])),
        Item("dW^{[l]} = \\frac{1}{m} dZ^{[l]} A^{[l-1]T}", "right", "general layer, l = 1, 2",
             value=lambda c: cat([c.dZ(l) @ c.A(l - 1).T / c.m for l in (1, 2)]),
             truth=lambda c: cat([c.net.dW(l) for l in (1, 2)])),
        Item("dA^{[l-1]} = W^{[l]T} dZ^{[l]}", "right", "general layer, l = 1, 2 (dA^{[0]} is the input gradient)",
             value=lambda c: cat([c.net.W[l].T @ c.dZ(l) for l in (1, 2)]),
             truth=lambda c: cat([c.dA(l - 1) for l in (1, 2)])),
        Item("dZ^{[2]} = (A^{[2]} - Y) * A^{[2]} (1 - A^{[2]})", "wrong",
             "squared-error gradient; with cross-entropy the sigmoid slope cancels: A^{[2]} - Y", ["wrong-loss"],
             value=lambda c: (c.A2 - c.Y) * c.A2 * (1 - c.A2), truth=lambda c: c.dZ(2)),
        Item("dW^{[2]} = dZ^{[2]} A^{[1]T}", "wrong", "the 1/m of the mean cost is missing", ["factor"],
             value=lambda c: c.dZ(2) @ c.A1.T, truth=lambda c: c.net.dW(2)),
        Item("db^{[1]} = \\sum_{i=1}^{m} dZ^{[1](i)}", "wrong", "the 1/m of the mean cost is missing", ["factor"],
             value=lambda c: c.dZ(1).sum(axis=1, keepdims=True), truth=lambda c: c.net.db(1)),
        Item("(1 - \\tanh^2(A^{[1]}))", "wrong",
             "tanh' taken at A^{[1]} instead of Z^{[1]} (1 - tanh^2(Z) = 1 - A^2)", ["derivative-at-wrong-argument"],
             value=lambda c: (c.W2.T @ c.dZ(2)) * (1 - np.tanh(c.A1) ** 2), truth=lambda c: c.dZ(1)),
        Item("dZ^{[1]} = W^{[2]} dZ^{[2]} * (1 - (A^{[1]})^2)", "wrong",
             "W^{[2]} (1 x 4) must be transposed to multiply dZ^{[2]} (1 x m)", ["transposed"],
             value=lambda c: (c.W2 @ c.dZ(2)) * (1 - c.A1 ** 2), truth=lambda c: c.dZ(1)),
        Item("dW^{[1]} = \\frac{1}{m} X dZ^{[1]T}", "wrong",
             "this is the 2 x 4 transpose of dW^{[1]}", ["transposed"],
             value=lambda c: c.X @ c.dZ(1).T / c.m, truth=lambda c: c.net.dW(1)),
        Item("dW^{[1]} = \\frac{1}{m} dZ^{[1]} A^{[1]T}", "wrong",
             "the input of layer 1 is A^{[0]} = X, not A^{[1]}", ["wrong-layer"],
             value=lambda c: c.dZ(1) @ c.A1.T / c.m, truth=lambda c: c.net.dW(1)),
    ],
))


# --------------------------------------------------------------------------
# reference_framed.md: reference notation of NOTATION.md, 3-2-2 sigmoid,
# MSE = sum_i (x_i^(3) - y_i)^2, no biases; framing \[ \], align, >, \tag
# --------------------------------------------------------------------------

class Ref:
    """x_i^{(l)}, x_i^{(l)'}, w_{ij}^{(l -> l+1)} with layers from 1, indices from 1."""

    def __init__(self, net):
        self.net = net

    def x(self, l, i):
        return self.net.a[l - 1][i - 1, 0]

    def xp(self, l, i):
        return dsigmoid(self.net.z[l - 1][i - 1, 0])

    def w(self, l, i, j):
        return self.net.W[l][i - 1, j - 1]

    def y(self, i):
        return self.net.y[i - 1, 0]

    def g(self, l, i, j):          # finite differences of MSE by w_{ij}^{(l -> l+1)}
        return self.net.dW(l)[i - 1, j - 1]

    def vx(self, l):
        return self.net.a[l - 1]

    def vxp(self, l):
        return dsigmoid(self.net.z[l - 1])

    def d3(self):
        return 2 * (self.vx(3) - self.net.y) * self.vxp(3)

    def d2(self):
        return (self.net.W[2].T @ self.d3()) * self.vxp(2)


def ref_make(seed):
    return Ref(Net([3, 2, 2], "sigmoid", "mse", False, seed))


def out_term(c, i, wi, hidden_prime, j_in, layer_prime=2):
    """2 (x_i^(3) - y_i) x_i^(3)' w_{i wi}^(2->3) x_{hidden_prime}^(layer_prime)' x_{j_in}"""
    return 2 * (c.x(3, i) - c.y(i)) * c.xp(3, i) * c.w(2, i, wi) * c.xp(layer_prime, hidden_prime) * c.x(1, j_in)


ARTICLES.append(Article(
    name="reference_framed.md",
    meta={
        "convention": "the project's reference notation (NOTATION.md): x_i^{(l)}, x_i^{(l)\\;'}, "
                      "w_{ij}^{(l \\rightarrow l+1)} (first index: destination), \\underline{w}, \\vec{\\delta}, "
                      "MSE = sum_i (x_i^{(3)} - y_i)^2",
        "source_of_convention": "/work/shared/NOTATION.md, after the 3-2-2 blog article the project grew from "
                                "(William Bidle, 'Demystifying Machine Learning', 2023)",
        "arch": "3-2-2", "activation": "sigmoid", "loss": "mse", "bias": False, "notation": "arrows",
        "notes": "framing varies on purpose: \\[ \\], align environments outside $, > blockquoted $$ blocks, "
                 "\\tag, a $$ block holding a chain broken with \\\\",
    },
    make=ref_make,
    items=[
        Item("MSE = \\sum_i (x_i^{(3)} - y_i)^2", "definition", "the loss, a sum without 1/2",
             value=lambda c: sum((c.x(3, i) - c.y(i)) ** 2 for i in (1, 2)), truth=lambda c: c.net.loss),
        Item("x_1^{(2)} = \\sigma\\left(w_{11}^{(1", "definition", "hidden node 1",
             value=lambda c: sigmoid(sum(c.w(1, 1, j) * c.x(1, j) for j in (1, 2, 3))), truth=lambda c: c.x(2, 1)),
        Item("x_2^{(2)} = \\sigma\\left(w_{21}^{(1", "definition", "hidden node 2",
             value=lambda c: sigmoid(sum(c.w(1, 2, j) * c.x(1, j) for j in (1, 2, 3))), truth=lambda c: c.x(2, 2)),
        Item("x_1^{(3)} &= \\sigma", "definition", "output node 1",
             value=lambda c: sigmoid(c.w(2, 1, 1) * c.x(2, 1) + c.w(2, 1, 2) * c.x(2, 2)),
             truth=lambda c: c.x(3, 1)),
        Item("x_2^{(3)} &= \\sigma", "definition", "output node 2",
             value=lambda c: sigmoid(c.w(2, 2, 1) * c.x(2, 1) + c.w(2, 2, 2) * c.x(2, 2)),
             truth=lambda c: c.x(3, 2)),
        Item("\\left[ (x_2^{(3)} - y_2)^2 \\right]", "right",
             "only the second square depends on w_21^(2->3) (member checked as the derivative of that square)",
             value=lambda c: 2 * (c.x(3, 2) - c.y(2)) * c.xp(3, 2) * c.x(2, 1), truth=lambda c: c.g(2, 2, 1)),
        Item("\\frac{\\partial x_2^{(3)}}{\\partial w_{21}", "right", "outer square differentiated",
             value=lambda c: 2 * (c.x(3, 2) - c.y(2)) * c.xp(3, 2) * c.x(2, 1), truth=lambda c: c.g(2, 2, 1)),
        Item("x_1^{(2)} \\tag{1}", "right", "the short form",
             value=lambda c: 2 * (c.x(3, 2) - c.y(2)) * c.xp(3, 2) * c.x(2, 1), truth=lambda c: c.g(2, 2, 1)),
        Item("\\sigma'\\left(w_{21}", "right", "sigma' written at the pre-activation of x_2^(3)",
             value=lambda c: 2 * (c.x(3, 2) - c.y(2)) * dsigmoid(c.w(2, 2, 1) * c.x(2, 1) + c.w(2, 2, 2) * c.x(2, 2))
             * c.x(2, 2), truth=lambda c: c.g(2, 2, 2)),
        Item("= (x_2^{(3)} - y_2) \\, x_2^{(3)\\;'} \\, x_2^{(2)} \\\\", "wrong",
             "the factor 2 from the square is missing in the middle member of the chain", ["factor"],
             value=lambda c: (c.x(3, 2) - c.y(2)) * c.xp(3, 2) * c.x(2, 2), truth=lambda c: c.g(2, 2, 2)),
        Item("= 2 (x_2^{(3)} - y_2) \\, x_2^{(3)\\;'} \\, x_2^{(2)}", "right", "last member, correct again",
             value=lambda c: 2 * (c.x(3, 2) - c.y(2)) * c.xp(3, 2) * c.x(2, 2), truth=lambda c: c.g(2, 2, 2)),
        Item("w_{11}^{(2 \\rightarrow 3)}} = 2 (x_1^{(3)} - y_1) \\, x_1^{(3)\\;'} \\, x_1^{(2)}", "right",
             "output 1, hidden 1",
             value=lambda c: 2 * (c.x(3, 1) - c.y(1)) * c.xp(3, 1) * c.x(2, 1), truth=lambda c: c.g(2, 1, 1)),
        Item("2 (y_1 - x_1^{(3)})", "wrong", "sign: (y_1 - x_1^(3)) instead of (x_1^(3) - y_1)", ["sign"],
             value=lambda c: 2 * (c.y(1) - c.x(3, 1)) * c.xp(3, 1) * c.x(2, 2), truth=lambda c: c.g(2, 1, 2)),
        Item("\\partial w_{13}^{(2 \\rightarrow 3)}}", "wrong",
             "there is no w_13^(2->3) (layer 2 has two nodes); the right side is dMSE/dw_12^(2->3)",
             ["wrong-parameter"], nonexistent="w_{13}^{(2 \\rightarrow 3)}",
             value=lambda c: 2 * (c.x(3, 1) - c.y(1)) * c.xp(3, 1) * c.x(2, 2), truth=lambda c: c.g(2, 1, 2)),
        Item("w_{11}^{(2 \\rightarrow 3)}} = (x_1^{(3)} - y_1) \\, x_1^{(2)}", "wrong",
             "both the factor 2 and x_1^(3)' are missing", ["factor", "missing-activation-derivative"],
             value=lambda c: (c.x(3, 1) - c.y(1)) * c.x(2, 1), truth=lambda c: c.g(2, 1, 1)),
        Item("\\tag{2} \\]", "right", "both outputs, through w_11^(2->3) and w_21^(2->3)",
             value=lambda c: out_term(c, 1, 1, 1, 2) + out_term(c, 2, 1, 1, 2), truth=lambda c: c.g(1, 1, 2)),
        Item("\\partial w_{23}^{(1 \\rightarrow 2)}} =", "wrong",
             "hidden node 2 reaches output 2 through w_22^(2->3), not w_21^(2->3)", ["index"],
             value=lambda c: out_term(c, 1, 2, 2, 3) + out_term(c, 2, 1, 2, 3), truth=lambda c: c.g(1, 2, 3)),
        Item("\\sum_i 2 (x_i^{(3)} - y_i)", "right", "the sum over outputs i, first member of the chain",
             value=lambda c: sum(out_term(c, i, 1, 1, 1) for i in (1, 2)), truth=lambda c: c.g(1, 1, 1)),
        Item("\\tag{3}", "wrong", "expanding the sum dropped x_1^(2)' from both terms",
             ["missing-activation-derivative"],
             value=lambda c: sum(2 * (c.x(3, i) - c.y(i)) * c.xp(3, i) * c.w(2, i, 1) * c.x(1, 1) for i in (1, 2)),
             truth=lambda c: c.g(1, 1, 1)),
        Item("\\partial w_{21}^{(1 \\rightarrow 2)}} =", "wrong",
             "x_2^(3)' (output layer) written where the hidden node's x_2^(2)' belongs", ["wrong-layer"],
             value=lambda c: out_term(c, 1, 2, 2, 1, layer_prime=3) + out_term(c, 2, 2, 2, 1, layer_prime=3),
             truth=lambda c: c.g(1, 2, 1)),
        Item("\\vec{\\delta}^{(3)} = 2(", "definition", "output error vector (checked: equals dMSE/dz^(3))",
             value=lambda c: c.d3(), truth=lambda c: c.net.dz(2)),
        Item("\\vec{\\delta}^{(2)} = \\big(", "definition", "hidden error vector (checked: equals dMSE/dz^(2))",
             value=lambda c: c.d2(), truth=lambda c: c.net.dz(1)),
        Item("\\tag{4}", "right", "outer product delta^(3) x^(2)T",
             value=lambda c: c.d3() @ c.vx(2).T, truth=lambda c: c.net.dW(2)),
        Item("\\mathrm{diag}", "right", "diag(2(x_i - y_i)) times column x' times row x^(2)T",
             value=lambda c: np.diag(2 * (c.vx(3) - c.net.y)[:, 0]) @ c.vxp(3) @ c.vx(2).T,
             truth=lambda c: c.net.dW(2)),
        Item("\\tag{5}", "right", "outer product delta^(2) x^(1)T",
             value=lambda c: c.d2() @ c.vx(1).T, truth=lambda c: c.net.dW(1)),
        Item("MSE = \\vec{x}^{(1)} \\, (\\vec{\\delta}^{(2)})^T", "wrong",
             "the 3 x 2 transpose of the 2 x 3 gradient", ["transposed"],
             value=lambda c: c.vx(1) @ c.d2().T, truth=lambda c: c.net.dW(1)),
        Item("_{new} =", "definition", "gradient-descent update (an assignment, not a claim)"),
    ],
))


# --------------------------------------------------------------------------
# general_index.md: w_{ij}^l from node i of layer l-1 to node j of layer l,
# input = layer 0, 2-3-2-2 sigmoid, C = 1/2 sum_i (a_i^L - t_i)^2, biases
# --------------------------------------------------------------------------

class Gen(Layered):
    """Source-first weights: w_{ij}^l = W[l][j, i]; indices from 0 in the transcriptions."""

    def ws(self, l, i, j):
        return self.w(l)[j, i]

    def dz_next(self, l, k, j):
        """d z_k^{l+1} / d z_j^l by finite differences of the forward map."""
        z = self.z(l).copy()

        def zk(v):
            zz = z.copy()
            zz[j] = v
            return (self.w(l + 1) @ sigmoid(zz) + self.b(l + 1))[k]
        return fd1(zk, z[j])

    def da_dw(self, l, k, j):
        """d a_k^l / d w_{jk}^l by finite differences (perturb the weight, rerun)."""
        W = self.net.W[l - self.first]

        def ak(v):
            old = W[k, j]
            W[k, j] = v
            self.net.run()
            out = self.net.a[l - self.first][k, 0]
            W[k, j] = old
            self.net.run()
            return out
        return fd1(ak, W[k, j])

    def M(self, l):
        return len(self.a(l))


def gen_make(seed):
    return Gen(Net([2, 3, 2, 2], "sigmoid", "half-mse", True, seed), first=0)


def each_ij(c, layers, f):
    """[f(l, i, j) for every w_{ij}^l], i in layer l-1, j in layer l."""
    return np.array([f(l, i, j) for l in layers for i in range(c.M(l - 1)) for j in range(c.M(l))])


def each_j(c, layers, f):
    return np.array([f(l, j) for l in layers for j in range(c.M(l))])


ARTICLES.append(Article(
    name="general_index.md",
    meta={
        "convention": "general-index lecture notes: z_j^l = sum_{i=1}^{M_{l-1}} w_{ij}^l a_i^{l-1} + b_j^l, "
                      "w_{ij}^l from node i of layer l-1 to node j of layer l (first index: SOURCE), a_i^0 = x_i, "
                      "f activation, {\\cal C} = 1/2 sum_i (a_i^L - t_i)^2, delta_j^l = dC/dz_j^l, free indices "
                      "j, k, i and general layer l",
        "source_of_convention": "Morten Hjorth-Jensen, 'Applied Data Analysis and Machine Learning' "
                                "(FYS-STK3155/4155, compphysics.github.io/MachineLearning), lectures on neural "
                                "networks and back propagation",
        "arch": "2-3-2-2", "activation": "sigmoid", "loss": "half-mse", "bias": True, "notation": "auto",
        "symbols": "a_j^l=x_j^{(l+1)}, z_j^l=z_j^{(l+1)}, w_{ij}^l=w_{ji}^{(l \\rightarrow l+1)}, "
                   "b_j^l=b_j^{(l+1)}, f=\\sigma, t_i=y_i, {\\cal C}=L, L=3 (output layer; reference layer 4)",
        "notes": "general-l formulas were checked for every layer the network has (weights and biases l = 1, 2, 3; "
                 "hidden errors l = 1, 2); the w_{kj} slip in the delta recursion is the index order of the "
                 "Nielsen convention, which the course notes also print next to their source-first definition",
    },
    make=gen_make,
    items=[
        Item("z_j^l = \\sum_{i=1}^{M_{l-1}} w_{ij}^l a_i^{l-1} + b_j^l", "definition", "weighted input",
             value=lambda c: each_j(c, c.layers(), lambda l, j: sum(c.ws(l, i, j) * c.a(l - 1)[i]
                                                                   for i in range(c.M(l - 1))) + c.b(l)[j]),
             truth=lambda c: each_j(c, c.layers(), lambda l, j: c.z(l)[j])),
        Item("a_j^l = f(z_j^l) = \\frac{1}{1 + e^{-z_j^l}}", "definition", "sigmoid activation",
             value=lambda c: each_j(c, c.layers(), lambda l, j: 1 / (1 + np.exp(-c.z(l)[j]))),
             truth=lambda c: each_j(c, c.layers(), lambda l, j: c.a(l)[j])),
        Item("{\\cal C} = \\frac{1}{2} \\sum_{i=1}^{M_L}", "definition", "cost with 1/2",
             value=lambda c: 0.5 * sum((c.a(c.L)[i] - c.net.y[i, 0]) ** 2 for i in range(c.M(c.L))),
             truth=lambda c: c.net.loss),
        Item("\\frac{\\partial a_k^L}{\\partial w_{jk}^L} = f'(z_k^L) a_j^{L-1}", "right",
             "a_k^L = f(sum_j w_{jk}^L a_j^{L-1} + b_k^L)",
             value=lambda c: each_ij(c, [c.L], lambda l, j, k: c.sp(l)[k] * c.a(l - 1)[j]),
             truth=lambda c: each_ij(c, [c.L], lambda l, j, k: c.da_dw(l, k, j))),
        Item("(a_k^L - t_k) \\frac{\\partial a_k^L}{\\partial w_{jk}^L}", "right", "only a_k^L depends on w_{jk}^L",
             value=lambda c: each_ij(c, [c.L], lambda l, j, k: (c.a(l)[k] - c.net.y[k, 0]) * c.da_dw(l, k, j)),
             truth=lambda c: each_ij(c, [c.L], lambda l, j, k: c.gw(l)[k, j])),
        Item("(a_k^L - t_k) a_k^L (1 - a_k^L) a_j^{L-1}", "right", "f' = f (1 - f) for the sigmoid",
             value=lambda c: each_ij(c, [c.L], lambda l, j, k: (c.a(l)[k] - c.net.y[k, 0]) * c.a(l)[k]
                                     * (1 - c.a(l)[k]) * c.a(l - 1)[j]),
             truth=lambda c: each_ij(c, [c.L], lambda l, j, k: c.gw(l)[k, j])),
        Item("\\delta_j^L = \\frac{\\partial {\\cal C}}{\\partial z_j^L}", "definition", "output error"),
        Item("\\delta_j^L = f'(z_j^L) \\frac{\\partial {\\cal C}}{\\partial a_j^L} = f'(z_j^L) (a_j^L - t_j)", "right",
             "chain rule through a_j^L; both members equal",
             value=lambda c: c.sp(c.L) * (c.a(c.L) - c.net.y[:, 0]), truth=lambda c: c.delta(c.L)),
        Item("\\delta_j^L = (t_j - a_j^L) f'(z_j^L)", "wrong", "sign: (t_j - a_j^L) instead of (a_j^L - t_j)",
             ["sign"],
             value=lambda c: (c.net.y[:, 0] - c.a(c.L)) * c.sp(c.L), truth=lambda c: c.delta(c.L)),
        Item("= \\delta_k^L a_j^{L-1}", "right", "output weights from the output error",
             value=lambda c: each_ij(c, [c.L], lambda l, j, k: c.delta(l)[k] * c.a(l - 1)[j]),
             truth=lambda c: each_ij(c, [c.L], lambda l, j, k: c.gw(l)[k, j])),
        Item("{\\partial b_j^L} = \\delta_j^L", "right", "output biases",
             value=lambda c: c.delta(c.L), truth=lambda c: c.gb(c.L)),
        Item("\\delta_j^l = \\sum_k \\frac{\\partial {\\cal C}}{\\partial z_k^{l+1}}", "right",
             "chain rule over the nodes k of layer l+1 (l = 1, 2)",
             value=lambda c: each_j(c, c.hidden(), lambda l, j: sum(c.delta(l + 1)[k] * c.dz_next(l, k, j)
                                                                    for k in range(c.M(l + 1)))),
             truth=lambda c: each_j(c, c.hidden(), lambda l, j: c.delta(l)[j])),
        Item("w_{kj}^{l+1} f'(z_j^l)", "wrong",
             "with w_{ij}^l from i in l-1 to j in l, node j of layer l reaches node k of layer l+1 through "
             "w_{jk}^{l+1}, not w_{kj}^{l+1} (indices of the other convention)", ["index"],
             value=index_safe(lambda c: each_j(c, c.hidden(), lambda l, j: sum(
                 c.delta(l + 1)[k] * c.ws(l + 1, k, j) for k in range(c.M(l + 1))) * c.sp(l)[j])),
             truth=lambda c: each_j(c, c.hidden(), lambda l, j: c.delta(l)[j])),
        Item("w_{jk}^{l+1} f'(z_j^l)", "right", "the recursion with this article's index order",
             value=lambda c: each_j(c, c.hidden(), lambda l, j: sum(
                 c.delta(l + 1)[k] * c.ws(l + 1, j, k) for k in range(c.M(l + 1))) * c.sp(l)[j]),
             truth=lambda c: each_j(c, c.hidden(), lambda l, j: c.delta(l)[j])),
        Item("f'(z_k^{l+1})", "wrong", "f' belongs to node j of layer l, not to node k of layer l+1",
             ["wrong-layer"],
             value=lambda c: each_j(c, c.hidden(), lambda l, j: sum(
                 c.delta(l + 1)[k] * c.ws(l + 1, j, k) * c.sp(l + 1)[k] for k in range(c.M(l + 1)))),
             truth=lambda c: each_j(c, c.hidden(), lambda l, j: c.delta(l)[j])),
        Item("= \\delta_j^l a_i^{l-1}", "right", "every layer l = 1, 2, 3",
             value=lambda c: each_ij(c, c.layers(), lambda l, i, j: c.delta(l)[j] * c.a(l - 1)[i]),
             truth=lambda c: each_ij(c, c.layers(), lambda l, i, j: c.gw(l)[j, i])),
        Item("= \\delta_i^l a_j^{l-1}", "wrong", "i and j swapped (i is the source node in layer l-1)",
             ["index"],
             value=index_safe(lambda c: each_ij(c, c.layers(), lambda l, i, j: c.delta(l)[i] * c.a(l - 1)[j])),
             truth=lambda c: each_ij(c, c.layers(), lambda l, i, j: c.gw(l)[j, i])),
        Item("\\sum_{k=1}^{M_l} \\delta_k^l a_i^{l-1}", "wrong",
             "j must stay free: summing the errors of the whole layer gives the same value for every j",
             ["index"],
             value=lambda c: each_ij(c, c.layers(), lambda l, i, j: sum(c.delta(l)) * c.a(l - 1)[i]),
             truth=lambda c: each_ij(c, c.layers(), lambda l, i, j: c.gw(l)[j, i])),
        Item("^\\frac{\\partial {\\cal C}}{\\partial b_j^l} = \\delta_j^l$", "right", "every layer l = 1, 2, 3",
             value=lambda c: each_j(c, c.layers(), lambda l, j: c.delta(l)[j]),
             truth=lambda c: each_j(c, c.layers(), lambda l, j: c.gb(l)[j])),
        Item("{\\partial b_j^l} = \\delta_j^l f'(z_j^l)", "wrong", "delta_j^l already contains f'(z_j^l)",
             ["extra-activation-derivative"],
             value=lambda c: each_j(c, c.layers(), lambda l, j: c.delta(l)[j] * c.sp(l)[j]),
             truth=lambda c: each_j(c, c.layers(), lambda l, j: c.gb(l)[j])),
    ],
))


# --------------------------------------------------------------------------
# course_page_index.md: a_l^i (layer below, neuron above), w_{l-1}^{ij} from
# neuron j of layer l-1 to neuron i of layer l, input = layer 0, L = 2,
# 3-3-2, N = tanh, C = sum_i (a_L^i - y^i)^2, biases, \delta written for \partial
# --------------------------------------------------------------------------

class Course:
    def __init__(self, net):
        self.net = net
        self.L = 2

    def a(self, l, i):
        return self.net.a[l][i, 0]

    def w(self, l, i, j):           # w_l^{ij}: into layer l+1
        return self.net.W[l + 1][i, j]

    def b(self, l, i):
        return self.net.b[l][i, 0]

    def y(self, i):
        return self.net.y[i, 0]

    def n(self, l):
        return self.net.sizes[l]

    def pre(self, l, i):            # b_l^i + sum_k a_{l-1}^k w_{l-1}^{ik}
        return self.b(l, i) + sum(self.a(l - 1, k) * self.w(l - 1, i, k) for k in range(self.n(l - 1)))

    def dCda(self, l, j):
        return self.net.da(l)[j, 0]

    def dadw(self, l, i, j):        # d a_l^i / d w_{l-1}^{ij} by finite differences
        W = self.net.W[l]

        def ai(v):
            old = W[i, j]
            W[i, j] = v
            self.net.run()
            out = self.net.a[l][i, 0]
            W[i, j] = old
            self.net.run()
            return out
        return fd1(ai, W[i, j])


def Np(x):
    return 1 - np.tanh(x) ** 2


def course_make(seed):
    return Course(Net([3, 3, 2], "tanh", "mse", True, seed))


def out_w(c, f):
    """[f(i, j) for every w_{L-1}^{ij}]"""
    return np.array([f(i, j) for i in range(c.n(2)) for j in range(c.n(1))])


def hid_w(c, f):
    """[f(j, k) for every w_{L-2}^{jk}]"""
    return np.array([f(j, k) for j in range(c.n(1)) for k in range(c.n(0))])


ARTICLES.append(Article(
    name="course_page_index.md",
    meta={
        "convention": "course-page index style: a_l^i (layer subscript, neuron superscript), "
                      "a_l^i = N(b_l^i + sum_{j=1}^n a_{l-1}^j w_{l-1}^{ij}), w_{l-1}^{ij} from neuron j of layer "
                      "l-1 to neuron i of layer l, nonlinearity N, cost C = sum_i (a_L^i - y^i)^2, "
                      "\\frac{\\delta C}{\\delta w} meaning the partial derivative, one-line kramdown $$ blocks",
        "source_of_convention": "personal course-note pages on neural networks written in this style (the "
                                "general-index seed page the project was given, 'Machine Learning: With Math')",
        "arch": "3-3-2", "activation": "tanh", "loss": "mse", "bias": True, "notation": "auto",
        "symbols": "a_l^i=x_i^{(l+1)}, w_{l}^{ij}=w_{ij}^{(l+1 \\rightarrow l+2)}, b_l^i=b_i^{(l+1)}, N=\\tanh, "
                   "y^i=y_i, C=L, L=2 (output layer; reference layer 3)",
        "notes": "layers from 0 (input); \\delta in \\frac{\\delta C}{\\delta w} is the partial derivative, not an "
                 "error term; inline $$i$$ symbols in the prose are not equations",
    },
    make=course_make,
    items=[
        Item("a_l^i = N\\left(b_l^i", "definition", "forward pass of neuron i in layer l",
             value=lambda c: [np.tanh(c.pre(l, i)) for l in (1, 2) for i in range(c.n(l))],
             truth=lambda c: [c.a(l, i) for l in (1, 2) for i in range(c.n(l))]),
        Item("The superscript counts neurons", "not-an-equation", "prose with inline $$ symbols"),
        Item("N(x) = \\tanh(x), \\quad", "definition", "the nonlinearity and its derivative",
             value=lambda c: Np(c.net.z[1]), truth=lambda c: fd_elementwise(np.tanh, c.net.z[1])),
        Item("C = \\sum_{i=1}^{2}", "definition", "sum of squared errors, no 1/2",
             value=lambda c: sum((c.a(2, i) - c.y(i)) ** 2 for i in range(2)), truth=lambda c: c.net.loss),
        Item("\\frac{\\delta C}{\\delta a_L^i} = 2(a_L^i - y^i)", "right", "derivative of the square",
             value=lambda c: [2 * (c.a(2, i) - c.y(i)) for i in range(2)],
             truth=lambda c: [c.dCda(2, i) for i in range(2)]),
        Item("\\frac{\\delta a_L^i}{\\delta w_{L-1}^{ij}} = N'(", "right", "slope at the weighted input times input",
             value=lambda c: out_w(c, lambda i, j: Np(c.pre(2, i)) * c.a(1, j)),
             truth=lambda c: out_w(c, lambda i, j: c.dadw(2, i, j))),
        Item("^$$\\frac{\\delta C}{\\delta w_{L-1}^{ij}} = 2(a_L^i - y^i) N'(b_L^i + \\sum_{k=1}^{n} a_{L-1}^k "
             "w_{L-1}^{ik}) a_{L-1}^j$$$", "right", "product of the two lines above",
             value=lambda c: out_w(c, lambda i, j: 2 * (c.a(2, i) - c.y(i)) * Np(c.pre(2, i)) * c.a(1, j)),
             truth=lambda c: out_w(c, lambda i, j: c.net.dW(2)[i, j])),
        Item("\\sum_{k=1}^{n} a_{L-1}^i w_{L-1}^{ik}", "wrong",
             "inside the sum the activation must carry the summation index: a_{L-1}^k, not a_{L-1}^i", ["index"],
             value=lambda c: out_w(c, lambda i, j: 2 * (c.a(2, i) - c.y(i))
                                   * Np(c.b(2, i) + sum(c.a(1, i) * c.w(1, i, k) for k in range(3))) * c.a(1, j)),
             truth=lambda c: out_w(c, lambda i, j: c.net.dW(2)[i, j])),
        Item("w_{L-1}^{ij}} = (a_L^i - y^i)", "wrong",
             "the factor 2 of the square is missing", ["factor"],
             value=lambda c: out_w(c, lambda i, j: (c.a(2, i) - c.y(i)) * Np(c.pre(2, i)) * c.a(1, j)),
             truth=lambda c: out_w(c, lambda i, j: c.net.dW(2)[i, j])),
        Item("(1 - (a_L^i)^2) a_{L-1}^j", "right", "tanh' = 1 - tanh^2 = 1 - (a_L^i)^2",
             value=lambda c: out_w(c, lambda i, j: 2 * (c.a(2, i) - c.y(i)) * (1 - c.a(2, i) ** 2) * c.a(1, j)),
             truth=lambda c: out_w(c, lambda i, j: c.net.dW(2)[i, j])),
        Item("(1 - (a_{L-1}^j)^2) a_{L-1}^j", "wrong",
             "the slope is that of output neuron i, not of hidden neuron j", ["wrong-layer"],
             value=lambda c: out_w(c, lambda i, j: 2 * (c.a(2, i) - c.y(i)) * (1 - c.a(1, j) ** 2) * c.a(1, j)),
             truth=lambda c: out_w(c, lambda i, j: c.net.dW(2)[i, j])),
        Item("\\frac{\\delta C}{\\delta b_L^i} = 2(a_L^i - y^i) N'(", "right", "output bias",
             value=lambda c: [2 * (c.a(2, i) - c.y(i)) * Np(c.pre(2, i)) for i in range(2)],
             truth=lambda c: c.net.db(2)[:, 0]),
        Item("\\frac{\\delta C}{\\delta a_{L-1}^j} = \\sum_{i=1}^{2}", "right", "sum over both output neurons",
             value=lambda c: [sum(2 * (c.a(2, i) - c.y(i)) * Np(c.pre(2, i)) * c.w(1, i, j) for i in range(2))
                              for j in range(3)],
             truth=lambda c: [c.dCda(1, j) for j in range(3)]),
        Item("w_{L-2}^{jm}) a_{L-2}^k", "right", "same step one layer back",
             value=lambda c: hid_w(c, lambda j, k: c.dCda(1, j) * Np(c.pre(1, j)) * c.a(0, k)),
             truth=lambda c: hid_w(c, lambda j, k: c.net.dW(1)[j, k])),
        Item("{\\delta a_{L-1}^j} a_{L-2}^k", "wrong", "the slope N' of hidden neuron j is missing",
             ["missing-activation-derivative"],
             value=lambda c: hid_w(c, lambda j, k: c.dCda(1, j) * c.a(0, k)),
             truth=lambda c: hid_w(c, lambda j, k: c.net.dW(1)[j, k])),
        Item("(1 - (a_{L-1}^j)^2)$$", "right", "hidden bias, tanh' = 1 - a^2",
             value=lambda c: [c.dCda(1, j) * (1 - c.a(1, j) ** 2) for j in range(3)],
             truth=lambda c: c.net.db(1)[:, 0]),
        Item("N'(a_{L-1}^j)$$", "wrong", "N' taken at the activation instead of the weighted input",
             ["derivative-at-wrong-argument"],
             value=lambda c: [c.dCda(1, j) * Np(c.a(1, j)) for j in range(3)],
             truth=lambda c: c.net.db(1)[:, 0]),
    ],
))


# --------------------------------------------------------------------------
# tutorial_flat.md: flat tutorial names, 2-2-1 sigmoid, L = (y_true - y_pred)^2
# --------------------------------------------------------------------------

class Tut:
    def __init__(self, net):
        self.net = net
        W1, W2 = net.W[1], net.W[2]
        self.x1, self.x2 = net.x[:, 0]
        self.w1, self.w2, self.w3, self.w4 = W1[0, 0], W1[0, 1], W1[1, 0], W1[1, 1]
        self.w5, self.w6 = W2[0, 0], W2[0, 1]
        self.b1, self.b2 = net.b[1][:, 0]
        self.b3 = net.b[2][0, 0]
        self.h1, self.h2 = net.a[1][:, 0]
        self.yp = net.a[2][0, 0]
        self.yt = net.y[0, 0]
        self.zo = self.w5 * self.h1 + self.w6 * self.h2 + self.b3
        self.z1 = self.w1 * self.x1 + self.w2 * self.x2 + self.b1
        self.z2 = self.w3 * self.x1 + self.w4 * self.x2 + self.b2
        self.dL = -2 * (self.yt - self.yp)

    def dyp_dh(self, k):   # d y_pred / d h_k by finite differences of the output neuron
        if k == 1:
            return fd1(lambda v: sigmoid(self.w5 * v + self.w6 * self.h2 + self.b3), self.h1)
        return fd1(lambda v: sigmoid(self.w5 * self.h1 + self.w6 * v + self.b3), self.h2)

    def dh1_dw1(self):
        return fd1(lambda v: sigmoid(v * self.x1 + self.w2 * self.x2 + self.b1), self.w1)


def tut_make(seed):
    return Tut(Net([2, 2, 1], "sigmoid", "mse", True, seed))


ARTICLES.append(Article(
    name="tutorial_flat.md",
    meta={
        "convention": "flat tutorial names: h_1 = f(w_1 x_1 + w_2 x_2 + b_1), h_2 = f(w_3 x_1 + w_4 x_2 + b_2), "
                      "o_1 = f(w_5 h_1 + w_6 h_2 + b_3), y_{pred} = o_1, L = (y_{true} - y_{pred})^2, f sigmoid",
        "source_of_convention": "Victor Zhou, 'Machine Learning for Beginners: An Introduction to Neural "
                                "Networks' (victorzhou.com, 2019) and the tutorials modelled on it",
        "arch": "2-2-1", "activation": "sigmoid", "loss": "mse", "bias": True, "notation": "flat",
        "symbols": "w_1=w_{11}^{(1)}, w_2=w_{12}^{(1)}, w_3=w_{21}^{(1)}, w_4=w_{22}^{(1)}, w_5=w_{11}^{(2)}, "
                   "w_6=w_{12}^{(2)}, b_1=b_1^{(2)}, b_2=b_2^{(2)}, b_3=b_1^{(3)}, h_1=x_1^{(2)}, h_2=x_2^{(2)}, "
                   "o_1=x_1^{(3)}, y_{pred}=x_1^{(3)}, y_{true}=y_1, f=\\sigma",
        "notes": "one training sample; two formulas are typed with Unicode ∂, −, · instead of LaTeX commands",
    },
    make=tut_make,
    items=[
        Item("f(x) = \\frac{1}{1 + e^{-x}}", "definition", "sigmoid",
             value=lambda c: sigmoid(c.z1), truth=lambda c: c.h1),
        Item("f'(x) = f(x) * (1 - f(x))", "right", "derivative of the sigmoid (checked at the hidden inputs)",
             value=lambda c: [sigmoid(z) * (1 - sigmoid(z)) for z in (c.z1, c.z2, c.zo)],
             truth=lambda c: [fd1(sigmoid, z) for z in (c.z1, c.z2, c.zo)]),
        Item("h_1 = f(w_1 x_1 + w_2 x_2 + b_1)", "definition", "hidden neuron 1",
             value=lambda c: sigmoid(c.z1), truth=lambda c: c.h1),
        Item("h_2 = f(w_3 x_1 + w_4 x_2 + b_2)", "definition", "hidden neuron 2",
             value=lambda c: sigmoid(c.z2), truth=lambda c: c.h2),
        Item("o_1 = f(w_5 h_1 + w_6 h_2 + b_3)", "definition", "output neuron",
             value=lambda c: sigmoid(c.zo), truth=lambda c: c.yp),
        Item("y_{pred} = o_1", "definition", "the prediction is the output"),
        Item("L = (y_{true} - y_{pred})^2", "definition", "squared error of one sample",
             value=lambda c: (c.yt - c.yp) ** 2, truth=lambda c: c.net.loss),
        Item("* \\frac{\\partial h_1}{\\partial w_1}", "right", "w_1 reaches L only through h_1 and y_pred",
             value=lambda c: c.dL * c.dyp_dh(1) * c.dh1_dw1(), truth=lambda c: c.net.dW(1)[0, 0]),
        Item("\\frac{\\partial L}{\\partial y_{pred}} = -2(y_{true} - y_{pred})", "right", "derivative of the square",
             value=lambda c: c.dL, truth=lambda c: c.net.da(2)[0, 0]),
        Item("\\frac{\\partial y_{pred}}{\\partial h_1} = w_5 * f'", "right", "through w_5",
             value=lambda c: c.w5 * dsigmoid(c.zo), truth=lambda c: c.dyp_dh(1)),
        Item("\\frac{\\partial y_{pred}}{\\partial h_2} = w_5 * f'", "wrong", "h_2 enters the output through w_6",
             ["index"],
             value=lambda c: c.w5 * dsigmoid(c.zo), truth=lambda c: c.dyp_dh(2)),
        Item("\\frac{\\partial h_1}{\\partial w_1} = x_1 * f'", "right", "slope of h_1 times its input x_1",
             value=lambda c: c.x1 * dsigmoid(c.z1), truth=lambda c: c.dh1_dw1()),
        Item("\\frac{\\partial L}{\\partial w_1} = -2", "right", "the three factors multiplied",
             value=lambda c: c.dL * c.w5 * dsigmoid(c.zo) * c.x1 * dsigmoid(c.z1),
             truth=lambda c: c.net.dW(1)[0, 0]),
        Item("\\frac{\\partial L}{\\partial w_2} = -2", "wrong", "the slope f'(w_1 x_1 + w_2 x_2 + b_1) of h_1 "
             "is missing", ["missing-activation-derivative"],
             value=lambda c: c.dL * c.w5 * dsigmoid(c.zo) * c.x2, truth=lambda c: c.net.dW(1)[0, 1]),
        Item("\\frac{\\partial L}{\\partial w_3} = -2", "wrong",
             "w_3 feeds h_2: the slope must be f'(w_3 x_1 + w_4 x_2 + b_2), not h_1's", ["index"],
             value=lambda c: c.dL * c.w6 * dsigmoid(c.zo) * c.x1 * dsigmoid(c.z1),
             truth=lambda c: c.net.dW(1)[1, 0]),
        Item("\\frac{∂L}{∂w_4}", "right", "through h_2 and w_6 (typed with Unicode)",
             value=lambda c: c.dL * c.w6 * dsigmoid(c.zo) * c.x2 * dsigmoid(c.z2),
             truth=lambda c: c.net.dW(1)[1, 1]),
        Item("\\frac{\\partial L}{\\partial b_1} = -2", "right", "as w_1 with input 1",
             value=lambda c: c.dL * c.w5 * dsigmoid(c.zo) * dsigmoid(c.z1), truth=lambda c: c.net.db(1)[0, 0]),
        Item("\\frac{\\partial L}{\\partial w_5} = -2", "right", "output weight from h_1",
             value=lambda c: c.dL * c.h1 * dsigmoid(c.zo), truth=lambda c: c.net.dW(2)[0, 0]),
        Item("\\frac{\\partial L}{\\partial w_5} = 2(y_{true} - y_{pred}) \\cdot h_1", "wrong",
             "sign of dL/dy_pred lost and the slope f'(w_5 h_1 + w_6 h_2 + b_3) missing",
             ["sign", "missing-activation-derivative"],
             value=lambda c: 2 * (c.yt - c.yp) * c.h1, truth=lambda c: c.net.dW(2)[0, 0]),
        Item("h_2 f'(y_{pred})", "wrong", "f' taken at the output y_pred instead of its input w_5 h_1 + w_6 h_2 + b_3",
             ["derivative-at-wrong-argument"],
             value=lambda c: c.dL * c.h2 * dsigmoid(c.yp), truth=lambda c: c.net.dW(2)[0, 1]),
        Item("\\frac{∂L}{∂b_3}", "right", "output bias (typed with Unicode)",
             value=lambda c: c.dL * dsigmoid(c.zo), truth=lambda c: c.net.db(2)[0, 0]),
        Item("\\frac{\\partial L}{\\partial b_3} = -(y_{true}", "wrong", "the factor 2 of the square is missing",
             ["factor"],
             value=lambda c: -(c.yt - c.yp) * dsigmoid(c.zo), truth=lambda c: c.net.db(2)[0, 0]),
        Item("\\frac{\\partial L}{\\partial b_3} = y_{pred} - y_{true}", "wrong",
             "the cross-entropy shortcut (sigmoid + log loss); with the squared error it is "
             "-2(y_true - y_pred) f'(...)", ["wrong-loss"],
             value=lambda c: c.yp - c.yt, truth=lambda c: c.net.db(2)[0, 0]),
    ],
))


# ARTICLES-END

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
