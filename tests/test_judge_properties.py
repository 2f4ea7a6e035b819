"""Property: a random single mutation of a right formula never gets a false "wrong". Whenever
the judge says wrong, the test's own numbers (the corpus's NumPy network, finite differences,
every index value on three depths) must show the mutated formula wrong too. Few examples by
default; HYPOTHESIS_PROFILE=long runs 300."""
from dataclasses import replace
from functools import cache

from hypothesis import given
from hypothesis import strategies as st

import derive
from derive.notation import NOTATIONS
from tests.test_judge_backprop import BP, PRESETS, judge, latex, mutations, numerically_right

MUTATED = [(formula, right) for formula in BP for right, _ in mutations(formula) if right]


@cache
def _numerically_right(formula) -> bool:
    return numerically_right(formula)


@given(preset=st.sampled_from(PRESETS), case=st.sampled_from(MUTATED))
def test_a_mutation_is_wrong_only_when_the_numbers_say_so(preset, case):
    formula, right = case
    mutated = replace(formula, right=right)
    text = latex(NOTATIONS[preset], mutated)
    try:
        result = judge(preset, text)
    except derive.DeriveError:
        return  # unreadable (a layer that exists nowhere): no verdict at all
    if result.verdict == "wrong":
        assert not _numerically_right(mutated), (text, result.diagnosis)
    elif result.verdict == "right":
        assert _numerically_right(mutated), text
