"""The blind formula corpus (tests/data/formula_corpus, README there): every formula's verdict as
established by hand and by numbers, and the kind of mistake for the wrong ones.

Each formula is judged in its own notation, as a batch formula when its ``why`` states a batch
(``derive.check(..., batch=True)``, as an article's text around a formula would); its verdict
must be the expected one, and at least 90% of the wrong ones must be diagnosed with the expected kind (or pair of kinds). The items in
``GAPS`` are what the judge cannot do yet, each with the reason: they are strict xfails, so a gap
that closes fails here until it is taken off the list.
"""
import json
from functools import cache
from pathlib import Path

import pytest

import derive

CORPUS = json.loads((Path(__file__).parent / "data" / "formula_corpus" / "formulas.json").read_text())
KIND_SHARE = 0.9

GAPS: dict = {}
KIND_GAPS: dict = {}  # the verdict is right, the kind is not


def stated_batch(item) -> bool:
    """The item's quantities are batches of examples: its ``why`` states the batch (the corpus README:
    items without a batch statement are single-example formulas)."""
    return "batch of" in item["why"]


@cache
def judged(item_id: str):
    item = next(i for i in CORPUS if i["id"] == item_id)
    try:
        result = derive.check(item["latex"], item["arch"], notation=item["notation"], activation=item["activation"],
                              loss=item["loss"], bias=item["bias"], batch=stated_batch(item))
    except derive.DeriveError as error:
        return "unreadable", (), str(error)
    kind = result.kind
    kinds = tuple(sorted(kind)) if isinstance(kind, tuple) else (kind,) if kind else ()
    return result.verdict, kinds, result.diagnosis or result.links[0].how


def _marks(item):
    reason = GAPS.get(item["id"])
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize("item", [pytest.param(i, id=i["id"], marks=_marks(i)) for i in CORPUS])
def test_every_verdict_is_the_established_one(item):
    verdict, _kinds, why = judged(item["id"])
    assert verdict == item["verdict"], why


def test_most_wrong_formulas_get_the_expected_kind():
    wrong = [i for i in CORPUS if i["verdict"] == "wrong" and i["id"] not in GAPS]
    missed = []
    for item in wrong:
        _verdict, kinds, why = judged(item["id"])
        if kinds != tuple(sorted(item["kinds"])):
            missed.append((item["id"], item["kinds"], kinds, why))
    assert len(wrong) - len(missed) >= KIND_SHARE * len(wrong), missed
    assert {m[0] for m in missed} <= set(KIND_GAPS), missed


def test_the_corpus_is_the_one_the_issue_asks_for():
    assert len(CORPUS) >= 60
    assert {i["notation"] for i in CORPUS} >= {"arrows", "layer", "nielsen", "ng", "rows"}
    assert not set(GAPS) - {i["id"] for i in CORPUS}
