"""The shared sidebar: the filters, the viewer's Work Groups, who is signed in, sign-out.

app.py draws it on every run, before the page, so the filters carry across pages.
"""

from __future__ import annotations

import streamlit as st

from app_support.auth import current_access, current_viewer, sign_out_button
from app_support.data import available_years
from app_support.filtering import (
    EDUCATION_PHASES,
    FILTER_KEYS,
    Filters,
    all_label,
    hubs_for,
    ncps_in_phase,
)

__all__ = ["sidebar_filters"]


def _reset_ncp_if_outside_phase() -> None:
    allowed = ncps_in_phase(st.session_state.get(FILTER_KEYS["education_phase"]))
    if st.session_state.get(FILTER_KEYS["ncp"]) not in [None, *allowed]:
        st.session_state[FILTER_KEYS["ncp"]] = None


def sidebar_filters() -> Filters:
    """Draw the shared filters in the sidebar and remember them for every page.

    app.py calls this on every run, before the page, so the widgets (and their values) live for
    the whole session and the filters carry across pages.
    """
    viewer = current_viewer()
    years = available_years()
    hubs = hubs_for(viewer)
    with st.sidebar:
        st.subheader("Filters")
        year = st.selectbox(
            "Academic year",
            [None, *years],
            format_func=all_label("All years"),
            key=FILTER_KEYS["academic_year"],
        )
        education_phase = st.selectbox(
            "Phase of education",
            [None, *EDUCATION_PHASES],
            format_func=all_label("All phases"),
            key=FILTER_KEYS["education_phase"],
            on_change=_reset_ncp_if_outside_phase,
        )
        ncp = st.selectbox(
            "Project (NCP)",
            [None, *ncps_in_phase(education_phase)],
            format_func=all_label("All projects"),
            key=FILTER_KEYS["ncp"],
        )
        if len(hubs) == 1:
            hub = hubs[0]
            st.caption(f"Maths Hub: **{hub}**")
        else:
            hub = st.selectbox(
                "Maths Hub",
                [None, *hubs],
                format_func=all_label("All hubs"),
                key=FILTER_KEYS["hub"],
            )
        if viewer.role == "lead":
            st.caption("Your Work Groups: " + (", ".join(viewer.work_groups) or "none yet"))
        access = current_access()
        st.caption(access.caption())
        if access.signed_in:
            sign_out_button("sidebar_sign_out")
    chosen = Filters(academic_year=year, hub=hub, ncp=ncp, education_phase=education_phase)
    st.session_state["filters"] = chosen
    return chosen
