"""Work Group / project impact: what changed for the teachers in the selection.

Survey charts with a plain-English reading beside each; numbers from evaluation/ via app_support.
"""

import streamlit as st

import app_support as ui
from app_support import impact_views, views
from evaluation import columns as c

ui.page_header(
    "Work Group impact",
    "What changed for the teachers in your selection: each scale, each question, each "
    "person, and who answered both surveys. Narrow it down in the sidebar or pick a Work Group.",
)

with ui.friendly_errors("drawing the impact charts"):
    chosen = ui.filters()
    work_group = st.session_state.get("impact_work_group")
    with st.spinner("Working out what changed..."):
        bundle = ui.cached(f"impact:{work_group}", views.impact_bundle, chosen, work_group)
        if work_group is not None and work_group not in bundle["work_groups"]:
            work_group = None  # the filters changed and that Work Group is not in them
            st.session_state["impact_work_group"] = None
            bundle = ui.cached("impact:None", views.impact_bundle, chosen, None)
    if bundle["tables"] is None:
        ui.empty_state(
            "No survey answers in this selection. Upload your Work Group's surveys on "
            "Upload & check, or widen the filters in the sidebar."
        )
        st.stop()
    groups = bundle["work_groups"]
    st.selectbox(
        "Work Group",
        [None, *groups],
        format_func=ui.all_label(f"All {len(groups)} Work Groups in the selection"),
        key="impact_work_group",
    )
    ui.filters_caption(chosen)
    impact_views.evidence_caption()
    views.survey_impact(bundle["tables"], bundle["instrument"], key="impact")
    frame, instrument = ui.surveys(chosen)
    if work_group is not None and c.WORK_GROUP in frame:
        frame = frame[frame[c.WORK_GROUP].eq(work_group)]
    impact_views.survey_impact_section(
        frame, instrument, key="impact_comparison", name=f"survey_impact:{work_group}"
    )
