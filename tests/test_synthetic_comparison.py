"""Synthetic comparison data (evaluation.synthetic.comparison): new files, known true effect.

The committed files must be exactly what the generator makes; the impact model fitted to the
sample must find the effect the generator put in (statsmodels MixedLM via pupil_impact, whose
agreement with statsmodels is tested in test_impact.py).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluation.columns import GROUP
from evaluation.instruments import default_instrument
from evaluation.stats.impact import pupil_impact, survey_impact
from evaluation.synthetic.comparison import COMPARISON_FILES, generate_comparison
from evaluation.synthetic.sample import generate, pupils_csv, surveys_csv
from evaluation.validation import check

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "small"


@pytest.fixture(scope="module")
def sample():
    data = generate("small", seed=2024)
    return data, generate_comparison(data.pupils, data.surveys, scale="small", seed=2024)


def test_committed_comparison_files_are_what_the_generator_makes(sample):
    _, extra = sample
    assert (SAMPLE / COMPARISON_FILES[0]).read_bytes() == pupils_csv(extra.pupils)
    assert (SAMPLE / COMPARISON_FILES[1]).read_bytes() == surveys_csv(extra.surveys)


def test_comparison_schools_and_people_are_new(sample):
    data, extra = sample
    assert set(extra.pupils["school_urn"]).isdisjoint(data.pupils["school_urn"])
    assert set(extra.pupils["pupil_id"]).isdisjoint(data.pupils["pupil_id"])
    assert set(extra.surveys["respondent_id"]).isdisjoint(data.surveys["respondent_id"])
    cells = data.pupils.groupby(["hub", "academic_year"]).size().index
    assert set(cells) <= set(extra.pupils.groupby(["hub", "academic_year"]).size().index)


def test_the_model_finds_the_true_effect_in_every_year(sample):
    data, extra = sample
    pupils = pd.concat(
        [
            data.pupils.assign(**{GROUP: "intervention"}),
            extra.pupils.assign(**{GROUP: "comparison"}),
        ]
    )
    table = pupil_impact(pupils, by=["academic_year"])
    assert len(table) == 4 and table["reason"].isna().all()
    assert (table["ci_low"] <= extra.true_effect_marks).all()
    assert (extra.true_effect_marks <= table["ci_high"]).all()


def test_waiting_list_cohort_shows_a_positive_impact_with_work_groups_as_clusters(sample):
    data, extra = sample
    year = extra.surveys["academic_year"].iloc[0]
    ncp = extra.surveys["ncp"].iloc[0]
    project = data.surveys[(data.surveys["academic_year"] == year) & (data.surveys["ncp"] == ncp)]
    frame = pd.concat(
        [project.assign(**{GROUP: "intervention"}), extra.surveys.assign(**{GROUP: "comparison"})]
    )
    table = survey_impact(frame, default_instrument())
    assert table["model"].str.contains("random intercept per Work Group").all()
    assert (table["ci_low"] > 0).all()


@pytest.mark.parametrize(
    ("name", "kind"), [(COMPARISON_FILES[0], "pupil"), (COMPARISON_FILES[1], "survey")]
)
def test_every_row_of_the_committed_comparison_files_is_read_as_comparison(name, kind):
    checked = check((SAMPLE / name).read_bytes(), kind=kind, file_name=name)
    assert checked.report.valid, checked.report.errors[:3]
    assert checked.frame[GROUP].tolist() == ["comparison"] * len(checked.frame)
    # The project's own files say nothing: their rows are the project's (intervention).
    own = check((SAMPLE / f"{kind}s.csv").read_bytes(), kind=kind, file_name=f"{kind}s.csv")
    assert GROUP not in own.frame or own.frame[GROUP].isna().all()
