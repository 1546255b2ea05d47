"""Tests of evaluation.validation: every problem kind, at the right spreadsheet row and column."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation import columns as c
from evaluation.instruments import default_instrument
from evaluation.io.headers import academic_year, hub_name, ncp_name, phase_name, slug
from evaluation.validation import (
    MAX_PER_KIND,
    CheckedFile,
    FileDefaults,
    check,
    check_files,
    check_pupils,
    check_survey,
    join_checked,
    pairing_problems,
)

FIXTURES = Path(__file__).parent / "fixtures"
WHOLE_FILE = FileDefaults(hub="Solent", ncp="MN-KS2", academic_year="2024/25")
PRE = replace(WHOLE_FILE, phase="pre")
POST = replace(WHOLE_FILE, phase="post")
AGREEMENT = "Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree"


def codes(checked: CheckedFile, severity: str = "error") -> list[tuple[int | None, str]]:
    problems = checked.report.errors if severity == "error" else checked.report.warnings
    return [(p.row, p.code) for p in problems]


def only(checked: CheckedFile, code: str):
    found = [p for p in (*checked.report.errors, *checked.report.warnings) if p.code == code]
    assert len(found) == 1, found
    return found[0]


# --- the "Done when" scenarios --------------------------------------------------------


def test_microsoft_forms_pre_and_post_with_label_answers_validate_clean_and_pair_by_code():
    pre = check_survey(FIXTURES / "ms_forms_pre.xlsx", defaults=PRE)
    post = check_survey(FIXTURES / "ms_forms_post.csv", defaults=POST)
    for checked in (pre, post):
        assert checked.report.valid, checked.report.errors
        assert checked.report.warnings == ()
        assert checked.identifier == "Please enter your participant code"
        assert checked.column_map["ID"] == "ignored: response number (not a person)"
        assert "ID" not in checked.frame and "Name" not in checked.frame
    # Same question text -> same item ids, so pre and post line up.
    assert pre.instrument.item_ids == post.instrument.item_ids
    assert len(pre.instrument.item_ids) == 4
    # Pairing by participant code (not the ID column, which restarts in another order at post).
    merged = pre.frame.merge(post.frame, on=c.RESPONDENT_ID, suffixes=("_pre", "_post"))
    assert sorted(merged[c.RESPONDENT_ID]) == ["ab12", "cd34", "ef56", "gh78"]
    item = pre.instrument.item_ids[0]  # "How confident ..." with confidence labels
    got = dict(zip(merged[c.RESPONDENT_ID], merged[f"{item}_post"], strict=True))
    # Post answers written in make_fixtures.POST_ANSWERS: GH78 Extremely (5), AB12 Very (4),
    # CD34 Very (4), EF56 Somewhat (3) confident.
    assert got == {"gh78": 5.0, "ab12": 4.0, "cd34": 4.0, "ef56": 3.0}
    assert pairing_problems(pre.frame, post.frame) == ()


def test_microsoft_forms_labels_map_to_the_published_scale_points():
    pre = check_survey(FIXTURES / "ms_forms_pre.xlsx", defaults=PRE)
    row = pre.frame.set_index(c.RESPONDENT_ID).loc["ab12"]
    ids = pre.instrument.item_ids
    # AB12 pre: Slightly confident (2), Disagree (2), Rarely (2), Neither agree nor disagree (3).
    assert [row[i] for i in ids] == [2.0, 2.0, 2.0, 3.0]
    assert [pre.instrument.item(i).label_set for i in ids] == [
        "confidence", "agreement", "frequency", "agreement",
    ]  # fmt: skip


def test_excel_windows_1252_semicolon_file_validates_with_values_normalised():
    checked = check_survey(FIXTURES / "excel_cp1252_semicolon.csv")
    assert checked.report.valid, checked.report.errors
    frame = checked.frame
    assert frame[c.RESPONDENT_ID].tolist() == ["zoë-01", "zoë-02", "zoë-03"]
    assert set(frame[c.HUB]) == {"Solent Maths Hub"}
    assert set(frame[c.NCP]) == {"Mastering Number at KS2"}
    assert set(frame[c.ACADEMIC_YEAR]) == {"2024/25"}
    assert set(frame[c.PHASE]) == {"pre"}
    assert frame[c.SCHOOL_URN].tolist()[:2] == [123456, 123456]
    assert pd.isna(frame[c.SCHOOL_URN].iloc[2])
    assert checked.instrument.name == "default"
    assert frame["conf_1"].tolist() == [4.0, 5.0, 3.0]
    assert frame["text_comments"].iloc[0] == "Café chat – very useful\r\nthanks"


def test_pupil_file_with_bad_scores_missing_id_and_misspelt_hub_gives_errors_at_rows():
    checked = check_pupils(FIXTURES / "pupils_bad.csv")
    assert codes(checked) == [
        (3, "mtc_score"),
        (4, "missing_pupil_id"),
        (5, "unknown_hub"),
        (5, "mtc_score"),
    ]
    hub = only(checked, "unknown_hub")
    assert hub.column == "Maths Hub"
    assert hub.value == "Solent Maths Hubb"
    assert hub.describe() == (
        "Row 5, column 'Maths Hub': 'Solent Maths Hubb' is not a Maths Hub we know. "
        "Did you mean 'Solent Maths Hub'?"
    )
    scores = [p for p in checked.report.errors if p.code == "mtc_score"]
    assert [(p.column, p.value) for p in scores] == [("MTC score", "26"), ("MTC score", "12.5")]
    assert checked.frame[c.YEAR_GROUP].tolist() == [4] * 5
    assert checked.frame[c.MEASURE].unique().tolist() == ["MTC"]
    assert checked.frame.columns.tolist() == [*c.PUPIL_COLUMNS, c.SOURCE_ROW]
    assert checked.frame[c.DISADVANTAGED].dtype == "boolean"


# --- identifiers (DESIGN §4) ------------------------------------------------------------------


def test_google_forms_email_is_the_identifier_when_there_is_no_code():
    checked = check_survey(FIXTURES / "google_forms.csv", defaults=PRE)
    assert checked.report.valid
    assert checked.identifier == "Email address"
    assert checked.frame[c.RESPONDENT_ID].tolist() == [
        "teacher.one@example.org", "teacher.two@example.org",
    ]  # fmt: skip
    assert checked.frame[c.SUBMITTED_AT].tolist() == [
        pd.Timestamp("2024-09-18 15:01"), pd.Timestamp("2024-09-18 15:05"),
    ]  # fmt: skip
    assert any("matched by 'Email address'" in note for note in checked.notes)


def test_microsoft_forms_id_is_never_the_identifier_so_results_are_unpaired():
    data = (
        b"ID,Start time,Email,Name,I enjoy teaching maths\n"
        b"1,x,anonymous,,Agree\n2,x,anonymous,,Agree\n"
    )
    checked = check_survey(data, defaults=PRE)
    assert checked.identifier is None
    assert checked.frame[c.RESPONDENT_ID].isna().all()
    assert any("unpaired" in note for note in checked.notes)
    assert checked.column_map["Email"].startswith("ignored")


def test_surveymonkey_respondent_id_is_ignored_and_first_data_row_is_3():
    checked = check_survey(FIXTURES / "surveymonkey.csv", defaults=PRE)
    assert checked.report.valid
    assert checked.column_map["Respondent ID"] == "ignored: response number (not a person)"
    assert checked.identifier == "What is your participant code?"
    assert checked.frame[c.SOURCE_ROW].tolist() == [3, 4]
    assert checked.frame["conf_1"].tolist() == [4.0, 2.0]  # matched to the default item by text


def test_participant_code_column_wins_over_email():
    data = b"Email address,Participant code,conf_1\na@x.org,C1,4\nb@x.org,C2,3\n"
    checked = check_survey(data, defaults=PRE)
    assert checked.identifier == "Participant code"
    assert checked.frame[c.RESPONDENT_ID].tolist() == ["c1", "c2"]
    assert "email" not in checked.frame.columns


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [("2024", "2024/25"), ("2024-25", "2024/25"), ("2024/2025", "2024/25"), ("24/25", "2024/25"),
     ("1999/00", "1999/00"), ("2024/26", None), ("soon", None)],
)  # fmt: skip
def test_academic_year_forms(written, expected):
    assert academic_year(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [("Pre", "pre"), ("before", "pre"), (" START ", "pre"), ("Post-course", "post"),
     ("after", "post"), ("End", "post"), ("middle", None)],
)  # fmt: skip
def test_phase_words(written, expected):
    assert phase_name(written) == expected


def test_hub_and_project_names_are_matched_loosely_to_reference_names():
    assert hub_name("SOLENT maths hub") == "Solent Maths Hub"
    assert hub_name("NE Hants and Surrey") == "North-East Hants and Surrey Maths Hub"
    assert ncp_name("mn-ks2") == "Mastering Number at KS2"
    assert ncp_name("Mastering Number at KS2") == "Mastering Number at KS2"


def test_likert_labels_are_case_and_space_insensitive_and_numbers_as_text_accepted():
    data = (
        b"Participant code,I enjoy teaching maths\n"
        b"a,Strongly agree \nb,  strongly   AGREE\nc,4\nd,1.0\ne,\n"
    )
    checked = check_survey(data, defaults=PRE)
    assert checked.report.valid
    item = checked.instrument.item_ids[0]
    assert checked.frame[item].tolist()[:4] == [5.0, 5.0, 4.0, 1.0]
    assert np.isnan(checked.frame[item].iloc[4])


def test_item_ids_come_from_question_text_deterministically():
    assert slug("How often do pupils explain?") == "how_often_do_pupils_explain"
    long = "I feel " + "very " * 20 + "confident"
    assert slug(long) == slug(long) and len(slug(long)) <= 56
    assert slug(long) != slug(long + " indeed")


# --- one test per error kind ------------------------------------------------------------------


def test_missing_required_columns_without_defaults_are_one_error_each():
    checked = check_survey(b"Participant code,conf_1\na,4\nb,5\n")
    errors = checked.report.errors
    assert [(p.code, p.row) for p in errors] == [("missing_column", None)] * 4
    assert {p.message for p in errors} == {
        "The file has no Maths Hub column.",
        "The file has no project (NCP) column.",
        "The file has no phase (pre or post) column.",
        "The file has no academic year column.",
    }
    assert errors[0].fix == (
        "Add a 'Maths Hub' column, or choose the Maths Hub for the whole file when you upload it "
        "(command line: --hub)."
    )


def test_unknown_hub_and_project_with_did_you_mean():
    data = b"Participant code,Hub,NCP,conf_1\na,Solent Maths Hubb,Mastring Number at KS2,4\n"
    checked = check_survey(data, defaults=FileDefaults(academic_year="2024/25", phase="pre"))
    hub, ncp = only(checked, "unknown_hub"), only(checked, "unknown_ncp")
    assert (hub.row, hub.column, hub.fix) == (2, "Hub", "Did you mean 'Solent Maths Hub'?")
    assert (ncp.row, ncp.column, ncp.fix) == (2, "NCP", "Did you mean 'Mastering Number at KS2'?")


def test_unknown_hub_far_from_any_name_gets_general_advice():
    data = b"Participant code,Hub,conf_1\na,Atlantis Deep,4\n"
    checked = check_survey(data, defaults=replace(PRE, hub=None))
    assert only(checked, "unknown_hub").fix.startswith("Use the hub's name")


def test_score_out_of_range_and_unrecognised_label():
    data = b"Participant code,conf_1,conf_2\na,7,Agreee\nb,4,Agree\n"
    checked = check_survey(data, defaults=PRE)
    out = only(checked, "score_out_of_range")
    assert (out.row, out.column, out.value) == (2, "conf_1", "7")
    assert out.message == "'7' is outside the 1 to 5 scale of this question."
    label = only(checked, "not_a_likert_answer")
    assert (label.row, label.column, label.value) == (2, "conf_2", "Agreee")
    assert label.message == "'Agreee' is not an answer we recognise for this question."
    assert label.fix == f"Use one of: {AGREEMENT}; or a number from 1 to 5."


def test_duplicate_respondent_in_the_same_phase():
    data = b"Participant code,conf_1\nA1,4\nb2,4\na1 ,5\n"
    checked = check_survey(data, defaults=PRE)
    assert codes(checked) == [(2, "duplicate_response"), (4, "duplicate_response")]
    assert [p.value for p in checked.report.errors] == ["A1", "a1 "]


def test_same_respondent_pre_and_post_in_one_file_is_not_a_duplicate():
    data = b"Participant code,Phase,conf_1\na,pre,4\na,post,5\n"
    assert check_survey(data, defaults=WHOLE_FILE).report.valid


def test_missing_identifier_in_some_rows_when_others_have_one():
    checked = check_survey(b"Participant code,conf_1\na,4\n,3\n", defaults=PRE)
    assert codes(checked) == [(3, "missing_identifier")]


def test_bad_phase_and_year_in_the_file():
    data = b"Participant code,Phase,Academic year,conf_1\na,middle,2024/26,4\nb,pre,24/25,3\n"
    checked = check_survey(data, defaults=replace(WHOLE_FILE, academic_year=None))
    assert codes(checked) == [(2, "bad_phase"), (2, "bad_year")]
    assert only(checked, "bad_year").fix == "Write the academic year like 2024/25."


def test_bad_choices_for_the_whole_file_are_reported_once():
    checked = check_survey(
        b"Participant code,conf_1\na,4\nb,4\n",
        defaults=FileDefaults(hub="Solnet", ncp="XX", phase="middle", academic_year="2024/26"),
    )
    assert [p.code for p in checked.report.errors] == [
        "bad_default_hub", "bad_default_ncp", "bad_default_phase", "bad_default_academic_year",
    ]  # fmt: skip
    assert checked.report.errors[0].fix == "Did you mean 'Solent Maths Hub'?"


def test_file_value_that_differs_from_the_whole_file_choice_is_an_error_in_that_row():
    data = b"Participant code,Maths Hub,conf_1\na,Sussex,4\nb,Solent,3\nc,,3\n"
    checked = check_survey(data, defaults=PRE)
    problem = only(checked, "conflicts_with_default")
    assert (problem.row, problem.column, problem.value) == (2, "Maths Hub", "Sussex")
    assert checked.frame[c.HUB].tolist()[1:] == ["Solent Maths Hub", "Solent Maths Hub"]


def test_missing_value_in_a_required_column():
    data = b"Participant code,Maths Hub,conf_1\na,,4\nb,Solent,3\n"
    checked = check_survey(data, defaults=replace(PRE, hub=None))
    problem = only(checked, "missing_value")
    assert (problem.row, problem.column) == (2, "Maths Hub")
    assert problem.message == "This row has no Maths Hub."
    assert problem.fix == (
        "Fill in the Maths Hub, or choose it for the whole file when you upload it "
        "(command line: --hub)."
    )


def test_missing_column_fix_reads_for_the_upload_page_and_the_command_line():
    errors = check_survey(b"Participant code,conf_1\na,4\nb,5\n").report.errors
    fixes = sorted(p.fix for p in errors)
    assert all("when you upload it (command line: --" in fix for fix in fixes)
    assert not any(
        fix.endswith(("(--hub).", "(--ncp).", "(--phase).", "(--year).")) for fix in fixes
    )
    assert (
        "Add a 'Project' column, or choose the project (NCP) for the whole file when you upload it "
        "(command line: --ncp)."
    ) in fixes


def test_bad_urn():
    data = b"Participant code,URN,conf_1\na,12345,4\nb,ABC123,4\nc,1234567,3\nd,123456,3\n"
    checked = check_survey(data, defaults=PRE)
    assert codes(checked) == [(2, "bad_urn"), (3, "bad_urn"), (4, "bad_urn")]
    assert checked.frame[c.SCHOOL_URN].iloc[3] == 123456


def test_file_with_no_likert_questions():
    checked = check_survey(b"Participant code,Comments\na,hello\n", defaults=PRE)
    assert codes(checked) == [(None, "no_items")]
    assert checked.instrument is None


def test_pupil_errors_each_kind():
    data = (
        b"Pupil ID,URN,Hub,Project,Year,Year group,Phase,Score,Disadvantaged\n"
        b"P1,123456,Solent,MN-KS2,2024/25,4,pre,25,Y\n"  # 2 ok
        b"P1,123456,Solent,MN-KS2,2024/25,4,pre,20,N\n"  # 3 duplicate of row 2
        b"P3,99,Solent,MN-KS2,2024/25,4,pre,ten,maybe\n"  # 4 urn, score, flag
        b"P4,123456,Solent,MN-KS2,2024/25,Year Four,pre,,\n"  # 5 year group, missing score
        b"P5,123456,Solent,MN-KS2,2024/25,Y4,pre,-1,\n"  # 6 mtc range
    )
    checked = check_pupils(data)
    assert codes(checked) == [
        (2, "duplicate_pupil"),
        (3, "duplicate_pupil"),
        (4, "bad_urn"),
        (4, "score_not_a_number"),
        (4, "bad_disadvantaged"),
        (5, "bad_year_group"),
        (5, "missing_score"),
        (6, "mtc_score"),
    ]
    assert checked.frame[c.ACADEMIC_YEAR].unique().tolist() == ["2024/25"]  # "Year" = 2024/25
    assert checked.frame[c.DISADVANTAGED].tolist()[:2] == [True, False]


def test_pupil_file_without_a_pupil_id_column():
    checked = check_pupils(b"URN,Mark\n123456,4\n", defaults=PRE)
    assert {p.message for p in checked.report.errors} == {
        "The file has no pupil ID column.",
    }


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"", "empty"),
        (b"Participant code,conf_1\n", "no data rows"),
        (bytes(range(256)) * 8, "not a table"),
        (b"a,b\n1,2\n3,4,5\n", "Row 3 has 3 values"),
        (b"PK\x03\x04broken", "damaged"),
    ],
)
@pytest.mark.parametrize("kind", ["survey", "pupil"])
def test_unreadable_file_gives_one_error_and_no_frame(data, phrase, kind):
    checked = check(data, kind=kind)
    assert checked.frame is None
    assert [p.code for p in checked.report.errors] == ["unreadable"]
    assert phrase in checked.report.errors[0].message
    assert checked.report.to_dict()["valid"] is False


def test_two_megabyte_cell_is_unreadable():
    data = b"Participant code,Comment\na," + b"y" * 2_000_000 + b"\n"
    checked = check_survey(data, defaults=PRE)
    assert [p.code for p in checked.report.errors] == ["unreadable"]


@given(st.binary(max_size=300))
def test_never_raises_on_arbitrary_bytes(data):
    for kind in ("survey", "pupil"):
        checked = check(data, kind=kind, defaults=PRE)
        assert isinstance(checked, CheckedFile)
        assert all(p.message for p in checked.report.errors)


# --- warnings ---------------------------------------------------------------------------------


def test_straight_lining_empty_rows_constant_items_and_unmatched_post_are_warnings():
    data = (
        b"Participant code,Phase,conf_1,conf_2,conf_3,know_1\n"
        b"a,pre,4,4,4,4\n"  # 2 straight-lining
        b"b,pre,,,,\n"  # 3 no answers
        b"c,post,3,4,4,2\n"  # 4 post with no pre
        b"a,post,3,4,2,2\n"
    )
    checked = check_survey(data, defaults=WHOLE_FILE)
    assert checked.report.valid
    assert codes(checked, "warning") == [
        (None, "same_answer_for_everyone"),
        (2, "straight_lining"),
        (3, "empty_response"),
        (4, "post_without_pre"),
    ]
    assert only(checked, "same_answer_for_everyone").column == "conf_2"


def test_straight_lining_needs_four_items():
    data = b"Participant code,conf_1,conf_2,conf_3\na,4,4,4\nb,3,2,1\n"
    assert codes(check_survey(data, defaults=PRE), "warning") == []


def test_many_rows_with_one_problem_are_listed_up_to_a_limit_then_counted():
    rows = "".join(f"p{i},9\n" for i in range(MAX_PER_KIND + 10))
    checked = check_survey(("Participant code,conf_1\n" + rows).encode(), defaults=PRE)
    errors = checked.report.errors
    assert len(errors) == MAX_PER_KIND + 1
    assert errors[0].row is None and errors[0].message.startswith("10 more rows")


def test_pairing_problems_across_two_files():
    pre = check_survey(b"Participant code,conf_1\na,4\nb,4\nc,3\n", defaults=PRE).frame
    post = check_survey(b"Participant code,conf_1\na,5\nz,4\n", defaults=POST).frame
    problems = pairing_problems(pre, post)
    assert [(p.code, p.row) for p in problems] == [
        ("post_without_pre", 3),
        ("pre_without_post", None),
    ]
    assert "2 of 3 people" in problems[1].message
    unpaired = pre.assign(respondent_id=pd.Series([None] * 3, dtype="str"))
    assert [p.code for p in pairing_problems(unpaired, post)] == ["unpaired"]
    other = post.assign(ncp="Years 5 to 8 Continuity")
    assert "different_files" in [p.code for p in pairing_problems(pre, other)]


# --- instruments, overrides, frame shape --------------------------------------------------------


def test_given_instrument_matches_columns_by_question_text_and_warns_of_missing_items():
    inst = default_instrument()
    headers = [inst.item("conf_1").text, inst.item("prac_1").text]
    data = ("Code," + ",".join(headers) + "\nx,Agree,Often\n").encode()
    checked = check_survey(data, defaults=PRE, instrument=inst)
    assert checked.frame[["conf_1", "prac_1"]].iloc[0].tolist() == [4.0, 4.0]
    assert np.isnan(checked.frame["know_2"].iloc[0])
    assert len([p for p in checked.report.warnings if p.code == "missing_item"]) == 7


def test_overrides_correct_our_reading_of_a_column():
    data = b"Who,Q1,Q2\nx,Agree,Agree\ny,Disagree,Agree\n"
    checked = check_survey(data, defaults=PRE, overrides={"Who": "respondent_id", "Q2": "text"})
    assert checked.identifier == "Who"
    assert checked.column_map == {"Who": "respondent_id", "Q1": "q1", "Q2": "text:text_q2"}
    assert checked.frame["text_q2"].tolist() == ["Agree", "Agree"]


def test_canonical_survey_frame_has_contract_columns_and_types(sample_dir):
    data = b"Participant code,conf_1,Comments\nA,4,hi\n"
    frame = check_survey(data, defaults=PRE).frame
    assert frame.columns.tolist() == [
        *c.SURVEY_KEY_COLUMNS, c.SOURCE_ROW, "conf_1", "text_comments",
    ]  # fmt: skip
    assert frame[c.SCHOOL_URN].dtype == "Int64"
    assert frame["conf_1"].dtype == np.float64
    assert frame[c.SOURCE_ROW].dtype == np.int64
    assert str(frame[c.SUBMITTED_AT].dtype).startswith("datetime64")


def test_committed_small_sample_validates(sample_dir):
    surveys = sample_dir / "surveys.csv"
    pupils = sample_dir / "pupils.csv"
    if not surveys.exists():  # written by the synthetic-data generator (another engineer)
        pytest.fail("sample_data/small/surveys.csv is missing")
    checked = check_survey(surveys)
    assert checked.report.valid, checked.report.errors[:3]
    assert checked.instrument.item_ids == default_instrument().item_ids
    assert check_pupils(pupils).report.valid


def test_report_to_dict_and_frame():
    checked = check_survey(b"Participant code,conf_1\na,9\n", defaults=PRE)
    document = checked.report.to_dict()
    assert set(document) == {"valid", "kind", "n_rows", "errors", "warnings"}
    assert document["errors"][0] == {
        "row": 2,
        "column": "conf_1",
        "value": "9",
        "message": "'9' is outside the 1 to 5 scale of this question.",
        "fix": "Use a number from 1 to 5 or one of the answer labels.",
    }
    table = checked.report.to_frame()
    assert table.columns.tolist() == ["severity", "row", "column", "value", "message", "fix"]
    assert table["row"].tolist() == [2]


def test_long_values_are_truncated_to_60_characters():
    data = ("Participant code,Hub,conf_1\na," + "Z" * 200 + ",4\n").encode()
    problem = only(check_survey(data, defaults=replace(PRE, hub=None)), "unknown_hub")
    assert len(problem.value) == 60


def test_xlsx_survey_rows_match_spreadsheet_rows():
    buffer = io.BytesIO()
    pd.DataFrame({"Participant code": ["a", "b"], "conf_1": [4, 8]}).to_excel(buffer, index=False)
    checked = check_survey(buffer.getvalue(), defaults=PRE)
    assert codes(checked) == [(3, "score_out_of_range")]


def test_pupil_row_messages_name_value_and_fix_in_plain_english():
    data = (
        b"Pupil ID,URN,Hub,Project,Year,Year group,Phase,Date,Score,SEN\n"
        b"P1,123456,Solent,MN-KS2,2024/25,Year Four,pre,someday,30,maybe\n"
        b"P2,123456,Solent,MN-KS2,2024/25,4,pre,2025-06-10,ten,N\n"
    )
    checked = check_pupils(data)
    said = {(p.code, p.row): (p.column, p.value, p.message, p.fix) for p in checked.report.errors}
    assert said[("bad_year_group", 2)] == (
        "Year group",
        "Year Four",
        "'Year Four' is not a year group.",
        "Write the year group as a number, e.g. 4 (or 'Year 4').",
    )
    assert said[("bad_sen", 2)] == (
        "SEN",
        "maybe",
        "'maybe' is not yes or no.",
        "Write Y or N (or leave it blank if not known).",
    )
    assert said[("mtc_score", 2)] == (
        "Score",
        "30",
        "'30' is not a Multiplication Tables Check score.",
        "An MTC score is a whole number from 0 to 25.",
    )
    assert said[("score_not_a_number", 3)] == (
        "Score",
        "ten",
        "'ten' is not a score.",
        "Write the score as a number (for the MTC, a whole number from 0 to 25).",
    )
    assert [(p.code, p.row, p.message, p.fix) for p in checked.report.warnings] == [
        (
            "bad_date",
            2,
            "'someday' is not a date we can read.",
            "Write dates like 2025-06-10; this date is left blank.",
        )
    ]


def test_survey_date_and_unknown_project_messages():
    data = b"Participant code,Project,Timestamp,conf_1\na,Mastering Nothing Whatsoever,soon,4\n"
    checked = check_survey(data, defaults=replace(PRE, ncp=None))
    project = only(checked, "unknown_ncp")
    assert (project.column, project.message) == (
        "Project",
        "'Mastering Nothing Whatsoever' is not a project (NCP) we know.",
    )
    assert project.fix is not None and project.fix.startswith(("Did you mean '", "Use the project"))
    [date] = checked.report.warnings
    assert (date.code, date.row, date.column, date.message, date.fix) == (
        "bad_date",
        2,
        "Timestamp",
        "'soon' is not a date and time we can read.",
        "Write dates like 2024-09-14 10:05; the time of this response is left blank.",
    )


def test_many_failures_of_one_schema_check_are_listed_then_counted():
    rows = MAX_PER_KIND + 7
    data = "Participant code,Maths Hub,conf_1\n" + "".join(
        f"p{i},Nowhere Hub,4\n" for i in range(rows)
    )
    checked = check_survey(data.encode(), defaults=replace(PRE, hub=None))
    hubs = [p for p in checked.report.errors if p.code == "unknown_hub"]
    summary, *listed = hubs  # whole-file lines come first in a report
    assert [p.row for p in listed] == list(range(2, 2 + MAX_PER_KIND))
    assert (summary.row, summary.column, summary.value, summary.fix) == (
        None,
        "Maths Hub",
        None,
        None,
    )
    assert summary.message == "7 more rows have the same problem (first rows listed)."


# --- several files: check_files and join_checked ---------------------------------------------


def test_check_files_gives_each_files_result_and_joins_them_as_checking_one_by_one_does():
    paths = [FIXTURES / "ms_forms_pre.xlsx", FIXTURES / "ms_forms_post.csv"]
    both = check_files(paths, defaults=[PRE, POST], number_as=c.DATASET_ID)
    one_by_one = [check_survey(paths[0], defaults=PRE), check_survey(paths[1], defaults=POST)]
    assert both.valid and both.first_failure is None
    assert both.reports == tuple(checked.report for checked in one_by_one)
    expected = pd.concat(
        [
            one_by_one[0].frame.assign(**{c.DATASET_ID: 1}),
            one_by_one[1].frame.assign(**{c.DATASET_ID: 2}),
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(both.surveys, expected)
    assert both.frame is both.surveys and both.pupils is None
    assert both.instrument == one_by_one[0].instrument
    assert both.identifiers == ("Please enter your participant code",)


def test_check_files_can_stop_at_the_first_file_with_errors():
    bad = b"Participant code,conf_1\na,7\n"
    good = b"Participant code,conf_1\na,4\n"
    every = check_files([good, bad, good], defaults=PRE)
    first = check_files([good, bad, good], defaults=PRE, stop_at_error=True)
    assert len(every.files) == 3 and len(first.files) == 2
    assert every.first_failure == first.first_failure == 1 and not first.valid
    assert [p.code for p in first.errors] == [p.code for p in every.files[1].report.errors]
    # The rows of every readable file are joined, errors or not (check valid first).
    assert len(every.surveys) == 3


def test_check_files_reads_survey_and_pupil_files_apart():
    survey = b"Participant code,conf_1\na,4\n"
    pupils = b"Pupil ID,URN,Score\nP1,123456,24\nP2,123456,20\n"
    both = check_files([survey, pupils], kind=["survey", "pupil"], defaults=PRE, number_as="file")
    assert both.valid
    assert both.surveys["file"].tolist() == [1] and both.pupils["file"].tolist() == [2, 2]
    assert both.pupils["score"].tolist() == [24.0, 20.0]
    assert both.instrument is not None


def test_check_files_wants_one_value_per_file_when_given_a_list():
    with pytest.raises(ValueError, match="2 sets of defaults for 3 files"):
        check_files([b"a", b"b", b"c"], defaults=[PRE, POST])


def test_joining_nothing_gives_no_rows_and_pupils_alone_no_instrument():
    assert join_checked([]).frame is None
    pupils = check_pupils(b"Pupil ID,URN,Score\nP1,123456,24\n", defaults=PRE)
    joined = join_checked([pupils])
    assert joined.instrument is None and joined.surveys is None
    pd.testing.assert_frame_equal(joined.frame, pupils.frame)


def test_a_survey_with_no_named_questions_falls_back_to_the_default_instrument():
    unreadable = check_survey(b"", defaults=PRE)
    assert join_checked([unreadable]).instrument == default_instrument()


def test_brief_names_the_row_and_column_without_the_fix():
    data = b"Participant code,Maths Hub,conf_1\na,Solnet,4\n"
    checked = check_survey(data, defaults=replace(PRE, hub=None))
    problem = only(checked, "unknown_hub")
    assert problem.fix is not None
    assert problem.brief() == f"row 2, column Maths Hub: {problem.message}"
    whole_file = only(check_survey(b"Participant code\na\n", defaults=PRE), "no_items")
    assert whole_file.brief() == whole_file.message


# --- columns recognised by their values; nothing dropped without a word -------------------------

HUB_QUESTION = "Which Maths Hub are you working with?"


def test_a_column_of_hub_names_is_the_hub_whatever_its_header():
    data = (
        f"Participant code,{HUB_QUESTION},Which project?,When,conf_1\n"
        "A1,Solent,MN-KS2,Pre,4\nB2,solent maths hub,Mastering Number at KS2,pre,5\n"
    ).encode()
    checked = check_survey(data, defaults=FileDefaults(academic_year="2024/25"))
    assert checked.report.valid, checked.report.errors
    assert checked.frame[c.HUB].tolist() == ["Solent Maths Hub"] * 2
    assert checked.frame[c.NCP].tolist() == ["Mastering Number at KS2"] * 2
    assert checked.frame[c.PHASE].tolist() == ["pre"] * 2
    assert checked.column_map[HUB_QUESTION] == c.HUB
    assert (checked.column_map["Which project?"], checked.column_map["When"]) == (c.NCP, c.PHASE)
    assert any(HUB_QUESTION in note and "Maths Hub" in note for note in checked.notes)


def test_a_header_wins_over_values_and_free_text_or_bare_years_are_not_recognised():
    data = (
        b"Participant code,Maths Hub,Other hub,Year you qualified,Comments,conf_1\n"
        b"A1,Solent,London South East,2010,Solent,4\nB2,Solent,Solent,2015,More time please,5\n"
    )
    checked = check_survey(data, defaults=FileDefaults(ncp="MN-KS2", phase="pre"))
    meanings = checked.column_map
    assert meanings["Maths Hub"] == c.HUB and meanings["Other hub"].startswith("text:")
    assert meanings["Year you qualified"].startswith("text:")
    assert meanings["Comments"].startswith("text:")


def test_a_pupil_file_column_of_project_names_is_the_project():
    data = (
        b"Pupil ID,URN,Hub,Which course?,Academic year,Phase,Score\n"
        b"P1,123456,Solent,MN-KS2,2024/25,pre,20\n"
    )
    checked = check_pupils(data)
    assert checked.report.valid, checked.report.errors
    assert checked.column_map["Which course?"] == c.NCP
    assert checked.frame[c.NCP].tolist() == ["Mastering Number at KS2"]
    assert any("Which course?" in note for note in checked.notes)


def forms_export(stamps: list[str], header: str = "Completion time") -> bytes:
    rows = "".join(f"{i},{stamp},P{i},Agree\n" for i, stamp in enumerate(stamps, start=1))
    return f"ID,{header},Participant code,conf_1\n{rows}".encode()


def test_the_academic_year_is_taken_from_submission_times_in_one_year():
    # 1 September 2024 to 31 August 2025 is academic year 2024/25, whatever the layout.
    data = forms_export(["2024-09-01 08:00", "2025-08-31 17:00", "2025-01-10 12:00"])
    checked = check_survey(data, defaults=FileDefaults(hub="Solent", ncp="MN-KS2", phase="pre"))
    assert checked.report.valid, checked.report.errors
    assert checked.frame[c.ACADEMIC_YEAR].tolist() == ["2024/25"] * 3
    assert any("2024/25" in n and "'Completion time'" in n for n in checked.notes)


def test_microsoft_forms_start_time_dates_the_responses_when_there_is_no_completion_time():
    data = forms_export(["10/2/2024 15:45:00", "10/23/2024 09:00:00"], header="Start time")
    checked = check_survey(data, defaults=FileDefaults(hub="Solent", ncp="MN-KS2", phase="pre"))
    assert checked.report.valid, checked.report.errors
    assert checked.frame[c.ACADEMIC_YEAR].unique().tolist() == ["2024/25"]


def test_times_in_two_academic_years_ask_for_the_year():
    data = forms_export(["2025-08-31 17:00", "2025-09-01 08:00"])
    checked = check_survey(data, defaults=FileDefaults(hub="Solent", ncp="MN-KS2", phase="pre"))
    assert codes(checked) == [(None, "year_from_times_ambiguous")]  # not also "no year column"
    error = checked.report.errors[0]
    assert "2024/25 and 2025/26" in error.message and "--year" in error.fix
    given = check_survey(data, defaults=replace(PRE, academic_year="2025/26"))
    assert given.report.valid


def test_an_item_like_column_with_numbers_off_the_scale_is_reported_with_its_rows():
    data = b"Participant code,conf_1,q1\nA1,4,3\nB2,5,7\nC3,3,0\n"
    checked = check_survey(data, defaults=PRE)
    warning = next(w for w in checked.report.warnings if w.column == "q1")
    assert warning.code == "numbers_off_scale"
    assert "2 of its 3 answers" in warning.message and "rows 3, 4" in warning.message


def test_a_column_of_other_numbers_is_open_text_without_a_warning():
    data = b"Participant code,conf_1,Years teaching\nA1,4,3\nB2,5,17\nC3,3,12.5\n"
    checked = check_survey(data, defaults=PRE)
    assert checked.report.valid and not checked.report.warnings


def test_a_question_nobody_answered_is_warned_about():
    data = b"Participant code,conf_1,How often do you use manipulatives?,conf_2\nA1,4,,\nB2,5,,\n"
    checked = check_survey(data, defaults=PRE)
    assert checked.report.valid
    warned = {(w.column, w.code) for w in checked.report.warnings}
    assert ("How often do you use manipulatives?", "empty_column") in warned
    assert ("conf_2", "no_answers") in warned
    assert checked.column_map["How often do you use manipulatives?"].startswith("ignored")


def test_a_typo_in_a_column_recognised_by_its_values_is_reported_in_its_row():
    data = f"Participant code,{HUB_QUESTION},conf_1\nA1,Solent,4\nB2,Solnet,5\n".encode()
    checked = check_survey(data, defaults=replace(PRE, hub=None))
    assert codes(checked) == [(3, "unknown_hub")]
    error = checked.report.errors[0]
    assert (error.column, error.fix) == (HUB_QUESTION, "Did you mean 'Solent Maths Hub'?")


def test_columns_asking_for_or_holding_names_are_not_read_and_say_why() -> None:
    """Issue 16 item 2: names in any wording, or answers that are names, are never read."""
    from evaluation.validation import check_survey
    from evaluation.validation.columns import NAME_HEADER_REASON, NAME_VALUES_REASON

    data = (
        b"Participant code,What is your name?,Teacher name (optional),Who ran it,"
        b"Which school are you in?,I feel confident teaching fractions\n"
        b"AB1,Alice Quenby,Alice Q,Ann Smith,Oak Primary School,Agree\n"
        b"CD2,Bert Ogilvy,Bert O,Raj Patel,Elm Primary School,Disagree\n"
        b"EF3,Cara Jones,Cara J,Joan O'Neill,Ash Primary School,Agree\n"
    )
    checked = check_survey(
        data,
        defaults=FileDefaults(hub="Solent", ncp="MN-KS2", phase="pre", academic_year="2024/25"),
    )
    assert checked.column_map["What is your name?"] == NAME_HEADER_REASON
    assert checked.column_map["Teacher name (optional)"] == NAME_HEADER_REASON
    assert checked.column_map["Who ran it"] == NAME_VALUES_REASON
    assert checked.column_map["Which school are you in?"].startswith("text:")
    stored = "\n".join(map(str, checked.frame.astype(str).to_numpy().ravel()))
    for name in ("Alice", "Bert", "Cara", "Ann Smith", "Raj Patel"):
        assert name not in stored
