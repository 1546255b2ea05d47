"""Effect sizes (evaluation.stats.effect_sizes) against formulas written out here and pingouin.

pingouin 0.5: ``compute_effsize`` (Hedges' g for two groups; paired Cohen's d, which equals our
d_av when the pre and post SDs are equal), ``compute_esci`` (the CI of g), ``wilcoxon`` (the
matched-pairs rank-biserial r).
"""

from __future__ import annotations

import warnings

import numpy as np
import pingouin
import pytest
from scipy import stats

from evaluation.stats import effect_sizes as es

Z = 1.959963984540054  # standard normal 97.5% point


def test_d_z_is_mean_change_over_sd_change_and_t_over_root_n():
    d = np.array([1.0, 0, 2, 1, -1, 3, 1])
    assert es.cohens_d_z(d.mean(), d.std(ddof=1)) == pytest.approx(
        stats.ttest_1samp(d, 0).statistic / np.sqrt(len(d)), abs=1e-12
    )


def test_hedges_correction_is_one_minus_three_over_four_df_minus_one():
    df = np.array([1.0, 9, 38, 100])
    np.testing.assert_allclose(es.hedges_correction(df), 1 - 3 / (4 * df - 1))
    assert np.isnan(es.hedges_correction(0))


def test_g_av_equals_pingouin_paired_d_when_the_sds_are_equal():
    pre = np.array([1.0, 2, 3, 4, 5, 3, 2])
    post = pre[[2, 4, 3, 1, 0, 6, 5]] + 1.0  # same SD as pre, not the same people
    n = len(pre)
    d_av = pingouin.compute_effsize(post, pre, paired=True, eftype="cohen")
    j = 1 - 3 / (4 * (n - 1) - 1)
    g = es.hedges_g_av((post - pre).mean(), pre.std(ddof=1), post.std(ddof=1), n)
    assert g == pytest.approx(j * d_av, abs=1e-12)


def test_g_av_ci_is_bonett_paired_interval_with_a_t_quantile():
    # Bonett (2015) variance of d_av for equal SDs: d^2 (1 + r^2) / (4(n-1)) + 2(1 - r)/(n-1)
    g, n, r = 0.62, 25, 0.4
    j = 1 - 3 / (4 * 24 - 1)
    d = g / j
    se = j * np.sqrt(d**2 * (1 + r**2) / (4 * (n - 1)) + 2 * (1 - r) / (n - 1))
    low, high = es.hedges_g_av_ci(g, n, r)
    t = stats.t.ppf(0.975, n - 1)
    assert low == pytest.approx(g - t * se, abs=1e-12)
    assert high == pytest.approx(g + t * se, abs=1e-12)
    low90, _ = es.hedges_g_av_ci(g, n, r, level=0.90)
    assert low90 == pytest.approx(g - stats.t.ppf(0.95, n - 1) * se, abs=1e-12)


def test_g_av_ci_uses_the_ratio_of_the_pre_and_post_sds():
    g, n, r, s1, s2 = 0.5, 30, 0.7, 0.8, 1.2
    j = 1 - 3 / (4 * 29 - 1)
    d, s_av = g / j, (s1 + s2) / 2
    var = (d**2 * (s1**2 + s2**2 + 2 * r**2 * s1 * s2) / 8 + (s1**2 + s2**2 - 2 * r * s1 * s2)) / (
        (n - 1) * s_av**2
    )
    low, high = es.hedges_g_av_ci(g, n, r, sd_pre=s1, sd_post=s2)
    half = stats.t.ppf(0.975, n - 1) * j * np.sqrt(var)
    assert (low, high) == pytest.approx((g - half, g + half), abs=1e-12)
    # only the ratio matters
    scaled = es.hedges_g_av_ci(g, n, r, sd_pre=10 * s1, sd_post=10 * s2)
    assert scaled == pytest.approx((low, high), abs=1e-12)


def test_g_av_is_nan_not_zero_for_two_pairs():
    # D1: Hedges' J(1) = 1 - 3/3 = 0 made g_av exactly 0 next to a real change (failed before)
    assert es.hedges_correction(1) == 0.0
    assert np.isnan(es.hedges_g_av(3.2, 1.0, 1.2, 2))
    assert es.hedges_g_av(3.2, 1.0, 1.2, 3) == pytest.approx((1 - 3 / 7) * 3.2 / 1.1)
    low, high = es.hedges_g_av_ci(0.5, 2, 0.5)
    assert np.isnan(low) and np.isnan(high)


def test_d_z_ci_inverts_scipy_noncentral_t():
    d_z = np.array([0.0, 0.35, -0.8, 1.5, 0.2])
    n = np.array([10, 25, 7, 60, 2])
    low, high = es.cohens_d_z_ci(d_z, n)
    t = d_z * np.sqrt(n)
    np.testing.assert_allclose(stats.nct.cdf(t, n - 1, low * np.sqrt(n)), 0.975, atol=1e-9)
    np.testing.assert_allclose(stats.nct.cdf(t, n - 1, high * np.sqrt(n)), 0.025, atol=1e-9)
    # d_z = 0: P(T <= 0) = Phi(-lambda) for a noncentral t, so the limits are -/+ z / root n
    assert high[0] == pytest.approx(-low[0], abs=1e-9)
    assert high[0] == pytest.approx(stats.norm.ppf(0.975) / np.sqrt(10), abs=1e-9)


def test_d_z_ci_is_nan_where_it_cannot_be_worked_out():
    low, high = es.cohens_d_z_ci(np.array([np.nan, np.inf, 0.5]), np.array([10, 10, 1]))
    assert np.isnan(low).all() and np.isnan(high).all()
    low, high = es.cohens_d_z_ci(0.5, 30)
    assert isinstance(low, float) and low < 0.5 < high


def test_independent_hedges_g_and_ci_match_pingouin():
    rng = np.random.default_rng(8)
    for n_x, n_y in ((5, 7), (20, 20), (60, 13)):
        x, y = rng.normal(3.6, 1, n_x), rng.normal(3.0, 1.3, n_y)
        expected = pingouin.compute_effsize(x, y, paired=False, eftype="hedges")
        g = es.hedges_g(x.mean(), y.mean(), x.std(ddof=1), y.std(ddof=1), n_x, n_y)
        assert g == pytest.approx(expected, abs=1e-12)
        low, high = es.hedges_g_ci(g, n_x, n_y)
        ci = pingouin.compute_esci(g, n_x, n_y, eftype="cohen", decimals=12)
        assert (low, high) == pytest.approx(tuple(ci), abs=1e-9)


def test_mean_change_ci_matches_scipy_t_interval():
    d = np.array([0.5, 1.5, -0.5, 2.0, 1.0, 0.0])
    low, high = es.mean_change_ci(d.mean(), d.std(ddof=1), len(d))
    expected = stats.ttest_1samp(d, 0).confidence_interval()
    assert (low, high) == pytest.approx((expected.low, expected.high), abs=1e-12)


def test_rank_biserial_paired_matches_pingouin_and_kerby_formula():
    x = np.array([3.0, 4, 2, 5, 4, 4, 3, 5, 1])
    y = np.array([2.0, 4, 3, 3, 2, 4, 1, 2, 2])
    d = x - y
    d = d[d != 0]
    ranks = stats.rankdata(np.abs(d))
    r_plus, r_minus = ranks[d > 0].sum(), ranks[d < 0].sum()
    value = es.rank_biserial_paired(r_plus, r_minus)
    assert value == pytest.approx((r_plus - r_minus) / ranks.sum(), abs=1e-12)
    assert value == pytest.approx(pingouin.wilcoxon(x, y)["RBC"].iloc[0], abs=1e-12)


def test_rank_biserial_unpaired_matches_pingouin():
    x, y = np.array([3.0, 4, 5, 4, 5, 2]), np.array([2.0, 3, 3, 4, 1])
    u = stats.mannwhitneyu(x, y).statistic
    value = es.rank_biserial_unpaired(u, len(x), len(y))
    assert value == pytest.approx(pingouin.mwu(x, y)["RBC"].iloc[0], abs=1e-12)


def test_no_spread_gives_nan_not_infinity_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(es.cohens_d_z(1.0, 0.0))
        assert np.isnan(es.hedges_g_av(1.0, 0.0, 0.0, 5))
        assert np.isnan(es.hedges_g(3.0, 2.0, 0.0, 0.0, 4, 4))
        assert np.isnan(es.rank_biserial_paired(0.0, 0.0))
        low, high = es.mean_change_ci(1.0, 0.5, 1)
        assert np.isnan(low) and np.isnan(high)


def test_functions_work_on_arrays_of_groups():
    out = es.cohens_d_z(np.array([1.0, 2.0, 0.0]), np.array([0.5, 0.0, 1.0]))
    np.testing.assert_array_equal(out, [2.0, np.nan, 0.0])
