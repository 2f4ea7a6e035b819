"""Establish the expected verdicts of the three tester articles by numbers (NumPy only).

For each item: a hand transcription of the formula member as a function of the network,
and the quantity its left side names computed independently with fourth-order central
finite differences (step 1e-4). Three random points (seeds 11, 22, 33).
  right: relative error < 1e-6 at every point (and for every index value)
  wrong: relative difference > 1e-3 at >= 2 points (an index out of range counts as differing)
Never imports the tool.   python3 establish.py [--write]
"""
import json, sys
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
SEEDS = (11, 22, 33)
H = 1e-4

def sig(z): return 1 / (1 + np.exp(-z))
def dsig(z): s = sig(z); return s * (1 - s)
ACT = {"sigmoid": (sig, dsig), "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
       "identity": (lambda z: z, lambda z: np.ones_like(z))}

class Net:
    """layers 0..L; W[l] (n_l, n_{l-1}) row = destination; b[l] (n_l,); x (n_0, m); y (n_L, m)."""
    def __init__(self, sizes, acts, loss, bias, seed, m=1):
        rng = np.random.default_rng(seed)
        self.sizes, self.L, self.loss, self.m = sizes, len(sizes) - 1, loss, m
        acts = acts.split(",")
        self.acts = [None] + (acts * self.L if len(acts) == 1 else acts)
        self.W = {l: rng.normal(0, 0.9, (sizes[l], sizes[l - 1])) for l in range(1, self.L + 1)}
        self.b = {l: rng.normal(0, 0.6, sizes[l]) if bias else np.zeros(sizes[l]) for l in range(1, self.L + 1)}
        self.x = rng.normal(0, 1, (sizes[0], m))
        self.y = rng.integers(0, 2, (sizes[-1], m)).astype(float) if loss == "bce" else rng.normal(0.3, 0.5, (sizes[-1], m))
        self.run()

    def run(self, pert=None):
        a = {0: self.x.copy()}; z = {}
        if pert and pert[0] == "a" and pert[1] == 0: a[0][pert[2]] += pert[3]
        for l in range(1, self.L + 1):
            z[l] = self.W[l] @ a[l - 1] + self.b[l][:, None]
            if pert and pert[0] == "z" and pert[1] == l: z[l] = z[l].copy(); z[l][pert[2]] += pert[3]
            a[l] = ACT[self.acts[l]][0](z[l])
            if pert and pert[0] == "a" and pert[1] == l: a[l] = a[l].copy(); a[l][pert[2]] += pert[3]
        self.z, self.a = z, a
        self.ap = {l: ACT[self.acts[l]][1](z[l]) for l in z}
        o, y = a[self.L], self.y
        if self.loss == "mse": per = ((o - y) ** 2).sum(0)
        elif self.loss == "half-mse": per = 0.5 * ((o - y) ** 2).sum(0)
        elif self.loss == "bce": per = -(y * np.log(o) + (1 - y) * np.log(1 - o)).sum(0)
        self.per = per
        self.C = per.mean()      # one example: the loss itself; n examples: the average (3b1b's C)
        return self.C

    def fd(self, target, fn=lambda n: n.C):
        """d fn / d target; target = ('W', l, i, j) | ('b', l, i) | ('z', l, i) | ('a', l, i)."""
        vals = []
        for e in (2 * H, H, -H, -2 * H):
            kind = target[0]
            if kind == "W":
                _, l, i, j = target; old = self.W[l][i, j]; self.W[l][i, j] = old + e; self.run(); v = fn(self); self.W[l][i, j] = old
            elif kind == "b":
                _, l, i = target; old = self.b[l][i]; self.b[l][i] = old + e; self.run(); v = fn(self); self.b[l][i] = old
            else:
                _, l, i = target; self.run((kind, l, i, e)); v = fn(self)
            vals.append(v)
        self.run()
        f2, f1, fm1, fm2 = vals
        return (-f2 + 8 * f1 - 8 * fm1 + fm2) / (12 * H)

    # whole-vector / matrix gradients of C
    def gW(self, l): return np.array([[self.fd(("W", l, i, j)) for j in range(self.sizes[l - 1])] for i in range(self.sizes[l])])
    def gb(self, l): return np.array([self.fd(("b", l, i)) for i in range(self.sizes[l])])
    def gz(self, l): return np.array([self.fd(("z", l, i)) for i in range(self.sizes[l])])
    def ga(self, l): return np.array([self.fd(("a", l, i)) for i in range(self.sizes[l])])

def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape: return np.inf
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-12))

class OutOfRange(Exception): pass
def at(arr, *idx):
    for k, n in zip(idx, arr.shape):
        if not 0 <= k < n: raise OutOfRange
    return arr[idx]

# ---------------------------------------------------------------- article 1: 3Blue1Brown
# arch 1-1-1-1, layers 0..3, L = 3; w^{(l)} = W[l][0,0], b^{(l)} = b[l][0]
def A1():
    L = 3
    w = lambda n, l: n.W[l][0, 0]; b = lambda n, l: n.b[l][0]
    z = lambda n, l: n.z[l][0, 0]; a = lambda n, l: n.a[l][0, 0]; y = lambda n: n.y[0, 0]
    sp = lambda n, l: dsig(n.z[l][0, 0])
    dC_dw = lambda n, l: n.fd(("W", l, 0, 0)); dC_db = lambda n, l: n.fd(("b", l, 0))
    dC_da = lambda n, l: n.fd(("a", l, 0))
    dz_dw = lambda n, l: n.fd(("W", l, 0, 0), lambda m: m.z[l][0, 0])
    dz_db = lambda n, l: n.fd(("b", l, 0), lambda m: m.z[l][0, 0])
    da_dz = lambda n, l: n.fd(("z", l, 0), lambda m: m.a[l][0, 0])
    dzL_daprev = lambda n, l: n.fd(("a", l - 1, 0), lambda m: m.z[l][0, 0])
    def batch_rhs(seed):
        # C = 1/n sum_k C_k over n = 4 examples; rhs = mean of the per-example derivatives
        nb = Net([1, 1, 1, 1], "sigmoid", "mse", True, seed, m=4)
        lhs = nb.fd(("W", L, 0, 0))
        per = [nb.fd(("W", L, 0, 0), lambda m, k=k: m.per[k]) for k in range(4)]
        return np.mean(per), lhs
    items = [
        ("z^{(L)} = w^{(L)} a^{(L-1)} + b^{(L)}", "definition", [], "weighted input of the last neuron",
         lambda n: w(n, L) * a(n, L - 1) + b(n, L), lambda n: z(n, L)),
        ("^a^{(L)} = \\sigma(z^{(L)})$", "definition", [], "activation of the last neuron",
         lambda n: sig(z(n, L)), lambda n: a(n, L)),
        ("z^{(L-1)} = w^{(L-1)} a^{(L-2)} + b^{(L-1)}", "definition", [], "weighted input one layer back",
         lambda n: w(n, L - 1) * a(n, L - 2) + b(n, L - 1), lambda n: z(n, L - 1)),
        ("^a^{(L-1)} = \\sigma(z^{(L-1)})$", "definition", [], "activation one layer back",
         lambda n: sig(z(n, L - 1)), lambda n: a(n, L - 1)),
        ("C_0 = (a^{(L)} - y)^2", "definition", [], "squared-error cost of one example (mse, no 1/2)",
         lambda n: (a(n, L) - y(n)) ** 2, lambda n: n.C),
        ("\\frac{\\partial C_0}{\\partial w^{(L)}} = \\frac{\\partial z^{(L)}}{\\partial w^{(L)}} \\frac{\\partial a^{(L)}}{\\partial z^{(L)}} \\frac{\\partial C_0}{\\partial a^{(L)}}$",
         "right", [], "chain rule along w -> z -> a -> C",
         lambda n: dz_dw(n, L) * da_dz(n, L) * dC_da(n, L), lambda n: dC_dw(n, L)),
        ("= 2(a^{(L)} - y)$", "right", [], "derivative of (a - y)^2",
         lambda n: 2 * (a(n, L) - y(n)), lambda n: dC_da(n, L)),
        ("\\frac{\\partial a^{(L)}}{\\partial z^{(L)}} = \\sigma'(a^{(L)})", "wrong", ["derivative-at-wrong-argument"],
         "sigma' must be taken at z^{(L)}, not at a^{(L)}",
         lambda n: dsig(a(n, L)), lambda n: da_dz(n, L)),
        ("\\frac{\\partial z^{(L)}}{\\partial w^{(L)}} = a^{(L-1)}", "right", [], "z is linear in w",
         lambda n: a(n, L - 1), lambda n: dz_dw(n, L)),
        ("\\partial w^{(L)}} = a^{(L-1)} \\sigma'(z^{(L)}) 2(a^{(L)} - y)", "right", [], "the three ratios multiplied",
         lambda n: a(n, L - 1) * sp(n, L) * 2 * (a(n, L) - y(n)), lambda n: dC_dw(n, L)),
        ("\\sigma'(z^{(L)}) = a^{(L)} (1 - a^{(L)})", "right", [], "sigma' = sigma (1 - sigma)",
         lambda n: a(n, L) * (1 - a(n, L)), lambda n: n.fd(("z", L, 0), lambda m: m.a[L][0, 0])),
        ("\\frac{\\partial z^{(L)}}{\\partial b^{(L)}} = 1", "right", [], "bias enters with slope 1",
         lambda n: 1.0, lambda n: dz_db(n, L)),
        ("\\frac{\\partial C_0}{\\partial b^{(L)}} = \\sigma'(z^{(L)}) (a^{(L)} - y)", "wrong", ["factor"],
         "the factor 2 of dC_0/da^{(L)} is missing",
         lambda n: sp(n, L) * (a(n, L) - y(n)), lambda n: dC_db(n, L)),
        ("\\frac{\\partial C_0}{\\partial a^{(L-1)}} = \\frac{\\partial z^{(L)}}{\\partial a^{(L-1)}}", "right", [],
         "chain rule along a^{(L-1)} -> z -> a -> C",
         lambda n: dzL_daprev(n, L) * da_dz(n, L) * dC_da(n, L), lambda n: dC_da(n, L - 1)),
        ("= w^{(L)} \\sigma'(z^{(L)}) 2(y - a^{(L)})", "wrong", ["sign"], "2(y - a) should be 2(a - y)",
         lambda n: w(n, L) * sp(n, L) * 2 * (y(n) - a(n, L)), lambda n: dC_da(n, L - 1)),
        ("= a^{(L-1)} \\sigma'(z^{(L-1)}) \\frac", "wrong", ["wrong-layer"],
         "the input of w^{(L-1)} is a^{(L-2)}, not a^{(L-1)}",
         lambda n: a(n, L - 1) * sp(n, L - 1) * dC_da(n, L - 1), lambda n: dC_dw(n, L - 1)),
        ("= a^{(L-2)} \\sigma'(z^{(L-1)}) w^{(L)}", "right", [], "two layers of the chain",
         lambda n: a(n, L - 2) * sp(n, L - 1) * w(n, L) * sp(n, L) * 2 * (a(n, L) - y(n)), lambda n: dC_dw(n, L - 1)),
        ("\\frac{\\partial C_0}{\\partial b^{(L-1)}} = w^{(L)}", "wrong", ["missing-activation-derivative"],
         "sigma'(z^{(L-1)}) is missing",
         lambda n: w(n, L) * sp(n, L) * 2 * (a(n, L) - y(n)), lambda n: dC_db(n, L - 1)),
        ("\\frac{\\partial C_0}{\\partial w^{(1)}} = a^{(0)}", "right", [], "the whole chain, layers numbered (L = 3)",
         lambda n: a(n, 0) * sp(n, 1) * w(n, 2) * sp(n, 2) * w(n, 3) * sp(n, 3) * 2 * (a(n, 3) - y(n)), lambda n: dC_dw(n, 1)),
        ("C = \\frac{1}{n} \\sum_{k=0}^{n-1} C_k", "definition", [], "average cost over n training examples",
         None, None),
        ("\\frac{\\partial C}{\\partial w^{(L)}} = \\frac{1}{n}", "right", [], "the derivative of an average is the average of the derivatives (checked with n = 4)",
         "batch", batch_rhs),
    ]
    return dict(file="chain_3b1b.md", arch="1-1-1-1", activation="sigmoid", loss="mse", bias=True,
                convention="3Blue1Brown: one neuron per layer, a^{(L)} = sigma(z^{(L)}), z^{(L)} = w^{(L)} a^{(L-1)} + b^{(L)}, C_0 = (a^{(L)} - y)^2, chain dz/dw * da/dz * dC/da",
                source_of_convention="Grant Sanderson (3Blue1Brown), 'Backpropagation calculus', Neural networks chapter 4 (3blue1brown.com/lessons/backpropagation-calculus; YouTube tIeHLnjs5U8)",
                notation="auto", symbols="L=3 (stated in prose), a^{(l)}=x_1^{(l+1)}, z^{(l)}=z_1^{(l+1)}, w^{(l)}=w_{11}^{(l \\rightarrow l+1)}, b^{(l)}=b_1^{(l+1)}, y=y_1, C_0=L",
                notes="layers 0 (input) .. 3 (output), L = 3 stated inline; one training example except the last two items (average over n examples, checked with n = 4)",
                sizes=[1, 1, 1, 1], items=items)

# ---------------------------------------------------------------- article 2: Bishop PRML 5.3
# arch 2-3-2, tanh, identity, half-mse; w^{(1)}_{ji} = W[1][j-1, i-1], w^{(1)}_{j0} = b[1][j-1]
# Bishop's a_j = z[1], z_j = a[1] (hidden output), a_k = z[2], y_k = a[2], t_k = y
def A2():
    D, M, K = 2, 3, 2
    J, I, KK = range(1, M + 1), range(1, D + 1), range(1, K + 1)
    th = lambda u: 1 - np.tanh(u) ** 2
    aj = lambda n, j: n.z[1][j - 1, 0]; zj = lambda n, j: at(n.a[1], j - 1, 0)
    xi = lambda n, i: n.x[i - 1, 0]; yk = lambda n, k: n.a[2][k - 1, 0]; tk = lambda n, k: n.y[k - 1, 0]
    ak = lambda n, k: n.z[2][k - 1, 0]
    w1 = lambda n, j, i: at(n.W[1], j - 1, i - 1); w2 = lambda n, k, j: at(n.W[2], k - 1, j - 1)
    dk = lambda n, k: n.fd(("z", 2, k - 1)); dj = lambda n, j: n.fd(("z", 1, j - 1))
    dW1 = lambda n, j, i: n.fd(("W", 1, j - 1, i - 1)); dW2 = lambda n, k, j: n.fd(("W", 2, k - 1, j - 1))
    def over_j(f): return lambda n: [f(n, j) for j in J]
    def over_k(f): return lambda n: [f(n, k) for k in KK]
    def over_ji(f): return lambda n: [f(n, j, i) for j in J for i in I]
    def over_kj(f): return lambda n: [f(n, k, j) for k in KK for j in J]
    items = [
        ("a_j = \\sum_{i=0}^{D} w_{ji}^{(1)} x_i", "definition", [], "hidden pre-activation, bias w_{j0} with x_0 = 1",
         over_j(lambda n, j: sum(w1(n, j, i) * xi(n, i) for i in I) + n.b[1][j - 1]), over_j(aj)),
        ("^z_j = h(a_j)$", "definition", [], "hidden unit output", over_j(lambda n, j: np.tanh(aj(n, j))), over_j(zj)),
        ("h(a) \\equiv \\tanh(a)", "definition", [], "h is tanh (the exponential form is the same function)",
         lambda n: [(np.exp(u) - np.exp(-u)) / (np.exp(u) + np.exp(-u)) for u in (0.3, -1.2)], lambda n: [np.tanh(0.3), np.tanh(-1.2)]),
        ("a_k = \\sum_{j=0}^{M} w_{kj}^{(2)} z_j", "definition", [], "output pre-activation, bias w_{k0} with z_0 = 1",
         over_k(lambda n, k: sum(w2(n, k, j) * zj(n, j) for j in J) + n.b[2][k - 1]), over_k(ak)),
        ("^y_k = a_k$", "definition", [], "linear outputs", over_k(ak), over_k(yk)),
        ("E_n = \\frac{1}{2}", "definition", [], "sum-of-squares error (half-mse)",
         lambda n: 0.5 * sum((yk(n, k) - tk(n, k)) ** 2 for k in KK), lambda n: n.C),
        ("^\\delta_j \\equiv \\frac{\\partial E_n}{\\partial a_j}$", "definition", [], "error of a unit", None, None),
        ("= \\frac{\\partial E_n}{\\partial a_j} \\frac{\\partial a_j}{\\partial w_{ji}^{(1)}}", "right", [], "chain rule through a_j",
         over_ji(lambda n, j, i: dj(n, j) * n.fd(("W", 1, j - 1, i - 1), lambda m: m.z[1][j - 1, 0])), over_ji(dW1)),
        ("\\frac{\\partial a_j}{\\partial w_{ji}^{(1)}} = x_i", "right", [], "a_j is linear in w_{ji}",
         over_ji(lambda n, j, i: xi(n, i)), over_ji(lambda n, j, i: n.fd(("W", 1, j - 1, i - 1), lambda m: m.z[1][j - 1, 0]))),
        ("h'(a) = 1 - h(a)^2", "right", [], "tanh' = 1 - tanh^2",
         over_j(lambda n, j: 1 - np.tanh(aj(n, j)) ** 2), over_j(lambda n, j: n.fd(("z", 1, j - 1), lambda m: m.a[1][j - 1, 0]))),
        ("\\delta_k = y_k - t_k", "right", [], "linear output with sum-of-squares error",
         over_k(lambda n, k: yk(n, k) - tk(n, k)), over_k(dk)),
        ("\\delta_j = h'(a_j) \\sum_{k=1}^{K} w_{kj}^{(2)}", "right", [], "backpropagation formula (5.56)",
         over_j(lambda n, j: th(aj(n, j)) * sum(w2(n, k, j) * dk(n, k) for k in KK)), over_j(dj)),
        ("\\delta_j = (1 - z_j^2)", "right", [], "(5.56) with tanh' written with the unit output",
         over_j(lambda n, j: (1 - zj(n, j) ** 2) * sum(w2(n, k, j) * dk(n, k) for k in KK)), over_j(dj)),
        ("\\delta_j = (1 - a_j^2)", "wrong", ["derivative-at-wrong-argument"], "1 - z_j^2 = 1 - tanh(a_j)^2, not 1 - a_j^2",
         over_j(lambda n, j: (1 - aj(n, j) ** 2) * sum(w2(n, k, j) * dk(n, k) for k in KK)), over_j(dj)),
        ("w_{jk}^{(2)} \\delta_k", "wrong", ["transposed", "index"], "w_{kj}^{(2)} (to k from j), not w_{jk}^{(2)}; w_{3k}^{(2)} does not exist",
         over_j(lambda n, j: th(aj(n, j)) * sum(w2(n, j, k) * dk(n, k) for k in KK)), over_j(dj)),
        ("^\\delta_j = \\sum_{k=1}^{K} w_{kj}^{(2)} \\delta_k$", "wrong", ["missing-activation-derivative"], "h'(a_j) is missing",
         over_j(lambda n, j: sum(w2(n, k, j) * dk(n, k) for k in KK)), over_j(dj)),
        ("w_{ji}^{(1)}} = \\delta_j x_i", "right", [], "(5.67)", over_ji(lambda n, j, i: dj(n, j) * xi(n, i)), over_ji(dW1)),
        ("w_{kj}^{(2)}} = \\delta_k z_j", "right", [], "(5.67)", over_kj(lambda n, k, j: dk(n, k) * zj(n, j)), over_kj(dW2)),
        ("w_{j0}^{(1)}} = \\delta_j", "right", [], "bias weight, x_0 = 1",
         over_j(lambda n, j: dj(n, j)), over_j(lambda n, j: n.fd(("b", 1, j - 1)))),
        ("w_{k0}^{(2)}} = \\delta_k", "right", [], "bias weight, z_0 = 1",
         over_k(lambda n, k: dk(n, k)), over_k(lambda n, k: n.fd(("b", 2, k - 1)))),
        ("= \\delta_j z_i", "wrong", ["wrong-layer"], "the input of w_{ji}^{(1)} is x_i, not the hidden output z_i",
         over_ji(lambda n, j, i: dj(n, j) * zj(n, i)), over_ji(dW1)),
        ("h'(a_k) z_j", "wrong", ["extra-activation-derivative"], "the outputs are linear: no h'(a_k)",
         over_kj(lambda n, k, j: (yk(n, k) - tk(n, k)) * th(ak(n, k)) * zj(n, j)), over_kj(dW2)),
    ]
    return dict(file="bishop_two_layer.md", arch="2-3-2", activation="tanh,identity", loss="half-mse", bias=True,
                convention="Bishop PRML 5.3: a_j = sum_i w_ji z_i, z_j = h(a_j), w_ji to j from i, delta_j = dE_n/da_j, delta_k = y_k - t_k, delta_j = h'(a_j) sum_k w_kj delta_k, dE_n/dw_ji = delta_j z_i; biases as w_j0 with x_0 = z_0 = 1; layer told by index letter",
                source_of_convention="C. M. Bishop, Pattern Recognition and Machine Learning (Springer 2006), section 5.3.1-5.3.2, eqs. (5.48)-(5.67)",
                notation="auto", symbols="a_j=z_j^{(2)}, z_j=x_j^{(2)}, a_k=z_k^{(3)}, y_k=x_k^{(3)}, t_k=y_k, x_i=x_i^{(1)}, w_{ji}^{(1)}=w_{ji}^{(1 \\rightarrow 2)}, w_{j0}^{(1)}=b_j^{(2)}, w_{kj}^{(2)}=w_{kj}^{(2 \\rightarrow 3)}, w_{k0}^{(2)}=b_k^{(3)}, h=\\tanh, E_n=L",
                notes="free indices i, j, k checked for every value (i = 1..2, j = 1..3, k = 1..2); the layer of a_ and delta_ is told by the letter (j hidden, k output)",
                sizes=[2, 3, 2], items=items)

# ---------------------------------------------------------------- article 3: Goodfellow 6.5.4
# arch 3-3-3-2, tanh,tanh,sigmoid, bce, bias; a^{(k)} = z[k], h^{(k)} = a[k]
def A3():
    col = lambda v: v[:, 0]
    A = lambda n, k: col(n.z[k]); Hh = lambda n, k: col(n.a[k])
    yhat = lambda n: col(n.a[3]); y = lambda n: col(n.y)
    ga = lambda n, k: n.gz(k); gh = lambda n, k: n.ga(k)
    K = (1, 2, 3)
    allk = lambda f: (lambda n: [f(n, k) for k in K])
    items = [
        ("\\boldsymbol{h}^{(0)} = \\boldsymbol{x}$", "definition", [], "input", lambda n: Hh(n, 0), lambda n: col(n.x)),
        ("^\\boldsymbol{a}^{(k)} = \\boldsymbol{b}^{(k)} + \\boldsymbol{W}^{(k)} \\boldsymbol{h}^{(k-1)}$", "definition", [], "pre-activation of every layer",
         allk(lambda n, k: n.b[k] + n.W[k] @ Hh(n, k - 1)), allk(A)),
        ("\\boldsymbol{h}^{(1)} = \\tanh", "definition", [], "tanh hidden layer 1", lambda n: np.tanh(A(n, 1)), lambda n: Hh(n, 1)),
        ("\\boldsymbol{h}^{(2)} = \\tanh", "definition", [], "tanh hidden layer 2", lambda n: np.tanh(A(n, 2)), lambda n: Hh(n, 2)),
        ("\\hat{\\boldsymbol{y}} = \\boldsymbol{h}^{(3)} = \\sigma", "definition", [], "sigmoid outputs", lambda n: sig(A(n, 3)), lambda n: yhat(n)),
        ("J = -\\sum_{i}", "definition", [], "binary cross-entropy summed over the outputs",
         lambda n: -np.sum(y(n) * np.log(yhat(n)) + (1 - y(n)) * np.log(1 - yhat(n))), lambda n: n.C),
        ("\\nabla_{\\hat{\\boldsymbol{y}}} J = \\frac", "right", [], "dJ/dyhat_i = (yhat_i - y_i) / (yhat_i (1 - yhat_i)); the running g names it",
         lambda n: (yhat(n) - y(n)) / (yhat(n) * (1 - yhat(n))), lambda n: gh(n, 3)),
        ("\\boldsymbol{g} \\leftarrow \\nabla_{\\boldsymbol{a}^{(3)}} J = \\boldsymbol{g} \\odot", "right", [],
         "g (= grad_yhat J from the line above) times sigma'(a^{(3)}); Algorithm 6.4's overwrite",
         lambda n: gh(n, 3) * dsig(A(n, 3)), lambda n: ga(n, 3)),
        ("^\\nabla_{\\boldsymbol{a}^{(3)}} J = \\hat{\\boldsymbol{y}} - \\boldsymbol{y}$", "right", [], "sigmoid + cross-entropy",
         lambda n: yhat(n) - y(n), lambda n: ga(n, 3)),
        ("\\nabla_{\\boldsymbol{W}^{(k)}} J = \\nabla_{\\boldsymbol{a}^{(k)}} J \\, \\boldsymbol{h}^{(k-1)\\top}", "right", [], "outer product, every layer k = 1..3",
         allk(lambda n, k: np.outer(ga(n, k), Hh(n, k - 1))), allk(lambda n, k: n.gW(k))),
        ("\\nabla_{\\boldsymbol{b}^{(k)}} J = \\nabla_{\\boldsymbol{a}^{(k)}} J$", "right", [], "every layer k",
         allk(ga), allk(lambda n, k: n.gb(k))),
        ("\\nabla_{\\boldsymbol{h}^{(k-1)}} J =", "right", [], "W^T g, every layer k (k = 1: gradient on the input x)",
         allk(lambda n, k: n.W[k].T @ ga(n, k)), allk(lambda n, k: gh(n, k - 1))),
        ("\\nabla_{\\boldsymbol{W}^{(3)}} J = (\\hat", "right", [], "top layer written out",
         lambda n: np.outer(yhat(n) - y(n), Hh(n, 2)), lambda n: n.gW(3)),
        ("\\nabla_{\\boldsymbol{b}^{(3)}} J = \\boldsymbol{y} - \\hat", "wrong", ["sign"], "should be yhat - y",
         lambda n: y(n) - yhat(n), lambda n: n.gb(3)),
        ("\\nabla_{\\boldsymbol{a}^{(2)}} J = \\nabla_{\\boldsymbol{h}^{(2)}} J \\odot", "right", [], "tanh' = 1 - h^2 elementwise",
         lambda n: gh(n, 2) * (1 - Hh(n, 2) ** 2), lambda n: ga(n, 2)),
        ("\\nabla_{\\boldsymbol{a}^{(2)}} J = \\left(", "right", [], "written out",
         lambda n: (n.W[3].T @ (yhat(n) - y(n))) * (1 - Hh(n, 2) ** 2), lambda n: ga(n, 2)),
        ("\\nabla_{\\boldsymbol{b}^{(2)}} J = \\nabla_{\\boldsymbol{h}^{(2)}} J$", "wrong", ["missing-activation-derivative"],
         "needs the gradient on a^{(2)}: missing the tanh derivative",
         lambda n: gh(n, 2), lambda n: n.gb(2)),
        ("\\nabla_{\\boldsymbol{h}^{(1)}} J = \\boldsymbol{W}^{(2)} \\nabla", "wrong", ["transposed"], "W^{(2)T}, not W^{(2)}",
         lambda n: n.W[2] @ ga(n, 2), lambda n: gh(n, 1)),
        ("\\boldsymbol{a}^{(1)} \\odot \\boldsymbol{a}^{(1)})", "wrong", ["derivative-at-wrong-argument"], "1 - h^{(1)} h^{(1)}, not 1 - a^{(1)} a^{(1)}",
         lambda n: gh(n, 1) * (1 - A(n, 1) ** 2), lambda n: ga(n, 1)),
        ("\\boldsymbol{x}^{\\top}$", "right", [], "bottom layer, input x",
         lambda n: np.outer(ga(n, 1), col(n.x)), lambda n: n.gW(1)),
        ("J \\, \\boldsymbol{h}^{(1)\\top}$", "wrong", ["wrong-layer"], "the input of W^{(1)} is h^{(0)} = x, not h^{(1)}",
         lambda n: np.outer(ga(n, 1), Hh(n, 1)), lambda n: n.gW(1)),
    ]
    return dict(file="goodfellow_vector.md", arch="3-3-3-2", activation="tanh,tanh,sigmoid", loss="bce", bias=True,
                convention="Goodfellow et al. Deep Learning 6.5.4 Alg. 6.3/6.4: h^(0) = x, a^(k) = b^(k) + W^(k) h^(k-1), h^(k) = f(a^(k)), g <- grad_{a^(k)} J = g (.) f'(a^(k)), grad_W J = g h^(k-1)T, grad_b J = g, g <- W^(k)T g",
                source_of_convention="Goodfellow, Bengio, Courville, Deep Learning (MIT Press 2016), section 6.5.4, Algorithms 6.3 and 6.4 (deeplearningbook.org/contents/mlp.html)",
                notation="auto", symbols="h^{(k)}=x^{(k+1)}, a^{(k)}=z^{(k+1)}, W^{(k)}=W^{(k \\rightarrow k+1)}, b^{(k)}=b^{(k+1)}, \\hat{y}=h^{(3)}, J=L",
                notes="one example; general-k formulas checked for k = 1, 2, 3; the 'g <-' lines: the g on the right is the g of the line above (grad_yhat J)",
                sizes=[3, 3, 3, 2], items=items)

def check(spec):
    text = (HERE / spec["file"]).read_text().splitlines()
    out, ok = [], True
    acts = spec["activation"]
    for anchor, verdict, kinds, why, lhs_fn, truth_fn in spec["items"]:
        if anchor.startswith("^"):
            a = anchor[1:].rstrip("$"); hits = [i for i, t in enumerate(text) if t.strip() == a]
        elif anchor.endswith("$"):
            a = anchor[:-1]; hits = [i for i, t in enumerate(text) if t.rstrip().endswith(a)]
        else:
            hits = [i for i, t in enumerate(text) if anchor in t]
        if len(hits) != 1:
            print(f"ANCHOR {anchor!r}: {len(hits)} hits"); ok = False; continue
        line = hits[0] + 1
        errs = []
        if lhs_fn is not None:
            for s in SEEDS:
                if lhs_fn == "batch":
                    v, t = truth_fn(s); errs.append(rel(v, t)); continue
                n = Net(spec["sizes"], acts, spec["loss"], spec["bias"], s)
                try:
                    v = lhs_fn(n)
                except OutOfRange:
                    errs.append(np.inf); continue
                t = truth_fn(n)
                if isinstance(v, list):
                    errs.append(max(rel(p, q) for p, q in zip(v, t)))
                else:
                    errs.append(rel(v, t))
            if verdict in ("right", "definition"):
                good = all(e < 1e-6 for e in errs)
            else:
                good = sum(e > 1e-3 for e in errs) >= 2
            if not good: ok = False
            print(f"{spec['file']}:{line:4d} {verdict:10s} {'OK ' if good else 'BAD'} errs={['%.1e' % e for e in errs]}")
        else:
            print(f"{spec['file']}:{line:4d} {verdict:10s} (not computable)")
        item = {"line": line, "verdict": verdict, "why": why}
        if kinds: item["kinds"] = kinds
        out.append(item)
    return ok, out

if __name__ == "__main__":
    allok = True
    for mk in (A1, A2, A3):
        spec = mk()
        ok, items = check(spec)
        allok &= ok
        js = {k: spec[k] for k in ("file", "convention", "source_of_convention", "arch", "activation", "loss", "bias", "notation", "symbols", "notes")}
        js["items"] = items
        path = HERE / spec["file"].replace(".md", ".json")
        if "--write" in sys.argv:
            path.write_text(json.dumps(js, indent=1) + "\n")
        elif json.loads(path.read_text()) != js:
            print("JSON differs:", path); allok = False
    sys.exit(0 if allok else 1)
