"""Audit log -- who logged in (or failed to), revealed a contact, exported, changed a role (admins only)."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.common import T
from csi.accounts.audit import AUDIT_ACTIONS, read_audit


def main() -> None:
    st.title(T("page_audit"))
    from app_pages.access import current_user
    from csi.accounts.roles import can

    if not can(current_user()[1], "read_audit"):  # the page is not even registered for other roles
        st.error(T("page_audit"))
        return
    action = st.selectbox(T("audit_action"), AUDIT_ACTIONS, index=None, key="audit_action",
                          placeholder=T("fu_any"))
    log = read_audit(common.store(), limit=1000, action=action)
    if not len(log):
        st.info(T("audit_empty"))
        return
    st.dataframe(log, hide_index=True, key="audit_table")


main()
