"""Framing real documents: where the formulas of a Markdown or LaTeX article are, by line."""
import json
import time

import pytest

from derive.audit import equations
from derive.audit.frame import frame
from derive.cli import main


def found(text, tex=False):
    """(line, end_line, delimiter, inline, latex) of every formula."""
    return [(f.line, f.end_line, f.delimiter, f.inline, f.latex) for f in frame(text, tex).formulas]


def test_double_dollars_on_their_own_lines_are_displays():
    text = "Intro.\n\n$$\nA = B\n$$\n\nText $$ C = D $$\n"
    assert found(text) == [(3, 5, "$$", False, "A = B"), (7, 7, "$$", True, "C = D")]


def test_a_one_line_display_is_a_display():
    assert found("$$ x_1 = 2 $$\n") == [(1, 1, "$$", False, "x_1 = 2")]


def test_kramdown_inline_double_dollars_inside_a_paragraph():
    text = "with 3 nodes, denoted $$\\vec{x}^{(1)}$$, and weights $$w_{11}$$ and\n$$C=\\sum_i (a_i - y_i)^2$$  \n"
    assert found(text) == [(1, 1, "$$", True, "\\vec{x}^{(1)}"), (1, 1, "$$", True, "w_{11}"),
                           (2, 2, "$$", False, "C=\\sum_i (a_i - y_i)^2")]


def test_brackets_parentheses_and_markdown_escaped_brackets():
    text = "\\[ a = b \\]\nsee \\(c = d\\) here\n\\\\[ e = f \\\\]\n"
    assert found(text) == [(1, 1, "\\[", False, "a = b"), (2, 2, "\\(", True, "c = d"),
                           (3, 3, "\\[", False, "e = f")]


def test_single_dollars_follow_pandocs_rule():
    text = "It costs $5 and $10.\nA formula $x = 1$ here, not $ y = 2$.\n\nOther $a$ and $b\n\nc$\n"
    assert found(text) == [(2, 2, "$", True, "x = 1"), (4, 4, "$", True, "a")]


def test_math_fences_are_displays_and_other_fences_are_code():
    text = "```math\nl(o, y) = 1\n```\n\n```python\nx = $$ a = b $$\n```\n\n~~~math\np = q\n~~~\n"
    assert found(text) == [(1, 3, "```math", False, "l(o, y) = 1"), (9, 11, "```math", False, "p = q")]


def test_html_comments_are_not_math():
    text = "<!-- notes in\n```math fences and $$a = b$$ -->\nText $$c = d$$ here.\n\n```math\ne = f\n```\n"
    assert found(text) == [(3, 3, "$$", True, "c = d"), (5, 7, "```math", False, "e = f")]


def test_code_spans_are_not_math():
    assert found("`$X$` is the input, `$$a = b$$` too, and $$c = d$$ is math\n") == [
        (1, 1, "$$", True, "c = d")]


@pytest.mark.parametrize("name", ["equation", "equation*", "align", "align*", "gather", "gather*",
                                  "multline", "multline*"])
def test_environments_outside_any_dollars(name):
    text = f"Text.\n\\begin{{{name}}}\n  a = b \\\\\n  c = d\n\\end{{{name}}}\n"
    assert found(text) == [(2, 5, name, False, "a = b c = d")]
    assert frame(text).formulas[0].rows[1].line == 4


def test_aligned_rows_continue_the_chain_with_their_lines():
    text = "\\begin{align}\nE &= (a - y)^2 \\\\\n  &= a^2 - 2 a y + y^2\n\\end{align}\n"
    (equation,) = equations(frame(text).formulas)
    assert [row.line for row in equation.rows] == [2, 3]


def test_blockquote_prefixes_are_read_through():
    text = "> A quote:\n>\n> $$\n> a = b \\\\\n> c = d\n> $$\n>> \\[ e = f \\]\n"
    assert found(text) == [(3, 6, "$$", False, "a = b c = d"), (7, 7, "\\[", False, "e = f")]


def test_tags_labels_and_boxes():
    text = "\\begin{equation}\\label{eq:one}\n\\boxed{a = b} \\tag{3}\n\\end{equation}\n$$ c = \\boxed{d + \\frac{1}{2}} \\nonumber $$\n"
    assert [" ".join(latex.split()) for *_, latex in found(text)] == ["a = b", "c = d + \\frac{1}{2}"]


def test_display_starting_with_equals_continues_the_chain_across_an_inline_formula():
    text = "$$\nA = B\n$$\nwhere $$i$$ runs\n$$\n= C\n$$\n"
    chains = equations(frame(text).formulas)
    assert [(c.line, c.end_line, c.inline, c.latex) for c in chains] == [
        (2, 6, False, "A = B = C"), (4, 4, True, "i")]


def test_unterminated_displays_are_reported_where_they_open_and_the_scan_goes_on():
    text = "$$ a = b $$\n\\begin{align}\nc = d\n\n\\[ e = f \\]\n$$ g = h\n"
    framing = frame(text)
    assert [(u.line, u.opener) for u in framing.unterminated] == [(2, "\\begin{align}"), (6, "$$")]
    assert [f.latex for f in framing.formulas] == ["a = b", "e = f"]


def test_tex_files_skip_the_preamble_and_comments():
    text = ("\\documentclass{article}\n\\newcommand{\\R}{$x = 1$}\n\\begin{document}\n"
            "Text with $a = b$ inline. % $c = d$ is a comment\n"
            "\\begin{align*}\n  e &= f \\\\ % note\n  &= g\n\\end{align*}\n"
            "50\\% of \\$ signs\n\\[ h = i \\]\n\\end{document}\n$$ after = end $$\n")
    assert found(text, tex=True) == [(4, 4, "$", True, "a = b"), (5, 8, "align*", False, "e &= f &= g"),
                                     (10, 10, "\\[", False, "h = i")]


def test_framing_is_linear_in_the_length():
    piece = ("Some text with $$w_1$$ and `code` and $5.\n\n> $$\n> a = b \\\\\n> = c\n> $$\n\n"
             "```python\nx = 1\n```\n\\begin{align}\nd &= e\n\\end{align}\n")
    small, large = piece * 2_000, piece * 20_000
    start = time.perf_counter()
    assert len(frame(small).formulas) == 6_000
    small_seconds = time.perf_counter() - start
    start = time.perf_counter()
    assert len(frame(large).formulas) == 60_000
    assert time.perf_counter() - start < 25 * small_seconds + 0.5


def test_unpaired_backticks_and_dollars_stay_linear():
    for text in ("`" * 200_000, "a $b " * 50_000, "$$" + "x" * 400_000):
        start = time.perf_counter()
        frame(text)
        assert time.perf_counter() - start < 2


def test_audit_reads_an_environment_and_a_blockquote_in_a_markdown_file(tmp_path, capsys):
    article = tmp_path / "post.md"
    article.write_text("# Post\n\n> $$\n> x_1^{(2)} = x_1^{(2)}\n> $$\n\nwhere $$i$$ is an index and "
                       "$$x_1 = x_1$$ holds.\n\n\\begin{equation}\n"
                       "\\frac{\\partial MSE}{\\partial w_{21}^{(2 \\rightarrow 3)}} = 2 (x_2^{(3)} - y_1) "
                       "x_2^{(3)\\;'} x_1^{(2)} \\tag{1}\n\\end{equation}\n")
    status = main(["audit", str(article), "--arch", "3-2-2", "--format", "json"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert status == 1
    assert [(i["line"], i["end_line"], i["verdict"]) for i in items] == [
        (4, 4, "right"), (7, 7, "right"), (10, 10, "wrong")]
    assert items[2]["diagnosis"] == "y_{1} should be y_{2}"


def test_audit_reads_a_tex_file(tmp_path, capsys):
    article = tmp_path / "notes.tex"
    article.write_text("\\documentclass{article}\n\\begin{document}\n% $$ x_1 = x_2 $$\n"
                       "\\begin{align*}\nMSE &= (x_1^{(3)} - y_1)^2 + (x_2^{(3)} - y_2)^2 \\\\\n"
                       "  &= (x_2^{(3)} - y_2)^2 + (x_1^{(3)} - y_1)^2\n\\end{align*}\n\\end{document}\n")
    assert main(["audit", str(article), "--arch", "3-2-2", "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["line"], i["end_line"], i["verdict"]) for i in items] == [(5, 5, "right"), (5, 6, "right")]


def test_a_row_that_lists_equations_is_split_into_them():
    from derive.audit import split_list

    assert split_list(r"i_1 = 0.10, \quad i_2 = 0.30, \; \eta = 0.5.") == ["i_1 = 0.10", r" i_2 = 0.30", r" \; \eta = 0.5"]
    assert split_list(r"f(X, w) = X w") == [r"f(X, w) = X w"]
    assert split_list(r"x_i = 0, i = 1, \dots, n") == ["x_i = 0", r" i = 1, \dots, n"]
    assert split_list("A = B = C,") == ["A = B = C"]


def test_each_link_of_a_chain_has_the_lines_of_its_own_members():
    from derive.audit import equations, member_lines

    text = "$$\nA = B\n$$\n\n$$\n= C\n+ D\n$$\n"
    (chain,) = equations(frame(text).formulas)
    assert member_lines(chain) == [(2, 2), (2, 2), (6, 7)]


def test_the_member_after_a_slip_in_a_chain_is_judged_on_its_own(tmp_path, capsys):
    """In A = B = C with only B wrong (the factor 2 of the square dropped), both links blame B,
    and A = C, proven, clears C at its own line."""
    text = ("$$\n\\frac{\\partial MSE}{\\partial x_1^{(3)}} = 2 (x_1^{(3)} - y_1) \\\\\n= (x_1^{(3)} - y_1) \\\\\n"
            "= 2 (x_1^{(3)} - y_1)\n$$\n")
    path = tmp_path / "chain.md"
    path.write_text(text)
    assert main(["audit", str(path), "--arch", "3-2-2", "--format", "json", "--quiet"]) == 1
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["line"], i["verdict"]) for i in items] == [(2, "right"), (3, "wrong"), (3, "wrong"), (4, "right")]


def test_a_name_set_to_a_whole_number_is_a_count_in_prose_not_an_equation(tmp_path, capsys):
    """$L = 3$ (layers), $n = 2$ (inputs) in a sentence are sizes, not claims about the loss or a
    node: no item; in a display it is a value the article gives, skipped; an equation beside them
    is still judged."""
    path = tmp_path / "post.md"
    path.write_text("A network of depth $L = 3$ with $n = 2$ inputs, where $y_1 = x_1^{(3)} - x_1^{(3)} + y_1$.\n\n"
                    "$$l = 3$$\n")
    main(["audit", str(path), "--arch", "2-2-1", "--format", "json"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["line"], i["verdict"]) for i in items] == [(1, "right"), (3, "skipped")]
    assert "a value the article gives" in items[1]["diagnosis"]


def test_a_definition_with_equiv_is_shown_as_written(tmp_path, capsys):
    path = tmp_path / "post.md"
    path.write_text("$$\n\\delta_j \\equiv \\frac{\\partial E_n}{\\partial a_j}\n$$\n")
    main(["audit", str(path), "--arch", "2-3-2", "--format", "json"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert [i["latex"] for i in items] == ["\\delta_j \\equiv \\frac{\\partial E_n}{\\partial a_j}"]


def test_the_terminal_shows_diagnoses_in_unicode_and_json_in_latex(tmp_path, capsys):
    """As `derive check` does: the article's line stays as written, the diagnosis is plain text."""
    path = tmp_path / "post.md"
    path.write_text("$$\n\\frac{\\partial o}{\\partial z_o} = \\sigma'(o)\n$$\n")
    symbols = ["--symbols", "o=x_1^{(3)}, z_o=z_1^{(3)}"]
    main(["audit", str(path), "--arch", "2-2-1", *symbols])
    shown = capsys.readouterr().out.splitlines()[0]
    assert shown == "line 2: wrong: σ′(o) should be σ′(z_o)"
    main(["audit", str(path), "--arch", "2-2-1", *symbols, "--format", "json"])
    (item,) = json.loads(capsys.readouterr().out)["items"]
    assert item["verdict"] == "wrong" and item["diagnosis"] == "\\sigma'\\left(o\\right) should be \\sigma'\\left(z_o\\right)"
