"""derive check, audit and check-code: a corpus of formulas and buggy backprops with their
expected verdicts and diagnoses, robustness against arbitrary input, the emitted documents."""
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import derive
from derive.cli import main

DATA = Path(__file__).parent / "data"
FORMULAS = json.loads((DATA / "formulas.json").read_text())


@pytest.mark.parametrize("case", FORMULAS, ids=lambda c: c["latex"][:50])
def test_formula_corpus(case, capsys):
    """Diagnoses are compared in their LaTeX spelling (--latex); the terminal's is plain Unicode."""
    status = main(["check", case["latex"], "--arch", *case["arch"], "--latex"])
    out = capsys.readouterr().out
    assert status == (0 if case["verdict"] == "right" else 1), out
    if case["verdict"] == "wrong":
        assert case["diagnosis"] in out, out
        assert "counterexample: at" in out or "entry" in out or "transpose" in out
        if "counterexample: at" in out:
            left, right = map(float, re.search(r"left side is (\S+), the right side (\S+)", out).groups())
            assert abs(left - right) > 1e-9
    else:
        assert "symbolic proof" in out


def test_right_side_with_wrt(capsys):
    assert main(["check", r"2 (x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(2)}", "--arch", "3-2-2", "--wrt", "W2[1,2]"]) == 0
    assert main(["check", r"2 (x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(2)}", "--arch", "3-2-2", "--wrt", "W2[2,2]"]) == 1


@pytest.mark.parametrize("right_side, message", [
    (r"2 (x_i^{(3)} - y_i)", "letter index (i)"),  # a right side alone names one quantity, not a family
    (r"2 (x_3^{(3)} - y_1)", "does not exist (layer 3 has 2 nodes)"),  # past the last node
])
def test_a_right_side_that_names_no_one_quantity_exits_2(right_side, message, capsys):
    assert main(["check", right_side, "--arch", "3-2-2", "--wrt", "W2[1,2]"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("latex, message", [
    (r"x_1^{(2)} = \sigma(", "line 1, column 20: unexpected the end of the formula"),
    (r"x_1^{(2)} = \foo{x}", "unexpected '\\\\foo"),
    (r"x_1^{(5)} = 1", "layer 5 does not exist"),
    (r"b_1^{(2)} = 1", "has no biases"),
])
def test_unreadable_or_undefined_input_exits_2(latex, message, capsys):
    assert main(["check", latex, "--arch", "3-2-2"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


ALPHABET = list("xyzwb_^{}()[]=+-*'0123456789 ") + [r"\frac", r"\partial", r"\sigma", r"\left(", r"\right)",
                                                    r"\rightarrow", r"\cdot", r"\;", "MSE", r"\vec{x}", r"\\"]
VALID = r"\frac{\partial MSE}{\partial w_{12}^{(2 \rightarrow 3)}} = 2 (x_1^{(3)} - y_1) x_1^{(3)\;'} x_2^{(2)}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(latex=st.one_of(
    st.lists(st.sampled_from(ALPHABET), max_size=30).map("".join),
    st.tuples(st.integers(0, len(VALID)), st.integers(0, 6), st.sampled_from(ALPHABET)).map(
        lambda t: VALID[:t[0]] + t[2] + VALID[t[0] + t[1]:]),
))
def test_any_input_gives_a_verdict_or_a_one_line_error(latex, capsys):
    status = main(["check", latex, "--arch", "3-2-2"])
    out, err = capsys.readouterr()
    assert status in (0, 1, 2)
    assert "Traceback" not in out + err
    if status == 2:
        assert err.startswith("derive: error: ") and err.count("\n") == 1
    else:
        assert out.startswith(("right", "wrong"))


def test_audit_reports_each_link_with_lines(capsys):
    assert main(["audit", str(DATA / "article_3_2_2.md"), "--arch", "3-2-2", "--format", "json"]) == 1
    items = json.loads(capsys.readouterr().out)["items"]
    assert set(items[0]) == {"line", "end_line", "latex", "verdict", "diagnosis"}
    by_line = [(i["line"], i["end_line"], i["verdict"]) for i in items]
    # each link covers the lines of its own two members
    assert by_line == [(6, 6, "right"), (11, 11, "right"), (17, 17, "right"), (17, 18, "right"),
                       (18, 23, "right"), (29, 29, "wrong"), (35, 36, "right"), (42, 42, "right"),
                       (46, 46, "skipped")]
    wrong = items[5]
    assert wrong["diagnosis"] == "y_{1} should be y_{2}"
    assert items[-1]["diagnosis"].startswith("unreadable")
    assert all(i["diagnosis"] is None for i in items if i["verdict"] == "right")


@pytest.mark.parametrize("arch, notation, minimum", [
    (["3-2-2"], "arrows", 40),
    (["3-2-2"], "layer", 40),
    (["2-3-2-2", "--activation", "tanh,relu,softmax", "--loss", "cross-entropy", "--bias"], "arrows", 80),
    (["3-2-2", "--activation", "leaky_relu"], "arrows", 40),
    (["3-2-2", "--activation", "gelu,silu", "--bias"], "arrows", 40),
])
def test_the_derivation_documents_check_as_right(arch, notation, minimum, tmp_path, capsys):
    """Every equation derive writes, read back by the reader, checks as right; only the update
    rule, a definition, is skipped."""
    md = tmp_path / "d.md"
    assert main(["latex", arch[0], *arch[1:], "--notation", notation, "--format", "md", "-o", str(md)]) == 0
    capsys.readouterr()
    status = main(["audit", str(md), "--arch", *arch, "--format", "json"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert status == 0 and not [i for i in items if i["verdict"] == "wrong"]
    skipped = [i for i in items if i["verdict"] == "skipped"]
    assert all("update rule" in i["diagnosis"] for i in skipped)
    assert sum(i["verdict"] == "right" for i in items) >= minimum


BACKPROPS = {
    "correct.py": None,
    "prime_of_wrong_layer.py": "off-by-one layer in σ'",
    "no_inner_derivative.py": "lacks ⊙ x^(l)'",
    "missing_factor_two.py": "factor 2 of the squared error is missing",
    "transposed_gradient.py": "transposed",
    "bias_row_in_delta.py": "bias row mixed into δ",
    "activation_instead_of_derivative.py": "instead of σ'(z)",
    "weights_not_transposed.py": "W δ instead of Wᵀ δ",
    "sign_flipped.py": "the sign is wrong",
}


@pytest.mark.parametrize("name, cause", BACKPROPS.items())
def test_buggy_backprops_are_caught_with_their_cause(name, cause, capsys):
    status = main(["check-code", f"{DATA / 'backprops' / name}:gradients", "--arch", "3-2-2", "--bias"])
    out = capsys.readouterr().out
    if cause is None:
        assert status == 0 and "all gradients match" in out
    else:
        assert status == 1 and cause in out.splitlines()[-1], out


def test_check_code_names_the_wrong_matrices(capsys):
    main(["check-code", f"{DATA / 'backprops' / 'no_inner_derivative.py'}:gradients", "--arch", "3-2-2", "--bias"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("W1: wrong in 6 element(s) (1, 1), (1, 2)") and "largest error" in lines[0]
    assert lines[1] == "W2: right"
    assert lines[2].startswith("b1: wrong in 2 element(s) (1,), (2,); largest error ")
    assert lines[3] == "b2: right"


@pytest.mark.parametrize("target, message", [
    ("nofile.py:f", "does not exist"),
    ("tests/data/backprops/correct.py:nothing", "has no function nothing"),
    ("correct.py", "is not FILE.py:FUNCTION"),
])
def test_check_code_bad_targets(target, message, capsys):
    assert main(["check-code", target, "--arch", "3-2-2", "--bias"]) == 2
    assert message in capsys.readouterr().err


def test_checking_needs_a_derivable_network(monkeypatch):
    from derive import derivation
    from derive.check import Checker

    monkeypatch.setattr(derivation, "ELEMENTWISE_LIMIT", 5)
    d = derive.derive(derive.Architecture.parse("3-2-2"))
    assert d.method == "witness"
    with pytest.raises(derive.DeriveError, match="needs the expanded loss"):
        Checker(d)
