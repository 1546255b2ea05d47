"""The seeded sample demonstrates impact: after ``store seed`` the impact model finds the effect
the generator put in.

The true effects come from the generator run again with the committed sample's seed (2024,
``sample_data/small/README.md``); the estimates from the rows read back from the store
(pseudonymised, as every page reads them), through the impact analysis the pages call. The model
itself is checked against statsmodels in ``test_impact.py``.
"""

from __future__ import annotations

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
from evaluation.stats.multilevel import MIN_CLUSTERS_MIXED
from evaluation.store import Store
from evaluation.synthetic.comparison import generate_comparison
from evaluation.synthetic.sample import generate
from evaluation.synthetic.surveys import ITEM_SHIFT, expected_scores, likert_answers

SAMPLE_SEED = 2024  # the committed sample's (sample_data/small/README.md)
NATIONAL = Viewer.national("tester")
BY = [c.NCP, c.ACADEMIC_YEAR]


@pytest.fixture(scope="module")
def truth():
    data = generate("small", seed=SAMPLE_SEED)
    return generate_comparison(data.pupils, data.surveys, scale="small", seed=SAMPLE_SEED)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("seeded") / "impact.sqlite"
    with Store.open(f"sqlite:///{path}", secret=b"sample impact test") as store:
        store.seed_sample()
        surveys, instrument = store.load_surveys(NATIONAL)
        yield surveys, instrument, store.load_pupils(NATIONAL)


def test_pupil_impact_on_the_seeded_store_covers_the_true_effect_every_year(seeded, truth):
    _, _, pupils = seeded
    view = pupil_impact_analysis(pupils, by=BY)
    assert view.available
    table = view.table
    assert sorted(table[c.ACADEMIC_YEAR]) == sorted(pupils[c.ACADEMIC_YEAR].unique())
    assert table["reason"].isna().all()
    # Enough schools in each arm for the mixed model (not the OLS fallback).
    assert (table["n_clusters"] >= MIN_CLUSTERS_MIXED).all()
    assert table["model"].str.startswith("mixed model").all()
    assert (table["ci_low"] <= truth.true_effect_marks).all()
    assert (truth.true_effect_marks <= table["ci_high"]).all()
    assert (table["ci_low"] > 0).all()  # the programme's effect is detected


def test_teacher_impact_on_the_seeded_store_covers_the_true_effect_of_each_construct(seeded, truth):
    surveys, instrument, _ = seeded
    view = survey_impact_analysis(surveys, instrument, by=BY)
    assert view.available
    cohort = truth.surveys
    theirs = view.table[c.NCP].eq(cohort[c.NCP].iloc[0]) & view.table[c.ACADEMIC_YEAR].eq(
        cohort[c.ACADEMIC_YEAR].iloc[0]
    )
    table = view.table[theirs].set_index("outcome")
    assert sorted(table.index) == sorted(instrument.constructs)
    assert table["reason"].isna().all()
    assert table["model"].str.contains("random intercept per Work Group").all()
    for construct, effect in truth.true_effect_points.items():
        row = table.loc[construct]
        assert row["ci_low"] <= effect <= row["ci_high"], construct
        assert row["ci_low"] > 0, construct
    # Every other project and year has no comparison teachers: no estimate, and it says why.
    others = view.table[~theirs]
    assert others["estimate"].isna().all() and others["reason"].notna().all()


def test_per_hub_pupil_impacts_pool_across_at_least_two_hubs_every_year(seeded, truth):
    _, _, pupils = seeded
    per_hub = pupil_impact_analysis(pupils, by=[c.HUB, *BY]).table
    pooled = national_impact(per_hub, by=[*BY, "outcome"])
    assert sorted(pooled[c.ACADEMIC_YEAR]) == sorted(pupils[c.ACADEMIC_YEAR].unique())
    assert (pooled["k"] >= 2).all() and pooled["estimate"].notna().all()


def test_the_seeded_comparison_rows_are_pseudonymised_and_new_people(seeded, truth):
    surveys, _, pupils = seeded
    comparison_pupils = pupils[pupils[c.GROUP].eq(c.COMPARISON)]
    assert len(comparison_pupils) == len(truth.pupils)
    assert set(comparison_pupils[c.PUPIL_ID]).isdisjoint(truth.pupils[c.PUPIL_ID])
    waiting = surveys[surveys[c.GROUP].eq(c.COMPARISON)]
    assert len(waiting) == len(truth.surveys)
    assert set(waiting[c.RESPONDENT_ID]).isdisjoint(truth.surveys[c.RESPONDENT_ID])
    project_people = set(surveys.loc[surveys[c.GROUP].isna(), c.RESPONDENT_ID])
    assert project_people.isdisjoint(waiting[c.RESPONDENT_ID])


def test_expected_scores_are_the_mean_of_many_simulated_answers():
    # Independent check of the formula behind the true effect in points: simulate the answers.
    instrument = default_instrument()
    latent = np.array([[-1.0, 0.0, 1.0], [0.5, 2.0, -0.3]])
    draws = 40_000
    rng = np.random.default_rng(7)
    answers = likert_answers(rng, np.repeat(latent, draws, axis=0), instrument, ITEM_SHIFT)
    reverse = np.array([item.reverse for item in instrument.items])
    answers[:, reverse] = instrument.scale_min + instrument.scale_max - answers[:, reverse]
    frame = pd.DataFrame(answers, columns=list(instrument.item_ids))
    person = np.repeat(np.arange(len(latent)), draws)
    simulated = np.column_stack(
        [
            frame[[i.item for i in instrument.items if i.construct == name]]
            .mean(axis=1)
            .groupby(person)
            .mean()
            .to_numpy()
            for name in instrument.constructs
        ]
    )
    # Each simulated mean has an SD of at most about 1.2 / sqrt(40,000) = 0.006.
    np.testing.assert_allclose(
        expected_scores(latent, instrument, ITEM_SHIFT), simulated, atol=0.025
    )
