"""check-code meets code in its own convention (issue 13): each backprop of the corpus
(tests/data/backprops/conv_*.py, written for it in the conventions of real public code) is
checked with no adapter, only options, and gets its verdict and the ID of its mistake."""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import derive
from derive.cli import main

DATA = Path(__file__).parent / "data" / "backprops"

CORPUS = [
    ("conv_nielsen.py:Network.backprop", "3-4-2 --bias --loss half-mse", 0, None),
    ("conv_nielsen.py:Network.backprop", "3-4-2 --bias", 1, "missing-factor-2"),
    ("conv_nielsen.py:BiasInDelta.backprop", "2-3-1 --bias --loss half-mse", 1, "bias-in-delta"),
    ("conv_nielsen.py:Network.update_mini_batch", "3-4-2 --bias --loss half-mse --update 0.5 --mean", 0, None),
    ("conv_nielsen.py:Network.backprop", "3-4-2 --bias --loss half-mse --init Network([3,4,2])", 0, None),
    ("conv_tutorial_relu.py:step", "3-4-2 --activation relu,sigmoid", 0, None),
    ("conv_tutorial_relu.py:step_preactivation", "3-4-2 --activation relu,sigmoid", 1,
     "preactivation-instead-of-activation"),
    ("conv_tutorial_relu.py:step_descent", "3-4-2 --activation relu,sigmoid", 1, "descent-step"),
    ("conv_ng_columns.py:backward", "3-4-2 --bias", 0, None),
    ("conv_ng_columns.py:backward_bce_delta", "3-4-2 --bias", 1, "loss-mismatch:bce"),
    ("conv_ng_columns.py:backward_bce_delta", "3-4-2 --bias --loss bce", 0, None),
    ("conv_bias_column.py:gradients", "3-4-2 --bias", 0, None),
    ("conv_bias_column.py:gradients_no_inner_derivative", "3-4-2 --bias", 1, "no-inner-derivative"),
    ("conv_updater.py:train_step", "3-4-2 --bias --activation tanh,sigmoid --update 0.1", 0, None),
    ("conv_updater.py:train_step_stale", "3-4-2 --bias --activation tanh,sigmoid --update 0.1", 1, "stale-weights"),
    ("conv_rows_mean.py:backprop", "3-4-2 --bias --mean", 0, None),
    ("conv_rows_mean.py:backprop", "3-4-2 --bias", 1, "constant-factor"),
    ("conv_per_sample.py:backprop", "3-4-2 --bias --activation tanh", 0, None),
    ("conv_per_sample.py:backprop_two_mistakes", "3-4-2 --bias --activation tanh", 1,
     "no-output-derivative, missing-factor-2"),
    ("conv_square.py:right_in_out", "2-2-2", 0, None),
    ("conv_square.py:transposed_out_in", "2-2-2", 1, "transposed-gradient"),
]


def run(capsys, target, options):
    status = main(["check-code", str(DATA / target), "--arch", *options.split()])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


@pytest.mark.parametrize("target, options, status, cause", CORPUS, ids=lambda v: str(v)[:40])
def test_corpus_verdicts_and_causes(capsys, target, options, status, cause):
    got, out, err = run(capsys, target, options)
    assert got == status, out + err
    lines = out.splitlines()
    assert lines[0].startswith("convention: ")
    if cause is None:
        assert lines[-1] == "all gradients match the derivation"
    else:
        assert lines[-1].startswith(f"likely cause [{cause}]: "), out


def test_the_convention_line_says_what_was_read(capsys):
    _, out, _ = run(capsys, "conv_nielsen.py:Network.backprop", "3-4-2 --bias --loss half-mse")
    assert out.splitlines()[0] == (
        "convention: Network.backprop(self, x, y) per sample, column vectors (n, 1); weights self.weights[l] "
        "(n_out, n_in); biases (n, 1); returns (nabla_b, nabla_w)")


def test_no_bug_hides_behind_a_square_reading(capsys):
    """W and Wᵀ have one shape in 2-2-2: code that stores W (n_out, n_in) and returns every
    gradient transposed is wrong under its reading, and the other reading (which would take the
    transposed gradients for right ones) changes the forward pass too, so it is wrong there as
    well; forcing that reading cannot make it pass either."""
    for options in ("2-2-2", "2-2-2 --weights in-out", "2-2-2 --weights out-in"):
        status, out, _ = run(capsys, "conv_square.py:transposed_out_in", options)
        assert status == 1 and "all gradients match" not in out
    status, out, _ = run(capsys, "conv_square.py:right_in_out", "2-2-2 --weights out-in")
    assert status == 1  # right only in the reading it was written for


def test_an_unexplained_wrong_square_code_is_a_question(tmp_path, capsys):
    path = tmp_path / "square.py"
    path.write_text(textwrap.dedent("""
        import numpy as np
        def grads(X, Y, W1, W2):
            a2 = np.tanh(X @ W1.T) ** 3
            a3 = 1 / (1 + np.exp(-(a2 @ W2.T)))
            d3 = 2 * (a3 - Y) * a3 * (1 - a3)
            d2 = (d3 @ W2) * (1 - a2 ** 2)
            return X.T @ d2 + 1.5, a2.T @ d3
    """))
    status = main(["check-code", f"{path}:grads", "--arch", "2-2-2"])
    err = capsys.readouterr().err
    assert status == 2 and "--weights" in err and err.count("\n") == 1


def test_json_format(capsys):
    status, out, _ = run(capsys, "conv_tutorial_relu.py:step_preactivation", "3-4-2 --activation relu,sigmoid "
                                                                            "--format json")
    data = json.loads(out)
    assert status == 1 and data["verdict"] == "wrong"
    assert data["causes"] == ["preactivation-instead-of-activation"]
    assert data["convention"].startswith("step_preactivation(x, y, w1, w2)")
    assert {p["name"] for p in data["parameters"]} == {"W1", "W2"}
    assert all(set(p) >= {"name", "right", "largest_error"} for p in data["parameters"])


def test_write_case_and_arrays_check_another_programs_gradients(tmp_path, capsys):
    case = tmp_path / "case.npz"
    assert main(["check-code", "--write-case", str(case), "--arch", "3-4-2", "--bias"]) == 0
    capsys.readouterr()
    sys.path.insert(0, str(DATA))
    try:
        import conv_ng_columns as other
    finally:
        sys.path.remove(str(DATA))
    with np.load(case) as saved:
        arrays = dict(saved)
    params = {k[6:]: v for k, v in arrays.items() if k.startswith("param_")}
    user = {**params, "b1": params["b1"][:, None], "b2": params["b2"][:, None]}
    g = other.backward(user, arrays["X"].T, arrays["Y"].T)
    np.savez(case, **arrays, W1=g["dW1"], W2=g["dW2"], b1=g["db1"][:, 0], b2=g["db2"][:, 0])
    assert main(["check-code", "--arrays", str(case), "--arch", "3-4-2", "--bias"]) == 0
    capsys.readouterr()
    np.savez(case, **arrays, W1=-g["dW1"], W2=-g["dW2"], b1=-g["db1"][:, 0], b2=-g["db2"][:, 0])
    assert main(["check-code", "--arrays", str(case), "--arch", "3-4-2", "--bias"]) == 1
    assert "likely cause [sign]" in capsys.readouterr().out


def test_the_python_api_in_process_and_by_file():
    sys.path.insert(0, str(DATA))
    try:
        import conv_tutorial_relu as tutorial
    finally:
        sys.path.remove(str(DATA))
    arch = derive.Architecture.parse("3-4-2", activation="relu,sigmoid")
    report = derive.check_gradients(tutorial.step_preactivation, arch)
    assert report.verdict == "wrong" and report.causes == ["preactivation-instead-of-activation"]
    assert "weights w1, w2 (n_in, n_out)" in report.convention
    assert "likely cause [preactivation-instead-of-activation]" in report._repr_markdown_()
    assert derive.check_gradients(f"{DATA / 'conv_tutorial_relu.py'}:step", arch).verdict == "right"
    assert derive.check_gradients(tutorial.step, arch, weights="out-in").verdict == "unusable"  # shapes clash


def test_a_function_that_raises_in_every_reading_is_one_line(tmp_path, capsys):
    path = tmp_path / "bad.py"
    path.write_text("def backprop(x, y, w1, w2):\n    raise ValueError('nope')\n")
    status = main(["check-code", f"{path}:backprop", "--arch", "3-4-2"])
    err = capsys.readouterr().err
    assert status == 2 and "backprop() raised ValueError: nope" in err and err.count("\n") == 1
