"""Upload & check: read a Work Group's files, point at problems, store them, show the results.

Files are checked on every change (cached by content); nothing is stored until every file is valid.
"""

import streamlit as st

import app_support as ui
from app_support import upload as up
from app_support import views
from evaluation import analysis

ui.page_header(
    "Upload & check",
    "Drop in your survey exports (or pupil scores). We check them straight away, tell you "
    "exactly what to fix, and once they are right you can save them and see the results.",
)

with ui.friendly_errors("setting up the upload form"):
    kind = st.segmented_control(
        "What are you uploading?",
        list(up.KINDS),
        format_func=up.KINDS.get,
        default="survey",
        required=True,
        key="upload_kind",
    )
    layout = st.radio(
        "How are your files arranged?",
        list(up.LAYOUTS),
        format_func=up.LAYOUTS.get,
        horizontal=True,
        key="upload_layout",
    )

    st.markdown("##### 1. About this Work Group")
    st.caption(
        "Fill in what your files do not say. Anything you choose here applies to every row; "
        "leave a box on *Read from the file* when the file has that column."
    )
    about = up.about_form(key="upload")

    st.markdown("##### 2. Your files")
    slots = up.file_slots(kind, layout)
    uploads = {}
    columns = st.columns(len(slots))
    for column, (slot, label) in zip(columns, slots.items(), strict=True):
        with column:
            uploads[slot] = st.file_uploader(
                label, type=list(up.FILE_TYPES), key=f"upload_file_{slot}"
            )

with ui.friendly_errors("checking your files"):
    checked = {}
    for slot, uploaded in uploads.items():
        if uploaded is None:
            continue
        with st.spinner(f"Checking {uploaded.name}..."):
            checked[slot] = up.check(
                kind,
                uploaded.getvalue(),
                file_name=uploaded.name,
                defaults=up.defaults_for(about, slot),
                overrides=up.overrides(slot),
            )

    if not checked:
        st.info(
            "Choose your file(s) above. Exports from Microsoft Forms, Google Forms, "
            "SurveyMonkey or Excel are fine as they are: there is no need to tidy them first.",
            icon=":material/upload_file:",
        )
    else:
        st.markdown("##### 3. Check")
        hints = {slot: up.wrong_kind(kind, result) for slot, result in checked.items()}
        for slot, result in checked.items():
            up.show_check(slot, uploads[slot].name, result, key=f"upload_{slot}", hint=hints[slot])
        pairing = None if any(hints.values()) else up.pairing_warnings(checked)
        if pairing is not None and len(pairing):
            st.warning(
                f"{up.things(len(pairing))} to know about matching people before and after "
                "(these do not stop you saving):",
                icon=":material/link:",
            )
            up.show_list(pairing, key="upload_pairing_table", noun="things")
            ui.download_table(pairing, "pairing_warnings", key="upload_pairing", label="list")

        ready = up.ready_to_save(kind, layout, checked, hints=hints)
        st.markdown("##### 4. Save")
        if not ready.ok:
            st.info(ready.reason, icon=":material/pending:")
        saved = st.button(
            "Save and show results",
            type="primary",
            disabled=not ready.ok,
            key="upload_save",
            icon=":material/save:",
        )
        if saved:
            with st.spinner("Saving..."):
                outcomes = up.save(kind, uploads, checked, about)
            st.session_state["upload_saved"] = up.signature(uploads)
            st.session_state["upload_outcomes"] = outcomes
        if st.session_state.get("upload_saved") == up.signature(uploads) and ready.ok:
            up.show_saved(st.session_state.get("upload_outcomes", []))
            st.markdown("##### 5. Results for this Work Group")
            if kind == "survey":
                frame, instrument = up.combined_frame(checked)
                with st.spinner("Working out the results..."):
                    tables = analysis.survey_analysis(frame, instrument)
                views.survey_impact(tables, instrument, key="upload_results")
            else:
                views.pupil_outcomes(up.combined_pupils(checked), key="upload_pupils")
            ui.link("impact", "See these results with the rest of your data")

with (
    ui.friendly_errors("preparing the templates"),
    st.expander("Templates: the columns we expect"),
):
    up.templates()
