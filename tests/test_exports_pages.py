"""Dashboard exports: every table downloadable as CSV and XLSX, [c] kept, formulas neutralised.

The bytes checked are those the download buttons serve (taken from AppTest's media manager).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # app_support sits beside app.py, outside the installed packages

import app_support as ui  # noqa: E402
from app_support.auth import TEST_VIEWER_KEY  # noqa: E402
from evaluation.access import Viewer  # noqa: E402
from evaluation.store import Store  # noqa: E402

APP = str(ROOT / "app.py")
TIMEOUT = 180
YEAR = "2024/25"
NCP = "Mastering Number at KS2"
ITEMS = [f"{construct}_{i}" for construct in ("conf", "know", "prac") for i in (1, 2, 3)]
FORMULA = '=HYPERLINK("http://evil.example","click me")'
SMALL_HUB = "Great North Maths Hub"  # 3 people: every statistic of it must stay [c]


class _RecordingMediaFileManager(MediaFileManager):
    latest: MediaFileManager | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        type(self).latest = self


@pytest.fixture(autouse=True)
def _app_test_like_the_server(app_like_the_server, monkeypatch):
    """AppTest as the server runs it (conftest), and this module's settings."""
    monkeypatch.setattr(app_test_module, "MediaFileManager", _RecordingMediaFileManager)
    monkeypatch.setenv("IMPACT_CHROMIUM", "/no/such/browser")
    monkeypatch.delenv("IMPACT_OPEN_TEXT_ROLES", raising=False)
    monkeypatch.delenv("IMPACT_MIN_N", raising=False)


def download_bytes(at: AppTest, key: str) -> bytes:
    """What the browser receives on clicking the download button ``key``."""
    manager = _RecordingMediaFileManager.latest
    proto = at.download_button(key=key).proto
    url = (
        manager.execute_deferred(proto.deferred_file_id)
        if proto.HasField("deferred_file_id")
        else proto.url
    )
    return manager._storage.get_file(url.rsplit("/", 1)[-1].split(".")[0]).content


def open_page(page: str, viewer: Viewer | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if viewer is not None:
        at.session_state[TEST_VIEWER_KEY] = viewer
    at.run()
    if page != "pages/home.py":
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error if "went wrong" in e.value]
    return at


def _survey(hub: str, people: int, seed: int, text: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pre = rng.integers(1, 4, size=(people, len(ITEMS))).astype(float)
    post = np.clip(pre + rng.integers(0, 3, size=pre.shape), 1, 5)
    rows = []
    for phase, scores in (("pre", pre), ("post", post)):
        for i, answers in enumerate(scores):
            rows.append(
                {
                    "respondent_id": f"h{seed}-{i}",
                    "phase": phase,
                    "academic_year": YEAR,
                    "hub": hub,
                    "ncp": NCP,
                    "work_group": f"WG-{seed}",
                    **dict(zip(ITEMS, answers, strict=True)),
                    "text_comments": text if phase == "post" else "",
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def export_store(tmp_path_factory):
    home = tmp_path_factory.mktemp("exports")
    url = f"sqlite:///{home / 'exports.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_HOME", str(home))
        patch.setenv("DATABASE_URL", url)
        patch.setenv("IMPACT_SECRET", "exports test key")
        store = Store.open(url, secret=b"exports test key")
        frames = [
            _survey("Solent Maths Hub", 6, 1, FORMULA),
            _survey(SMALL_HUB, 3, 2, "a short answer from a small hub"),
            _survey("Abacus NW Maths Hub", 20, 3, "fine"),
            _survey("Turing NW Maths Hub", 25, 4, "fine"),
        ]
        result = store.add_frame(pd.concat(frames, ignore_index=True), kind="survey")
        assert result.status == "stored"
        store.close()
        yield url


# ------------------------------------------------------------------ every table


RESULT_PAGES = [path for key, (path, _t, _i) in ui.PAGES.items() if key != "methods"]


@pytest.mark.parametrize("page", RESULT_PAGES)
def test_every_chart_and_table_on_a_page_has_csv_and_excel_downloads(sample_home, page):
    at = open_page(page)
    keys = [b.key for b in at.download_button]
    csv = {k.removesuffix("_csv") for k in keys if k.endswith("_csv")}
    xlsx = {k.removesuffix("_xlsx") for k in keys if k.endswith("_xlsx")}
    assert csv == xlsx, "every CSV download has its Excel twin"
    shown = len(at.get("plotly_chart")) + len(at.dataframe)
    if page == "pages/upload.py":
        shown += 2  # no upload yet: the two templates are its tables
    assert len(csv) >= shown, f"{page}: {shown} charts/tables, {len(csv)} downloads"
    for key in sorted(csv)[:3]:
        assert download_bytes(at, f"{key}_xlsx")[:2] == b"PK"
        assert download_bytes(at, f"{key}_csv").startswith(b"\xef\xbb\xbf")


# ------------------------------------------------------------------ suppression


def test_a_suppressed_hub_stays_suppressed_in_csv_and_xlsx_exports(export_store):
    at = open_page("pages/national.py", Viewer.national("team@ncetm.example"))
    csv = pd.read_csv(io.BytesIO(download_bytes(at, "national_forest_download_csv")), dtype=str)
    small = csv[csv["hub"].eq(SMALL_HUB)].iloc[0]
    assert small["suppressed"] == "True"
    for column in ("n_paired", "mean_change", "d_z", "d_z_ci_low", "d_z_ci_high"):
        assert small[column] == "[c]", column
    book = openpyxl.load_workbook(io.BytesIO(download_bytes(at, "national_forest_download_xlsx")))
    rows = list(book.active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    row = next(r for r in body if r[header.index("hub")] == SMALL_HUB)
    assert row[header.index("n_paired")] == "[c]"
    assert row[header.index("d_z")] == "[c]"
    shown = next(r for r in body if r[header.index("hub")] == "Turing NW Maths Hub")
    assert shown[header.index("n_paired")] == 25  # unsuppressed counts stay numbers


def test_small_participation_counts_stay_suppressed_in_the_hub_overview_export(export_store):
    at = open_page("pages/hub_overview.py", Viewer(role="hub", hub=SMALL_HUB))
    data = download_bytes(at, "hub_participation_download_csv").decode("utf-8-sig")
    table = pd.read_csv(io.StringIO(data), dtype=str)
    assert table["participants"].tolist() == ["[c]"]
    assert "3" not in table[["participants", "schools", "work_groups"]].to_numpy().ravel()


# ------------------------------------------------------------------ formulas


def test_a_text_answer_starting_with_equals_is_exported_as_text(export_store):
    at = open_page("pages/hub_overview.py", Viewer(role="hub", hub="Solent Maths Hub"))
    assert FORMULA in [t.value for t in at.text], "shown exactly as written on the page"

    csv = download_bytes(at, "hub_quotes_csv").decode("utf-8-sig").splitlines()
    assert csv[0] == "question,answer"
    # RFC 4180 quoting doubles the quotes inside; the leading apostrophe makes it text.
    assert csv[1] == 'Comments,"\'=HYPERLINK(""http://evil.example"",""click me"")"'

    book = openpyxl.load_workbook(io.BytesIO(download_bytes(at, "hub_quotes_xlsx")))
    cell = book.active["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA, "s", True)
