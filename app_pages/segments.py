"""Page 4 -- Segments & trends: index per segment or wave with CIs, small-n flags, and the
difference between two groups with permutation p-values (Holm-adjusted), bootstrap CIs and
the MICOM measurement-invariance verdict of each construct."""

from __future__ import annotations

import warnings

import streamlit as st

from app_pages import common, segments_nps
from app_pages.common import T
from csi.drivers.segments import compare_groups, group_results
from csi.errors import CsiError
from csi.estimate.waves import trend_table
from csi.report.figures import bar_ci_figure
from csi.report.i18n_dashboard import plain_table, value_label
from csi.report.scope import wave_rows
from csi.report.tables import construct_labels, option_labels


@st.cache_data(show_spinner=False, max_entries=16)
def _groups(data_key: str, sha: str, by: str, _survey, _frame, _result):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = group_results(_survey, _frame, by, _result)
    return out, [str(w.message) for w in rec]


@st.cache_data(show_spinner=False, max_entries=32)
def _compare(data_key: str, sha: str, by: str, a: str, b: str, n_boot: int, _survey, _frame, _result):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = compare_groups(_survey, _frame, by, a, b, _result, n_perm=n_boot, n_boot=n_boot, seed=0)
    return out, [str(w.message) for w in rec]


def main() -> None:
    got = common.page_data()
    if got is None:
        return
    survey, frame, key, lang = got
    st.title(T("page_segments"))
    labels = construct_labels(survey, lang)
    seg_names = {"wave": T("wave")} | {q.id: survey.t(q.short or q.text, lang) for q in survey.segments}
    by = st.selectbox(T("segment_question"), list(seg_names), key="segments_by",
                      format_func=lambda b: seg_names.get(b, b))
    glabels = option_labels(survey, by, lang)
    try:
        res = common.fit_model(survey, frame, key)
        table, warns = _groups(key, survey.sha256, by, survey, frame, res)
        if by == "wave":  # the Overview's per-wave fits: a wave's index is one number on every page
            table = wave_rows(table, trend_table(common.fit_waves(survey, frame, key).groups))
    except CsiError as exc:
        common.show_error(exc)
        return
    for w in warns:
        st.warning(w)
    cons = table[table["kind"] == "construct"]
    binary = [c for c, spec in survey.constructs.items() if spec.binary]
    plot = cons[~cons["name"].isin(binary)].assign(group=lambda d: d["group"].map(lambda g: glabels.get(g, g)))
    fig = bar_ci_figure(plot, x="name", y="mean", ci_low="ci_low", ci_high="ci_high", color="group",
                        labels=labels, y_title=T("index"), horizontal=False)
    st.plotly_chart(fig, key="segments_chart")
    shown = table.drop(columns=["by"], errors="ignore").assign(
        caution=common.caution_cells(table["n"], survey))  # issue 20
    with st.expander(T("analyst_tables")):
        st.dataframe(plain_table(shown, lang, 2, labels | glabels), hide_index=True, key="segments_table")
    sizes = table.drop_duplicates("group").set_index("group")["n"]
    for g, n in sizes.items():  # issue 20: the survey's small-n rule, per segment
        if common.caution_cells([n], survey)[0]:
            st.markdown(f"**{glabels.get(g, g)}**")
            common.small_n_note(st, int(n), survey)
    segments_nps.show(survey, frame, key, by, glabels)  # issue 19: NPS per group

    groups = list(dict.fromkeys(table["group"]))
    if len(groups) < 2:
        return
    st.subheader(T("pairwise"))
    c1, c2 = st.columns(2)
    a = c1.selectbox(T("group_a"), groups, index=len(groups) - 1, key="segments_a",
                     format_func=lambda g: glabels.get(g, g))
    b = c2.selectbox(T("group_b"), groups, index=len(groups) - 2, key="segments_b",
                     format_func=lambda g: glabels.get(g, g))
    if a == b:
        return
    try:
        diff, warns = _compare(key, survey.sha256, by, a, b, common.n_boot_setting(), survey, frame, res)
    except CsiError as exc:
        common.show_error(exc)
        return
    for w in warns:
        st.warning(w)
    diff = diff.assign(name=diff["name"].map(lambda n: labels.get(n, n)),
                       significant=diff["p_adjusted"] < 0.05)
    st.dataframe(plain_table(diff, lang, 3, labels | glabels), hide_index=True, key="pairwise_table")
    sig = diff[diff["significant"]]
    st.caption(T("sig_diffs_holm", a=glabels.get(a, a), b=glabels.get(b, b),
                 names=", ".join(f"{n} ({d:+.2f})" for n, d in zip(sig["name"], sig["difference"], strict=False))
                 or "–"))
    weak = diff[(diff["kind"] == "construct") & diff["invariance"].notna() & (diff["invariance"] != "full")]
    st.caption(T("micom_caption", names=", ".join(f"{n} ({value_label(v, lang)})" for n, v in
                                                  zip(weak["name"], weak["invariance"], strict=True)) or "–"))


main()
