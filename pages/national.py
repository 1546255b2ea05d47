"""National comparison: pooled effects per project, forest and funnel plots, trends, suppression.

Hub results come from evaluation.stats.national (disclosure-controlled); this page only arranges
them.
"""

import streamlit as st

import app_support as ui
from app_support import impact_views, views
from evaluation import columns as c
from evaluation.presentation import readings
from evaluation.presentation.charts import national as charts
from evaluation.stats import national
from evaluation.stats.disclosure import display_table

ui.page_header(
    "National comparison",
    "How each project's effect varies across hubs, pooled fairly. Funnel plots show which "
    "hubs differ from the national picture by more than chance would explain: there is no "
    "league table, because rankings are mostly noise.",
)

with ui.friendly_errors("comparing projects across hubs"):
    chosen = ui.filters()
    viewer = ui.current_viewer()
    with st.spinner("Comparing hubs..."):
        by_year = ui.results_by([c.ACADEMIC_YEAR, c.HUB, c.NCP])
    if by_year.empty:
        ui.empty_state("No survey data yet, so there is nothing to compare.")
        st.stop()
    if not viewer.is_national:
        st.info(readings.own_hub_view_note(str(viewer.hub)), icon=":material/visibility:")
    year = views.year_in_view(by_year, chosen)
    rows = ui.restrict(by_year, chosen, skip=("hub", "ncp", "academic_year"))
    rows = rows[rows[c.ACADEMIC_YEAR].eq(year)]
    if rows.empty:
        ui.empty_state(
            f"No survey data for {year} in this selection. Choose another year or phase in "
            "the sidebar.",
            go_to=(),
        )
        st.stop()

    effect = st.radio(
        "Effect shown",
        list(national.EFFECT_LABELS),
        format_func=national.EFFECT_LABELS.get,
        horizontal=True,
        key="national_effect",
    )

    st.subheader(f"Every project at a glance, {year}")
    questions = st.toggle(
        "Show single questions too",
        key="national_questions",
        help="The three scales are scored so that a rise is good. Single questions keep their "
        'own wording: for reversed ones ("I feel anxious...") a fall is good.',
    )
    with st.spinner("Pooling hubs for every project..."):
        overview = ui.national_overview(year, effect, chosen)
    shown = views.overview_outcomes(overview, questions=questions)
    ui.chart_with_reading(
        charts.overview_heatmap(shown),
        readings.overview_reading(shown),
        display_table(shown, digits=3),
        key="national_overview",
        name=f"national_overview_{year.replace('/', '-')}",
        wide=True,
    )

    st.subheader("One project across hubs" if viewer.is_national else "One project")
    left, right = st.columns(2)
    with left:
        ncps = views.ncps_of(rows)
        ncp = st.selectbox(
            "Project (NCP)",
            ncps,
            index=ncps.index(chosen.ncp) if chosen.ncp in ncps else 0,
            key="national_ncp",
        )
    with right:
        outcome = st.selectbox(
            "Outcome",
            views.outcomes_of(rows),
            format_func=views.outcome_label,
            key="national_outcome",
        )
    if note := views.reversed_caption(outcome):
        st.warning(note, icon=":material/swap_vert:")
    hubs, pooled = ui.hub_comparison(year, ncp, outcome, effect, chosen)
    table = national.national_table(hubs, pooled, effect=effect)
    if bool(pooled.get("suppressed", False)):
        st.info(
            readings.national_value_hidden_note(ncp, hub=str(viewer.hub)),
            icon=":material/visibility_off:",
        )
        st.dataframe(display_table(table, digits=3), hide_index=True, key="national_own_table")
        ui.download_table(display_table(table, digits=3), "forest", key="national_own_download")
    else:
        ui.chart_with_reading(
            charts.forest_plot(
                hubs,
                pooled,
                effect=effect,
                title=views.forest_title(ncp, outcome),
            ),
            readings.pooled_reading(pooled, outcome=outcome, ncp=ncp, hubs=hubs),
            display_table(table, digits=3),
            key="national_forest",
            name="forest",
        )
        ui.chart_with_reading(
            charts.funnel_plot(hubs, pooled, effect=effect),
            readings.funnel_reading(hubs, pooled, effect=effect),
            display_table(table, digits=3),
            key="national_funnel",
            name="funnel",
        )

    pupil_filters = ui.Filters(academic_year=year, education_phase=chosen.education_phase)
    impact_views.national_impact_section(
        ui.pupils(pupil_filters), viewer, key="national_impact", chosen=pupil_filters
    )

    st.subheader("Across the years")
    trend = ui.ncp_trend(outcome, ncp, effect, chosen)
    ui.chart_with_reading(
        charts.trend_plot(trend, effect=effect),
        readings.trend_reading(trend),
        display_table(trend, digits=3),
        key="national_trend",
        name="trend",
    )

    if viewer.is_national:
        st.subheader("Project report")
        st.caption(
            f"A national report on {ncp} for {year}: pooled results, every hub's result with "
            "small groups hidden [c], trends, methods and where the data came from."
        )
        ui.board_pack_downloads(year=year, ncp=ncp, key="national_pack")
