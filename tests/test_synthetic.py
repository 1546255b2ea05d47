"""Tests of the synthetic data generator (evaluation/synthetic/) and the committed sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

from evaluation import columns as c
from evaluation import synthetic
from evaluation.instruments import default_instrument
from evaluation.synthetic.world import SIZES
from schemas import reference

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "sample_data" / "examples"
INSTRUMENT = default_instrument()
ITEMS = list(INSTRUMENT.item_ids)


@pytest.fixture(scope="module")
def data() -> synthetic.SyntheticData:
    return synthetic.generate("small", seed=2024)


@pytest.fixture(scope="module")
def surveys(data: synthetic.SyntheticData) -> pd.DataFrame:
    return data.surveys


@pytest.fixture(scope="module")
def pupils(data: synthetic.SyntheticData) -> pd.DataFrame:
    return data.pupils


@pytest.fixture(scope="module")
def paired_change(surveys: pd.DataFrame) -> pd.DataFrame:
    """Per matched teacher: mean item score (reverse items as 6 - x) post minus pre."""
    scored = surveys.copy()
    for item in INSTRUMENT.reverse_items:
        scored[item] = 6 - scored[item]
    scored["mean_score"] = scored[ITEMS].mean(axis=1)
    wide = scored.pivot_table(
        index=[c.RESPONDENT_ID, c.HUB, c.NCP], columns=c.PHASE, values="mean_score"
    ).dropna()
    return (wide["post"] - wide["pre"]).rename("change").reset_index()


# --- determinism and the committed sample ---------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_differs():
    first = synthetic.generate("small", seed=7)
    again = synthetic.generate("small", seed=7)
    other = synthetic.generate("small", seed=8)
    assert synthetic.surveys_csv(first.surveys) == synthetic.surveys_csv(again.surveys)
    assert synthetic.pupils_csv(first.pupils) == synthetic.pupils_csv(again.pupils)
    assert synthetic.surveys_csv(first.surveys) != synthetic.surveys_csv(other.surveys)


def test_committed_small_sample_is_what_the_generator_makes(data, sample_dir):
    assert (sample_dir / "surveys.csv").read_bytes() == synthetic.surveys_csv(data.surveys)
    assert (sample_dir / "pupils.csv").read_bytes() == synthetic.pupils_csv(data.pupils)


def test_committed_sample_reads_back_to_the_same_values(surveys, sample_dir):
    # keep_default_na=False: answers such as "N/A" and "None" are text, not missing
    read = pd.read_csv(
        sample_dir / "surveys.csv", parse_dates=[c.SUBMITTED_AT], keep_default_na=False
    )
    assert len(read) == len(surveys)
    items = read[ITEMS].replace("", np.nan).astype(float).to_numpy()
    np.testing.assert_array_equal(items, surveys[ITEMS].to_numpy())
    assert (read[c.SUBMITTED_AT] == surveys[c.SUBMITTED_AT]).all()
    assert read[c.RESPONDENT_ID].tolist() == surveys[c.RESPONDENT_ID].tolist()
    # open text with commas, quotes and line breaks survives the CSV round trip
    for column in ("text_what_changed", "text_support_needed"):
        assert read[column].tolist() == surveys[column].fillna("").tolist()


def test_committed_files_are_small_enough_to_keep_in_git(sample_dir):
    total = sum((sample_dir / name).stat().st_size for name in ("surveys.csv", "pupils.csv"))
    assert total < 5_000_000


def test_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="scale"):
        synthetic.generate("huge")  # type: ignore[arg-type]


def test_national_scale_is_planned_at_about_a_million_survey_rows():
    # Expected rows = hubs x years x Work Groups per hub-year x mean group size (11, the centre
    # of the 6-16 draw) x responses per teacher (pre 96.5% + post 79.5% = 1.76).
    size = SIZES["national"]
    n_years = len(reference.mtc_national())
    expected = 40 * n_years * size.work_groups_per_hub_year * 11 * 1.76
    assert 850_000 < expected < 1_150_000


# --- surveys: shape and types -----------------------------------------------------------------


def test_survey_columns_are_the_canonical_ones_in_order(surveys):
    expected = [*c.SURVEY_KEY_COLUMNS, *ITEMS, "text_what_changed", "text_support_needed"]
    assert list(surveys.columns) == expected
    assert c.SOURCE_ROW not in surveys


def test_survey_dtypes(surveys):
    assert str(surveys[c.SCHOOL_URN].dtype) == "Int64"
    assert pd.api.types.is_datetime64_dtype(surveys[c.SUBMITTED_AT])
    for column in ITEMS:
        assert surveys[column].dtype == np.float64
    for column in (c.RESPONDENT_ID, c.PHASE, c.HUB, c.NCP, c.WORK_GROUP, "text_what_changed"):
        assert pd.api.types.is_string_dtype(surveys[column])


def test_small_scale_has_the_promised_number_of_rows(surveys, pupils):
    assert 15_000 <= len(surveys) <= 25_000
    assert 10_000 <= len(pupils) <= 20_000


def test_likert_answers_are_whole_numbers_one_to_five_with_about_two_percent_missing(surveys):
    values = surveys[ITEMS].to_numpy()
    answered = values[~np.isnan(values)]
    assert set(np.unique(answered)) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert 0.01 < np.isnan(values).mean() < 0.03


def test_vocabularies_come_from_the_reference_tables(surveys):
    assert set(surveys[c.HUB]) == set(reference.hubs()["name"])
    assert set(surveys[c.NCP]) <= set(reference.ncps()["name"])
    assert set(surveys[c.ACADEMIC_YEAR]) == set(reference.mtc_national()["academic_year"])
    assert set(surveys[c.PHASE]) == {"pre", "post"}
    assert set(surveys[c.SCHOOL_PHASE]) == set(synthetic.SCHOOL_PHASES)
    assert set(surveys[c.ROLE]) == set(synthetic.ROLES)


def test_most_work_groups_are_in_the_big_three_programmes(surveys):
    share = surveys[c.NCP].value_counts(normalize=True)
    big = share[
        share.index.str.contains("Teaching for Mastery|Mastery Readiness|Mastering Number|SKTM")
    ].sum()
    assert big > 0.7
    assert surveys[c.NCP].nunique() >= 20  # and some secondary and post-16 projects too
    assert "Supporting Post-16 GCSE Resit" in set(surveys[c.NCP])


def test_not_every_hub_runs_every_project_every_year(surveys):
    per_cell = surveys.groupby([c.HUB, c.ACADEMIC_YEAR])[c.NCP].nunique()
    assert per_cell.max() < surveys[c.NCP].nunique()


def test_projects_recruit_schools_of_the_right_phase(surveys):
    primary = surveys[surveys[c.NCP] == "Mastering Number at KS2"]
    assert set(primary[c.SCHOOL_PHASE]) <= {"Primary", "All-through"}
    secondary = surveys[surveys[c.NCP] == "Secondary Teaching for Mastery Development"]
    assert set(secondary[c.SCHOOL_PHASE]) <= {"Secondary", "All-through"}


def test_schools_have_valid_urns_and_belong_to_one_hub_and_phase(surveys):
    urn = surveys[c.SCHOOL_URN]
    assert urn.between(100_000, 999_999).all()
    by_school = surveys.groupby(c.SCHOOL_URN)
    assert (by_school[c.HUB].nunique() == 1).all()
    assert (by_school[c.SCHOOL_PHASE].nunique() == 1).all()


def test_work_groups_have_six_to_sixteen_teachers_and_readable_ids(surveys):
    groups = surveys.groupby(c.WORK_GROUP)
    size = groups[c.RESPONDENT_ID].nunique()
    assert size.between(6, 16).all()
    assert (groups[[c.HUB, c.NCP, c.ACADEMIC_YEAR]].nunique() == 1).all().all()
    assert surveys[c.WORK_GROUP].str.fullmatch(r"[A-Z]{2,4}-[A-Z0-9]+-\d{4}-\d{2}").all()
    solent = surveys.loc[
        (surveys[c.HUB] == "Solent Maths Hub")
        & (surveys[c.NCP] == "Mastering Number at KS2")
        & (surveys[c.ACADEMIC_YEAR] == "2023/24"),
        c.WORK_GROUP,
    ]
    assert solent.str.startswith("SOL-MNKS2-2324-").all()


def test_respondent_codes_are_unique_per_phase_and_look_like_codes(surveys):
    assert surveys[c.RESPONDENT_ID].str.fullmatch(r"MH-[A-HJ-NP-Z2-9]{6}").all()
    assert not surveys.duplicated([c.RESPONDENT_ID, c.PHASE]).any()
    # a code belongs to one Work Group: it is stable across pre and post, not reused
    assert (surveys.groupby(c.RESPONDENT_ID)[c.WORK_GROUP].nunique() == 1).all()


def test_pre_answers_in_autumn_and_post_answers_in_summer(surveys):
    start = surveys[c.ACADEMIC_YEAR].str[:4].astype(int)
    when = surveys[c.SUBMITTED_AT]
    pre = surveys[c.PHASE] == "pre"
    assert (when[pre].dt.year == start[pre]).all()
    assert when[pre].dt.month.between(9, 12).all()
    assert (when[~pre].dt.year == start[~pre] + 1).all()
    assert when[~pre].dt.month.between(5, 7).all()


# --- surveys: realism -------------------------------------------------------------------------


def test_attrition_is_between_fifteen_and_twenty_five_percent(surveys):
    pre = set(surveys.loc[surveys[c.PHASE] == "pre", c.RESPONDENT_ID])
    post = set(surveys.loc[surveys[c.PHASE] == "post", c.RESPONDENT_ID])
    assert 0.15 <= len(pre - post) / len(pre) <= 0.25
    new_joiners = len(post - pre) / len(post)
    assert 0.02 <= new_joiners <= 0.06


def test_scales_are_reliable_and_reverse_items_run_the_other_way(surveys):
    pre = surveys[surveys[c.PHASE] == "pre"]
    assert stats.spearmanr(pre["conf_1"], pre["conf_3"], nan_policy="omit").statistic < -0.3
    for construct in INSTRUMENT.constructs:
        items = pre[list(INSTRUMENT.items_of(construct))].dropna()
        for item in INSTRUMENT.reverse_items:
            if item in items:
                items[item] = 6 - items[item]
        alpha, _ = pingouin.cronbach_alpha(items)
        assert 0.72 <= alpha <= 0.92, construct


def test_answers_pile_up_at_the_top_after_the_work_group(surveys):
    post = surveys.loc[surveys[c.PHASE] == "post", "conf_1"]
    share = post.value_counts(normalize=True)
    assert 0.2 < share[5.0] < 0.5
    assert share[1.0] < 0.08


def test_some_responses_are_straight_lined(surveys):
    complete = surveys[ITEMS].dropna()
    straight = (complete.nunique(axis=1) == 1).mean()
    assert 0.005 < straight < 0.04


def test_effects_differ_clearly_between_projects(paired_change):
    by_ncp = paired_change.groupby(c.NCP)["change"].mean()
    assert by_ncp["SKTM Primary Teachers"] - by_ncp["Primary Teaching for Mastery Sustaining"] > 0.3
    assert by_ncp["Mastering Number at KS2"] > by_ncp["Primary Teaching for Mastery Sustaining"]


def test_some_hubs_are_well_above_or_below_the_rest(paired_change):
    by_hub = paired_change.groupby(c.HUB)["change"].agg(["mean", "count", "std"])
    overall = paired_change["change"].mean()
    z = (by_hub["mean"] - overall) / (by_hub["std"] / np.sqrt(by_hub["count"]))
    assert (z > 3).any()
    assert (z < -3).any()


def test_open_text_is_varied_sometimes_blank_and_includes_awkward_answers(surveys):
    texts = pd.concat([surveys["text_what_changed"], surveys["text_support_needed"]])
    assert 0.1 < texts.isna().mean() < 0.9
    answered = texts.dropna()
    assert answered.nunique() > 30
    assert answered.str.contains(",").any()
    assert answered.str.contains('"').any()
    assert answered.str.contains("\n").any()
    assert answered.str.startswith("=").any()


# --- pupils -----------------------------------------------------------------------------------


def test_pupil_columns_and_dtypes(pupils):
    assert list(pupils.columns) == list(c.PUPIL_COLUMNS)
    assert str(pupils[c.SCHOOL_URN].dtype) == "Int64"
    assert str(pupils[c.YEAR_GROUP].dtype) == "Int64"
    assert pupils[c.SCORE].dtype == np.float64
    for flag in (c.DISADVANTAGED, c.SEN, c.EAL):
        assert str(pupils[flag].dtype) == "boolean"
    assert pd.api.types.is_datetime64_dtype(pupils[c.ASSESSED_ON])


def test_pupils_are_year_4_mastering_number_mtc_scores_zero_to_25(pupils):
    assert set(pupils[c.NCP]) == {"Mastering Number at KS2"}
    assert set(pupils[c.YEAR_GROUP]) == {4}
    assert set(pupils[c.MEASURE]) == {"MTC"}
    score = pupils[c.SCORE]
    assert score.between(0, 25).all()
    assert (score == score.round()).all()
    assert set(pupils[c.SEX]) == {"F", "M"}
    assert pupils[c.PUPIL_ID].str.fullmatch(r"P-[A-Z2-9]{7}").all()
    assert not pupils.duplicated([c.PUPIL_ID, c.PHASE]).any()


def test_pupil_schools_are_mastering_number_schools_of_that_hub_and_year(surveys, pupils):
    keys = [c.SCHOOL_URN, c.HUB, c.ACADEMIC_YEAR]
    taking_part = surveys.loc[surveys[c.NCP] == "Mastering Number at KS2", keys].drop_duplicates()
    merged = pupils[keys].drop_duplicates().merge(taking_part, how="left", indicator=True)
    assert (merged["_merge"] == "both").all()


def test_post_scores_look_like_the_national_mtc(pupils):
    national = reference.mtc_national().set_index("academic_year")
    post = pupils[pupils[c.PHASE] == "post"]
    for year, scores in post.groupby(c.ACADEMIC_YEAR)[c.SCORE]:
        assert abs(scores.mean() - national.loc[year, "mean_score"]) < 1.2, year
        full = (scores == 25).mean() * 100
        assert abs(full - national.loc[year, "pct_full_marks"]) < 8, year
    counts = post[c.SCORE].value_counts()
    assert counts.idxmax() == 25  # the ceiling pile-up
    assert stats.skew(post[c.SCORE]) < -1  # long tail of low scores


def test_pre_scores_are_lower_than_post(pupils):
    mean = pupils.groupby(c.PHASE)[c.SCORE].mean()
    assert 16.5 <= mean["pre"] <= 18.5
    assert mean["post"] - mean["pre"] > 2


def test_disadvantaged_pupils_score_lower_and_groups_are_realistic_sizes(pupils):
    post = pupils[pupils[c.PHASE] == "post"]
    gap = post.groupby(c.DISADVANTAGED)[c.SCORE].mean()
    assert 1.5 < gap[False] - gap[True] < 4
    assert 0.2 < pupils[c.DISADVANTAGED].mean() < 0.3
    assert 0.1 < pupils[c.SEN].mean() < 0.2
    assert 0.15 < pupils[c.EAL].mean() < 0.25


def test_scores_cluster_by_school(pupils):
    post = pupils[pupils[c.PHASE] == "post"]
    groups = [g.to_numpy() for _, g in post.groupby(c.SCHOOL_URN)[c.SCORE]]
    assert stats.f_oneway(*groups).pvalue < 1e-6


def test_a_few_pupils_miss_the_post_check(pupils):
    pre = set(pupils.loc[pupils[c.PHASE] == "pre", c.PUPIL_ID])
    post = set(pupils.loc[pupils[c.PHASE] == "post", c.PUPIL_ID])
    assert 0.01 < len(pre - post) / len(pre) < 0.08


def test_pupil_gains_differ_by_hub(pupils):
    wide = pupils.pivot_table(index=[c.PUPIL_ID, c.HUB], columns=c.PHASE, values=c.SCORE)
    gain = (wide["post"] - wide["pre"]).dropna().groupby(level=c.HUB).mean()
    assert gain.max() - gain.min() > 2


def test_checks_are_on_school_days_in_autumn_and_june(pupils):
    day = pupils[c.ASSESSED_ON]
    assert (day.dt.day_of_week < 5).all()
    pre = pupils[c.PHASE] == "pre"
    assert day[pre].dt.month.between(10, 11).all()
    assert (day[~pre].dt.month == 6).all()


# --- example exports for one Work Group -------------------------------------------------------


@pytest.fixture(scope="module")
def examples() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return synthetic.example_exports()


def test_committed_examples_are_what_the_generator_makes(examples):
    pre, post, google, pupils = examples
    for name, frame in (("ms_forms_pre.xlsx", pre), ("ms_forms_post.xlsx", post)):
        # answers such as "None" are text; only empty cells are missing
        read = pd.read_excel(EXAMPLES / name, keep_default_na=False, na_values=[""])
        pd.testing.assert_frame_equal(read, frame, check_dtype=False)
    google_read = pd.read_csv(EXAMPLES / "google_forms_post.csv", dtype=str, keep_default_na=False)
    assert google_read.columns.tolist() == google.columns.tolist()
    assert google_read["Participant code"].tolist() == google["Participant code"].tolist()
    pd.testing.assert_frame_equal(
        pd.read_csv(EXAMPLES / "mtc_scores.csv"), pupils, check_dtype=False
    )


def test_ms_forms_ids_are_response_numbers_not_people(examples):
    pre, post, _, _ = examples
    assert pre["ID"].is_unique and post["ID"].is_unique
    assert pre["ID"].tolist() == list(range(1, len(pre) + 1))

    def key(code: pd.Series) -> pd.Series:
        return code.str.strip().str.casefold()

    matched = pd.DataFrame({"code": key(pre["Participant code"]), "id": pre["ID"]}).merge(
        pd.DataFrame({"code": key(post["Participant code"]), "id": post["ID"]}), on="code"
    )
    assert len(matched) >= 8
    assert (matched["id_x"] != matched["id_y"]).all()
    assert (pre["Email"].str.endswith("@example.sch.uk")).all()


def test_ms_forms_have_question_text_headers_and_label_answers(examples):
    pre, post, google, _ = examples
    for frame in (pre, post, google):
        for item in INSTRUMENT.items:
            allowed = set(INSTRUMENT.point_labels(item.label_set))
            answers = set(frame[item.text].dropna())
            assert answers <= allowed, item.item
        lowered = {name.casefold() for name in frame.columns}
        assert not lowered & {"hub", "maths hub", "ncp", "project", "academic year", "phase"}
    assert set(
        post["How often do you plan intelligent practice that varies one thing at a time?"]
    ) <= {
        "Never",
        "Rarely",
        "Sometimes",
        "Often",
        "Always",
    }


def test_google_forms_export_is_utf8_with_timestamp_and_email_columns():
    raw = (EXAMPLES / "google_forms_post.csv").read_bytes()
    text = raw.decode("utf-8")
    assert text.startswith("Timestamp,Email address,Participant code,")


def test_example_pupil_file_has_canonical_ish_headers_and_mtc_scores(examples):
    pupils = examples[3]
    assert pupils.columns.tolist() == [
        "Pupil ID",
        "School URN",
        "Maths Hub",
        "Project",
        "Academic year",
        "Year group",
        "Phase",
        "Score",
    ]
    assert pupils["Score"].between(0, 25).all()
    assert set(pupils["Maths Hub"]) == {"Solent Maths Hub"}
