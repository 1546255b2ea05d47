"""The impact view: the EEF model's numbers, evidence strength, pooling of per-hub impacts.

Known answers come from statsmodels (MixedLM fitted here) and from the random-effects machinery
called on inputs assembled in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from evaluation.access import Viewer
from evaluation.analysis.impact import (
    ImpactAnalysis,
    change_security,
    has_comparison,
    impact_display,
    national_impact,
    pupil_impact_analysis,
    survey_impact_analysis,
)
from evaluation.instruments import default_instrument
from evaluation.presentation.charts.impact import IMPACT_TRACE, impact_chart
from evaluation.presentation.readings.impact import (
    NO_COMPARISON_NOTE,
    change_evidence_line,
    evidence_line,
    impact_readings,
    pooled_impact_reading,
)
from evaluation.presentation.reports.document import Paragraph
from evaluation.presentation.reports.hub import hub_document
from evaluation.presentation.reports.model import ReportInputs, Scope, analyse
from evaluation.stats.pooling import random_effects


def generate(seed: int, *, hub: str = "H", schools: int = 30, per_school: int = 10) -> pd.DataFrame:
    """Long pupil rows: even schools intervention, true effect 1.5 marks, school ICC about 0.15."""
    rng = np.random.default_rng(seed)
    school = np.repeat(np.arange(schools), per_school)
    n = school.size
    treated = (school % 2 == 0).astype(float)
    pre = rng.normal(15, 4, n)
    post = (
        4 + 0.8 * pre + 1.5 * treated + rng.normal(0, 1.2, schools)[school] + rng.normal(0, 2.7, n)
    )
    ids = [f"{hub}-{i}" for i in range(n)]
    urn = school + 100000 + 1000 * ord(hub[0])
    return pd.DataFrame(
        {
            "pupil_id": ids * 2,
            "school_urn": np.concatenate([urn, urn]),
            "hub": hub,
            "phase": ["pre"] * n + ["post"] * n,
            "score": np.concatenate([pre, post]),
            "group": np.tile(np.where(treated == 1, "Intervention", "comparison"), 2),
        }
    )


@pytest.fixture(scope="module")
def pupils() -> pd.DataFrame:
    return generate(7)


@pytest.fixture(scope="module")
def three_hubs() -> pd.DataFrame:
    return pd.concat([generate(s, hub=h) for s, h in [(1, "A"), (2, "B"), (3, "C")]])


def test_pupil_impact_equals_statsmodels_mixedlm(pupils):
    view = pupil_impact_analysis(pupils)
    assert isinstance(view, ImpactAnalysis) and view.available and view.unit == "pupils"
    row = view.table.iloc[0]

    wide = pupils.pivot_table(
        index=["pupil_id", "school_urn", "group"], columns="phase", values="score"
    ).reset_index()
    wide = wide.assign(treated=wide["group"].str.lower().eq("intervention").astype(float))
    fit = smf.mixedlm("post ~ treated + pre", wide, groups=wide["school_urn"]).fit(
        reml=True, method="powell", ftol=1e-12
    )
    assert row["estimate"] == pytest.approx(fit.params["treated"], rel=1e-4)
    assert row["se"] == pytest.approx(fit.bse["treated"], rel=1e-4)
    null = smf.mixedlm("post ~ 1", wide, groups=wide["school_urn"]).fit(
        reml=True, method="powell", ftol=1e-12
    )
    total_sd = np.sqrt(float(null.cov_re.iloc[0, 0]) + null.scale)
    assert row["g"] == pytest.approx(fit.params["treated"] / total_sd, rel=1e-3)
    assert int(row["n_intervention"]) == 150 and int(row["n_comparison"]) == 150
    assert 0 <= int(row["security"]) <= 2  # a non-randomised comparison rates at most 2


def test_no_comparison_group_gives_no_table_and_the_note(pupils):
    alone = pupils[pupils["group"].str.lower().eq("intervention")]
    assert not has_comparison(alone) and not has_comparison(alone.drop(columns="group"))
    view = pupil_impact_analysis(alone)
    assert not view.available and view.table.empty
    assert impact_readings(view.table) == [NO_COMPARISON_NOTE]


def test_pooled_impact_equals_random_effects_on_the_per_hub_estimates(three_hubs):
    per_hub = pupil_impact_analysis(three_hubs, by=["hub"]).table
    assert per_hub["hub"].tolist() == ["A", "B", "C"]
    pooled = national_impact(per_hub, min_n=5)
    assert len(pooled) == 1
    expected = random_effects(
        per_hub["g"].to_numpy(float), per_hub["g_se"].to_numpy(float) ** 2, "REML", "knha"
    )
    row = pooled.iloc[0]
    assert row["k"] == 3 and row["test"] == "knha"
    for name in ("estimate", "se", "ci_low", "ci_high", "tau2"):
        assert row[name] == pytest.approx(getattr(expected, name), rel=1e-9, abs=1e-12)
    assert "pooled over 3 hubs" in pooled_impact_reading(row)


def test_small_hubs_are_not_pooled_and_thin_pools_are_hidden_from_hub_viewers(monkeypatch):
    per_hub = pd.DataFrame(
        {
            "hub": ["A", "B", "C"],
            "outcome": "MTC",
            "g": [0.2, 0.4, 0.9],
            "g_se": [0.1, 0.15, 0.2],
            "n_intervention": [40, 50, 60],
            "n_comparison": [45, 30, 4],
        }
    )
    monkeypatch.setenv("IMPACT_MIN_N", "5")
    pooled = national_impact(per_hub)
    expected = random_effects([0.2, 0.4], [0.01, 0.0225], "REML", "knha")
    assert pooled["k"].tolist() == [2] and pooled["k_suppressed"].tolist() == [1]
    assert pooled["estimate"].iloc[0] == pytest.approx(expected.estimate, rel=1e-9)
    monkeypatch.setenv("IMPACT_MIN_N", "50")  # the threshold comes from configuration
    assert national_impact(per_hub).empty  # only one hub left: nothing to pool
    monkeypatch.setenv("IMPACT_MIN_N", "5")
    hub_view = national_impact(per_hub, viewer=Viewer(role="hub", hub="A"))
    assert bool(hub_view["suppressed"].iloc[0]) and pd.isna(hub_view["estimate"].iloc[0])


def test_change_never_rates_above_one_and_the_line_says_so():
    rated = change_security(pd.DataFrame({"n_pre": [100, 40], "n_paired": [99, 10]}))
    assert (rated["security"] <= 1).all()
    line = change_evidence_line(rated)
    assert line.startswith("Evidence strength: 0 of 5 — ")
    assert "before-and-after" in line
    assert (
        evidence_line(2, "31% of pupils lost") == "Evidence strength: 2 of 5 — 31% of pupils lost"
    )


def test_impact_sentences_say_impact_with_g_and_evidence(pupils):
    table = pupil_impact_analysis(pupils).table
    (sentence,) = impact_readings(table)
    assert "impact against the comparison group" in sentence
    assert "Hedges' g" in sentence and "Evidence strength: " in sentence
    assert sentence.split("For readers")[0].count("change") == 0


def test_chart_and_display_of_the_impact_table(pupils):
    table = pupil_impact_analysis(pupils).table
    figure = impact_chart(table)
    assert figure.data[0].name == IMPACT_TRACE
    assert float(figure.data[0].x[0]) == pytest.approx(float(table["estimate"].iloc[0]))
    shown = impact_display(table)
    assert {"estimate", "g", "security", "security_reason", "did"} <= set(shown.columns)
    assert "df" not in shown


def test_survey_impact_view_per_construct():
    rng = np.random.default_rng(3)
    instrument = default_instrument()
    items = list(instrument.item_ids)
    people = 80
    rows = []
    for person in range(people):
        group = "intervention" if person % 2 else "comparison"
        wg = f"WG{person % 8}"
        for phase in ("pre", "post"):
            lift = 0.5 if (group == "intervention" and phase == "post") else 0.0
            answers = np.clip(np.round(rng.normal(3 + lift, 0.8, len(items))), 1, 5)
            rows.append(
                {"respondent_id": f"r{person}", "phase": phase, "group": group, "work_group": wg}
                | dict(zip(items, answers, strict=True))
            )
    view = survey_impact_analysis(pd.DataFrame(rows), instrument)
    assert view.available and view.unit == "teachers"
    assert sorted(view.table["outcome"]) == sorted(instrument.constructs)


def test_the_board_pack_leads_with_impact_and_states_evidence_strength(three_hubs):
    instrument = default_instrument()
    frame = pd.DataFrame(
        {
            "respondent_id": list("abcdef") * 2,
            "phase": ["pre"] * 6 + ["post"] * 6,
            "academic_year": "2024/25",
            "hub": "A",
            "ncp": "P",
            "work_group": "W",
            "school_urn": 100001,
            "conf_1": [2.0, 3, 2, 3, 2, 4, 4, 4, 3, 5, 3, 4],
        }
    )
    pupils = three_hubs.assign(academic_year="2024/25", ncp="P", measure="MTC")
    inputs = ReportInputs(frame, instrument, pupils=pupils)
    scope = Scope("2024/25", hub="A")
    doc = hub_document(inputs, analyse(inputs), scope, viewer=Viewer.national())
    assert doc.section_titles[:2] == ("Impact against comparison", "Headline results")
    impact, headline = doc.sections[0], doc.sections[1]
    texts = [p.text for p in impact.parts if isinstance(p, Paragraph)]
    assert any("impact against the comparison group of" in t for t in texts)
    assert any("Evidence strength: " in t for t in texts)
    assert any(
        isinstance(p, Paragraph) and p.text.startswith("Evidence strength: 0 of 5")
        for p in headline.parts
    )
    without = ReportInputs(frame, instrument, pupils=pupils.drop(columns="group"))
    plain = hub_document(without, analyse(without), scope, viewer=Viewer.national())
    assert plain.section_titles[0] == "Headline results"
