"""AppTest for every dashboard page: sample data, empty store, filters, upload, withdraw, errors.

Each test points the store at its own temporary SQLite file (IMPACT_HOME / DATABASE_URL).
"""

from __future__ import annotations

import base64
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # app_support sits beside app.py, outside the installed packages

import app_support as ui  # noqa: E402
from evaluation.access import Viewer  # noqa: E402
from evaluation.store import Store  # noqa: E402

APP = str(ROOT / "app.py")
EXAMPLES = ROOT / "sample_data" / "examples"
TIMEOUT = 180

PAGES = [path for path, _title, _icon in ui.PAGES.values()]
FRIENDLY = "Sorry, something went wrong"

# AppTest as the server runs it; the stores are conftest's (sample_home, fresh_sample) or below.
pytestmark = pytest.mark.usefixtures("app_like_the_server")


def open_page(page: str) -> AppTest:
    """Run the app (navigation + sidebar) and switch to ``page``."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    if page != PAGES[0]:
        at.switch_page(page).run()
    return at


@pytest.fixture(scope="module")
def _drawn_pages(sample_home) -> dict[str, AppTest]:
    return {}


@pytest.fixture
def sample_page(_drawn_pages, app_like_the_server):
    """``sample_page(page)``: ``page`` as first drawn from the sample, shared by this module.

    Each page is run once; the tests that only read what it drew share that run. A test that
    clicks, picks or types opens its own with :func:`open_page`.
    """

    def drawn(page: str) -> AppTest:
        if page not in _drawn_pages:
            _drawn_pages[page] = open_page(page)
        return _drawn_pages[page]

    return drawn


def assert_clean(at: AppTest) -> None:
    """No raw exception and no friendly error on the page."""
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error if FRIENDLY in e.value], [e.value for e in at.error]


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has ``column`` (st.dataframe has no test key).

    Both kinds count: short lists of problems are a static st.table, so their text wraps.
    """
    for frame in [*at.dataframe, *at.table]:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [c.value for c in at.caption]
    parts += [s.value for s in at.success] + [t.value for t in at.title]
    parts += [h.value for h in at.subheader]
    return "\n".join(str(p) for p in parts)


# ------------------------------------------------------------------ every page renders


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_the_sample_data(sample_page, page):
    at = sample_page(page)
    assert_clean(at)
    assert at.title, "every page has a title"
    if page in ("pages/impact.py", "pages/hub_overview.py", "pages/national.py", "pages/pupils.py"):
        assert charts(at), f"{page} draws charts from the sample"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_an_empty_store_and_says_what_to_do(empty_store, page):
    at = open_page(page)
    assert_clean(at)
    assert not charts(at)
    if page not in ("pages/methods.py", "pages/upload.py"):
        assert at.info, f"{page} tells the user what to do when there is no data"


def test_home_says_the_sample_is_loaded_and_synthetic(sample_page):
    at = sample_page("pages/home.py")
    assert any("synthetic sample" in w.value for w in at.warning)
    metrics = {m.label: m.value for m in at.metric}
    listed = Store.open().list_datasets(Viewer.national())
    surveys = listed[listed["kind"].eq("survey")]["n_rows"].sum()
    rows = Store.open().load_surveys(Viewer.national())[0]["group"].astype("string")
    assert metrics["Survey responses"] == f"{surveys - rows.eq('comparison').sum():,}"


def test_home_offers_the_sample_when_the_store_is_empty(empty_store):
    at = open_page("pages/home.py")
    assert "No data is loaded yet" in all_text(at)
    at.button(key="home_seed").click().run()
    assert_clean(at)
    assert any("synthetic sample" in w.value for w in at.warning)


# ------------------------------------------------------------------ filters


def test_filters_persist_across_pages(sample_home):
    at = open_page("pages/home.py")
    year = at.selectbox(key="filter_year").options[1]
    at.selectbox(key="filter_year").set_value(year).run()
    at.switch_page("pages/methods.py").run()
    assert at.selectbox(key="filter_year").value == year
    at.switch_page("pages/home.py").run()
    assert at.selectbox(key="filter_year").value == year


def test_choosing_a_phase_of_education_narrows_the_project_list(sample_home):
    at = open_page("pages/home.py")
    everything = at.selectbox(key="filter_ncp").options
    at.selectbox(key="filter_phase").set_value("Post-16").run()
    post16 = at.selectbox(key="filter_ncp").options
    assert len(post16) < len(everything)
    assert "Supporting Post-16 GCSE Resit" in post16
    assert "Mastering Number at KS2" not in post16


def _impact_reading(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_hub_filter_changes_the_impact_results(sample_home):
    at = open_page("pages/impact.py")
    before = _impact_reading(at)
    hub = sorted(Store.open().list_datasets(Viewer.national())["hubs"].explode().dropna())[0]
    at.selectbox(key="filter_hub").set_value(hub).run()
    assert_clean(at)
    assert charts(at)
    assert _impact_reading(at) != before


def test_a_year_filter_changes_the_pupil_results(sample_home):
    at = open_page("pages/pupils.py")
    before = _impact_reading(at)
    at.selectbox(key="filter_year").set_value("2023/24").run()
    assert_clean(at)
    assert _impact_reading(at) != before


# ------------------------------------------------------------------ upload


def _choose_about(at: AppTest) -> None:
    at.selectbox(key="upload_hub").set_value("Solent Maths Hub")
    at.selectbox(key="upload_ncp").set_value("Mastering Number at KS2")
    at.selectbox(key="upload_year").set_value("2025/26")


BAD_SURVEY = (
    b"Participant code,Phase,Academic year,Maths Hub,Project,"
    b"I feel confident teaching mathematics to my class\n"
    b"A1,pre,2024/25,Solent Maths Hubb,Mastering Number at KS2,Agree\n"
    b"A2,pre,2024/25,Solent Maths Hub,Mastering Number at KS2,9\n"
)


def test_an_upload_with_errors_shows_the_error_table_and_cannot_be_saved(empty_store):
    at = open_page("pages/upload.py")
    at.radio(key="upload_layout").set_value("combined").run()
    at.file_uploader(key="upload_file_combined").set_value(
        ("survey.csv", BAD_SURVEY, "text/csv")
    ).run()
    assert_clean(at)
    problems = table_with(at, "What is wrong")
    assert {"Row", "Column", "Value", "What is wrong", "How to fix it"} <= set(problems.columns)
    hub_problem = problems[problems["Column"].eq("Maths Hub")].iloc[0]
    assert int(hub_problem["Row"]) == 2
    assert "Solent Maths Hub" in hub_problem["How to fix it"]
    assert at.button(key="upload_save").disabled
    assert any("problem" in e.value for e in at.error)
    assert at.get("download_button"), "the problem list can be downloaded"
    assert Store.open().is_empty()


def test_a_valid_upload_is_stored_and_shows_the_work_groups_results(empty_store):
    at = open_page("pages/upload.py")
    _choose_about(at)
    at.file_uploader(key="upload_file_pre").set_value(
        ("ms_forms_pre.xlsx", (EXAMPLES / "ms_forms_pre.xlsx").read_bytes(), "application/xlsx")
    )
    at.file_uploader(key="upload_file_post").set_value(
        ("ms_forms_post.xlsx", (EXAMPLES / "ms_forms_post.xlsx").read_bytes(), "application/xlsx")
    ).run()
    assert_clean(at)
    assert not at.button(key="upload_save").disabled
    assert not charts(at), "nothing is shown as saved before saving"
    at.button(key="upload_save").click().run()
    assert_clean(at)
    assert sum("Saved" in s.value for s in at.success) == 2
    assert charts(at), "the Work Group's results appear at once"
    listed = Store.open().list_datasets(Viewer.national())
    assert sorted(listed["file_name"]) == ["ms_forms_post.xlsx", "ms_forms_pre.xlsx"]
    assert listed["hubs"].map(tuple).tolist() == [("Solent Maths Hub",)] * 2
    # and every results page shows it at once (cache keyed on the store version)
    at.switch_page("pages/impact.py").run()
    assert_clean(at)
    assert charts(at)


def test_a_wrong_column_guess_can_be_corrected(empty_store):
    at = open_page("pages/upload.py")
    _choose_about(at)
    at.file_uploader(key="upload_file_pre").set_value(
        ("ms_forms_pre.xlsx", (EXAMPLES / "ms_forms_pre.xlsx").read_bytes(), "application/xlsx")
    ).run()
    columns = table_with(at, "Understood as")
    understood = dict(zip(columns["Column in your file"], columns["Understood as"], strict=True))
    assert "matches before and after" in understood["Participant code"]
    at.selectbox(key="upload_pre_fix_column").set_value("Participant code").run()
    # the correction starts at how the column is read now, so "Apply" alone changes nothing
    assert at.selectbox(key="upload_pre_fix_role").value == "respondent_id"
    at.selectbox(key="upload_pre_fix_column").set_value("Email").run()
    assert at.selectbox(key="upload_pre_fix_role").value == "ignore"
    at.selectbox(key="upload_pre_fix_column").set_value("Participant code").run()
    at.selectbox(key="upload_pre_fix_role").set_value("ignore").run()
    at.button(key="upload_pre_fix_apply").click().run()
    assert_clean(at)
    columns = table_with(at, "Understood as")
    understood = dict(zip(columns["Column in your file"], columns["Understood as"], strict=True))
    assert understood["Participant code"].startswith("Not used")
    assert understood["Email"].endswith("(used to match before and after)")


def test_templates_can_be_downloaded_for_each_kind_of_file(empty_store):
    at = open_page("pages/upload.py")
    keys = {b.key for b in at.get("download_button")}
    assert {"template_survey_csv", "template_pupil_csv", "template_questions_xlsx"} <= keys


# ------------------------------------------------------------------ datasets


def test_withdrawing_a_dataset_removes_its_data_from_the_views(fresh_sample):
    at = open_page("pages/pupils.py")
    assert charts(at)
    at.switch_page("pages/datasets.py").run()
    listed = Store.open().list_datasets(Viewer.national())
    # Every pupil dataset: the project's and the comparison schools' (the sample has both).
    for pupil_id in listed.loc[listed["kind"].eq("pupil"), "dataset_id"]:
        at.selectbox(key="datasets_pick").set_value(int(pupil_id))
        at.text_input(key="datasets_withdraw_reason").input("Sample no longer needed")
        at.button(key="datasets_withdraw").click().run()
        assert_clean(at)
        assert any("withdrawn" in s.value for s in at.success)
    audit = table_with(at, "Entry")
    assert "Sample no longer needed" in audit["Reason"].tolist()
    at.switch_page("pages/pupils.py").run()
    assert_clean(at)
    assert not charts(at)
    assert at.info


def test_withdrawing_needs_a_reason(fresh_sample):
    at = open_page("pages/datasets.py")
    at.button(key="datasets_withdraw").click().run()
    assert any("reason" in e.value for e in at.error)
    listed = Store.open().list_datasets(Viewer.national())
    assert listed["status"].eq("active").all()


# ------------------------------------------------------------------ errors


def _failing_page() -> None:
    import app_support as ui

    with ui.friendly_errors("drawing a test chart"):
        raise ValueError("secret internal detail at line 3")


def test_an_exception_becomes_a_friendly_message_with_details_not_a_traceback():
    at = AppTest.from_function(_failing_page).run()
    assert not at.exception
    assert FRIENDLY in at.error[0].value and "drawing a test chart" in at.error[0].value
    assert at.expander[0].label == "Details for the support team"
    details = at.expander[0].text[0].value
    assert details.startswith("ValueError: secret internal detail")
    assert "Traceback" not in details


def test_plain_text_cannot_inject_markup():
    shown = ui.plain("<img src=x onerror=alert(1)> **bold** [link](http://x)")
    assert "<img" not in shown
    assert "\\*\\*bold\\*\\*" in shown and "\\[link\\]" in shown


def test_dataset_table_for_people_joins_lists():
    table = pd.DataFrame(
        {"dataset_id": [1], "kind": ["survey"], "hubs": [["A Hub", "B Hub"]], "n_rows": [3]}
    )
    shown = ui.dataset_display(table)
    assert shown.loc[0, "Hubs"] == "A Hub, B Hub"
    assert shown.loc[0, "Kind"] == "Teacher survey"


# ------------------------------------------------------------------ found in the browser review


def _figure(chart) -> dict:
    import json

    return json.loads(chart.proto.spec)


def test_a_link_opened_first_on_a_fresh_server_still_gets_the_apps_navigation(
    empty_store, monkeypatch
):
    # The real PagesManager: on a fresh server Streamlit runs pages/<page>.py by itself (no
    # app.py) until some run calls st.navigation; the page must send itself back through app.py.
    monkeypatch.setattr(app_test_module, "PagesManager", PagesManager)
    at = open_page("pages/national.py")
    assert_clean(at)
    assert at.selectbox(key="filter_hub") is not None, "the shared sidebar filters are drawn"
    assert any("nothing to compare" in i.value for i in at.info)


def test_the_national_heatmap_shows_the_scales_and_marks_reversed_questions(sample_home):
    at = open_page("pages/national.py")
    assert_clean(at)
    heatmap = _figure(at.get("plotly_chart")[0])
    assert list(heatmap["data"][0]["x"]) == ["Confidence", "Subject knowledge", "Practice"]
    at.toggle(key="national_questions").set_value(True).run()
    assert_clean(at)
    columns = list(_figure(at.get("plotly_chart")[0])["data"][0]["x"])
    assert columns[:3] == ["Confidence", "Subject knowledge", "Practice"]
    assert "Conf 3 (reversed)" in columns and "Know 3 (reversed)" in columns
    assert "Conf 1" in columns, "questions that are not reversed are not marked"
    assert "orange, a fall, is good news" in all_text(at)


def test_choosing_a_reversed_question_warns_that_a_fall_is_good(sample_home):
    at = open_page("pages/national.py")
    assert not [w for w in at.warning if "reversed question" in w.value]
    at.selectbox(key="national_outcome").set_value("conf_3").run()
    assert_clean(at)
    assert any("I feel anxious" in w.value and "a fall" in w.value for w in at.warning)
    at.switch_page("pages/hub_overview.py").run()
    at.selectbox(key="hub_outcome").set_value("know_3").run()
    assert_clean(at)
    assert any("I am unsure" in w.value for w in at.warning)


def test_outcome_labels_mark_only_reversed_questions():
    from app_support import views

    assert views.outcome_label("subject_knowledge") == "Subject knowledge"
    assert (
        views.outcome_label("conf_1")
        == 'Conf 1: "I feel confident teaching mathematics to my class"'
    )
    assert views.outcome_label("conf_3") == (
        'Conf 3: "I feel anxious when I have to teach a mathematical topic..." '
        "(reversed: a fall is good)"
    )
    assert views.reversed_caption("confidence") is None


def test_open_text_questions_lose_the_storage_tag():
    from app_support import views

    tagged = "text_what_if_anything_has_changed_in_your_teaching_d51761"
    assert views.open_text_question(tagged) == "What if anything has changed in your teaching..."
    assert views.open_text_question("text_support_needed") == "Support needed"


def test_a_pdf_renamed_csv_gets_one_plain_message_and_no_table(empty_store):
    at = open_page("pages/upload.py")
    at.radio(key="upload_layout").set_value("combined").run()
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 4
    at.file_uploader(key="upload_file_combined").set_value(("report.csv", pdf, "text/csv")).run()
    assert_clean(at)
    assert [e.value for e in at.error] == [
        "This is a PDF, not a table. Upload the CSV or Excel export instead."
    ]
    assert not at.dataframe and not at.table, "no row-by-row table for a file with no rows"
    assert at.button(key="upload_save").disabled


def test_pupil_scores_uploaded_as_a_survey_say_which_kind_to_choose(empty_store):
    at = open_page("pages/upload.py")
    at.radio(key="upload_layout").set_value("combined").run()
    at.file_uploader(key="upload_file_combined").set_value(
        ("mtc_scores.csv", (EXAMPLES / "mtc_scores.csv").read_bytes(), "text/csv")
    ).run()
    assert_clean(at)
    assert any("Pupil scores (MTC)" in e.value for e in at.error)
    assert not any("problems to fix" in e.value for e in at.error)
    assert at.button(key="upload_save").disabled
    assert "does not look like a teacher survey" in all_text(at)


def test_pairing_warnings_name_the_file_row_and_participant_code(empty_store):
    at = open_page("pages/upload.py")
    _choose_about(at)
    at.file_uploader(key="upload_file_pre").set_value(
        ("ms_forms_pre.xlsx", (EXAMPLES / "ms_forms_pre.xlsx").read_bytes(), "application/xlsx")
    )
    at.file_uploader(key="upload_file_post").set_value(
        ("ms_forms_post.xlsx", (EXAMPLES / "ms_forms_post.xlsx").read_bytes(), "application/xlsx")
    ).run()
    assert_clean(at)
    pairing = table_with(at, "What to know")
    unmatched = pairing[pairing["What to know"].str.contains("no matching pre-survey")]
    assert unmatched["File"].tolist() == ["After"]
    assert unmatched["Row"].tolist() == ["2"]  # the export's first response (header is row 1)
    assert unmatched["Participant code"].str.len().gt(0).all()
    assert "2 things to know" in all_text(at)


def test_the_problem_table_reads_as_words_not_none():
    from app_support import upload as up

    raw = pd.DataFrame(
        {
            "severity": ["error", "error"],
            "row": pd.array([None, 4], dtype="Int64"),
            "column": [None, "Q1"],
            "value": [None, "Agreee"],
            "message": ["480 more rows have the same problem.", "'Agreee' is not an answer."],
            "fix": [None, "Use one of: Agree, Disagree."],
        }
    )
    table = up.problems_table(raw)
    assert list(table.columns) == ["Row", "Column", "Value", "What is wrong", "How to fix it"]
    assert table.iloc[0].tolist() == ["", "", "", "480 more rows have the same problem.", ""]
    mixed = up.problems_table(raw.assign(severity=["error", "warning"]))
    assert mixed["Type"].tolist() == ["Must fix", "Worth checking"]


def test_a_survey_uploaded_as_pupil_scores_says_which_kind_to_choose(empty_store):
    at = open_page("pages/upload.py")
    at.segmented_control(key="upload_kind").set_value("pupil").run()
    at.radio(key="upload_layout").set_value("combined").run()
    at.file_uploader(key="upload_file_combined").set_value(
        ("survey.csv", (EXAMPLES / "google_forms_post.csv").read_bytes(), "text/csv")
    ).run()
    assert_clean(at)
    assert any("Teacher survey" in e.value for e in at.error)
    assert not any("problems to fix" in e.value for e in at.error)
    assert at.button(key="upload_save").disabled
    assert "does not look like a pupil scores file" in all_text(at)


def _pick_pupil_dataset(at: AppTest) -> int:
    listed = Store.open().list_datasets(Viewer.national())
    pupil_id = int(listed.loc[listed["kind"].eq("pupil"), "dataset_id"].iloc[0])
    at.selectbox(key="datasets_pick").set_value(pupil_id)
    return pupil_id


def test_a_dataset_can_be_replaced_with_a_corrected_file(fresh_sample):
    at = open_page("pages/datasets.py")
    old = _pick_pupil_dataset(at)
    assert at.button(key="datasets_replace").disabled, "nothing to replace with yet"
    at.file_uploader(key="datasets_replace_file").set_value(
        ("mtc_scores.csv", (EXAMPLES / "mtc_scores.csv").read_bytes(), "text/csv")
    ).run()
    at.text_input(key="datasets_replace_reason").input("Two scores were typed wrongly")
    at.button(key="datasets_replace").click().run()
    assert_clean(at)
    assert any(f"Dataset {old} replaced by dataset" in s.value for s in at.success)
    listed = Store.open().list_datasets(Viewer.national())
    statuses = dict(zip(listed["dataset_id"], listed["status"], strict=True))
    assert statuses[old] == "replaced"
    assert "Two scores were typed wrongly" in table_with(at, "Entry")["Reason"].tolist()


def test_a_replacement_with_problems_changes_nothing_and_lists_them(fresh_sample):
    at = open_page("pages/datasets.py")
    old = _pick_pupil_dataset(at)
    before = Store.open().list_datasets(Viewer.national())
    bad = (Path(__file__).parent / "fixtures" / "pupils_bad.csv").read_bytes()
    at.file_uploader(key="datasets_replace_file").set_value(("bad.csv", bad, "text/csv")).run()
    at.button(key="datasets_replace").click().run()
    assert_clean(at)
    assert at.error, "the page says why nothing changed"
    problems = table_with(at, "fix")
    assert problems["row"].notna().any() and problems["message"].str.len().gt(0).all()
    after = Store.open().list_datasets(Viewer.national())
    columns = ["dataset_id", "status"]
    pd.testing.assert_frame_equal(after[columns], before[columns])
    assert after.loc[after["dataset_id"].eq(old), "status"].item() == "active"


def test_a_valid_pupil_scores_upload_is_stored_and_shows_on_the_pupils_page(empty_store):
    at = open_page("pages/upload.py")
    at.segmented_control(key="upload_kind").set_value("pupil").run()
    at.radio(key="upload_layout").set_value("combined").run()
    at.file_uploader(key="upload_file_combined").set_value(
        ("mtc_scores.csv", (EXAMPLES / "mtc_scores.csv").read_bytes(), "text/csv")
    ).run()
    assert_clean(at)
    assert not at.button(key="upload_save").disabled
    at.button(key="upload_save").click().run()
    assert_clean(at)
    assert any("Saved" in s.value for s in at.success)
    listed = Store.open().list_datasets(Viewer.national())
    assert listed["kind"].tolist() == ["pupil"]
    assert listed["n_rows"].tolist() == [530]
    at.switch_page("pages/pupils.py").run()
    assert_clean(at)
    assert charts(at), "the stored scores are shown at once"


def test_the_forest_plot_title_names_the_project_and_the_question_in_words(sample_home):
    import json

    at = open_page("pages/national.py")
    at.selectbox(key="national_outcome").set_value("conf_3").run()
    assert_clean(at)
    titles = [
        json.loads(chart.proto.spec)["layout"].get("title", {}).get("text", "")
        for chart in charts(at)
    ]
    forest = [t for t in titles if t.startswith("Change in each hub:")]
    assert forest, titles
    assert "I feel anxious" in forest[0] and "conf_3" not in forest[0]


def test_with_a_larger_suppression_minimum_no_page_says_fewer_than_5(fresh_sample, monkeypatch):
    monkeypatch.setenv("IMPACT_MIN_N", "10")
    st.cache_data.clear()  # results cached under the default minimum must not be reused
    try:
        shown = []
        for page in PAGES:
            at = open_page(page)
            assert_clean(at)
            shown.append(all_text(at))
        text = "\n".join(shown)
        assert "fewer than 10" in text
        assert "fewer than 5" not in text
    finally:
        st.cache_data.clear()


def test_an_upload_names_the_columns_it_does_not_use(empty_store):
    at = open_page("pages/upload.py")
    _choose_about(at)
    at.file_uploader(key="upload_file_pre").set_value(
        ("ms_forms_pre.xlsx", (EXAMPLES / "ms_forms_pre.xlsx").read_bytes(), "application/xlsx")
    ).run()
    assert_clean(at)
    [unused] = [c.value for c in at.caption if "not used:" in c.value]
    for column in ("'ID'", "'Name'", "'Start time'"):
        assert column in unused


def test_the_upload_page_never_tells_a_web_user_a_command_line_option(empty_store):
    """Issue 15 item 8: messages that name --hub on the command line read without it here."""
    at = open_page("pages/upload.py")
    at.radio(key="upload_layout").set_value("combined").run()
    at.file_uploader(key="upload_file_combined").set_value(
        ("survey.csv", b"Participant code,Phase,I feel confident\nA1,pre,Agree\n", "text/csv")
    ).run()
    assert_clean(at)
    problems = table_with(at, "What is wrong")
    text = " ".join(problems.astype(str).to_numpy().ravel())
    assert "for the whole file when you upload it" in text
    assert "command line" not in text and "--hub" not in text


# ------------------------------------------------------------------ accessible charts


def _chart_key(chart) -> str:
    """The key a plotly chart was drawn with (Streamlit puts the user key last in the id)."""
    element_id = str(chart.proto.id)
    assert "-" in element_id, f"chart drawn without a key: {element_id!r}"
    return element_id.split("-", 2)[-1]


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_on_every_page_has_a_show_as_table_toggle(sample_page, page):
    at = sample_page(page)
    assert_clean(at)
    toggles = {toggle.key: toggle for toggle in at.toggle}
    if page in ("pages/impact.py", "pages/hub_overview.py", "pages/national.py", "pages/pupils.py"):
        assert charts(at), f"{page} draws charts from the sample"
    for chart in charts(at):
        key = _chart_key(chart)
        assert ui.table_toggle_key(key) in toggles, f"{page}: chart {key} has no table toggle"
        assert toggles[ui.table_toggle_key(key)].label == "Show as table"


def test_show_as_table_lists_exactly_the_numbers_the_chart_draws(sample_home):
    at = open_page("pages/impact.py")
    chart = charts(at)[0]
    key = _chart_key(chart)
    at.toggle(key=ui.table_toggle_key(key)).set_value(True).run()
    assert_clean(at)
    figure = _figure(charts(at)[0])
    shown = [frame.value for frame in at.dataframe if "Series" in frame.value.columns]
    assert shown, "the table is shown under the chart"
    # Read from the figure's JSON itself: every x value the first trace draws is in the table.
    xs = figure["data"][0]["x"]
    if isinstance(xs, dict):  # plotly's base64 typed array
        xs = np.frombuffer(base64.b64decode(xs["bdata"]), dtype=xs["dtype"]).tolist()
    drawn = {round(float(x), 6) for x in xs if x is not None}
    table = shown[0]
    numbers = table.select_dtypes("number").to_numpy().ravel()
    assert drawn and drawn <= {round(float(v), 6) for v in numbers if v == v}


def test_the_hub_board_pack_offers_slides(sample_home):
    at = open_page("pages/hub_overview.py")
    at.button(key="hub_pack_build").click().run()
    assert_clean(at)
    keys = {button.key: button for button in at.download_button}
    assert "hub_pack_html" in keys and "hub_pack_pptx" in keys
    assert keys["hub_pack_pptx"].label == "Slides (PowerPoint)"


def test_the_hub_page_shows_themes_in_open_answers_before_and_after(sample_page):
    at = sample_page("pages/hub_overview.py")
    assert_clean(at)
    assert "What teachers wrote" in [h.value for h in at.subheader]
    themes = table_with(at, "Share after (%)")
    assert {"Theme", "Answers", "Share before (%)", "Example"} <= set(themes.columns)
    assert len(themes) >= 8  # every theme of the default codebook is listed


# ------------------------------------------------------------------ impact against comparison

from evaluation.presentation.charts.impact import IMPACT_TRACE  # noqa: E402
from evaluation.stats.mdes import design_mdes  # noqa: E402
from evaluation.synthetic.comparison import COMPARISON_FILES  # noqa: E402

CHANGE_LINE = "Evidence strength: 0 of 5 — no comparison group (a before-and-after change)"


@pytest.fixture(scope="module")
def _no_comparison_home(seeded_home, tmp_path_factory) -> Path:
    """A default store's folder: the sample with its comparison files withdrawn.

    A copy of conftest's ``seeded_home`` (store and key file), then the withdrawals.
    """
    home = tmp_path_factory.mktemp("no_comparison_home")
    shutil.copytree(seeded_home, home, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_HOME", str(home))
        patch.delenv("DATABASE_URL", raising=False)
        patch.delenv("IMPACT_SECRET", raising=False)
        with Store.open() as store:
            listed = store.list_datasets(Viewer.national())
            for dataset_id in listed.loc[listed["file_name"].isin(COMPARISON_FILES), "dataset_id"]:
                store.withdraw(int(dataset_id), reason="no comparison group", by="tester")
    return home


@pytest.fixture
def sample_without_comparison(_no_comparison_home, monkeypatch) -> Path:
    """The sample without a comparison group, as this test's default store (this test only)."""
    monkeypatch.setenv("IMPACT_HOME", str(_no_comparison_home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    return _no_comparison_home


@pytest.mark.parametrize("page", ["pages/impact.py", "pages/pupils.py", "pages/hub_overview.py"])
def test_headlines_carry_the_evidence_strength_and_say_what_impact_needs(
    sample_without_comparison, page
):
    at = open_page(page)
    assert_clean(at)
    text = all_text(at)
    assert CHANGE_LINE in text
    assert "Impact against comparison" in text
    assert "No comparison group in this data: impact cannot be estimated." in text


@pytest.mark.parametrize("page", ["pages/pupils.py", "pages/hub_overview.py"])
def test_pupil_impact_against_the_comparison_schools_shows(sample_page, page):
    """The seeded sample holds comparison schools' pupils: the impact chart, not the note."""
    at = sample_page(page)
    assert_clean(at)
    text = all_text(at)
    assert "No comparison group in this data" not in text
    assert "impact against the comparison group of" in text
    assert "Evidence strength: " in text and CHANGE_LINE in text
    assert any(IMPACT_TRACE in chart.proto.spec for chart in charts(at))


def test_the_national_page_pools_the_per_hub_impacts(sample_page):
    at = sample_page("pages/national.py")
    assert_clean(at)
    text = all_text(at)
    assert "Impact against comparison, pooled across hubs" in text
    assert "Knapp-Hartung" in text
    table = table_with(at, "k_suppressed")
    assert (table["k"] >= 2).all()


def test_the_methods_page_plans_the_smallest_detectable_impact(sample_home):
    at = open_page("pages/methods.py")
    assert_clean(at)
    at.number_input(key="mdes_j").set_value(40).run()
    at.number_input(key="mdes_n").set_value(25).run()
    expected = design_mdes(40, 25, 0.15, 0.5, 0.5, 0.5).mdes
    metric = {m.label: m.value for m in at.metric}["Minimum detectable effect size"]
    assert metric == f"{expected:.2f}"
    assert "could reliably detect an impact of" in all_text(at)


def test_an_upload_marked_as_comparison_is_stored_as_the_comparison_arm(empty_store):
    """Issue 13: a whole file can be marked as comparison data on the upload page."""
    at = open_page("pages/upload.py")
    at.segmented_control(key="upload_kind").set_value("pupil").run()
    at.radio(key="upload_layout").set_value("combined").run()
    at.checkbox(key="upload_comparison").check().run()
    at.file_uploader(key="upload_file_combined").set_value(
        ("mtc_scores.csv", (EXAMPLES / "mtc_scores.csv").read_bytes(), "text/csv")
    ).run()
    assert_clean(at)
    at.button(key="upload_save").click().run()
    assert_clean(at)
    pupils = Store.open().load_pupils(Viewer.national())
    assert len(pupils) == 530
    assert set(pupils["group"]) == {"comparison"}
