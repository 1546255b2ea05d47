"""AppTest with an injected viewer: each role sees only its own hub or Work Groups, everywhere.

Every page is rendered and every download taken; other hubs' names, counts and text must not appear.
"""

from __future__ import annotations

import base64
import html as html_module
import io
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import streamlit as st
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # app_support sits beside app.py, outside the installed packages

import app_support as ui  # noqa: E402
from app_support.auth import TEST_VIEWER_KEY  # noqa: E402
from evaluation.access import MIN_POOLED_HUBS, POOLED_STEPS, Viewer  # noqa: E402
from evaluation.store import Store  # noqa: E402
from schemas import reference  # noqa: E402

APP = str(ROOT / "app.py")
TIMEOUT = 180
YEAR = "2024/25"
OWN = "Solent Maths Hub"
NCP = "Mastering Number at KS2"
NCP_TWO_HUBS = "Primary Mastery Readiness"  # run by OWN and one other hub only
ITEMS = [f"{construct}_{i}" for construct in ("conf", "know", "prac") for i in (1, 2, 3)]

# Other hubs, with head counts that appear nowhere else in the data (people per hub).
OTHERS = {
    "Great North Maths Hub": 41,
    "Abacus NW Maths Hub": 59,
    "Turing NW Maths Hub": 67,
    "Cheshire and Wirral Maths Hub": 83,
}
OWN_GROUPS = {"WG-SOL-1": 6, "WG-SOL-2": 7}  # the lead leads WG-SOL-1 only
OTHER_PUPILS = 97
OWN_PUPILS = 30


# ------------------------------------------------------------------ AppTest plumbing


class _RecordingMediaFileManager(MediaFileManager):
    """The media file manager of the latest run, kept so a test can take its downloads."""

    latest: MediaFileManager | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        type(self).latest = self


@pytest.fixture(autouse=True)
def _app_test_like_the_server(app_like_the_server, monkeypatch):
    """AppTest as the server runs it (conftest), and this module's settings."""
    monkeypatch.setattr(app_test_module, "MediaFileManager", _RecordingMediaFileManager)
    monkeypatch.setenv("IMPACT_CHROMIUM", "/no/such/browser")  # HTML board packs only: fast
    monkeypatch.delenv("IMPACT_OPEN_TEXT_ROLES", raising=False)
    monkeypatch.delenv("IMPACT_REQUIRE_LOGIN", raising=False)


def download_bytes(button) -> bytes:
    """What the browser would receive on clicking a download button."""
    manager = _RecordingMediaFileManager.latest
    assert manager is not None
    proto = button.proto
    if proto.HasField("deferred_file_id"):
        url = manager.execute_deferred(proto.deferred_file_id)
    else:
        url = proto.url
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    return manager._storage.get_file(file_id).content


def download_text(button) -> str:
    """A download as text: CSV and HTML decoded, every XLSX cell value on its own line."""
    data = download_bytes(button)
    if data[:2] == b"PK" and "ppt/presentation.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist():
        return slides_text(data)
    if data[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(data))
        cells = [
            str(cell.value)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        ]
        return "\n".join(cells)
    return data.decode("utf-8-sig")


def slides_text(data: bytes) -> str:
    """Every word of a PowerPoint deck: text, table cells, alt text, native charts' numbers."""
    from pptx import Presentation

    lines = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            lines.append(shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr") or "")
            if shape.has_text_frame:
                lines.append(shape.text_frame.text)
            if getattr(shape, "has_table", False):
                lines += [cell.text for row in shape.table.rows for cell in row.cells]
            if getattr(shape, "has_chart", False):
                for plot in shape.chart.plots:
                    lines += [str(category) for category in plot.categories]
                    lines += [str(v) for series in plot.series for v in series.values]
    return "\n".join(line for line in lines if line)


def _nodes(node) -> Iterator:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _nodes(child)


def _plain_values(value) -> Iterator[str]:
    """Every value in a plotly figure's JSON, typed arrays ("bdata") decoded to numbers."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            numbers = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            yield " ".join(f"{float(x):g}" for x in numbers)
            return
        for key, item in value.items():
            yield str(key)
            yield from _plain_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _plain_values(item)
    else:
        yield str(value)


def rendered(at: AppTest) -> str:
    """Everything on the page and in the sidebar: every element, table cell and chart value."""
    parts = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or type(node).__name__ == "Dataframe":
            continue
        if getattr(node, "type", None) == "plotly_chart":
            parts.append(" ".join(_plain_values(json.loads(proto.spec))))
        else:
            parts.append(str(proto))
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def visible_html(html: str) -> str:
    """The text of an HTML report without its scripts and styles (plotly.js is full of numbers)."""
    return re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)


def as_viewer(viewer: Viewer | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if viewer is not None:
        at.session_state[TEST_VIEWER_KEY] = viewer
    return at.run()


def open_page(page: str, viewer: Viewer | None) -> AppTest:
    at = as_viewer(viewer)
    assert not at.exception, [e.message for e in at.exception]
    if page != "pages/home.py":
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error if "went wrong" in e.value], [e.value for e in at.error]
    return at


def _content(at: AppTest) -> list[str]:
    texts = [rendered(at)]
    for button in at.download_button:
        text = download_text(button)
        texts.append(visible_html(text) if "<html" in text[:500].lower() else text)
    return texts


# Choices that change what a page shows: every option is visited.
CHOICES = ("national_ncp", "hub_trend_ncp", "impact_work_group")


def page_and_downloads(page: str, viewer: Viewer) -> str:
    """A page's content and every download it offers, for every project / Work Group choice.

    Board packs are prepared first, so their downloads are included.
    """
    at = open_page(page, viewer)
    for key in ("hub_pack_build", "national_pack_build"):
        if any(b.key == key for b in at.button):
            at.button(key=key).click().run()
    assert not at.exception, [e.message for e in at.exception]
    texts = _content(at)
    for key in CHOICES:
        boxes = [box for box in at.selectbox if box.key == key]
        if not boxes:
            continue
        for index in range(len(boxes[0].options)):
            at.selectbox(key=key).select_index(index).run()
            assert not at.exception, [e.message for e in at.exception]
            texts += _content(at)
    return "\n".join(texts)


def download_table(at: AppTest, key: str) -> pd.DataFrame:
    """A table as the CSV download serves it."""
    return pd.read_csv(io.StringIO(download_text(at.download_button(key=f"{key}_csv"))))


# ------------------------------------------------------------------ data


def _survey_rows(hub: str, ncp: str, group: str, people: int, marker: str, seed: int):
    rng = np.random.default_rng(seed)
    ids = [f"{marker.lower()}-{i:03d}" for i in range(people)]
    pre = rng.integers(1, 4, size=(people, len(ITEMS))).astype(float)
    post = np.clip(pre + rng.integers(0, 3, size=pre.shape), 1, 5)
    rows = []
    for phase, scores in (("pre", pre), ("post", post)):
        for person, answers in zip(ids, scores, strict=True):
            row = {
                "respondent_id": person,
                "phase": phase,
                "academic_year": YEAR,
                "hub": hub,
                "ncp": ncp,
                "work_group": group,
                "school_urn": 100000 + seed,
                **dict(zip(ITEMS, answers, strict=True)),
                "text_comments": (
                    f"{marker} said the sessions on number sense changed my teaching {person}"
                    if phase == "post"
                    else ""
                ),
            }
            rows.append(row)
    return pd.DataFrame(rows)


def _pupil_rows(hub: str, pupils: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pre = rng.integers(8, 20, size=pupils)
    rows = []
    for phase, scores in (("pre", pre), ("post", np.clip(pre + 3, 0, 25))):
        for i, score in enumerate(scores):
            rows.append(
                {
                    "pupil_id": f"p{seed}-{i}",
                    "school_urn": 200000 + seed + i % 3,
                    "hub": hub,
                    "ncp": NCP,
                    "academic_year": YEAR,
                    "year_group": 4,
                    "phase": phase,
                    "measure": "MTC",
                    "score": float(score),
                }
            )
    return pd.DataFrame(rows)


def build_store(url: str) -> None:
    store = Store.open(url, secret=b"scoping test key")
    own = pd.concat(
        [
            _survey_rows(OWN, NCP, group, n, f"OWNTEXT{i}", seed=i)
            for i, (group, n) in enumerate(OWN_GROUPS.items(), start=1)
        ],
        ignore_index=True,
    )
    first_other = next(iter(OTHERS))
    # One upload holding the own hub and another hub (a national upload of several hubs).
    mixed = pd.concat(
        [own, _survey_rows(first_other, NCP, "WG-GN-1", OTHERS[first_other], "SECRETGN", 11)],
        ignore_index=True,
    )
    assert store.add_frame(mixed, kind="survey", file_name="mixed.csv").status == "stored"
    for seed, (hub, people) in enumerate(list(OTHERS.items())[1:], start=20):
        rows = _survey_rows(hub, NCP, f"WG-X{seed}", people, f"SECRET{seed}", seed)
        assert store.add_frame(rows, kind="survey", file_name=f"{seed}.csv").status == "stored"
    # A project only two hubs ran: its pooled value would give the other hub's away.
    two = pd.concat(
        [
            _survey_rows(OWN, NCP_TWO_HUBS, "WG-SOL-1", 8, "OWNTWO", 31),
            _survey_rows(first_other, NCP_TWO_HUBS, "WG-GN-2", 61, "SECRETTWO", 32),
        ],
        ignore_index=True,
    )
    assert store.add_frame(two, kind="survey", file_name="two.csv").status == "stored"
    pupils = pd.concat(
        [_pupil_rows(OWN, OWN_PUPILS, 40), _pupil_rows(first_other, OTHER_PUPILS, 41)],
        ignore_index=True,
    )
    assert store.add_frame(pupils, kind="pupil", file_name="pupils.csv").status == "stored"
    store.close()


@pytest.fixture(scope="module")
def scoped_store(tmp_path_factory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("scoping")
    url = f"sqlite:///{home / 'scoping.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_HOME", str(home))
        patch.setenv("DATABASE_URL", url)
        patch.setenv("IMPACT_SECRET", "scoping test key")
        build_store(url)
        yield url


# ------------------------------------------------------------------ what must not show


def _names(hubs) -> list[str]:
    table = reference.hubs().set_index("name")
    names = []
    for hub in hubs:
        names.append(hub)
        short = str(table.loc[hub, "short_name"])
        if len(short) > 4:
            names.append(short)
    return names


OTHER_MARKERS = ["SECRETGN", "SECRET21", "SECRET22", "SECRET23", "SECRETTWO", "WG-GN-1", "WG-X21"]
OTHER_COUNTS = [41, 59, 67, 83, 61, OTHER_PUPILS]


def counts_in(text: str, counts) -> list[int]:
    """Which of ``counts`` appear as whole numbers (41 or 41.0, not 0.41 or 410) in ``text``."""
    text = re.sub(r"[0-9a-f]{16,}", " ", text)  # element and file ids are not counts
    # nor are clock times: an upload or report stamped 06:59 is not 59 people
    text = re.sub(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?", " ", text)
    found = []
    for n in counts:
        if re.search(rf"(?<![\d.]){n}(?:\.0+)?(?![\d.])", text):
            found.append(n)
    return found


def leaks(text: str, *, names, markers, counts) -> dict[str, list]:
    """Other hubs' names, text markers and head counts found in ``text``."""
    return {
        "names": [n for n in names if n in text],
        "markers": [m for m in markers if m in text],
        "counts": counts_in(text, counts),
    }


HUB_VIEWER = Viewer(role="hub", hub=OWN, name="board@solent.example")
LEAD_VIEWER = Viewer(role="lead", hub=OWN, work_groups=("WG-SOL-1",), name="lead@solent.example")
RESULT_PAGES = [path for key, (path, _t, _i) in ui.PAGES.items() if key != "roles"]


# ------------------------------------------------------------------ tests


def test_the_counting_check_finds_whole_numbers_only() -> None:
    assert counts_in("n = 41 people, 59.0 rows", [41, 59, 67]) == [41, 59]
    assert counts_in("d = 0.41, 410 rows, 41.5%", [41]) == []
    assert counts_in("uploaded 2026-11-24T06:59:41 (59 people)", [41, 59]) == [59]


@pytest.mark.parametrize("page", RESULT_PAGES)
def test_a_hub_viewer_never_sees_another_hubs_rows_counts_or_text(scoped_store, page):
    content = page_and_downloads(page, HUB_VIEWER)
    found = leaks(content, names=_names(OTHERS), markers=OTHER_MARKERS, counts=OTHER_COUNTS)
    assert found == {"names": [], "markers": [], "counts": []}


def test_the_hub_viewer_sees_their_own_hub_and_the_national_pooled_value(scoped_store):
    at = open_page("pages/hub_overview.py", HUB_VIEWER)
    content = rendered(at)
    assert OWN in content
    assert "OWNTEXT" in content, "the hub's own open text is shown to its board"
    headline = download_table(at, "hub_headline_download")
    row = headline[headline["ncp"].eq(NCP)].iloc[0]
    assert row["hubs_pooled"] == 5  # every hub ran this project: pooled value shown
    assert np.isfinite(float(row["national_estimate"]))
    thin = headline[headline["ncp"].eq(NCP_TWO_HUBS)].iloc[0]
    assert thin["national_estimate"] == "[c]"  # two hubs only: hidden from a hub viewer


def test_the_national_page_gives_a_hub_viewer_only_rounded_pooled_estimates(scoped_store):
    # Issue 16: with se, tau², Q, I², the prediction interval or the count beside the estimate,
    # a hub's own result and a small pool could be solved for the other hubs.
    at = open_page("pages/national.py", HUB_VIEWER)
    overview = download_table(at, "national_overview_download")
    k = pd.to_numeric(overview["k"], errors="coerce")
    shown, thin = overview[k >= MIN_POOLED_HUBS], overview[k < MIN_POOLED_HUBS]
    assert len(shown) and len(thin)
    assert thin["estimate"].eq("[c]").all()
    for col in ("se", "tau2", "i2", "q", "q_p", "pi_low", "pi_high", "n_respondents"):
        if col in overview:
            assert pd.to_numeric(shown[col], errors="coerce").isna().all(), col
    step = POOLED_STEPS["d_z"]  # the page opens on d_z
    for col in ("estimate", "ci_low", "ci_high"):
        values = pd.to_numeric(shown[col], errors="coerce").dropna().to_numpy()
        assert len(values) and np.allclose(values / step, np.round(values / step)), col


def test_the_hub_filter_is_fixed_to_the_viewers_hub(scoped_store):
    at = open_page("pages/home.py", HUB_VIEWER)
    assert not [s for s in at.sidebar.selectbox if s.label == "Maths Hub"]
    assert f"Maths Hub: **{OWN}**" in [c.value for c in at.sidebar.caption]


def test_a_hub_board_pack_download_holds_only_the_hub_and_pooled_values(scoped_store):
    at = open_page("pages/hub_overview.py", HUB_VIEWER)
    at.button(key="hub_pack_build").click().run()
    html = download_text(at.download_button(key="hub_pack_html"))
    assert "<html" in html.lower() and OWN in html
    found = leaks(html, names=_names(OTHERS), markers=OTHER_MARKERS, counts=[])
    assert found == {"names": [], "markers": [], "counts": []}
    assert counts_in(visible_html(html), OTHER_COUNTS) == []


# Pages a lead is offered (the themes page is for national and hub users only).
LEAD_PAGES = [ui.PAGES[key][0] for key in ui.pages_for(LEAD_VIEWER) if key != "roles"]


@pytest.mark.parametrize("page", LEAD_PAGES)
def test_a_lead_sees_only_their_own_work_groups(scoped_store, page):
    content = page_and_downloads(page, LEAD_VIEWER)
    found = leaks(
        content,
        names=_names(OTHERS),
        markers=[*OTHER_MARKERS, "WG-SOL-2", "OWNTEXT2"],
        counts=OTHER_COUNTS,
    )
    assert found == {"names": [], "markers": [], "counts": []}


def test_a_lead_sees_their_own_group_and_its_open_text(scoped_store):
    at = open_page("pages/impact.py", LEAD_VIEWER)
    groups = at.selectbox(key="impact_work_group").options
    assert groups == ["All 1 Work Groups in the selection", "WG-SOL-1"]
    at = open_page("pages/hub_overview.py", LEAD_VIEWER)
    assert "OWNTEXT1" in rendered(at)


def test_national_sees_every_hub(scoped_store):
    national = Viewer.national("team@ncetm.example")
    content = page_and_downloads("pages/national.py", national)
    assert all(hub in content for hub in OTHERS)
    assert counts_in(content, [41, 59, 67, 83, 61]) == [41, 59, 67, 83, 61]
    at = open_page("pages/datasets.py", national)
    listed = next(f.value for f in at.dataframe if "Rows" in f.value.columns)
    assert sorted(listed["Rows"].tolist()) == sorted([2 * (13 + 41), 118, 134, 166, 138, 254])


def test_a_mixed_upload_counts_only_the_hub_viewers_own_rows(scoped_store):
    at = open_page("pages/datasets.py", HUB_VIEWER)
    listed = next(f.value for f in at.dataframe if "Rows" in f.value.columns)
    assert sorted(listed["Rows"].tolist()) == [16, 2 * 13, 2 * OWN_PUPILS]
    assert set(listed["Hubs"]) == {OWN}


def test_open_text_is_hidden_from_roles_the_deployment_excludes(scoped_store, monkeypatch):
    monkeypatch.setenv("IMPACT_OPEN_TEXT_ROLES", "lead")
    monkeypatch.setenv("IMPACT_REQUIRE_LOGIN", "0")
    secrets = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback"}}
    store = Store.open(scoped_store)
    store.set_role("board@solent.example", "hub", hub=OWN, by="test")
    store.close()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets = secrets
    at.user = {"is_logged_in": True, "email": "Board@Solent.example"}
    at.run()
    at.switch_page("pages/hub_overview.py").run()
    assert not at.exception
    content = rendered(at)
    assert OWN in content and "OWNTEXT" not in content
    assert "Open-text answers are not shown for your role." in [c.value for c in at.caption]


HEADLINE_READING = re.compile(
    r"^(Squares are |Above the range |Below the range |Every project lies |\d+ projects? hidden |"
    r"\d+ national values? hidden )"
)


def test_the_hub_page_and_its_board_pack_show_the_same_numbers_and_sentences(scoped_store):
    at = open_page("pages/hub_overview.py", HUB_VIEWER)
    outcome = at.selectbox(key="hub_outcome").value
    page = download_table(at, "hub_headline_download")
    unescaped = [re.sub(r"\\(.)", r"\1", str(m.value)) for m in at.markdown]
    lines = [line for line in unescaped if HEADLINE_READING.match(line)]
    assert len(lines) > 1 and lines[0].startswith(f"Squares are {OWN}'s")
    at.button(key="hub_pack_build").click().run()
    pack = html_module.unescape(
        visible_html(download_text(at.download_button(key="hub_pack_html")))
    )
    pack = re.sub(r"\s+", " ", pack)
    # The same numbers: the pack's "hub vs national" cell of each project (first outcome column)
    # holds the page's values; the page shows 3 decimals, the pack 2.
    assert outcome == "confidence"  # the page opens on the first scale, the pack's first column
    compared = 0
    for _, row in page.iterrows():
        if "[c]" in (str(row["hub_estimate"]), str(row["national_estimate"])):
            continue
        cell = re.search(
            rf"{re.escape(str(row['ncp']))}</td> ?<td[^>]*>(-?\d+\.\d\d) vs (-?\d+\.\d\d)", pack
        )
        assert cell, row["ncp"]
        hub_value, national_value = (float(v) for v in cell.groups())
        assert abs(hub_value - float(row["hub_estimate"])) <= 0.0051
        assert abs(national_value - float(row["national_estimate"])) <= 0.0051
        compared += 1
    assert compared
    # The same sentences: the page's lines, each led in the pack by the outcome's name.
    name = outcome.replace("_", " ").capitalize()
    assert lines[0] in pack
    for line in lines[1:]:
        assert f"{name}: {line}" in pack, line


def test_only_a_national_user_is_offered_the_sample_on_an_empty_store(tmp_path, monkeypatch):
    """Issue 16 item 5: the sample holds all 40 hubs, so hub and lead users cannot load it."""
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    st.cache_data.clear()
    st.cache_resource.clear()
    for viewer in (HUB_VIEWER, LEAD_VIEWER):
        at = open_page("pages/home.py", viewer)
        assert "No data is loaded yet" in rendered(at)
        assert not [b for b in at.button if b.key == "home_seed"]
    at = open_page("pages/home.py", Viewer.national("national@ncetm.example"))
    at.button(key="home_seed").click().run()
    assert not at.exception
    st.cache_data.clear()
    st.cache_resource.clear()
