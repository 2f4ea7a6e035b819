"""The four backprop equations BP1–BP4, written in every preset notation by the notation's own
templates, are proven for a general layer (on three depths); every single-symbol mutation of
them is flagged wrong with a fitting kind. Whether a mutation is wrong is established here by
numbers: the corpus's NumPy network (tests/data/formula_corpus/network.py, which imports
nothing from derive) evaluates both sides by finite differences for every index value on every
depth."""
import itertools
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

import derive
from derive.notation import NOTATIONS

sys.path.insert(0, str(Path(__file__).parent / "data" / "formula_corpus"))
import network

PRESETS = ("arrows", "layer", "nielsen", "ng", "rows")
ARCH = {"arch": "2-3-2", "activation": "sigmoid", "loss": "half-mse", "bias": True}
DEPTHS = ("2-3-2", "2-3-3-2", "2-3-3-3-2")  # the network and two deeper ones, as the judge checks


@dataclass(frozen=True)
class Q:
    """A quantity in the reference meaning: layer from 1; a weight's layer is its source."""

    form: str  # node, node_prime, preactivation, delta, bias, weight, d_node, d_bias, d_weight
    layer: str
    i: str
    j: str | None = None


@dataclass(frozen=True)
class Formula:
    name: str
    left: Q
    right: tuple  # factors, multiplied; a tuple ("sum", letter, factors) sums over letter


BP = [
    Formula("BP1", Q("delta", "L", "j"), (Q("d_node", "L", "j"), Q("node_prime", "L", "j"))),
    Formula("BP2", Q("delta", "l", "j"), (Q("node_prime", "l", "j"),
                                          ("sum", "k", (Q("weight", "l", "k", "j"), Q("delta", "l+1", "k"))))),
    Formula("BP3", Q("d_bias", "l", "j"), (Q("delta", "l", "j"),)),
    Formula("BP4", Q("d_weight", "l", "j", "k"), (Q("node", "l", "k"), Q("delta", "l+1", "j"))),
]


# --- writing a formula in a notation -------------------------------------------------------

def write(n, q: Q) -> str:
    loss = r"\mathcal{L}" if n.name == "ng" else n.loss_names[0]  # Ng's J is the cost of a batch
    if q.form.startswith("d_"):
        inner = replace(q, form=q.form[2:])
        return rf"\frac{{\partial {loss}}}{{\partial {write(n, inner)}}}"
    if q.form == "weight":
        text = n.write("weight", q.layer, q.i, q.j)
    else:
        text = n.write(q.form, q.layer, q.i)
    return text


def latex(n, formula: Formula) -> str:
    def factors(items):
        out = []
        for item in items:
            if isinstance(item, tuple):
                out.append(rf"\sum_{{{item[1]}}} " + " ".join(factors(item[2])))
            else:
                out.append(write(n, item))
        return out
    return f"{write(n, formula.left)} = " + " ".join(factors(formula.right))


# --- numbers, independent of derive ------------------------------------------------------------

def value(net, q: Q, env: dict) -> float:
    layer = _eval(q.layer, env, net.L)
    i = _eval(q.i, env, net.L)
    loss = ("loss",)
    if q.form == "node":
        return net.node("a", layer, i)
    if q.form == "node_prime":
        return net.node("sp", layer, i)
    if q.form == "preactivation":
        return net.node("z", layer, i)
    if q.form == "delta":
        _exists(net, layer, i, first=2)
        return net.D(loss, ("z", layer))[i - 1]
    if q.form == "d_node":
        _exists(net, layer, i, first=1)
        return net.D(loss, ("a", layer))[i - 1]
    if q.form == "d_bias":
        _exists(net, layer, i, first=2)
        return net.D(loss, ("b", layer))[i - 1]
    j = _eval(q.j, env, net.L)
    if q.form == "weight":
        return net.w(layer, i, j)
    if q.form == "d_weight":
        net.w(layer, i, j)
        return net.D(loss, ("W", layer))[i - 1, j - 1]
    raise ValueError(q.form)


def _exists(net, layer, i, first):
    if not first <= layer <= net.L or not 1 <= i <= net.n[layer]:
        raise network.OutOfRange(f"{layer}, {i}")


def _eval(text: str, env: dict, depth: int) -> int:
    """l, l+1, l-1, L, L-1, 2 under env."""
    head, sign, offset = text[0], text[1:2], text[2:]
    base = depth if head == "L" else env[head] if head.isalpha() else int(text)
    if not head.isalpha():
        return base
    return base + (int(offset) if sign == "+" else -int(offset) if sign == "-" else 0)


def product(net, items, env) -> float:
    result = 1.0
    for item in items:
        if isinstance(item, tuple):
            _, letter, inner = item
            width = _sum_width(net, inner, letter, env)
            result *= sum(product(net, inner, {**env, letter: v}) for v in range(1, width + 1))
        else:
            result *= value(net, item, env)
    return result


def _sum_width(net, items, letter, env) -> int:
    for q in items:
        layer = _eval(q.layer, {**env, letter: 1}, net.L)
        if q.i == letter:
            return net.n[layer + 1] if q.form == "weight" else net.n[layer]
        if q.j == letter:
            return net.n[layer]
    raise ValueError(letter)


def numerically_right(formula: Formula) -> bool:
    """Both sides agree for every free index value on every depth, at two random points; a
    quantity that does not exist (out of range) makes it wrong."""
    for arch in DEPTHS:
        for seed in (1, 2):
            net = network.Net(arch, ARCH["activation"], ARCH["loss"], ARCH["bias"], seed)
            for env in _assignments(net, formula):
                try:
                    left = value(net, formula.left, env)
                    right = product(net, formula.right, env)
                except (network.OutOfRange, IndexError, KeyError):
                    return False
                if abs(left - right) > 1e-5 * max(1.0, abs(left)):
                    return False
    return True


def _assignments(net, formula):
    """Every l with the left side's quantity existing and every node index in its layer range."""
    q = formula.left
    layers = range(1, net.L + 1) if "l" in q.layer else [net.L]
    for l in layers:
        env = {"l": l}
        try:
            layer = _eval(q.layer, env, net.L)
        except KeyError:
            continue
        if q.form in ("delta", "d_bias") and not 2 <= layer <= net.L:
            continue
        if q.form == "d_weight" and not 1 <= layer < net.L:
            continue
        if "l+1" in str(formula.right) and layer >= net.L and q.form != "d_weight":
            continue  # BP2 holds for the hidden layers
        rows = net.n[layer + 1] if q.form == "d_weight" else net.n[layer]
        cols = net.n[layer] if q.form == "d_weight" else 1
        for i, j in itertools.product(range(1, rows + 1), range(1, cols + 1)):
            yield {**env, q.i: i, **({q.j: j} if q.j else {})}


# --- the tests ------------------------------------------------------------------------------------

def judge(n_name: str, text: str):
    return derive.check(text, ARCH["arch"], notation=n_name, activation=ARCH["activation"], loss=ARCH["loss"],
                        bias=ARCH["bias"])


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("formula", BP, ids=lambda f: f.name)
def test_the_four_equations_are_proven_in_every_notation(preset, formula):
    assert numerically_right(formula)  # the independent numbers agree first
    text = latex(NOTATIONS[preset], formula)
    result = judge(preset, text)
    assert result.verdict == "right", (text, result.links)
    if formula.name != "BP1":
        assert "2-3-2, 2-3-3-2, 2-3-3-3-2" in result.links[0].how, result.links[0].how


def mutations(formula: Formula):
    """Every single-symbol change of the right side: one quantity moved a layer, one index letter
    replaced by another in scope, a weight's indices swapped, the σ' factor dropped; each with the
    kind of mistake it is."""
    def each(items, path=()):
        for k, item in enumerate(items):
            if isinstance(item, tuple):
                yield from each(item[2], (*path, k))
            else:
                yield (*path, k), item

    def replaced(items, path, new):
        items = list(items)
        if len(path) == 1:
            if new is None:
                del items[path[0]]
            else:
                items[path[0]] = new
            return tuple(items)
        head = items[path[0]]
        items[path[0]] = (head[0], head[1], replaced(head[2], path[1:], new))
        return tuple(items)

    letters = ("j", "k")
    for path, q in each(formula.right):
        for step in (1, -1):
            yield replaced(formula.right, path, replace(q, layer=_moved(q.layer, step))), "wrong-layer"
        for old in {q.i, q.j} - {None}:
            for new in letters:
                if new != old:
                    moved = replace(q, i=new if q.i == old else q.i, j=new if q.j == old else q.j)
                    yield replaced(formula.right, path, moved), "index"
        if q.form == "weight":
            yield replaced(formula.right, path, replace(q, i=q.j, j=q.i)), "index"
        if q.form == "node_prime":
            yield replaced(formula.right, path, None), "missing-activation-derivative"


def _moved(layer: str, step: int) -> str:
    """l -> l+1 or l-1, l+1 -> l+2 or l, L -> L-1 (L+1 names nothing)."""
    letter, _, offset = layer.partition("+")
    total = int(offset or 0) + step
    return letter if total == 0 else f"{letter}{total:+d}"


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("formula", BP, ids=lambda f: f.name)
def test_every_single_symbol_mutation_is_flagged_wrong_with_a_fitting_kind(preset, formula):
    n = NOTATIONS[preset]
    seen = 0
    for right, kind in mutations(formula):
        mutated = replace(formula, right=right)
        if not right or numerically_right(mutated):
            continue  # the change happens to keep it right (or leaves nothing): not a mistake
        text = latex(n, mutated)
        try:
            result = judge(preset, text)
        except derive.DeriveError as error:  # a layer that does not exist anywhere names nothing
            assert "does not exist" in str(error) or "no layer" in str(error), (text, error)
            continue
        seen += 1
        assert result.verdict == "wrong", (text, result.links)
        kinds = result.kind if isinstance(result.kind, tuple) else (result.kind,)
        assert kind in kinds, (text, result.kind, result.diagnosis)
    assert seen >= 3


def test_the_independent_numbers_tell_a_mutation_from_the_equation():
    """The test's own evaluator is not vacuous: BP4 with its indices swapped is wrong by numbers."""
    bp4 = BP[3]
    assert numerically_right(bp4)
    assert not numerically_right(replace(bp4, right=(Q("node", "l", "j"), Q("delta", "l+1", "k"))))
    assert np.isfinite(network.Net("2-3-2", "sigmoid", "half-mse", True, 1).loss())
