"""Speed of the generated code: one `loss_and_gradients` call of the generated matrix module
for 784-128-64-10 (relu, relu, softmax, cross-entropy, biases) against a plain hand-written
NumPy backprop, the same with preallocated buffers, PyTorch (CPU, eager) and JAX (CPU, jit)
when installed; the fraction of this machine's matmul peak reached at batch 1024; and the
unrolled against the matrix form for the 3-2-2 article network on one sample.

    python bench/gradients.py [--rounds N] [--baseline REV]

``--baseline REV`` also times the module as committed at git revision REV ("before"), in the
same rounds, and adds a gen/before column: a before/after ratio taken in one run.

Ratios are taken within one run, every implementation timed in the same rounds.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

# PyTorch's OpenMP threads otherwise spin after each call and slow whatever runs next.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import itertools

import handwritten
from table import print_table

WIDTHS = (784, 128, 64, 10)


def load(name, path=None):
    spec = importlib.util.spec_from_file_location(name, path or ROOT / "generated" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seconds_per_call(functions: dict, rounds: int, budget: float = 0.05) -> dict:
    """Median seconds per call of each function; every round times all of them, in an order
    that rotates from round to round, so that the machine's noise (and whatever one library
    leaves running after its call) falls on all alike."""
    calls = {}
    for name, function in functions.items():
        function()
        start = time.perf_counter()
        function()
        calls[name] = max(1, int(budget / max(time.perf_counter() - start, 1e-7)))
    samples = {name: [] for name in functions}
    names = list(functions)
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            function = functions[name]
            start = time.perf_counter()
            for _ in range(calls[name]):
                function()
            samples[name].append((time.perf_counter() - start) / calls[name])
    return {name: statistics.median(values) for name, values in samples.items()}


def torch_step(dtype):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    torch_dtype = {"float32": torch.float32, "float64": torch.float64}[dtype]

    def make(params, X, Y):
        p = {k: torch.tensor(v, dtype=torch_dtype, requires_grad=True) for k, v in params.items()}
        x, y = torch.tensor(X, dtype=torch_dtype), torch.tensor(Y, dtype=torch_dtype)

        def step():
            for t in p.values():
                t.grad = None
            a = torch.relu(x @ p["W1"].T + p["b1"])
            a = torch.relu(a @ p["W2"].T + p["b2"])
            z = a @ p["W3"].T + p["b3"]
            loss = -(y * torch.log_softmax(z, dim=1)).sum()
            loss.backward()
            return loss.item(), {k: t.grad for k, t in p.items()}
        return step
    return make


def jax_step(dtype):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def loss_fn(p, x, y):
        a = jax.nn.relu(x @ p["W1"].T + p["b1"])
        a = jax.nn.relu(a @ p["W2"].T + p["b2"])
        z = a @ p["W3"].T + p["b3"]
        return -(y * jax.nn.log_softmax(z, axis=1)).sum()

    compiled = jax.jit(jax.value_and_grad(loss_fn))

    def make(params, X, Y):
        p = {k: jnp.asarray(v, dtype=dtype) for k, v in params.items()}
        x, y = jnp.asarray(X, dtype=dtype), jnp.asarray(Y, dtype=dtype)

        def step():
            value, grads = compiled(p, x, y)
            jax.block_until_ready(grads)
            return value, grads
        return step
    return make


def matmul_peak(dtype, rounds):
    n = 2048
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(n, n)).astype(dtype), rng.normal(size=(n, n)).astype(dtype)
    C = np.empty((n, n), dtype)
    seconds = seconds_per_call({"matmul": lambda: np.matmul(A, B, out=C)}, rounds, budget=0.3)["matmul"]
    return 2 * n**3 / seconds / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--baseline", metavar="REV", help="also time the module as of this git revision")
    args = parser.parse_args()
    module = load("mnist_784_128_64_10")
    before = None
    if args.baseline:
        import subprocess
        import tempfile

        source = subprocess.run(["git", "show", f"{args.baseline}:generated/mnist_784_128_64_10.py"], cwd=ROOT,
                                capture_output=True, check=True).stdout
        path = Path(tempfile.mkdtemp()) / "before.py"
        path.write_bytes(source)
        before = load("before", path)
    rng = np.random.default_rng(0)
    makers = {"torch": {d: torch_step(d) for d in ("float32", "float64")},
              "jax": {d: jax_step(d) for d in ("float32", "float64")}}
    rows = []
    fraction = None
    peaks = {d: matmul_peak(d, args.rounds) for d in ("float64", "float32")}
    for dtype in ("float32", "float64"):
        params = {k: v.astype(dtype) for k, v in module.init_params(seed=1).items()}
        for batch in (1, 64, 1024):
            X = rng.normal(size=(batch, WIDTHS[0])).astype(dtype)
            Y = np.eye(WIDTHS[-1], dtype=dtype)[rng.integers(0, WIDTHS[-1], batch)]
            out = {k: np.empty_like(v) for k, v in params.items()}
            pre = handwritten.Preallocated(params, batch)
            functions = {
                "generated": lambda p=params, X=X, Y=Y, o=out: module.loss_and_gradients(p, X, Y, out=o),
                "hand": lambda p=params, X=X, Y=Y: handwritten.step(p, X, Y),
                "hand_pre": lambda pre=pre, p=params, X=X, Y=Y: pre.step(p, X, Y),
            }
            if before is not None:
                functions["before"] = lambda p=params, X=X, Y=Y, o=out: before.loss_and_gradients(p, X, Y, out=o)
            for name in ("torch", "jax"):
                if makers[name][dtype]:
                    functions[name] = makers[name][dtype](params, X, Y)
            times = seconds_per_call(functions, args.rounds)
            times.setdefault("torch", None)
            times.setdefault("jax", None)
            g = times["generated"]
            rows.append((
                f"{batch}", dtype, f"{g * 1e3:.3f}", f"{times['hand'] * 1e3:.3f}", f"{g / times['hand']:.2f}",
                f"{times['hand_pre'] * 1e3:.3f}", f"{g / times['hand_pre']:.2f}",
                _ratio(times["torch"], g), _ratio(times["jax"], g),
                *([f"{g / times['before']:.2f}"] if before is not None else []),
            ))
            if batch == 1024 and dtype == "float32":
                layers = list(itertools.pairwise(WIDTHS))
                needed = 2 * batch * (3 * sum(a * b for a, b in layers) - WIDTHS[0] * WIDTHS[1])
                fraction = needed / g / 1e9 / peaks["float32"]
    header = ("batch", "dtype", "generated ms", "hand ms", "gen/hand", "hand prealloc ms", "gen/prealloc",
              "torch eager / gen", "jax jit / gen") + (("gen/before",) if before is not None else ())
    print("784-128-64-10 relu,relu,softmax cross-entropy with biases, one loss_and_gradients call (median)\n")
    print_table(header, rows)
    print(f"\nmatmul peak (2048x2048 A @ B): {peaks['float64']:.0f} GFLOP/s float64, "
          f"{peaks['float32']:.0f} GFLOP/s float32")
    print(f"generated code at batch 1024 float32: {fraction:.0%} of the float32 peak "
          "(counting the flops needed, 2·B·(3·Σ n_l·n_(l+1) − n_1·n_2))")
    matrix, unrolled = load("article_matrix"), load("article_unrolled")
    params = matrix.init_params(seed=0)
    x, y = np.array([0.5, -1.0, 2.0]), np.array([0.0, 1.0])
    times = seconds_per_call({"matrix": lambda: matrix.loss_and_gradients(params, x, y),
                              "unrolled": lambda: unrolled.loss_and_gradients(params, x, y)}, args.rounds)
    t_matrix, t_unrolled = times["matrix"], times["unrolled"]
    print(f"3-2-2 article network, one sample: matrix {t_matrix * 1e6:.1f} µs, unrolled "
          f"{t_unrolled * 1e6:.1f} µs ({t_matrix / t_unrolled:.1f}x faster unrolled)")


def _ratio(other, generated):
    return "not installed" if other is None else f"{other / generated:.2f}"


if __name__ == "__main__":
    main()
