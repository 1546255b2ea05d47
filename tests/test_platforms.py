"""Tests of evaluation.io.platforms: export-platform quirks read from schemas/reference."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest

from evaluation.io.headers import header_meaning, norm_key
from evaluation.io.platforms import (
    export_platform,
    ignore_reason,
    merge_header_rows,
    not_an_email,
    platform_meaning,
    second_header_keys,
)
from evaluation.io.reader import read_table
from schemas import reference


def test_every_quirk_row_is_read_from_the_reference_table():
    table = reference.platform_columns()
    assert set(table.columns) == {"platform", "text", "meaning", "reason"}
    subheaders = table[table["meaning"] == "second_header"]["text"]
    assert second_header_keys() == {norm_key(t) for t in subheaders}
    assert not_an_email() == tuple(table[table["meaning"] == "not_an_email"]["text"].str.casefold())


def test_an_ignored_platform_heading_is_never_a_column_we_keep_elsewhere():
    # A heading dropped for every platform is an 'ignore' alias too, so the two tables agree.
    table = reference.platform_columns()
    everywhere = table[(table["meaning"] == "ignore") & (table["platform"] == "any")]
    for text in everywhere["text"]:
        assert header_meaning(text, "survey") == "ignore", text


def test_surveymonkey_respondent_id_is_a_response_number_only_in_surveymonkey_exports():
    assert header_meaning("Respondent ID", "survey") == "respondent_id"
    assert platform_meaning("Respondent ID", export_platform(2)) == "ignore"
    assert platform_meaning("Respondent ID", export_platform(1)) is None
    assert platform_meaning("Maths Hub", "surveymonkey") is None


def test_ignore_reasons_come_from_the_table_else_export_metadata():
    table = reference.platform_columns().set_index("text")
    assert ignore_reason("ID") == f"ignored: {table.loc['ID', 'reason']}"
    assert ignore_reason("first_name") == "ignored: personal data (name)"
    assert ignore_reason("Progress") == "ignored: export metadata"


def test_a_second_row_without_a_subheader_is_data():
    assert merge_header_rows(["Q1", "Q2"], ["Agree", "Response text"]) == (["Q1", "Q2"], 1)
    assert merge_header_rows([" Q1 "], None) == (["Q1"], 1)


def test_surveymonkey_matrix_questions_are_named_question_dash_statement():
    data = (
        b"Code,How much do you agree?,,Comments\n"
        b",Statement A,Statement B,Open-Ended Response\n"
        b"c1,Agree,Disagree,fine\n"
    )
    raw = read_table(data)
    assert raw.header_rows == 2
    assert raw.headers == (
        "Code",
        "How much do you agree? - Statement A",
        "How much do you agree? - Statement B",
        "Comments",
    )
    assert raw.source_rows.tolist() == [3]


def test_the_table_rejects_a_heading_ignored_for_two_reasons():
    table = reference.platform_columns()
    clash = pd.concat(
        [
            table,
            pd.DataFrame(
                [{"platform": "qualtrics", "text": "id", "meaning": "ignore", "reason": "other"}]
            ),
        ],
        ignore_index=True,
    )
    with pytest.raises(pa.errors.SchemaError, match="one_reason_per_ignored_heading"):
        reference.PlatformColumnTable.validate(clash)
