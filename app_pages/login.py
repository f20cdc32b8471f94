"""The staff login form (shown instead of every page until a user logs in).

An empty user name (or ``admin``) is the manager login of ``CSI_ADMIN_PASSWORD(_HASH)``; other
names are the staff accounts of ``csi users``. Throttling, sessions and the audit log are in
:mod:`csi.accounts.login`.
"""

from __future__ import annotations

import streamlit as st

from app_pages.access import client_address
from app_pages.common import T, language_switch
from csi.accounts.login import login
from csi.accounts.throttle import wait_parts
from csi.auth import AuthConfig


def login_page(auth: AuthConfig, store, ended: bool = False) -> None:
    language_switch(st, "login_language")
    st.title(T("login_title"))
    if ended:
        st.info(T("session_ended"))
    with st.form("login_form"):
        user = st.text_input(T("username"), key="login_username", placeholder="admin",
                             help=T("username_help"))
        pw = st.text_input(T("password"), type="password", key="login_password")
        ok = st.form_submit_button(T("login"))
    if ok:
        out = login(store, auth, user or "", pw or "", client=client_address())
        if out.status == "ok":
            st.session_state["csi_session"] = out.session.token
            st.session_state.pop("login_password", None)
            st.rerun()
        elif out.status == "throttled":
            n, unit = wait_parts(out.wait_seconds)
            st.error(T("login_throttled", wait=T(f"wait_{unit}", n=n)))
        elif out.status == "disabled":
            st.error(T("account_disabled"))
        else:
            st.error(T("wrong_password"))
