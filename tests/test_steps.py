"""What a derivation document holds: --steps (full, named, result) and --sections choose it,
every equation written is still proven, and the pages stay few enough to publish."""
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import sympy as sp

import derive
from derive import naming
from derive.cli import main
from derive.document import render_document
from derive.document.build import build_document
from derive.document.model import Chain, Equation, ProofError, Text
from derive.document.render import Publishing
from derive.document.sections import SECTIONS, STEPS, chosen_sections
from derive.errors import DeriveError

from .conftest import named, needs

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "documents" / "steps_full_3-2-2.json"
# the 4-layer network: softmax with cross-entropy, biases, one chosen element
FOUR_LAYER = ["2-3-3-2", "--activation", "tanh,relu,softmax", "--loss", "cross-entropy", "--bias"]
FOUR_LAYER_WRT = "W1[2,1]"


@cache
def derived(key):
    if key == "four-layer":
        return derive.derive(derive.Architecture.parse("2-3-3-2", activation="tanh,relu,softmax",
                                                       loss="cross-entropy", bias=True))
    if key == "small-softmax-ce":  # small enough for the full expansion in a test
        return derive.derive(derive.Architecture.parse("2-2-2", activation="tanh,softmax", loss="cross-entropy"))
    return derive.derive(named(key))


def equations_of(section):
    return [b for b in section.blocks if isinstance(b, Equation)]


def texts_of(document):
    return " ".join(b.text for s in document.sections for b in s.blocks if isinstance(b, Text))


# --- pages -----------------------------------------------------------------------------------

needs_pdflatex = needs(bool(shutil.which("pdflatex")), "pdflatex is installed by .ci/run")


def pdf_pages(tmp_path, argv) -> int:
    tex = tmp_path / "derivation.tex"
    assert main(["latex", *argv, "-o", str(tex)]) == 0
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300, check=False)
    log = (tmp_path / "derivation.log").read_text(errors="replace")
    assert result.returncode == 0, log[-2000:]
    assert "Overfull \\hbox" not in log  # every line stays inside the page
    pages = re.search(r"Output written on derivation\.pdf \((\d+) pages?", log)
    assert pages, log[-500:]
    return int(pages.group(1))


@needs_pdflatex
def test_the_article_document_stays_within_eight_pages(tmp_path):
    assert pdf_pages(tmp_path, ["3-2-2"]) <= 8


@needs_pdflatex
def test_a_four_layer_softmax_document_with_one_element_fits_in_twelve_pages(tmp_path):
    assert pdf_pages(tmp_path, [*FOUR_LAYER, "--wrt", FOUR_LAYER_WRT]) <= 12


# --- --steps full: the article's brute-force expansion, as before -----------------------------

def test_full_steps_keep_the_article_document():
    """Every section, text block and equation of the 3-2-2 document as main wrote it before
    --steps existed (tests/data/documents), the loss name now set upright and the update rule
    written W - ε∇L (it was -ε∇L + W)."""
    from derive.document.layout import LatexWriter
    from derive.document.notation import notation

    writer = LatexWriter(notation("arrows"), loss_latex="L")
    document = build_document(derived("article"), steps="full")
    structure = []
    for section in document.sections:
        blocks = []
        for block in section.blocks:
            if isinstance(block, Equation):
                parts = [writer.latex(p).replace(r"\mathrm{MSE}", "MSE") for p in block.parts]
                blocks.append(["equation", parts, block.definition])
            else:
                blocks.append(["text" if isinstance(block, Text) else "diagram"])
        structure.append([section.title, blocks])
    assert structure == json.loads(GOLDEN.read_text())["3-2-2"]


def test_full_steps_take_the_first_note_from_the_loss():
    text, _ = render_document(derived("small-softmax-ce"), "tex", steps="full", wrt=["W2[1,1]"],
                              sections="chain")
    assert "first the logarithm, then the activation" in text and "outer square" not in text
    text, _ = render_document(derived("article"), "tex", steps="full", wrt=["W2[1,1]"], sections="chain")
    assert "first the outer square, then the activation" in text


# --- --steps named: the chain rule through z and x, every line proven -------------------------

@pytest.mark.parametrize("key, wrt", [("article", None), ("tanh-softmax-ce", ["W1[2,3]", "b2[1]"]),
                                      ("mixed-4-layer", ["W1[1,2]", "b1[3]"]), ("relu-bce", None),
                                      ("softmax-mse", ["W1[2,1]"])])
def test_named_steps_write_one_proven_line_per_factor(key, wrt):
    document = build_document(derived(key), wrt=wrt, steps="named")
    equations = list(document.equations())
    assert document.prove_all() == sum(len(e.parts) - 1 for e in equations if not e.definition)
    elements = [s for s in document.sections if s.title.startswith("The derivative with respect to")]
    assert elements and len(elements) == (len(wrt) if wrt else derived(key).arch.depth - 1)
    for section in elements:
        chain_rule = next(e for e in equations_of(section) if isinstance(e.parts[-1], Chain))
        factors = chain_rule.parts[-1].args
        assert all(isinstance(f, sp.Derivative) for f in factors) and len(factors) in (2, 3)
        # each factor evaluated on a line of its own
        left_sides = [e.parts[0] for e in equations_of(section)]
        assert all(f in left_sides for f in factors)
        assert not any(p.has(sp.Derivative) and len(p.free_symbols) > 8 for e in equations_of(section)
                       for p in e.parts)  # nothing written out in full


def test_named_steps_are_proven_through_wide_inner_layers():
    """The inner-layer lines of a 3-4-4-3 network with gelu and binary cross-entropy: written out
    in full they pass the prover's size limit, so they are proven part of the way down."""
    d = derive.derive(derive.Architecture.parse("3-4-4-3", activation="relu,gelu,sigmoid", loss="bce", bias=True))
    document = build_document(d, wrt=["W1[1,1]"], sections="chain")
    assert document.prove_all() == sum(len(e.parts) - 1 for e in document.equations()) > 20


def test_a_wrong_named_line_is_refused():
    document = build_document(derived("article"), wrt=["W1[1,1]"])
    x, z = naming.node(2, 1), naming.preactivation(2, 1)
    loss = document.loss_symbol
    with pytest.raises(ProofError):  # the derivative of another node
        document.prove(Equation([sp.Derivative(x, z), naming.node_derivative(2, 2)]))
    with pytest.raises(ProofError):  # the weights of the other column
        wrong = sum(sp.Symbol(f"delta3_{k}") * naming.weight(2, k, 2) for k in (1, 2))
        document.prove(Equation([sp.Derivative(loss, x), wrong]))
    right = sum(sp.Symbol(f"delta3_{k}") * naming.weight(2, k, 1) for k in (1, 2))
    document.prove(Equation([sp.Derivative(loss, x), right]))
    w, output = naming.weight(2, 1, 1), naming.node(3, 1)
    for other_node, proven in ((naming.node(2, 2), False), (naming.node(2, 1), True)):
        short = 2 * (output - naming.label(1)) * naming.node_derivative(3, 1) * other_node
        if proven:
            document.prove(Equation([sp.Derivative(loss, w), short]))
        else:
            with pytest.raises(ProofError):  # ∂L/∂w_11^(2→3) with the wrong node of layer 2
                document.prove(Equation([sp.Derivative(loss, w), short]))



def test_named_is_the_default_and_writes_no_expanded_loss():
    text, _ = render_document(derived("article"), "tex")
    full, _ = render_document(derived("article"), "tex", steps="full")
    assert text != full and len(text) < len(full) / 2
    assert r"\frac{\partial \mathrm{MSE}}{\partial x_{1}^{(3)}}" in text
    assert r"\frac{\partial}{\partial w" not in text  # no ∂/∂w of a written-out expression
    assert chosen_sections() == frozenset(STEPS["named"][1])


# --- --steps result: short forms, matrices, the pattern ----------------------------------------

def test_result_steps_have_no_step_by_step_section():
    document = build_document(derived("four-layer"), wrt=[FOUR_LAYER_WRT], steps="result")
    assert document.prove_all() > 0
    titles = [s.title for s in document.sections]
    assert titles == [r"The derivative with respect to $w_{21}^{(1 \rightarrow 2)}$",
                      r"The pattern: the $\delta$ recurrence"]
    for equation in document.equations():
        assert not any(isinstance(p, Chain) for p in equation.parts)
        assert all(not p.has(sp.Derivative) or isinstance(p, sp.Derivative) and p.expr.is_Symbol
                   for p in equation.parts)


# --- --sections ----------------------------------------------------------------------------------

def test_sections_omit_and_include_by_name():
    arch = derived("tanh-softmax-ce")
    omitted = build_document(arch, sections="-forward,-update")
    titles = [s.title for s in omitted.sections]
    assert "The loss" in titles and "The gradient" in titles
    assert not any("new" in str(e.parts[0]) for e in omitted.equations())
    exact = build_document(arch, sections="network,loss,gradients")
    assert [s.title for s in exact.sections] == ["The network", "The loss", "The gradient"]
    assert not any(isinstance(b, Equation) and b.parts[0] in arch.network.nodes[2]
                   for s in exact.sections for b in s.blocks)
    added = build_document(arch, steps="result", sections=["+expanded"])
    assert added.sections[0].title == "The forward pass"


def test_section_names_and_their_errors():
    assert chosen_sections("full") == frozenset(SECTIONS)
    assert chosen_sections("named", "+expanded,-pattern") == frozenset(SECTIONS) - {"elements", "pattern"}
    with pytest.raises(DeriveError, match="unknown section 'proofs'; the sections are network, diagram"):
        chosen_sections("named", "network,proofs")


def test_build_takes_the_steps_of_its_documents():
    from derive.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["build", "3-2-2"]).steps == "named"
    assert parser.parse_args(["build", "3-2-2", "--steps", "full"]).steps == "full"


@pytest.mark.parametrize("argv, message", [
    (["--sections", "network,nosuch"], "--sections: unknown section 'nosuch'"),
    (["--steps", "brief"], "invalid choice: 'brief'"),
    (["--loss-name", "a b"], "must be letters and digits"),
    (["--loss-name", r"\frac{1}{2}"], "must be letters and digits"),
])
def test_bad_steps_sections_and_loss_names_are_one_line_errors(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["latex", "3-2-2", *argv, "-o", "d.tex"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "d.tex").exists()


# --- content -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, shown", [(None, r"\partial \mathrm{MSE}"), ("C", r"\partial C"),
                                         ("L_2", r"\partial L_{2}"), (r"\mathcal{L}", r"\partial \mathcal{L}"),
                                         (r"\mathrm{CE}", r"\partial \mathrm{CE}"), ("Loss", r"\partial \mathrm{Loss}")])
def test_loss_names_are_set_as_given_words_upright(name, shown, tmp_path):
    out = tmp_path / "d.md"
    argv = ["latex", "3-2-2", "--sections", "gradients,pattern", "-o", str(out)]
    assert main(argv + (["--loss-name", name] if name else [])) == 0
    text = out.read_text()
    assert shown in text and r"\nabla_{\underline{w}^{(1 \rightarrow 2)}} " + shown.split()[1] in text
    assert not re.search(r"[^{]MSE", text.replace(r"\mathrm{MSE}", ""))  # never in math italics


def test_bias_update_rules_are_written_with_biases():
    text, _ = render_document(derived("four-layer"), "tex", wrt=[FOUR_LAYER_WRT])
    for layer in (2, 3, 4):
        bias = rf"\vec{{b}}^{{({layer})}}"
        assert rf"{bias}_{{\text{{new}}}} &= {bias} - \epsilon \nabla_{{{bias}}} L" in text
    without, _ = render_document(derived("article"), "tex")
    assert r"\vec{b}" not in without


@pytest.mark.parametrize("steps", list(STEPS))
def test_softmax_is_readable(steps):
    for key in ("tanh-softmax-ce", "softmax-mse"):
        sections = "forward,expanded,pattern" if steps == "full" else "+forward"  # full: its written-out forms
        text, _ = render_document(derived(key), "md", steps=steps, wrt=["W1[1,1]"], sections=sections,
                                  publishing=Publishing("brackets"))  # inline math as written, no Markdown escapes
        assert "softmax}_" not in text and "softmax_" not in text
        assert r"\frac{e^{z_{1}^{(3)}}}{e^{z_{1}^{(3)}} + e^{z_{2}^{(3)}}" in text
        if r"s_{1}\left(" in text or r"s_{1}\Bigl(" in text:  # written out: the name s_i is defined
            assert r"s_i(u_1, \dots, u_n) = e^{u_i} / \sum_k e^{u_k}" in text


@pytest.mark.parametrize("steps", list(STEPS))
def test_the_labels_summing_to_one_is_said_once_and_used_everywhere(steps):
    key, wrt, L = ("small-softmax-ce", "W1[2,1]", 3) if steps == "full" else ("four-layer", FOUR_LAYER_WRT, 4)
    text, _ = render_document(derived(key), "tex", steps=steps, wrt=[wrt], sections="+elements")
    assert text.count(r"\sum_i y_i = 1") == 1
    # every shown result is simplified with it: x - y, never x_1 y_2 - y_1 (1 - x_1)
    assert not re.search(rf"x_\{{\d\}}\^\{{\({L}\)\}} y_\{{\d\}}", text) and r"\left(1 - x_{" not in text
    assert rf"x_{{1}}^{{({L})}} - y_{{1}}" in text
    mse, _ = render_document(derived("article"), "tex", steps=steps)
    assert r"\sum_i y_i" not in mse


def test_the_checker_reads_back_every_written_out_softmax(tmp_path, capsys):
    """--steps full writes s_i(…) and e^z / Σ e^z; the audit reads both and finds every equation
    right (only the update rules, definitions, are skipped)."""
    md = tmp_path / "d.md"
    arch = ["2-2-2", "--activation", "tanh,softmax", "--loss", "cross-entropy"]
    assert main(["latex", *arch, "--steps", "full", "--wrt", "W2[1,1]", "--format", "md", "-o", str(md)]) == 0
    assert r"s_{1}\Bigl(" in md.read_text() or r"s_{1}\left(" in md.read_text()
    capsys.readouterr()
    assert main(["audit", str(md), "--arch", *arch, "--format", "json"]) == 0
    verdicts = [item["verdict"] for item in json.loads(capsys.readouterr().out)["items"]]
    assert set(verdicts) == {"right", "skipped"} and verdicts.count("skipped") == 2


# --- notebooks ------------------------------------------------------------------------------

def test_notebook_markdown_has_no_front_matter_and_show_chooses_what_appears():
    d = derived("article")
    markdown = d._repr_markdown_()
    assert not markdown.startswith("---") and "title:" not in markdown.split("##")[0]
    shown = d.show(steps="result", wrt="W1[2,1]")
    text = shown._repr_markdown_()
    assert not text.startswith("---")
    assert "## The derivative with respect to $w_{21}^{(1 \\rightarrow 2)}$" in text and "## The network" not in text
    named_text = d.show(sections="-diagram,-network")._repr_markdown_()
    assert "data:image/svg+xml" not in named_text and r"\frac{\partial \mathrm{MSE}}{\partial x_{1}^{(3)}}" in named_text
