"""Page: editor (being wired)."""

import streamlit as st

st.title("editor")
