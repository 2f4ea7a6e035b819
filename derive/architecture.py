"""A network's architecture: widths, one activation per layer, loss, biases."""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from derive.activations import ACTIVATIONS
from derive.activations import activation as activation_entry
from derive.errors import DeriveError
from derive.losses import loss as loss_entry

MAX_WIDTH = 100_000
# What every command can do within a 4 GB memory budget: ``build`` and ``check-code`` hold
# many float64 copies of the parameters at once (parameters, gradients, the reference
# backprop's, finite-difference copies): measured at 16,000,000 parameters (4000-4000-10),
# build peaks at 2.6 GB and check-code at 2.1 GB, about 160 bytes a parameter, so the limit
# keeps build near 1.6 GB. The derivation itself is linear in depth (deep networks are
# derived layer by layer) and ``show`` computes only what it prints.
MEMORY_BUDGET = "4 GB"
MAX_PARAMETERS = 10_000_000
MAX_DEPTH = 1_000


@dataclass(frozen=True)
class Architecture:
    """Widths ``n_1 … n_L`` (layer 1 is the input), the activations of layers 2…L."""

    widths: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "mse"
    bias: bool = False

    @classmethod
    def parse(
        cls,
        text: str,
        activation: str = "sigmoid",
        loss: str = "mse",
        bias: bool = False,
    ) -> Architecture:
        """``Architecture.parse("3-2-2", activation="sigmoid", loss="mse", bias=False)``.

        ``activation`` is one name for every layer or a comma list with one name
        per non-input layer, e.g. ``"tanh,softmax"``.
        """
        widths = _parse_widths(text)
        check_size(text, widths, bool(bias))
        names = [a.strip() for a in str(activation).split(",")]
        layers = len(widths) - 1
        if len(names) == 1:
            names = names * layers
        elif len(names) != layers:
            raise DeriveError(
                f"activation list {activation!r} has {len(names)} names but {text!r} has "
                f"{layers} non-input layers; give one name, or one per non-input layer"
            )
        arch = cls(tuple(widths), tuple(names), str(loss), bool(bias))
        arch.validate()
        return arch

    def validate(self) -> None:
        for name in self.activations:
            activation_entry(name)
        entry = loss_entry(self.loss)
        for layer, name in enumerate(self.activations[:-1], start=2):
            if not ACTIVATIONS[name].elementwise:
                raise DeriveError(
                    f"{name} is supported on the output layer only (found on layer {layer}); "
                    f"use one of: {', '.join(n for n, a in ACTIVATIONS.items() if a.elementwise)}"
                )
        if self.activations[-1] == "softmax" and self.widths[-1] < 2:
            raise DeriveError("softmax needs at least 2 output nodes; widen the output layer")
        if entry.output and self.activations[-1] != entry.output:
            raise DeriveError(
                f"loss {self.loss!r} needs a {entry.output} output layer, not "
                f"{self.activations[-1]}; use --activation ending in {entry.output}"
            )

    @property
    def depth(self) -> int:
        """The number of layers L, input included."""
        return len(self.widths)

    @property
    def parameter_names(self) -> list[str]:
        names = [f"W{layer}" for layer in range(1, self.depth)]
        if self.bias:
            names += [f"b{layer}" for layer in range(1, self.depth)]
        return names

    def shape(self, parameter: str) -> tuple[int, ...]:
        kind, layer = _split_parameter(parameter, self.depth)
        if kind == "W":
            return (self.widths[layer], self.widths[layer - 1])
        if not self.bias:
            raise DeriveError(f"{parameter} does not exist: this network has no biases (use --bias)")
        return (self.widths[layer],)

    @property
    def weight_count(self) -> int:
        return sum(a * b for a, b in zip(self.widths, self.widths[1:]))

    @property
    def parameter_count(self) -> int:
        return self.weight_count + (sum(self.widths[1:]) if self.bias else 0)

    @property
    def text(self) -> str:
        return "-".join(str(n) for n in self.widths)

    @property
    def activation_text(self) -> str:
        if len(set(self.activations)) == 1:
            return self.activations[0]
        return ",".join(self.activations)

    def describe(self) -> str:
        bias = "with biases" if self.bias else "without biases"
        return f"{self.text} {self.activation_text} network, {self.loss} loss, {bias}"

    def command_options(self) -> str:
        """The command-line options that select this architecture."""
        bias = "--bias" if self.bias else "--no-bias"
        return f"{self.text} --activation {self.activation_text} --loss {self.loss} {bias}"

    def with_widths(self, widths) -> Architecture:
        return Architecture(tuple(widths), self.activations, self.loss, self.bias)

    def as_dict(self) -> dict:
        return {
            "widths": list(self.widths),
            "activations": list(self.activations),
            "loss": self.loss,
            "bias": self.bias,
        }


def _parse_widths(text: str) -> list[int]:
    text = str(text).strip()
    if not re.fullmatch(r"\d+(-\d+)+", text):
        raise DeriveError(
            f"architecture {text!r} is not layer widths joined by '-'; write e.g. 3-2-2 "
            "(at least two layers, each a positive integer)"
        )
    widths = [int(part) for part in text.split("-")]
    for position, width in enumerate(widths, start=1):
        if width < 1:
            raise DeriveError(f"layer {position} of {text!r} has width 0; every width must be at least 1")
        if width > MAX_WIDTH:
            raise DeriveError(f"layer {position} of {text!r} is wider than {MAX_WIDTH:,}; use a smaller width")
    return widths


def check_size(text: str, widths, bias: bool) -> None:
    """Refuse, before anything is built, networks no command can handle within the budget."""
    if len(widths) > MAX_DEPTH:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise DeriveError(f"{shown} has {len(widths):,} layers; derive handles at most {MAX_DEPTH:,} layers, "
                          "use a shallower network")
    count = sum(a * b for a, b in itertools.pairwise(widths)) + (sum(widths[1:]) if bias else 0)
    if count > MAX_PARAMETERS:
        raise DeriveError(
            f"{text} has {count:,} parameters; derive handles at most {MAX_PARAMETERS:,} "
            f"(its {MEMORY_BUDGET} memory budget), use smaller widths"
        )


def _split_parameter(parameter: str, depth: int) -> tuple[str, int]:
    match = re.fullmatch(r"([Wb])(\d+)", str(parameter))
    if not match or not 1 <= int(match.group(2)) < depth:
        known = ", ".join(f"W{l}" for l in range(1, depth)) + " (and b1… with biases)"
        raise DeriveError(f"unknown parameter {parameter!r}; this network has {known}")
    return match.group(1), int(match.group(2))
