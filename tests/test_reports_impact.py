"""Board packs with comparison data: the national project report leads with impact, pooled.

Packs are built from generated data with comparison rows (evaluation.synthetic.comparison). The
numbers in the impact section must equal the analysis layer's computed here directly, the
pooled value the random-effects formula (stats.pooling.random_effects on the per-hub Hedges' g);
and the packs say "impact" only of comparison results, "change" of before-and-after ones.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.analysis.impact import (
    national_impact,
    pupil_impact_analysis,
    survey_impact_analysis,
)
from evaluation.instruments import default_instrument
from evaluation.presentation.readings.impact import (
    NO_COMPARISON_NOTE,
    impact_reading,
    pooled_impact_reading,
)
from evaluation.presentation.reports import ReportInputs, build_board_pack
from evaluation.presentation.reports.document import (
    BulletList,
    Chart,
    Document,
    Heading,
    Paragraph,
    Table,
)
from evaluation.stats.pooling import random_effects
from evaluation.synthetic.comparison import generate_comparison
from evaluation.synthetic.sample import generate

YEAR = "2024/25"
NCP = "Mastering Number at KS2"
MIN_N = 5
KEYS = [c.NCP, c.ACADEMIC_YEAR]


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The synthetic sample's surveys and pupils with its comparison data (``group`` column)."""
    sample = generate(seed=3)
    extra = generate_comparison(sample.pupils, sample.surveys, seed=3)
    surveys = pd.concat(
        [sample.surveys.assign(group="intervention"), extra.surveys.assign(group="comparison")],
        ignore_index=True,
    )
    pupils = pd.concat(
        [sample.pupils.assign(group="intervention"), extra.pupils.assign(group="comparison")],
        ignore_index=True,
    )
    surveys = surveys[surveys[c.NCP].eq(NCP)].reset_index(drop=True)  # a smaller pack to build
    return surveys, pupils


def _pack(surveys: pd.DataFrame, pupils: pd.DataFrame, **scope):
    inputs = ReportInputs(surveys, default_instrument(), pupils=pupils)
    pack = build_board_pack(
        inputs, viewer=Viewer.national(), academic_year=YEAR, min_n=MIN_N, pdf=False, **scope
    )
    assert pack.ok, pack.problem
    return pack


@pytest.fixture(scope="module")
def national_pack(data):
    return _pack(*data, ncp=NCP)


def _in_scope(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame[c.NCP].eq(NCP) & frame[c.ACADEMIC_YEAR].eq(YEAR)]


def texts(document: Document) -> list[tuple[str, str]]:
    """(section key, text) of every sentence, caption, note and header a reader sees."""
    out = [("title", document.title), ("title", document.subtitle)]
    for section in document.sections:
        out.append((section.key, section.title))
        for part in section.parts:
            if isinstance(part, Paragraph | Heading):
                out.append((section.key, part.text))
            elif isinstance(part, BulletList):
                out += [(section.key, item) for item in part.items]
            elif isinstance(part, Chart):
                out += [(section.key, t) for t in (part.caption, part.reading) if t]
            elif isinstance(part, Table):
                out += [(section.key, t) for t in (part.caption, *part.notes)]
                out += [(section.key, str(col)) for col in part.frame.columns]
    return out


def _paragraphs(document: Document, key: str) -> list[str]:
    section = next(s for s in document.sections if s.key == key)
    return [p.text for p in section.parts if isinstance(p, Paragraph)]


# ---------------------------------------------------------------------------- numbers


def test_the_national_report_leads_with_impact_and_the_headline_says_change(national_pack):
    assert national_pack.sections[:2] == ("Impact against comparison", "Headline results")
    headline = _paragraphs(national_pack.document, "headline")
    assert "Evidence strength: 0 of 5 — no comparison group (a before-and-after change)" in (
        headline
    )
    assert NO_COMPARISON_NOTE not in headline  # there is comparison data


def test_the_projects_impact_equals_the_analysis_layer_and_carries_its_evidence(
    data, national_pack
):
    surveys, pupils = data
    expected = {
        "pupils_scores": pupil_impact_analysis(_in_scope(pupils), by=KEYS).table,
        "teachers_answers": survey_impact_analysis(
            _in_scope(surveys), default_instrument(), by=KEYS
        ).table,
    }
    paragraphs = _paragraphs(national_pack.document, "impact")
    for name, table in expected.items():
        shown = national_pack.tables[f"impact_{name}"].set_index("outcome")
        table = table.set_index("outcome")
        assert sorted(shown.index) == sorted(table.index) and len(table)
        for column in ("estimate", "ci_low", "ci_high", "p", "g", "g_ci_low", "g_ci_high"):
            np.testing.assert_allclose(
                shown[column].astype(float), table.loc[shown.index, column].astype(float),
                rtol=1e-12,
            )  # fmt: skip
        assert shown["n_intervention"].tolist() == table.loc[shown.index, "n_intervention"].tolist()
        assert shown["security"].tolist() == table.loc[shown.index, "security"].tolist()
        unit, points = ("pupils", "marks") if name == "pupils_scores" else ("teachers", "points")
        for _, row in table.reset_index().iterrows():
            sentence = impact_reading(row, unit=unit, points=points, by=[c.ACADEMIC_YEAR])
            assert sentence in paragraphs
            assert f"Evidence strength: {int(row['security'])} of 5" in sentence


def test_per_hub_impacts_are_pooled_across_hubs_with_knapp_hartung(data, national_pack):
    surveys, pupils = data
    per_hub = {
        "pupils_scores": pupil_impact_analysis(_in_scope(pupils), by=[c.HUB, *KEYS]).table,
        "teachers_answers": survey_impact_analysis(
            _in_scope(surveys), default_instrument(), by=[c.HUB, *KEYS]
        ).table,
    }
    paragraphs = _paragraphs(national_pack.document, "impact")
    for name, hubs in per_hub.items():
        pooled = national_impact(hubs, by=[*KEYS, "outcome"], min_n=MIN_N)
        shown = national_pack.tables[f"pooled_impact_{name}"]
        assert len(shown) == len(pooled) and len(pooled)
        for (_, row), (_, got) in zip(pooled.iterrows(), shown.iterrows(), strict=True):
            assert got["outcome"] == row["outcome"] and got["k"] == row["k"] >= 2
            for column in ("estimate", "ci_low", "ci_high", "tau2"):
                assert got[column] == pytest.approx(row[column], rel=1e-12)
            assert pooled_impact_reading(row, by=[c.ACADEMIC_YEAR]) in paragraphs
            # Independently: REML random effects with the Knapp-Hartung interval over the hubs
            # whose smaller arm has at least MIN_N people.
            mine = hubs[hubs["outcome"].eq(row["outcome"])]
            big = mine[mine[["n_intervention", "n_comparison"]].min(axis=1).ge(MIN_N)]
            big = big[np.isfinite(big["g"].astype(float)) & np.isfinite(big["g_se"].astype(float))]
            assert int(got["k"]) == len(big)
            assert int(got["k_suppressed"]) == int(
                mine[["n_intervention", "n_comparison"]].min(axis=1).lt(MIN_N).sum()
            )
            fit = random_effects(
                big["g"].to_numpy(float), big["g_se"].to_numpy(float) ** 2, "REML", "knha"
            )
            assert got["estimate"] == pytest.approx(fit.estimate, rel=1e-9)
            assert (got["ci_low"], got["ci_high"]) == (
                pytest.approx(fit.ci_low, rel=1e-9),
                pytest.approx(fit.ci_high, rel=1e-9),
            )


# ---------------------------------------------------------------------------- words

IMPACT_WORD = re.compile(r"\bimpacts?\b", re.IGNORECASE)


def test_only_comparison_results_are_called_impact(national_pack):
    said = [(key, text) for key, text in texts(national_pack.document) if IMPACT_WORD.search(text)]
    assert said, "the impact section names what it shows"
    outside = [(key, text) for key, text in said if key not in ("impact", "title")]
    assert outside == []
    change = [text for key, text in texts(national_pack.document) if key == "headline"]
    assert any("change" in text for text in change)


@pytest.mark.parametrize("kind", ["ncp", "hub"])
def test_without_comparison_data_the_pack_says_change_and_what_impact_needs(data, kind):
    surveys, pupils = data
    busiest = _in_scope(surveys)[c.HUB].value_counts().index[0]
    scope = {"ncp": NCP} if kind == "ncp" else {"hub": busiest}
    pack = _pack(
        surveys[surveys[c.GROUP].eq("intervention")].drop(columns=c.GROUP),
        pupils[pupils[c.GROUP].eq("intervention")].drop(columns=c.GROUP),
        **scope,
    )
    assert "Impact against comparison" not in pack.sections
    assert pack.sections[0] == "Headline results"
    assert NO_COMPARISON_NOTE in _paragraphs(pack.document, "headline")
    said = [text for _, text in texts(pack.document) if IMPACT_WORD.search(text)]
    assert said == [NO_COMPARISON_NOTE]  # the note is the only place "impact" is said
    assert pack.document.subtitle.startswith("Change ")


def test_a_hub_pack_with_several_projects_names_each_impacts_project(data):
    surveys, pupils = data
    comparison = pupils[pupils[c.GROUP].eq("comparison") & pupils[c.ACADEMIC_YEAR].eq(YEAR)]
    hub = comparison[c.HUB].value_counts().index[0]
    # The hub's pupils again (both arms) in a second project: two projects with impact.
    own = pupils[pupils[c.HUB].eq(hub) & pupils[c.ACADEMIC_YEAR].eq(YEAR)]
    (first,) = own[c.NCP].unique()
    second = "Mastering Number at Reception and KS1" if first != NCP else "Primary Mastery"
    twin = own.assign(**{c.NCP: second, c.PUPIL_ID: "T" + own[c.PUPIL_ID].astype(str)})
    pack = _pack(surveys, pd.concat([pupils, twin], ignore_index=True), hub=hub)
    readings = [p for p in _paragraphs(pack.document, "impact") if " · MTC: impact " in p]
    assert sorted(p.split(": ")[0] for p in readings) == sorted(
        f"{ncp} · {YEAR} · MTC" for ncp in (first, second)
    )
