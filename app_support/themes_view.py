"""The hub page's "What teachers wrote": themes in the open answers, before and after.

Shares per theme come from :func:`evaluation.text.survey.survey_themes` with the codebook that
applies to the viewer (their hub's copy, else the national one, else the default: edited on the
Themes page), suppressed below the minimum group size; the example column only for viewers who
may see open text.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app_support.caching import cached, lasting
from app_support.store_access import get_store
from app_support.widgets import download_table
from evaluation.access import Viewer
from evaluation.stats.disclosure import resolve_min_n
from evaluation.text.survey import survey_themes, themes_table

__all__ = ["THEMES_HEADING", "open_text_themes"]

THEMES_HEADING = "What teachers wrote"


def _summary(frame: pd.DataFrame, viewer: Viewer, min_n: int) -> pd.DataFrame:
    return survey_themes(frame, codebook=get_store().codebook(viewer), min_n=min_n)


def _codebook(viewer: Viewer) -> tuple[str, pd.DataFrame]:
    book = get_store().codebook(viewer)
    return hashlib.sha256(book.to_csv(index=False).encode("utf-8")).hexdigest(), book


def open_text_themes(
    frame: pd.DataFrame,
    *,
    viewer: Viewer,
    key: str,
    name: str | None = None,
    rows_key: str | None = None,
) -> None:
    """Draw the themes table of ``frame``'s open answers (nothing to say: a caption).

    With ``name`` the summary is cached per store version, filters, viewer and ``name`` (which
    must then tell apart every ``frame`` drawn under the same filters). With ``rows_key`` too
    (:func:`app_support.rows_cache_key` of the load ``frame`` is), it is kept across store
    versions until those rows or the codebook change.
    """
    st.subheader(THEMES_HEADING)
    min_n = resolve_min_n(None)
    if name is None:
        summary = _summary(frame, viewer, min_n)
    elif rows_key is not None:
        book_key, book = cached("themes:codebook", _codebook, viewer)
        summary = lasting(
            f"{name}:{min_n}:{rows_key}:{book_key}",
            survey_themes,
            frame,
            codebook=book,
            min_n=min_n,
        )
    else:
        summary = cached(f"{name}:{min_n}", _summary, frame, viewer, min_n)
    if summary.empty:
        st.caption("No open-text answers in this selection.")
        return
    quotes = viewer.sees_open_text
    st.caption(
        "Open answers tagged with the themes of the Maths Hubs codebook (an answer can have "
        "several). Shares are of all answers before and after the programme; a blank means "
        f"fewer than {min_n} answers, hidden to protect small groups."
        + ("" if quotes else " Example answers are not shown for your role.")
    )
    table = themes_table(summary, quotes=quotes)
    st.dataframe(table, hide_index=True, key=f"{key}_table")
    download_table(table, "themes", key=f"{key}_download", label="themes")
