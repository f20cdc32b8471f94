"""The repeat-purchase and what-if sections of the Drivers page."""

from __future__ import annotations

import streamlit as st

from app_pages.common import T


def repurchase_section(survey, frame, key, res, lang) -> None:
    st.subheader(T("repurchase_drivers"))


def whatif_section(survey, frame, key, res, lang) -> None:
    st.subheader(T("whatif"))
