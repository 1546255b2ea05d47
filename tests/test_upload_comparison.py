"""AppTest of the Upload page storing comparison data (issue 13): the warning when it matches none.

A comparison file whose project and year have no project (intervention) data in the store is
stored, with the sentence ``python -m evaluation store add`` gives (one store-side check, one
sentence); a comparison file that matches project data gets none. The project data are stored
directly, as another upload would have stored them.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # app_support sits beside app.py, outside the installed packages

from evaluation.access import Viewer  # noqa: E402
from evaluation.store import Store  # noqa: E402

APP = str(ROOT / "app.py")
TIMEOUT = 180
SCORES = ROOT / "sample_data" / "examples" / "mtc_scores.csv"
# The example file's one project and year (checked in the tests below).
PROJECT, YEAR, EARLIER = "Mastering Number at KS2", "2024/25", "2023/24"
STORED_NOTE = "The file is stored, but no impact is computed from it until project data"


# AppTest as the server runs it (conftest).
pytestmark = pytest.mark.usefixtures("app_like_the_server")


def example(*, year: str = YEAR, prefix: str = "", **extra: str) -> pd.DataFrame:
    """The example pupil scores, for ``year``, pupils and schools renamed by ``prefix``."""
    rows = pd.read_csv(SCORES)
    assert set(rows["Project"]) == {PROJECT} and set(rows["Academic year"]) == {YEAR}
    rows = rows.assign(**{"Academic year": year}, **extra)
    if prefix:
        rows["Pupil ID"] = prefix + rows["Pupil ID"]
        first = 800000 + 100 * ord(prefix[0])  # other schools: URNs no other file uses
        rows["School URN"] = first + rows["School URN"].rank(method="dense").astype(int)
    return rows


def csv_bytes(rows: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def store_project_data(rows: pd.DataFrame) -> None:
    """Project (intervention) rows stored as an earlier upload would have stored them."""
    with Store.open() as store:
        result = store.add_file(
            csv_bytes(rows), kind="pupil", file_name="project.csv", viewer=Viewer.national()
        )
        assert result.status == "stored", result.message


def upload(name: str, rows: pd.DataFrame, *, tick: bool) -> AppTest:
    """Upload ``rows`` as one pupil file, ticking *These files are comparison data* or not."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/upload.py").run()
    at.segmented_control(key="upload_kind").set_value("pupil").run()
    at.radio(key="upload_layout").set_value("combined").run()
    if tick:
        at.checkbox(key="upload_comparison").check().run()
    at.file_uploader(key="upload_file_combined").set_value(
        (name, csv_bytes(rows), "text/csv")
    ).run()
    at.button(key="upload_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any(f"Saved {name}" in s.value for s in at.success), [s.value for s in at.success]
    return at


def stored_groups() -> pd.Series:
    with Store.open() as store:
        pupils = store.load_pupils(Viewer.national())
    arms = pupils["group"].fillna("intervention")  # no group: the project's own rows
    return pupils.assign(group=arms).groupby(["academic_year", "group"]).size()


def test_comparison_data_for_a_year_with_no_project_data_is_stored_with_the_reason(
    empty_store,
):
    project = example(year=EARLIER, prefix="E")
    store_project_data(project)
    at = upload("comparison.csv", example(), tick=True)
    (warning,) = [w.value for w in at.warning if "comparison data for" in w.value]
    assert warning.startswith(
        f"comparison.csv: comparison data for {PROJECT} in {YEAR}, but the project data in the "
        f"store are for {PROJECT} in {EARLIER}."
    )
    assert STORED_NOTE in warning
    assert "--ncp" not in warning and "command line" not in warning  # the page's own words
    # Stored all the same, as the comparison arm, beside the earlier year's project data.
    groups = stored_groups()
    assert groups[(YEAR, "comparison")] == len(example())
    assert groups[(EARLIER, "intervention")] == len(project)


def test_comparison_rows_that_match_the_project_data_get_no_warning(empty_store):
    project = example(prefix="I")
    store_project_data(project)
    # Marked by a group column in the file this time, not by the box.
    at = upload("comparison.csv", example(group="comparison"), tick=False)
    assert not [w.value for w in at.warning if "comparison data for" in w.value]
    assert not [w.value for w in at.warning if STORED_NOTE in w.value]
    groups = stored_groups()
    assert groups[(YEAR, "comparison")] == len(example())
    assert groups[(YEAR, "intervention")] == len(project)


def test_comparison_rows_marked_in_the_file_are_checked_too(empty_store):
    at = upload("comparison.csv", example(group="comparison"), tick=False)
    (warning,) = [w.value for w in at.warning if "comparison data for" in w.value]
    assert warning.startswith(
        f"comparison.csv: comparison data for {PROJECT} in {YEAR}, but the project data in the "
        "store hold no project data."
    )
    assert STORED_NOTE in warning


def test_the_check_reads_the_comparison_box_before_anything_is_saved(empty_store):
    """A file whose rows say intervention, uploaded with the box ticked: a problem to fix."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/upload.py").run()
    at.segmented_control(key="upload_kind").set_value("pupil").run()
    at.radio(key="upload_layout").set_value("combined").run()
    at.checkbox(key="upload_comparison").check().run()
    rows = example(group="intervention")
    at.file_uploader(key="upload_file_combined").set_value(
        ("said.csv", csv_bytes(rows), "text/csv")
    ).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.button(key="upload_save").disabled
    assert any("problem" in e.value for e in at.error), [e.value for e in at.error]
