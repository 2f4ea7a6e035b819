"""Establish every expectation of corpus.json by numbers, independently of `derive`.

For each entry:
  * truth  = 4th-order central differences of an independent forward pass written here, in the
             tool's layout (W_l (n_{l+1}, n_l), b_l (n_{l+1},)), loss SUMMED over the batch;
  * got    = the file's output, run in its own convention and converted to the tool's layout by a
             hand-written adapter below (the tool must do this without adapters);
  * checks = correct files match truth to 1e-6 relative; wrong files differ (> 1e-3 relative) in
             exactly the listed parameters and match in the others; the named cause is confirmed:
               - loss-mismatch:L    got == finite differences of loss L
               - sign               got == -truth
               - constant-factor    got == truth / m   (m = batch size)
               - descent-step       got == -lr * truth (lr = the file's module constant)
               - missing-factor-2   (in combination) through the mistake model below
               - stale-weights      error in W1 is exactly linear in lr (halving lr halves it)
               - the others          got == an analytic backprop with that one mistake put in,
                                     whose mistake-free version is itself checked against truth;
                                     for two mistakes, neither mistake alone explains got.
Run: python establish.py  (prints a table, exit 0 only if every expectation holds)
     python establish.py --write-how   (also rewrites the how_established fields of corpus.json)
"""
import importlib.util
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
B = 5  # batch size


# ---------------------------------------------------------------- independent forward pass
def act(name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "identity":
        return z
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


def act_prime(name, z):
    if name == "sigmoid":
        s = act("sigmoid", z)
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    if name == "identity":
        return np.ones_like(z)
    raise ValueError(name)


def loss_value(loss, O, Y):
    if loss == "mse":
        return np.sum((O - Y) ** 2)
    if loss == "half-mse":
        return 0.5 * np.sum((O - Y) ** 2)
    if loss == "mean-mse":
        return np.sum((O - Y) ** 2) / O.shape[1]
    if loss == "bce":
        return -np.sum(Y * np.log(O) + (1 - Y) * np.log(1 - O))
    if loss == "cross-entropy":
        return -np.sum(Y * np.log(O))
    raise ValueError(loss)


def forward(p, X, acts):
    Z1 = X @ p["W1"].T + p.get("b1", 0.0)
    A1 = act(acts[0], Z1)
    Z2 = A1 @ p["W2"].T + p.get("b2", 0.0)
    return act(acts[1], Z2)


def fd_gradient(p, X, Y, acts, loss, h=1e-4):
    g = {}
    for k, v in p.items():
        gk = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            vals = []
            for s in (-2, -1, 1, 2):
                q = {kk: vv.copy() for kk, vv in p.items()}
                q[k][idx] += s * h
                vals.append(loss_value(loss, forward(q, X, acts), Y))
            gk[idx] = (vals[0] - 8 * vals[1] + 8 * vals[2] - vals[3]) / (12 * h)
        g[k] = gk
    return g


# ---------------------------------------------------------------- analytic model with mistakes
def model(p, X, Y, acts, loss, out="true", out_scale=1.0, preact=False, hidden_add=None,
          hidden_deriv="prime", not_transposed=False, stale_lr=None, transpose_W2=False):
    """Hand-written backprop (rows, tool layout); keyword arguments put one mistake in."""
    Z1 = X @ p["W1"].T + p.get("b1", 0.0)
    A1 = act(acts[0], Z1)
    Z2 = (Z1 if preact else A1) @ p["W2"].T + p.get("b2", 0.0)
    O = act(acts[1], Z2)
    n_out = O.shape[1]
    if out == "o-y" or acts[1] == "softmax" or (acts[1] == "sigmoid" and loss == "bce"):
        if out == "true" and acts[1] == "softmax":
            assert loss == "cross-entropy"
        D2 = O - Y
    else:
        f = {"mse": 2.0, "half-mse": 1.0, "mean-mse": 2.0 / n_out}[loss]
        D2 = f * (O - Y) * act_prime(acts[1], Z2)
    D2 = out_scale * D2
    g = {"W2": D2.T @ A1}
    if "b2" in p:
        g["b2"] = D2.sum(0)
    W2 = p["W2"] - stale_lr * g["W2"] if stale_lr is not None else p["W2"]
    back = D2 @ (W2.T if not_transposed else W2)
    if hidden_add == "b2sum":
        back = back + p["b2"].sum()
    elif hidden_add == "b2bcast":
        assert p["b2"].shape == (1,)
        back = back + p["b2"][0]
    if hidden_deriv == "prime":
        D1 = back * act_prime(acts[0], Z1)
    elif hidden_deriv == "act":
        D1 = back * act(acts[0], Z1)
    else:
        D1 = back
    g["W1"] = D1.T @ X
    if "b1" in p:
        g["b1"] = D1.sum(0)
    if transpose_W2:
        g["W2"] = g["W2"].T
    return g


# knobs that reproduce each named cause (the model's mistake-free version is checked too)
CAUSE_MODEL = {
    "bias-in-delta": None,  # per file, below
    "activation-instead-of-derivative": {"hidden_deriv": "act"},
    "no-inner-derivative": {"hidden_deriv": "none"},
    "weights-not-transposed": {"not_transposed": True},
    "transposed-gradient": {"transpose_W2": True},
    "preactivation-instead-of-activation": {"preact": True},
    "missing-factor-2": {"out_scale": 0.5},
    "loss-mismatch:bce": {"out": "o-y"},
}
BIAS_FORM = {"nielsen_bias_in_delta.py": "b2bcast", "rows_bias_in_delta.py": "b2sum"}


# ---------------------------------------------------------------- adapters (tool layout <-> file)
def load(fname):
    spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(HERE, fname))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_file(entry, mod, p, X, Y, lr=None):
    f = entry["file"]
    c = {k: v.copy() for k, v in p.items()}
    if f.startswith("nielsen"):
        widths = [X.shape[1], p["W1"].shape[0], p["W2"].shape[0]]
        net = mod.Network(widths)
        net.weights = [c["W1"], c["W2"]]
        net.biases = [c["b1"].reshape(-1, 1), c["b2"].reshape(-1, 1)]
        tot = None
        for x, y in zip(X, Y):
            nb, nw = net.backprop(x.reshape(-1, 1), y.reshape(-1, 1))
            one = {"W1": nw[0], "b1": nb[0].ravel(), "W2": nw[1], "b2": nb[1].ravel()}
            tot = one if tot is None else {k: tot[k] + one[k] for k in tot}
        return tot
    if f.startswith("tutorial"):
        g1, g2 = mod.backward(X, Y, c["W1"].T.copy(), c["W2"].T.copy())
        return {"W1": g1.T, "W2": g2.T}
    if f.startswith("ng"):
        prm = {"W1": c["W1"], "b1": c["b1"][:, None], "W2": c["W2"], "b2": c["b2"][:, None]}
        g = mod.compute_gradients(prm, X.T.copy(), Y.T.copy())
        return {"W1": g["dW1"], "b1": g["db1"][:, 0], "W2": g["dW2"], "b2": g["db2"][:, 0]}
    if f.startswith("augmented_last"):
        g1, g2 = mod.grads(np.hstack([c["W1"], c["b1"][:, None]]),
                           np.hstack([c["W2"], c["b2"][:, None]]), X, Y)
        return {"W1": g1[:, :-1], "b1": g1[:, -1], "W2": g2[:, :-1], "b2": g2[:, -1]}
    if f.startswith("augmented_first"):
        g1, g2 = mod.get_gradient(X, Y, np.hstack([c["b1"][:, None], c["W1"]]),
                                  np.hstack([c["b2"][:, None], c["W2"]]))
        return {"W1": g1[:, 1:], "b1": g1[:, 0], "W2": g2[:, 1:], "b2": g2[:, 0]}
    if f.startswith("updater_biases"):
        W1, b1, W2, b2 = (c[k].copy() for k in ("W1", "b1", "W2", "b2"))
        mod.train_step(X, Y, W1, b1, W2, b2, lr)
        return {"W1": (c["W1"] - W1) / lr, "b1": (c["b1"] - b1) / lr,
                "W2": (c["W2"] - W2) / lr, "b2": (c["b2"] - b2) / lr}
    if f.startswith("updater"):
        s0, s1 = c["W1"].T.copy(), c["W2"].T.copy()
        mod.train_step(X, Y, s0, s1, lr)
        return {"W1": (c["W1"] - s0.T) / lr, "W2": (c["W2"] - s1.T) / lr}
    if f.startswith("rows"):
        g = mod.backprop(X, Y, c["W1"].T.copy(), c["b1"][None, :], c["W2"].T.copy(), c["b2"][None, :])
        return {"W1": g[0].T, "b1": g[1].ravel(), "W2": g[2].T, "b2": g[3].ravel()}
    raise ValueError(f)


# ---------------------------------------------------------------- data and comparison
def parse(argv):
    o = {"bias": False, "update": None}
    it = iter(range(len(argv)))
    for i in it:
        a = argv[i]
        if a == "--arch":
            o["widths"] = [int(w) for w in argv[i + 1].split("-")]
        elif a == "--activation":
            o["acts"] = argv[i + 1].split(",")
        elif a == "--loss":
            o["loss"] = argv[i + 1]
        elif a == "--update":
            o["update"] = float(argv[i + 1])
        elif a == "--bias":
            o["bias"] = True
            continue
        else:
            continue
        next(it)
    if len(o["acts"]) == 1:
        o["acts"] = o["acts"] * 2
    return o


def make_data(o, seed):
    rng = np.random.default_rng(seed)
    n0, n1, n2 = o["widths"]
    p = {"W1": rng.normal(0, 0.8, (n1, n0)), "W2": rng.normal(0, 0.8, (n2, n1))}
    if o["bias"]:
        p["b1"] = rng.normal(0, 0.5, n1)
        p["b2"] = rng.normal(0, 0.5, n2)
    X = rng.normal(0, 1.0, (B, n0))
    if o["loss"] == "cross-entropy":
        Y = rng.uniform(0.1, 1.0, (B, n2))
        Y /= Y.sum(1, keepdims=True)
    else:
        Y = rng.uniform(0.05, 0.95, (B, n2))
    Z1 = X @ p["W1"].T + p.get("b1", 0.0)
    if "relu" in o["acts"] and np.abs(Z1).min() < 1e-2:  # keep away from the kink
        return make_data(o, seed + 1000)
    return p, X, Y


def rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-12))


def rels(g, t):
    return {k: rel(g[k], t[k]) for k in t}


def same(g, t, tol=1e-6):
    return all(g[k].shape == t[k].shape and rel(g[k], t[k]) < tol for k in t)


def establish(entry):
    o = parse(entry["argv"])
    acts, loss = o["acts"], o["loss"]
    mod = load(entry["file"])
    p, X, Y = make_data(o, seed=13)
    truth = fd_gradient(p, X, Y, acts, loss)
    # the analytic model without mistakes must agree with finite differences
    ok_model = same(model(p, X, Y, acts, loss), truth)
    got = run_file(entry, mod, p, X, Y, lr=o["update"])
    r = {k: rel(got[k], truth[k]) for k in truth}
    wrong = sorted((k for k in truth if r[k] > 1e-3), key=["W1", "b1", "W2", "b2"].index)
    right = [k for k in truth if r[k] < 1e-6]
    problems = []
    if not ok_model:
        problems.append("analytic model disagrees with finite differences")
    if len(wrong) + len(right) != len(truth):
        problems.append("a parameter is neither right (<1e-6) nor clearly wrong (>1e-3)")
    if wrong != entry["wrong_parameters"]:
        problems.append("wrong parameters %s, expected %s" % (wrong, entry["wrong_parameters"]))
    if (1 if wrong else 0) != entry["expected_exit"]:
        problems.append("expected_exit does not match")
    causes = entry["expected_causes"]
    how = []
    worst = max(r, key=r.get)
    if not causes:
        how.append("central differences of the declared loss vs the file's gradient: max relative "
                   "difference %.1e (over %s)" % (max(r.values()), ", ".join(truth)))
    else:
        how.append("central differences of the declared %s loss vs the file: %s differ (largest relative "
                   "difference %.2g in %s)" % (loss, ", ".join(wrong), r[worst], worst))
    # confirm each cause
    if len(causes) == 1 and causes[0].startswith("loss-mismatch:"):
        other = causes[0].split(":", 1)[1]
        t2 = fd_gradient(p, X, Y, acts, other)
        d = max(rels(got, t2).values())
        if d > 1e-6:
            problems.append("not the %s gradient (%.1e)" % (other, d))
        how.append("equals the central-difference %s gradient to %.1e" % (other, d))
    elif causes == ["sign"]:
        d = max(rels(got, {k: -v for k, v in truth.items()}).values())
        if d > 1e-6:
            problems.append("not -grad (%.1e)" % d)
        how.append("equals -gradient to %.1e" % d)
    elif causes == ["constant-factor"]:
        d = max(rels(got, {k: v / B for k, v in truth.items()}).values())
        if d > 1e-6:
            problems.append("not grad/m (%.1e)" % d)
        how.append("equals gradient/m (m = batch of %d) to %.1e" % (B, d))
    elif causes == ["descent-step"]:
        lr = mod.epsilon
        d = max(rels(got, {k: -lr * v for k, v in truth.items()}).values())
        if d > 1e-6:
            problems.append("not -lr*grad (%.1e)" % d)
        how.append("equals -%g * gradient to %.1e" % (lr, d))
    elif causes == ["stale-weights"]:
        lr = o["update"]
        got_half = run_file(entry, mod, p, X, Y, lr=lr / 2)
        e1 = got["W1"] - truth["W1"]
        e2 = got_half["W1"] - truth["W1"]
        ratio = float(np.max(np.abs(e1)) / np.max(np.abs(e2)))
        lin = rel(e1, 2 * e2)
        m = model(p, X, Y, acts, loss, stale_lr=lr)
        dm = max(rels(got, m).values())
        if abs(ratio - 2) > 1e-4 or dm > 1e-6:
            problems.append("W1 error not linear in lr (ratio %.6f) or model %.1e" % (ratio, dm))
        how.append("halving lr halves the W1 error (ratio %.6f; error(lr) = 2 error(lr/2) to %.1e); equals "
                   "backprop with W2 - lr*dW2 in the hidden delta to %.1e" % (ratio, lin, dm))
    elif causes:
        kw = {}
        for c in causes:
            kw.update({"hidden_add": BIAS_FORM[entry["file"]]} if c == "bias-in-delta" else CAUSE_MODEL[c])
        m = model(p, X, Y, acts, loss, **kw)
        dm = max(rels(got, m).values()) if all(got[k].shape == m[k].shape for k in m) else np.inf
        if dm > 1e-6:
            problems.append("mistake model %s does not reproduce the file (%.1e)" % (kw, dm))
        how.append("equals a hand backprop with that mistake (%s) to %.1e" %
                   (", ".join("%s=%s" % kv for kv in kw.items()), dm))
        if len(causes) > 1:  # each mistake alone must not explain it
            for c in causes:
                k1 = {"hidden_add": BIAS_FORM[entry["file"]]} if c == "bias-in-delta" else CAUSE_MODEL[c]
                d1 = max(rels(got, model(p, X, Y, acts, loss, **k1)).values())
                if d1 < 1e-3:
                    problems.append("%s alone explains it" % c)
            how.append("neither mistake alone reproduces it")
    return {"file": entry["file"], "wrong": wrong, "r": r, "problems": problems, "how": "; ".join(how)}


def main():
    path = os.path.join(HERE, "corpus.json")
    corpus = json.load(open(path))
    rows, bad = [], 0
    for entry in corpus:
        try:
            res = establish(entry)
        except Exception as exc:  # noqa: BLE001
            res = {"file": entry["file"], "wrong": ["?"], "r": {}, "problems": ["raised %r" % exc], "how": ""}
        bad += bool(res["problems"])
        rows.append((entry, res))
        if "--write-how" in sys.argv and not res["problems"]:
            entry["how_established"] = res["how"]
    w = max(len(e["file"]) for e, _ in rows)
    print("%-*s  %-4s  %-46s  %-18s  %s" % (w, "file", "exit", "expected causes", "wrong params", "max rel. diff per parameter / status"))
    for e, res in rows:
        diffs = " ".join("%s=%.1e" % kv for kv in res["r"].items())
        print("%-*s  %-4d  %-46s  %-18s  %s  %s" % (w, e["file"], e["expected_exit"], ",".join(e["expected_causes"]) or "-",
                                                    ",".join(res["wrong"]) or "-", diffs,
                                                    "OK" if not res["problems"] else "FAIL: " + "; ".join(res["problems"])))
    print("%d entries, %d failed" % (len(rows), bad))
    if "--write-how" in sys.argv and not bad:
        with open(path, "w") as fh:
            json.dump(corpus, fh, indent=1)
            fh.write("\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
