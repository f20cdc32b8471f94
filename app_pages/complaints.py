"""Page: complaints (being wired)."""

import streamlit as st

st.title("complaints")
