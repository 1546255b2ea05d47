"""Roles: who may see what once sign-in is on (national users only); every change is audited.

People are recorded by the email they sign in with; the store keeps the table and the audit log.
"""

import streamlit as st

import app_support as ui
from evaluation.access import normalise_identity

ROLE_LABELS = {
    "national": "National team (every hub)",
    "hub": "Hub board (one hub)",
    "lead": "Work Group lead (their own Work Groups)",
}
FLASH = "roles_flash"

ui.page_header(
    "Roles",
    "Who may see what when people sign in: the NCETM team sees every hub, a hub's board its "
    "own hub, a Work Group lead their own Work Groups. Every change is recorded in the audit log.",
)

viewer = ui.current_viewer()
if not viewer.is_national:
    st.warning("Only the national team can change who may see what.", icon=":material/lock:")
    st.stop()

with ui.friendly_errors("listing the roles"):
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash)
    if not ui.current_access().signed_in:
        st.info(
            "Sign-in is not switched on here, so everyone using this copy of the dashboard is "
            "the local national user. Roles you add now apply once sign-in is set up (see the "
            "README's Deployment section).",
            icon=":material/info:",
        )
    store = ui.get_store()
    roles = store.list_roles(viewer)
    st.subheader("Everyone with access")
    if roles.empty:
        st.caption("Nobody has been given a role yet.")
    else:
        table = roles.assign(
            work_groups=roles["work_groups"].map(lambda groups: ", ".join(groups))
        ).rename(
            columns={
                "who": "Email",
                "role": "Role",
                "hub": "Maths Hub",
                "work_groups": "Work Groups",
                "updated_at": "Changed at (UTC)",
                "updated_by": "Changed by",
            }
        )
        st.dataframe(table, hide_index=True, key="roles_table")
        ui.download_table(table, "roles", key="roles_download", label="roles")

with ui.friendly_errors("changing a role"):
    st.subheader("Add someone or change their role")
    with st.form("roles_form", clear_on_submit=False):
        email = st.text_input("Email they sign in with", key="roles_email", max_chars=254)
        role = st.selectbox(
            "Role", list(ROLE_LABELS), format_func=ROLE_LABELS.get, key="roles_role"
        )
        hub = st.selectbox(
            "Maths Hub (hub and lead roles)",
            [None, *ui.hubs_for(viewer)],
            format_func=ui.all_label("Choose a hub"),
            key="roles_hub",
        )
        groups = st.text_input(
            "Work Groups they lead (lead role; separate with commas)", key="roles_work_groups"
        )
        saved = st.form_submit_button("Save role", type="primary", icon=":material/save:")
    if saved:
        who = normalise_identity(email)
        work_groups = tuple(g.strip() for g in groups.split(",") if g.strip())
        problem = None
        if "@" not in who:
            problem = "Please enter the email address the person signs in with."
        elif role != "national" and hub is None:
            problem = "Choose the Maths Hub for a hub or lead role."
        elif role == "lead" and not work_groups:
            problem = "Name at least one Work Group the lead may see."
        if problem:
            st.error(problem)
        else:
            store.set_role(
                who,
                role,
                hub=None if role == "national" else hub,
                work_groups=work_groups if role == "lead" else (),
                by=viewer,
            )
            st.session_state[FLASH] = f"Saved: {who} is now {ROLE_LABELS[role].lower()}."
            st.rerun()

    if not roles.empty:
        st.subheader("Take access away")
        remove = st.selectbox("Person", roles["who"].tolist(), key="roles_remove_who")
        if st.button("Remove their access", key="roles_remove"):
            if remove == viewer.name:
                st.error("You cannot remove your own access; ask another national user.")
            else:
                store.remove_role(remove, by=viewer)
                st.session_state[FLASH] = f"Removed: {remove} no longer has access."
                st.rerun()

    st.subheader("Changes to roles")
    log = ui.audit_log()
    changes = log[log["action"].isin(["set_role", "remove_role"])] if len(log) else log
    if changes.empty:
        st.caption("No role changes yet.")
    else:
        shown = ui.audit_display(changes[["at", "who", "action", "detail"]])
        st.dataframe(shown, hide_index=True, key="roles_audit")
        ui.download_table(shown, "role_changes", key="roles_audit_download", label="changes")
