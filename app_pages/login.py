"""The manager login form (shown instead of pages 1-7 until the password is given)."""

from __future__ import annotations

import streamlit as st

from app_pages.common import T, language_switch
from csi.auth import AuthConfig, check_password


def login_page(auth: AuthConfig) -> None:
    language_switch(st, "login_language")
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
