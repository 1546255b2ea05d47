"""Streamlit entry point: navigation, who is viewing, and the shared sidebar filters.

Each page lives in pages/; shared plumbing (store, caches, filters, errors) in app_support.py.
"""

import streamlit as st

import app_support as ui

st.set_page_config(
    page_title="Maths Hubs Impact",
    page_icon=":material/functions:",
    layout="wide",
    initial_sidebar_state="expanded",
)

navigation = st.navigation(
    {
        "Start": [
            st.Page(
                ui.PAGES["home"][0],
                title=ui.PAGES["home"][1],
                icon=ui.PAGES["home"][2],
                default=True,
            ),
            st.Page(ui.PAGES["upload"][0], title=ui.PAGES["upload"][1], icon=ui.PAGES["upload"][2]),
        ],
        "Results": [
            st.Page(path, title=title, icon=icon)
            for key, (path, title, icon) in ui.PAGES.items()
            if key in ("impact", "hub", "national", "pupils")
        ],
        "About the data": [
            st.Page(path, title=title, icon=icon)
            for key, (path, title, icon) in ui.PAGES.items()
            if key in ("datasets", "methods")
        ],
    }
)

with ui.friendly_errors("opening the data store"):
    ui.get_store()
with ui.friendly_errors("drawing the filters"):
    ui.sidebar_filters()
navigation.run()
