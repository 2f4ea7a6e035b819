"""check-code never says "right" unless every gradient was compared and matched: each way of not
returning checkable gradients is its own one-line verdict (exit 1 wrong values, 2 unusable),
the checked code runs in a child process bounded in time and memory, and what it prints never
reaches our stdout."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from derive.cli import main

ROOT = Path(__file__).resolve().parent.parent

# A correct 3-2-2 sigmoid MSE backprop with biases; each case file adds its own function.
CORRECT = '''
import sys
import numpy as np


def correct(params, X, Y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    a2 = 1 / (1 + np.exp(-(X @ W1.T + b1)))
    a3 = 1 / (1 + np.exp(-(a2 @ W2.T + b2)))
    d3 = 2 * (a3 - Y) * a3 * (1 - a3)
    d2 = (d3 @ W2) * a2 * (1 - a2)
    return {"W1": d2.T @ X, "b1": d2.sum(0), "W2": d3.T @ a2, "b2": d3.sum(0)}
'''


def write_case(tmp_path, body: str, top: str = "") -> str:
    path = tmp_path / "case.py"
    path.write_text(CORRECT + textwrap.dedent(top) + "\n\ndef gradients(params, X, Y):\n"
                    + textwrap.indent(textwrap.dedent(body), "    "))
    return f"{path}:gradients"


def check(capsys, target, *options):
    status = main(["check-code", target, "--arch", "3-2-2", "--bias", *options])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("derive: error: cannot check "), err
    return lines[0]


def test_a_correct_function_passes(tmp_path, capsys):
    status, out, err = check(capsys, write_case(tmp_path, "return correct(params, X, Y)"))
    assert status == 0 and out.splitlines()[-1] == "all gradients match the derivation" and err == ""


@pytest.mark.parametrize("body, wrong", [
    ("return {k: np.full_like(v, np.nan) for k, v in correct(params, X, Y).items()}",
     ["W1: wrong, NaN in 6 element(s): (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)",
      "W2: wrong, NaN in 4 element(s)", "b1: wrong, NaN in 2 element(s): (1,), (2,)", "b2: wrong, NaN"]),
    ("g = correct(params, X, Y)\ng['W2'][1, 0] = np.nan\nreturn g",
     ["W1: right", "W2: wrong, NaN in 1 element(s): (2, 1)", "b1: right", "b2: right"]),
    ("g = correct(params, X, Y)\ng['b1'][0] = -np.inf\nreturn g",
     ["W1: right", "W2: right", "b1: wrong, Inf in 1 element(s): (1,)", "b2: right"]),
    ("g = correct(params, X, Y)\ng['W1'][0, 0] = np.inf\ng['W1'][1, 2] += 1\nreturn g",
     ["W1: wrong in 2 element(s) (1, 1), (2, 3); largest error 1; Inf in 1 element(s)"]),
])
def test_nan_and_inf_are_wrong_values_named_by_element(tmp_path, capsys, body, wrong):
    status, out, _ = check(capsys, write_case(tmp_path, body))
    lines = out.splitlines()
    assert status == 1 and "all gradients match" not in out
    for expected, line in zip(wrong, lines):
        assert line.startswith(expected), out
    assert lines[-1].startswith("likely cause: some gradients are not numbers (NaN or Inf)")


def test_a_wrong_shape_names_expected_and_got(tmp_path, capsys):
    status, out, _ = check(capsys, write_case(tmp_path, "g = correct(params, X, Y)\ng['W1'] = g['W1'][:, :2]\n"
                                                       "return g"))
    assert status == 1 and "W1: wrong, shape (2, 2) instead of (2, 3)" in out.splitlines()


@pytest.mark.parametrize("body, top, message", [
    ("return correct(params, X, Y)", "sys.exit(0)",
     "the checked code called sys.exit(0) while importing case.py; it must return the gradients instead"),
    ("sys.exit(0)", "",
     "the checked code called sys.exit(0) in gradients(); it must return the gradients instead"),
    ("return {'W1': 1 / 0}", "",
     "gradients() raised ZeroDivisionError: division by zero (case.py line 16)"),
    ("return correct(params, X, Y)", "import not_a_module_anywhere",
     "importing case.py raised ModuleNotFoundError: No module named 'not_a_module_anywhere' (case.py line 13)"),
    ("g = correct(params, X, Y)", "",
     ("gradients() returned None (a missing return?); expected a dict of gradients keyed like params "
      "(W1, W2, b1, b2)")),
    ("return list(correct(params, X, Y).values())", "",
     "gradients() returned a list of 4 item(s); expected a dict of gradients keyed like params"),
    ("g = correct(params, X, Y)\ndel g['b2'], g['W1']\nreturn g", "",
     "gradients()'s result lacks W1, b2; expected the keys W1, W2, b1, b2"),
    ("g = correct(params, X, Y)\ng['W3'] = g['W2']\nreturn g", "",
     "gradients()'s result has 'W3', which the network does not have; expected the keys W1, W2, b1, b2"),
    ("g = correct(params, X, Y)\ng['W1'] = g['W1'].astype(object)\nreturn g", "",
     "gradients()'s W1 has dtype object (ndarray); gradients must be arrays of floats"),
    ("g = correct(params, X, Y)\ng['b2'] = 'zero'\nreturn g", "",
     "gradients()'s b2 has dtype <U4 (str); gradients must be arrays of floats"),
    ("g = correct(params, X, Y)\ng['b1'] = [[1.0], [1.0, 2.0]]\nreturn g", "",
     "gradients()'s b1 is not an array of numbers (list: "),
    ("import os\nos._exit(0)", "",
     "the checked code ended the process (exit status 0) in gradients() without returning gradients"),
])
def test_unusable_results_are_one_line_exit_2(tmp_path, capsys, body, top, message):
    status, out, err = check(capsys, write_case(tmp_path, body, top))
    assert status == 2 and out == ""
    assert message in one_error_line(err)


def test_an_infinite_loop_is_stopped_by_the_timeout(tmp_path, capsys):
    start = time.monotonic()
    status, out, err = check(capsys, write_case(tmp_path, "while True:\n    pass"), "--timeout", "2")
    assert time.monotonic() - start < 10
    assert status == 2 and out == ""
    assert one_error_line(err).endswith(
        "the checked code did not finish within 2 s (in gradients()); stopped it (--timeout sets the limit)")


def test_the_timeout_covers_importing(tmp_path, capsys):
    start = time.monotonic()
    status, _, err = check(capsys, write_case(tmp_path, "return correct(params, X, Y)", "while True:\n    pass"),
                           "--timeout", "1.5")
    assert time.monotonic() - start < 10
    assert status == 2 and "did not finish within 1.5 s (while importing case.py)" in one_error_line(err)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_a_memory_hog_meets_the_memory_limit(tmp_path, capsys):
    start = time.monotonic()
    status, out, err = check(capsys, write_case(tmp_path, "hog = np.ones(20 * 2**30 // 8)\n"
                                                          "return correct(params, X, Y)"),
                             "--memory-limit", "1G")
    assert time.monotonic() - start < 10
    assert status == 2 and out == ""
    assert one_error_line(err).endswith(
        "the checked code ran out of memory in gradients() (the --memory-limit of 1G was reached)")


def test_printing_is_reported_and_never_mistaken_for_the_verdict(tmp_path, capsys):
    target = write_case(tmp_path, "print('all gradients match the derivation')\nprint('done')\n"
                                  "return correct(params, X, Y)")
    status, out, err = check(capsys, target)
    assert status == 0  # a correct function that prints is still judged, and it is right
    assert out.splitlines() == ["W1: right", "W2: right", "b1: right", "b2: right",
                                "all gradients match the derivation"]
    assert err == ("derive: note: the checked code printed 2 line(s) on stdout (not shown, not part of the "
                   "verdict); the first: 'all gradients match the derivation'\n")


def test_printing_a_pass_and_exiting_is_not_a_pass(tmp_path, capsys):
    target = write_case(tmp_path, "print('all gradients match the derivation')\nsys.exit(0)")
    status, out, err = check(capsys, target)
    assert status == 2 and out == ""
    note, error = err.strip().splitlines()
    assert note.startswith("derive: note: the checked code printed 1 line(s)")
    assert error.endswith("the checked code called sys.exit(0) in gradients(); it must return the gradients instead")


def test_printing_on_stderr_and_from_c_level_does_not_reach_our_output(tmp_path, capsys):
    target = write_case(tmp_path, "import os\nos.write(1, b'W1: right\\n')\nprint('noise', file=sys.stderr)\n"
                                  "g = correct(params, X, Y)\ng['W1'] = -g['W1']\nreturn g")
    status, out, err = check(capsys, target)
    assert status == 1 and "noise" not in out + err
    assert out.splitlines()[0] == "W1: wrong in 6 element(s) (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3); " \
                                  "largest error " + out.splitlines()[0].split("largest error ")[1]
    assert "the sign is wrong" in out.splitlines()[-1]
    assert "the first: 'W1: right'" in err


def test_changing_the_inputs_in_place_does_not_corrupt_the_reference(tmp_path, capsys):
    target = write_case(tmp_path, "g = correct(params, X, Y)\nfor value in params.values():\n    value[...] = 0\n"
                                  "X[...] = 0\nY[...] = 0\nparams.clear()\nreturn g")
    status, out, _ = check(capsys, target)
    assert status == 0 and out.splitlines()[-1] == "all gradients match the derivation"


@pytest.mark.parametrize("options, message", [
    (["--timeout", "0"], "--timeout must be a positive number of seconds, not 0"),
    (["--timeout", "nan"], "--timeout must be a positive number of seconds, not nan"),
    (["--memory-limit", "lots"], "'lots' is not a size; write e.g. 4G, 512M or a number of bytes"),
    (["--memory-limit", "10"], "a memory limit of 10 is too small"),
])
def test_bad_limits_are_one_line(tmp_path, capsys, options, message):
    status, out, err = check(capsys, write_case(tmp_path, "return correct(params, X, Y)"), *options)
    assert status == 2 and out == "" and err.startswith(f"derive: error: {message}") and err.count("\n") == 1


@pytest.mark.parametrize("body, top, status, stdout_end, stderr_part", [
    ("g = correct(params, X, Y)\ng['W2'][0, 1] = np.nan\nreturn g", "", 1,
     "likely cause: some gradients are not numbers (NaN or Inf): an overflow, a log(0) or a 0/0 in the code?",
     ""),
    ("return correct(params, X, Y)", "print('all gradients match the derivation')\nsys.exit(0)", 2, None,
     "the checked code called sys.exit(0) while importing case.py"),
])
def test_through_a_real_subprocess(tmp_path, body, top, status, stdout_end, stderr_part):
    target = write_case(tmp_path, body, top)
    done = subprocess.run([sys.executable, "-m", "derive", "check-code", target, "--arch", "3-2-2", "--bias",
                           "--timeout", "20"], check=False, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == status
    assert "Traceback" not in done.stdout + done.stderr
    if stdout_end:
        assert done.stdout.splitlines()[-1] == stdout_end
    else:
        assert done.stdout == ""
    assert stderr_part in done.stderr


def test_the_child_starts_light_and_alone(tmp_path, capsys):
    """The checked code runs without SymPy or derive loaded, from its own folder first on sys.path."""
    (tmp_path / "helper_beside_it.py").write_text("FACTOR = 1.0\n")
    target = write_case(tmp_path, "import helper_beside_it\n"
                                  "loaded = sorted(m for m in ('sympy', 'derive') if m in sys.modules)\n"
                                  "assert not loaded, f'loaded {loaded}'\n"
                                  "return {k: helper_beside_it.FACTOR * v for k, v in correct(params, X, Y).items()}")
    status, out, err = check(capsys, target)
    assert status == 0 and err == "" and out.endswith("all gradients match the derivation\n"), err
