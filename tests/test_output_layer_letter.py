"""A page that writes its loss with a_l beside the label uses l for the output layer from there on.

Course pages in the index style (a_l^i the node i of layer l, w_{l-1}^{ij} from node j of layer
l-1 to node i of layer l, N the activation, C the cost, \\frac{\\delta C}{\\delta w} for ∂) often
start with the forward pass for a general layer l and then define the cost as
C = Σ_i (a_l^i - y^i)^2: from that definition on, l can only be the output layer L. The audit
learns this: before the definition l stays general, after it (the definition included) l is L,
and the JSON notation block lists it among the learned symbols.

The article below is ours. Every expected verdict is established here with NumPy, independently
of the tool: both sides of each formula are computed on a 2-3-2 network with biases, tanh and
the squared error Σ (a - y)^2 (no ½), derivatives by central differences.
"""
import json

import numpy as np
import pytest

from derive.architecture import Architecture
from derive.cli import main
from derive.errors import DeriveError
from derive.notation import NOTATIONS
from derive.reader.bind import LOSS, read
from derive.reader.syntax import Partial, Quantity
from tests.finite_differences import gradient

ARCH = ["--arch", "2-3-2", "--activation", "tanh", "--loss", "mse", "--bias"]
WIDTHS = (2, 3, 2)


def random_point(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"x": rng.normal(size=2), "y": rng.normal(size=2), "W1": rng.normal(size=(3, 2)),
            "b2": rng.normal(size=3), "W2": rng.normal(size=(2, 3)), "b3": rng.normal(size=2)}


def last_layer(p: dict, a2=None):
    """(z_L, a_L) from the hidden layer a2 (computed from x unless given)."""
    if a2 is None:
        a2 = np.tanh(p["W1"] @ p["x"] + p["b2"])
    z3 = p["W2"] @ a2 + p["b3"]
    return z3, np.tanh(z3)


def cost(p: dict, a3=None) -> float:
    return float(np.sum(((last_layer(p)[1] if a3 is None else a3) - p["y"]) ** 2))


def hidden(p: dict):
    return np.tanh(p["W1"] @ p["x"] + p["b2"])


def n_prime(z):
    return 1 - np.tanh(z) ** 2


# Each formula: (LaTeX, expected verdict, both sides by NumPy at a point: arrays over every index).
def forward_next_layer(p):
    """a_{l+1}^i = N(b_{l+1}^i + Σ_j w_l^{ij} a_l^j) for l = 1 and l = 2 (a general layer)."""
    a2 = hidden(p)
    a3 = last_layer(p)[1]
    return np.concatenate([a2, a3]), np.concatenate([np.tanh(p["b2"] + p["W1"] @ p["x"]),
                                                     np.tanh(p["b3"] + p["W2"] @ a2)])


def loss_definition(p):
    return np.array([cost(p)]), np.array([np.sum((last_layer(p)[1] - p["y"]) ** 2)])


def by_output(p):
    a3 = last_layer(p)[1]
    found = gradient(lambda q: cost(p, q["a3"]), {"a3": a3})["a3"]
    return found, 2 * (a3 - p["y"])


def by_weight(p, slip=False):
    z3, a3 = last_layer(p)
    a2 = hidden(p)
    found = gradient(lambda q: cost({**p, "W2": q["W2"]}), {"W2": p["W2"]})["W2"]
    source = np.array([[a2[i] for _ in range(3)] for i in range(2)]) if slip else np.tile(a2, (2, 1))
    return found, (2 * (a3 - p["y"]) * n_prime(z3))[:, None] * source


def by_bias(p, factor=2):
    z3, a3 = last_layer(p)
    found = gradient(lambda q: cost({**p, "b3": q["b3"]}), {"b3": p["b3"]})["b3"]
    return found, factor * (a3 - p["y"]) * n_prime(z3)


def by_hidden_node(p):
    z3, a3 = last_layer(p)
    found = gradient(lambda q: cost(p, last_layer(p, q["a2"])[1]), {"a2": hidden(p)})["a2"]
    return found, (2 * (a3 - p["y"]) * n_prime(z3)) @ p["W2"]


FORMULAS = {
    "forward": (r"a_{l+1}^i = N(b_{l+1}^i + \sum_{j=1}^{n} w_l^{ij} a_l^j)", "right", forward_next_layer),
    "loss": (r"C = \sum_{i=1}^{n} (a_l^i - y^i)^2", "right", loss_definition),
    "output": (r"\frac{\delta C}{\delta a_l^i} = 2(a_l^i - y^i)", "right", by_output),
    "weight": (r"\frac{\delta C}{\delta w_{l-1}^{ij}} = 2(a_l^i - y^i) N'(z_l^i) a_{l-1}^j", "right", by_weight),
    "weight slip": (r"\frac{\delta C}{\delta w_{l-1}^{ij}} = 2(a_l^i - y^i) N'(z_l^i) a_{l-1}^i", "wrong",
                    lambda p: by_weight(p, slip=True)),
    "bias": (r"\frac{\delta C}{\delta b_l^i} = 2(a_l^i - y^i) N'(z_l^i)", "right", by_bias),
    "bias without 2": (r"\frac{\delta C}{\delta b_l^i} = (a_l^i - y^i) N'(z_l^i)", "wrong",
                       lambda p: by_bias(p, factor=1)),
    "hidden": (r"\frac{\delta C}{\delta a_{l-1}^j} = \sum_{i=1}^{n} 2(a_l^i - y^i) N'(z_l^i) w_{l-1}^{ij}", "right",
               by_hidden_node),
}

PROSE = {
    "forward": "Every neuron of the next layer adds its bias to the weighted inputs and applies N:",
    "loss": "We measure how far the last activations are from the labels y^i:",
    "output": "Now only the last layer matters. The cost changes with each output like",
    "weight": "and with a weight into the last layer like",
    "weight slip": "or, as a hurried note would put it,",
    "bias": "The bias of an output neuron:",
    "bias without 2": "dropping the constant, as some notes do:",
    "hidden": "Every output depends on every neuron one layer down, so we sum:",
}


def article() -> tuple[str, dict]:
    """The page, and the line of each formula."""
    lines = ["# Learning, one layer at a time", ""]
    at = {}
    for name, (latex, _, _) in FORMULAS.items():
        lines += [PROSE[name], ""]
        at[name] = len(lines) + 1
        lines += [f"$${latex}$$", ""]
    return "\n".join(lines), at


@pytest.mark.parametrize("name", list(FORMULAS))
def test_the_expected_verdicts_hold_numerically(name):
    """Our own check of every expected verdict: right formulas agree everywhere, wrong ones do not."""
    _, expected, sides = FORMULAS[name]
    for seed in (1, 2):
        left, right = sides(random_point(seed))
        agrees = np.allclose(left, right, rtol=1e-7, atol=1e-8)
        assert agrees == (expected == "right"), (name, left, right)


def audit(text: str, tmp_path, capsys, *extra) -> tuple[int, dict]:
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    status = main(["audit", str(path), *ARCH, *extra, "--format", "json", "--quiet"])
    return status, json.loads(capsys.readouterr().out)


def verdicts_by_line(report: dict) -> dict:
    found: dict = {}
    for item in report["items"]:
        found.setdefault(item["line"], []).append(item["verdict"])
    return found


def test_l_is_general_before_the_loss_definition_and_the_output_layer_after_it(tmp_path, capsys):
    text, at = article()
    status, report = audit(text, tmp_path, capsys)
    found = verdicts_by_line(report)
    assert {name: found.get(line) for name, line in at.items()} == {
        name: [expected] for name, (_, expected, _) in FORMULAS.items()}
    assert status == 1


def test_the_learned_letter_is_reported_in_the_notation_block(tmp_path, capsys):
    text, at = article()
    _, report = audit(text, tmp_path, capsys)
    assert report["notation"]["name"] == "index"
    assert report["notation"]["symbols"] == {"l": [f"L (the output layer, from line {at['loss']})"]}


def test_a_mistake_after_the_definition_is_found_at_the_output_layer(tmp_path, capsys):
    text, at = article()
    _, report = audit(text, tmp_path, capsys)
    [slip] = [i for i in report["items"] if i["line"] == at["weight slip"]]
    assert slip["verdict"] == "wrong" and "should be j" in slip["diagnosis"]


def test_without_the_loss_definition_l_stays_a_general_layer(tmp_path, capsys):
    """∂C/∂a_l^i = 2(a_l^i - y^i) holds only at the output layer: read for every layer l, it is
    wrong at the hidden one (∂C/∂a_2 sums over the outputs; checked in by_hidden_node)."""
    text, at = article()
    lines = text.splitlines()
    lines[at["loss"] - 1] = ""  # the definition removed, nothing else moves
    _, report = audit("\n".join(lines), tmp_path, capsys)
    assert report["notation"]["symbols"] == {}
    assert verdicts_by_line(report)[at["output"]] == ["wrong"]


def test_a_formula_past_the_output_layer_after_the_definition_is_read_for_a_general_layer(tmp_path, capsys):
    """a_{l+1} cannot be at the output layer: the forward pass restated after the definition holds
    for every layer l (forward_next_layer), and is right; the same formula with a slip is not
    proven for a general layer, so it stays what it is at the output layer: a layer that does not
    exist."""
    text, at = article()
    restated = r"a_{l+1}^i = N(b_{l+1}^i + \sum_{k=1}^{n} w_l^{ik} a_l^k)"  # not the same text: judged anew
    slipped = restated.replace("a_l^k", "a_{l+1}^k")
    text += f"\n$${restated}$$ restated.\n\n$${slipped}$$\n"
    _, report = audit(text, tmp_path, capsys)
    found = {i["latex"].replace(" ", ""): i for i in report["items"] if i["line"] > at["hidden"]}
    assert found[restated.replace(" ", "")]["verdict"] == "right"
    assert [i["verdict"] for i in report["items"] if i["line"] < at["loss"]] == ["right"]
    late = found[slipped.replace(" ", "")]
    assert late["verdict"] == "skipped" and "does not exist" in late["diagnosis"]


def test_a_loss_written_at_layer_L_teaches_nothing(tmp_path, capsys):
    text, at = article()
    text = text.replace(FORMULAS["loss"][0], r"C = \sum_{i=1}^{n} (a_L^i - y^i)^2")
    _, report = audit(text, tmp_path, capsys)
    assert report["notation"]["symbols"] == {}
    assert verdicts_by_line(report)[at["loss"]] == ["right"]


def test_a_bias_of_a_general_layer_in_a_network_without_biases_is_not_checkable(tmp_path, capsys):
    path = tmp_path / "page.md"
    path.write_text(f"$${FORMULAS['forward'][0]}$$\n", encoding="utf-8")
    main(["audit", str(path), "--arch", "2-3-2", "--activation", "tanh", "--notation", "index", "--format", "json",
          "--quiet"])
    [item] = json.loads(capsys.readouterr().out)["items"]
    assert item["verdict"] == "skipped" and "has no biases (use --bias)" in item["diagnosis"]


def test_a_bias_of_a_letter_layer_binds_only_in_a_network_with_biases():
    latex = r"\frac{\delta C}{\delta b_l}"
    biased = Architecture.parse("3-2-2", bias=True)
    assert read(latex, NOTATIONS["index"], biased) == [Partial(LOSS, Quantity("bias", "l"))]
    with pytest.raises(DeriveError, match=r"b_l: 3-2-2 has no biases \(use --bias\)"):
        read(latex, NOTATIONS["index"], Architecture.parse("3-2-2"))
