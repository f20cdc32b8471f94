"""Users -- staff accounts for admins: add, change role, disable/enable, reset a password.
Every change goes through :mod:`csi.accounts.users` (audited; sessions end where needed)."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.access import current_user
from app_pages.common import T
from csi.accounts.roles import ROLES, can
from csi.accounts.users import add_user, list_users, reset_password, set_disabled, set_role
from csi.errors import CsiError


def _done(message: str) -> None:
    st.session_state["users_flash"] = message
    st.rerun()


def main() -> None:
    st.title(T("page_users"))
    user, role = current_user()
    if not can(role, "manage_users"):  # the page is not even registered for other roles
        st.error(T("page_users"))
        return
    store = common.store()
    flash = st.session_state.pop("users_flash", None)
    if flash:
        st.success(flash)
    users = list_users(store)
    st.dataframe(users, hide_index=True, key="users_table")
    with st.form("user_add", clear_on_submit=True):
        st.markdown(f"**{T('users_add')}**")
        c = st.columns(3)
        name = c[0].text_input(T("username"), key="users_new_name")
        new_role = c[1].selectbox(T("users_role"), ROLES, index=ROLES.index("agent"), key="users_new_role",
                                  format_func=lambda r: T(f"role_{r}"))
        pw = c[2].text_input(T("password"), type="password", key="users_new_password")
        if st.form_submit_button(T("users_add")):
            try:
                add_user(store, name, pw, new_role, actor=user)
            except CsiError as exc:
                common.show_error(exc)
            else:
                _done(T("users_added", user=name))
    if not len(users):
        return
    st.markdown(f"**{T('users_change')}**")
    who = st.selectbox(T("username"), users["username"].tolist(), key="users_pick")
    row = users.set_index("username").loc[who]
    c = st.columns(3)
    other = c[0].selectbox(T("users_role"), ROLES, index=ROLES.index(row["role"]), key="users_role",
                           format_func=lambda r: T(f"role_{r}"))
    if c[0].button(T("users_set_role"), key="users_set_role", disabled=other == row["role"]):
        try:
            set_role(store, who, other, actor=user)
        except CsiError as exc:
            common.show_error(exc)
        else:
            _done(T("users_changed", user=who))
    label = T("users_enable") if row["disabled"] else T("users_disable")
    if c[1].button(label, key="users_toggle"):
        try:
            set_disabled(store, who, not row["disabled"], actor=user)
        except CsiError as exc:
            common.show_error(exc)
        else:
            _done(T("users_changed", user=who))
    with c[2].form("user_reset", clear_on_submit=True):
        pw2 = st.text_input(T("users_new_password"), type="password", key="users_reset_password")
        if st.form_submit_button(T("users_reset")):
            try:
                reset_password(store, who, pw2, actor=user)
            except CsiError as exc:
                common.show_error(exc)
            else:
                _done(T("users_changed", user=who))


main()
