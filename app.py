"""Streamlit entry point: who is viewing, navigation for their role, and the shared sidebar.

Each page lives in pages/; shared plumbing (viewer, store, caches, filters, errors) in app_support,
the page list and its sections in app_support.navigation.
"""

import streamlit as st

import app_support as ui
from app_support import auth

st.set_page_config(
    page_title="Maths Hubs Impact",
    page_icon=":material/functions:",
    layout="wide",
    initial_sidebar_state="expanded",
)

with ui.friendly_errors("opening the data store"):
    ui.get_store()

access = ui.current_access()
if access.viewer is None:
    # Not signed in, or no role yet: one page, no data, and no way to reach the others.

    def gate() -> None:
        auth.draw_gate(access)

    st.navigation(
        [st.Page(gate, title="Sign in", icon=":material/login:", url_path="sign-in")],
        position="hidden",
    ).run()
    st.stop()


def page(key: str, **kw) -> st.Page:
    path, title, icon = ui.PAGES[key]
    return st.Page(path, title=title, icon=icon, **kw)


navigation = st.navigation(
    {
        heading: [page(key, default=key == "home") for key in keys]
        for heading, keys in ui.sections_for(access.viewer).items()
    }
)

with ui.friendly_errors("drawing the filters"):
    ui.sidebar_filters()
navigation.run()
