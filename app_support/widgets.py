"""What every page draws the same way: its header, charts with their readings, downloads.

Text from uploaded files reaches ``st.markdown`` only through :func:`plain`.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_support.filtering import Filters, filters
from app_support.navigation import link, run_through_app
from evaluation.io import exports
from evaluation.presentation.charts.tables import chart_table

__all__ = [
    "PLOTLY_CONFIG",
    "chart_with_reading",
    "download_table",
    "empty_state",
    "filters_caption",
    "page_header",
    "plain",
    "show_chart",
    "table_toggle_key",
]

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def page_header(title: str, intro: str) -> None:
    """The page title, a one-line purpose and what the filters currently select."""
    run_through_app()
    st.title(title)
    st.write(intro)


def filters_caption(chosen: Filters | None = None) -> None:
    """A caption saying which data the page shows."""
    st.caption(f"Showing: {(chosen or filters()).describe()}. Change this in the sidebar.")


def empty_state(message: str, *, go_to: Sequence[str] = ("upload",)) -> None:
    """Say there is nothing to show, what to do about it, and link to where to do it."""
    st.info(message, icon=":material/info:")
    for page in go_to:
        link(page)


def table_toggle_key(key: str) -> str:
    """The key of a chart's "Show as table" toggle, derived from the chart's key.

    Examples
    --------
    >>> table_toggle_key("hub_constructs")
    'hub_constructs_table'
    """
    return f"{key}_table"


def show_chart(figure: go.Figure, *, key: str) -> None:
    """Draw a plotly figure at the container's width, with a "Show as table" toggle.

    The table is :func:`evaluation.presentation.charts.tables.chart_table`: exactly the
    numbers the chart draws, for people who cannot see the chart or want the figures.
    """
    st.plotly_chart(figure, key=key, config=PLOTLY_CONFIG, theme=None)
    if st.toggle(
        "Show as table",
        key=table_toggle_key(key),
        help="The numbers this chart draws, as a table (for screen readers too).",
    ):
        st.dataframe(chart_table(figure), hide_index=True, key=f"{key}_numbers")


def download_table(table: pd.DataFrame, name: str, *, key: str, label: str = "data") -> None:
    """CSV and Excel download buttons for ``table`` (formula-safe, built only when clicked)."""
    st.caption(f"Download the {label}:")
    left, right = st.columns(2, gap="small")
    with left:
        st.download_button(
            "CSV",
            functools.partial(exports.to_csv_bytes, table),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
            icon=":material/download:",
            help=f"The {label} as a CSV file",
        )
    with right:
        st.download_button(
            "Excel",
            functools.partial(exports.to_xlsx_bytes, table),
            file_name=f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx",
            on_click="ignore",
            icon=":material/download:",
            help=f"The {label} as an Excel workbook",
        )


def chart_with_reading(
    figure: go.Figure,
    reading: str | Sequence[str],
    data: pd.DataFrame,
    *,
    key: str,
    name: str,
    wide: bool = False,
) -> None:
    """A chart with its plain-English reading beside it (below when ``wide``) and its data."""
    lines = [reading] if isinstance(reading, str) else list(reading)
    if wide:
        show_chart(figure, key=key)
        words, download = st.columns([3, 1], gap="medium")
        with words:
            for line in lines:
                st.markdown(plain(line))
        with download:
            download_table(data, name, key=f"{key}_download")
        return
    chart, words = st.columns([3, 1], gap="medium")
    with chart:
        show_chart(figure, key=key)
    with words:
        for line in lines:
            st.markdown(plain(line))
        download_table(data, name, key=f"{key}_download")


def plain(text: object) -> str:
    """Text made safe to pass to ``st.markdown``: HTML and markdown markup are escaped.

    Used for our own readings (which may quote hub or item names from uploaded files).

    Examples
    --------
    >>> plain("<b>Hub</b>")
    '&lt;b&gt;Hub&lt;/b&gt;'
    """
    escaped = html.escape(str(text), quote=False)
    for char in "\\`*_{}[]()#+!|~>":
        escaped = escaped.replace(char, "\\" + char)
    return escaped
