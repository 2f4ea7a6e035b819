"""Checking someone's gradient function against the derivation, per parameter and element.

The function follows the generated modules' contract, ``f(params, X, Y) -> dict``. It is
called on random data; each matrix is compared with the reference backprop, and a cause is
guessed where one fits: a transposed matrix, a constant factor or sign, or one of the classic
mistakes of ``derive.reference.MISTAKES`` reproduced exactly.
"""
from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from derive import reference
from derive.errors import DeriveError

BATCH = 5
RTOL = 1e-6


@dataclass
class ParameterReport:
    name: str
    right: bool
    wrong_elements: list = field(default_factory=list)  # 1-based indices
    largest_error: float = 0.0
    note: str | None = None


@dataclass
class CodeReport:
    parameters: list
    cause: str | None

    @property
    def right(self) -> bool:
        return all(p.right for p in self.parameters)


def load_function(target: str):
    """``path/to/file.py:function`` -> the function."""
    path, _, name = target.rpartition(":")
    if not path or not name:
        raise DeriveError(f"{target!r} is not FILE.py:FUNCTION")
    if not Path(path).is_file():
        raise DeriveError(f"{path} does not exist")
    spec = importlib.util.spec_from_file_location(f"checked_{Path(path).stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(Path(path).resolve().parent))
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - the user's module: any failure is theirs to fix
        raise DeriveError(f"importing {path} failed: {type(error).__name__}: {error}") from None
    finally:
        sys.path.pop(0)
    function = getattr(module, name, None)
    if not callable(function):
        raise DeriveError(f"{path} has no function {name}")
    return function


def check_function(function, arch, seed: int = 11) -> CodeReport:
    rng = np.random.default_rng(seed)
    params = {name: rng.normal(0, 0.7, arch.shape(name)) for name in arch.parameter_names}
    X = rng.normal(0, 1, (BATCH, arch.widths[0]))
    if arch.loss == "cross-entropy":
        Y = np.eye(arch.widths[-1])[rng.integers(0, arch.widths[-1], BATCH)]
    elif arch.loss == "bce":
        Y = rng.uniform(0, 1, (BATCH, arch.widths[-1]))
    else:
        Y = rng.normal(0, 1, (BATCH, arch.widths[-1]))
    try:
        theirs = function({k: v.copy() for k, v in params.items()}, X.copy(), Y.copy())
    except Exception as error:  # noqa: BLE001 - the user's code: any failure is its verdict
        raise DeriveError(f"the function raised {type(error).__name__}: {error}") from None
    if isinstance(theirs, tuple) and len(theirs) == 2 and isinstance(theirs[1], dict):
        theirs = theirs[1]  # loss_and_gradients
    if not isinstance(theirs, dict):
        raise DeriveError("the function must return a dict like params: {'W1': …, …}")
    missing = [k for k in arch.parameter_names if k not in theirs]
    if missing:
        raise DeriveError(f"the function's result lacks {', '.join(missing)}")
    theirs = {k: np.asarray(theirs[k], float) for k in arch.parameter_names}
    _, truth = reference.loss_and_gradients(arch.as_dict(), params, X, Y)
    reports = [_compare(name, theirs[name], truth[name]) for name in arch.parameter_names]
    cause = None
    if not all(r.right for r in reports):
        cause = _classic_mistake(arch, params, X, Y, theirs) or _common_note(reports)
    return CodeReport(reports, cause)


def _compare(name, theirs, truth) -> ParameterReport:
    if theirs.shape != truth.shape:
        if theirs.shape == truth.T.shape and np.allclose(theirs.T, truth, rtol=RTOL, atol=RTOL):
            return ParameterReport(name, False, note=f"transposed: shape {theirs.shape} instead of {truth.shape}")
        return ParameterReport(name, False, note=f"shape {theirs.shape} instead of {truth.shape}")
    scale = max(1e-12, float(np.abs(truth).max()))
    error = np.abs(theirs - truth)
    wrong = np.argwhere(error > RTOL * scale)
    report = ParameterReport(name, len(wrong) == 0, [tuple(int(i) + 1 for i in w) for w in wrong],
                             float(error.max()))
    if len(wrong):
        nonzero = np.abs(truth) > 1e-9 * scale
        ratios = theirs[nonzero] / truth[nonzero]
        if ratios.size and np.allclose(ratios, ratios[0], rtol=1e-6):
            factor = float(ratios[0])
            report.note = "the sign is wrong" if np.isclose(factor, -1) else f"{factor:.6g} times the right values"
    return report


def _classic_mistake(arch, params, X, Y, theirs) -> str | None:
    for mistake, description in reference.MISTAKES.items():
        result = reference.loss_and_gradients(arch.as_dict(), params, X, Y, mistake=mistake)
        if result is None:
            continue
        _, grads = result
        if all(theirs[k].shape == grads[k].shape and np.allclose(theirs[k], grads[k], rtol=RTOL, atol=RTOL * max(
                1.0, float(np.abs(grads[k]).max()))) for k in arch.parameter_names):
            _, right = reference.loss_and_gradients(arch.as_dict(), params, X, Y)
            if not all(np.allclose(grads[k], right[k]) for k in right):  # the mistake shows here
                return description
    return None


def _common_note(reports) -> str | None:
    notes = {r.note for r in reports if not r.right and r.note}
    if len(notes) == 1:
        note = notes.pop()
        if "transposed" in note:
            return "a gradient matrix is transposed (δ xᵀ has the shape of W: rows are destination nodes)"
        if "times the right values" in note:
            return f"a constant factor: every wrong matrix is {note}"
        return note
    return None
