"""Page: segments (being wired)."""

import streamlit as st

st.title("segments")
