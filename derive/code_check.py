"""Checking someone's gradient function against the derivation, per parameter and element.

The function follows the generated modules' contract, ``f(params, X, Y) -> dict``. It is
imported and called in a child process (a fresh interpreter, bounded in time and memory, with
its stdout and stderr captured); the child hands back plain float arrays, or one sentence on
why there are none. Each matrix is then compared with the reference backprop, and a cause is
guessed where one fits: a transposed matrix, a constant factor or sign, or one of the classic
mistakes of ``derive.reference.MISTAKES`` reproduced exactly.

The child runs this very file on its own (see ``_BOOT``), so the top level imports only the
standard library and NumPy; anything from ``derive`` (which imports SymPy) is imported inside
the functions that run in the parent.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

BATCH = 5
RTOL = 1e-6
TIMEOUT = 60.0  # seconds, importing the file and calling the function together
MEMORY_LIMIT = 4 * 2**30  # bytes of address space for the child (RLIMIT_AS)
FILE_SIZE_LIMIT = 256 * 2**20  # bytes any one file the child writes may reach (its stdout included)
SHOWN = 80  # characters of the checked code's first printed line shown in the note

# Loads this file in the child without importing the derive package (and SymPy with it).
_BOOT = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('derive_code_check_child', sys.argv[1])\n"
    "module = sys.modules['derive_code_check_child'] = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(module)\n"
    "module._child_main(sys.argv[2])\n"
)


@dataclass
class ParameterReport:
    name: str
    right: bool
    wrong_elements: list = field(default_factory=list)  # 1-based indices
    largest_error: float = 0.0
    note: str | None = None
    not_finite: list = field(default_factory=list)  # 1-based indices of NaN or ±Inf elements


@dataclass
class CodeReport:
    parameters: list
    cause: str | None
    unusable: str | None = None  # why nothing could be compared; then ``parameters`` is empty
    printed: str | None = None  # one line about what the checked code printed, if it did
    causes: list = field(default_factory=list)  # the fixed IDs of the recognized mistakes
    convention: str | None = None  # the reading of the code's convention that was checked
    own_contract: bool = True  # the tool's own f(params, X, Y) -> dict layout: no convention line needed

    @property
    def right(self) -> bool:
        return self.unusable is None and bool(self.parameters) and all(p.right for p in self.parameters)

    @property
    def verdict(self) -> str:
        return "unusable" if self.unusable else "right" if self.right else "wrong"

    def as_json(self) -> dict:
        return {"verdict": self.verdict, "convention": self.convention, "causes": list(self.causes),
                "cause": self.cause, "unusable": self.unusable,
                "parameters": [{"name": p.name, "right": p.right,
                                "largest_error": None if p.largest_error != p.largest_error else p.largest_error,
                                "wrong_elements": [list(e) for e in p.wrong_elements], "note": p.note}
                               for p in self.parameters]}

    def _repr_markdown_(self) -> str:
        lines = [f"**check-code: {self.verdict}**", ""]
        if self.convention:
            lines += [f"convention: `{self.convention}`", ""]
        if self.unusable:
            lines.append(f"cannot check: {self.unusable}")
        if self.parameters:
            lines += ["| parameter | verdict | largest error | note |", "|---|---|---|---|"]
            lines += [f"| {p.name} | {'right' if p.right else 'wrong'} | {p.largest_error:.3g} | {p.note or ''} |"
                      for p in self.parameters]
        if self.verdict == "wrong":
            ids = f" [{', '.join(self.causes)}]" if self.causes else ""
            lines += ["", f"likely cause{ids}: {self.cause or 'not recognized'}"]
        return "\n".join(lines)


def batch_size(arch) -> int:
    """Samples per probe: 5 unless a width (or a width plus a bias column) is 5, so that
    rows and columns of X never have one shape."""
    taken = set(arch.widths) | {w + 1 for w in arch.widths}
    size = BATCH
    while size in taken:
        size += 1
    return size


def random_case(arch, seed: int = 11, batch: int = BATCH):
    """The parameters, inputs and labels the function is called with: (params, X, Y)."""
    rng = np.random.default_rng(seed)
    params = {name: rng.normal(0, 0.7, arch.shape(name)) for name in arch.parameter_names}
    X = rng.normal(0, 1, (batch, arch.widths[0]))
    from derive.losses import loss as loss_entry  # here, not at the top: the child loads this file alone

    return params, X, loss_entry(arch.loss).sample(rng, (batch, arch.widths[-1]))


def parse_target(target: str) -> tuple[Path, str]:
    """``path/to/file.py:function`` -> (path, function name), the file checked to exist."""
    from derive.errors import DeriveError

    path, _, name = target.rpartition(":")
    if not path or not name:
        raise DeriveError(f"{target!r} is not FILE.py:FUNCTION")
    if name.count(".") > 1 or not all(part.isidentifier() for part in name.split(".")):
        raise DeriveError(f"{name!r} is not a function name (FILE.py:FUNCTION or FILE.py:Class.method)")
    if not Path(path).is_file():
        raise DeriveError(f"{path} does not exist" if not Path(path).exists() else f"{path} is not a file")
    return Path(path), name


def parse_size(text: str) -> int:
    """'4G', '512M', '1.5GB', '100000000' -> bytes."""
    from derive.errors import DeriveError

    units = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    cleaned = text.strip().upper().removesuffix("B")
    number, unit = (cleaned[:-1], cleaned[-1]) if cleaned[-1:] in units else (cleaned, "")
    try:
        size = int(float(number) * units[unit])
    except ValueError:
        raise DeriveError(f"{text!r} is not a size; write e.g. 4G, 512M or a number of bytes") from None
    if size < 2**20:
        raise DeriveError(f"a memory limit of {text} is too small; give at least 1M (e.g. 512M, 4G)")
    return size


def check_function(target: str, arch, seed: int = 11, timeout: float = TIMEOUT,
                   memory_limit: int = MEMORY_LIMIT, options: dict | None = None, update: float | None = None,
                   mean: bool = False) -> CodeReport:
    """Import ``FILE.py:FUNCTION`` (or ``FILE.py:Class.method``) in a child process, call it
    on two random probes in every reading of its convention the shapes allow, and compare what
    it gives with the reference backprop.

    ``options`` overrides the inference: layout (rows, columns, vectors), per_sample, bias_as
    (vector, column, row, column-in-W), weights (out-in, in-out), returns (dict, tuple, nabla),
    args ("name=ROLE,…"), init ("Class(literal arguments)"). ``update`` is the learning rate
    of code that updates the parameters in place; ``mean``: the code's loss is the batch mean."""
    path, name = parse_target(target)
    batch = batch_size(arch)
    probes = [random_case(arch, seed, batch), random_case(arch, seed + 1, batch)]
    lrs = [update, update / 2] if update else [None]
    outcome = run_checked(path, name, probes, arch, timeout, memory_limit, options or {}, lrs, bool(update))
    if "unusable" in outcome:
        return CodeReport([], None, unusable=outcome["unusable"], printed=outcome["printed"])
    return judge(arch, probes, outcome, update, mean, bool(options and options.get("returns")))


def check_callable(function, arch, seed: int = 11, options: dict | None = None, update: float | None = None,
                   mean: bool = False) -> CodeReport:
    """``check_function`` for a callable of this process, called here (no child process: no
    timeout, no memory limit, its printing not captured)."""
    import types

    name = getattr(function, "__name__", "function")
    if not name.isidentifier():
        name = "function"
    module = types.SimpleNamespace(**{name: function})
    batch = batch_size(arch)
    probes = [random_case(arch, seed, batch), random_case(arch, seed + 1, batch)]
    lrs = [update, update / 2] if update else [None]
    request = {"function": name, "widths": list(arch.widths), "bias": arch.bias, "lrs": lrs,
               "update": bool(update), "options": options or {}}
    path = Path(getattr(getattr(function, "__code__", None), "co_filename", "<in-process>"))
    try:
        setup = _child_setup(module, path, request)
    except _Question as question:
        return CodeReport([], None, unusable=str(question))
    setup["in_process"] = True
    copies = [({k: v.copy() for k, v in p.items()}, X.copy(), Y.copy()) for p, X, Y in probes]
    result = _run_plans(setup, request, copies, path, name)
    if result["status"] != "ok":
        return CodeReport([], None, unusable=result["message"])
    saved = result.pop("saved")
    for number, entry in enumerate(result["plans"]):
        if entry["status"] == "ok":
            entry["runs"] = [[{k: np.asarray(saved[f"p{number}_{probe}_{run}_{k}"], float) for k in entry["keys"]}
                              for probe in range(len(probes))] for run in range(len(lrs))]
    return judge(arch, probes, {**result, "printed": None}, update, mean)


def check_gradients(fn, arch, *, seed: int = 11, timeout: float = TIMEOUT, memory_limit: int = MEMORY_LIMIT,
                    update: float | None = None, mean: bool = False, **convention) -> CodeReport:
    """Check a gradient function in its own convention: ``fn`` is ``"FILE.py:FUNCTION"`` (or
    ``"FILE.py:Class.method"``, run in a child process) or a callable (run in this process);
    ``arch`` an ``Architecture`` or its widths text ("3-4-2"); ``convention`` overrides the
    inference (layout, per_sample, bias_as, weights, returns, args, init). The report has
    ``.verdict`` ("right", "wrong", "unusable"), ``.causes``, ``.convention``, ``.parameters``."""
    from derive.architecture import Architecture

    if isinstance(arch, str):
        arch = Architecture.parse(arch)
    unknown = set(convention) - {"layout", "per_sample", "bias_as", "weights", "returns", "args", "init"}
    if unknown:
        from derive.errors import DeriveError

        raise DeriveError(f"unknown convention option(s) {', '.join(sorted(unknown))}")
    options = {k: v for k, v in convention.items() if v}
    if isinstance(fn, (str, Path)):
        return check_function(str(fn), arch, seed=seed, timeout=timeout, memory_limit=memory_limit,
                              options=options, update=update, mean=mean)
    return check_callable(fn, arch, seed=seed, options=options, update=update, mean=mean)


def write_case(path, arch, seed: int = 11) -> None:
    """A case for another program: params (W1… as (n_out, n_in), b1… as (n,)), X (B, n_in),
    Y (B, n_out) and the architecture, in one .npz file."""
    from derive.errors import DeriveError

    params, X, Y = random_case(arch, seed, batch_size(arch))
    try:
        with open(path, "wb") as file:
            np.savez(file, X=X, Y=Y, architecture=np.array(json.dumps(arch.as_dict())),
                     **{f"param_{k}": v for k, v in params.items()})
    except OSError as error:
        raise DeriveError(f"cannot write {path}: {error.strerror or error}") from None


def check_arrays(path, arch=None, mean: bool = False) -> CodeReport:
    """Compare the gradients another program added to a ``write_case`` file (keys W1, b1, …
    in the tool's layout, the case arrays kept) with the reference backprop."""
    from derive.architecture import Architecture
    from derive.errors import DeriveError

    try:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {k: saved[k] for k in saved.files}
    except (OSError, ValueError) as error:
        raise DeriveError(f"cannot read {path} as a .npz file: {error}") from None
    if "architecture" not in arrays or "X" not in arrays or "Y" not in arrays:
        raise DeriveError(f"{path} is not a case written by --write-case (it lacks X, Y or the architecture)")
    stored = json.loads(str(arrays["architecture"]))
    case_arch = Architecture(tuple(stored["widths"]), tuple(stored["activations"]), stored["loss"], stored["bias"])
    if arch is not None and arch.as_dict() != case_arch.as_dict():
        raise DeriveError(f"{path} was written for the {case_arch.describe()}, not the {arch.describe()}")
    arch = case_arch
    params = {k: arrays[f"param_{k}"].astype(float) for k in arch.parameter_names if f"param_{k}" in arrays}
    if len(params) != len(arch.parameter_names):
        raise DeriveError(f"{path} lacks the case's parameters (param_W1, …)")
    missing = [k for k in arch.parameter_names if k not in arrays]
    if missing:
        return CodeReport([], None, unusable=f"{path} has no gradients {', '.join(missing)} (add them as arrays "
                                              f"keyed {', '.join(arch.parameter_names)}, in the case's layout)")
    theirs = {}
    for k in arch.parameter_names:
        if arrays[k].dtype.kind not in "fiu":
            return CodeReport([], None, unusable=f"{path}'s {k} has dtype {arrays[k].dtype}; gradients must be numbers")
        theirs[k] = arrays[k].astype(float)
    probes = [(params, arrays["X"].astype(float), arrays["Y"].astype(float))]
    outcome = {"plans": [{"status": "ok", "plan": {"orient": "out-in", "bias": "vector" if arch.bias else None,
                                                   "data": "rows"}, "runs": [[theirs]],
                          "text": "arrays from another program, in the tool's layout"}],
               "printed": None, "dict": True}
    return judge(arch, probes, outcome, None, mean)


def judge(arch, probes, outcome, update, mean, forced=False) -> CodeReport:
    """The verdict on the readings the child ran: right under one of them, or wrong under the
    one the code most plausibly meant, with the mistake named; or a question."""
    from derive import reference

    scale = 1 / len(probes[0][1]) if mean else 1.0
    truths = [{k: v * scale for k, v in reference.loss_and_gradients(arch.as_dict(), *case)[1].items()}
              for case in probes]
    lr = update or (LEARNING_RATE if outcome.get("lr_passed") else None)
    readings = []
    for entry in outcome["plans"]:
        if entry["status"] != "ok":
            continue
        runs = entry["runs"]
        viable = all(r[k].shape == t[k].shape for r, t in zip(runs[0], truths) for k in arch.parameter_names)
        right = viable and all(_matches(r, t) for run in runs for r, t in zip(run, truths))
        readings.append({**entry, "viable": viable, "right": right})
    if any(r["viable"] and r["plan"]["data"] not in PER_SAMPLE for r in readings):
        # code that takes a whole batch and gives gradients of the right shapes is batched code
        # (called one sample at a time, a batch mean would pass for a sum)
        readings = [r for r in readings if r["plan"]["data"] not in PER_SAMPLE]
    chosen = next((r for r in readings if r["right"]), None)
    explanation = None
    if chosen is None:
        viable_readings = [r for r in readings if r["viable"]]
        distinct = _distinct(viable_readings, arch)
        if len(distinct) > 1:
            explained = [(r, _explain(arch, probes, r, truths, lr, update, scale)) for r in distinct]
            explained = [(r, e) for r, e in explained if e]
            if len(explained) != 1:
                raise_question = _question(distinct[0]["plan"], distinct[1]["plan"])
                return CodeReport([], None, unusable=raise_question, printed=outcome["printed"])
            chosen, explanation = explained[0]
        else:
            chosen = distinct[0] if distinct else readings[0]
            explanation = _explain(arch, probes, chosen, truths, lr, update, scale)
    theirs = chosen["runs"][0][0]
    reports = [_compare(key, theirs[key], truths[0][key]) for key in arch.parameter_names]
    if all(r.right for r in reports) and not chosen["right"]:  # right on the first probe only
        worst = next(k for k in arch.parameter_names if not all(_matches(run[i], truths[i], [k])
                                                                for run in chosen["runs"] for i in range(len(truths))))
        reports = [r if r.name != worst else ParameterReport(worst, False, note="right on one probe and wrong on "
                                                             "another (it depends on the data or learning rate)")
                   for r in reports]
    own = (outcome.get("dict") and chosen["plan"] == {"orient": "out-in", "bias": "vector" if arch.bias else None,
                                                      "data": "rows"} and not update)
    report = CodeReport(reports, None, printed=outcome["printed"], convention=chosen.get("text"),
                        own_contract=bool(own))
    if not report.right:
        if any(r.not_finite for r in reports):
            report.cause = _common_note(reports)
        elif explanation:
            report.causes, report.cause = explanation
        else:
            report.cause = _common_note(reports)
    return report


def _matches(theirs: dict, truth: dict, keys=None) -> bool:
    return all(k in theirs and theirs[k].shape == truth[k].shape and bool(np.all(np.isfinite(theirs[k])))
               and np.allclose(theirs[k], truth[k], rtol=RTOL, atol=RTOL * max(1.0, float(np.abs(truth[k]).max())))
               for k in (keys or truth))


def _distinct(readings, arch) -> list:
    """Readings that give different gradients (two readings with the same gradients are one)."""
    kept: list[dict] = []
    for r in readings:
        if not any(all(_same(a, b) for a, b in zip(r["runs"][0], k["runs"][0])) for k in kept):
            kept.append(r)
    return kept


def _same(a: dict, b: dict) -> bool:
    return all(a[k].shape == b[k].shape and np.allclose(a[k], b[k], rtol=RTOL, atol=1e-12, equal_nan=True)
               for k in a)


def _question(first: dict, second: dict) -> str:
    if first["orient"] != second["orient"]:
        what = ("a square weight matrix has one shape either way round, and the code is wrong under both "
                "readings; say --weights out-in (W is (n_out, n_in)) or --weights in-out")
    elif first["bias"] != second["bias"]:
        what = (f"the biases could be {first['bias']} or {second['bias']}, and the code is wrong under both; "
                f"say --bias-as vector|column|row|column-in-W")
    else:
        what = (f"the data could be laid out as {first['data']} or {second['data']}, and the code is wrong under "
                f"both; say --layout rows|columns|vectors (with --per-sample for one sample per call)")
    return f"which convention is meant decides what is wrong: {what}"


def run_checked(path: Path, name: str, probes: list, arch, timeout: float, memory_limit: int,
                options: dict, lrs: list, update: bool) -> dict:
    """Run ``name`` from ``path`` in a child process on copies of the probes, in every reading.

    Returns ``{"plans": [{"plan", "text", "status", "runs": [[gradients per probe] per lr]}], "printed": …}``
    or ``{"unusable": one line, "printed": str | None}``.
    """
    with tempfile.TemporaryDirectory(prefix="derive-check-code-") as folder:
        work = Path(folder)
        arrays = {}
        for i, (params, X, Y) in enumerate(probes):
            arrays.update({f"probe{i}_X": X, f"probe{i}_Y": Y, **{f"probe{i}_param_{k}": v for k, v in params.items()}})
        np.savez(work / "case.npz", **arrays)
        (work / "request.json").write_text(json.dumps({
            "path": str(path.resolve()), "function": name, "parameters": list(probes[0][0]),
            "memory_limit": memory_limit, "file_size_limit": FILE_SIZE_LIMIT, "widths": list(arch.widths),
            "bias": arch.bias, "probes": len(probes), "lrs": lrs, "update": update, "options": options}))
        status = _run_child(work, timeout)
        printed = _printed_note(work / "stdout.txt")
        shown = name.rpartition(".")[2]
        where = f"while importing {path.name}" if _phase(work) == "import" else f"in {shown}()"
        if status == "timeout":
            return {"unusable": f"the checked code did not finish within {timeout:g} s ({where}); "
                                f"stopped it (--timeout sets the limit)", "printed": printed}
        try:
            result = json.loads((work / "result.json").read_text())
        except (OSError, ValueError):
            return {"unusable": _no_result(status, where, work / "stderr.txt", memory_limit),
                    "printed": printed}
        if result["status"] != "ok":
            return {"unusable": result["message"], "printed": printed}
        with np.load(work / "gradients.npz", allow_pickle=False) as saved:
            for number, entry in enumerate(result["plans"]):
                if entry["status"] == "ok":
                    entry["runs"] = [[{k: saved[f"p{number}_{probe}_{run}_{k}"].astype(float) for k in entry["keys"]}
                                      for probe in range(len(probes))] for run in range(len(lrs))]
        return {**result, "printed": printed}


def _run_child(work: Path, timeout: float):
    """The child's exit status, or "timeout" (then it and anything it started were killed)."""
    with open(work / "stdout.txt", "wb") as out, open(work / "stderr.txt", "wb") as err:
        child = subprocess.Popen([sys.executable, "-c", _BOOT, str(Path(__file__).resolve()), str(work)],
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        try:
            return child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout"
        finally:  # on a timeout, Ctrl-C or any error here: the child's whole process group goes
            _kill_group(child)


def _kill_group(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)  # the child leads its own session (start_new_session)
    except (ProcessLookupError, PermissionError, AttributeError):
        child.kill()
    child.wait()


def _phase(work: Path) -> str:
    try:
        return (work / "phase").read_text()
    except OSError:
        return "import"


def _no_result(status, where: str, stderr: Path, memory_limit: int) -> str:
    last = _last_line(stderr)
    said = f" (its last words: {last})" if last else ""
    if isinstance(status, int) and status < 0:
        name = signal.Signals(-status).name if -status in signal.valid_signals() else str(-status)
        hint = f"; out of memory? --memory-limit is {_size_text(memory_limit)}" if name == "SIGKILL" else ""
        return f"the checked code was killed by {name} {where}{said}{hint}"
    return f"the checked code ended the process (exit status {status}) {where} without returning gradients{said}"


def _last_line(path: Path) -> str:
    try:
        with open(path, "rb") as file:
            file.seek(max(0, path.stat().st_size - 4096))
            lines = file.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return _shorten(lines[-1]) if lines else ""


def _printed_note(path: Path) -> str | None:
    """One line about the checked code's stdout, or None if it printed nothing."""
    try:
        with open(path, "rb") as file:
            head = file.read(64 * 1024)
            count, last = head.count(b"\n"), head[-1:]
            for chunk in iter(lambda: file.read(2**20), b""):
                count, last = count + chunk.count(b"\n"), chunk[-1:]
    except OSError:
        return None
    if not head:
        return None
    lines = count + (last != b"\n")
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    return (f"the checked code printed {lines} line(s) on stdout (not shown, not part of the verdict); "
            f"the first: {_shorten(first)!r}")


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


def _size_text(size: int) -> str:
    for unit, factor in (("G", 2**30), ("M", 2**20), ("K", 2**10)):
        if size >= factor:
            return f"{size / factor:g}{unit}"
    return f"{size} bytes"


def _compare(name, theirs, truth) -> ParameterReport:
    if theirs.shape != truth.shape:
        if theirs.shape == truth.T.shape and np.allclose(theirs.T, truth, rtol=RTOL, atol=RTOL):
            return ParameterReport(name, False, note=f"transposed: shape {theirs.shape} instead of {truth.shape}")
        return ParameterReport(name, False, note=f"shape {theirs.shape} instead of {truth.shape}")
    finite = np.isfinite(theirs)
    scale = max(1e-12, float(np.abs(truth).max()))
    error = np.where(finite, np.abs(np.where(finite, theirs, 0) - truth), np.inf)
    wrong = np.argwhere(~finite | (error > RTOL * scale))
    report = ParameterReport(name, len(wrong) == 0, [tuple(int(i) + 1 for i in w) for w in wrong],
                             float(error[finite].max()) if finite.any() else float("nan"),
                             not_finite=[tuple(int(i) + 1 for i in w) for w in np.argwhere(~finite)])
    if report.not_finite:
        kinds = sorted({"NaN" if np.isnan(v) else "Inf" for v in theirs[~finite]})
        report.note = f"{' and '.join(kinds)} in {len(report.not_finite)} element(s)"
    elif len(wrong):
        nonzero = np.abs(truth) > 1e-9 * scale
        ratios = theirs[nonzero] / truth[nonzero]
        if ratios.size and np.allclose(ratios, ratios[0], rtol=1e-6):
            factor = float(ratios[0])
            report.note = "the sign is wrong" if np.isclose(factor, -1) else f"{factor:.6g} times the right values"
    return report


POST_TEXT = {
    "sign": "the sign is wrong",
    "transposed-gradient": "a gradient matrix is transposed (δ xᵀ has the shape of W: rows are destination nodes)",
}
MAX_PAIRED = 20_000  # parameters up to which pairs of mistakes are tried


def _explain(arch, probes, reading, truths, lr, update, scale):
    """(IDs, text) of the mistake, or two, that reproduce the reading's gradients exactly on
    every probe; None if nothing does."""
    from derive import reference
    from derive.losses import LOSSES

    theirs = [run for run in reading["runs"][0]]
    per_sample = reading["plan"]["data"] in PER_SAMPLE and not reading.get("pairs")
    models = {}

    def model(key):
        if key not in models:
            grads = []
            for case in probes:
                if key.startswith("loss-mismatch:"):
                    g = reference.model_gradients(arch.as_dict(), *case, loss=key.split(":", 1)[1])
                else:
                    g = reference.model_gradients(arch.as_dict(), *case, variants=(key,), lr=update or lr,
                                                  stale_per_sample=per_sample)
                if g is None:
                    models[key] = None
                    return None
                grads.append({k: v * scale for k, v in g.items()})
            shows = not all(_matches(g, t) for g, t in zip(grads, truths))
            models[key] = grads if shows else None
        return models[key]

    single = [k for k in reference.VARIANTS if k != "stale-weights" or update]
    losses = [f"loss-mismatch:{name}" for name, entry in LOSSES.items()
              if name != arch.loss and (entry.output is None or entry.output == arch.activations[-1])]
    # another loss's gradients are named before "no output derivative", which they can equal
    # (o - y under a squared error is the bce gradient), and after "missing factor 2", which
    # keeps its classic name rather than "half-mse"
    keys = [k for k in single if k == "missing-factor-2"] + ["_losses_"] + [k for k in single if k != "missing-factor-2"]
    keys = [k for key in keys for k in (losses if key == "_losses_" else [key])]

    def named(key):
        if key.startswith("loss-mismatch:"):
            name = key.split(":", 1)[1]
            return key, (f"these are exactly the gradients of the {name} loss ({LOSSES[name].description}), "
                         f"not of {arch.loss}")
        return reference.VARIANTS[key]

    def combine(*parts):
        ids, texts = [], []
        for identifier, text in parts:
            if identifier not in ids:
                ids.append(identifier)
                texts.append(text)
        return ids, "; ".join(texts)

    for key in keys:  # one mistake, reproduced exactly
        m = model(key)
        if m is not None and all(_matches(t, g) for t, g in zip(theirs, m)):
            return combine(named(key))
    post = _post(arch, theirs, truths, lr, probes)
    if post:
        return combine(post)
    if update and len(reading["runs"]) == 2:  # the error scales with the learning rate
        e1 = [{k: t[k] - g[k] for k in g} for t, g in zip(reading["runs"][0], truths)]
        e2 = [{k: t[k] - g[k] for k in g} for t, g in zip(reading["runs"][1], truths)]
        if all(t[k].shape == g[k].shape for t, g in zip(theirs, truths) for k in g):
            big = max(float(np.abs(e[k]).max()) for e in e1 for k in e)
            if big > 1e-6 and all(np.allclose(a[k], 2 * b[k], rtol=1e-2, atol=1e-3 * big)
                                  for a, b in zip(e1, e2) for k in a):
                return combine(reference.VARIANTS["stale-weights"])
    paired = arch.parameter_count <= MAX_PAIRED
    for key in keys:  # a mistake and a factor, sign or transpose
        m = model(key)
        if m is not None:
            post = _post(arch, theirs, m, lr, probes)
            if post:
                return combine(named(key), post)
    if not paired:
        return None
    for i, first in enumerate(keys):  # two mistakes at once
        for second in keys[i + 1:]:
            one, two = named(first)[0], named(second)[0]
            if one == two or (one.startswith("loss-mismatch") and two.startswith("loss-mismatch")):
                continue
            grads = []
            for case in probes:
                loss = next((k.split(":", 1)[1] for k in (first, second) if k.startswith("loss-mismatch:")), None)
                variants = [k for k in (first, second) if not k.startswith("loss-mismatch:")]
                g = reference.model_gradients(arch.as_dict(), *case, variants=variants, lr=update or lr, loss=loss,
                                              stale_per_sample=per_sample)
                if g is None:
                    break
                grads.append({k: v * scale for k, v in g.items()})
            if len(grads) == len(probes) and all(_matches(t, g) for t, g in zip(theirs, grads)):
                return combine(named(first), named(second))
    return None


def _post(arch, theirs, model, lr, probes):
    """(ID, text) when ``theirs`` is ``model`` times one constant, or with matrices
    transposed; None otherwise."""
    keys = list(model[0])
    if all(t[k].shape == m[k].shape for t, m in zip(theirs, model) for k in keys):
        top = sum(float(np.sum(t[k] * m[k])) for t, m in zip(theirs, model) for k in keys)
        bottom = sum(float(np.sum(m[k] * m[k])) for m in model for k in keys)
        if bottom > 0:
            c = top / bottom
            if abs(c - 1) > 1e-6 and abs(c) > 1e-12 and all(
                    _matches(t, {k: c * m[k] for k in keys}) for t, m in zip(theirs, model)):
                return _factor(arch, c, lr, probes)
    transposed = False
    for t, m in zip(theirs, model):
        for k in keys:
            if t[k].shape == m[k].shape and _matches({k: t[k]}, {k: m[k]}):
                continue
            if t[k].shape == m[k].T.shape and _matches({k: t[k]}, {k: m[k].T}):
                transposed = True
                continue
            return None
    return ("transposed-gradient", POST_TEXT["transposed-gradient"]) if transposed else None


def _factor(arch, c, lr, probes):
    batch = len(probes[0][1])
    if np.isclose(c, -1):
        return "sign", POST_TEXT["sign"]
    if lr and np.isclose(c, -lr):
        return "descent-step", (f"the descent step -lr·∇ was returned instead of the gradient ∇ (the sign is "
                                f"wrong and the learning rate {lr:g} multiplies it)")
    if -1 < c < 0:  # a negative factor below one: a descent increment with the code's own learning rate
        return "descent-step", (f"the descent step -lr·∇ was returned instead of the gradient ∇ (every wrong "
                                f"matrix is {c:.6g} times the right values: the sign is wrong and a learning "
                                f"rate of {-c:.6g} multiplies it)")
    if np.isclose(c, 0.5) and arch.loss in ("mse", "mean-mse"):
        from derive import reference

        return "missing-factor-2", reference.MISTAKES["missing factor 2"]
    why = ""
    if np.isclose(c, 1 / batch):
        why = f" (1/{batch}, one over the batch size: the loss averaged over the batch? --mean checks a mean loss)"
    elif np.isclose(c, batch):
        why = f" ({batch}, the batch size: a mean loss declared with --mean, a summed one in the code?)"
    elif lr and np.isclose(c, lr):
        why = f" (the learning rate {lr:g})"
    return "constant-factor", f"a constant factor: every wrong matrix is {c:.6g} times the right values{why}"


def _common_note(reports) -> str | None:
    if any(r.not_finite for r in reports):
        return "some gradients are not numbers (NaN or Inf): an overflow, a log(0) or a 0/0 in the code?"
    notes = {r.note for r in reports if not r.right and r.note}
    if len(notes) == 1:
        note = notes.pop()
        if "transposed" in note:
            return "a gradient matrix is transposed (δ xᵀ has the shape of W: rows are destination nodes)"
        if "times the right values" in note:
            return f"a constant factor: every wrong matrix is {note}"
        return note
    return None


# --- the child: runs alone (see _BOOT); only the standard library and NumPy from here on ---

def _child_main(folder: str) -> None:
    """Import the file, call the function on the case and write result.json (and gradients.npz)."""
    work = Path(folder)
    request = json.loads((work / "request.json").read_text())
    _limit_resources(request["memory_limit"], request["file_size_limit"])
    try:
        result = _child_run(work, request)
    except MemoryError:
        result = {"status": "unusable", "message": "the checked result could not be stored: out of memory"}
    temporary = work / "result.json.part"
    temporary.write_text(json.dumps(result))
    os.replace(temporary, work / "result.json")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no atexit handlers or lingering threads of the checked code


def _limit_resources(memory_limit: int, file_size_limit: int) -> None:
    try:
        import resource
    except ImportError:  # not on this system (Windows): only the timeout applies
        return
    for kind, wanted in ((resource.RLIMIT_AS, memory_limit), (resource.RLIMIT_FSIZE, file_size_limit),
                         (resource.RLIMIT_CORE, 0)):
        try:
            _, hard = resource.getrlimit(kind)
            resource.setrlimit(kind, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))
        except (ValueError, OSError):  # not supported here (RLIMIT_AS on macOS)
            pass


def _child_run(work: Path, request: dict) -> dict:
    path = Path(request["path"])
    with np.load(work / "case.npz", allow_pickle=False) as case:
        probes = [({k: case[f"probe{i}_param_{k}"] for k in request["parameters"]},
                   case[f"probe{i}_X"], case[f"probe{i}_Y"]) for i in range(request["probes"])]
    (work / "phase").write_text("import")
    if sys.path and sys.path[0] in ("", "."):
        sys.path.pop(0)  # as `python FILE.py` does: the file's own folder first, not our working folder
    sys.path.insert(0, str(path.parent))
    module_name = f"checked_{path.stem}"
    try:
        import importlib.util

        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"{path.name} cannot be imported as a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except BaseException as error:  # noqa: BLE001 - the user's module: any failure is its verdict
        return _unusable(_describe_failure(error, path, f"while importing {path.name}", f"importing {path.name}"))
    (work / "phase").write_text("call")
    name = request["function"].rpartition(".")[2]
    try:
        setup = _child_setup(module, path, request)
    except _Question as question:
        return _unusable(str(question))
    except BaseException as error:  # noqa: BLE001 - their constructor
        return _unusable(_describe_failure(error, path, f"building the instance for {name}()",
                                           "building the instance"))
    return _run_plans(setup, request, probes, path, name, work)


def _run_plans(setup, request, probes, path, name, work=None) -> dict:
    """Every plan on every probe (and learning rate); result.json's content, the gradients
    saved to ``work`` (or kept in the result, in-process)."""
    widths = request["widths"]
    setup["forced"] = (request.get("options") or {}).get("returns")
    lrs = request["lrs"]
    plans, saved, first_problem = [], {}, None
    for number, plan in enumerate(setup["plans"]):
        entry = {"plan": plan, "status": "ok"}
        try:
            for probe, case in enumerate(probes):
                for run, lr in enumerate(lrs):
                    gradients, how = _run_plan(setup, plan, case, lr, widths, setup["forced"])
                    for key, value in gradients.items():
                        saved[f"p{number}_{probe}_{run}_{key}"] = value
            entry["keys"] = list(gradients)
            entry["text"] = describe_plan(plan, {**setup, "returns": how if setup["update"] else f"returns {how}"})
        except BaseException as error:  # noqa: BLE001 - the user's code: any failure is its verdict
            if _fatal(error):
                return _unusable(_describe_failure(error, path, f"in {name}()", f"{name}()"))
            if work is not None:
                _silence_stdout()
            message = str(error) if isinstance(error, _Problem) else _describe_failure(
                error, path, f"in {name}()", f"{name}()")
            entry = {"plan": plan, "status": "error", "message": message}
            first_problem = first_problem or message
        plans.append(entry)
    if not any(e["status"] == "ok" for e in plans):
        return _unusable(first_problem or f"{name}() could not be called")
    result = {"status": "ok", "plans": plans, "dict": setup["dict"], "init": setup["init"],
              "lr_passed": any(r == ("lr",) for r in setup["roles"].values())}
    if work is None:
        result["saved"] = saved
    else:
        np.savez(work / "gradients.npz", **saved)
    return result


def _unusable(message: str) -> dict:
    return {"status": "unusable", "message": message}


def _describe_failure(error: BaseException, path: Path, where: str, doing: str) -> str:
    if isinstance(error, SystemExit):
        return f"the checked code called sys.exit({error.code!r}) {where}; it must return the gradients instead"
    if isinstance(error, KeyboardInterrupt):
        return f"the checked code raised KeyboardInterrupt {where}"
    if isinstance(error, MemoryError):
        return (f"the checked code ran out of memory {where} (the --memory-limit of "
                f"{_size_text(_memory_limit())} was reached)")
    if isinstance(error, OSError) and error.errno == 27:  # EFBIG: RLIMIT_FSIZE
        return (f"the checked code wrote more than {_size_text(FILE_SIZE_LIMIT)} into one file or its "
                f"output {where}")
    line = ""
    if isinstance(error, SyntaxError) and error.lineno and Path(error.filename or "") == path:
        line = f" ({path.name} line {error.lineno})"
    else:
        traceback = error.__traceback__
        while traceback is not None:
            if Path(traceback.tb_frame.f_code.co_filename) == path:
                line = f" ({path.name} line {traceback.tb_lineno})"
            traceback = traceback.tb_next
    text = error.msg if isinstance(error, SyntaxError) and error.msg else str(error)
    message = _shorten(text) if text.strip() else "(no message)"
    return f"{doing} raised {type(error).__name__}: {message}{line}"


def _memory_limit() -> int:
    try:
        import resource

        return resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, ValueError, OSError):
        return MEMORY_LIMIT


# --- conventions: how the checked code holds parameters and data (runs in the child) ---------
#
# A *plan* is one complete reading of the code's convention: weight orientation ("out-in",
# W of shape (n_out, n_in), or "in-out"), bias form ("vector" (n,), "column" (n, 1), "row"
# (1, n), "in-W-last" / "in-W-first": an extra column of W; None without biases) and data
# layout ("rows" / "columns": a batch, one sample per row or column; "vector" / "column" /
# "row": one sample per call). The child runs every plan the signature and the shapes allow
# on every probe and hands back the gradients each gives, in the tool's layout; the parent
# keeps the reading under which they are right, or asks when none is and two readings differ.

ORIENTATIONS = ("out-in", "in-out")
BIAS_FORMS = ("vector", "column", "row", "in-W-last", "in-W-first")
DATA_LAYOUTS = ("rows", "columns", "column", "vector", "row")
PER_SAMPLE = ("column", "vector", "row")
LEARNING_RATE = 0.1

_X_NAMES = {"x", "xs", "inputs", "input", "data", "features", "a0", "x_batch", "batch_x", "xb", "x_train",
            "images", "sample", "inp", "activation", "a"}
_Y_NAMES = {"y", "ys", "target", "targets", "labels", "label", "t", "y_true", "yb", "y_batch", "batch_y",
            "desired", "expected", "y_train", "truth", "d", "output_target"}
_LR_NAMES = {"lr", "eta", "learning_rate", "alpha", "step_size", "rate", "learningrate", "learning_rate_",
             "step", "lrate"}
_PARAMS_NAMES = {"params", "parameters", "theta", "param", "model_params", "p", "weights_and_biases", "net",
                 "model", "cache_params", "network"}
_WEIGHT_LISTS = {"weights", "ws", "w", "thetas", "weight", "w_list", "weights_list", "layers_weights"}
_BIAS_LISTS = {"biases", "bs", "b", "bias", "b_list", "biases_list"}


def _role_of_name(name: str):
    """A first guess from an argument's name: ("X",), ("Y",), ("lr",), ("params",), ("Wlist",),
    ("blist",), ("W", order) / ("b", order) with a sortable order key, or None."""
    import re

    low = name.lower()
    if low in _X_NAMES:
        return ("X",)
    if low in _Y_NAMES:
        return ("Y",)
    if low in _LR_NAMES:
        return ("lr",)
    if low in _PARAMS_NAMES:
        return ("params",)
    if low in _WEIGHT_LISTS:
        return ("Wlist",)
    if low in _BIAS_LISTS:
        return ("blist",)
    match = re.fullmatch(r"(?:w|weights?|theta|syn)_?(\d+)", low)  # syn0, syn1: Trask's synapses
    if match:
        return ("W", int(match.group(1)))
    match = re.fullmatch(r"(?:b|bias|biases)_?(\d+)", low)
    if match:
        return ("b", int(match.group(1)))
    if re.fullmatch(r"(?:w|weights?)_?[a-z]+", low):
        return ("W", None)
    if re.fullmatch(r"(?:b|bias|biases)_[a-z]+", low):
        return ("b", None)
    return None


def _key_of(name) -> str | None:
    """A returned dict key or a stored attribute as a tool name: dW1, grad_W1, w1, nabla_b2 ->
    W1, b2 (None if it names no layer)."""
    import re

    low = str(name).lower()
    match = re.fullmatch(r"(?:d|grad_?|nabla_?|delta_?|g_?|d_)?(w|weights?|theta|b|bias|biases)_?(\d+)", low)
    if not match:
        return None
    return ("b" if match.group(1).startswith("b") else "W") + match.group(2)


class _Question(Exception):
    """The convention cannot be read from the code alone: one line saying which flag settles it."""


def _user_shape(kind, layer, widths, plan):
    n_in, n_out = widths[layer - 1], widths[layer]
    if kind == "W":
        extra = 1 if plan["bias"] in ("in-W-last", "in-W-first") else 0
        return (n_out, n_in + extra) if plan["orient"] == "out-in" else (n_in + extra, n_out)
    return {"vector": (n_out,), "column": (n_out, 1), "row": (1, n_out)}[plan["bias"]]


def _to_user(params: dict, widths, plan) -> dict:
    """The tool's parameters in the plan's layout, keyed W1…, b1… (no b with in-W biases)."""
    out = {}
    for layer in range(1, len(widths)):
        W = np.array(params[f"W{layer}"], float)
        b = params.get(f"b{layer}")
        if plan["bias"] == "in-W-last":
            W = np.hstack([W, np.asarray(b, float)[:, None]])
        elif plan["bias"] == "in-W-first":
            W = np.hstack([np.asarray(b, float)[:, None], W])
        elif plan["bias"] is not None:
            out[f"b{layer}"] = np.array(b, float).reshape(_user_shape("b", layer, widths, plan))
        out[f"W{layer}"] = np.ascontiguousarray(W if plan["orient"] == "out-in" else W.T)
    return out


def _to_tool(gradients: dict, widths, plan) -> dict:
    """Gradients in the plan's layout back in the tool's; a transposed W comes back transposed
    and any other shape as it is, for the comparison to name."""
    out = {}
    in_W = plan["bias"] in ("in-W-last", "in-W-first")
    for layer in range(1, len(widths)):
        n_out = widths[layer]
        G = np.asarray(gradients[f"W{layer}"], float)
        shape = _user_shape("W", layer, widths, plan)
        flip, bias = False, None
        if G.shape == shape:
            G = G if plan["orient"] == "out-in" else G.T
        elif G.shape == shape[::-1]:
            G, flip = (G if plan["orient"] == "in-out" else G.T), True
        elif in_W:
            bias = np.full(n_out, np.nan)
        if in_W and bias is None:
            G, bias = (G[:, :-1], G[:, -1]) if plan["bias"] == "in-W-last" else (G[:, 1:], G[:, 0])
        elif plan["bias"] is not None and not in_W:
            bias = np.asarray(gradients[f"b{layer}"], float)
            if bias.size == n_out and bias.ndim <= 2 and (bias.ndim < 2 or 1 in bias.shape):
                bias = bias.reshape(n_out)
        out[f"W{layer}"] = G.T if flip else G
        if plan["bias"] is not None:
            assert bias is not None  # with a bias in the plan, it is cut out of W or read from b above
            out[f"b{layer}"] = bias
    return out


def _data(A, plan, index=None):
    """The tool's rows of X or Y (or row ``index``) in the plan's layout."""
    A = np.array(A, float)
    layout = plan["data"]
    if layout == "rows":
        return A
    if layout == "columns":
        return np.ascontiguousarray(A.T)
    a = A[index]
    return {"vector": a, "column": a[:, None], "row": a[None, :]}[layout]


def describe_plan(plan, setup) -> str:
    data = {"rows": "batched, one sample per row", "columns": "batched, one sample per column",
            "vector": "per sample, vectors (n,)", "column": "per sample, column vectors (n, 1)",
            "row": "per sample, row vectors (1, n)"}[plan["data"]]
    orient = "(n_out, n_in)" if plan["orient"] == "out-in" else "(n_in, n_out)"
    bias = {None: "", "vector": "; biases (n,)", "column": "; biases (n, 1)", "row": "; biases (1, n)",
            "in-W-last": "; biases as the last column of W", "in-W-first": "; biases as the first column of W"}
    bias_text = bias[plan["bias"]]
    if plan["bias"] in ("in-W-last", "in-W-first") and plan["orient"] == "in-out":
        bias_text = bias_text.replace("column", "row")
    text = (f"{setup['call']} {data}; weights {setup['where_W']} {orient}{bias_text}; "
            f"{setup['returns']}")
    return text


_PAIRS_NAMES = {"mini_batch", "minibatch", "batch", "training_data", "pairs", "samples", "train_data"}


def _parse_roles(text: str | None) -> dict:
    """--args 'a=X,b=Y,w=W1' -> {"a": ("X",), …}."""
    import re

    roles: dict[str, tuple[str] | tuple[str, int]] = {}
    for part in filter(None, (text or "").split(",")):
        name, _, role = (s.strip() for s in part.partition("="))
        match = re.fullmatch(r"([Wb])(\d+)", role)
        if match:
            roles[name] = (match.group(1), int(match.group(2)))
        elif role in ("X", "Y", "lr", "params", "skip", "pairs"):
            roles[name] = (role,)
        elif role in ("weights", "biases"):
            roles[name] = ("Wlist",) if role == "weights" else ("blist",)
        else:
            raise _Question(f"--args: {role!r} is not a role; use X, Y, W1…, b1…, weights, biases, params, lr, "
                            f"pairs or skip")
    return roles


def _build_instance(cls, widths, init: str | None):
    import ast

    if init:
        try:
            node = ast.parse(init.strip(), mode="eval").body
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                raise ValueError("not a call")  # noqa: TRY004 - caught just below
            if node.func.id != cls.__name__:
                raise _Question(f"--init calls {node.func.id}, but the method belongs to {cls.__name__}")
            args = [ast.literal_eval(a) for a in node.args]
            kwargs: dict[str, Any] = {}
            for keyword in node.keywords:
                if keyword.arg is None:  # Class(**mapping): not a named literal argument
                    raise ValueError("** is not a keyword argument")
                kwargs[keyword.arg] = ast.literal_eval(keyword.value)
        except (SyntaxError, ValueError) as error:
            raise _Question(f"--init {init!r} is not Class(literal arguments) ({error})") from None
        return cls(*args, **kwargs), init
    tries = [((list(widths),), f"{cls.__name__}({list(widths)})"), (tuple(widths), f"{cls.__name__}{tuple(widths)}"),
             ((), f"{cls.__name__}()")]
    first = None
    for tried_args, text in tries:
        try:
            return cls(*tried_args), text
        except Exception as error:  # noqa: BLE001 - their constructor: try the next way
            first = first or error
    raise _Question(f"could not build a {cls.__name__} from the widths ({type(first).__name__}: "
                    f"{_shorten(str(first))}); give --init '{cls.__name__}(…)'")


def _scan_instance(instance, widths):
    """Where an instance keeps its parameters: {"Wlist": attr, "blist": attr} or {"params": attr}
    or {"W": [attr…], "b": [attr…]} in layer order."""
    L = len(widths) - 1
    found, singles = {}, {"W": [], "b": []}
    for position, (attr, value) in enumerate(vars(instance).items()):
        low = attr.lower().lstrip("_")
        if isinstance(value, (list, tuple)) and len(value) == L and all(isinstance(v, np.ndarray) for v in value):
            biasish = "bias" in low or low in _BIAS_LISTS or all(
                v.size == widths[i + 1] for i, v in enumerate(value))
            found.setdefault("blist" if biasish else "Wlist", attr)
        elif isinstance(value, dict) and sum(_key_of(k) is not None for k in value) >= L:
            found.setdefault("params", attr)
        elif isinstance(value, np.ndarray) and value.ndim in (1, 2):
            role = _role_of_name(low) or ((_key_of(low)[0], int(_key_of(low)[1:])) if _key_of(low) else None)
            if role and role[0] in ("W", "b"):
                singles[role[0]].append((role[1] if role[1] is not None else 10**6 + position, attr))
    if "Wlist" in found or "params" in found:
        return found
    if len(singles["W"]) == L:
        return {"W": [a for _, a in sorted(singles["W"])], "b": [a for _, a in sorted(singles["b"])]}
    return {}


def _child_setup(module, path: Path, request: dict) -> dict:
    """What the signature and the instance say: the callable, each argument's role, where each
    parameter goes (slots), the plans the shapes allow."""
    import inspect

    target, widths, bias = request["function"], request["widths"], request["bias"]
    L = len(widths) - 1
    options = request.get("options") or {}
    owner, _, name = target.rpartition(".")
    instance, init = None, None
    if owner:
        cls = getattr(module, owner, None)
        if not isinstance(cls, type):
            raise _Question(f"{path.name} has no class {owner}")
        if not callable(getattr(cls, name, None)):
            raise _Question(f"{owner} has no method {name}")
        instance, init = _build_instance(cls, widths, options.get("init"))
        function = getattr(instance, name)
    else:
        function = getattr(module, name, None)
        if not callable(function):
            raise _Question(f"{path.name} has no function {name}")
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        signature = None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
             inspect.Parameter.KEYWORD_ONLY)
    parameters = [p for p in signature.parameters.values() if p.kind in kinds] if signature else []
    overrides = _parse_roles(options.get("args"))
    roles = {}
    for p in parameters:
        role = overrides.get(p.name) or _role_of_name(p.name)
        if role is None and p.name.lower() in _PAIRS_NAMES:
            role = ("pairs",)
        if role is None:
            role = ("default",) if p.default is not p.empty else ("unknown",)
        roles[p.name] = role
    if signature is None:  # a builtin or C callable: the tool's own contract
        roles = {"params": ("params",), "X": ("X",), "Y": ("Y",)}
    unknown = [n for n, r in roles.items() if r == ("unknown",)]
    if unknown:
        raise _Question(f"cannot tell what {name}()'s argument {unknown[0]!r} is; say --args "
                        f"{unknown[0]}=ROLE (X, Y, W1…, b1…, weights, biases, params, lr, pairs or skip)")
    has = {r[0] for r in roles.values()}
    if "pairs" not in has and not {"X", "Y"} <= has:
        missing = "X" if "X" not in has else "Y"
        raise _Question(f"cannot tell which argument of {name}() is {missing}; say --args NAME={missing}")
    slots: list[tuple[str, tuple[Any, ...]]] = []
    where = ""
    W_args = sorted((r[1] if r[1] is not None else 10**6 + i, n) for i, (n, r) in enumerate(roles.items())
                    if r[0] == "W")
    b_args = sorted((r[1] if r[1] is not None else 10**6 + i, n) for i, (n, r) in enumerate(roles.items())
                    if r[0] == "b")
    params_arg = next((n for n, r in roles.items() if r == ("params",)), None)
    Wlist = next((n for n, r in roles.items() if r == ("Wlist",)), None)
    blist = next((n for n, r in roles.items() if r == ("blist",)), None)
    separate_bias = False
    if params_arg:
        keys = [f"W{l}" for l in range(1, L + 1)] + ([f"b{l}" for l in range(1, L + 1)] if bias else [])
        slots = [(k, ("argdict", params_arg, k)) for k in keys]
        where, separate_bias = f"{params_arg}['W1']…", bias
    elif W_args or Wlist:
        if W_args:
            if len(W_args) != L:
                raise _Question(f"{name}() takes {len(W_args)} weight argument(s) but the network has {L} weight "
                                f"matrices; say --args NAME=W1,…")
            slots += [(f"W{l}", ("arg", n)) for l, (_, n) in enumerate(W_args, 1)]
            where = ", ".join(n for _, n in W_args)
        else:
            slots += [(f"W{l}", ("arglist", Wlist, l - 1)) for l in range(1, L + 1)]
            where = f"{Wlist}[l]"
        if b_args:
            if len(b_args) != L:
                raise _Question(f"{name}() takes {len(b_args)} bias argument(s) but the network has {L} layers "
                                f"of biases; say --args NAME=b1,…")
            slots += [(f"b{l}", ("arg", n)) for l, (_, n) in enumerate(b_args, 1)]
            separate_bias = True
        elif blist:
            slots += [(f"b{l}", ("arglist", blist, l - 1)) for l in range(1, L + 1)]
            separate_bias = True
    elif instance is not None:
        found = _scan_instance(instance, widths)
        if "Wlist" in found:
            slots += [(f"W{l}", ("attrlist", found["Wlist"], l - 1)) for l in range(1, L + 1)]
            where = f"self.{found['Wlist']}[l]"
            if "blist" in found:
                slots += [(f"b{l}", ("attrlist", found["blist"], l - 1)) for l in range(1, L + 1)]
                separate_bias = True
        elif "params" in found:
            stored = getattr(instance, found["params"])
            names = {_key_of(k): k for k in stored}
            for key in [f"W{l}" for l in range(1, L + 1)] + [f"b{l}" for l in range(1, L + 1)]:
                if key in names:
                    slots.append((key, ("attrdict", found["params"], names[key])))
            separate_bias = any(k.startswith("b") for k, _ in slots)
            where = f"self.{found['params']}[…]"
        elif "W" in found:
            slots += [(f"W{l}", ("attr", a)) for l, a in enumerate(found["W"], 1)]
            where = ", ".join(f"self.{a}" for a in found["W"])
            if len(found["b"]) == L:
                slots += [(f"b{l}", ("attr", a)) for l, a in enumerate(found["b"], 1)]
                separate_bias = True
    if not slots:
        raise _Question(f"cannot find where {name}() takes the weights (no argument or attribute holds "
                        f"{L} matrices); say --args NAME=W1,…")
    if separate_bias and not bias:
        raise _Question(f"{name}() takes biases but the network has none; add --bias")
    plans = _plans(options, bias, separate_bias, "pairs" in has, instance, slots, widths)
    arg_names = [p.name for p in parameters]
    call = f"{target}({', '.join((['self'] if owner else []) + arg_names)})"
    dict_contract = params_arg is not None
    update = request.get("update", False)
    return {"function": function, "instance": instance, "roles": roles, "slots": slots, "plans": plans,
            "call": call, "where_W": where, "dict": dict_contract, "update": update, "name": name,
            "init": init, "order": [k for k, _ in slots], "pairs": "pairs" in has,
            "returns": "updates the parameters in place (gradient = (before - after) / lr)" if update
            else "returns the gradients"}


def _plans(options, bias, separate_bias, pairs, instance, slots, widths) -> list:
    orients = [options["weights"]] if options.get("weights") else list(ORIENTATIONS)
    biases: list[str | None]
    if not bias:
        biases = [None]
    elif options.get("bias_as"):
        biases = ["in-W-last" if options["bias_as"] == "column-in-W" else options["bias_as"]]
        if options["bias_as"] == "column-in-W":
            biases.append("in-W-first")
    elif separate_bias:
        biases = ["vector", "column", "row"]
    else:
        biases = ["in-W-last", "in-W-first"]
    layout, per_sample = options.get("layout"), options.get("per_sample") or pairs
    if per_sample:
        datas = {"rows": ["row"], "columns": ["column"], "vectors": ["vector"]}.get(layout, list(PER_SAMPLE))
    else:
        datas = {"rows": ["rows"], "columns": ["columns"], "vectors": ["vector"]}.get(layout, list(DATA_LAYOUTS))
    plans = [{"orient": o, "bias": b, "data": d} for d in datas for o in orients for b in biases]
    if instance is not None:  # the shapes the constructor gave its parameters decide where they can
        fitting = [p for p in plans if _instance_fits(instance, slots, widths, p)]
        plans = fitting or plans
    return plans


def _instance_fits(instance, slots, widths, plan) -> bool:
    for key, loc in slots:
        if not loc[0].startswith("attr"):
            continue
        try:
            value = _read_slot(instance, {}, loc)
        except (AttributeError, IndexError, KeyError, TypeError):
            return False
        if np.shape(value) != _user_shape(key[0], int(key[1:]), widths, plan):
            return False
    return True


def _read_slot(instance, containers, loc):
    kind, name = loc[0], loc[1]
    if kind == "arg":
        return containers[name]
    if kind in ("arglist", "argdict"):
        return containers[name][loc[2]]
    value = getattr(instance, name)
    return value if kind == "attr" else value[loc[2]]


class _Problem(Exception):
    """This plan's call gave nothing comparable: one sentence why."""


def _call_plan(setup, plan, user, x, y, lr, pairs=None):
    """Call the code once in the plan's layout; (returned value, containers passed)."""
    containers, args, kwargs = {}, [], {}
    for key, loc in setup["slots"]:
        kind = loc[0]
        value = np.array(user[key], float)
        if kind == "arg":
            containers[loc[1]] = value
        elif kind == "arglist":
            containers.setdefault(loc[1], []).append(value)
        elif kind == "argdict":
            containers.setdefault(loc[1], {})[loc[2]] = value
        elif kind == "attr":
            setattr(setup["instance"], loc[1], value)
        elif kind == "attrlist":
            stored = getattr(setup["instance"], loc[1])
            if not isinstance(stored, list) or len(stored) != len(setup["plan_layers"]):
                stored = [None] * len(setup["plan_layers"])
                setattr(setup["instance"], loc[1], stored)
            stored[loc[2]] = value
        elif kind == "attrdict":
            getattr(setup["instance"], loc[1])[loc[2]] = value
    import inspect

    function = setup["function"]
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return function(containers.get("params"), x, y), containers
    for name, role in setup["roles"].items():
        kind = role[0]
        if kind in ("default", "skip"):
            continue
        value = {"X": x, "Y": y, "lr": LEARNING_RATE if lr is None else lr, "pairs": pairs}.get(kind)
        if kind in ("W", "b", "params", "Wlist", "blist"):
            value = containers[name]
        if parameters[name].kind == inspect.Parameter.POSITIONAL_ONLY:
            args.append(value)
        elif parameters[name].kind == inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            if kwargs:
                kwargs[name] = value
            else:
                args.append(value)
    return function(*args, **kwargs), containers


def _float_array(value, key, name):
    try:
        array = np.array(value, copy=True)
    except (ValueError, TypeError) as error:
        raise _Problem(f"{name}()'s {key} is not an array of numbers ({type(value).__name__}: "
                       f"{_shorten(str(error))})") from None
    array = array.view(np.ndarray)
    if array.dtype.kind != "f":
        raise _Problem(f"{name}()'s {key} has dtype {array.dtype} ({type(value).__name__}); "
                       f"gradients must be arrays of floats")
    return array


def _is_array(value) -> bool:
    return isinstance(value, np.ndarray) and value.ndim >= 1


def _read_returned(returned, setup, plan, widths, forced: str | None):
    """The returned gradients, keyed W1…, b1… in the plan's layout, and how they were read."""
    name = setup["name"]
    keys = [k for k, _ in setup["slots"] if plan["bias"] in (None, "vector", "column", "row") or k[0] == "W"]
    tool_order = sorted(keys, key=lambda k: (k[0] != "W", int(k[1:])))
    expected = (f"a dict of gradients keyed like params ({', '.join(tool_order)})" if setup["dict"] or forced == "dict"
                else "the gradients (a dict, a tuple or list of arrays, or (nabla_b, nabla_w))")
    if (isinstance(returned, tuple) and len(returned) == 2 and isinstance(returned[1], dict)
            and not isinstance(returned[0], dict)):
        returned = returned[1]  # loss_and_gradients
    if returned is None:
        raise _Problem(f"{name}() returned None (a missing return?); expected {expected}")
    if isinstance(returned, dict) and forced in (None, "dict"):
        mapped: dict[str, Any] = {}
        for k in returned:
            tool = k if k in keys else _key_of(k)
            if tool is not None:
                mapped.setdefault(tool, k)
        missing = [k for k in tool_order if k not in mapped]
        extra = [repr(returned_key) for tool, returned_key in mapped.items() if tool not in keys]
        if missing or extra:
            told = []
            if missing:
                told.append(f"lacks {', '.join(missing)}")
            if extra:
                told.append(f"has {', '.join(extra)}, which the network does not have")
            raise _Problem(f"{name}()'s result {' and '.join(told)}; expected the keys {', '.join(tool_order)}")
        return {k: _float_array(returned[mapped[k]], k, name) for k in tool_order}, "a dict"
    if not isinstance(returned, (tuple, list)) or setup["dict"] and forced is None or forced == "dict":
        what = type(returned).__name__
        if isinstance(returned, (tuple, list)):
            what += f" of {len(returned)} item(s)"
        raise _Problem(f"{name}() returned a {what}; expected {expected}")
    L = len(widths) - 1
    sequences = [v for v in returned if isinstance(v, (list, tuple))]
    if (forced in (None, "nabla") and len(returned) == 2 and len(sequences) == 2
            and all(len(s) == L for s in sequences)):
        first, second = ([_float_array(v, f"item {i + 1}", name) for i, v in enumerate(s)] for s in returned)
        weights_first = all(np.size(a) == np.prod(_user_shape("W", i + 1, widths, plan)) for i, a in enumerate(first))
        biases, weights = (second, first) if weights_first and forced is None else (first, second)
        if plan["bias"] in ("vector", "column", "row"):
            return ({**{f"W{l}": weights[l - 1] for l in range(1, L + 1)},
                     **{f"b{l}": biases[l - 1] for l in range(1, L + 1)}},
                    "(nabla_b, nabla_w)" if biases is first else "(nabla_w, nabla_b)")
        raise _Problem(f"{name}() returned a pair of lists, but the network's biases are in W")
    items: list[Any] = []
    for v in returned:
        if isinstance(v, (list, tuple)):
            items.extend(v)
        elif _is_array(v):
            items.append(v)
    arrays = [_float_array(v, f"item {i + 1}", name) for i, v in enumerate(items)]
    if len(arrays) != len(keys):
        raise _Problem(f"{name}() returned {len(arrays)} array(s); expected {len(keys)} gradients "
                       f"({', '.join(tool_order)})")
    layers = range(1, L + 1)
    has_b = any(k[0] == "b" for k in keys)
    orders = [setup["order"], tool_order]
    if has_b:
        orders += [[k for l in layers for k in (f"W{l}", f"b{l}")], [k for l in reversed(layers) for k in
                   (f"W{l}", f"b{l}")], [f"b{l}" for l in layers] + [f"W{l}" for l in layers],
                   [f"W{l}" for l in reversed(layers)] + [f"b{l}" for l in reversed(layers)]]
    else:
        orders.append([f"W{l}" for l in reversed(layers)])
    for order in orders:
        order = [k for k in order if k in keys]
        if len(order) == len(arrays) and all(
                np.size(a) == np.prod(_user_shape(k[0], int(k[1:]), widths, plan)) for k, a in zip(order, arrays)):
            return dict(zip(order, arrays)), f"a tuple ({', '.join('d' + k for k in order)})"
    return dict(zip(tool_order, arrays)), f"a tuple ({', '.join('d' + k for k in tool_order)})"


def _run_plan(setup, plan, case, lr, widths, forced):
    """The plan's gradients in the tool's layout for one probe (summed over the samples of
    per-sample code), and how the result was read."""
    params, X, Y = case
    user = _to_user(params, widths, plan)
    setup["plan_layers"] = list(range(len(widths) - 1))
    per_sample = plan["data"] in PER_SAMPLE and not setup["pairs"]
    calls = range(len(X)) if per_sample else [None]
    total, how = None, None
    for index in calls:
        if setup["pairs"]:
            pairs = [(_data(X, plan, i), _data(Y, plan, i)) for i in range(len(X))]
            returned, containers = _call_plan(setup, plan, user, None, None, lr, pairs)
        else:
            returned, containers = _call_plan(setup, plan, user, _data(X, plan, index), _data(Y, plan, index), lr)
        if not setup.get("in_process"):
            _silence_stdout()
        if setup["update"]:
            step = LEARNING_RATE if lr is None else lr
            after = {}
            for key, loc in setup["slots"]:
                if key in user:
                    try:
                        after[key] = _float_array(_read_slot(setup["instance"], containers, loc), key,
                                                  setup["name"])
                    except (AttributeError, IndexError, KeyError, TypeError):
                        raise _Problem(f"{setup['name']}() removed its parameter {key}") from None
            gradients = {k: (user[k] - after[k]) / step if after[k].shape == user[k].shape else after[k]
                         for k in after}
            how = "updates the parameters in place"
        else:
            gradients, how = _read_returned(returned, setup, plan, widths, setup.get("forced"))
        tool = _to_tool(gradients, widths, plan)
        if total is None:
            total = tool
        elif all(total[k].shape == tool[k].shape for k in tool):
            total = {k: total[k] + tool[k] for k in tool}
    return total, how


_SILENCED: list[int] = []  # the file descriptor of os.devnull, once stdout points there


def _silence_stdout() -> None:
    """After the first call, what the checked code prints goes nowhere: the note counts the
    lines of one call, however many readings are tried."""
    if _SILENCED:
        return
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    _SILENCED.append(devnull)


def _fatal(error: BaseException) -> bool:
    return isinstance(error, (SystemExit, KeyboardInterrupt, MemoryError)) or (
        isinstance(error, OSError) and error.errno == 27)
