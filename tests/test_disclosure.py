"""Tests for evaluation.stats.disclosure: primary and secondary suppression and the [c] display."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.stats.disclosure import (
    DEFAULT_MIN_N,
    SECONDARY_REASON,
    display_table,
    resolve_min_n,
    secondary_suppress,
    suppress,
)


@pytest.fixture(autouse=True)
def _no_env_threshold(monkeypatch):
    monkeypatch.delenv("IMPACT_MIN_N", raising=False)


def results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ncp": ["P", "P", "P", "Q"],
            "hub": ["A", "B", "C", "A"],
            "item": ["confidence"] * 4,
            "n_pre": [12, 6, 30, 9],
            "n_paired": [4, 5, 28, 8],
            "mean_change": [0.9, 0.4, 0.3, 0.2],
            "p_t": [0.01, 0.2, 0.03, 0.5],
            "reason": ["only 4 people answered both", None, None, None],
        }
    )


def test_rows_below_the_threshold_lose_every_number_including_the_count():
    out = suppress(results())
    hidden = out.loc[0]
    assert out["suppressed"].tolist() == [True, False, False, False]
    for col in ("n_pre", "n_paired", "mean_change", "p_t", "reason"):
        assert pd.isna(hidden[col]), col
    assert hidden["hub"] == "A" and hidden["ncp"] == "P" and hidden["item"] == "confidence"
    assert hidden["suppression_reason"] == "fewer than 5 respondents"
    assert out.loc[1, "n_paired"] == 5  # exactly min_n is shown
    assert out.loc[1, "suppression_reason"] is None


def test_threshold_comes_from_argument_then_environment_then_default(monkeypatch):
    assert DEFAULT_MIN_N == 5 and resolve_min_n() == 5
    monkeypatch.setenv("IMPACT_MIN_N", "10")
    assert resolve_min_n() == 10
    assert suppress(results())["suppressed"].tolist() == [True, True, False, True]
    assert suppress(results()).loc[0, "suppression_reason"] == "fewer than 10 respondents"
    assert resolve_min_n(3) == 3
    assert suppress(results(), min_n=3)["suppressed"].tolist() == [False] * 4


def test_a_nonsense_environment_threshold_warns_and_uses_the_default(monkeypatch):
    monkeypatch.setenv("IMPACT_MIN_N", "five")
    with pytest.warns(UserWarning, match="IMPACT_MIN_N"):
        assert resolve_min_n() == 5


def test_missing_count_is_treated_as_small():
    table = pd.DataFrame({"hub": ["A"], "n_paired": [np.nan], "d_z": [0.3]})
    assert suppress(table)["suppressed"].tolist() == [True]


def test_chosen_columns_and_kept_identifiers():
    table = pd.DataFrame({"school_urn": [100001, 100002], "n_paired": [2, 9], "d_z": [1.0, 0.2]})
    out = suppress(table, keep=["school_urn"])
    assert out["school_urn"].tolist() == [100001, 100002]
    only = suppress(table, columns=["d_z"], keep=["school_urn"])
    assert pd.isna(only.loc[0, "n_paired"]) and pd.isna(only.loc[0, "d_z"])


def test_display_shows_the_gss_symbol_only_in_suppressed_cells():
    table = results()
    table.loc[2, "p_t"] = np.nan  # a genuinely missing value in a shown row stays missing
    shown = display_table(suppress(table))
    assert shown.loc[0, "n_paired"] == "[c]" and shown.loc[0, "mean_change"] == "[c]"
    assert shown.loc[0, "reason"] == "[c]"
    assert shown.loc[0, "hub"] == "A"
    assert pd.isna(shown.loc[2, "p_t"])
    assert shown.loc[1, "n_paired"] == 5


def test_one_hidden_hub_in_a_total_hides_the_next_smallest_too():
    out = secondary_suppress(suppress(results()), total=["ncp", "item"])
    # NCP P: A (4) is hidden; B (5) is the next smallest, so P's total minus C can't reveal A.
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out.loc[1, "suppression_reason"] == SECONDARY_REASON
    assert pd.isna(out.loc[1, "n_paired"]) and pd.isna(out.loc[1, "mean_change"])
    assert out.loc[0, "suppression_reason"] == "fewer than 5 respondents"
    assert out.loc[2, "n_paired"] == 28


def test_subtraction_from_the_total_no_longer_reveals_a_small_count():
    table = results()
    total_p = table.loc[table.ncp == "P", "n_paired"].sum()  # shown elsewhere, e.g. by NCP
    out = secondary_suppress(suppress(table), total=["ncp"])
    shown = out.loc[(out.ncp == "P") & ~out.suppressed, "n_paired"].sum()
    hidden = table.loc[(table.ncp == "P") & out.suppressed.to_numpy(), "n_paired"]
    assert total_p - shown == hidden.sum()
    assert len(hidden) >= 2  # the difference is a sum of at least two hidden counts


def test_two_hidden_rows_need_no_more_suppression_and_a_lone_row_stays_as_it_is():
    table = pd.DataFrame({"ncp": ["P", "P", "P", "Q"], "n_paired": [2, 3, 30, 1]})
    out = secondary_suppress(suppress(table), total=["ncp"])
    assert out["suppressed"].tolist() == [True, True, False, True]


def test_several_totals_are_protected_together():
    # Totals by NCP and by hub: hiding B in P to protect P's total leaves hub B's total
    # with one hidden cell, so another B cell must go.
    table = pd.DataFrame(
        {"ncp": ["P", "P", "Q", "Q"], "hub": ["A", "B", "A", "B"], "n_paired": [3, 40, 50, 60]}
    )
    out = secondary_suppress(suppress(table), total=[["ncp"], ["hub"]])
    hidden = (
        out.groupby("ncp")["suppressed"].sum().tolist()
        + out.groupby("hub")["suppressed"].sum().tolist()
    )
    assert all(h != 1 for h in hidden)


def test_secondary_needs_primary_first():
    with pytest.raises(ValueError, match="suppress"):
        secondary_suppress(pd.DataFrame({"n_paired": [1]}), total=[])


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 30)), min_size=1, max_size=40))
def test_after_secondary_suppression_no_group_has_exactly_one_hidden_row_unless_alone(rows):
    table = pd.DataFrame(rows, columns=["ncp", "n_paired"]).astype({"ncp": str})
    out = secondary_suppress(suppress(table), total=["ncp"])
    for _, group in out.groupby("ncp"):
        hidden = int(group["suppressed"].sum())
        assert hidden != 1 or len(group) == 1
    # Primary suppression is never undone, and nothing below the threshold is ever shown.
    assert (out["suppressed"] | (table["n_paired"] >= 5)).all()
    assert not (out.loc[~out.suppressed, "n_paired"] < 5).any()
