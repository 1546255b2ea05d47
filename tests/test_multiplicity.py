"""Multiplicity adjustment (evaluation.stats.multiplicity) against statsmodels 0.14
``multipletests``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from evaluation.stats.multiplicity import adjust_pvalues, adjust_within, family_ids, resolve_method


@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_each_family_equals_statsmodels(ours, theirs):
    rng = np.random.default_rng(21)
    p = rng.uniform(0, 0.2, 400) ** 2
    p[::7] = p[3]  # ties
    family = rng.integers(0, 37, 400)
    adjusted = adjust_within(p, family, method=ours)
    for f in np.unique(family):
        members = family == f
        expected = multipletests(p[members], method=theirs)[1]
        np.testing.assert_allclose(adjusted[members], expected, atol=1e-15)


@settings(max_examples=40)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=25), st.sampled_from(["holm", "bh"]))
def test_a_single_family_equals_statsmodels(p, method):
    expected = multipletests(p, method={"holm": "holm", "bh": "fdr_bh"}[method])[1]
    np.testing.assert_allclose(adjust_pvalues(p, method=method), expected, atol=1e-12)


def test_missing_p_values_stay_missing_and_do_not_count_as_tests():
    adjusted = adjust_within([0.01, np.nan, 0.02], ["a", "a", "a"])
    np.testing.assert_allclose(adjusted, [0.02, np.nan, 0.02])


def test_no_adjustment_returns_p_unchanged():
    np.testing.assert_array_equal(adjust_within([0.2, 0.01], [0, 0], method=None), [0.2, 0.01])
    assert resolve_method("Benjamini-Hochberg") == "bh"
    with pytest.raises(ValueError):
        resolve_method("bonferroni-ish")


def test_constructs_are_a_family_of_their_own_within_each_group():
    results = pd.DataFrame(
        {
            "hub": ["A", "A", "A", "A", "B", "B"],
            "item": ["conf_1", "conf_2", "confidence", "practice", "conf_1", "confidence"],
        }
    )
    ids = family_ids(results, ["hub"], {"confidence", "practice"})
    assert ids[0] == ids[1]
    assert ids[2] == ids[3] != ids[0]
    assert len({ids[0], ids[2], ids[4], ids[5]}) == 4


def test_missing_group_keys_form_their_own_family():
    results = pd.DataFrame({"hub": ["A", None, None], "item": ["conf_1", "conf_1", "conf_2"]})
    ids = family_ids(results, ["hub"], ())
    assert ids[1] == ids[2] != ids[0]
