"""Overview additions: the NPS (when the survey has a 0-10 recommendation question) and the
open alerts (the survey's alert rules on the filtered responses)."""

from __future__ import annotations

import streamlit as st

from app_pages import comment_data, common, store_facts
from app_pages.common import T, fmt
from csi.errors import CsiError


@st.cache_data(show_spinner=False, max_entries=8)
def _alerts(data_key: str, sha: str, lang: str, rules_key: str, _survey, _frame, _rules) -> list[str]:
    from csi.alerts import alert_message, evaluate_alerts
    from csi.text.lexicon import comment_field, survey_lexicon

    a = None
    if any(r.kind == "theme_rising" for r in _rules) and survey_lexicon(_survey).ids:
        try:
            if comment_field(_survey) in _frame:
                a = comment_data.analysis(data_key, sha, _survey, _frame)
        except CsiError:
            a = None
    return [alert_message(_survey, x, lang) for x in evaluate_alerts(_survey, _frame, rules=_rules, analysis=a)]


@st.cache_data(show_spinner=False, max_entries=8)
def _extras(data_key: str, sha: str, lang: str, _survey, _frame, _counted=None) -> dict:
    """The NPS and its tables: by wave and segment on ``_counted`` (the filtered responses'
    NPS columns; ``_frame`` itself on a small store), vs loyalty on ``_frame`` (scores)."""
    from csi.drivers.nps import nps, nps_by, nps_loyalty, nps_question

    out: dict = {"nps": None, "nps_tables": {}}
    counted = _frame if _counted is None else _counted
    if nps_question(_survey) is not None and nps_question(_survey) in counted:
        row = nps(_survey, counted).iloc[0]
        out["nps"] = row if row["n"] else None
        if row["n"]:
            tables = {"wave": nps_by(_survey, counted, "wave")} if "wave" in counted else {}
            tables |= {q.id: nps_by(_survey, counted, q.id) for q in _survey.segments if q.id in counted}
            if "loyalty" in _survey.constructs:
                tables["loyalty"] = nps_loyalty(_survey, _frame)
            out["nps_tables"] = tables
    return out


def show(survey, frame, key: str, where=None) -> None:
    """Draw the NPS metric (into ``where``) and its tables (cheap: no comment analysis)."""
    lang = common.lang()
    try:
        from csi.report.store_view import nps_columns

        counted = store_facts.counted_frame(survey, frame, nps_columns(survey))  # issue 15: every response
        x = _extras(key, survey.sha256, lang, survey, frame, counted)
    except CsiError as exc:
        common.show_error(exc)
        return
    where = where if where is not None else st
    r = x["nps"]
    if r is not None:
        where.metric(T("nps"), fmt(r["nps"]))
        where.caption(T("ci95", low=fmt(r["ci_low"]), high=fmt(r["ci_high"])) + f" · n = {int(r['n'])} · "
                      + T("nps_split", p=fmt(100 * r["promoters"], 0), d=fmt(100 * r["detractors"], 0)))
    if x["nps_tables"]:
        from csi.report.i18n_dashboard import plain_table

        with st.expander(T("nps_details")):
            for name, table in x["nps_tables"].items():
                title = T("nps_loyalty") if name == "loyalty" else (
                    T("wave") if name == "wave" else survey.t(survey.question_map[name].short
                                                               or survey.question_map[name].text, lang))
                st.caption(title)
                st.dataframe(plain_table(table, lang, 1, _group_labels(survey, name, lang)), hide_index=True,
                             key=f"nps_{name}")


def show_alerts(survey, frame, key: str) -> None:
    """Draw the open alerts (the rules of the Settings page or the survey file, on the filtered
    responses)."""
    from csi.alerts.settings import effective_rules

    try:
        rules = effective_rules(survey, common.store())
        rules_key = repr([r.model_dump() for r in rules])
        alerts = _alerts(key, survey.sha256, common.lang(), rules_key, survey, frame, rules)
    except CsiError as exc:
        common.show_error(exc)
        return
    if alerts:
        with st.container(border=True):
            st.subheader(T("open_alerts"))
            for m in alerts:
                st.warning(m, icon=":material/notifications_active:")


def _group_labels(survey, name: str, lang: str) -> dict[str, str]:
    """Display labels of the group values of an NPS table (the segment's options)."""
    from csi.report.tables import option_labels

    return option_labels(survey, name, lang)
