"""AppTest for the Work Group impact page: which Work Group it opens on, and picking another.

The page opens on one Work Group (read from the kept results) and says which; the whole
selection is one pick away.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # app_support sits beside app.py, outside the installed packages

from evaluation.access import Viewer  # noqa: E402
from evaluation.store import Store  # noqa: E402

APP = str(ROOT / "app.py")
TIMEOUT = 180
FRIENDLY = "Sorry, something went wrong"


# AppTest as the server runs it; the stores are conftest's copies of its seeded sample store.
pytestmark = pytest.mark.usefixtures("app_like_the_server")


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    at.switch_page(page).run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error if FRIENDLY in e.value], [e.value for e in at.error]


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def test_picking_a_work_group_shows_only_that_group(sample_home):
    at = open_page("pages/impact.py")
    at.selectbox(key="impact_work_group").select_index(0).run()  # all the Work Groups
    assert_clean(at)
    everyone = int(at.metric[0].value.replace(",", ""))
    group = at.selectbox(key="impact_work_group").options[1]
    at.selectbox(key="impact_work_group").set_value(group).run()
    assert_clean(at)
    assert charts(at)
    assert 0 < int(at.metric[0].value.replace(",", "")) < everyone


def test_the_impact_page_opens_on_the_latest_years_first_work_group_and_says_so(sample_home):
    at = open_page("pages/impact.py")
    assert_clean(at)
    frame, _ = Store.open().load_surveys(Viewer.national())
    named = frame[frame["work_group"].notna()]
    latest = named[named["academic_year"].eq(named["academic_year"].max())]
    first = sorted(latest["work_group"].unique())[0]
    assert at.selectbox(key="impact_work_group").value == first
    assert any(first in box.value and "opens on one" in box.value for box in at.info)
    # Its numbers are that Work Group's: distinct people who answered before, counted here.
    rows = latest[latest["work_group"].eq(first)]
    assert rows[["hub", "ncp"]].drop_duplicates().shape[0] == 1
    before = rows.loc[rows["phase"].eq("pre"), "respondent_id"].dropna().nunique()
    assert at.metric[0].value == f"{before:,}"
    assert charts(at)


def test_the_work_group_drawn_follows_a_new_upload_into_it(fresh_sample):
    # Its tables (and charts) are kept under a digest of the kept bytes, not the store version:
    # more answers in that Work Group must show at once.
    at = open_page("pages/impact.py")
    group = at.selectbox(key="impact_work_group").value
    store = Store.open()
    frame, _ = store.load_surveys(Viewer.national())
    rows = frame[frame["work_group"].eq(group)]
    before = rows.loc[rows["phase"].eq("pre"), "respondent_id"].nunique()
    assert at.metric[0].value == f"{before:,}"
    more = rows.drop(columns=["dataset_id", "source_row"], errors="ignore").assign(
        respondent_id=lambda f: f["respondent_id"].astype(str) + "-new"
    )
    assert store.add_frame(more, kind="survey", file_name="more.csv", synthetic=True).status == (
        "stored"
    )
    at.run()
    assert_clean(at)
    assert at.selectbox(key="impact_work_group").value == group
    assert at.metric[0].value == f"{2 * before:,}"
