"""Tests of the Pandera contracts in schemas/: survey, pupil and the header-alias table."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest

from schemas import reference
from schemas.pupil import PupilTable, pupil_schema
from schemas.survey import SurveyTable, academic_year_ok, survey_schema


def survey_rows(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c"],
            "phase": ["pre", "pre", "post"],
            "academic_year": ["2024/25"] * 3,
            "hub": ["Solent Maths Hub"] * 3,
            "ncp": ["Mastering Number at KS2"] * 3,
            "work_group": ["WG1"] * 3,
            "school_urn": pd.array([123456, None, 999999], dtype="Int64"),
            "school_phase": pd.Series([None] * 3, dtype="str"),
            "role": pd.Series([None] * 3, dtype="str"),
            "submitted_at": pd.to_datetime([None] * 3),
            "source_row": [2, 3, 4],
            "conf_1": [1.0, 5.0, float("nan")],
        }
    )
    for column, values in changes.items():
        frame[column] = values
    return frame


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> set[tuple[str, str, int]]:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        return {(str(r.column), str(r.check), int(r.index)) for r in cases.itertuples()}
    return set()


def test_valid_survey_rows_pass():
    assert failures(survey_schema(["conf_1"]), survey_rows()) == set()


def test_survey_item_outside_scale_fails_at_its_row():
    frame = survey_rows(conf_1=[0.0, 5.5, 3.0])
    assert failures(survey_schema(["conf_1"]), frame) == {
        ("conf_1", "in_range(1, 5)", 0),
        ("conf_1", "in_range(1, 5)", 1),
    }


def test_survey_reference_and_format_checks():
    frame = survey_rows(
        hub=["Solent Maths Hub", "Atlantis", "Solent Maths Hub"],
        ncp=["Mastering Number at KS2", "Mastering Number at KS2", "MN-KS2"],
        phase=["pre", "middle", "post"],
        academic_year=["2024/25", "2024/25", "2024/26"],
        school_urn=pd.array([99999, None, 1000000], dtype="Int64"),
    )
    got = {(column, index) for column, _, index in failures(survey_schema(["conf_1"]), frame)}
    assert got == {
        ("hub", 1),
        ("ncp", 2),
        ("phase", 1),
        ("academic_year", 2),
        ("school_urn", 0),
        ("school_urn", 2),
    }


def test_one_response_per_respondent_per_phase_is_a_cross_row_check():
    frame = survey_rows(respondent_id=["a", "a", "a"], phase=["pre", "pre", "post"])
    checks = {(check, index) for _, check, index in failures(SurveyTable.to_schema(), frame)}
    assert checks == {
        ("one_response_per_respondent_per_phase", 0),
        ("one_response_per_respondent_per_phase", 1),
    }


def test_unidentified_rows_are_only_a_problem_when_others_are_identified():
    none = pd.Series([None] * 3, dtype="str")
    assert failures(SurveyTable.to_schema(), survey_rows(respondent_id=none)) == set()
    some = pd.Series(["a", None, "c"], dtype="str")
    checks = {
        (check, index)
        for _, check, index in failures(SurveyTable.to_schema(), survey_rows(respondent_id=some))
    }
    assert checks == {("every_row_identified", 1)}


def test_survey_schema_can_leave_out_columns_already_reported_missing():
    frame = survey_rows().drop(columns=["hub"])
    assert failures(survey_schema(["conf_1"], skip=["hub"]), frame) == set()


@pytest.mark.parametrize(
    ("year", "ok"),
    [
        ("2024/25", True),
        ("1999/00", True),
        ("2024/26", False),
        ("2024-25", False),
        ("24/25", False),
    ],
)
def test_academic_year_form(year, ok):
    assert academic_year_ok(pd.Series([year])).tolist() == [ok]


def pupil_rows(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "pupil_id": ["p1", "p2", "p3", "p4"],
            "school_urn": pd.array([123456] * 4, dtype="Int64"),
            "hub": ["Solent Maths Hub"] * 4,
            "ncp": ["Mastering Number at KS2"] * 4,
            "academic_year": ["2024/25"] * 4,
            "year_group": pd.array([4] * 4, dtype="Int64"),
            "phase": ["pre"] * 4,
            "assessed_on": pd.to_datetime([None] * 4),
            "measure": ["MTC"] * 4,
            "score": [0.0, 25.0, 12.0, 3.0],
            "source_row": [2, 3, 4, 5],
        }
    )
    for column, values in changes.items():
        frame[column] = values
    return frame


def test_mtc_scores_must_be_whole_numbers_from_0_to_25():
    frame = pupil_rows(score=[-1.0, 25.5, 26.0, 24.0])
    checks = {(check, index) for _, check, index in failures(PupilTable.to_schema(), frame)}
    assert checks == {("mtc_scores_are_whole_numbers_0_to_25", i) for i in (0, 1, 2)}


def test_scores_of_other_measures_are_not_held_to_the_mtc_range():
    frame = pupil_rows(measure=["KS2 reading"] * 4, score=[101.0, 99.5, 120.0, 80.0])
    assert failures(pupil_schema(), frame) == set()


def test_one_score_per_pupil_per_phase_and_missing_pupil_id():
    frame = pupil_rows(pupil_id=pd.Series(["p1", "p1", None, "p4"], dtype="str"))
    got = {
        (column, check, index)
        for column, check, index in failures(pupil_schema(), frame)
        if column in ("pupil_id",)
    }
    assert ("pupil_id", "not_nullable", 2) in got
    assert ("pupil_id", "one_score_per_pupil_per_phase", 0) in got
    assert ("pupil_id", "one_score_per_pupil_per_phase", 1) in got


def test_header_alias_reference_table_loads_and_covers_real_export_headings():
    table = reference.header_aliases()
    assert set(table.columns) == {"alias", "column", "kind", "match"}
    meaning = {(r.alias, r.kind): r.column for r in table.itertuples()}
    assert meaning[("participant code", "survey")] == "respondent_id"
    assert meaning[("urn", "any")] == "school_urn"
    assert meaning[("id", "any")] == "ignore"


def test_header_alias_table_rejects_an_alias_with_two_meanings():
    table = reference.header_aliases()
    clash = pd.concat(
        [
            table,
            pd.DataFrame(
                [{"alias": "Maths-Hub", "column": "ncp", "kind": "survey", "match": "exact"}]
            ),
        ],
        ignore_index=True,
    )
    with pytest.raises(pa.errors.SchemaError, match="alias_means_one_thing_per_kind"):
        reference.HeaderAliasTable.validate(clash)
