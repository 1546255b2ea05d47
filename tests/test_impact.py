"""Impact against a comparison group (evaluation.stats.impact and evaluation.stats.multilevel).

Expected numbers come from statsmodels 0.15 fitted directly in the test (``smf.mixedlm`` with
REML, ``OLS.fit(cov_type="cluster")``) and from formulas written out here; data are generated in
the test with a known true effect, 30+ schools and an ICC between 0.1 and 0.2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from evaluation.instruments import default_instrument
from evaluation.stats.impact import IMPACT_COLUMNS, impact, pupil_impact, survey_impact
from evaluation.stats.multilevel import MIN_CLUSTERS_MIXED, fit_ancova
from evaluation.stats.pooling import pooled_by, random_effects
from evaluation.stats.pupils import eef_months

TRUE_EFFECT = 1.2  # MTC marks


def simulate_pupils(
    seed: int,
    *,
    schools: int = 36,
    per_school: int = 12,
    icc: float = 0.15,
    effect: float = TRUE_EFFECT,
    lost: float = 0.0,
) -> dict[str, np.ndarray]:
    """Per pupil: school, arm, pre and post score, and whether the post-test was kept.

    Half the schools are intervention; post = 4 + 0.8 pre + effect + u + e. The outcome's total
    variance given the pre-test is 9 (SD 3), of which ``icc`` between schools.
    """
    rng = np.random.default_rng(seed)
    school = np.repeat(np.arange(schools), per_school)
    n = school.size
    treated = (school % 2 == 0).astype(float)
    pre = rng.normal(15, 4, n) + rng.normal(0, 1.5, schools)[school]
    u = rng.normal(0, np.sqrt(9 * icc), schools)[school]
    post = 4 + 0.8 * pre + effect * treated + u + rng.normal(0, np.sqrt(9 * (1 - icc)), n)
    keep_post = rng.random(n) >= lost
    return {"school": school, "treated": treated, "pre": pre, "post": post, "kept": keep_post}


def generate_pupils(seed: int, **scenario: float) -> pd.DataFrame:
    """Long pupil frame of :func:`simulate_pupils` (same keyword arguments)."""
    sim = simulate_pupils(seed, **scenario)
    n, keep_post = sim["school"].size, sim["kept"]
    school, pre, post = sim["school"], sim["pre"], sim["post"]
    frame = pd.DataFrame(
        {
            "pupil_id": np.concatenate([np.arange(n), np.arange(n)[keep_post]]),
            "school_urn": np.concatenate([school, school[keep_post]]) + 100000,
            "phase": ["pre"] * n + ["post"] * int(keep_post.sum()),
            "score": np.concatenate([pre, post[keep_post]]),
        }
    )
    arm = np.where(frame["school_urn"] % 2 == 0, "intervention", "comparison")
    return frame.assign(group=arm)


def wide_for_statsmodels(pupils: pd.DataFrame) -> pd.DataFrame:
    """One row per pupil with both scores, built with a plain pandas pivot."""
    wide = pupils.pivot_table(
        index=["pupil_id", "school_urn", "group"], columns="phase", values="score"
    ).reset_index()
    wide = wide.dropna(subset=["pre", "post"])
    return wide.assign(treated=(wide["group"] == "intervention").astype(float))


@pytest.fixture(scope="module")
def pupils() -> pd.DataFrame:
    return generate_pupils(2024, lost=0.1)


@pytest.fixture(scope="module")
def result(pupils: pd.DataFrame) -> pd.Series:
    table = pupil_impact(pupils)
    assert list(table.columns) == list(IMPACT_COLUMNS)
    return table.iloc[0]


def fit_mixedlm(formula: str, data: pd.DataFrame):
    """statsmodels MixedLM, REML, with a derivative-free optimiser run to a tight tolerance.

    statsmodels' default (BFGS from its own start, default tolerance) stops short of the REML
    maximum on these data: it reports convergence after a retry, but its log-likelihood is
    lower than Powell's and its standard error is 3% off. Powell with tight tolerances reaches
    the maximum, so it is the reference here.
    """
    model = smf.mixedlm(formula, data, groups=data["school_urn"])
    return model.fit(reml=True, method="powell", ftol=1e-12)


def test_estimate_and_se_equal_statsmodels_mixedlm(pupils, result):
    data = wide_for_statsmodels(pupils)
    fitted = fit_mixedlm("post ~ treated + pre", data)
    assert fitted.converged
    default = smf.mixedlm("post ~ treated + pre", data, groups=data["school_urn"])
    with pytest.warns(Warning):  # statsmodels' own retries
        assert default.fit(reml=True).llf <= fitted.llf + 1e-9
    assert result["estimate"] == pytest.approx(fitted.fe_params["treated"], rel=1e-4)
    assert result["se"] == pytest.approx(fitted.bse_fe["treated"], rel=1e-4)
    assert result["model"].startswith("mixed model (REML)")


def test_g_is_estimate_over_unconditional_total_sd(pupils, result):
    data = wide_for_statsmodels(pupils)
    null = fit_mixedlm("post ~ 1", data)
    total = float(null.cov_re.iloc[0, 0]) + null.scale
    assert result["g"] == pytest.approx(result["estimate"] / np.sqrt(total), rel=1e-4)
    assert result["g_ci_low"] == pytest.approx(result["ci_low"] / np.sqrt(total), rel=1e-4)
    assert result["g_ci_high"] == pytest.approx(result["ci_high"] / np.sqrt(total), rel=1e-4)
    assert result["icc"] == pytest.approx(float(null.cov_re.iloc[0, 0]) / total, rel=1e-3)
    assert result["months"] == eef_months(result["g"])


def test_interval_is_t_with_clusters_minus_two_df(result):
    crit = stats.t.ppf(0.975, 36 - 2)
    assert result["df"] == 34
    assert result["ci_low"] == pytest.approx(result["estimate"] - crit * result["se"], rel=1e-12)
    assert result["ci_high"] == pytest.approx(result["estimate"] + crit * result["se"], rel=1e-12)
    t = result["estimate"] / result["se"]
    assert result["p"] == pytest.approx(2 * stats.t.sf(abs(t), 34), rel=1e-9)


def test_counts_attrition_and_difference_in_differences(pupils, result):
    data = wide_for_statsmodels(pupils)
    by_arm = data.groupby("group")
    assert result["n_intervention"] == by_arm.size()["intervention"]
    assert result["n_comparison"] == by_arm.size()["comparison"]
    assert result["n_clusters"] == 36
    assert result["n_clusters_intervention"] == result["n_clusters_comparison"] == 18
    change = (data["post"] - data["pre"]).groupby(data["group"]).mean()
    assert result["did"] == pytest.approx(change["intervention"] - change["comparison"])
    n_pre = pupils.loc[pupils["phase"] == "pre", "pupil_id"].nunique()
    assert result["attrition"] == pytest.approx(1 - len(data) / n_pre)
    assert 0 <= result["security"] <= 2  # comparison design adjusted for the pre-test only
    assert result["reason"] is None


def test_true_effect_inside_the_interval_in_at_least_93_percent_of_200_simulations():
    # Small schools keep each fit quick; the model, the df and the interval are those of
    # pupil_impact (fit_ancova is the function it calls, here on the arrays directly).
    # Nobody is lost, so the simulated arrays are the pivoted pupil table's columns, in its
    # order (checked on the first scenario), without building and pivoting 200 frames.
    scenario = {"schools": 32, "per_school": 6, "icc": 0.2}
    covered = 0
    for seed in range(200):
        sim = simulate_pupils(seed, **scenario)
        arrays = (sim["post"], sim["treated"], sim["pre"], sim["school"] + 100000)
        if seed == 0:
            data = wide_for_statsmodels(generate_pupils(seed, **scenario))
            for array, column in zip(arrays, ("post", "treated", "pre", "school_urn"), strict=True):
                np.testing.assert_array_equal(array, data[column].to_numpy(), strict=True)
        fit = fit_ancova(*arrays)
        covered += fit.ci_low <= TRUE_EFFECT <= fit.ci_high
    assert covered / 200 >= 0.93


def test_few_schools_fall_back_to_ols_with_cluster_robust_errors():
    pupils = generate_pupils(7, schools=MIN_CLUSTERS_MIXED - 2, per_school=15)
    row = pupil_impact(pupils).iloc[0]
    data = wide_for_statsmodels(pupils)
    exog = sm.add_constant(data[["treated", "pre"]])
    ols = sm.OLS(data["post"], exog).fit(
        cov_type="cluster", cov_kwds={"groups": data["school_urn"]}, use_t=True
    )
    assert row["model"].startswith("OLS ANCOVA") and "CR1" in row["model"]
    assert row["estimate"] == pytest.approx(ols.params["treated"], rel=1e-9)
    assert row["se"] == pytest.approx(ols.bse["treated"], rel=1e-9)
    low, high = ols.conf_int().loc["treated"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9)
    assert row["p"] == pytest.approx(ols.pvalues["treated"], rel=1e-9)


def test_an_arm_with_one_school_gives_a_reason_not_a_number():
    pupils = generate_pupils(3)
    comparison = pupils["group"] == "comparison"
    one_school = pupils["school_urn"] == pupils.loc[comparison, "school_urn"].iloc[0]
    row = pupil_impact(pupils[~comparison | one_school]).iloc[0]
    assert np.isnan(row["estimate"]) and pd.isna(row["security"])
    assert row["reason"].startswith("The comparison group has pupils from only 1 school")


def test_a_single_arm_and_no_pre_test_give_reasons():
    pupils = generate_pupils(3)
    single = pupil_impact(pupils[pupils["group"] == "intervention"]).iloc[0]
    assert "no comparison group" in single["reason"]
    no_pre = pupil_impact(pupils[pupils["phase"] == "post"]).iloc[0]
    assert "pre" in no_pre["reason"] and np.isnan(no_pre["g"])


def test_per_hub_impacts_pool_with_the_random_effects_machinery():
    pupils = generate_pupils(11, schools=40, per_school=5)
    pupils["hub"] = np.where(pupils["school_urn"] % 4 < 2, "North", "South")
    table = pupil_impact(pupils, by=["hub"])
    pooled = pooled_by(table, [], effect="g", se="g_se", n_col="n_intervention")
    direct = random_effects(table["g"], table["g_se"] ** 2)
    assert pooled["estimate"].iloc[0] == pytest.approx(direct.estimate, rel=1e-9)
    np.testing.assert_allclose(table["g_se"], table["se"] * table["g"] / table["estimate"])


def test_one_result_per_group_and_no_months_for_teachers():
    pupils = generate_pupils(11, schools=40, per_school=5)
    pupils["hub"] = np.where(pupils["school_urn"] % 4 < 2, "North", "South")
    table = pupil_impact(pupils, by=["hub"])
    assert table["hub"].tolist() == ["North", "South"]
    assert table["n_clusters"].tolist() == [20, 20]


def test_survey_impact_per_construct_clustered_by_work_group():
    rng = np.random.default_rng(8)
    teachers = 240
    work_group = np.repeat(np.arange(24), 10)
    arm = np.where(work_group < 12, "intervention", "comparison")
    base = rng.normal(3, 0.6, teachers)
    group_effect = rng.normal(0, 0.35, 24)[work_group]
    rows = []
    for phase, shift in (("pre", 0.0), ("post", 0.2)):
        answer = base + shift + 0.4 * (arm == "intervention") * (phase == "post")
        answer = answer + group_effect * (phase == "post")
        answer = answer + rng.normal(0, 0.4, teachers)
        items = {
            item: np.clip(np.round(answer + rng.normal(0, 0.3, teachers)), 1, 5)
            for item in ("conf_1", "conf_2")
        }
        rows.append(
            pd.DataFrame(
                {
                    "respondent_id": np.arange(teachers).astype(str),
                    "phase": phase,
                    "work_group": work_group.astype(str),
                    "group": arm,
                    **items,
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    table = survey_impact(frame, default_instrument(), outcomes=["confidence", "conf_1"])
    assert sorted(table["outcome"]) == ["conf_1", "confidence"]
    row = table.set_index("outcome").loc["confidence"]
    assert "Work Group" in row["model"] and row["n_clusters"] == 24
    assert pd.isna(row["months"])
    # the construct score here is the mean of the two answered confidence items
    scores = frame.assign(score=frame[["conf_1", "conf_2"]].mean(axis=1))
    wide = scores.pivot_table(
        index=["respondent_id", "work_group", "group"], columns="phase", values="score"
    ).reset_index()
    wide["treated"] = (wide["group"] == "intervention").astype(float)
    fitted = smf.mixedlm("post ~ treated + pre", wide, groups=wide["work_group"]).fit(
        reml=True, method="powell", ftol=1e-12
    )
    assert row["estimate"] == pytest.approx(fitted.fe_params["treated"], rel=1e-4)
    assert row["se"] == pytest.approx(fitted.bse_fe["treated"], rel=1e-4)


def test_impact_table_is_empty_with_its_columns_when_there_is_nothing():
    empty = pd.DataFrame(columns=["outcome", "group", "school_urn", "pre", "post"])
    assert list(impact(empty).columns) == list(IMPACT_COLUMNS)


def test_rows_without_a_group_are_the_projects_and_other_values_take_no_part(pupils, result):
    unmarked = pupils.assign(group=pupils["group"].where(pupils["group"] == "comparison"))
    same = pupil_impact(unmarked).iloc[0]
    assert same["estimate"] == pytest.approx(result["estimate"], rel=1e-9)
    extra = generate_pupils(99, schools=4).assign(group="pilot")
    extra["school_urn"] += 1000
    row = pupil_impact(pd.concat([pupils, extra], ignore_index=True)).iloc[0]
    assert row["estimate"] == pytest.approx(result["estimate"], rel=1e-9)
    assert row["n_clusters"] == result["n_clusters"]
    alone = pupil_impact(pupils.drop(columns="group")).iloc[0]
    assert "no comparison group" in alone["reason"]
