"""Home: what the dashboard is, where each kind of user starts, and what data is loaded.

Offers to load the synthetic sample when the store is empty.
"""

import streamlit as st

import app_support as ui
from evaluation.presentation import readings
from evaluation.presentation.readings import impact as impact_words

ui.page_header(
    "Maths Hubs Impact",
    "What Maths Hubs professional development changes, for teachers and for pupils. Upload "
    "the before-and-after surveys from a Work Group and see, in a minute, what changed; "
    "review a hub's projects for its board; compare projects fairly across the country.",
)

st.subheader("Where to start")
lead, board, national = st.columns(3, border=True)
with lead:
    st.markdown("**Work Group lead**")
    st.write(
        "Upload your pre and post survey exports (Microsoft Forms, Google Forms or Excel). "
        "We check them, point at anything to fix, and show what changed."
    )
    ui.link("upload")
with board:
    st.markdown("**Hub strategic board**")
    st.write(
        "Your hub's projects at a glance: who took part, the headline change per project "
        "against the national picture, and trends across years."
    )
    ui.link("hub")
with national:
    st.markdown("**NCETM national team**")
    st.write(
        "Pooled effects per project, forest and funnel plots instead of league tables, "
        "with small groups suppressed."
    )
    ui.link("national")

st.subheader("Data loaded")
with ui.friendly_errors("reading what data is loaded"):
    summary = ui.data_summary()
    viewer = ui.current_viewer()
    if summary.n_datasets == 0 and not viewer.is_national:
        # The sample holds every hub: only a national user may put it into a shared store.
        ui.empty_state("No data is loaded yet. Upload your survey files to get started.")
    elif summary.n_datasets == 0:
        ui.empty_state(
            "No data is loaded yet. Upload your survey files to get started, or load the "
            "synthetic sample to explore the dashboard with made-up data.",
        )
        if st.button("Load the synthetic sample", key="home_seed", icon=":material/science:"):
            with st.spinner("Loading the synthetic sample..."):
                ui.get_store().seed_sample(by=viewer)
            st.rerun()
    else:
        if summary.all_synthetic:
            st.warning(
                "You are looking at the **synthetic sample**: made-up teachers and pupils, "
                "generated to look like real Work Group data. Upload your own files on "
                "*Upload & check*; withdraw the sample on *Datasets* when you no longer need it.",
                icon=":material/science:",
            )
        elif summary.n_synthetic:
            st.info(
                f"{summary.n_synthetic} of the {summary.n_datasets} datasets are the synthetic "
                "sample (made-up data). Results now show only your real data; withdraw the "
                "sample on *Datasets* to tidy up.",
                icon=":material/science:",
            )
        cols = st.columns(5)
        cols[0].metric("Survey responses", f"{summary.survey_rows:,}")  # the project's own
        cols[1].metric("Pupil scores", f"{summary.pupil_rows:,}")
        cols[2].metric("Hubs", summary.n_hubs)
        cols[3].metric("Projects (NCPs)", summary.n_ncps)
        cols[4].metric("Academic years", summary.n_years)
        comparison = impact_words.comparison_rows_line(
            summary.survey_comparison_rows, summary.pupil_comparison_rows
        )
        if comparison:
            st.caption(comparison)
        st.caption(
            f"{summary.n_datasets} datasets covering {summary.years or 'no academic year'}. "
            "Details and history on the Datasets page."
        )
        ui.link("datasets", "See every dataset")

st.subheader("How to read the results")
st.markdown(
    "* **Change** is the average answer after the programme minus the average before, for the "
    "same people.\n"
    "* **Effect size** (g_av) puts that change on a common scale: "
    f"{readings.effect_bands_text()}.\n"
    "* The **95% confidence interval** is the range the true change probably lies in; wide "
    "intervals mean few people.\n"
    f"* {readings.suppression_rule()}\n\n"
    "The *Methods* page explains every number."
)
