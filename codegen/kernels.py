"""Kernels the emitted modules carry, quoted from real functions (as tangent quotes its
templates): the activation and loss kernels live in their registry entries
(derive/activations.py, derive/losses.py); ``_gradient`` is the one kernel of the pattern
itself. Quoting keeps every kernel a function that ruff lints and tests call directly."""
from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Iterable

import numpy as np


def source(function: Callable) -> str:
    """The source of ``function``, dedented, as it will appear in an emitted module."""
    return textwrap.dedent(inspect.getsource(function)).rstrip()


def sources(functions: Iterable[Callable]) -> list[str]:
    """The sources of ``functions`` in order, each once."""
    return [source(f) for f in dict.fromkeys(functions)]


def _gradient(delta, x, out):
    """Σ over the batch of δ xᵀ; for one sample that is an outer product, which NumPy
    computes faster as a broadcast multiply than as a matrix product."""
    if delta.shape[0] == 1:
        return np.multiply(delta.T, x, out=out)
    return np.matmul(delta.T, x, out=out)
