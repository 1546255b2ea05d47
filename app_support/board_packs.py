"""Board packs in the dashboard: who may build one, building it (cached), the download buttons.

The pack itself is written by :mod:`evaluation.presentation.reports` with the current viewer.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_support.auth import current_viewer
from app_support.caching import cache_key, cached_board_pack
from app_support.widgets import plain
from evaluation.access import Viewer

__all__ = ["board_pack", "board_pack_downloads", "chromium_available", "may_build_board_pack"]


def chromium_available() -> bool:
    """True when a Chromium browser is installed to print board packs as PDF."""
    # Imported on first use: importing reports.pdf loads the whole report builder.
    from evaluation.presentation.reports.pdf import find_chromium

    return find_chromium() is not None


def may_build_board_pack(viewer: Viewer, *, hub: str | None = None) -> bool:
    """Hub users may build their own hub's board pack; national users any hub's or NCP's.

    Examples
    --------
    >>> may_build_board_pack(Viewer.national())
    True
    """
    if viewer.is_national:
        return True
    return viewer.role == "hub" and hub is not None and hub == viewer.hub


def board_pack(*, year: str, hub: str | None = None, ncp: str | None = None) -> dict[str, Any]:
    """A hub board pack (``hub``) or national project report (``ncp``): HTML, slides (and PDF).

    Returns ``{"problem", "title", "html", "pdf", "pdf_note", "pptx"}``; ``problem`` is a
    plain-English reason when there is no report. Built by ``evaluation.presentation.reports``
    with the current viewer, cached per store version; the PDF only when Chromium is installed.
    """
    viewer = current_viewer()
    if not may_build_board_pack(viewer, hub=hub):
        return {
            "problem": "Board packs are for hub boards and the national team.",
            "title": "",
            "html": "",
            "pdf": None,
            "pdf_note": None,
            "pptx": None,
        }
    return cached_board_pack(*cache_key(), hub, ncp, year, chromium_available(), viewer)


def board_pack_downloads(
    *, year: str, hub: str | None = None, ncp: str | None = None, key: str
) -> None:
    """A "Prepare" button, then HTML, slides (PowerPoint) and, with Chromium, PDF downloads."""
    if st.button("Prepare the report", key=f"{key}_build", icon=":material/description:"):
        st.session_state[f"{key}_for"] = (hub, ncp, year)
    if st.session_state.get(f"{key}_for") != (hub, ncp, year):
        return
    with st.spinner("Writing the report (this can take a little while)..."):
        pack = board_pack(year=year, hub=hub, ncp=ncp)
    if pack["problem"]:
        st.info(pack["problem"], icon=":material/info:")
        return
    stem = "board_pack_" + "_".join(str(part) for part in (hub or ncp, year))
    stem = "".join(ch if ch.isalnum() else "_" for ch in stem)
    left, middle, right = st.columns(3)
    with left:
        st.download_button(
            "Report (HTML)",
            pack["html"].encode("utf-8"),
            file_name=f"{stem}.html",
            mime="text/html",
            key=f"{key}_html",
            on_click="ignore",
            icon=":material/download:",
            help="Opens in any web browser, also offline; the charts are interactive.",
        )
    with middle:
        if pack.get("pptx") is not None:
            st.download_button(
                "Slides (PowerPoint)",
                pack["pptx"],
                file_name=f"{stem}.pptx",
                mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                key=f"{key}_pptx",
                on_click="ignore",
                icon=":material/download:",
                help="One slide per chart with its reading; every chart has alternative text.",
            )
    with right:
        if pack["pdf"] is not None:
            st.download_button(
                "Report (PDF)",
                pack["pdf"],
                file_name=f"{stem}.pdf",
                mime="application/pdf",
                key=f"{key}_pdf",
                on_click="ignore",
                icon=":material/download:",
            )
        else:
            st.caption(
                "No PDF here: "
                + plain(pack["pdf_note"] or "this server cannot print PDFs.")
                + " Open the HTML and print it from your browser instead."
            )
