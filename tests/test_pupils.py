"""Pupil MTC summaries, distributions, clustered change and EEF months (evaluation.stats.pupils)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given
from hypothesis import strategies as st

from evaluation.stats.pupils import (
    CHANGE_COLUMNS,
    eef_months,
    pupil_change,
    pupil_summary,
    score_distribution,
)


def _pupils(seed: int, n_hubs: int = 4, year: str = "2023/24") -> pd.DataFrame:
    """Pre and post MTC scores for pupils in 1-6 schools per hub, with school effects."""
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(n_hubs):
        for s in range(int(rng.integers(1, 7))):
            urn = 100000 + 1000 * h + s
            school_gain = rng.normal(2.5, 1.5)
            for p in range(int(rng.integers(1, 25))):
                pre = int(np.clip(round(rng.normal(17, 5)), 0, 25))
                post = int(np.clip(round(pre + school_gain + rng.normal(0, 2.5)), 0, 25))
                pid = f"P{h}{s}{p}"
                base = {"hub": f"Hub {h}", "school_urn": urn, "pupil_id": pid}
                rows.append({**base, "phase": "pre", "score": float(pre)})
                rows.append({**base, "phase": "post", "score": float(post)})
    frame = pd.DataFrame(rows)
    frame["academic_year"] = year
    frame["measure"] = "MTC"
    frame["school_urn"] = frame["school_urn"].astype("Int64")
    return frame


def _paired(group: pd.DataFrame) -> pd.DataFrame:
    return group.pivot(index=["school_urn", "pupil_id"], columns="phase", values="score")


def test_summary_matches_numpy_per_group_and_phase():
    pupils = _pupils(seed=1)
    table = pupil_summary(pupils, by=["hub"]).set_index(["hub", "phase"])
    for (hub, phase), group in pupils.groupby(["hub", "phase"]):
        scores = group["score"].to_numpy()
        row = table.loc[(hub, phase)]
        assert row["n"] == len(scores)
        assert row["mean"] == pytest.approx(scores.mean(), abs=1e-12)
        assert row["median"] == pytest.approx(np.median(scores), abs=1e-12)
        assert row["q1"] == pytest.approx(np.percentile(scores, 25), abs=1e-12)
        assert row["q3"] == pytest.approx(np.percentile(scores, 75), abs=1e-12)
        assert row["pct_full_marks"] == pytest.approx(100 * np.mean(scores == 25), abs=1e-12)
        assert row["pct_20_plus"] == pytest.approx(100 * np.mean(scores >= 20), abs=1e-12)
        if len(scores) > 1:
            assert row["sd"] == pytest.approx(scores.std(ddof=1), abs=1e-12)


def test_summary_puts_pre_before_post_and_explains_a_single_pupil():
    pupils = pd.DataFrame({"phase": ["post", "pre", "post"], "score": [25.0, 10.0, 20.0]})
    table = pupil_summary(pupils)
    assert table["phase"].tolist() == ["pre", "post"]
    assert np.isnan(table.loc[0, "sd"]) and "one pupil" in table.loc[0, "reason"]
    assert table.loc[1, "reason"] is None


def test_other_measures_are_left_out():
    pupils = pd.DataFrame(
        {"phase": ["pre", "pre"], "measure": ["MTC", "Reading"], "score": [20.0, 90.0]}
    )
    assert pupil_summary(pupils)["n"].tolist() == [1]


def test_distribution_has_every_mark_and_counts_add_up():
    pupils = _pupils(seed=2, n_hubs=2)
    pupils.loc[0, "score"] = 30.0  # out of range: not counted
    dist = score_distribution(pupils, by=["hub"])
    groups = dist.groupby(["hub", "phase"])
    assert (groups.size() == 26).all()
    assert (groups["score"].apply(list).map(lambda s: s == list(range(26)))).all()
    expected = pupils[pupils["score"] <= 25].groupby(["hub", "phase"]).size()
    pd.testing.assert_series_equal(
        groups["count"].sum().sort_index(), expected.sort_index(), check_names=False
    )
    np.testing.assert_allclose(groups["pct"].sum(), 100.0)
    hub0_pre = pupils[(pupils["hub"] == "Hub 0") & (pupils["phase"] == "pre")]
    row = dist[(dist["hub"] == "Hub 0") & (dist["phase"] == "pre") & (dist["score"] == 25)]
    assert row["count"].item() == (hub0_pre["score"] == 25).sum()


def test_clustered_change_equals_statsmodels_in_every_group():
    pupils = _pupils(seed=3, n_hubs=8)
    result = pupil_change(pupils, by=["hub"]).set_index("hub")
    checked = 0
    for hub, group in pupils.groupby("hub"):
        wide = _paired(group).reset_index()
        diff = (wide["post"] - wide["pre"]).to_numpy()
        schools = wide["school_urn"].to_numpy(dtype="int64")
        row = result.loc[hub]
        assert row["n_paired"] == len(diff) and row["n_schools"] == len(set(schools))
        assert row["mean_change"] == pytest.approx(diff.mean(), abs=1e-12)
        assert row["se_naive"] == pytest.approx(diff.std(ddof=1) / np.sqrt(len(diff)), abs=1e-12)
        if len(set(schools)) < 2:
            assert np.isnan(row["se_cluster"]) and "one school" in row["reason"]
            continue
        # statsmodels OLS on a constant, CR1 cluster-robust covariance, t with G - 1 df
        fit = sm.OLS(diff, np.ones(len(diff))).fit(
            cov_type="cluster", cov_kwds={"groups": schools}, use_t=True
        )
        low, high = fit.conf_int()[0]
        assert row["se_cluster"] == pytest.approx(fit.bse[0], abs=1e-9)
        assert row["ci_low"] == pytest.approx(low, abs=1e-9)
        assert row["ci_high"] == pytest.approx(high, abs=1e-9)
        assert row["p"] == pytest.approx(fit.pvalues[0], abs=1e-9)
        assert row["df"] == len(set(schools)) - 1
        assert row["design_effect"] == pytest.approx((fit.bse[0] / row["se_naive"]) ** 2)
        checked += 1
    assert checked >= 4


def test_pupils_and_teachers_share_one_cr1_implementation():
    # The pupils' school-clustered SE is stats.clustering's (no second copy): the same numbers
    # as cluster_robust_mean on each hub's matched pupils, schools as clusters.
    from evaluation.stats.clustering import cluster_robust_mean

    pupils = _pupils(seed=5, n_hubs=6)
    result = pupil_change(pupils, by=["hub"]).set_index("hub")
    for hub, group in pupils.groupby("hub"):
        wide = _paired(group).reset_index()
        diff = (wide["post"] - wide["pre"]).to_numpy()
        out = cluster_robust_mean(np.zeros(len(diff), int), wide["school_urn"].to_numpy(), diff, 1)
        row = result.loc[hub]
        np.testing.assert_allclose(row["se_cluster"], out["se_cluster"][0], rtol=1e-12)
        np.testing.assert_allclose(row["ci_low"], out["ci_low_cluster"][0], rtol=1e-12)


def test_effect_sizes_follow_their_written_formulas():
    pupils = _pupils(seed=4, n_hubs=1)
    row = pupil_change(pupils).iloc[0]
    wide = _paired(pupils)
    diff = wide["post"] - wide["pre"]
    n = len(diff)
    # d_z = mean / sd of change; g_av = J(n - 1) * mean / ((sd_pre + sd_post) / 2),
    # J(df) = 1 - 3 / (4 df - 1) (Lakens 2013; Hedges & Olkin 1985)
    assert row["d_z"] == pytest.approx(diff.mean() / diff.std(ddof=1), abs=1e-12)
    sd_av = (wide["pre"].std(ddof=1) + wide["post"].std(ddof=1)) / 2
    j = 1 - 3 / (4 * (n - 1) - 1)
    assert row["g_av"] == pytest.approx(j * diff.mean() / sd_av, abs=1e-12)
    assert row["g_av_ci_low"] == pytest.approx(j * row["ci_low"] / sd_av, abs=1e-12)
    assert row["g_av_ci_high"] == pytest.approx(j * row["ci_high"] / sd_av, abs=1e-12)
    assert row["eef_months"] == eef_months(row["g_av"])
    assert row["mean_pre"] == pytest.approx(wide["pre"].mean())
    assert row["mean_post"] == pytest.approx(wide["post"].mean())


def test_icc_equals_one_way_anova_written_out():
    pupils = _pupils(seed=5, n_hubs=1)
    while pupils["school_urn"].nunique() < 3:  # want several schools
        pupils = _pupils(seed=int(pupils["score"].sum()), n_hubs=1)
    row = pupil_change(pupils).iloc[0]
    wide = _paired(pupils).reset_index()
    wide["d"] = wide["post"] - wide["pre"]
    groups = [g["d"].to_numpy() for _, g in wide.groupby("school_urn")]
    n_total, k = len(wide), len(groups)
    grand = wide["d"].mean()
    msb = sum(len(g) * (g.mean() - grand) ** 2 for g in groups) / (k - 1)
    msw = sum(((g - g.mean()) ** 2).sum() for g in groups) / (n_total - k)
    n0 = (n_total - sum(len(g) ** 2 for g in groups) / n_total) / (k - 1)
    assert row["icc"] == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw), abs=1e-9)


def test_national_comparison_uses_the_reference_figure_for_the_year():
    pupils = pd.concat([_pupils(seed=6, n_hubs=1), _pupils(seed=7, n_hubs=1, year="2024/25")])
    by_year = pupil_change(pupils, by=["academic_year"]).set_index("academic_year")
    # DfE MTC national means (schemas/reference/mtc_national.csv): 2023/24 20.6, 2024/25 21.0
    assert by_year.loc["2023/24", "national_mean"] == 20.6
    assert by_year.loc["2024/25", "national_mean"] == 21.0
    row = by_year.loc["2024/25"]
    assert row["diff_from_national"] == pytest.approx(row["mean_post"] - 21.0)
    pooled = pupil_change(pupils).iloc[0]
    assert np.isnan(pooled["national_mean"]) and pooled["national_year"] is None
    assert "several academic years" in pooled["reason"]
    future = pupil_change(_pupils(seed=8, n_hubs=1, year="2031/32")).iloc[0]
    assert np.isnan(future["national_mean"]) and "No national MTC figure" in future["reason"]


def test_pupils_are_matched_within_their_school_and_duplicates_averaged():
    pupils = pd.DataFrame(
        {
            "pupil_id": ["a", "a", "a", "a", "a"],
            "school_urn": [100001, 100001, 100002, 100002, 100002],
            "phase": ["pre", "post", "pre", "post", "post"],
            "score": [10.0, 14, 20, 21, 23],
        }
    )
    row = pupil_change(pupils).iloc[0]
    assert row["n_paired"] == 2 and row["n_schools"] == 2
    assert row["mean_change"] == pytest.approx(((14 - 10) + (22 - 20)) / 2)


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (pd.DataFrame({"pupil_id": ["a"], "school_urn": [100001], "phase": ["pre"],
                       "score": [3.0]}), "No pupil has both"),
        (pd.DataFrame({"pupil_id": ["a", "a"], "school_urn": [100001] * 2,
                       "phase": ["pre", "post"], "score": [3.0, 5.0]}), "Only one pupil"),
        (pd.DataFrame({"pupil_id": ["a", "a", "b", "b", "c", "c"], "school_urn": [100001] * 6,
                       "phase": ["pre", "post"] * 3, "score": [3.0, 5, 4, 9, 8, 9]}), "one school"),
        (pd.DataFrame({"pupil_id": ["a", "a", "b", "b", "c", "c"],
                       "school_urn": [100001, 100001, 2, 2, 2, 2],
                       "phase": ["pre", "post"] * 3, "score": [3.0, 5, 4, 6, 6, 8]}),
         "same amount"),
    ],
)  # fmt: skip
def test_degenerate_groups_give_nan_with_reason_and_no_warnings(frame, reason):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row = pupil_change(frame).iloc[0]
    assert reason in row["reason"]
    assert np.isnan(row["p"]) and np.isnan(row["ci_low"]) == (reason != "same amount")
    if reason == "one school":  # the estimates stand; only the clustered inference is missing
        assert np.isfinite(row["g_av"]) and row["mean_change"] == pytest.approx(8 / 3)
    elif reason == "same amount":  # everyone +2: the size on the score scale is still known
        assert np.isnan(row["d_z"]) and np.isfinite(row["g_av"])
    else:
        assert pd.isna(row["eef_months"]) and np.isnan(row["g_av"])
    assert list(pupil_change(frame).columns) == list(CHANGE_COLUMNS)


@pytest.mark.parametrize(
    ("effect", "months"),
    [(0.0, 0), (0.01, 0), (0.02, 1), (0.09, 1), (0.1, 2), (0.18, 2), (0.19, 3), (0.26, 3),
     (0.27, 4), (0.44, 5), (0.45, 6), (0.69, 8), (0.7, 9), (0.96, 12), (1.0, 12), (2.5, 12),
     (-0.3, -4), (-0.005, 0)],
)  # fmt: skip
def test_eef_months_follow_the_toolkit_bands(effect, months):
    # EEF Teaching and Learning Toolkit, months' progress table (schemas/reference)
    assert eef_months(effect) == months


@pytest.mark.parametrize(
    ("effect", "months"),
    [(0.445, 6), (-0.445, -6), (0.185, 3), (0.265, 4), (0.525, 7), (0.095, 2)],
)
def test_eef_months_round_half_way_sizes_away_from_zero(effect, months):
    # D6 (failed before: np.round rounds half to even, so 0.445 -> 0.44 -> 5 months). The EEF
    # table's rows are two-decimal sizes; a half-way size belongs to the row above it.
    assert eef_months(effect) == months


def test_two_pupils_give_no_g_av_and_say_why_instead_of_zero():
    # D1 for pupils (failed before: g_av and EEF months were 0 beside a 3-mark rise)
    pupils = pd.DataFrame(
        {"pupil_id": ["a", "a", "b", "b"], "school_urn": [1, 1, 2, 2],
         "phase": ["pre", "post"] * 2, "score": [3.0, 6, 4, 7.5]}
    )  # fmt: skip
    row = pupil_change(pupils).iloc[0]
    assert row["mean_change"] == pytest.approx(3.25)
    assert np.isnan(row["g_av"]) and pd.isna(row["eef_months"])
    assert "two pupils" in row["reason"]


def test_eef_months_refuses_a_missing_effect_size():
    with pytest.raises(ValueError, match="NaN"):
        eef_months(float("nan"))


@given(st.randoms(use_true_random=False))
def test_row_order_never_matters(rnd):
    pupils = _pupils(seed=9, n_hubs=3)
    rows = list(range(len(pupils)))
    rnd.shuffle(rows)
    base = pupil_change(pupils, by=["hub"])
    again = pupil_change(pupils.iloc[rows], by=["hub"])
    pd.testing.assert_frame_equal(base, again, check_exact=False, atol=1e-9, rtol=0)


@given(st.integers(0, 10_000))
def test_swapping_pre_and_post_negates_the_change_and_keeps_its_uncertainty(seed):
    pupils = _pupils(seed=seed, n_hubs=2)
    swapped = pupils.assign(phase=pupils["phase"].map({"pre": "post", "post": "pre"}))
    base = pupil_change(pupils, by=["hub"])
    flip = pupil_change(swapped, by=["hub"])
    np.testing.assert_allclose(flip["mean_change"], -base["mean_change"], atol=1e-12)
    np.testing.assert_allclose(flip["se_cluster"], base["se_cluster"], atol=1e-12)
    np.testing.assert_allclose(flip["ci_low"], -base["ci_high"], atol=1e-9)
    np.testing.assert_allclose(flip["d_z"], -base["d_z"], atol=1e-12)
    np.testing.assert_allclose(flip["p"], base["p"], atol=1e-12)


def test_committed_sample_runs_per_hub_and_year_without_warnings(sample_dir):
    pupils = pd.read_csv(sample_dir / "pupils.csv", dtype={"school_urn": "Int64"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        change = pupil_change(pupils, by=["hub", "academic_year"])
        summary = pupil_summary(pupils, by=["hub", "academic_year"])
    assert change["n_paired"].sum() > 0 and summary["n"].sum() == pupils["score"].notna().sum()
    # every row has a clustered interval or says why not
    assert (change["ci_low"].notna() | change["reason"].notna()).all()
    assert change["national_mean"].notna().all()


def test_pupils_without_a_school_form_one_cluster():
    pupils = pd.DataFrame(
        {
            "pupil_id": ["a", "a", "b", "b", "c", "c", "d", "d"],
            "school_urn": pd.array([100001] * 2 + [100002] * 2 + [None] * 4, dtype="Int64"),
            "phase": ["pre", "post"] * 4,
            "score": [10.0, 12, 15, 20, 11, 11, 18, 25],
        }
    )
    row = pupil_change(pupils).iloc[0]
    diff = np.array([2.0, 5, 0, 7])
    fit = sm.OLS(diff, np.ones(4)).fit(
        cov_type="cluster", cov_kwds={"groups": np.array([1, 2, 3, 3])}, use_t=True
    )
    assert row["n_schools"] == 3
    assert row["se_cluster"] == pytest.approx(fit.bse[0], abs=1e-12)
