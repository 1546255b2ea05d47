"""Paired change (evaluation.stats.paired): known answers from SciPy and R, degenerate groups,
properties.

Expected values come from SciPy 1.17 (``scipy.stats.ttest_rel``, ``scipy.stats.wilcoxon`` with
its defaults) run group by group, from R 4.x ``t.test(extra ~ group, data = sleep, paired =
TRUE)``, from pingouin's matched-pairs rank-biserial correlation and from formulas written out
here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evaluation.stats.paired import (
    NO_CHANGE,
    NO_PAIRS,
    ONE_PAIR,
    RESULT_COLUMNS,
    SAME_CHANGE,
    individual_change,
    paired_change,
    signed_rank,
)

# R's `sleep` data: extra hours of sleep with drug 1 (group 1) and drug 2 (group 2), same people.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def long_from_pairs(groups: dict[str, tuple[np.ndarray, np.ndarray]], item: str = "x"):
    """A long table with one respondent per pair; groups named by the dict keys."""
    frames = []
    for name, (pre, post) in groups.items():
        ids = [f"{name}-{i}" for i in range(len(pre))]
        frames.append(
            pd.DataFrame(
                {
                    "grp": name,
                    "respondent_id": ids * 2,
                    "phase": ["pre"] * len(pre) + ["post"] * len(post),
                    "item": item,
                    "score": np.r_[pre, post].astype(float),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def random_groups(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Groups of 1 to 60 pairs: Likert answers (ties, zeros), continuous, rounded, shifted."""
    rng = np.random.default_rng(seed)
    groups = {}
    for g, n in enumerate(list(range(1, 61)) * 2):
        kind = g % 4
        if kind == 0:
            pre, post = rng.integers(1, 6, n), rng.integers(1, 6, n)
        elif kind == 1:
            pre = rng.normal(3, 1, n)
            post = pre + rng.normal(0.4, 1, n)
        elif kind == 2:
            pre = rng.integers(1, 6, n)
            post = pre + rng.choice([0, 0, 1, 2, -1], n)
        else:
            pre, post = rng.normal(0, 1, n).round(1), rng.normal(0.3, 1, n).round(1)
        groups[f"g{g:03d}"] = (pre.astype(float), post.astype(float))
    return groups


def scipy_reference(pre: np.ndarray, post: np.ndarray, zero_method: str) -> dict[str, float]:
    """SciPy's values where they are numbers we also report (see the degenerate-group test)."""
    d = post - pre
    out = {}
    if len(d) >= 2 and np.ptp(d) > 0:  # otherwise SciPy divides by a zero SD
        t = stats.ttest_rel(post, pre)
        out.update(t=t.statistic, df=t.df, p_t=t.pvalue)
    if len(d) >= 2 and np.any(d != 0):
        w = stats.wilcoxon(post, pre, zero_method=zero_method)
        out.update(w=w.statistic, p_w=w.pvalue)
    return out


def test_sleep_data_matches_r_paired_t_test():
    # R: t = -4.0621, df = 9, p-value = 0.002833; 95% CI -2.4598858 -0.7001142; mean diff -1.58
    long = long_from_pairs({"sleep": (np.array(SLEEP_2), np.array(SLEEP_1))})
    row = paired_change(long, by=["grp"]).iloc[0]
    assert row["n_paired"] == 10
    assert row["mean_change"] == pytest.approx(-1.58, abs=1e-12)
    assert row["t"] == pytest.approx(-4.0621, abs=5e-5)
    assert row["df"] == 9
    assert row["p_t"] == pytest.approx(0.002833, abs=5e-7)
    assert row["ci_low"] == pytest.approx(-2.4598858, abs=1e-7)
    assert row["ci_high"] == pytest.approx(-0.7001142, abs=1e-7)


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
@pytest.mark.parametrize("seed", [1, 2])
def test_every_group_equals_scipy_t_test_and_wilcoxon(seed, zero_method):
    groups = random_groups(seed)
    result = paired_change(long_from_pairs(groups), by=["grp"], zero_method=zero_method)
    assert result["grp"].tolist() == sorted(groups)
    checked = 0
    for (_, row), (pre, post) in zip(result.iterrows(), groups.values(), strict=True):
        for key, value in scipy_reference(pre, post, zero_method).items():
            assert row[key] == pytest.approx(value, abs=1e-9, rel=0), key
            checked += 1
    assert checked > 550  # 120 groups x 5 values, less the degenerate ones


def test_all_three_wilcoxon_methods_are_exercised():
    groups = random_groups(3)
    d = np.concatenate([post - pre for pre, post in groups.values()])
    group = np.repeat(np.arange(len(groups)), [len(p) for p, _ in groups.values()])
    methods = set(signed_rank(group, d, len(groups))["method"])
    assert methods == {"exact", "permutation", "asymptotic"}


def test_exact_boundary_at_fifty_differences_matches_scipy():
    rng = np.random.default_rng(7)
    groups = {}
    for n in (49, 50, 51):  # continuous: no ties, so exact up to 50, normal above
        pre = rng.normal(size=n)
        groups[f"n{n}"] = (pre, pre + rng.normal(0.2, 1, n))
    result = paired_change(long_from_pairs(groups), by=["grp"])
    for (_, row), (pre, post) in zip(result.iterrows(), groups.values(), strict=True):
        expected = stats.wilcoxon(post, pre)
        assert row["w"] == expected.statistic
        assert row["p_w"] == pytest.approx(expected.pvalue, abs=1e-12)


def test_effect_sizes_follow_their_formulas():
    pre = np.array([2.0, 3, 3, 4, 2, 5, 1, 3, 4, 2])
    post = np.array([3.0, 4, 5, 4, 3, 5, 3, 2, 5, 4])
    row = paired_change(long_from_pairs({"a": (pre, post)}), by=["grp"]).iloc[0]
    d = post - pre
    n = len(d)
    sd_pre, sd_post, sd_d = pre.std(ddof=1), post.std(ddof=1), d.std(ddof=1)
    j = 1 - 3 / (4 * (n - 1) - 1)
    g_av = j * d.mean() / ((sd_pre + sd_post) / 2)
    r = np.corrcoef(pre, post)[0, 1]
    # Bonett (2015) delta-method variance of d_av (average-SD standardiser), t on n - 1 df
    d_av, s_av = g_av / j, (sd_pre + sd_post) / 2
    var_d = d_av**2 * (sd_pre**2 + sd_post**2 + 2 * r**2 * sd_pre * sd_post) / (
        8 * (n - 1) * s_av**2
    ) + (sd_pre**2 + sd_post**2 - 2 * r * sd_pre * sd_post) / ((n - 1) * s_av**2)
    half = stats.t.ppf(0.975, n - 1) * j * np.sqrt(var_d)
    assert row["d_z"] == pytest.approx(d.mean() / sd_d, abs=1e-12)
    assert row["g_av"] == pytest.approx(g_av, abs=1e-12)
    assert row["g_av_ci_low"] == pytest.approx(g_av - half, abs=1e-9)
    assert row["g_av_ci_high"] == pytest.approx(g_av + half, abs=1e-9)
    # d_z interval: the noncentrality values putting the observed t at 97.5% and 2.5% (SciPy nct)
    t_obs = d.mean() / sd_d * np.sqrt(n)
    lam_low, lam_high = row["d_z_ci_low"] * np.sqrt(n), row["d_z_ci_high"] * np.sqrt(n)
    assert stats.nct.cdf(t_obs, n - 1, lam_low) == pytest.approx(0.975, abs=1e-9)
    assert stats.nct.cdf(t_obs, n - 1, lam_high) == pytest.approx(0.025, abs=1e-9)
    rbc = pingouin.wilcoxon(post, pre)["RBC"].iloc[0]
    assert row["r_rb"] == pytest.approx(rbc, abs=1e-12)
    assert row["pct_improved"] == pytest.approx(100 * np.mean(d > 0))
    assert row["pct_same"] == pytest.approx(100 * np.mean(d == 0))
    assert row["pct_declined"] == pytest.approx(100 * np.mean(d < 0))
    t_crit = stats.t.ppf(0.975, n - 1)
    assert row["ci_low"] == pytest.approx(d.mean() - t_crit * sd_d / np.sqrt(n), abs=1e-12)


def test_result_has_the_contract_columns_in_order():
    result = paired_change(long_from_pairs({"a": (np.ones(3), np.ones(3) * 2)}), by=["grp"])
    assert list(result.columns) == ["grp", *RESULT_COLUMNS]
    assert (result["design"] == "paired").all()


def test_degenerate_groups_give_nan_with_reasons_and_no_warnings():
    groups = {
        "a_one": (np.array([3.0]), np.array([4.0])),
        "b_no_change": (np.array([2.0, 3, 4]), np.array([2.0, 3, 4])),
        "c_same_change": (np.array([2.0, 3, 4]), np.array([3.0, 4, 5])),
    }
    long = long_from_pairs(groups)
    unmatched = pd.DataFrame(
        {
            "grp": "d_none",
            "respondent_id": ["p", "q"],
            "phase": ["pre", "post"],
            "item": "x",
            "score": [3.0, 4.0],
        }
    )
    long = pd.concat([long, unmatched], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = paired_change(long, by=["grp"]).set_index("grp")
    assert result.loc["a_one", "reason"] == ONE_PAIR
    assert np.isnan(
        result.loc["a_one", ["t", "p_t", "w", "p_w", "d_z", "g_av"]].astype(float)
    ).all()
    assert NO_CHANGE in result.loc["b_no_change", "reason"]
    assert np.isnan(
        result.loc["b_no_change", ["t", "p_t", "w", "p_w", "d_z", "r_rb"]].astype(float)
    ).all()
    assert result.loc["b_no_change", "mean_change"] == 0
    assert SAME_CHANGE in result.loc["c_same_change", "reason"]
    assert np.isnan(result.loc["c_same_change", ["t", "p_t", "d_z"]].astype(float)).all()
    # The signed-rank test is still defined: three positive changes, p as SciPy says.
    assert result.loc["c_same_change", "p_w"] == pytest.approx(stats.wilcoxon([1.0, 1, 1]).pvalue)
    assert result.loc["d_none", "reason"] == NO_PAIRS
    assert result.loc["d_none", "n_paired"] == 0
    assert (result.loc["d_none", ["n_pre", "n_post"]] == [1, 1]).all()
    assert result["reason"].isna().sum() == 0


def test_answers_without_identifier_are_never_paired():
    long = pd.DataFrame(
        {
            "respondent_id": [None, None, "a", "a"],
            "phase": ["pre", "post", "pre", "post"],
            "item": "x",
            "score": [1.0, 5.0, 2.0, 3.0],
        }
    )
    row = paired_change(long).iloc[0]
    assert (row["n_pre"], row["n_post"], row["n_paired"]) == (2, 2, 1)


def test_a_respondent_answering_a_phase_twice_counts_once_with_their_mean():
    long = pd.DataFrame(
        {
            "respondent_id": ["a", "a", "a", "b", "b", "c", "c"],
            "phase": ["pre", "pre", "post", "pre", "post", "pre", "post"],
            "item": "x",
            "score": [1.0, 3.0, 4.0, 2.0, 3.0, 4.0, 4.0],
        }
    )
    changes = individual_change(long).set_index("respondent_id")
    assert changes.loc["a", "pre"] == 2.0
    assert changes["change"].to_dict() == {"a": 2.0, "b": 1.0, "c": 0.0}
    row = paired_change(long).iloc[0]
    assert row["n_pre"] == 3 and row["n_paired"] == 3
    assert row["t"] == pytest.approx(stats.ttest_rel([4.0, 3, 4], [2.0, 2, 4]).statistic)


def test_groups_are_split_by_every_key_and_item():
    rng = np.random.default_rng(3)
    rows = []
    for hub in ("A", "B"):
        for item in ("conf_1", "conf_2"):
            for i in range(6):
                for phase in ("pre", "post"):
                    rows.append((hub, f"{hub}{i}", phase, item, float(rng.integers(1, 6))))
    long = pd.DataFrame(rows, columns=["hub", "respondent_id", "phase", "item", "score"])
    result = paired_change(long, by=["hub"])
    assert result[["hub", "item"]].values.tolist() == [
        ["A", "conf_1"],
        ["A", "conf_2"],
        ["B", "conf_1"],
        ["B", "conf_2"],
    ]
    for _, row in result.iterrows():
        part = long[(long.hub == row["hub"]) & (long.item == row["item"])]
        pre = part[part.phase == "pre"].sort_values("respondent_id").score.to_numpy()
        post = part[part.phase == "post"].sort_values("respondent_id").score.to_numpy()
        if np.ptp(post - pre) > 0:
            assert row["t"] == pytest.approx(stats.ttest_rel(post, pre).statistic, abs=1e-12)


def test_holm_adjustment_is_applied_within_each_group():
    groups = random_groups(4)
    long = long_from_pairs(dict(list(groups.items())[100:104]))
    long["hub"] = "A"
    result = paired_change(long, by=["hub"])  # four groups as four items of one hub
    result2 = paired_change(long.assign(item=long["grp"]), by=["hub"])
    p = result2["p_t"].to_numpy()
    order = np.argsort(p)
    holm = np.maximum.accumulate(np.minimum(1, (4 - np.arange(4)) * p[order]))
    expected = np.empty(4)
    expected[order] = holm
    np.testing.assert_allclose(result2["p_adj"], expected, atol=1e-15)
    assert result["p_adj"].tolist() == result["p_t"].tolist()  # one item per family of one


# --- properties ------------------------------------------------------------------------------

pairs_strategy = st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=30)


def long_of(pairs: list[tuple[int, int]], shift: float = 0.0) -> pd.DataFrame:
    pre = np.array([p for p, _ in pairs], dtype=float) + shift
    post = np.array([q for _, q in pairs], dtype=float) + shift
    return long_from_pairs({"g": (pre, post)})


NUMBERS = ["t", "p_t", "w", "p_w", "d_z", "g_av", "r_rb", "mean_change"]


@settings(max_examples=40)
@given(pairs_strategy)
def test_swapping_pre_and_post_negates_the_change_and_keeps_p(pairs):
    forward = paired_change(long_of(pairs)).iloc[0]
    backward = paired_change(long_of([(q, p) for p, q in pairs])).iloc[0]
    for key in ("mean_change", "t", "d_z", "g_av", "r_rb", "ci_low"):
        other = "ci_high" if key == "ci_low" else key
        np.testing.assert_allclose(backward[key], -forward[other], atol=1e-12)
    for key in ("p_t", "w", "p_w", "sd_change", "pct_same"):
        np.testing.assert_allclose(backward[key], forward[key], atol=1e-12)
    assert backward["pct_improved"] == forward["pct_declined"]


@settings(max_examples=40)
@given(pairs_strategy, st.integers(-3, 10))
def test_adding_a_constant_changes_only_the_means(pairs, shift):
    base = paired_change(long_of(pairs)).iloc[0]
    moved = paired_change(long_of(pairs, shift=shift)).iloc[0]
    assert moved["mean_pre"] == pytest.approx(base["mean_pre"] + shift)
    assert moved["mean_post"] == pytest.approx(base["mean_post"] + shift)
    for key in NUMBERS + ["ci_low", "ci_high", "g_av_ci_low", "pct_improved"]:
        np.testing.assert_allclose(moved[key], base[key], atol=1e-9)


@settings(max_examples=30)
@given(pairs_strategy, st.randoms(use_true_random=False))
def test_row_order_never_matters(pairs, rnd):
    long = long_of(pairs)
    shuffled = long.sample(frac=1, random_state=rnd.randint(0, 10**6)).reset_index(drop=True)
    a = paired_change(long).iloc[0]
    b = paired_change(shuffled).iloc[0]
    for key in NUMBERS + ["n_paired", "ci_low", "g_av_ci_high", "p_adj"]:
        np.testing.assert_allclose(a[key], b[key], atol=1e-12)
    assert a["reason"] == b["reason"]


def test_two_pairs_give_no_g_av_and_say_why_instead_of_zero():
    # D1 (failed before: g_av was exactly 0 because Hedges' J(1) = 0)
    pre, post = np.array([1.0, 2.0]), np.array([4.0, 5.5])
    row = paired_change(long_from_pairs({"a": (pre, post)}), by=["grp"]).iloc[0]
    assert row["mean_change"] == pytest.approx(3.25)
    assert np.isnan(row["g_av"]) and np.isnan(row["g_av_ci_low"])
    assert "two" in row["reason"] and "g_av" in row["reason"]
    assert row["t"] == pytest.approx(stats.ttest_rel(post, pre).statistic, abs=1e-9)
