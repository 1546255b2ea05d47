"""Comparison data: the optional ``group`` column and whole files marked as one arm.

Covers the value aliases (evaluation.io.headers.group_name), the header aliases
(schemas/reference/header_aliases.csv), validation of the column and of ``--group`` (a third value
is an error naming the row, the column and the fix), and the store keeping the arm of every row.
Expected values are written out by hand from the issue's list of aliases.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.cli import main
from evaluation.io.headers import group_name, header_meaning
from evaluation.io.reader import FileDefaults
from evaluation.validation import check

SURVEY = (
    "respondent_id,phase,academic_year,hub,ncp,work_group,{header},conf_1,conf_2\n"
    "AB1,pre,2024/25,Solent Maths Hub,Mastering Number at KS2,WG-1,{a},2,3\n"
    "AB1,post,2024/25,Solent Maths Hub,Mastering Number at KS2,WG-1,{a},4,4\n"
    "CD2,pre,2024/25,Solent Maths Hub,Mastering Number at KS2,WG-2,{b},3,3\n"
    "CD2,post,2024/25,Solent Maths Hub,Mastering Number at KS2,WG-2,{b},4,5\n"
)
PLAIN = (
    "respondent_id,phase,academic_year,hub,ncp,conf_1\n"
    "AB1,pre,2024/25,Solent Maths Hub,Mastering Number at KS2,2\n"
    "AB1,post,2024/25,Solent Maths Hub,Mastering Number at KS2,4\n"
)


def survey(header: str = "Group", a: str = "intervention", b: str = "comparison") -> bytes:
    return SURVEY.format(header=header, a=a, b=b).encode()


@pytest.mark.parametrize(
    ("value", "group"),
    [("intervention", "intervention"), ("Treatment", "intervention"),
     ("participant", "intervention"), ("Work Group", "intervention"),
     ("comparison", "comparison"), ("CONTROL", "comparison"), ("non-participant", "comparison"),
     ("Not in Work Group", "comparison"), ("waiting list", "comparison"), ("maybe", None),
     (None, None)],
)  # fmt: skip
def test_group_values_and_their_aliases(value, group):
    assert group_name(value) == group


@pytest.mark.parametrize(
    "header", ["Group", "group", "Arm", "Condition", "Intervention or comparison"]
)
def test_group_headers(header):
    assert header_meaning(header, "survey") == c.GROUP
    assert header_meaning(header, "pupil") == c.GROUP


def test_a_group_column_is_read_and_normalised():
    checked = check(survey("Arm", "Participant", "Non-participant"), file_name="wg.csv")
    assert checked.report.valid
    assert checked.frame[c.GROUP].tolist() == ["intervention"] * 2 + ["comparison"] * 2


def test_a_third_value_is_an_error_naming_row_column_and_fix():
    checked = check(survey("Group", "intervention", "both"), file_name="wg.csv")
    assert not checked.report.valid
    problems = [p for p in checked.report.errors if p.column == "Group"]
    assert [(p.row, p.value) for p in problems] == [(4, "both"), (5, "both")]
    problem = problems[0]
    assert "not a group" in problem.message
    assert "'intervention'" in problem.fix and "'comparison'" in problem.fix


def test_a_file_without_the_column_has_none_unless_marked():
    plain = check(PLAIN.encode(), file_name="plain.csv")
    assert plain.report.valid and c.GROUP not in plain.frame
    marked = check(PLAIN.encode(), file_name="plain.csv", defaults=FileDefaults(group="control"))
    assert marked.report.valid
    assert marked.frame[c.GROUP].tolist() == ["comparison", "comparison"]


def test_a_bad_whole_file_group_is_an_error_with_a_fix():
    checked = check(PLAIN.encode(), file_name="plain.csv", defaults=FileDefaults(group="pilot"))
    (problem,) = checked.report.errors
    assert problem.code == "bad_default_group"
    assert "'comparison'" in problem.fix


def test_rows_that_disagree_with_the_whole_file_group_are_errors():
    checked = check(survey(), file_name="wg.csv", defaults=FileDefaults(group="comparison"))
    rows = sorted(p.row for p in checked.report.errors if p.code == "conflicts_with_default")
    assert rows == [2, 3]


def test_pupil_files_take_a_group_column_too():
    text = (
        "pupil_id,school_urn,hub,ncp,academic_year,phase,score,Trial arm\n"
        "p1,123456,Solent Maths Hub,MN-KS2,2024/25,pre,10,treatment\n"
        "p2,123457,Solent Maths Hub,MN-KS2,2024/25,pre,11,control\n"
        "p3,123457,Solent Maths Hub,MN-KS2,2024/25,pre,12,pilot\n"
    )
    checked = check(text.encode(), kind="pupil", file_name="mtc.csv")
    (problem,) = checked.report.errors
    assert (problem.row, problem.column, problem.value) == (4, "Trial arm", "pilot")


def test_validate_command_takes_group(tmp_path: Path, capsys):
    path = tmp_path / "plain.csv"
    path.write_bytes(PLAIN.encode())
    assert main(["validate", str(path), "--group", "comparison", "--json"]) == 0
    capsys.readouterr()
    assert main(["validate", str(path), "--group", "pilot", "--json"]) == 1
    (error,) = json.loads(capsys.readouterr().out)["errors"]
    assert (
        "group (intervention or comparison) chosen for the whole file, 'pilot'"
        in (error["message"])
    )
    assert "'comparison'" in error["fix"]


def test_the_store_keeps_each_rows_group(store):
    store.add_file(
        PLAIN.encode(), file_name="waiting.csv", defaults=FileDefaults(group="comparison")
    )
    store.add_file(survey(), file_name="wg.csv")
    frame, _ = store.load_surveys(Viewer.national())
    by_file = frame.groupby(c.DATASET_ID)[c.GROUP].agg(lambda s: sorted(set(s.dropna())))
    assert by_file.tolist() == [["comparison"], ["comparison", "intervention"]]
    listed = store.list_datasets(Viewer.national())
    assert len(listed) == 2


def test_a_stored_file_can_be_marked_as_comparison_afterwards(store):
    first = store.add_file(PLAIN.encode(), file_name="waiting.csv").dataset_id
    new = store.relabel(first, {c.GROUP: "Waiting list"}, by="ann", reason="waiting-list cohort")
    frame, _ = store.load_surveys(Viewer.national())
    assert frame[c.DATASET_ID].unique().tolist() == [new]
    assert frame[c.GROUP].tolist() == ["comparison", "comparison"]


def test_store_add_of_a_file_with_a_third_group_stores_nothing_and_names_row_and_column(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    """Issue 13 bad input: a third value in the group column; the message names the spreadsheet
    row and column, and nothing is stored."""
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    path = tmp_path / "wg.csv"
    path.write_bytes(survey("Trial arm", "intervention", "both"))
    assert main(["store", "add", str(path), "--kind", "survey"]) == 1
    out = capsys.readouterr().out
    # Rows 4 and 5 of the spreadsheet (row 1 is the header) hold "both" (SURVEY's b rows).
    assert "Row 4, column 'Trial arm': " in out and "Row 5, column 'Trial arm': " in out
    assert "'both'" in out and "'comparison'" in out
    assert main(["store", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["datasets"] == []
