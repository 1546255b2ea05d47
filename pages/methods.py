"""Methods: how every number on the dashboard is computed, in plain English, with references.

The text is :func:`evaluation.presentation.readings.methods.methods_sections` (thresholds read
from configuration); the formulas live in evaluation/ (one function each), named there for
analysts.
"""

import streamlit as st

import app_support as ui
from evaluation.presentation.readings.methods import METHODS_REFERENCES, methods_sections

ui.page_header(
    "Methods",
    "How every number on this dashboard is worked out, in plain English, with the research "
    "behind it. Analysts will find the function that computes each one in brackets.",
)

for title, body in methods_sections():
    st.subheader(title)
    st.markdown(body)

st.subheader("References")
st.markdown(METHODS_REFERENCES)
st.caption(
    "All the data in this repository's sample is synthetic: made-up people, generated to look "
    "like real survey exports. No real person's answers are stored in it."
)
