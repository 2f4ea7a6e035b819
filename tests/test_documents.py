"""Derivation documents: every displayed equation proven, real renderers (pdflatex and
MathJax) accept them, output is deterministic."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

import derive
from derive import naming
from derive.cli import main
from derive.document import render_document
from derive.document.build import build_document
from derive.document.model import Equation, ProofError

from .conftest import named, needs

ROOT = Path(__file__).resolve().parents[1]
FOUR_LAYER = ("2-3-2-2", "tanh,relu,softmax", "cross-entropy", True)


def four_layer():
    widths, activation, loss, bias = FOUR_LAYER
    return derive.Architecture.parse(widths, activation=activation, loss=loss, bias=bias)


@pytest.mark.parametrize("key", ["article", "relu-bce", "softmax-mse", "width-one"])
@pytest.mark.parametrize("notation", ["arrows", "layer", "nielsen"])
def test_every_equation_of_the_document_is_proven(key, notation):
    doc = build_document(derive.derive(named(key)), notation_name=notation)
    proven = doc.prove_all()
    equations = list(doc.equations())
    assert proven == sum(len(e.parts) - 1 for e in equations if not e.definition) > 0
    for equation in equations:
        assert len(equation.parts) >= 2
        if equation.definition:  # names for the network's own matrices and the update rule only
            assert isinstance(equation.parts[0], sp.MatrixSymbol)


def test_a_false_equation_is_refused():
    doc = build_document(derive.derive(named("article")))
    y1, y2 = naming.label(1), naming.label(2)
    equation = next(e for e in doc.equations() if not e.definition and len(e.parts) == 2
                    and isinstance(e.parts[0], sp.Derivative) and e.parts[1].has(y1))
    wrong = Equation([equation.parts[0], equation.parts[1].subs({y1: y2, y2: y1}, simultaneous=True)])
    with pytest.raises(ProofError):
        doc.prove(wrong)


def test_four_layer_document_is_proven_with_the_label_assumption():
    doc = build_document(derive.derive(four_layer()))
    assert doc.assumptions  # softmax with cross-entropy: δ = x - y needs Σ y = 1
    assert doc.prove_all() > 60


def test_chosen_elements_and_loss_name():
    text, _ = render_document(derive.derive(named("article")), "tex", wrt=["W1[2,3]"], loss_name="C")
    assert r"The derivative with respect to $w_{23}^{(1 \rightarrow 2)}$" in text
    assert r"\frac{\partial C}{\partial w_{23}^{(1 \rightarrow 2)}}" in text
    assert "MSE" not in text


def test_nielsen_notation_uses_a_z_and_delta():
    text, _ = render_document(derive.derive(named("article")), "tex", notation_name="nielsen")
    assert "a^{3}_{1}" in text and r"\sigma'(z^{2}_{1})" in text and r"\frac{\partial C}" in text


def test_documents_are_byte_identical_across_runs(tmp_path):
    outputs = []
    for seed in ("1", "2"):
        texts = []
        for name, extra in (("d.md", []), ("a.md", ["--asset-url", "/img"]), ("d.html", [])):
            out = tmp_path / seed / name
            subprocess.run([sys.executable, "-m", "derive", "latex", "3-2-2", *extra, "--parents", "-o", str(out)],
                           check=True, cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
            texts.append(out.read_text())
        outputs.append(texts + [(tmp_path / seed / "a-network.svg").read_text()])
    assert outputs[0] == outputs[1]


needs_pdflatex = needs(bool(shutil.which("pdflatex") and shutil.which("pdftotext")),
                       "pdflatex and pdftotext are installed by .ci/run")


@needs_pdflatex
@pytest.mark.parametrize("arch_options", [
    ["3-2-2"],
    ["2-3-2-2", "--activation", "tanh,relu,softmax", "--loss", "cross-entropy", "--bias"],
])
def test_tex_compiles_without_errors_or_overfull_lines(arch_options, tmp_path):
    tex = tmp_path / "derivation.tex"
    assert main(["latex", *arch_options, "-o", str(tex)]) == 0
    result = subprocess.run(check=False, args=["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    log = (tmp_path / "derivation.log").read_text(errors="replace")
    assert result.returncode == 0, log[-2000:]
    assert re.findall(r"Overfull \\hbox", log) == []  # every line stays inside the page
    text = subprocess.run(["pdftotext", "derivation.pdf", "-"], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout
    for heading in ("The network", "The loss and the forward pass", "The gradient and the update rule",
                    "The derivative with respect to", "The pattern: the δ recurrence"):
        assert heading in text
    assert "σ" in text or "tanh" in text  # activations are typeset
    assert "(2→3)" in text  # weights carry their layers
    assert "∂" in text  # derivatives are typeset


def test_notebook_display():
    d = derive.derive(named("article"))
    assert d._repr_latex_().startswith("$$\\begin{aligned}")
    markdown = d._repr_markdown_()
    assert "## The network" in markdown and "data:image/svg+xml;base64," in markdown
    big = derive.derive(derive.Architecture.parse("64-32-10"))
    assert "matrix pattern proven" in big._repr_markdown_()


@pytest.mark.parametrize("argv, message", [
    (["latex", "3-2-2", "--wrt", "W3[1,1]", "-o", "d.tex"], "unknown parameter 'W3'"),
    (["latex", "3-2-2", "--wrt", "W1(1,1)", "-o", "d.tex"], "is not an element like W2[1,2]"),
    (["latex", "3-2-2", "--wrt", "W1[3,1]", "-o", "d.tex"], "has shape (2, 3)"),
    (["latex", "3-2-2", "--notation", "greek", "-o", "d.tex"], "invalid choice: 'greek'"),
    (["latex", "64-32-10", "-o", "d.tex"], "limit 120"),
    (["latex", "3-2-2", "--loss-name", "a b", "-o", "d.tex"], "must be letters and digits"),
])
def test_latex_bad_input(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "d.tex").exists()
