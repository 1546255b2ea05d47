"""Methods: how every number on the dashboard is computed, in plain English, with references.

The text is :func:`evaluation.presentation.readings.methods.methods_sections` (thresholds read
from configuration); the formulas live in evaluation/ (one function each), named there for
analysts.
"""

import streamlit as st

import app_support as ui
from evaluation.presentation.readings.impact import mdes_sentence
from evaluation.presentation.readings.methods import METHODS_REFERENCES, methods_sections
from evaluation.stats.mdes import design_mdes

ui.page_header(
    "Methods",
    "How every number on this dashboard is worked out, in plain English, with the research "
    "behind it. Analysts will find the function that computes each one in brackets.",
)

for title, body in methods_sections():
    st.subheader(title)
    st.markdown(body)

st.subheader("Planning an evaluation: the smallest impact you could detect")
st.markdown(
    "Before comparing your Work Group with a comparison group, check what effect the design "
    "could reliably detect (the minimum detectable effect size, MDES, of a two-level design: "
    "people in schools or Work Groups, as PowerUp! computes it)."
)
plan_left, plan_right = st.columns(2)
with plan_left:
    clusters = st.number_input(
        "Schools or Work Groups in total (J)", min_value=3, value=20, step=1, key="mdes_j"
    )
    per_cluster = st.number_input(
        "People per school or Work Group (n)", min_value=1, value=25, step=1, key="mdes_n"
    )
    share = st.number_input(
        "Share in the programme (P)", 0.05, 0.95, 0.5, step=0.05, key="mdes_share"
    )
with plan_right:
    icc = st.number_input(
        "Share of the spread between clusters (ICC)", 0.0, 0.99, 0.15, step=0.01, key="mdes_icc"
    )
    r2_individual = st.number_input(
        "Spread explained by the first score, people (R²₁)",
        0.0,
        0.99,
        0.5,
        step=0.05,
        key="mdes_r2_1",
    )
    r2_cluster = st.number_input(
        "Spread explained by the first score, clusters (R²₂)",
        0.0,
        0.99,
        0.5,
        step=0.05,
        key="mdes_r2_2",
    )
planned = design_mdes(clusters, per_cluster, icc, r2_individual, r2_cluster, share)
st.metric("Minimum detectable effect size", f"{planned.mdes:.2f}")
st.markdown(ui.plain(mdes_sentence(planned)))

st.subheader("References")
st.markdown(METHODS_REFERENCES)
st.caption(
    "All the data in this repository's sample is synthetic: made-up people, generated to look "
    "like real survey exports. No real person's answers are stored in it."
)
