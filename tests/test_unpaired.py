"""Unpaired change (evaluation.stats.unpaired): Welch t, Mann-Whitney U and Hedges' g against SciPy.

Expected values: SciPy 1.17 ``scipy.stats.ttest_ind(post, pre, equal_var=False)`` and
``scipy.stats.mannwhitneyu(post, pre)`` (defaults) group by group, and pingouin's Hedges' g
and rank-biserial correlation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

from evaluation.stats.paired import RESULT_COLUMNS
from evaluation.stats.unpaired import TOO_FEW, UNMATCHED, mann_whitney, unpaired_change


def long_of(groups: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """Anonymous answers (no identifier), pre and post, per named group."""
    frames = [
        pd.DataFrame(
            {
                "grp": name,
                "respondent_id": None,
                "phase": ["pre"] * len(pre) + ["post"] * len(post),
                "item": "x",
                "score": np.r_[pre, post].astype(float),
            }
        )
        for name, (pre, post) in groups.items()
    ]
    return pd.concat(frames, ignore_index=True)


def random_groups(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pairs of group sizes on both sides of the exact/normal switch, with and without ties."""
    rng = np.random.default_rng(seed)
    groups, g = {}, 0
    for n_pre in (2, 3, 5, 8, 9, 12, 40):
        for n_post in (2, 4, 8, 9, 30):
            kind = g % 3
            if kind == 0:
                pre, post = rng.integers(1, 6, n_pre), rng.integers(1, 6, n_post)
            elif kind == 1:
                pre, post = rng.normal(3, 1, n_pre), rng.normal(3.5, 1.4, n_post)
            else:
                pre, post = rng.normal(0, 1, n_pre).round(1), rng.normal(0.4, 1, n_post).round(1)
            groups[f"g{g:03d}"] = (pre.astype(float), post.astype(float))
            g += 1
    return groups


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_every_group_equals_scipy_welch_and_mann_whitney(seed):
    groups = random_groups(seed)
    result = unpaired_change(long_of(groups), by=["grp"])
    checked = 0
    for (_, row), (pre, post) in zip(result.iterrows(), groups.values(), strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            welch = stats.ttest_ind(post, pre, equal_var=False)
            mwu = stats.mannwhitneyu(post, pre)
        if np.isfinite(welch.statistic):
            assert row["t"] == pytest.approx(welch.statistic, abs=1e-9, rel=0)
            assert row["df"] == pytest.approx(welch.df, abs=1e-9, rel=0)
            assert row["p_t"] == pytest.approx(welch.pvalue, abs=1e-9, rel=0)
            low, high = welch.confidence_interval()
            assert row["ci_low"] == pytest.approx(low, abs=1e-9)
            assert row["ci_high"] == pytest.approx(high, abs=1e-9)
            checked += 1
        if len(np.unique(np.r_[pre, post])) > 1:
            assert row["w"] == pytest.approx(mwu.statistic, abs=1e-9, rel=0)
            assert row["p_w"] == pytest.approx(mwu.pvalue, abs=1e-9, rel=0)
    assert checked > 30


def test_mann_whitney_uses_both_exact_and_normal_methods():
    groups = random_groups(14)
    values = np.concatenate([np.r_[post, pre] for pre, post in groups.values()])
    is_post = np.concatenate([np.r_[np.ones(len(b)), np.zeros(len(a))] for a, b in groups.values()])
    sizes = [len(a) + len(b) for a, b in groups.values()]
    group = np.repeat(np.arange(len(groups)), sizes)
    out = mann_whitney(group, values, is_post.astype(bool), len(groups))
    assert set(out["method"]) == {"exact", "asymptotic"}


def test_exact_mann_whitney_for_a_small_group_against_a_large_one():
    rng = np.random.default_rng(5)
    pre, post = rng.normal(size=300), rng.normal(0.5, 1, 6)  # no ties; exact since 6 <= 8
    row = unpaired_change(long_of({"a": (pre, post)})).iloc[0]
    expected = stats.mannwhitneyu(post, pre)
    assert row["w"] == expected.statistic
    assert row["p_w"] == pytest.approx(expected.pvalue, abs=1e-12)


def test_hedges_g_and_rank_biserial_match_pingouin():
    pre = np.array([2.0, 3, 3, 4, 2, 5, 1, 3])
    post = np.array([3.0, 4, 5, 4, 3, 5, 3, 2, 5, 4, 4])
    row = unpaired_change(long_of({"a": (pre, post)})).iloc[0]
    g = pingouin.compute_effsize(post, pre, paired=False, eftype="hedges")
    low, high = pingouin.compute_esci(g, len(post), len(pre), eftype="cohen", decimals=12)
    assert row["g_av"] == pytest.approx(g, abs=1e-12)
    assert row["g_av_ci_low"] == pytest.approx(low, abs=1e-9)
    assert row["g_av_ci_high"] == pytest.approx(high, abs=1e-9)
    rbc = pingouin.mwu(post, pre)["RBC"].iloc[0]
    assert row["r_rb"] == pytest.approx(rbc, abs=1e-12)


def test_unpaired_rows_say_so_and_leave_individual_change_blank():
    pre, post = np.array([1.0, 2, 3]), np.array([2.0, 3, 5, 5])
    result = unpaired_change(long_of({"a": (pre, post)}), by=["grp"])
    assert list(result.columns) == ["grp", *RESULT_COLUMNS]
    row = result.iloc[0]
    assert row["design"] == "unpaired"
    assert (row["n_pre"], row["n_post"], row["n_paired"]) == (3, 4, 0)
    assert row["mean_change"] == pytest.approx(post.mean() - pre.mean())
    assert np.isnan(row[["sd_change", "d_z", "pct_improved", "pct_same"]].astype(float)).all()
    assert UNMATCHED in row["reason"]


def test_too_few_answers_give_nan_with_a_reason_and_no_warnings():
    groups = {
        "one_pre": (np.array([3.0]), np.array([4.0, 5.0])),
        "all_same": (np.array([3.0, 3.0]), np.array([3.0, 3.0, 3.0])),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = unpaired_change(long_of(groups), by=["grp"]).set_index("grp")
    assert TOO_FEW in result.loc["one_pre", "reason"]
    assert np.isnan(result.loc["one_pre", ["t", "p_t", "w", "p_w", "g_av"]].astype(float)).all()
    assert np.isnan(result.loc["all_same", ["t", "p_t", "w", "p_w", "g_av"]].astype(float)).all()
    assert "same answer" in result.loc["all_same", "reason"]


def test_a_person_with_two_answers_in_one_phase_counts_once():
    long = pd.DataFrame(
        {
            "respondent_id": ["a", "a", "b", "c", "d"],
            "phase": ["pre", "pre", "pre", "post", "post"],
            "item": "x",
            "score": [1.0, 3.0, 4.0, 4.0, 5.0],
        }
    )
    row = unpaired_change(long).iloc[0]
    assert (row["n_pre"], row["n_post"]) == (2, 2)
    assert row["mean_pre"] == 3.0  # a's mean 2 and b's 4
