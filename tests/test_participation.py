"""Tests for evaluation.stats.participation: distinct schools, participants and Work Groups per
group."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from evaluation import columns as c
from evaluation.analysis import hub_participation
from evaluation.stats.participation import participation, participation_counts


def _frame() -> pd.DataFrame:
    # Counted by hand: 2024/25 P has people a, b (a answered twice), schools 100001 and 100002,
    # Work Groups W1 and W2; 2024/25 Q has person c only; 2023/24 P has d..h in one school.
    rows = [
        ("2024/25", "P", "a", "pre", 100001, "W1"),
        ("2024/25", "P", "a", "post", 100001, "W1"),
        ("2024/25", "P", "b", "pre", 100002, "W2"),
        ("2024/25", "P", None, "post", 100002, "W2"),
        ("2024/25", "Q", "c", "pre", None, None),
        *[("2023/24", "P", person, "pre", 100003, "W9") for person in "defgh"],
    ]
    columns = [c.ACADEMIC_YEAR, c.NCP, c.RESPONDENT_ID, c.PHASE, c.SCHOOL_URN, c.WORK_GROUP]
    return pd.DataFrame(rows, columns=columns)


def test_counts_each_person_school_and_work_group_once_per_year_and_project():
    table = participation_counts(_frame())
    assert table.columns.tolist() == [
        c.ACADEMIC_YEAR, c.NCP, "schools", "participants", "work_groups"
    ]  # fmt: skip
    assert table.to_dict("records") == [
        {c.ACADEMIC_YEAR: "2023/24", c.NCP: "P", "schools": 1, "participants": 5, "work_groups": 1},
        {c.ACADEMIC_YEAR: "2024/25", c.NCP: "P", "schools": 2, "participants": 2, "work_groups": 2},
        {c.ACADEMIC_YEAR: "2024/25", c.NCP: "Q", "schools": 0, "participants": 1, "work_groups": 0},
    ]


def test_other_groupings_and_the_whole_frame():
    by_ncp = participation_counts(_frame(), by=[c.NCP]).set_index(c.NCP)
    assert by_ncp.loc["P"].tolist() == [3, 7, 3]
    assert by_ncp.loc["Q"].tolist() == [0, 1, 0]
    whole = participation_counts(_frame(), by=[])
    assert whole.to_dict("records") == [{"schools": 3, "participants": 8, "work_groups": 3}]


def test_missing_optional_columns_count_as_zero():
    frame = _frame().drop(columns=[c.SCHOOL_URN, c.WORK_GROUP])
    table = participation_counts(frame, by=[c.NCP])
    assert table["schools"].tolist() == [0, 0] and table["work_groups"].tolist() == [0, 0]
    assert table["participants"].tolist() == [7, 1]
    assert participation_counts(frame, by=[]).loc[0, "schools"] == 0


def test_projects_with_fewer_than_min_n_participants_are_hidden():
    table = participation(_frame(), min_n=5)
    assert table["suppressed"].tolist() == [False, True, True]
    assert table.loc[0, ["schools", "participants", "work_groups"]].tolist() == [1.0, 5.0, 1.0]
    hidden = table.loc[1:, ["schools", "participants", "work_groups"]].to_numpy(dtype=float)
    assert np.isnan(hidden).all()
    assert table.loc[1, "suppression_reason"] == "fewer than 5 respondents"
    assert table[[c.ACADEMIC_YEAR, c.NCP]].values.tolist() == [
        ["2023/24", "P"], ["2024/25", "P"], ["2024/25", "Q"]
    ]  # fmt: skip
    assert participation(_frame(), min_n=2)["suppressed"].tolist() == [False, False, True]


def test_an_empty_frame_gives_an_empty_table():
    table = participation(_frame().iloc[0:0])
    assert len(table) == 0
    assert {"schools", "participants", "work_groups", "suppressed"} <= set(table.columns)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["P", "Q", "R"]),
            st.sampled_from(["a", "b", "c", "d", "e", "f"]),
            st.sampled_from([100001, 100002, 100003]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_group_counts_match_a_set_count_written_out(rows):
    frame = pd.DataFrame(rows, columns=[c.NCP, c.RESPONDENT_ID, c.SCHOOL_URN])
    table = participation_counts(frame, by=[c.NCP]).set_index(c.NCP)
    for ncp in {r[0] for r in rows}:
        assert table.loc[ncp, "participants"] == len({r[1] for r in rows if r[0] == ncp})
        assert table.loc[ncp, "schools"] == len({r[2] for r in rows if r[0] == ncp})


def test_the_hub_overview_page_uses_these_counts():
    # pages/hub_overview.py draws evaluation.analysis.hub_participation.
    frame = _frame()
    pd.testing.assert_frame_equal(hub_participation(frame), participation(frame))


def test_a_comparison_group_is_not_counted_as_taking_part():
    # Waiting-list teachers in their own future Work Group and schools: not participants.
    comparison = pd.DataFrame(
        {
            c.ACADEMIC_YEAR: "2024/25",
            c.NCP: "P",
            c.RESPONDENT_ID: ["w1", "w1", "w2"],
            c.PHASE: ["pre", "post", "pre"],
            c.SCHOOL_URN: [200001, 200001, 200002],
            c.WORK_GROUP: "W1-WL",
            c.GROUP: "comparison",
        }
    )
    both = pd.concat([_frame().assign(**{c.GROUP: None}), comparison], ignore_index=True)
    pd.testing.assert_frame_equal(participation_counts(both), participation_counts(_frame()))
    whole = participation_counts(both, by=[])
    assert whole.to_dict("records") == [{"schools": 3, "participants": 8, "work_groups": 3}]
