"""Pupil outcomes: Multiplication Tables Check scores before and after, against national figures.

Numbers come from evaluation.stats.pupils (school-clustered); national figures from the reference
data.
"""

import streamlit as st

import app_support as ui
from app_support import impact_views, views
from evaluation.presentation.readings import impact as impact_words

ui.page_header(
    "Pupil outcomes (MTC)",
    "Year 4 pupils' Multiplication Tables Check scores (out of 25) at the start and the end "
    "of the project, compared with the national results for the year.",
)

with ui.friendly_errors("drawing the pupil outcomes"):
    chosen = ui.filters()
    ui.filters_caption(chosen)
    with st.spinner("Loading pupil scores..."):
        pupils = ui.pupils(chosen)
    if pupils.empty:
        ui.empty_state(
            "No pupil scores in this selection. Upload a Multiplication Tables Check file on "
            "Upload & check (choose *Pupil scores*), or widen the filters in the sidebar."
        )
        st.stop()
    if not ui.has_project_rows(pupils):  # change needs the project's pupils, not only comparison
        ui.empty_state(impact_words.ONLY_COMPARISON_PUPILS)
        st.stop()
    impact_views.evidence_caption()
    views.pupil_outcomes(pupils, key="pupils", cache=True)
    impact_views.pupil_impact_section(pupils, key="pupils_impact")
