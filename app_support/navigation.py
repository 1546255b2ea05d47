"""The dashboard's pages: their files, titles and icons, sections, and who is offered which.

app.py builds ``st.navigation`` from :data:`PAGES` and :data:`SECTIONS`; pages link to each other
through :func:`link`, so a renamed file breaks in one place only.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from evaluation.access import Viewer

__all__ = [
    "NATIONAL_ONLY_PAGES",
    "NOT_FOR_LEADS_PAGES",
    "PAGES",
    "SECTIONS",
    "link",
    "pages_for",
    "run_through_app",
    "sections_for",
]

# Page files, in navigation order: (file, title, icon).
PAGES: dict[str, tuple[str, str, str]] = {
    "home": ("pages/home.py", "Home", ":material/home:"),
    "upload": ("pages/upload.py", "Upload & check", ":material/upload_file:"),
    "impact": ("pages/impact.py", "Work Group impact", ":material/insights:"),
    "hub": ("pages/hub_overview.py", "Hub overview", ":material/hub:"),
    "themes": ("pages/themes.py", "Themes in open answers", ":material/label:"),
    "national": ("pages/national.py", "National comparison", ":material/public:"),
    "pupils": ("pages/pupils.py", "Pupil outcomes (MTC)", ":material/school:"),
    "datasets": ("pages/datasets.py", "Datasets", ":material/database:"),
    "methods": ("pages/methods.py", "Methods", ":material/menu_book:"),
    "roles": ("pages/roles.py", "Roles", ":material/manage_accounts:"),
}

# The navigation's headings and the pages under each, in order.
SECTIONS: dict[str, tuple[str, ...]] = {
    "Start": ("home", "upload"),
    "Results": ("impact", "hub", "themes", "national", "pupils"),
    "About the data": ("datasets", "methods", "roles"),
}

# Pages only national users are offered (and which refuse anyone else).
NATIONAL_ONLY_PAGES = ("roles",)
# Pages national and hub users are offered, but not Work Group leads (who may not change the
# codebook of themes; the page refuses them too).
NOT_FOR_LEADS_PAGES = ("themes",)


def pages_for(viewer: Viewer) -> list[str]:
    """Keys of :data:`PAGES` this viewer is offered, in navigation order.

    Examples
    --------
    >>> "roles" in pages_for(Viewer.national())
    True
    >>> "themes" in pages_for(Viewer(role="lead", hub="Solent Maths Hub", work_groups=("W1",)))
    False
    """
    return [
        key
        for key in PAGES
        if (viewer.is_national or key not in NATIONAL_ONLY_PAGES)
        and (viewer.role != "lead" or key not in NOT_FOR_LEADS_PAGES)
    ]


def sections_for(viewer: Viewer) -> dict[str, list[str]]:
    """:data:`SECTIONS` with only the pages this viewer is offered.

    Examples
    --------
    >>> sections_for(Viewer.national())["Start"]
    ['home', 'upload']
    """
    offered = pages_for(viewer)
    return {heading: [key for key in keys if key in offered] for heading, keys in SECTIONS.items()}


def link(page: str, label: str | None = None) -> None:
    """A link to another page of the app, by its key in :data:`PAGES`."""
    path, title, icon = PAGES[page]
    st.page_link(path, label=label or title, icon=icon)


def run_through_app() -> None:
    """Rerun through app.py when Streamlit ran a page file on its own.

    Streamlit treats an app with a ``pages/`` folder as an old-style multipage app until some
    run calls ``st.navigation``. So on a freshly started server, a first visitor who opens a
    link to a page (``/national``) gets ``pages/national.py`` run by itself: raw file names in
    the sidebar, no filters, narrow layout. Switching that mode off and rerunning sends the
    same page through app.py's navigation, sign-in and sidebar.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
