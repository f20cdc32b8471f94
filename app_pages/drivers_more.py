"""The repeat-purchase and what-if sections of the Drivers page."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.common import T
from csi.drivers.relative_importance import relative_importance
from csi.drivers.repurchase import repurchase_analysis
from csi.drivers.whatif import what_if
from csi.errors import CsiError
from csi.report.figures import bar_ci_figure
from csi.report.i18n_dashboard import plain_table, value_label
from csi.report.tables import construct_labels


@st.cache_data(show_spinner=False, max_entries=8)
def _relative(data_key: str, sha: str, n_boot: int, _survey, _frame, _result):
    return relative_importance(_survey, _frame, _result, n_boot=n_boot, seed=0)


@st.cache_data(show_spinner=False, max_entries=8)
def _behaviour(data_key: str, sha: str, _survey, _frame, _result):
    return repurchase_analysis(_survey, _frame, _result)


def repurchase_section(survey, frame, key, res, lang) -> None:
    if survey.drivers is None:
        return
    st.subheader(T("repurchase_drivers"))
    labels = construct_labels(survey, lang)
    try:
        ri = _relative(key, survey.sha256, common.n_boot_setting(), survey, frame, res)
    except CsiError as exc:
        common.show_error(exc)
        return
    st.plotly_chart(bar_ci_figure(ri, x="lever", y="raw_weight", ci_low="raw_weight_ci_low",
                                  ci_high="raw_weight_ci_high", labels=labels,
                                  y_title=T("relative_weights")), key="relweight_chart")
    try:
        beh = _behaviour(key, survey.sha256, survey, frame, res)
    except CsiError as exc:
        common.show_error(exc)
        return
    if "skipped" in beh:
        st.info(T("no_behaviour", reason=beh["skipped"]))
        return
    logit = beh["logit_drivers"]
    logit = logit[logit["term"] != "const"]
    left, right = st.columns(2)
    left.plotly_chart(bar_ci_figure(logit, x="term", y="odds_ratio", ci_low="ci_low", ci_high="ci_high",
                                    labels=labels, y_title=T("odds_ratio")), key="odds_chart")
    right.plotly_chart(bar_ci_figure(logit, x="term", y="marginal_effect",
                                     ci_low="marginal_effect_ci_low", ci_high="marginal_effect_ci_high",
                                     labels=labels, y_title=T("marginal_effect")), key="me_chart")
    summ = beh["agreement_summary"]
    if len(summ):
        r = summ.iloc[0]
        st.caption(T("agreement", rho=f"{r['spearman_rho']:.2f}", p=f"{r['p_value']:.3f}",
                     verdict=value_label(r["verdict"], lang)))
    with st.expander(T("analyst_tables")):
        st.dataframe(plain_table(beh["auc"], lang, 3, labels), hide_index=True, key="auc_table")
        st.dataframe(plain_table(beh["agreement"], lang, 3, labels), hide_index=True, key="agreement_table")
        st.dataframe(plain_table(beh["calibration"], lang, 3, labels), hide_index=True, key="calibration_table")
        st.dataframe(plain_table(beh["logit_constructs"], lang, 3, labels), hide_index=True,
                     key="logit_c_table")


@st.cache_data(show_spinner=False, max_entries=64)
def _whatif(data_key: str, sha: str, changes: tuple, _survey, _frame, _result):
    return what_if(_survey, _frame, dict(changes), _result, n_boot=200, seed=0)


def whatif_section(survey, frame, key, res, lang) -> None:
    st.subheader(T("whatif"))
    st.caption(T("whatif_help"))
    labels = construct_labels(survey, lang)
    options = list(survey.driver_items) + [c for c in survey.constructs
                                           if not survey.constructs[c].binary
                                           and any(s == c for s, _ in survey.effective_paths)]
    chosen = st.multiselect(T("whatif_drivers"), options, default=options[:1], key="whatif_drivers",
                            format_func=lambda c: labels.get(c, c))
    changes = []
    cols = st.columns(max(len(chosen), 1))
    for col, c in zip(cols, chosen, strict=False):
        d = col.slider(labels.get(c, c), 0, 20, 5, key=f"whatif_{c}")
        if d:
            changes.append((c, float(d)))
    if not changes:
        return
    try:
        table = _whatif(key, survey.sha256, tuple(changes), survey, frame, res)
    except CsiError as exc:
        common.show_error(exc)
        return
    cols = st.columns(len(table))
    for col, r in zip(cols, table.itertuples(index=False), strict=False):
        unit = "%" if r.unit == "percent" else ""
        col.metric(labels.get(r.outcome, T(r.outcome) if r.outcome == "repurchase_probability" else r.outcome),
                   f"{r.predicted:.1f}{unit}", delta=f"{r.change:+.2f}")
        col.caption(T("ci95", low=f"{r.ci_low:+.2f}", high=f"{r.ci_high:+.2f}"))
