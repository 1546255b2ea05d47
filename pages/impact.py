"""Work Group / project impact: what changed for the teachers in the selection.

Survey charts with a plain-English reading beside each; numbers from evaluation/ via app_support.
One Work Group's tables are kept by the store (computed when its data changed); a wider
selection is computed from its rows when the user asks for it.
"""

import streamlit as st

import app_support as ui
from app_support import impact_views, views
from evaluation import columns as c

PICK = "impact_work_group"
OPENED_ON = "impact_opened_on"  # the Work Group the page opened on, until the user picks

ui.page_header(
    "Work Group impact",
    "What changed for the teachers in your selection: each scale, each question, each "
    "person, and who answered both surveys. Narrow it down in the sidebar or pick a Work Group.",
)

with ui.friendly_errors("drawing the impact charts"):
    chosen = ui.filters()
    keys = ui.cached("impact:groups", views.impact_groups, chosen)
    groups = sorted({str(key[3]) for key in keys if key[3] is not None})
    if PICK in st.session_state and st.session_state[PICK] not in [None, *groups]:
        del st.session_state[PICK]  # the filters changed and that Work Group is not in them
    if PICK not in st.session_state:
        st.session_state[OPENED_ON] = views.default_work_group(keys)
        work_group = st.session_state[OPENED_ON]
    else:
        work_group = st.session_state[PICK]
    with st.spinner("Working out what changed..."):
        bundle = ui.cached(f"impact:{work_group}", views.impact_bundle, chosen, work_group)
    if bundle["tables"] is None:
        ui.empty_state(
            "No survey answers in this selection. Upload your Work Group's surveys on "
            "Upload & check, or widen the filters in the sidebar."
        )
        st.stop()
    options = [None, *groups]
    st.selectbox(
        "Work Group",
        options,
        index=options.index(work_group),
        format_func=ui.all_label(f"All {len(groups)} Work Groups in the selection"),
        key=PICK,
    )
    if work_group is not None and work_group == st.session_state.get(OPENED_ON):
        year, hub, ncp, _ = bundle["groups"][0]
        st.info(
            f"Your selection holds {len(groups):,} Work Groups. The page opens on one of them: "
            f"**{ui.plain(work_group)}** ({ui.plain(hub or 'no hub')}, "
            f"{ui.plain(ncp or 'no project')}, {ui.plain(year or 'no year')}), the first of "
            "the latest year. Pick another Work Group above, or all of them.",
            icon=":material/groups:",
        )
    ui.filters_caption(chosen)
    impact_views.evidence_caption()
    digest = bundle["digest"]  # one Work Group's kept tables: drawn once, whatever changes
    views.survey_impact(
        bundle["tables"],
        bundle["instrument"],
        key="impact",
        cache=f"impact:{digest or work_group}",
        lasting=digest is not None,
    )
    shown = bundle["groups"]
    if len(shown) == 1:
        frame, instrument = views.group_rows(chosen, shown[0])
    else:
        frame, instrument = ui.surveys(chosen)
        if work_group is not None:
            frame = frame[frame[c.WORK_GROUP].eq(work_group)]
    impact_views.survey_impact_section(
        frame, instrument, key="impact_comparison", name=f"survey_impact:{work_group}"
    )
