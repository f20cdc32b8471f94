"""Page 5 -- Model quality (for analysts): loadings, weights, reliability, HTMT, R², VIF, the
bootstrap table, specific indirect effects, PLSpredict, PLS vs CB-SEM side by side,
admissibility checks and warnings."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.common import T
from csi.errors import CsiError
from csi.estimate.analysis.indirect import mediation
from csi.estimate.analysis.predict import cvpat, predict_pls
from csi.report.i18n_dashboard import admissibility_table, plain_table
from csi.report.missing import missing_by_item, missing_statement
from csi.report.quality import compare_methods
from csi.report.tables import construct_labels, item_labels


@st.cache_data(show_spinner=False, max_entries=8)
def _predict(data_key: str, sha: str, _survey, _frame):
    return predict_pls(_survey, _frame, folds=10, reps=10, seed=0)


@st.cache_data(show_spinner=False, max_entries=8)
def _cvpat(data_key: str, sha: str, _survey, _frame):
    return cvpat(_survey, _frame, benchmark="LM", folds=10, reps=10, seed=0)


def main() -> None:
    got = common.page_data()
    if got is None:
        return
    survey, frame, key, lang = got
    labels = construct_labels(survey, lang) | item_labels(survey, lang)
    st.title(T("page_quality"))
    try:
        res = common.fit_model(survey, frame, key)
    except CsiError as exc:
        common.show_error(exc)
        return
    st.caption(T("fit_info", n=res.n_obs, n_boot=res.n_boot, method=res.method.upper(),
                 converged=T("yes") if res.converged else T("no"), n_iter=res.n_iter,
                 policy=res.missing.get("policy", ""),
                 dropped=res.missing.get("n_total", 0) - res.missing.get("n_used", 0)))
    st.write(missing_statement(res.missing, common.lang()))
    with st.expander(T("missing_by_item")):
        st.caption(T("missing_types_note"))
        st.dataframe(plain_table(missing_by_item(res.missing), lang, 3, labels), hide_index=True, key="missing_table")
    st.subheader(T("admissibility"))
    st.dataframe(admissibility_table(res.admissibility, lang), hide_index=True, key="adm_table")
    if res.warnings:
        st.subheader(T("warnings"))
        for w in res.warnings:
            st.warning(w)
    tabs = st.tabs([T("paths_table"), T("loadings"), T("weights"), T("reliability"), T("htmt"),
                    T("r2"), T("vif"), T("prediction_tab"), T("pls_vs_cbsem")])
    with tabs[0]:
        st.dataframe(plain_table(res.path_coefficients, lang, 4, labels), hide_index=True, key="paths_table")
        st.dataframe(plain_table(res.total_effects, lang, 4, labels), hide_index=True, key="total_table")
        spec, dec = mediation(res)
        if len(spec):
            st.subheader(T("specific_indirect"))
            st.dataframe(plain_table(spec.drop(columns=["mediators"]), lang, 4, labels), hide_index=True,
                         key="specific_indirect_table")
            st.subheader(T("effect_decomposition"))
            st.dataframe(plain_table(dec, lang, 4, labels), hide_index=True,
                         key="effects_table")
    with tabs[1]:
        st.dataframe(plain_table(res.loadings, lang, 3, labels), hide_index=True, key="loadings_table")
    with tabs[2]:
        st.dataframe(plain_table(res.weights, lang, 3, labels), hide_index=True, key="weights_table")
    with tabs[3]:
        st.dataframe(plain_table(res.reliability, lang, 3, labels), hide_index=True, key="reliability_table")
    with tabs[4]:
        st.dataframe(plain_table(res.htmt, lang, 3, labels), hide_index=True, key="htmt_table")
    with tabs[5]:
        st.dataframe(plain_table(res.r2, lang, 3, labels), hide_index=True, key="r2_table")
    with tabs[6]:
        for name in ("vif_inner", "vif_outer"):
            t = getattr(res, name)
            if t is not None:
                st.dataframe(plain_table(t, lang, 3, labels), hide_index=True, key=f"{name}_table")
    with tabs[7]:
        st.subheader(T("predict_title"))
        try:
            pred = _predict(key, survey.sha256, survey, frame)
        except CsiError as exc:
            common.show_error(exc)
        else:
            st.dataframe(plain_table(pred, lang, 3, labels), hide_index=True, key="predict_table")
            worse = pred.loc[pred["rmse"] > pred["lm_rmse"], "item"]
            st.caption(T("predict_caption", names=", ".join(labels.get(i, i) for i in worse) or "–"))
            st.dataframe(plain_table(_cvpat(key, survey.sha256, survey, frame), lang, 4, labels), hide_index=True,
                         key="cvpat_table")
    with tabs[8]:
        if st.toggle(T("run_cbsem"), key="run_cbsem"):
            try:
                cb = common.fit_model(survey, frame, key, method="cbsem", n_boot=0)
            except CsiError as exc:
                common.show_error(exc)
            else:
                st.dataframe(plain_table(compare_methods(res, cb), lang, 4, labels), hide_index=True,
                             key="compare_table")
                if cb.fit:
                    st.json({k: round(float(v), 4) for k, v in cb.fit.items()})
                for w in cb.warnings:
                    st.warning(w)
    from app_pages import quality_models

    quality_models.show(survey, frame, key)  # issue 16: moderation / higher order, when declared


main()
