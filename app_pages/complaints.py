"""Page 3 -- Complaints: rate with CI, types and sub-types, by segment/wave with tests,
handling satisfaction, loyalty of well- vs badly-handled complainers vs non-complainers."""

from __future__ import annotations

import streamlit as st

from app_pages import common, store_facts
from app_pages.common import T, fmt
from csi.drivers import complaints as cp
from csi.errors import CsiError
from csi.report.figures import bar_ci_figure
from csi.report.i18n_dashboard import as_percent, plain_table
from csi.report.tables import construct_labels, option_labels


@st.cache_data(show_spinner=False, max_entries=16)
def _tables(data_key: str, sha: str, by: str, _survey, _frame, _result, _counted=None):
    """The page's tables: share, types and differences on ``_counted`` (the filtered responses'
    complaint columns; ``_frame`` itself on a small store), the rest on ``_frame``."""
    counted = _frame if _counted is None else _counted
    return {
        "rate": cp.complaint_rate(_survey, counted),
        "types": cp.complaint_types(_survey, counted),
        "by": cp.complaints_by(_survey, counted, by),
        "test": cp.complaint_test(_survey, counted, by),
        "handling": cp.handling_summary(_survey, _frame),
        "recovery": cp.service_recovery(_survey, _frame, _result),
        "paths": cp.complaint_paths(_survey, _result),
    }


def main() -> None:
    got = common.page_data()
    if got is None:
        return
    survey, frame, key, lang = got
    st.title(T("page_complaints"))
    if not any(c.binary for c in survey.constructs.values()):
        st.info(T("no_complaint_construct"))
        return
    by_choices = ["wave"] + [q.id for q in survey.segments]
    seg_names = {q.id: survey.t(q.short or q.text, lang) for q in survey.segments} | {"wave": T("wave")}
    by = st.selectbox(T("segment_question"), by_choices, key="complaints_by",
                      format_func=lambda b: seg_names.get(b, b))
    try:
        res = common.fit_model(survey, frame, key)
        from csi.report.store_view import complaint_columns

        counted = store_facts.counted_frame(survey, frame, complaint_columns(survey, by))  # issue 15
        t = _tables(key, survey.sha256, by, survey, frame, res, counted)
    except CsiError as exc:
        common.show_error(exc)
        return
    rate = t["rate"].iloc[0]
    cons = construct_labels(survey, lang)
    c1, c2 = st.columns(2)
    common.show_rate(c1, rate)
    if len(t["paths"]):
        c2.dataframe(plain_table(t["paths"], lang, 3, cons), hide_index=True, key="complaint_paths")

    types = t["types"]
    if len(types):
        st.subheader(T("complaint_types"))
        q = next((q for q in survey.questions if q.role == "complaint_type"), None)
        labels = option_labels(survey, q.id, lang) if q else {}
        labels |= {g: survey.t(txt, lang) for g, txt in (q.option_groups.items() if q else [])}
        left, right = st.columns(2)
        for col, level in ((left, "group"), (right, "type")):
            d = types[types["level"] == level].sort_values("rate", ascending=False)
            col.plotly_chart(bar_ci_figure(as_percent(d), x="type", y="rate", ci_low="ci_low", ci_high="ci_high",
                                           labels=labels, y_title=T("rate_of_complainers_pct")),
                             key=f"types_{level}")

    st.subheader(f"{T('complaint_rate')} · {seg_names.get(by, by)}")
    d = t["by"]
    glabels = option_labels(survey, by, lang) if by != "wave" else {}
    st.plotly_chart(bar_ci_figure(as_percent(d), x="group", y="rate", ci_low="ci_low", ci_high="ci_high",
                                  labels=glabels, y_title=T("complaint_rate"), horizontal=False),
                    key="complaints_by_chart")
    marks = common.caution_cells(d["n"], survey)  # issue 20: the survey's small-n rule per group
    st.caption(T("lower_is_better"))
    st.dataframe(plain_table(as_percent(d.drop(columns=["by"], errors="ignore")).assign(caution=marks), lang, 2,
                             glabels), hide_index=True, key="complaints_by_table")
    test = t["test"].iloc[0]
    st.caption(T("chi2", chi2=fmt(test["chi2"], 2), df=int(test["df"]), p=fmt(test["p_value"], 4)))

    st.subheader(T("handling"))
    hs = t["handling"]
    st.dataframe(plain_table(hs.assign(caution=common.caution_cells(hs["n"], survey)), lang, 3, cons),
                 hide_index=True, key="handling_table")
    st.subheader(T("recovery"))
    rec = t["recovery"]
    st.plotly_chart(bar_ci_figure(rec, x="group", y="loyalty_index", ci_low="loyalty_ci_low",
                                  ci_high="loyalty_ci_high", horizontal=False,
                                  labels=_group_labels(rec),
                                  y_title=construct_labels(survey, lang).get("loyalty", "loyalty")),
                    key="recovery_chart")
    shown = as_percent(rec, ("repurchase_rate", "repurchase_ci_low", "repurchase_ci_high"))
    st.dataframe(plain_table(shown.assign(caution=common.caution_cells(rec["n"], survey)), lang, 3,
                             _group_labels(rec)), hide_index=True, key="recovery_table")
    _loop(survey, frame, lang)


def _loop(survey, frame, lang) -> None:
    """Issue 18: the follow-up loop -- cases, time to first contact, overdue, resolution, and
    followed-up vs not-followed-up complainers (observational)."""
    if survey.followup is None:
        return
    from csi.cases.metrics import followup_outcomes, loop_metrics
    from csi.cases.store import list_cases

    try:
        cases = list_cases(common.store(), survey.id)
        m = loop_metrics(cases).iloc[0]
        out = followup_outcomes(survey, frame, cases)
    except CsiError as exc:
        common.show_error(exc)
        return
    st.subheader(T("loop_title"))
    c = st.columns(4)
    c[0].metric(T("loop_opened"), int(m["cases_opened"]))
    c[1].metric(T("loop_median"), T("loop_hours", h=fmt(m["median_hours_to_first_contact"])))
    c[2].metric(T("loop_overdue"), f"{fmt(100 * m['share_overdue'])}%")
    c[3].metric(T("loop_resolution"), f"{fmt(100 * m['resolution_rate'])}%")
    st.markdown(f"**{T('loop_outcomes')}**")
    st.plotly_chart(bar_ci_figure(out, x="group", y="loyalty_index", ci_low="loyalty_ci_low",
                                  ci_high="loyalty_ci_high", horizontal=False,
                                  labels=_group_labels(out),
                                  y_title=construct_labels(survey, lang).get("loyalty", "loyalty")),
                    key="loop_chart")
    shown = as_percent(out, ("repurchase_rate", "repurchase_ci_low", "repurchase_ci_high"))
    shown = shown.assign(caution=common.caution_cells(out["n"], survey))  # issue 20: small groups
    st.dataframe(plain_table(shown, lang, 3, _group_labels(out)), hide_index=True, key="loop_table")
    common.small_n_note(st, int(out["n"].min()), survey)
    st.caption(T("loop_caveat"))


def _group_labels(table) -> dict[str, str]:
    """Complainer groups ("no complaint", ...) in the UI language."""
    return {g: T("grp_" + str(g).replace(" ", "_")) for g in table["group"]}


main()
