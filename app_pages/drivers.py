"""Page: drivers (being wired)."""

import streamlit as st

st.title("drivers")
