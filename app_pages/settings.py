"""Settings (admins): the alert rules ``csi alerts check`` and the Overview use, per survey.

The rules are edited as the YAML list of a survey file's ``alerts.rules`` and saved in the
store (:mod:`csi.alerts.settings`); every save or reset is in the audit log. Until rules are
saved here, the survey file's rules (or the defaults) apply.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.common import T
from csi.alerts.settings import (
    clear_rules,
    effective_rules,
    parse_rules_text,
    rule_rows,
    rules_source,
    rules_text,
    save_rules,
)
from csi.errors import CsiError


def _alerts_section(survey) -> None:
    from app_pages.access import client_address, current_user

    store = common.store()
    st.subheader(T("alert_rules"))
    source = rules_source(survey, store)
    st.caption(T(f"alert_rules_from_{source}"))
    rules = effective_rules(survey, store)
    st.dataframe(pd.DataFrame(rule_rows(rules)), hide_index=True, key="alert_rules_table")
    box = f"alert_rules_text:{survey.id}:{source}"
    text = st.text_area(T("alert_rules_edit"), value=rules_text(rules), height=260, key=box,
                        help=T("alert_rules_help"))
    user, _ = current_user()
    c1, c2 = st.columns(2)
    if c1.button(T("alert_rules_save"), key="alert_rules_save", type="primary"):
        try:
            new = parse_rules_text(text, survey)
            save_rules(store, survey.id, new, actor=user, client=client_address())
        except CsiError as exc:
            for line in str(exc).splitlines():
                st.error(line)
            return
        st.session_state.pop(box, None)
        st.session_state["alert_rules_saved"] = len(new)
        st.rerun()
    if source == "settings" and c2.button(T("alert_rules_reset"), key="alert_rules_reset"):
        clear_rules(store, survey.id, actor=user, client=client_address())
        st.session_state.pop(box, None)
        st.rerun()
    if "alert_rules_saved" in st.session_state:
        st.success(T("alert_rules_saved", n=st.session_state.pop("alert_rules_saved")))


def main() -> None:
    from app_pages.access import current_user
    from csi.accounts.roles import can

    st.title(T("page_settings"))
    if not can(current_user()[1], "edit_settings"):  # the page is not registered for other roles
        st.error(T("page_settings"))
        return
    survey = common.current_survey()
    if survey is None:
        st.info(T("no_surveys"))
        return
    _alerts_section(survey)


main()
