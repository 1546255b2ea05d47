"""Tests for evaluation.stats.national: per-hub effects, pooled overview, trends and funnel data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.stats.national import (
    cross_ncp_overview,
    d_z_standard_error,
    funnel_data,
    hub_effects,
    national_table,
    pool_hubs,
    trends,
)
from evaluation.stats.pooling import random_effects


@pytest.fixture(autouse=True)
def _no_env_threshold(monkeypatch):
    monkeypatch.delenv("IMPACT_MIN_N", raising=False)


def paired_results(seed: int = 3, years: tuple[str, ...] = ()) -> pd.DataFrame:
    """A small results table with the documented paired_change columns."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in years or (None,):
        for ncp, n_hubs in (("Mastering Number at KS2", 8), ("SKTM Primary Teachers", 4)):
            for h in range(n_hubs):
                for item in ("confidence", "conf_1"):
                    n = int(rng.integers(2, 60))
                    sd = float(rng.uniform(0.5, 1.2))
                    mean = float(rng.normal(0.5, 0.2))
                    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
                    row = {
                        "hub": f"Hub {chr(65 + h)}", "ncp": ncp, "item": item,
                        "design": "paired", "n_pre": n + 3, "n_post": n + 1, "n_paired": n,
                        "mean_pre": 3.0, "mean_post": 3.0 + mean, "mean_change": mean,
                        "sd_change": sd, "ci_low": mean - half, "ci_high": mean + half,
                        "d_z": mean / sd, "reason": None,
                    }  # fmt: skip
                    if year:
                        row["academic_year"] = year
                    rows.append(row)
    return pd.DataFrame(rows)


def test_d_z_standard_error_agrees_with_the_exact_noncentral_t_variance():
    # d_z = t / sqrt(n) with t ~ noncentral t(n - 1, delta sqrt(n)); for large n its variance
    # approaches 1/n + delta^2 / (2n).
    n, delta = 2000, 0.6
    exact = stats.nct.var(n - 1, delta * math.sqrt(n)) / n
    assert d_z_standard_error(delta, n) ** 2 == pytest.approx(exact, rel=2e-3)


def test_hub_effects_standard_errors_and_intervals():
    res = paired_results()
    out = hub_effects(res, outcome="confidence", ncp="Mastering Number at KS2", min_n=2)
    src = res[(res.item == "confidence") & (res.ncp == "Mastering Number at KS2")]
    src = src.sort_values("hub").reset_index(drop=True)
    assert out["hub"].tolist() == src["hub"].tolist()
    n = src["n_paired"].to_numpy(dtype=float)
    np.testing.assert_allclose(out["mean_change_se"], src["sd_change"] / np.sqrt(n))
    np.testing.assert_allclose(out["mean_change_ci_low"], src["ci_low"])
    d = src["d_z"].to_numpy()
    se = np.sqrt(1 / n + d**2 / (2 * n))
    np.testing.assert_allclose(out["d_z_se"], se)
    np.testing.assert_allclose(out["d_z_ci_high"], d + 1.959963984540054 * se)
    assert not out["suppressed"].any()


def test_small_hubs_are_suppressed_and_protected_from_subtraction():
    res = paired_results()
    res.loc[res.index[0], "n_paired"] = 3  # Hub A, KS2, confidence
    out = hub_effects(res, outcome="confidence", ncp="Mastering Number at KS2")
    hidden = out[out.suppressed]
    assert "Hub A" in hidden.hub.tolist()
    assert len(hidden) >= 2  # secondary suppression hid the next smallest as well
    assert hidden[["n_paired", "d_z", "mean_change", "d_z_se"]].isna().all().all()
    primary = out.set_index("hub").loc["Hub A", "suppression_reason"]
    assert primary == "fewer than 5 respondents"


def test_undefined_d_z_when_everyone_changed_equally_is_not_pooled():
    res = paired_results()
    first = res.index[0]
    res.loc[first, ["sd_change", "d_z", "n_paired"]] = [0.0, np.inf, 40]
    hubs = hub_effects(res, outcome="confidence", ncp="Mastering Number at KS2", min_n=2)
    assert math.isnan(hubs.loc[hubs.hub == "Hub A", "d_z"].iloc[0])
    row = pool_hubs(hubs)
    assert row["k_excluded"] == 1 and "no result" in row["note"]


def test_unpaired_rows_are_not_compared_as_hubs():
    res = paired_results()
    res.loc[res.index[0], "design"] = "unpaired"
    out = hub_effects(res, outcome="confidence", min_n=2)
    assert len(out) == len(res[res.item == "confidence"]) - 1


def test_overview_pools_every_ncp_with_only_the_unsuppressed_hubs():
    res = paired_results()
    res.loc[res.index[:6], "n_paired"] = 3
    overview = cross_ncp_overview(res)
    assert len(overview) == 4  # 2 NCPs x 2 outcomes
    hubs = hub_effects(res)
    for _, row in overview.iterrows():
        group = hubs[(hubs.ncp == row.ncp) & (hubs["item"] == row["item"])]
        used = group[~group.suppressed]
        ref = random_effects(used.d_z, used.d_z_se**2)
        assert row.k == ref.k and row.k_suppressed == int(group.suppressed.sum())
        assert row.n_respondents == int(used.n_paired.sum())
        assert row.estimate == pytest.approx(ref.estimate, abs=1e-12)
        assert row.tau2 == pytest.approx(ref.tau2, abs=1e-12)
    assert (overview.k_suppressed > 0).any()


def test_overview_can_pool_the_raw_mean_change_with_dl():
    res = paired_results()
    overview = cross_ncp_overview(res, effect="mean_change", method="DL", outcomes=["conf_1"])
    # every hub with enough respondents is pooled (D7), also one hidden for a secondary reason
    hubs = hub_effects(res, outcome="conf_1", secondary=False)
    ks2 = hubs[(hubs.ncp == "Mastering Number at KS2") & ~hubs.suppressed]
    ref = random_effects(ks2.mean_change, ks2.mean_change_se**2, method="DL", test="knha")
    row = overview[overview.ncp == "Mastering Number at KS2"].iloc[0]
    assert row.effect == "mean_change" and row.method == "DL"
    assert row.estimate == pytest.approx(ref.estimate, abs=1e-12)


def test_trend_for_a_hub_has_its_result_and_the_national_line_each_year():
    res = paired_results(years=("2023/24", "2024/25"))
    out = trends(res, outcome="confidence", hub="Hub B", ncp="Mastering Number at KS2")
    assert out["academic_year"].tolist() == ["2023/24", "2023/24", "2024/25", "2024/25"]
    assert out["level"].tolist() == ["hub", "national", "hub", "national"]
    hubs = hub_effects(res, outcome="confidence", ncp="Mastering Number at KS2")
    for year in ("2023/24", "2024/25"):
        year_hubs = hubs[(hubs.academic_year == year) & ~hubs.suppressed]
        ref = random_effects(year_hubs.d_z, year_hubs.d_z_se**2)
        national = out[(out.academic_year == year) & (out.level == "national")].iloc[0]
        assert national.estimate == pytest.approx(ref.estimate, abs=1e-12)
        mine = hubs[(hubs.academic_year == year) & (hubs.hub == "Hub B")].iloc[0]
        shown = out[(out.academic_year == year) & (out.level == "hub")].iloc[0]
        assert bool(shown.suppressed) == bool(mine.suppressed)
        if not mine.suppressed:
            assert shown.estimate == mine.d_z and shown.n == mine.n_paired


def test_trend_for_an_ncp_pools_its_hubs_against_all_ncps():
    res = paired_results(years=("2023/24", "2024/25"))
    out = trends(res, outcome="confidence", ncp="SKTM Primary Teachers")
    assert set(out.level) == {"ncp", "national"}
    national = out[out.level == "national"]
    assert (national.k > out[out.level == "ncp"].k.to_numpy()).all()


def test_trends_need_a_year_column_and_a_hub_or_ncp():
    with pytest.raises(ValueError, match="academic_year"):
        trends(paired_results(), outcome="confidence", hub="Hub A")
    with pytest.raises(ValueError, match="hub or an NCP"):
        trends(paired_results(years=("2024/25",)), outcome="confidence")


def test_funnel_bands_follow_limits_computed_under_the_target():
    hubs = pd.DataFrame(
        {"hub": ["A", "B", "C", "D"], "n_paired": [20.0, 80.0, 40.0, np.nan],
         "d_z": [0.3, 0.5, 1.6, np.nan], "d_z_se": [0.23, 0.12, 0.24, np.nan],
         "sd_change": [1.0, 1.0, 1.0, np.nan], "suppressed": [False, False, False, True]}
    )  # fmt: skip
    target = 0.55
    data = funnel_data(hubs, {"estimate": target, "tau2": 0.0})
    assert data.hidden == ("D",)
    for _, p in data.points.iterrows():
        se0 = math.sqrt(1 / p.n + target**2 / (2 * p.n))
        z = abs(p.effect - target) / se0
        expected = "outside 99.8%" if z > 3.0902 else "outside 95%" if z > 1.96 else "within"
        assert p.band == expected
    lim = data.limits
    np.testing.assert_allclose(
        lim.high_95 - target, 1.959963984540054 * np.sqrt(1 / lim.n + target**2 / (2 * lim.n))
    )


def test_funnel_with_overdispersion_widens_the_limits():
    hubs = hub_effects(paired_results(), outcome="confidence", ncp="Mastering Number at KS2")
    narrow = funnel_data(hubs, {"estimate": 0.5, "tau2": 0.05})
    wide = funnel_data(hubs, {"estimate": 0.5, "tau2": 0.05}, overdispersion=True)
    assert (wide.limits.high_95 > narrow.limits.high_95).all()


def test_national_table_lists_hubs_by_effect_then_hidden_then_pooled():
    res = paired_results()
    res.loc[res.index[0], "n_paired"] = 2
    hubs = hub_effects(res, outcome="confidence", ncp="Mastering Number at KS2")
    pooled = pool_hubs(hubs)
    table = national_table(hubs, pooled)
    shown = table[(table.row == "hub") & ~table.suppressed]
    assert shown.d_z.is_monotonic_decreasing
    assert table.suppressed.tolist()[-3:-1] == [True, True]
    last = table.iloc[-1]
    assert last.row == "pooled" and last.d_z == pooled.estimate
    # the hub hidden for a secondary reason is pooled; only the small one is left out (D7)
    assert last.hub == f"Pooled (REML, Knapp–Hartung): {int(pooled.k)} hubs used, 1 hidden"
    assert int(pooled.k) == len(shown) + 1
    # its size is not shown: it would give away the small hub's size from a total
    assert np.isnan(last.n_paired)


def test_real_paired_results_on_the_sample_pool_consistently(sample_dir):
    from evaluation.instruments import default_instrument
    from evaluation.stats.paired import paired_change
    from evaluation.stats.scoring import to_long

    surveys = pd.read_csv(sample_dir / "surveys.csv")
    long = to_long(surveys, default_instrument(), keys=("hub", "ncp"))
    long = long[long["item"].eq("confidence")]
    paired = paired_change(long, by=["hub", "ncp"])
    overview = cross_ncp_overview(paired)
    assert overview.ncp.nunique() == surveys.ncp.nunique()
    hubs = hub_effects(paired)
    assert hubs.suppressed.any()
    assert not (hubs.loc[~hubs.suppressed, "n_paired"] < 5).any()
    row = overview.loc[overview.k.idxmax()]
    used = hubs[(hubs.ncp == row.ncp) & ~hubs.suppressed]
    ref = random_effects(used.d_z, used.d_z_se**2)
    assert row.estimate == pytest.approx(ref.estimate, abs=1e-12)


def _three_hubs(sizes):
    return pd.DataFrame(
        {"hub": ["A", "B", "C"][: len(sizes)], "ncp": "P", "item": "confidence",
         "n_paired": sizes, "mean_change": 0.4, "sd_change": 1.0,
         "d_z": [0.2, 0.5, 0.9][: len(sizes)]}
    )  # fmt: skip


def test_a_hub_with_no_matched_respondents_never_hides_another():
    # D7 (failed before: sizes 0 and 30 hid the 30-person hub)
    out = hub_effects(_three_hubs([0, 30]), min_n=5)
    assert out["suppressed"].tolist() == [True, False]
    assert out.loc[1, "d_z"] == 0.5
    # a hub of 3 still protects itself by hiding the next smallest
    out = hub_effects(_three_hubs([3, 30, 40]), min_n=5)
    assert out["suppressed"].tolist() == [True, True, False]


def test_hidden_hubs_say_whether_small_or_secondary_and_pools_keep_secondary_ones():
    # D7 (failed before: pooled values left out the hub hidden for a secondary reason)
    hubs = hub_effects(_three_hubs([3, 30, 40]), min_n=5)
    kinds = [k if isinstance(k, str) else None for k in hubs["suppression_kind"]]
    assert kinds == ["small", "secondary", None]
    pooled = pool_hubs(hubs)
    assert int(pooled["k"]) == 2 and int(pooled["k_suppressed"]) == 1
    se = np.sqrt(1 / np.array([30, 40]) + np.array([0.5, 0.9]) ** 2 / (2 * np.array([30, 40])))
    ref = random_effects([0.5, 0.9], se**2, test="knha")
    assert float(pooled["estimate"]) == pytest.approx(ref.estimate, abs=1e-12)
    overview = cross_ncp_overview(_three_hubs([3, 30, 40]), min_n=5)
    assert int(overview.loc[0, "k"]) == 2
    assert overview.loc[0, "estimate"] == pytest.approx(ref.estimate, abs=1e-12)
