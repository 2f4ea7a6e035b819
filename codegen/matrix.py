"""The ``matrix`` form: batched, vectorized code from the proven matrix pattern.

Builds plain data for ``templates/matrix.py.jinja``: the template only lays it out.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from codegen.kernels import _gradient, sources
from codegen.printer import code
from derive import naming
from derive.activations import activation
from derive.derivation import Derivation
from derive.losses import loss as loss_entry
from derive.pattern import XP, S, X, Y, Z


@dataclass(frozen=True)
class LayerPlan:
    layer: int  # l = 2 … L
    weight: str  # "W1" feeds layer 2
    bias: str | None
    activation: str
    z: str  # buffer names
    x: str
    prime: str | None  # buffer of x^(l)' (None: derivative is 1, or softmax)
    delta: str
    forward_comment: str
    activation_comment: str
    gradient_comment: str
    bias_comment: str | None
    inner_comment: str | None  # how δ^(l) comes from δ^(l+1); None for the output layer
    derivative_rule: str


def plan(d: Derivation) -> dict:
    arch, pattern = d.arch, d.proven
    L = arch.depth
    layers = []
    for layer in range(2, L + 1):
        name = arch.activations[layer - 2]
        p = layer - 1
        kernel = activation(name)
        weighted = f"{naming.weight_matrix_text(p)} {naming.vector_text(p)}"
        bias_part = f" + {naming.bias_text(p)}" if arch.bias else ""
        applied = f"{kernel.text}(z^({layer}))" if name != "identity" else f"z^({layer})"
        needs_prime = layer < L or XP in pattern.output.simplified.free_symbols
        has_prime = needs_prime and kernel.derivative_kernel is not None
        layers.append(LayerPlan(
            layer=layer,
            weight=f"W{p}",
            bias=f"b{p}" if arch.bias else None,
            activation=name,
            z=f"z{layer}",
            x=f"x{layer}",
            prime=f"prime{layer}" if has_prime else None,
            delta=f"delta{layer}",
            forward_comment=f"z^({layer}) = {weighted}{bias_part}",
            activation_comment=f"{naming.vector_text(layer)} = {applied}",
            gradient_comment=pattern.gradient_equation(p),
            bias_comment=pattern.bias_equation(p) if arch.bias else None,
            inner_comment=pattern.inner_equation(layer) if layer < L else None,
            derivative_rule=kernel.rule,
        ))
    loss = loss_entry(arch.loss)
    output = layers[-1]
    entries = [activation(name) for name in sorted({layer.activation for layer in layers})]
    helpers = [h for e in entries for h in e.helpers] + [e.forward for e in entries if e.forward]
    helpers += [prime_kernel for layer in layers
                if layer.prime and (prime_kernel := activation(layer.activation).derivative_kernel) is not None]
    helpers += [*loss.helpers, loss.value, loss.check_labels]
    helpers.append(_gradient)
    buffers = []
    for layer_plan in layers:
        width = arch.widths[layer_plan.layer - 1]
        buffers.append((layer_plan.z, width))
        if layer_plan.activation != "identity":
            buffers.append((layer_plan.x, width))
        if layer_plan.prime:
            buffers.append((layer_plan.prime, width))
        if layer_plan.layer < L:
            buffers.append((layer_plan.delta, width))
    return {
        "buffers": buffers,
        "returns": _unpack(layers, None),
        "unpack": _unpack(layers, _used_in_backward(layers, pattern)),
        "loss_unpack": _unpack(layers[-1:], None),
        "layers": layers,
        "output": output,
        "helpers": sources(helpers),
        "needs_math": any("math." in text for text in sources(helpers)),
        "label_check": loss.check_labels.__name__,
        "loss_value": f"{loss.value.__name__}({output.x}, {output.z}, y)",
        "loss_equation": loss.equation.format(n_out=arch.widths[-1]),
        "output_delta": _output_delta_code(d, output),
        "output_equation": pattern.output_equation(),
        "pattern_lines": pattern.lines(),
    }


def _output_delta_code(d: Derivation, output: LayerPlan) -> list[str]:
    """Statements that compute δ^(L) into ``output.delta`` from x, z and y."""
    out = d.proven.output
    L = d.arch.depth
    names = {X: output.x, Y: "y", Z: output.z, S: "weighted", XP: output.prime or "1"}
    template = out.simplified
    lines = []
    if S in template.free_symbols:
        g = code(out.gradient, names)
        lines.append(f"gradient = {g}  # ∇_x L at x^({L})")
        lines.append(f"weighted = np.sum({output.x} * gradient, axis=1, keepdims=True)  # x^({L})ᵀ ∇_x L")
        gradient = sp.Symbol("gradient")
        assert template == X * (out.gradient - S), "softmax δ template"
        template = X * (gradient - S)  # the same template, naming ∇_x L computed above
        names[gradient] = "gradient"
    lines.append(f"{output.delta} = {code(template, names)}")
    return lines


def _used_in_backward(layers: list, pattern) -> set:
    """The forward values the loss (output x and z) and the backward pass read."""
    output = layers[-1]
    used = {output.x, output.z}
    for layer in layers[:-1]:
        used.add(layer.x)
        if layer.prime:
            used.add(layer.z)
    template = pattern.output.simplified
    if output.prime or X in template.free_symbols or S in template.free_symbols:
        used.add(output.x)
    if output.prime or Z in template.free_symbols:
        used.add(output.z)
    return used


def _unpack(layers: list, used: set | None) -> str:
    """``z2, x2, …`` for ``_forward``'s result; ``_`` for values not in ``used`` (None: all)."""
    names = [name for layer in layers for name in (layer.z, layer.x)]
    return ", ".join(name if used is None or name in used else "_" for name in names)
