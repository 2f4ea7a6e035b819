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

    @property
    def right(self) -> bool:
        return self.unusable is None and bool(self.parameters) and all(p.right for p in self.parameters)


def random_case(arch, seed: int = 11):
    """The parameters, inputs and labels the function is called with: (params, X, Y)."""
    rng = np.random.default_rng(seed)
    params = {name: rng.normal(0, 0.7, arch.shape(name)) for name in arch.parameter_names}
    X = rng.normal(0, 1, (BATCH, arch.widths[0]))
    from derive.losses import loss as loss_entry  # here, not at the top: the child loads this file alone

    return params, X, loss_entry(arch.loss).sample(rng, (BATCH, arch.widths[-1]))


def parse_target(target: str) -> tuple[Path, str]:
    """``path/to/file.py:function`` -> (path, function name), the file checked to exist."""
    from derive.errors import DeriveError

    path, _, name = target.rpartition(":")
    if not path or not name:
        raise DeriveError(f"{target!r} is not FILE.py:FUNCTION")
    if not name.isidentifier():
        raise DeriveError(f"{name!r} is not a function name (FILE.py:FUNCTION)")
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
                   memory_limit: int = MEMORY_LIMIT) -> CodeReport:
    """Import ``FILE.py:FUNCTION`` in a child process, call it on ``random_case(arch, seed)``
    and compare what it returns with the reference backprop."""
    from derive import reference

    path, name = parse_target(target)
    params, X, Y = random_case(arch, seed)
    outcome = run_checked(path, name, params, X, Y, timeout, memory_limit)
    if "unusable" in outcome:
        return CodeReport([], None, unusable=outcome["unusable"], printed=outcome["printed"])
    theirs = outcome["gradients"]
    _, truth = reference.loss_and_gradients(arch.as_dict(), params, X, Y)
    reports = [_compare(key, theirs[key], truth[key]) for key in arch.parameter_names]
    cause = None
    if not all(r.right for r in reports):
        cause = _classic_mistake(arch, params, X, Y, theirs) or _common_note(reports)
    return CodeReport(reports, cause, printed=outcome["printed"])


def run_checked(path: Path, name: str, params: dict, X, Y, timeout: float, memory_limit: int) -> dict:
    """Run ``name`` from ``path`` in a child process on copies of the arrays.

    Returns ``{"gradients": {key: float array}, "printed": str | None}`` or
    ``{"unusable": one line, "printed": str | None}``.
    """
    with tempfile.TemporaryDirectory(prefix="derive-check-code-") as folder:
        work = Path(folder)
        np.savez(work / "case.npz", X=X, Y=Y, **{f"param_{k}": v for k, v in params.items()})
        (work / "request.json").write_text(json.dumps({
            "path": str(path.resolve()), "function": name, "parameters": list(params),
            "memory_limit": memory_limit, "file_size_limit": FILE_SIZE_LIMIT}))
        status = _run_child(work, timeout)
        printed = _printed_note(work / "stdout.txt")
        where = f"while importing {path.name}" if _phase(work) == "import" else f"in {name}()"
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
            gradients = {key: saved[key].astype(float) for key in result["keys"]}
        return {"gradients": gradients, "printed": printed}


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


def _classic_mistake(arch, params, X, Y, theirs) -> str | None:
    from derive import reference

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
    path, name = Path(request["path"]), request["function"]
    with np.load(work / "case.npz", allow_pickle=False) as case:
        params = {k: case[f"param_{k}"] for k in request["parameters"]}
        X, Y = case["X"], case["Y"]
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
    function = getattr(module, name, None)
    if not callable(function):
        return _unusable(f"{path.name} has no function {name}")
    (work / "phase").write_text("call")
    try:
        returned = function(params, X, Y)
    except BaseException as error:  # noqa: BLE001 - the user's code: any failure is its verdict
        return _unusable(_describe_failure(error, path, f"in {name}()", f"{name}()"))
    try:
        gradients, problem = _child_gradients(returned, request["parameters"], name)
    except BaseException as error:  # noqa: BLE001 - a hostile __array__, __len__ or __eq__ of theirs
        return _unusable(_describe_failure(error, path, f"in {name}()'s result", f"reading {name}()'s result"))
    if problem:
        return _unusable(problem)
    np.savez(work / "gradients.npz", **gradients)
    return {"status": "ok", "keys": list(gradients)}


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


def _child_gradients(returned, keys: list, name: str):
    """(``{key: float array}``, None) or (None, why the result cannot be compared)."""
    expected = f"a dict of gradients keyed like params ({', '.join(keys)})"
    if (isinstance(returned, tuple) and len(returned) == 2 and isinstance(returned[1], dict)
            and not isinstance(returned[0], dict)):
        returned = returned[1]  # loss_and_gradients
    if returned is None:
        return None, f"{name}() returned None (a missing return?); expected {expected}"
    if not isinstance(returned, dict):
        what = type(returned).__name__
        if isinstance(returned, (tuple, list)):
            what += f" of {len(returned)} item(s)"
        return None, f"{name}() returned a {what}; expected {expected}"
    missing = [k for k in keys if k not in returned]
    extra = [repr(k) for k in returned if k not in keys]
    if missing or extra:
        told = []
        if missing:
            told.append(f"lacks {', '.join(missing)}")
        if extra:
            told.append(f"has {', '.join(extra)}, which the network does not have")
        return None, f"{name}()'s result {' and '.join(told)}; expected the keys {', '.join(keys)}"
    gradients = {}
    for key in keys:
        value = returned[key]
        try:
            array = np.array(value, copy=True)
        except (ValueError, TypeError) as error:
            return None, f"{name}()'s {key} is not an array of numbers ({type(value).__name__}: {_shorten(str(error))})"
        array = array.view(np.ndarray)
        if array.dtype.kind != "f":
            return None, (f"{name}()'s {key} has dtype {array.dtype} ({type(value).__name__}); "
                          f"gradients must be arrays of floats")
        gradients[key] = array
    return gradients, None
