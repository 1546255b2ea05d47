"""The hub page's "What teachers wrote": themes in the open answers, before and after.

Shares per theme come from :func:`evaluation.text.survey.survey_themes` with the codebook that
applies to the viewer (their hub's copy, else the national one, else the default: edited on the
Themes page), suppressed below the minimum group size; the example column only for viewers who
may see open text.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_support.store_access import get_store
from app_support.widgets import download_table
from evaluation.access import Viewer
from evaluation.stats.disclosure import resolve_min_n
from evaluation.text.survey import survey_themes, themes_table

__all__ = ["THEMES_HEADING", "open_text_themes"]

THEMES_HEADING = "What teachers wrote"


def open_text_themes(frame: pd.DataFrame, *, viewer: Viewer, key: str) -> None:
    """Draw the themes table of ``frame``'s open answers (nothing to say: a caption)."""
    st.subheader(THEMES_HEADING)
    min_n = resolve_min_n(None)
    summary = survey_themes(frame, codebook=get_store().codebook(viewer), min_n=min_n)
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
