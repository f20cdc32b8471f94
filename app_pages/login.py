"""The manager login form (shown instead of pages 1-7 until the password is given)."""

from __future__ import annotations

import streamlit as st

from app_pages.common import T
from csi.auth import AuthConfig, check_password
from csi.report.i18n import LANGUAGES


def login_page(auth: AuthConfig) -> None:
    st.radio(T("language"), LANGUAGES, key="lang", horizontal=True,
             format_func=lambda c: {"zh": "中文", "en": "English"}[c])
    st.title(T("login_title"))
    with st.form("login_form"):
        pw = st.text_input(T("password"), type="password", key="login_password")
        ok = st.form_submit_button(T("login"))
    if ok:
        if check_password(auth, pw):
            st.session_state["authenticated"] = True
            st.session_state.pop("login_password", None)
            st.rerun()
        else:
            st.error(T("wrong_password"))
