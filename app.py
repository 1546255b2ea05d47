"""Streamlit entry point: navigation and the shared sidebar."""

import streamlit as st

st.set_page_config(page_title="Maths Hubs Impact", layout="wide")
st.title("Maths Hubs Impact")
st.write("What Maths Hubs professional development changes, for teachers and pupils.")
