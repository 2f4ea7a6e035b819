"""The ``unrolled`` form: one expression per parameter, from the elementwise derivatives.

Every named quantity is a scalar (one sample) or an array over the batch; the partial
derivatives are the engine's elementwise results, started from the simplest proven
form of δ^(L), with common subexpressions shared by ``sympy.cse``. Builds plain data
for ``templates/unrolled.py.jinja``.
"""
from __future__ import annotations

import sympy as sp

from codegen.kernels import sources
from codegen.printer import code
from derive import naming
from derive.activations import ACTIVATIONS, PRIMITIVES, activation
from derive.derivation import Derivation
from derive.errors import DeriveError
from derive.graph import flattened
from derive.losses import loss as loss_entry
from derive.network import LOSS
from derive.pattern import X, Z
from derive.reverse import adjoints

UNROLLED_LIMIT = 600  # parameters; beyond this the expressions stop being readable or quick


def plan(d: Derivation) -> dict:
    arch = d.arch
    if arch.parameter_count > UNROLLED_LIMIT or d.method != "elementwise":
        raise DeriveError(
            f"the unrolled form writes one expression per parameter; {arch.text} has "
            f"{arch.parameter_count:,} (limit {UNROLLED_LIMIT:,}); use --form matrix"
        )
    net = d.network
    names: dict[sp.Symbol, str] = {}
    used: set[str] = set()  # the operations the printed code calls, for the module to define

    def name(symbol):
        names.setdefault(symbol, naming.python_name(symbol))
        return names[symbol]

    forward = []
    for layer in range(2, arch.depth + 1):
        entry = activation(arch.activations[layer - 2])
        zs, xs = net.preactivations[layer], net.nodes[layer]
        for z in zs:
            forward.append(f"{name(z)} = {code(net.definitions[z], None, 'm', used=used)}")
        if entry.name == "softmax":
            forward.append(f"[{', '.join(name(x) for x in xs)}] = m.softmax({', '.join(name(z) for z in zs)})")
            used.add("softmax")
        elif entry.name == "identity":
            forward += [f"{name(x)} = {name(z)}" for x, z in zip(xs, zs)]
        else:
            forward += [f"{name(x)} = {code(entry.function(z), None, 'm', used=used)}" for x, z in zip(xs, zs)]
    outputs = [name(x) for x in net.outputs]
    loss_lines = _loss_lines(d, name, used)

    seeds = {z: d.output_delta(i) for i, z in enumerate(net.preactivations[arch.depth], start=1)}
    partials = adjoints(net, seeds)
    symbols = [s for p in arch.parameter_names for s in net.parameter_symbols(p)]
    expressions = [flattened(partials[s]) for s in symbols]
    primes = sorted({p for e in expressions for p in e.free_symbols if "'" in p.name}, key=_order)
    derivatives = []
    for prime in primes:
        parts = _parts(prime)
        layer, i = parts["layer"], parts["i"]
        entry = activation(arch.activations[layer - 2])
        rule = entry.from_output(X, Z).xreplace({X: naming.node(layer, i), Z: naming.preactivation(layer, i)})
        derivatives.append(f"{name(prime)} = {code(rule, None, 'm', factor=False, used=used)}")
    temporaries, reduced = sp.cse(expressions, symbols=sp.numbered_symbols("t"), order="none")
    shared = [f"{t} = {code(e, None, 'm', used=used)}" for t, e in temporaries]
    gradients = []
    for symbol, expr in zip(symbols, reduced):
        gradients.append({
            "name": "d" + naming.python_name(symbol),
            "code": code(expr, None, "m", used=used),
            "comment": _comment(symbol),
        })
    entries = [a for a in ACTIVATIONS.values() if a.elementwise and a.forward and a.name in used]
    loss = loss_entry(arch.loss)
    # every entry has a forward kernel (see above): the None filter drops nothing
    kernels = [h for e in entries for h in (*e.helpers, e.forward, e.scalar) if h is not None]
    kernels += [PRIMITIVES[op] for op in sorted(used) if op in PRIMITIVES]
    kernels += [*loss.helpers, loss.check_labels]
    return {
        "helpers": sources(kernels),
        "activations": [e.name for e in entries],
        "used": sorted(used),
        "label_check": loss.check_labels.__name__,
        "weights": [(p, [[name(w) for w in row] for row in net.weights[int(p[1:])]])
                    for p in arch.parameter_names if p.startswith("W")],
        "biases": [(p, [name(b) for b in net.biases[int(p[1:])]]) for p in arch.parameter_names
                   if p.startswith("b")],
        "inputs": [name(x) for x in net.inputs],
        "labels": [name(y) for y in net.labels],
        "forward_lines": forward,
        "outputs": outputs,
        "loss_lines": loss_lines,
        "derivative_lines": derivatives,
        "shared_lines": shared,
        "gradient_lines": gradients,
        "gradient_arrays": _arrays(arch),
    }


def _parts(symbol) -> dict:
    """The parts of one of the network's own symbols (which always parse)."""
    parts = naming.parse_symbol(symbol.name)
    if parts is None:
        raise DeriveError(f"{symbol} is not a symbol of the network")
    return parts


def _order(symbol):
    parts = _parts(symbol)
    return (-parts["layer"], parts["i"])


def _comment(symbol) -> str:
    parts = _parts(symbol)
    layer, i = parts["layer"], parts["i"]
    delta = f"δ_{i}^({layer + 1})"
    if parts["kind"] == "w":
        j = parts["j"]
        below = f"x_{j}" if layer == 1 else f"x_{j}^({layer})"
        return f"∂L/∂w_{i}{j}^({layer}→{layer + 1}) = {delta} {below}"
    return f"∂L/∂b_{i}^({layer + 1}) = {delta}"


def _arrays(arch) -> list:
    arrays = []
    for p in arch.parameter_names:
        shape = arch.shape(p)
        layer = int(p[1:])
        if p.startswith("W"):
            rows = [[f"dw{layer}_{i}_{j}" for j in range(1, shape[1] + 1)] for i in range(1, shape[0] + 1)]
            arrays.append((p, "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"))
        else:
            arrays.append((p, "[" + ", ".join(f"db{layer}_{i}" for i in range(1, shape[0] + 1)) + "]"))
    return arrays


def _loss_lines(d: Derivation, name, used: set) -> list[str]:
    """Statements that compute ``value``, the loss summed over the batch, without overflow
    (the loss entry's stable form where it has one: softplus for bce, log Σ e^z for cross-entropy)."""
    arch, net = d.arch, d.network
    L = arch.depth
    zs, ys = net.preactivations[L], net.labels
    stable = loss_entry(arch.loss).stable
    if stable is None:
        return [f"value = m.total({code(net.definitions[LOSS], None, 'm', used=used)})"]
    lse = sp.Symbol(f"lse{L}")
    per_sample = stable(zs, ys, lse)
    lines = []
    if lse in per_sample.free_symbols:
        lines.append(f"{lse} = m.logsumexp({', '.join(name(z) for z in zs)})")
    return [*lines, f"value = m.total({code(per_sample, None, 'm', used=used)})"]
