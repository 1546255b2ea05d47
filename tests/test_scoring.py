"""Reverse-coding, construct scores and the long response table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from evaluation.comparisons import compare
from evaluation.instruments import default_instrument
from evaluation.scoring import construct_scores, reverse_code, to_long

INSTRUMENT = default_instrument()


def test_reverse_coded_items_flip_on_the_scale_and_others_stay():
    wide = pd.DataFrame({"conf_1": [1.0, 5.0], "conf_3": [1.0, 4.0], "know_3": [2.0, np.nan]})
    scored = reverse_code(wide, INSTRUMENT)
    assert scored["conf_1"].tolist() == [1.0, 5.0]
    assert scored["conf_3"].tolist() == [5.0, 2.0]
    assert scored["know_3"].tolist()[0] == 4.0 and np.isnan(scored["know_3"].tolist()[1])


def test_construct_score_is_the_mean_of_answered_items_after_reverse_coding():
    wide = pd.DataFrame({"conf_1": [4.0, 2.0], "conf_2": [np.nan, 2.0], "conf_3": [1.0, np.nan]})
    # row 1: mean(4, 5 + 1 - 1) = 4.5; row 2: mean(2, 2) = 2
    assert construct_scores(wide, INSTRUMENT)["confidence"].tolist() == [4.5, 2.0]


@given(st.lists(st.integers(1, 5), min_size=3, max_size=3))
def test_construct_score_stays_on_the_scale(answers):
    wide = pd.DataFrame([answers], columns=["conf_1", "conf_2", "conf_3"], dtype=float)
    score = construct_scores(wide, INSTRUMENT)["confidence"].iloc[0]
    assert 1.0 <= score <= 5.0


def test_the_same_person_in_two_projects_is_two_pairs_not_one():
    wide = pd.DataFrame(
        {
            "respondent_id": ["t1", "t1", "t1", "t1"],
            "phase": ["pre", "post", "pre", "post"],
            "hub": ["Solent Maths Hub"] * 4,
            "ncp": ["SKTM Primary Teachers"] * 2 + ["Mastering Number at KS2"] * 2,
            "academic_year": ["2024/25"] * 4,
            "conf_1": [1.0, 2.0, 3.0, 5.0],
        }
    )
    long = to_long(wide, INSTRUMENT, keys=("hub",), constructs=False)
    assert long["respondent_id"].nunique() == 2
    result = compare(long).set_index("item").loc["conf_1"]
    # two pairs with changes +1 and +2 (not one averaged pair 2 -> 3.5)
    assert result["n_paired"] == 2
    assert result["mean_change"] == 1.5
    assert result["mean_pre"] == 2.0


def test_rows_without_an_identifier_stay_unpaired():
    wide = pd.DataFrame(
        {
            "respondent_id": [None, None],
            "phase": ["pre", "post"],
            "ncp": ["SKTM Primary Teachers"] * 2,
            "academic_year": ["2024/25"] * 2,
            "conf_1": [2.0, 4.0],
        }
    )
    long = to_long(wide, INSTRUMENT, constructs=False)
    assert long["respondent_id"].isna().all()


def test_unanswered_items_are_dropped_from_the_long_table():
    wide = pd.DataFrame(
        {"respondent_id": ["a"], "phase": ["pre"], "conf_1": [np.nan], "conf_2": [3.0]}
    )
    long = to_long(wide, INSTRUMENT, constructs=False)
    assert long["item"].tolist() == ["conf_2"]
