"""Page: data (being wired)."""

import streamlit as st

st.title("data")
