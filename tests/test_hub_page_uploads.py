"""AppTest for the Hub overview after uploads: its own numbers follow its own rows only.

The hub's rows and what is drawn from them are kept under the datasets they come from (not the
store version), so an upload into another hub must leave them exactly as they were and an
upload into this hub must show at once.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # app_support sits beside app.py, outside the installed packages

from evaluation.access import Viewer  # noqa: E402
from evaluation.store import Store  # noqa: E402

APP = str(ROOT / "app.py")
PAGE = "pages/hub_overview.py"
TIMEOUT = 180
FRIENDLY = "Sorry, something went wrong"


pytestmark = pytest.mark.usefixtures("app_like_the_server")  # conftest


@pytest.fixture
def hub_page(fresh_sample) -> AppTest:
    """The Hub overview of this test's own store holding the sample (conftest ``fresh_sample``)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error if FRIENDLY in e.value], [e.value for e in at.error]


def own_numbers(at: AppTest, hub: str) -> tuple[str, str]:
    """The hub's participation reading (its totals) and participation chart."""
    lines = [
        m.value for m in at.markdown if re.match(rf"{re.escape(hub)}: [\d,]+ participants", m.value)
    ]
    assert len(lines) == 1, lines
    return lines[0], at.get("plotly_chart")[0].proto.spec


def participants(line: str) -> int:
    found = re.search(r": ([\d,]+) participants", line)
    assert found, line
    return int(found.group(1).replace(",", ""))


def upload_copy_of_a_work_group(store: Store, hub: str, tag: str) -> int:
    """A new Work Group in ``hub``: one Work Group's rows under new participant codes.

    Returns how many new people it brings (distinct participant codes).
    """
    frame, _ = store.load_surveys(Viewer.national())
    named = frame[frame["hub"].eq(hub) & frame["work_group"].notna()]
    group = sorted(named["work_group"].unique())[0]
    rows = named[named["work_group"].eq(group)].drop(
        columns=["dataset_id", "source_row"], errors="ignore"
    )
    rows = rows.assign(
        work_group=f"{group} {tag}",
        respondent_id=rows["respondent_id"].astype(str) + f"-{tag}",
    )
    stored = store.add_frame(rows, kind="survey", file_name=f"{tag}.csv", synthetic=True)
    assert stored.status == "stored", stored.message
    return int(rows["respondent_id"].nunique())


def test_an_upload_into_another_hub_leaves_the_hubs_numbers_as_they_were(hub_page):
    at = hub_page
    hub = at.selectbox(key="hub_pick").value
    before = own_numbers(at, hub)
    store = Store.open()
    frame, _ = store.load_surveys(Viewer.national())
    others = sorted(set(frame["hub"].dropna()) - {hub})
    assert others
    version = store.version()
    upload_copy_of_a_work_group(store, others[0], "elsewhere")
    assert store.version() != version
    at.run()
    assert_clean(at)
    assert at.selectbox(key="hub_pick").value == hub
    assert own_numbers(at, hub) == before
    # ...and the other hub's page shows its new people.
    at.selectbox(key="hub_pick").set_value(others[0]).run()
    assert_clean(at)
    line, _ = own_numbers(at, others[0])
    rows, _ = store.load_surveys(Viewer.national(), hub=others[0])
    assert "elsewhere" in " ".join(rows["work_group"].dropna().unique())
    assert participants(line) > 0


def test_an_upload_into_the_hub_changes_its_numbers_at_once(hub_page):
    at = hub_page
    hub = at.selectbox(key="hub_pick").value
    line, chart = own_numbers(at, hub)
    new_people = upload_copy_of_a_work_group(Store.open(), hub, "more")
    assert new_people > 0
    at.run()
    assert_clean(at)
    assert at.selectbox(key="hub_pick").value == hub
    after_line, after_chart = own_numbers(at, hub)
    # New participant codes in a Work Group's own project and year: each counts once more.
    assert participants(after_line) == participants(line) + new_people
    assert after_chart != chart
