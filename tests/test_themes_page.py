"""AppTest for pages/themes.py: the codebook edited in the app, audited; suggested themes; shares
kept across an upload.

Each test has its own SQLite store holding one hub's surveys whose open answers carry a codebook
theme (talk) and two themes no codebook names (homework club, parents' workshops).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # app_support sits beside app.py, outside the installed packages

import app_support as ui  # noqa: E402
from app_support.auth import TEST_VIEWER_KEY  # noqa: E402
from evaluation.access import Viewer  # noqa: E402
from evaluation.store import Store  # noqa: E402
from evaluation.text import tagged as tagged_module  # noqa: E402
from evaluation.text.codebook import tag_answers  # noqa: E402

APP = str(ROOT / "app.py")
PAGE = "pages/themes.py"
TIMEOUT = 180
SOLENT = "Solent Maths Hub"
HUB = Viewer(role="hub", hub=SOLENT, name="board@solent.example")
LEAD = Viewer(role="lead", hub=SOLENT, work_groups=("WG-1",), name="lead@solent.example")
NATIONAL = Viewer.national("team@ncetm.example")

# Answers after the programme: 8 about talk (a default theme), then two themes no codebook names.
TALK = [f"Much more talk in lesson {i}" for i in range(8)]
HOMEWORK = [f"The homework club runs weekly now, group {i}" for i in range(8)]
PARENTS = [f"Parents workshop evenings went well, cohort {i}" for i in range(8)]
ANSWERS = TALK + HOMEWORK + PARENTS


@pytest.fixture(autouse=True)
def _navigation_like_the_server(app_like_the_server, monkeypatch):
    """AppTest as the server runs it (conftest), and this module's settings."""
    monkeypatch.delenv("IMPACT_MIN_N", raising=False)


def survey_rows() -> pd.DataFrame:
    rows = []
    for i, answer in enumerate(ANSWERS):
        for phase in ("pre", "post"):
            rows.append(
                {
                    "respondent_id": f"t-{i:03d}",
                    "phase": phase,
                    "academic_year": "2024/25",
                    "hub": SOLENT,
                    "ncp": "Mastering Number at KS2",
                    "work_group": "WG-1",
                    "conf_1": 2.0 if phase == "pre" else 4.0,
                    "text_what_changed": answer if phase == "post" else "",
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def _stored_file(tmp_path_factory) -> Path:
    """A SQLite store holding :func:`survey_rows`, made once; each test changes only a copy."""
    path = tmp_path_factory.mktemp("themes_stored") / "themes.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_HOME", str(path.parent))
        with Store.open(f"sqlite:///{path}", secret=b"themes test key") as store:
            stored = store.add_frame(survey_rows(), kind="survey", file_name="wg.csv")
            assert stored.status == "stored"
    return path


@pytest.fixture
def store_url(_stored_file, tmp_path, monkeypatch) -> Iterator[str]:
    """This test's own copy of :func:`_stored_file` (closed, so the copy is the whole store)."""
    shutil.copyfile(_stored_file, tmp_path / "themes.sqlite")
    url = f"sqlite:///{tmp_path / 'themes.sqlite'}"
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("IMPACT_SECRET", "themes test key")
    st.cache_data.clear()
    yield url
    st.cache_data.clear()


def open_themes(viewer: Viewer) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[TEST_VIEWER_KEY] = viewer
    at.run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error if "went wrong" in e.value], [e.value for e in at.error]


def stored(url: str, viewer: Viewer = HUB) -> pd.DataFrame:
    with Store.open(url) as store:
        return store.codebook(viewer)


def codebook_entries(url: str) -> pd.DataFrame:
    with Store.open(url) as store:
        log = store.audit_log(NATIONAL)
    return log[log["action"].str.startswith("codebook_")].reset_index(drop=True)


def suggestion_keys(at: AppTest) -> list[str]:
    return [b.key.removesuffix("_accept") for b in at.button if b.key.endswith("_accept")]


def suggestion_words(at: AppTest, key: str) -> str:
    return at.text_input(key=f"{key}_name").value


def test_the_page_is_offered_to_national_and_hub_users_not_leads():
    assert "themes" in ui.pages_for(NATIONAL)
    assert "themes" in ui.pages_for(HUB)
    assert "themes" not in ui.pages_for(LEAD)


def test_a_lead_cannot_reach_the_page(store_url):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[TEST_VIEWER_KEY] = LEAD
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_shares_per_theme_and_suggestions_show_for_the_hub(store_url):
    at = open_themes(HUB)
    shares = next(f.value for f in at.dataframe if "Share after" in f.value.columns)
    talk = shares.set_index("Theme").loc["Reasoning and talk"]
    # 8 of 24 answers, all after the programme.
    assert talk["Answers"] == "8" and talk["Share"] == f"{8 / 24:.0%}"
    assert talk["Share after"] == f"{8 / 24:.0%}"
    words = [suggestion_words(at, key) for key in suggestion_keys(at)]
    assert any("homework" in w for w in words) and any("parents" in w for w in words), words
    assert any(HOMEWORK[0] in t.value or "homework club" in t.value for t in at.text)


def test_accepting_a_suggestion_adds_it_to_the_hubs_codebook_with_an_audit_entry(store_url):
    at = open_themes(HUB)
    key = next(k for k in suggestion_keys(at) if "homework" in suggestion_words(at, k))
    at.text_input(key="themes_reason").input("homework club is new this year")
    at.text_input(key=f"{key}_name").input("Homework club")
    at.button(key=f"{key}_accept").click().run()
    assert_clean(at)
    assert 'Added "Homework club" to the codebook.' in [s.value for s in at.success]
    book = stored(store_url).set_index("theme")
    assert "homework" in book.loc["Homework club", "keywords"]
    assert book.loc["Homework club", "examples"] == ()  # answers are not copied into it
    assert "Homework club" not in stored(store_url, NATIONAL)["theme"].tolist()
    entries = codebook_entries(store_url)
    assert entries["action"].tolist() == ["codebook_start", "codebook_add"]
    assert set(entries["who"]) == {HUB.name}
    assert set(entries["reason"]) == {"homework club is new this year"}
    assert entries.loc[1, "detail"]["hub"] == SOLENT
    # The answers it covers now count under it, and it is no longer suggested.
    shares = next(f.value for f in at.dataframe if "Share after" in f.value.columns)
    assert shares.set_index("Theme").loc["Homework club", "Answers"] == "8"
    assert not any("homework" in suggestion_words(at, k) for k in suggestion_keys(at))


def test_merging_a_suggestion_adds_its_words_to_a_theme(store_url):
    at = open_themes(HUB)
    key = next(k for k in suggestion_keys(at) if "parents" in suggestion_words(at, k))
    at.text_input(key="themes_reason").input("parents are colleagues too")
    at.selectbox(key=f"{key}_into").select("Colleagues and the wider school")
    at.button(key=f"{key}_merge").click().run()
    assert_clean(at)
    keywords = stored(store_url).set_index("theme").loc["Colleagues and the wider school"]
    assert "parents" in keywords["keywords"]
    assert codebook_entries(store_url)["action"].tolist()[-1] == "codebook_update"


def test_rejecting_a_suggestion_hides_it_and_changes_nothing(store_url):
    at = open_themes(HUB)
    key = next(k for k in suggestion_keys(at) if "parents" in suggestion_words(at, k))
    at.button(key=f"{key}_reject").click().run()
    assert_clean(at)
    assert key not in suggestion_keys(at)
    assert codebook_entries(store_url).empty


def test_rename_merge_and_retire_codebook_themes(store_url):
    at = open_themes(NATIONAL)
    at.text_input(key="themes_reason").input("clearer names")
    at.selectbox(key="themes_pick").select("Time and workload")
    at.text_input(key="themes_new_name").input("Workload")
    at.button(key="themes_rename").click().run()
    assert_clean(at)
    assert 'Renamed "Time and workload" to "Workload".' in [s.value for s in at.success]
    at.multiselect(key="themes_merge_pick").select("Pupils' attitudes")
    at.selectbox(key="themes_merge_into").select("Confidence and anxiety")
    at.button(key="themes_merge").click().run()
    assert_clean(at)
    at.selectbox(key="themes_pick").select("Workload")
    at.button(key="themes_retire").click().run()
    assert_clean(at)
    themes = stored(store_url, NATIONAL)["theme"].tolist()
    assert "Workload" not in themes and "Pupils' attitudes" not in themes
    assert "Confidence and anxiety" in themes
    actions = codebook_entries(store_url)["action"].tolist()
    assert actions == [
        "codebook_start",
        "codebook_rename",
        "codebook_merge",
        "codebook_merge",
        "codebook_retire",
    ]
    history = next(f.value for f in at.dataframe if "Reason" in f.value.columns)
    assert set(history["Reason"]) == {"clearer names"}


def test_a_change_without_a_reason_is_refused_with_a_plain_message(store_url):
    at = open_themes(HUB)
    at.selectbox(key="themes_pick").select("Time and workload")
    at.button(key="themes_retire").click().run()
    assert_clean(at)
    assert "Please give a reason; it is kept in the audit log." in [e.value for e in at.error]
    assert codebook_entries(store_url).empty


def test_saving_the_unchanged_table_writes_nothing(store_url):
    at = open_themes(HUB)
    at.text_input(key="themes_reason").input("looked at it")
    at.button(key="themes_save").click().run()
    assert_clean(at)
    assert "Nothing had changed; nothing was saved." in [s.value for s in at.success]
    assert codebook_entries(store_url).empty


def test_without_open_text_the_codebook_shows_but_no_answers(store_url):
    at = open_themes(Viewer(role="hub", hub=SOLENT, name="b@solent.example", open_text=False))
    assert any("Keywords (separated by ;)" in f.value.columns for f in at.dataframe)
    assert not at.text, "no answer is shown"
    assert not suggestion_keys(at)
    assert any("not shown for your role" in i.value for i in at.info)


def test_national_can_change_a_hubs_own_copy(store_url):
    at = open_themes(NATIONAL)
    at.selectbox(key="themes_scope").select(SOLENT).run()
    assert_clean(at)
    at.text_input(key="themes_reason").input("Solent asked for it")
    at.selectbox(key="themes_pick").select("Time and workload")
    at.button(key="themes_retire").click().run()
    assert_clean(at)
    assert "Time and workload" not in stored(store_url, HUB)["theme"].tolist()
    assert "Time and workload" in stored(store_url, NATIONAL)["theme"].tolist()
    entry = codebook_entries(store_url).iloc[-1]
    assert (entry["who"], entry["detail"]["hub"]) == (NATIONAL.name, SOLENT)
    assert "hub's own copy" in " ".join(c.value for c in at.caption)


def test_many_uncoded_answers_are_suggested_for_only_when_asked(store_url, monkeypatch):
    # 16 answers carry no codebook theme (homework club, parents' workshops); above the limit
    # the page says how many and offers the button instead of working them out at once.
    monkeypatch.setenv("IMPACT_SUGGEST_AT_ONCE", str(len(HOMEWORK + PARENTS) - 1))
    at = open_themes(HUB)
    assert not suggestion_keys(at)
    assert any(f"{len(HOMEWORK + PARENTS)} answers have no theme" in c.value for c in at.caption)
    at.button(key="themes_suggest").click().run()
    assert_clean(at)
    words = " ".join(suggestion_words(at, key) for key in suggestion_keys(at))
    assert "homework" in words and "parents" in words


def test_after_an_upload_only_its_answers_are_tagged_and_shares_equal_fresh_ones(
    store_url, monkeypatch
):
    at = open_themes(NATIONAL)
    sizes: list[int] = []

    def counting(answers: pd.Series, book: pd.DataFrame) -> pd.DataFrame:
        sizes.append(len(answers))
        return tag_answers(answers, book)

    monkeypatch.setattr(tagged_module, "tag_answers", counting)
    more = survey_rows().assign(work_group="WG-2")
    more["respondent_id"] = more["respondent_id"] + "-2"
    more.loc[more["phase"].eq("post"), "text_what_changed"] = [
        f"We explain our reasoning now, class {i}" for i in range(len(ANSWERS))
    ]
    with Store.open(store_url) as store:
        assert store.add_frame(more, kind="survey", file_name="wg2.csv").status == "stored"
    at.run()
    assert_clean(at)
    assert sum(sizes) == len(ANSWERS)  # the new file's answers only
    kept = next(f.value for f in at.dataframe if "Share after" in f.value.columns)
    talk = kept.set_index("Theme").loc["Reasoning and talk"]
    assert talk["Answers"] == str(8 + len(ANSWERS))
    ui.clear_caches()  # a fresh process: everything read and tagged again
    fresh = open_themes(NATIONAL)
    pd.testing.assert_frame_equal(
        kept, next(f.value for f in fresh.dataframe if "Share after" in f.value.columns)
    )
