"""Tests for evaluation.stats.pooling: random-effects pooling against published and independent
values."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import optimize, stats

from evaluation import random_effects as exported
from evaluation.stats.pooling import control_limits, pooled_by, random_effects

# BCG vaccine trials (Colditz et al. 1994, JAMA 271:698-702), as metafor's dat.bcg:
# TB positive / negative among vaccinated (tpos, tneg) and unvaccinated (cpos, cneg).
TPOS = [4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27]
TNEG = [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886]
CPOS = [11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29]
CNEG = [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825]


def bcg_log_risk_ratios() -> tuple[np.ndarray, np.ndarray]:
    """Log risk ratios and their variances, as metafor's escalc(measure="RR")."""
    a, b, c, d = (np.array(x, dtype=float) for x in (TPOS, TNEG, CPOS, CNEG))
    yi = np.log((a / (a + b)) / (c / (c + d)))
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    return yi, vi


def close4(value: float, published: float) -> bool:
    """Agreement with a value published to 4 decimals (so within 1e-4 of it)."""
    return abs(value - published) <= 5e-5 + 1e-12


def test_bcg_reml_matches_published_metafor_results():
    # Published: Viechtbauer W (2010), "Conducting meta-analyses in R with the metafor package",
    # J Stat Softw 36(3), rma(yi, vi, data=dat) on dat.bcg: estimate -0.7145, se 0.1798,
    # CI -1.0669 to -0.3622, tau^2 0.3132, I^2 92.22%, Q(df = 12) = 152.2330.
    # Q also in metafor's tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (vs Stata).
    # I^2 = 0.9222139 as a proportion in easystats/performance's test of model_performance.rma.
    yi, vi = bcg_log_risk_ratios()
    res = random_effects(yi, vi, method="REML")
    assert res.k == 13
    assert close4(res.estimate, -0.7145)
    assert close4(res.se, 0.1798)
    assert close4(res.ci_low, -1.0669)
    assert close4(res.ci_high, -0.3622)
    assert close4(res.tau2, 0.3132)
    assert abs(res.i2 - 92.22139) < 1e-4
    assert close4(res.q, 152.2330)
    assert res.method == "REML"
    assert res.note is None


def test_bcg_reml_knapp_hartung_matches_published_metafor_results():
    # metafor: rma(yi, vi, data=dat, test="knha") on dat.bcg: estimate -0.7145, se 0.1808,
    # t = -3.952 on 12 df, CI -1.1084 to -0.3206 (Viechtbauer's documentation of rma.uni).
    yi, vi = bcg_log_risk_ratios()
    res = random_effects(yi, vi, method="REML", test="knha")
    assert res.test == "knha" and res.k == 13
    assert close4(res.estimate, -0.7145)
    assert close4(res.se, 0.1808)
    assert close4(res.ci_low, -1.1084)
    assert close4(res.ci_high, -0.3206)
    assert abs(res.estimate / res.se - (-3.952)) <= 5e-4
    # the interval is t on k - 1 = 12 df around the estimate
    t12 = stats.t.ppf(0.975, 12)
    assert res.ci_high - res.estimate == pytest.approx(t12 * res.se, abs=1e-12)
    # KH variance from the formula: SE_z^2 * sum w* (y - mu)^2 / (k - 1)
    w = 1 / (vi + res.tau2)
    se_kh = np.sqrt(np.sum(w * (yi - res.estimate) ** 2) / 12 / np.sum(w))
    assert res.se == pytest.approx(se_kh, abs=1e-12)
    # prediction interval as metafor's predict(): t on 12 df, sqrt(tau^2 + SE_KH^2)
    half = t12 * np.sqrt(res.tau2 + res.se**2)
    assert res.pi_low == pytest.approx(res.estimate - half, abs=1e-12)
    assert "Knapp–Hartung" in res.note
    # tau^2, I^2, Q do not depend on the test; test="z" keeps the published z values
    z = random_effects(yi, vi, method="REML", test="z")
    assert (z.tau2, z.i2, z.q) == (res.tau2, res.i2, res.q)
    assert close4(z.se, 0.1798) and close4(z.ci_low, -1.0669) and z.note is None


def test_knapp_hartung_with_one_hub_keeps_the_hub_result_and_rejects_unknown_tests():
    res = random_effects([0.4], [0.04], test="knha")
    assert res.estimate == 0.4 and res.ci_low == pytest.approx(0.4 - 1.959963984540054 * 0.2)
    with pytest.raises(ValueError, match="test must be one of"):
        random_effects([0.4, 0.5], [0.04, 0.04], test="t")


def test_bcg_dersimonian_laird_matches_published_metafor_and_stata_results():
    # metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r, checked there against
    # Stata's metan: estimate -0.7141, CI -1.0644 to -0.3638, z -3.9952, tau^2 0.3088,
    # I^2 92.1173; SE 0.1787 (= estimate / z).
    yi, vi = bcg_log_risk_ratios()
    res = random_effects(yi, vi, method="DL")
    assert close4(res.estimate, -0.7141)
    assert close4(res.se, 0.1787)
    assert close4(res.ci_low, -1.0644)
    assert close4(res.ci_high, -0.3638)
    assert close4(res.estimate / res.se, -3.9952)
    assert close4(res.tau2, 0.3088)
    assert close4(res.i2, 92.1173)
    assert close4(res.q, 152.2330)


def test_q_p_value_and_prediction_interval_follow_the_formulas():
    yi, vi = bcg_log_risk_ratios()
    res = random_effects(yi, vi)
    assert res.q_p == pytest.approx(stats.chi2.sf(res.q, 12), rel=1e-12)
    # Higgins, Thompson & Spiegelhalter (2009): mu +/- t_{k-2} sqrt(tau^2 + SE^2),
    # written out with the published REML values.
    half = stats.t.ppf(0.975, 11) * math.sqrt(0.3132 + 0.1798**2)
    assert res.pi_low == pytest.approx(-0.7145 - half, abs=1e-3)
    assert res.pi_high == pytest.approx(-0.7145 + half, abs=1e-3)


def test_dl_equals_the_closed_form_written_out():
    y = np.array([0.1, 0.45, 0.3, 0.9, -0.2])
    v = np.array([0.02, 0.05, 0.01, 0.08, 0.04])
    w = 1 / v
    mu_fe = (w * y).sum() / w.sum()
    q = (w * (y - mu_fe) ** 2).sum()
    tau2 = max(0.0, (q - 4) / (w.sum() - (w**2).sum() / w.sum()))
    ws = 1 / (v + tau2)
    res = random_effects(y, v, method="DL")
    assert res.tau2 == pytest.approx(tau2, rel=1e-12)
    assert res.q == pytest.approx(q, rel=1e-12)
    assert res.estimate == pytest.approx((ws * y).sum() / ws.sum(), rel=1e-12)
    assert res.se == pytest.approx(math.sqrt(1 / ws.sum()), rel=1e-12)
    assert res.i2 == pytest.approx(100 * (q - 4) / q, rel=1e-9)  # DL: I^2 = (Q - df) / Q


def test_dl_matches_statsmodels_combine_effects():
    from statsmodels.stats.meta_analysis import combine_effects

    yi, vi = bcg_log_risk_ratios()
    sm = combine_effects(yi, vi, method_re="chi2")  # "chi2" is DerSimonian-Laird
    res = random_effects(yi, vi, method="DL")
    assert res.estimate == pytest.approx(sm.mean_effect_re, rel=1e-10)
    assert res.tau2 == pytest.approx(sm.tau2, rel=1e-10)
    assert res.se == pytest.approx(sm.sd_eff_w_re, rel=1e-10)


def reml_tau2_by_direct_maximisation(y: np.ndarray, v: np.ndarray) -> float:
    """Maximise the restricted log-likelihood numerically (independent of Fisher scoring)."""

    def negative(tau2: float) -> float:
        w = 1 / (v + tau2)
        mu = (w * y).sum() / w.sum()
        return 0.5 * (np.log(v + tau2).sum() + np.log(w.sum()) + (w * (y - mu) ** 2).sum())

    upper = 10 * (np.var(y) + v.max()) + 1
    found = optimize.minimize_scalar(
        negative, bounds=(0, upper), method="bounded", options={"xatol": 1e-12}
    )
    return 0.0 if negative(0.0) <= found.fun else float(found.x)


@given(
    st.lists(
        st.tuples(
            st.floats(-2, 2, allow_nan=False),
            st.floats(0.005, 1.0, allow_nan=False),
        ),
        min_size=2,
        max_size=12,
    )
)
# A flat likelihood where Fisher scoring creeps and once fell back to the DL value.
@example([(0.0, 0.9375), (0.0, 0.068359375), (1.44140625, 0.6875), (-0.9140625, 0.53125)])
def test_reml_tau2_maximises_the_restricted_likelihood(pairs):
    y = np.array([p[0] for p in pairs])
    v = np.array([p[1] for p in pairs])
    res = random_effects(y, v, method="REML")
    assert res.tau2 == pytest.approx(reml_tau2_by_direct_maximisation(y, v), abs=1e-6)


def test_reml_with_two_hubs_has_tau2_but_no_prediction_interval():
    y, v = np.array([0.1, 0.9]), np.array([0.01, 0.02])
    res = random_effects(y, v)
    assert res.k == 2
    assert res.tau2 == pytest.approx(reml_tau2_by_direct_maximisation(y, v), abs=1e-8)
    assert math.isnan(res.pi_low) and math.isnan(res.pi_high)
    assert "at least 3 hubs" in res.note


def test_a_single_hub_returns_its_own_result_and_no_heterogeneity():
    res = random_effects([0.42], [0.04])
    assert res.k == 1
    assert res.estimate == 0.42
    assert res.se == pytest.approx(0.2)
    assert res.ci_low == pytest.approx(0.42 - 1.959963985 * 0.2)
    assert math.isnan(res.tau2) and math.isnan(res.i2) and math.isnan(res.q_p)
    assert math.isnan(res.pi_low)
    assert "Only one hub" in res.note


@pytest.mark.parametrize("method", ["REML", "DL"])
def test_identical_effects_give_zero_between_hub_variance(method):
    res = random_effects([0.3, 0.3, 0.3, 0.3], [0.01, 0.02, 0.05, 0.03], method=method)
    assert res.tau2 == 0.0
    assert res.i2 == 0.0
    assert res.q == pytest.approx(0.0, abs=1e-15)
    assert res.estimate == pytest.approx(0.3)
    # With tau^2 = 0 the pooled SE is the fixed-effect one.
    assert res.se == pytest.approx(math.sqrt(1 / (100 + 50 + 20 + 1 / 0.03)))


def test_a_hub_with_zero_variance_is_left_out_with_a_note():
    res = random_effects([0.2, 0.5, 0.4, 1.0], [0.02, 0.03, 0.04, 0.0])
    ref = random_effects([0.2, 0.5, 0.4], [0.02, 0.03, 0.04])
    assert res.k == 3 and res.k_excluded == 1
    assert res.estimate == ref.estimate and res.tau2 == ref.tau2
    assert "standard error 0" in res.note


def test_missing_effects_are_left_out_and_no_hubs_gives_nan():
    res = random_effects([0.2, float("nan"), 0.4], [0.02, 0.03, float("nan")])
    assert res.k == 1 and res.k_excluded == 2
    empty = random_effects([], [])
    assert empty.k == 0 and math.isnan(empty.estimate)
    assert "No hubs" in empty.note


def test_result_is_frozen_and_exported_from_the_package():
    res = exported([0.1, 0.2, 0.3], [0.01, 0.01, 0.01])
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.estimate = 0  # type: ignore[misc]
    assert {f.name for f in dataclasses.fields(res)} >= {
        "estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q", "q_p", "pi_low", "pi_high", "k",
    }  # fmt: skip


def test_unknown_method_is_a_programmer_error():
    with pytest.raises(ValueError, match="method"):
        random_effects([0.1, 0.2], [0.01, 0.01], method="ML")


def test_pooled_by_gives_the_same_numbers_as_random_effects_for_every_group():
    rng = np.random.default_rng(7)
    rows = []
    for ncp in ["P", "Q", "R"]:
        for item in ["confidence", "practice"]:
            for h in range(int(rng.integers(1, 9))):
                n = int(rng.integers(3, 60))
                d = float(rng.normal(0.5, 0.3))
                rows.append(
                    {"ncp": ncp, "item": item, "hub": f"H{h}", "n_paired": float(n), "d_z": d,
                     "d_z_se": math.sqrt(1 / n + d * d / (2 * n)), "suppressed": n < 5}
                )  # fmt: skip
    table = pd.DataFrame(rows)
    for method, test in itertools.product(("REML", "DL"), ("z", "knha")):
        pooled = pooled_by(table, ["ncp", "item"], method=method, test=test)
        assert len(pooled) == table.groupby(["ncp", "item"]).ngroups
        for _, row in pooled.iterrows():
            group = table[(table.ncp == row.ncp) & (table.item == row["item"])]
            used = group[~group.suppressed]
            ref = random_effects(used.d_z, used.d_z_se**2, method=method, test=test)
            assert row.k == ref.k
            assert row.k_suppressed == int(group.suppressed.sum())
            assert row.n_respondents == int(used.n_paired.sum())
            for field in ("estimate", "se", "tau2", "i2", "q", "pi_low", "pi_high"):
                a, b = row[field], getattr(ref, field)
                assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-9)


def test_pooled_by_says_how_many_hubs_were_hidden():
    table = pd.DataFrame(
        {"ncp": ["P"] * 4, "d_z": [0.2, 0.4, np.nan, 0.6], "d_z_se": [0.1, 0.2, np.nan, 0.15],
         "n_paired": [40.0, 20.0, np.nan, 30.0], "suppressed": [False, False, True, False]}
    )  # fmt: skip
    row = pooled_by(table, ["ncp"]).iloc[0]
    assert row.k == 3 and row.k_suppressed == 1 and row.n_respondents == 90
    assert "1 hub not included" in row.note


def test_control_limits_use_spiegelhalter_z_values():
    low, high = control_limits(0.5, np.array([0.1, 0.2]), 0.95)
    assert high == pytest.approx(0.5 + 1.959963985 * np.array([0.1, 0.2]))
    low, high = control_limits(0.0, 1.0, 0.998)
    assert float(high) == pytest.approx(3.090232306, rel=1e-9)
