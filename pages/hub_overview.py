"""Hub overview for strategic boards: participation, headline effect per project, trends, voices.

Every number comes from evaluation/ (disclosure-controlled); open text is shown as plain text.
"""

import streamlit as st

import app_support as ui
from app_support import impact_views, views
from app_support.themes_view import open_text_themes
from evaluation import analysis
from evaluation import columns as c
from evaluation.analysis.impact import has_comparison
from evaluation.presentation import readings
from evaluation.presentation.charts import national as charts
from evaluation.stats.disclosure import display_table

ui.page_header(
    "Hub overview",
    "A hub's Work Groups at a glance for its strategic board: who took part, what changed in "
    "each project compared with the national picture, and how that has moved over the years.",
)

with ui.friendly_errors("drawing the hub overview"):
    chosen = ui.filters()
    viewer = ui.current_viewer()
    with st.spinner("Gathering the hub's results..."):
        by_year = ui.results_by([c.ACADEMIC_YEAR, c.HUB, c.NCP])
    if by_year.empty:
        ui.empty_state("No survey data yet: upload a Work Group's surveys to see an overview.")
        st.stop()
    hubs_with_data = sorted(by_year[c.HUB].dropna().unique())
    hub = chosen.hub
    if hub is None:
        st.info(
            "Choose your hub under **Maths Hub** in the sidebar. Meanwhile this shows the hub "
            "picked below.",
            icon=":material/hub:",
        )
        hub = st.selectbox("Hub", hubs_with_data, key="hub_pick")
    st.markdown(f"### {ui.plain(hub)}")
    year = views.year_in_view(by_year, chosen)
    st.caption(
        f"Who took part and the trends cover every year; the headline per project is for "
        f"{year} (choose the year in the sidebar)."
    )

    if viewer.role == "lead":
        st.caption(
            "You see your own Work Groups only: the hub's numbers below are theirs. The national "
            "values pool every hub."
        )

    st.subheader("Who took part")
    hub_filters = ui.Filters(hub=hub, education_phase=chosen.education_phase)
    frame, instrument = ui.surveys(hub_filters)
    if frame.empty:
        ui.empty_state(f"{hub} has no survey data in this selection yet.")
        st.stop()
    # Drawn from the hub's own rows: kept until they change (an upload elsewhere leaves them).
    rows_key = ui.rows_cache_key("survey", hub_filters)
    participation, figure, lines = ui.lasting(
        f"hub_participation:{hub}:{rows_key}", views.participation_view, frame, hub
    )
    ui.chart_with_reading(
        figure,
        lines,
        display_table(participation),
        key="hub_participation",
        name="participation",
    )

    st.subheader(f"Headline change per project, {year}")
    outcomes = views.outcomes_of(by_year)
    left, _ = st.columns(2)
    with left:
        outcome = st.selectbox(
            "Outcome", outcomes, format_func=views.outcome_label, key="hub_outcome"
        )
    if note := views.reversed_caption(outcome):
        st.warning(note, icon=":material/swap_vert:")
    headline = views.hub_beside_national(hub, year, outcome, chosen)
    if headline.empty:
        st.info(f"{hub} has no matched before-and-after results for {year}.")
    else:
        ui.chart_with_reading(
            ui.shared(
                f"hub_headline_chart:{hub}:{year}:{outcome}",
                lambda: views.hub_beside_national_chart(headline, hub=hub),
            ),
            readings.hub_beside_national_reading(headline, hub=hub),
            analysis.hub_beside_national_display(headline),
            key="hub_headline",
            name="headline_per_project",
        )
        impact_views.evidence_caption()
    hub_pupils = ui.pupils(hub_filters)
    if has_comparison(frame) or not has_comparison(hub_pupils):
        impact_views.survey_impact_section(
            frame, instrument, key="hub_impact", name=f"hub_survey_impact:{hub}"
        )
    if has_comparison(hub_pupils):
        impact_views.pupil_impact_section(
            hub_pupils, key="hub_pupil_impact", name=f"hub_pupil_impact:{hub}"
        )

    st.subheader("Across the years")
    st.caption(f"{views.outcome_label(outcome)} in one project, year by year.")
    hub_ncps = sorted(by_year.loc[by_year[c.HUB].eq(hub), c.NCP].dropna().unique())
    left, _ = st.columns(2)
    with left:
        ncp = st.selectbox(
            "Project",
            hub_ncps,
            index=hub_ncps.index(chosen.ncp) if chosen.ncp in hub_ncps else 0,
            key="hub_trend_ncp",
        )
    trend = ui.hub_trend(hub, outcome, ncp, chosen)
    trend_key = ui.hub_trend_key(hub, outcome, ncp, chosen)
    ui.chart_with_reading(
        ui.lasting(f"hub_trend_chart:{trend_key}", lambda: charts.trend_plot(trend)),
        readings.trend_reading(trend),
        display_table(trend, digits=3),
        key="hub_trend",
        name="trend",
    )

    open_text_themes(
        frame, viewer=viewer, key="hub_themes", name=f"hub_themes:{hub}", rows_key=rows_key
    )

    st.subheader("In their own words")
    if not viewer.sees_open_text:
        st.caption("Open-text answers are not shown for your role.")
    else:
        quotes = ui.lasting(f"hub_quotes:{rows_key}", views.open_text_examples, frame)
        if quotes.empty:
            st.caption("No open-text answers in this selection.")
        else:
            st.caption(
                "A few answers to the open questions after the programme, picked at random "
                "(not chosen to flatter). Shown exactly as written."
            )
            for question, answer in quotes.itertuples(index=False):
                with st.container(border=True):
                    st.caption(ui.plain(question))
                    st.text(answer)
            ui.download_table(quotes, "open_text_answers", key="hub_quotes", label="answers shown")

    if ui.may_build_board_pack(viewer, hub=hub):
        st.subheader("Board pack")
        st.caption(
            f"A report of {hub}'s results for {year} to take into a board meeting: headline "
            "results with plain-English readings, charts, participation, trends, the national "
            "comparison, methods and where the data came from. Small groups stay hidden [c]."
        )
        ui.board_pack_downloads(year=year, hub=hub, key="hub_pack")
