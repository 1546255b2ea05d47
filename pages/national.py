"""National comparison: pooled effects per project, forest and funnel plots, trends, suppression.

Hub results come from evaluation.national (disclosure-controlled); this page only arranges them.
"""

import streamlit as st

import app_support as ui
from app_support import views
from evaluation import columns as c
from evaluation import national
from evaluation.charts import national as charts
from evaluation.charts.survey import construct_label
from evaluation.disclosure import display_table

ui.page_header(
    "National comparison",
    "How each project's effect varies across hubs, pooled fairly. Funnel plots show which "
    "hubs differ from the national picture by more than chance would explain: there is no "
    "league table, because rankings are mostly noise.",
)

with ui.friendly_errors("comparing projects across hubs"):
    chosen = ui.filters()
    with st.spinner("Comparing hubs..."):
        by_year = ui.results_by([c.ACADEMIC_YEAR, c.HUB, c.NCP])
    if by_year.empty:
        ui.empty_state("No survey data yet, so there is nothing to compare.")
        st.stop()
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
    with st.spinner("Pooling hubs for every project..."):
        overview = ui.cached(
            f"overview:{year}:{effect}", national.cross_ncp_overview, rows, effect=effect
        )
    ui.chart_with_reading(
        charts.overview_heatmap(overview),
        views.overview_reading(overview),
        display_table(overview, digits=3),
        key="national_overview",
        name=f"national_overview_{year.replace('/', '-')}",
        wide=True,
    )

    st.subheader("One project across hubs")
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
            "Outcome", views.outcomes_of(rows), format_func=construct_label, key="national_outcome"
        )
    hubs = national.hub_effects(rows, outcome=outcome, ncp=ncp)
    pooled = national.pool_hubs(hubs, effect=effect)
    table = national.national_table(hubs, pooled, effect=effect)
    ui.chart_with_reading(
        charts.forest_plot(hubs, pooled, effect=effect),
        views.pooled_reading(pooled, outcome=outcome, ncp=ncp),
        display_table(table, digits=3),
        key="national_forest",
        name="forest",
    )
    ui.chart_with_reading(
        charts.funnel_plot(hubs, pooled, effect=effect),
        views.funnel_reading(hubs, pooled, effect=effect),
        display_table(table, digits=3),
        key="national_funnel",
        name="funnel",
    )

    st.subheader("Across the years")
    trend = national.trends(by_year, outcome=outcome, ncp=ncp, effect=effect)
    ui.chart_with_reading(
        charts.trend_plot(trend, effect=effect),
        views.trend_reading(trend),
        display_table(trend, digits=3),
        key="national_trend",
        name="trend",
    )
