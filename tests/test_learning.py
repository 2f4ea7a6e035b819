"""Learning an article's own notation from its definitions, and checking its worked numbers.

The article below is written in the flat style of step-by-step tutorials (net_{h1}, out_{o1},
w_1 … w_8, one bias per layer shared by its nodes, E_{total} with ½). Its numbers are ours;
every expected value is computed here with Python floats, independently of the tool, and the
article prints them rounded the way such posts do, reusing rounded values in later steps.
"""
import json
import math

import pytest

from derive.cli import main

GIVEN = {"i_1": 0.1, "i_2": 0.5, "w_1": 0.2, "w_2": 0.3, "w_3": 0.25, "w_4": 0.45, "w_5": 0.5, "w_6": 0.55,
         "w_7": 0.65, "w_8": 0.7, "b_1": 0.3, "b_2": 0.6, "target_{o1}": 0.05, "target_{o2}": 0.95,
         "\\eta": 0.5}
ARCH = ["--arch", "2-2-2", "--activation", "sigmoid", "--loss", "half-mse", "--bias"]


def sigmoid(t):
    return 1 / (1 + math.exp(-t))


def forward(v):
    """The worked example by hand: every named value."""
    out = {"net_h1": v["w_1"] * v["i_1"] + v["w_2"] * v["i_2"] + v["b_1"],
           "net_h2": v["w_3"] * v["i_1"] + v["w_4"] * v["i_2"] + v["b_1"]}
    out["out_h1"], out["out_h2"] = sigmoid(out["net_h1"]), sigmoid(out["net_h2"])
    out["net_o1"] = v["w_5"] * out["out_h1"] + v["w_6"] * out["out_h2"] + v["b_2"]
    out["net_o2"] = v["w_7"] * out["out_h1"] + v["w_8"] * out["out_h2"] + v["b_2"]
    out["out_o1"], out["out_o2"] = sigmoid(out["net_o1"]), sigmoid(out["net_o2"])
    out["E"] = 0.5 * (v["target_{o1}"] - out["out_o1"]) ** 2 + 0.5 * (v["target_{o2}"] - out["out_o2"]) ** 2
    out["dE_dout_o1"] = out["out_o1"] - v["target_{o1}"]
    out["dout_dnet_o1"] = out["out_o1"] * (1 - out["out_o1"])
    out["dE_dw5"] = out["dE_dout_o1"] * out["dout_dnet_o1"] * out["out_h1"]
    out["dE_dw6"] = out["dE_dout_o1"] * out["dout_dnet_o1"] * out["out_h2"]
    return out


V = forward(GIVEN)


def r(x, digits=9):
    return f"{x:.{digits}f}"


DEFINITIONS = [
    ("$$net_{h1} = w_1 i_1 + w_2 i_2 + b_1 \\cdot 1$$", ["skipped"]),
    ("$$net_{h2} = w_3 i_1 + w_4 i_2 + b_1 \\cdot 1$$", ["skipped"]),
    ("$$out_{h1} = \\frac{1}{1 + e^{-net_{h1}}}$$", ["skipped"]),
    ("$$out_{h2} = \\frac{1}{1 + e^{-net_{h2}}}$$", ["skipped"]),
    ("$$net_{o1} = w_5 out_{h1} + w_6 out_{h2} + b_2 \\cdot 1$$", ["skipped"]),
    ("$$net_{o2} = w_7 out_{h1} + w_8 out_{h2} + b_2 \\cdot 1$$", ["skipped"]),
    ("$$out_{o1} = \\frac{1}{1 + e^{-net_{o1}}}$$", ["skipped"]),
    ("$$out_{o2} = \\frac{1}{1 + e^{-net_{o2}}}$$", ["skipped"]),
    ("$$E_{total} = \\frac{1}{2}(target_{o1} - out_{o1})^2 + \\frac{1}{2}(target_{o2} - out_{o2})^2$$", ["skipped"]),
]
# printed the way the article reuses them
P = {name: r(V[name]) for name in ("out_h1", "out_h2", "net_o1", "out_o1", "out_o2", "E", "dE_dout_o1",
                                   "dout_dnet_o1", "dE_dw5")}
NUMBERS = [
    ("$$net_{h1} = 0.2 \\cdot 0.1 + 0.3 \\cdot 0.5 + 0.3 \\cdot 1 = 0.47$$", ["right", "right"]),
    ("$$net_{h2} = 0.25 \\cdot 0.1 + 0.45 \\cdot 0.5 + 0.3 \\cdot 1 = 0.56$$", ["right", "wrong"]),
    (f"$$out_{{h1}} = \\frac{{1}}{{1 + e^{{-0.47}}}} = {P['out_h1']}$$", ["right", "right"]),
    (f"$$out_{{h2}} = \\frac{{1}}{{1 + e^{{-0.55}}}} = {P['out_h2']}$$", ["right", "right"]),
    (f"$$net_{{o1}} = 0.5 \\cdot {P['out_h1']} + 0.55 \\cdot {P['out_h2']} + 0.6 \\cdot 1 = {P['net_o1']}$$",
     ["right", "right"]),
    (f"$$out_{{o1}} = \\frac{{1}}{{1 + e^{{-{P['net_o1']}}}}} = {P['out_o1']}$$", ["right", "right"]),
    (f"$$out_{{o2}} = {P['out_o2']}$$", ["right"]),
    (f"$$E_{{total}} = \\frac{{1}}{{2}}(0.05 - {P['out_o1']})^2 + \\frac{{1}}{{2}}(0.95 - {P['out_o2']})^2 = {P['E']}$$",
     ["right", "right"]),
    (f"$$-(target_{{o1}} - out_{{o1}}) = -(0.05 - {P['out_o1']}) = {P['dE_dout_o1']}$$", ["right", "right"]),
    (f"$$out_{{o1}}(1 - out_{{o1}}) = {P['out_o1']}(1 - {P['out_o1']}) = {P['dout_dnet_o1']}$$", ["right", "right"]),
    ((f"$$\\frac{{\\partial E_{{total}}}}{{\\partial w_5}} = {P['dE_dout_o1']} \\cdot {P['dout_dnet_o1']} \\cdot "
     f"{P['out_h1']} = {P['dE_dw5']}$$"), ["right", "right"]),
    ((f"$$w_5^{{new}} = w_5 - \\eta \\cdot \\frac{{\\partial E_{{total}}}}{{\\partial w_5}} = 0.5 - 0.5 \\cdot {P['dE_dw5']} "
     f"= {r(0.5 - 0.5 * float(P['dE_dw5']))}$$"), ["skipped", "right", "right"]),
    # the classic slip: the w_5 product copied for w_6 (out_{h1} where out_{h2} belongs)
    ((f"$$\\frac{{\\partial E_{{total}}}}{{\\partial w_6}} = {P['dE_dout_o1']} \\cdot {P['dout_dnet_o1']} \\cdot "
     f"{P['out_h1']} = {P['dE_dw5']}$$"), ["wrong", "wrong"]),  # each member against ∂E/∂w_6
    # one digit too many changed: 3 units in the last printed place
    (f"$$out_{{o1}} = {r(V['out_o1'] + 3e-9)}$$", ["wrong"]),
    # fewer digits, correctly rounded, is right
    (f"$$out_{{o1}} = {r(V['out_o1'], 4)}$$", ["right"]),
    # the shared bias: its partial is the sum over the nodes that share it
    (f"$$\\frac{{\\partial E_{{total}}}}{{\\partial b_2}} = {r(V['dE_dout_o1'] * V['dout_dnet_o1'] + (V['out_o2'] - 0.95) * V['out_o2'] * (1 - V['out_o2']))}$$",
     ["right"]),
]
# the chain rule in the article's own names, judged by the checker
SYMBOLIC = [
    (("$$\\frac{\\partial E_{total}}{\\partial w_5} = \\frac{\\partial E_{total}}{\\partial out_{o1}} \\cdot "
     "\\frac{\\partial out_{o1}}{\\partial net_{o1}} \\cdot \\frac{\\partial net_{o1}}{\\partial w_5}$$"), ["right"]),
    ("$$\\frac{\\partial E_{total}}{\\partial out_{o1}} = -(target_{o1} - out_{o1})$$", ["right"]),
    ("$$\\frac{\\partial out_{o1}}{\\partial net_{o1}} = out_{o1}(1 - out_{o1})$$", ["right"]),
    ("$$\\frac{\\partial net_{o1}}{\\partial w_5} = out_{h2}$$", ["wrong"]),
    (("$$\\frac{\\partial E_{total}}{\\partial b_1} = \\frac{\\partial E_{total}}{\\partial net_{h1}} + "
     "\\frac{\\partial E_{total}}{\\partial net_{h2}}$$"), ["right"]),
]


def article():
    values = ", ".join(f"${name} = {value}$" for name, value in GIVEN.items())
    lines = ["# A worked example", ""] + [text for text, _ in DEFINITIONS] + ["", f"The numbers: {values}.", ""]
    expected = {k + 3: verdicts for k, (_, verdicts) in enumerate(DEFINITIONS)}
    for text, verdicts in NUMBERS + SYMBOLIC:
        expected[len(lines) + 1] = verdicts
        lines.append(text)
    return "\n".join(lines) + "\n", expected


def audit(text, tmp_path, capsys, *options):
    path = tmp_path / "post.md"
    path.write_text(text)
    status = main(["audit", str(path), *ARCH, *options, "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def by_line(items):
    result = {}
    for item in items:
        result.setdefault(item["line"], []).append(item)
    return result


def test_our_printed_numbers_are_what_we_think():
    """The rounded chain reused by the article stays within half a unit in the 9th place."""
    product = float(P["dE_dout_o1"]) * float(P["dout_dnet_o1"]) * float(P["out_h1"])
    assert abs(product - V["dE_dw5"]) < 1e-9
    assert abs(V["net_h2"] - 0.55) < 1e-12 and abs(V["dE_dw6"] - V["dE_dw5"]) > 1e-3


def test_definitions_bind_the_articles_flat_names(tmp_path, capsys):
    text, _ = article()
    _, report = audit(text, tmp_path, capsys)
    notation = report["notation"]
    assert notation["name"] == "flat"
    symbols = notation["symbols"]
    assert symbols["w_1"] == ["w_{11}^{(1 \\rightarrow 2)}"]
    assert symbols["w_2"] == ["w_{12}^{(1 \\rightarrow 2)}"]
    assert symbols["w_3"] == ["w_{21}^{(1 \\rightarrow 2)}"]
    assert symbols["w_6"] == ["w_{12}^{(2 \\rightarrow 3)}"]
    assert symbols["i_2"] == ["x_{2}"]
    assert symbols["out_{h2}"] == ["x_{2}^{(2)}"]
    assert symbols["net_{o1}"] == ["z_{1}^{(3)}"]
    assert symbols["target_{o2}"] == ["y_{2}"]
    assert symbols["b_1"] == ["b_{1}^{(2)}", "b_{2}^{(2)}"]  # one bias shared by the layer: equal
    assert symbols["E_{total}"] == ["L"]


def test_the_worked_numbers_are_checked_with_the_digits_they_print(tmp_path, capsys):
    text, expected = article()
    status, report = audit(text, tmp_path, capsys)
    found = by_line(report["items"])
    for line, verdicts in expected.items():
        assert [i["verdict"] for i in found.get(line, [])] == verdicts, (line, found.get(line))
    assert status == 1
    lines = text.splitlines()
    wrong_sum = found[lines.index(NUMBERS[1][0]) + 1][1]
    assert "0.55" in wrong_sum["diagnosis"]
    wrong_w6 = found[lines.index(NUMBERS[12][0]) + 1][0]
    assert f"{V['dE_dw6']:.9f}"[:8] in wrong_w6["diagnosis"]
    (slip,) = found[lines.index(SYMBOLIC[3][0]) + 1]
    assert slip["diagnosis"] == "out_{h2} should be out_{h1}"


@pytest.mark.parametrize("number, definition, why", [
    (5, "$$net_{o2} = w_7 out_{h1} + w_2 out_{h2} + b_2 \\cdot 1$$", "w_2 is already"),
    (0, "$$net_{h1} = w_1 i_1 + w_2 i_2 + w_9 i_3 + b_1$$", "2 nodes"),
])
def test_a_definition_that_contradicts_the_network_is_wrong_with_why(number, definition, why, tmp_path, capsys):
    text, _ = article()
    lines = text.splitlines()
    lines[number + 2] = definition  # in place of the article's own definition
    status, report = audit("\n".join(lines) + "\n", tmp_path, capsys)
    (item,) = by_line(report["items"])[number + 3]
    assert status == 1 and item["verdict"] == "wrong" and why in item["diagnosis"], item


def test_a_loss_with_a_half_under_the_sum_of_squares_network_is_named(tmp_path, capsys):
    text, _ = article()
    path = tmp_path / "post.md"
    path.write_text(text)
    main(["audit", str(path), "--arch", "2-2-2", "--bias", "--loss", "mse", "--format", "json"])
    items = by_line(json.loads(capsys.readouterr().out)["items"])
    (loss,) = items[len(DEFINITIONS) + 2]
    assert loss["verdict"] == "wrong" and "half-mse" in loss["diagnosis"]


def test_biases_in_the_article_but_not_in_the_network(tmp_path, capsys):
    text, _ = article()
    path = tmp_path / "post.md"
    path.write_text(text)
    main(["audit", str(path), "--arch", "2-2-2", "--loss", "half-mse", "--format", "json"])
    (first,) = by_line(json.loads(capsys.readouterr().out)["items"])[3]
    assert first["verdict"] == "wrong" and "--bias" in first["diagnosis"]


def test_an_activation_the_article_writes_out_is_checked(tmp_path, capsys):
    """σ(x) = 1/(1 + e^{-x}) is the sigmoid (proven); 1/(1 - e^{-x}) is not: at x = 0.37 the
    sigmoid is 0.5915 and the other 3.2335 (math.exp, by hand)."""
    assert abs(sigmoid(0.37) - 0.5914589784) < 1e-9 and abs(1 / (1 - math.exp(-0.37)) - 3.233465913) < 1e-8
    text = ("$$ \\sigma(x) = \\frac{1}{1 + e^{-x}} $$\n\n$$ \\sigma(x) = \\frac{1}{1 - e^{-x}} $$\n\n"
            "$$\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$$\n")
    status, report = audit(text, tmp_path, capsys)
    assert status == 1
    assert [(i["line"], i["verdict"]) for i in report["items"]] == [(1, "right"), (3, "wrong"), (5, "right")]
    assert "0.5914589784" in report["items"][1]["diagnosis"]


def test_a_product_whose_shapes_fit_no_reading_is_wrong(tmp_path, capsys):
    """In 2-3-2, w^3 (Nielsen's, into the output) is 2×3 and δ^3 is 2×1: w^3 δ^3 multiplies
    neither as matrices nor elementwise, so the untransposed error recursion is wrong; with the
    transpose it is right. (a^2)^2, a 3×1 vector squared, is no product: undecided; nor is a product
    with a derivative in it (articles lay derivatives out by rows or by columns)."""
    text = ("$$\\delta^2 = (w^{3} \\delta^{3}) \\odot \\sigma'(z^2)$$\n\n"
            "$$\\delta^2 = ((w^{3})^T \\delta^{3}) \\odot \\sigma'(z^2)$$\n\n"
            "$$\\delta^2 = (a^2)^2$$\n\n"
            "$$\\delta^2 = (w^{3} \\frac{\\partial C}{\\partial z^3}) \\odot \\sigma'(z^2)$$\n")
    path = tmp_path / "post.md"
    path.write_text(text)
    main(["audit", str(path), "--arch", "2-3-2", "--format", "json", "--notation", "nielsen"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["line"], i["verdict"]) for i in items] == [(1, "wrong"), (3, "right"), (5, "undecided"), (7, "undecided")]
    assert "cannot multiply a 2×3 matrix by a 2×1 one" in items[0]["diagnosis"]


def test_a_definition_written_with_equiv_is_checked_against_the_network(tmp_path, capsys):
    """δ^l_j ≡ ∂C/∂z^l_j is Nielsen's definition of the error (true of the network's δ);
    δ^l_j ≡ ∂C/∂a^l_j is not (it lacks σ'(z^l_j))."""
    text = ("$$\\delta^l_j \\equiv \\frac{\\partial C}{\\partial z^l_j}$$\n\n"
            "$$\\delta^l_j \\equiv \\frac{\\partial C}{\\partial a^l_j}$$\n")
    path = tmp_path / "post.md"
    path.write_text(text)
    main(["audit", str(path), "--arch", "2-3-2", "--format", "json", "--notation", "nielsen"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["line"], i["verdict"]) for i in items] == [(1, "right"), (3, "wrong")]
    assert all("\\equiv" in i["latex"] for i in items)


@pytest.mark.parametrize("weight, expected", [("w_{ij}^l a_i^{l-1}", "general"), ("w_{ji}^l a_i^{l-1}", "nielsen")])
def test_auto_takes_the_weight_order_under_which_the_articles_definitions_hold(weight, expected, tmp_path, capsys):
    """Both presets bind a_j^l, w_{ij}^l, δ_j^l alike; the article's forward definition says
    whether w_{ij}^l leaves node i (source first) or enters it (Nielsen), and the δ recursion
    written in that order is right, in the other wrong."""
    right, wrong = ("w_{jk}^{l+1}", "w_{kj}^{l+1}") if expected == "general" else ("w_{kj}^{l+1}", "w_{jk}^{l+1}")
    text = (f"$$z_j^l = \\sum_i {weight}$$\n\n$$a_j^l = \\sigma(z_j^l)$$\n\n"
            f"$$\\delta_j^l = \\sum_k \\delta_k^{{l+1}} {right} \\sigma'(z_j^l)$$\n\n"
            f"$$\\delta_j^l = \\sum_k \\delta_k^{{l+1}} {wrong} \\sigma'(z_j^l)$$\n")
    path = tmp_path / "post.md"
    path.write_text(text)
    main(["audit", str(path), "--arch", "2-2-2-2", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["notation"]["name"] == expected
    assert [(i["line"], i["verdict"]) for i in report["items"]] == [(1, "right"), (3, "right"), (5, "right"),
                                                                    (7, "wrong")]


BIAS_UNIT = ("$$z_j^{(2)} = \\sum_{i=0}^{3} w_{ji}^{(1 \\rightarrow 2)} x_i$$\n\n"
             "$$\\frac{\\partial MSE}{\\partial w_{10}^{(1 \\rightarrow 2)}} = \\delta_1^{(2)}$$\n\n"
             "$$\\frac{\\partial MSE}{\\partial w_{10}^{(1 \\rightarrow 2)}} = \\delta_1^{(2)} x_1$$\n")


@pytest.mark.parametrize("stated", [True, False])
def test_an_article_that_states_x0_is_1_absorbs_the_bias_in_the_weights(stated, tmp_path, capsys):
    """Bishop's convention (PRML §5.1): x_0 = 1, so w_{j0} is the bias of node j and a sum from
    i = 0 includes it. Stated, the forward sum and ∂/∂w_{10} = δ_1 are proven and ∂/∂w_{10} = δ_1 x_1
    (the gradient of w_{11}) is wrong; not stated, node 0 does not exist and the sum is wrong."""
    path = tmp_path / "post.md"
    path.write_text(("A constant input node, $x_0 = 1$, carries the bias.\n\n" if stated else "\n\n") + BIAS_UNIT)
    main(["audit", str(path), "--arch", "3-2-2", "--bias", "--format", "json"])
    items = json.loads(capsys.readouterr().out)["items"]
    if stated:
        assert [(i["line"], i["verdict"]) for i in items] == [(3, "right"), (5, "right"), (7, "wrong")]
    else:
        assert items[0]["verdict"] == "wrong" and "say so in the article" in items[0]["diagnosis"]


def test_a_name_given_to_an_activation_reads_its_derivative_identity(tmp_path, capsys):
    """--symbols 'h=\\tanh': h'(a) = 1 - h(a)^2 is tanh's derivative (proven), 1 + h(a)^2 is not."""
    path = tmp_path / "post.md"
    path.write_text("$$\nh'(a) = 1 - h(a)^2\n$$\n\n$$\nh'(a) = 1 + h(a)^2\n$$\n")
    main(["audit", str(path), "--arch", "2-3-2", "--activation", "tanh,identity", "--bias", "--symbols", "h=\\tanh",
          "--format", "json"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["line"], i["verdict"]) for i in items] == [(2, "right"), (6, "wrong")]
    assert "this is not h' (tanh)" in items[1]["diagnosis"]


def test_the_json_notation_lists_the_given_symbols_and_only_what_nothing_binds(tmp_path, capsys):
    """--symbols names are reported with their meaning as given, never as unbound; a name that
    neither they nor the notation bind is listed as unbound."""
    path = tmp_path / "post.md"
    path.write_text("$$\n\\frac{\\partial l}{\\partial o} = o - y\n$$\n\n$$\nq = o\n$$\n")
    main(["audit", str(path), "--arch", "2-2-1", "--loss", "half-mse", "--notation", "rows",
          "--symbols", "o=(x^{(3)})^T, y=y^T, l=L", "--format", "json"])
    notation = json.loads(capsys.readouterr().out)["notation"]
    assert notation["name"] == "rows"
    assert notation["symbols"]["o"] == ["(x^{(3)})^T"] and notation["unbound"] == ["q"]


def test_an_activation_written_in_exponentials_is_proven_as_such(tmp_path, capsys):
    """tanh(a) = (e^a - e^{-a})/(e^a + e^{-a}) is tanh (proven with the exponentials as free
    variables); with a minus below it is 1, not tanh."""
    path = tmp_path / "post.md"
    path.write_text("$$\n\\tanh(a) = \\frac{e^{a} - e^{-a}}{e^{a} + e^{-a}}\n$$\n\n"
                    "$$\n\\tanh(a) = \\frac{e^{a} - e^{-a}}{e^{a} - e^{-a}}\n$$\n")
    main(["audit", str(path), "--arch", "2-3-2", "--activation", "tanh,identity", "--bias", "--format", "json"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["line"], i["verdict"]) for i in items] == [(2, "right"), (6, "wrong")]


GOODFELLOW_LOOP = r"""$$
\boldsymbol{a}^{(k)} = \boldsymbol{b}^{(k)} + \boldsymbol{W}^{(k)} \boldsymbol{h}^{(k-1)}
$$

$$
\boldsymbol{g} \leftarrow \nabla_{\hat{\boldsymbol{y}}} J = 2 (\hat{\boldsymbol{y}} - \boldsymbol{y})
$$

For $k = l, \dots, 1$:

$$
\boldsymbol{g} \leftarrow \nabla_{\boldsymbol{a}^{(k)}} J = \boldsymbol{g} \odot f'(\boldsymbol{a}^{(k)})
$$

$$
\nabla_{\boldsymbol{b}^{(k)}} J = \boldsymbol{g}
$$

$$
\nabla_{\boldsymbol{W}^{(k)}} J = \boldsymbol{h}^{(k-1)} \boldsymbol{g}^\top
$$
"""


def test_an_algorithms_loop_variable_is_not_guessed_and_its_uses_read_its_latest_value(tmp_path, capsys):
    """Goodfellow et al.'s Algorithm 6.4 (mse, 3-2-2): g ← ∇_ŷ J = 2(ŷ - y) is proven; inside the
    loop over k, g carries the previous iteration's value, so that step is skipped (it was called
    wrong with g = ∇_ŷ J); after it, g is ∇_{a^(k)} J: ∇_b J = g is right and ∇_W J = h g^T (the
    transpose of g h^T) is wrong."""
    path = tmp_path / "algorithm.md"
    path.write_text(GOODFELLOW_LOOP)
    main(["audit", str(path), "--arch", "3-2-2", "--bias", "--format", "json"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["line"], i["verdict"]) for i in items] == [(2, "right"), (6, "right"), (12, "skipped"),
                                                          (16, "right"), (20, "wrong")]
    assert "carries the value of the loop's previous step" in items[2]["diagnosis"]


ROWS_MEAN = r"""$$
\frac{\partial L}{\partial W_o} = \frac{2}{m} h^T \left((o - y) \odot o \odot (1 - o)\right)
$$

$$
\frac{\partial L}{\partial W_o} = 2 h^T \left((o - y) \odot o \odot (1 - o)\right)
$$
"""


def test_a_row_article_that_averages_over_m_examples_is_judged_over_batches_with_the_mean(tmp_path, capsys):
    """Rows of examples and L the mean of their squared errors (the article writes 2/m): the
    gradient with 2/m is proven over batches, the one without it is m times too large. A stray m
    (m = 2 hidden units) or a ones vector that sums nothing (1 - o) makes no batch: ∂L/∂b_o = δ_o
    stays right for one example."""
    path = tmp_path / "mean.md"
    path.write_text(ROWS_MEAN)
    main(["audit", str(path), "--arch", "3-2-2", "--notation", "rows", "--format", "json"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["line"], i["verdict"]) for i in items] == [(2, "right"), (6, "wrong")]
    assert "the 1/m is missing" in items[1]["diagnosis"]
    path.write_text("The hidden layer has $m = 2$ units.\n\n$$\n\\frac{\\partial L}{\\partial b_o} = \\delta_o\n$$\n\n"
                    "$$\n\\delta_o = 2 (o - y) \\odot o \\odot (\\mathbf{1} - o)\n$$\n")
    main(["audit", str(path), "--arch", "3-2-2", "--bias", "--notation", "rows", "--format", "json"])
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["line"], i["verdict"]) for i in items] == [(4, "right"), (8, "right")]
