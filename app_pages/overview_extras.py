"""Overview additions: the NPS (when the survey has a 0-10 recommendation question) and the
open alerts (the survey's alert rules on the filtered responses)."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.common import T, fmt
from csi.errors import CsiError


@st.cache_data(show_spinner=False, max_entries=8)
def _extras(data_key: str, sha: str, lang: str, _survey, _frame) -> dict:
    from csi.alerts import alert_message, evaluate_alerts
    from csi.drivers.nps import nps, nps_question

    out: dict = {"nps": None, "alerts": [], "error": None}
    if nps_question(_survey) is not None and nps_question(_survey) in _frame:
        row = nps(_survey, _frame).iloc[0]
        out["nps"] = row if row["n"] else None
    out["alerts"] = [alert_message(_survey, a, lang) for a in evaluate_alerts(_survey, _frame)]
    return out


def show(survey, frame, key: str, where=None) -> None:
    """Draw the NPS metric (into ``where``) and the open alerts."""
    lang = common.lang()
    try:
        x = _extras(key, survey.sha256, lang, survey, frame)
    except CsiError as exc:
        common.show_error(exc)
        return
    where = where if where is not None else st
    r = x["nps"]
    if r is not None:
        where.metric(T("nps"), fmt(r["nps"]))
        where.caption(T("ci95", low=fmt(r["ci_low"]), high=fmt(r["ci_high"])) + f" · n = {int(r['n'])} · "
                      + T("nps_split", p=fmt(100 * r["promoters"], 0), d=fmt(100 * r["detractors"], 0)))
    if x["alerts"]:
        with st.container(border=True):
            st.subheader(T("open_alerts"))
            for m in x["alerts"]:
                st.warning(m, icon=":material/notifications_active:")
