"""Page: quality (being wired)."""

import streamlit as st

st.title("quality")
