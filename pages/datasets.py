"""Datasets: every stored file with its provenance; replace or withdraw one; the audit log.

Changes go through the store (which checks the viewer may make them and records who and why).
"""

import streamlit as st

import app_support as ui

ui.page_header(
    "Datasets",
    "Every file stored, where it came from and who uploaded it. Replace a file with a corrected "
    "one, or withdraw it (its rows stop counting everywhere); every change is logged.",
)

FLASH = "datasets_flash"

with ui.friendly_errors("listing the datasets"):
    flash = st.session_state.pop(FLASH, None)
    if flash:
        kind, message = flash
        (st.success if kind == "ok" else st.error)(message)

    listed = ui.datasets()
    if listed.empty:
        ui.empty_state("No datasets yet. Upload a Work Group's files to start.")
        st.stop()

    show_all = st.toggle("Show withdrawn and replaced files too", key="datasets_show_all")
    shown = listed if show_all else listed[listed["status"].eq("active")]
    table = ui.dataset_display(shown)
    st.dataframe(table, hide_index=True, key="datasets_table")
    ui.download_table(table, "datasets", key="datasets_download", label="list")

    active = listed[listed["status"].eq("active")]
    st.subheader("Change a dataset")
    if active.empty:
        st.info("No active datasets to change.")
    else:
        choice = st.selectbox(
            "Dataset",
            active["dataset_id"].tolist(),
            format_func=ui.dataset_label(active),
            key="datasets_pick",
        )
        withdraw, replace = st.tabs(["Withdraw", "Replace with a corrected file"])
        with withdraw:
            st.write(
                "Withdrawing keeps the file on record but stops its rows being used in any "
                "result. Say why, for the audit log."
            )
            reason = st.text_input(
                "Reason for withdrawing", key="datasets_withdraw_reason", max_chars=300
            )
            if st.button("Withdraw this dataset", key="datasets_withdraw", type="primary"):
                if not reason.strip():
                    st.error("Please give a reason: it is recorded in the audit log.")
                else:
                    ui.get_store().withdraw(
                        int(choice), reason=reason.strip(), by=ui.current_viewer()
                    )
                    st.session_state[FLASH] = ("ok", f"Dataset {choice} withdrawn.")
                    st.rerun()
        with replace:
            st.write(
                "Upload the corrected file. It is checked exactly like a new upload and "
                "replaces the old one only if it has no problems."
            )
            new_file = st.file_uploader(
                "Corrected file", type=["csv", "xlsx", "tsv", "txt"], key="datasets_replace_file"
            )
            why = st.text_input(
                "What was corrected",
                value="Replaced with a corrected file",
                key="datasets_replace_reason",
                max_chars=300,
            )
            if st.button(
                "Replace this dataset",
                key="datasets_replace",
                type="primary",
                disabled=new_file is None,
            ):
                result = ui.get_store().replace(
                    int(choice),
                    new_file.getvalue(),
                    file_name=new_file.name,
                    by=ui.current_viewer(),
                    reason=why.strip() or "Replaced with a corrected file",
                )
                if result.status == "stored":
                    st.session_state[FLASH] = (
                        "ok",
                        f"Dataset {choice} replaced by dataset {result.dataset_id}.",
                    )
                    st.rerun()
                elif result.status == "duplicate":
                    st.info(result.message or "That file is already stored: nothing changed.")
                else:
                    st.error(
                        result.message
                        or "The corrected file has problems, so nothing was changed. Check it "
                        "on the Upload & check page to see them."
                    )
                    if result.report is not None and len(result.report.errors):
                        st.dataframe(
                            result.report.to_frame(), hide_index=True, key="datasets_problems"
                        )

    st.subheader("Audit log")
    st.caption("Every upload, replacement and withdrawal: who, when and why.")
    audit = ui.audit_display(ui.audit_log())
    st.dataframe(audit, hide_index=True, key="datasets_audit")
    ui.download_table(audit, "audit_log", key="datasets_audit_download", label="audit log")
