"""The seeded sample's comparison data on the pages and in the board pack (issue 13).

The sample holds comparison schools' pupils and a waiting-list cohort of teachers for one
project and year only. Every other project-year has no comparison group: its results are
change, said once ("No comparison group for N other project-years ..."), not one line per
project, year and construct. The Home page counts the project's rows apart from the comparison
groups', and the Pupils page says so when only comparison pupils are left. Expected counts come
from the stored rows' raw ``group`` column, not from the functions under test.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # app_support sits beside app.py, outside the installed packages

from evaluation import columns as c  # noqa: E402
from evaluation.access import Viewer  # noqa: E402
from evaluation.analysis.impact import impact_display, survey_impact_analysis  # noqa: E402
from evaluation.instruments import default_instrument  # noqa: E402
from evaluation.presentation.charts.impact import IMPACT_TRACE  # noqa: E402
from evaluation.presentation.readings import impact as words  # noqa: E402
from evaluation.presentation.reports.sections import impact_section  # noqa: E402
from evaluation.stats.groups import NO_COMPARISON_REASON  # noqa: E402
from evaluation.store import Store  # noqa: E402

APP = str(ROOT / "app.py")
TIMEOUT = 240
NATIONAL = Viewer.national()
SUMMARY = re.compile(r"No comparison group for ([\d,]+) other project-years? in this selection")


# AppTest as the server runs it; the stores are conftest's copies of its seeded sample store
# (``sample_home`` for the read-only tests, ``fresh_sample`` for one that withdraws data).
pytestmark = pytest.mark.usefixtures("app_like_the_server")


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def is_comparison(frame: pd.DataFrame) -> pd.Series:
    """Rows the file says are the comparison group (raw column, independent of arm_of)."""
    if c.GROUP not in frame:
        return pd.Series(False, index=frame.index)
    return frame[c.GROUP].astype("string").str.strip().str.lower().eq("comparison").fillna(False)


def without_comparison(frame: pd.DataFrame) -> int:
    """Project-years with project rows and no comparison rows."""
    keys = [c.NCP, c.ACADEMIC_YEAR]
    project = set(map(tuple, frame.loc[~is_comparison(frame), keys].drop_duplicates().values))
    compared = set(map(tuple, frame.loc[is_comparison(frame), keys].drop_duplicates().values))
    return len(project - compared)


def stored_surveys() -> pd.DataFrame:
    with Store.open() as store:
        return store.load_surveys(NATIONAL)[0]


# ------------------------------------------------------------------ readings


def test_no_comparison_groups_are_one_line_and_the_table_keeps_their_reasons(sample_home):
    frame = stored_surveys()
    by = [c.NCP, c.ACADEMIC_YEAR]
    table = survey_impact_analysis(frame, default_instrument(), by=by).table
    lines = words.impact_readings(table, unit="teachers", points="points", by=by)
    missing = without_comparison(frame)
    assert missing > 10, "the sample has many project-years without a comparison group"
    summaries = [line for line in lines if SUMMARY.search(line)]
    assert len(summaries) == 1
    assert int(SUMMARY.search(summaries[0]).group(1).replace(",", "")) == missing
    assert not [line for line in lines if "no comparison group here" in line]
    # Each compared project-year keeps one line per construct; the table keeps every reason.
    compared = frame.loc[is_comparison(frame), by].drop_duplicates()
    assert len(lines) == len(compared) * len(default_instrument().constructs) + 1
    shown = impact_display(table, by)
    reasons = shown["reason"].eq(NO_COMPARISON_REASON)
    assert shown.loc[reasons, by].drop_duplicates().shape[0] == missing


def test_a_comparison_group_that_cannot_be_modelled_keeps_its_own_reason():
    one_school = "The comparison group has pupils from only 1 school; at least 2 are needed."
    table = pd.DataFrame(
        {
            c.ACADEMIC_YEAR: ["2023/24", "2024/25", "2022/23"],
            "outcome": "MTC",
            "reason": [one_school, NO_COMPARISON_REASON, NO_COMPARISON_REASON],
        }
    )
    lines = words.impact_readings(table, by=[c.ACADEMIC_YEAR])
    assert lines[0] == f"2023/24 · MTC: impact cannot be estimated. {one_school}"
    assert SUMMARY.search(lines[1]).group(1) == "2"
    assert len(lines) == 2


def test_the_board_pack_says_the_project_years_without_comparison_once(sample_home):
    frame = stored_surveys()
    hubs = frame.loc[is_comparison(frame), c.HUB].unique()
    # The hub with a comparison group and the most project-years without one.
    counts = {hub: without_comparison(frame[frame[c.HUB].eq(hub)]) for hub in hubs}
    hub = max(counts, key=counts.get)
    assert counts[hub] >= 2
    rows = frame[frame[c.HUB].eq(hub)]
    section = impact_section(rows, default_instrument(), None, min_n=5, where=hub)
    texts = [getattr(part, "text", "") for part in section.parts]
    summaries = [t for t in texts if SUMMARY.search(t)]
    assert len(summaries) == 1
    assert int(SUMMARY.search(summaries[0]).group(1)) == counts[hub]
    assert not [t for t in texts if "no comparison group here" in t]


# ------------------------------------------------------------------ pages


def test_work_group_page_reads_the_impact_and_one_line_for_the_rest(sample_home):
    at = open_page("pages/impact.py")
    at.selectbox(key="impact_work_group").select_index(0).run()  # all the Work Groups
    assert not at.exception, [e.message for e in at.exception]
    shown = [m.value for m in at.markdown]
    summaries = [line for line in shown if SUMMARY.search(line)]
    assert len(summaries) == 1
    expected = without_comparison(stored_surveys())
    assert int(SUMMARY.search(summaries[0]).group(1).replace(",", "")) == expected
    assert not [line for line in shown if "no comparison group here" in line]
    assert [line for line in shown if "impact against the comparison group of" in line]
    # The seeded sample's waiting-list teachers are the comparison group of their project.
    notes = [i.value for i in at.info] + [e.value for e in at.error]
    assert not [n for n in notes if "No comparison group in this data" in n or "went wrong" in n]
    assert [line for line in shown if "teachers in the intervention group" in line]
    assert any(IMPACT_TRACE in chart.proto.spec for chart in at.get("plotly_chart"))


def test_home_counts_the_projects_rows_and_the_comparison_rows_apart(sample_home):
    at = open_page("pages/home.py")
    metrics = {m.label: m.value for m in at.metric}
    with Store.open() as store:
        surveys = store.load_surveys(NATIONAL)[0]
        pupils = store.load_pupils(NATIONAL)
    assert is_comparison(surveys).sum() > 0 and is_comparison(pupils).sum() > 0
    assert metrics["Survey responses"] == f"{int((~is_comparison(surveys)).sum()):,}"
    assert metrics["Pupil scores"] == f"{int((~is_comparison(pupils)).sum()):,}"
    captions = " ".join(str(x.value) for x in at.caption)
    assert f"{int(is_comparison(surveys).sum()):,} survey responses" in captions
    assert f"{int(is_comparison(pupils).sum()):,} pupil scores from comparison groups" in captions


def test_pupils_page_with_only_comparison_pupils_says_so_and_draws_nothing(fresh_sample):
    with Store.open() as store:
        listed = store.list_datasets(NATIONAL)
        for _, row in listed[listed["kind"].eq("pupil")].iterrows():
            rows = store.load_pupils(NATIONAL)
            mine = rows[rows[c.DATASET_ID].eq(row["dataset_id"])]
            if not is_comparison(mine).all():
                store.withdraw(int(row["dataset_id"]), reason="test", by=NATIONAL)
        left = store.load_pupils(NATIONAL)
    assert len(left) and is_comparison(left).all()
    at = open_page("pages/pupils.py")
    assert not at.get("plotly_chart")
    assert words.ONLY_COMPARISON_PUPILS in [i.value for i in at.info]


def test_the_work_group_picker_lists_the_projects_work_groups_not_comparison_ones(sample_home):
    frame = stored_surveys()
    comparison = is_comparison(frame)
    only_comparison = set(frame.loc[comparison, c.WORK_GROUP].dropna()) - set(
        frame.loc[~comparison, c.WORK_GROUP].dropna()
    )
    assert only_comparison  # the sample's waiting-list cohort has Work Groups of its own
    at = open_page("pages/impact.py")
    offered = set(at.selectbox(key="impact_work_group").options[1:])
    assert offered == {str(g) for g in frame.loc[~comparison, c.WORK_GROUP].dropna().unique()}
    assert not offered & only_comparison
