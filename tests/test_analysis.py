"""Tests for evaluation/analysis: what each view shows, and that the dashboard's hub view and
the board pack show the same numbers and sentences.

Expected values are counted by hand (collections.Counter), computed by SciPy, or written out in
the test; never pasted from our own output.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from evaluation import analysis
from evaluation import columns as c
from evaluation.access import MIN_POOLED_HUBS, Viewer
from evaluation.analysis.survey import likert_distribution, net_agreement
from evaluation.instruments import default_instrument
from evaluation.presentation import readings
from evaluation.presentation.reports import build_board_pack, inputs_from_files
from evaluation.presentation.reports.document import Chart
from evaluation.stats.scoring import to_long

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "small"
INSTRUMENT = default_instrument()


def _long(answers: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    rows = [
        {"respondent_id": f"r{k}", "phase": phase, "item": item, "score": score}
        for (item, phase), scores in answers.items()
        for k, score in enumerate(scores)
    ]
    return pd.DataFrame(rows)


ANSWERS = {
    ("conf_1", "pre"): [1, 2, 2, 3, 4, 4, 5, 3],
    ("conf_1", "post"): [3, 4, 4, 5, 5, 4, 4, 2],
    ("conf_2", "pre"): [2, 2, 3, 3, 3, 4, 1, 2],
    ("conf_2", "post"): [3, 3, 4, 4, 4, 2, 5, 3],
    ("conf_3", "pre"): [4, 4, 5, 3, 2, 4, 4, 5],
    ("conf_3", "post"): [2, 3, 3, 4, 2, 1, 2, 3],
}


@pytest.fixture
def distribution() -> pd.DataFrame:
    return likert_distribution(_long(ANSWERS), INSTRUMENT)


# ------------------------------------------------------------------ survey bundle


def test_distribution_percentages_match_a_hand_count(distribution):
    for (item, phase), scores in ANSWERS.items():
        counts = Counter(scores)
        rows = distribution[(distribution["item"] == item) & (distribution["phase"] == phase)]
        for score in range(1, 6):
            row = rows[rows["score"] == score].iloc[0]
            assert row["n"] == counts.get(score, 0)
            assert row["pct"] == pytest.approx(100 * counts.get(score, 0) / len(scores))


def test_distribution_labels_scores_with_the_canonical_answer(distribution):
    row = distribution[(distribution["item"] == "conf_1") & (distribution["score"] == 5)].iloc[0]
    assert row["label"] == "Strongly agree"
    assert row["text"] == INSTRUMENT.item("conf_1").text


def test_construct_scores_are_not_counted_as_answers():
    long = _long({("conf_1", "pre"): [4.0], ("confidence", "pre"): [3.67]})
    table = likert_distribution(long, INSTRUMENT)
    assert set(table["item"]) == {"conf_1"}


def test_net_agreement_is_agree_minus_disagree(distribution):
    net = net_agreement(distribution, INSTRUMENT).set_index(["item", "phase"])
    scores = ANSWERS[("conf_1", "post")]
    expected = 100 * (sum(s > 3 for s in scores) - sum(s < 3 for s in scores)) / len(scores)
    assert net.loc[("conf_1", "post"), "net_agreement"] == pytest.approx(expected)


def test_survey_analysis_counts_who_answered_and_the_change_matches_scipy():
    pre = [2.0, 3, 3, 2, 4, 3]
    post = [4.0, 4, 3, 4, 5, 5]
    people = [f"p{i}" for i in range(len(pre))]
    frame = pd.DataFrame(
        {
            "respondent_id": people * 2,
            "phase": ["pre"] * len(pre) + ["post"] * len(post),
            "conf_1": pre + post,
        }
    )
    bundle = analysis.survey_analysis(frame, INSTRUMENT)
    assert bundle.participation()["n_completers"] == len(pre)
    assert bundle.participation()["pct_retained"] == pytest.approx(100.0)
    row = bundle.results.set_index("item").loc["conf_1"]
    expected = scipy_stats.ttest_rel(post, pre)
    assert row["mean_change"] == pytest.approx(np.mean(post) - np.mean(pre))
    assert row["p_t"] == pytest.approx(expected.pvalue)
    assert set(bundle.distribution["item"]) == {"conf_1"}
    assert len(bundle.changes[bundle.changes["item"].eq("conf_1")]) == len(pre)


def test_teachers_in_work_groups_get_the_cr1_interval_in_the_survey_view():
    # Item 5: the views pass cluster="work_group"; expected values from statsmodels.
    import statsmodels.api as sm

    rng = np.random.default_rng(12)
    n = 24
    groups = np.repeat([f"W{i}" for i in range(6)], 4)
    pre = rng.integers(1, 6, n).astype(float)
    post = np.clip(pre + rng.integers(-1, 3, n), 1, 5).astype(float)
    people = [f"p{i}" for i in range(n)]
    frame = pd.DataFrame(
        {
            "respondent_id": people * 2,
            "phase": ["pre"] * n + ["post"] * n,
            "work_group": np.concatenate([groups, groups]),
            "conf_1": np.concatenate([pre, post]),
        }
    )
    row = analysis.survey_analysis(frame, INSTRUMENT).results.set_index("item").loc["conf_1"]
    fit = sm.OLS(post - pre, np.ones(n)).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]}, use_t=True
    )
    assert row["n_clusters"] == 6
    assert row["se_cluster"] == pytest.approx(fit.bse[0], rel=1e-9)
    low, high = fit.conf_int()[0]
    assert (row["ci_low_cluster"], row["ci_high_cluster"]) == pytest.approx((low, high))
    # Six Work Groups is fewer than the minimum: the reading carries the note.
    from evaluation.stats.clustering import MIN_CLUSTERS

    text = readings.reading(row)
    assert "allowing for Work Groups" in text
    assert f"fewer than {MIN_CLUSTERS} Work Groups" in text


def test_unpaired_rows_have_no_clustered_values():
    long = pd.DataFrame({"respondent_id": [None] * 6, "phase": ["pre"] * 3 + ["post"] * 3,
                         "item": "conf_1", "work_group": list("WXYWXY"),
                         "score": [2.0, 3, 3, 4, 4, 5]})  # fmt: skip
    row = analysis.compare_clustered(long).iloc[0]
    assert row["design"] == "unpaired"
    assert np.isnan(row["se_cluster"]) and row["cluster_note"] is None


def test_the_board_pack_pools_hubs_with_clustered_standard_errors(sample_surveys):
    from evaluation.presentation.reports.model import analyse

    paired = analyse(sample_surveys).paired
    assert {"se_cluster", "design_effect", "cluster_note"} <= set(paired.columns)
    assert paired["se_cluster"].notna().any()


def test_construct_changes_and_item_means_follow_the_instrument_order():
    results = pd.DataFrame(
        {"item": ["practice", "conf_2", "confidence", "conf_1"], "mean_post": [1.0, 2, 3, 4]}
    )
    assert analysis.construct_changes(results, INSTRUMENT)["item"].tolist() == [
        "confidence",
        "practice",
    ]
    means = analysis.item_means(results, INSTRUMENT)
    assert means["item"].tolist() == ["conf_1", "conf_2"]
    assert means["text"].tolist() == [
        INSTRUMENT.item("conf_1").text,
        INSTRUMENT.item("conf_2").text,
    ]


# ------------------------------------------------------------------ hub beside national


def _hub_rows(n: dict[str, int], d: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "academic_year": "2024/25",
            "hub": list(n),
            "ncp": "P",
            "item": "confidence",
            "design": "paired",
            "n_paired": [float(v) for v in n.values()],
            "mean_change": [d[h] for h in n],
            "sd_change": 1.0,
            "ci_low": [d[h] - 0.3 for h in n],
            "ci_high": [d[h] + 0.3 for h in n],
            "d_z": [d[h] for h in n],
        }
    )


def test_hub_beside_national_puts_the_hubs_d_z_beside_the_pool_and_its_funnel_band():
    rows = _hub_rows(
        {"A": 40, "B": 30, "C": 20, "D": 50}, {"A": 1.5, "B": 0.4, "C": 0.5, "D": 0.45}
    )
    pooled = analysis.national_overview(rows)
    table = analysis.hub_beside_national(rows, pooled, hub="A")
    assert list(table.columns) == list(analysis.HUB_BESIDE_NATIONAL_COLUMNS)
    row = table.iloc[0]
    assert row["hub_n"] == 40 and row["hub_estimate"] == pytest.approx(1.5)
    # d_z interval: d -/+ 1.96 * sqrt(1/n + d^2/(2n)) (the formula, computed here).
    se = math.sqrt(1 / 40 + 1.5**2 / 80)
    z = scipy_stats.norm.ppf(0.975)
    assert row["hub_ci_low"] == pytest.approx(1.5 - z * se, rel=1e-6)
    assert row["hubs_pooled"] == 4
    assert row["national_estimate"] == pytest.approx(float(pooled["estimate"].iloc[0]))
    # Spiegelhalter limits around the pool for n = 40: theta -/+ 3.09 * sqrt(1/n + theta^2/2n).
    theta = float(pooled["estimate"].iloc[0])
    limit = scipy_stats.norm.ppf(0.999) * math.sqrt(1 / 40 + theta**2 / 80)
    assert theta + limit < 1.5
    assert row["band"] == "outside 99.8%"
    assert readings.band_reading(row) == "well above expected range (99.8%)"


def test_a_hub_viewer_gets_thin_pools_hidden_and_no_pooled_head_count():
    rows = _hub_rows({"A": 40, "B": 30}, {"A": 0.5, "B": 0.4})
    viewer = Viewer(role="hub", hub="A")
    pooled = analysis.national_overview(rows, viewer=viewer)
    table = analysis.hub_beside_national(rows, pooled, hub="A", viewer=viewer)
    assert MIN_POOLED_HUBS > 2
    assert "national_n" not in table
    row = table.iloc[0]
    assert bool(row["national_suppressed"]) and math.isnan(row["national_estimate"])
    assert row["band"] is None
    assert row["hub_estimate"] == pytest.approx(0.5)  # the hub's own result still shows
    shown = analysis.hub_beside_national_display(table)
    assert shown.loc[0, "national_estimate"] == "[c]"


def test_a_hidden_hub_result_is_shown_as_c_with_the_threshold_from_configuration(monkeypatch):
    monkeypatch.setenv("IMPACT_MIN_N", "10")
    rows = _hub_rows({"A": 8, "B": 30, "C": 20, "D": 50}, {"A": 0.5, "B": 0.4, "C": 0.5, "D": 0.4})
    table = analysis.hub_beside_national(rows, analysis.national_overview(rows), hub="A")
    assert bool(table.loc[0, "hub_suppressed"])
    lines = readings.hub_beside_national_reading(table, hub="A")
    assert "1 project hidden [c]: fewer than 10 matched people." in lines
    assert not any("fewer than 5" in line for line in lines)


# ------------------------------------------------------------------ pupils and national


def test_pupil_analysis_uses_the_latest_year_and_its_national_figures():
    rows = pd.DataFrame(
        {
            "pupil_id": ["a", "a", "b", "b", "c", "c"],
            "school_urn": 1,
            "academic_year": ["2022/23"] * 4 + ["2023/24"] * 2,
            "phase": ["pre", "post"] * 3,
            "measure": "MTC",
            "score": [15.0, 20, 18, 22, 10, 25],
        }
    )
    view = analysis.pupil_analysis(rows)
    assert view.year == "2023/24"
    assert view.summary.set_index("phase").loc["post", "pct_full_marks"] == pytest.approx(100.0)
    assert view.by_year["academic_year"].tolist() == ["2022/23", "2023/24"]
    assert analysis.national_mtc("1999/00").mean_score is None


# ------------------------------------------------------------------ dashboard = board pack


@pytest.fixture(scope="module")
def sample_surveys():
    inputs = inputs_from_files([SAMPLE / "surveys.csv"])
    return inputs


def _dashboard_view(surveys: pd.DataFrame, *, hub: str, year: str, outcome: str, viewer: Viewer):
    """What the hub page computes (app_support.views.hub_beside_national), without streamlit.

    The page's loaders give compare_clustered() by year, hub and NCP (teachers clustered by
    Work Group) over the rows the viewer may see (its own hub) and the national pooled values
    over every hub (app_support.national_overview).
    """
    keys = [c.ACADEMIC_YEAR, c.HUB, c.NCP]
    everyone = analysis.compare_clustered(
        to_long(surveys, INSTRUMENT, keys=(*keys, c.WORK_GROUP)),
        by=keys,
        constructs=INSTRUMENT.constructs,
    )
    everyone = everyone[everyone[c.ACADEMIC_YEAR].eq(year)]
    own = everyone[everyone[c.HUB].eq(hub)]
    pooled = analysis.national_overview(everyone, effect="d_z", viewer=viewer)
    table = analysis.hub_beside_national(own, pooled, hub=hub, outcomes=[outcome], viewer=viewer)
    return table, readings.hub_beside_national_reading(table, hub=hub)


@pytest.mark.parametrize("national", [False, True])
def test_the_dashboard_and_the_board_pack_show_the_same_numbers_and_sentences(
    sample_surveys, national
):
    surveys = sample_surveys.surveys
    year = max(surveys[c.ACADEMIC_YEAR].unique())
    hub = surveys.loc[surveys[c.ACADEMIC_YEAR].eq(year), c.HUB].value_counts().index[0]
    viewer = Viewer.national() if national else Viewer(role="hub", hub=hub, name="board")
    pack = build_board_pack(sample_surveys, viewer=viewer, hub=hub, academic_year=year, pdf=False)
    assert pack.ok, pack.problem
    board = pack.tables["national_comparison"]
    chart = next(
        part
        for section in pack.document.sections
        for part in section.parts
        if isinstance(part, Chart) and part.name == "hub_vs_national"
    )
    for outcome in INSTRUMENT.constructs:
        page, lines = _dashboard_view(surveys, hub=hub, year=year, outcome=outcome, viewer=viewer)
        mine = board[board[c.ITEM].eq(outcome)].reset_index(drop=True)
        assert len(page) and list(page.columns) == list(mine.columns)
        pd.testing.assert_frame_equal(
            page.reset_index(drop=True), mine, check_dtype=False, check_exact=False, rtol=1e-9
        )
        # The same sentences: the page's lines are the board pack's, led by the outcome name.
        assert lines[0] in chart.reading
        for line in lines[1:]:
            assert f"{readings.outcome_name(outcome)}: {line}" in chart.reading
