"""Comments page: what customers say -- themes, how mentioners score, theme trend, rising
themes, representative comments, disagreements with the answered complaint type, and a
searchable comment table (text scrubbed of contact data)."""

from __future__ import annotations

import streamlit as st

from app_pages import comment_data, common
from app_pages.common import T, fmt
from csi.errors import CsiError
from csi.report import comments as rc
from csi.report.tables import construct_labels, display_table
from csi.text import themes as th


@st.cache_resource(show_spinner=False, max_entries=8)  # shared and read-only: no pickling per rerun
def _analysis(data_key: str, sha: str, _survey, _frame):
    return rc.page_tables(_survey, _frame, comment_data.analysis(data_key, sha, _survey, _frame))


@st.cache_resource(show_spinner=False, max_entries=16)
def _by_segment(data_key: str, sha: str, seg: str, _survey, _frame):
    t = _analysis(data_key, sha, _survey, _frame)
    return th.themes_by(_survey, _frame, seg, t["analysis"], matrix=t["matrix"])


def main() -> None:
    got = common.page_data()
    if got is None:
        return
    survey, frame, key, lang = got
    st.title(T("page_comments"))
    try:
        t = _analysis(key, survey.sha256, survey, frame)
    except CsiError as exc:
        common.show_error(exc)
        return
    a, summary = t["analysis"], t["summary"]
    labels = rc.theme_labels(survey, lang)
    senti = {s: T(f"sentiment_{s}") for s in ("positive", "neutral", "negative")}
    c1, c2, c3 = st.columns(3)
    ov = t["overview"]
    c1.metric(T("n_comments"), f"{ov['n_comments']}")
    c2.metric(T("comment_rate"), f"{fmt(100 * ov['comment_rate'])}%")
    c3.metric(T("share_negative"), f"{fmt(100 * ov['negative'])}%")
    common.headline_note(st, int(ov["n_comments"]), survey)  # issue 20: filters and small-n
    if not len(a):
        st.info(T("no_comments"))
        return

    left, right = st.columns(2)
    with left:
        st.subheader(T("themes_chart"))
        st.plotly_chart(rc.themes_figure(summary, labels, x_title=T("share_of_comments")), key="themes_chart")
    with right:
        head = construct_labels(survey, lang).get(survey.headline_id, survey.headline_id)
        st.subheader(T("theme_score_chart", construct=head))
        st.plotly_chart(rc.theme_score_figure(summary, labels, x_title=T("theme_score_axis", construct=head)),
                        key="theme_score_chart")
        st.caption(T("theme_score_note"))
    if t["by_wave"] is not None and t["by_wave"]["group_value"].nunique() > 1:
        st.subheader(T("theme_trend"))
        st.plotly_chart(rc.theme_trend_figure(t["by_wave"], labels, y_title=T("share_of_comments"),
                                              x_title=T("wave")), key="theme_trend_chart")
        rising = t["rising"][t["rising"]["rising"]]
        if len(rising):
            for r in rising.itertuples():
                st.warning(T("theme_rising_note", theme=labels.get(r.theme, r.theme), prev=r.previous_wave,
                             wave=r.wave, before=fmt(100 * r.share_prev), after=fmt(100 * r.share_last)))
        else:
            st.caption(T("no_rising_themes"))

    segs = {q.id: survey.t(q.short or q.text, lang) for q in survey.segments if q.id in frame}
    if segs:
        st.subheader(T("themes_by_segment"))
        seg = st.selectbox(T("segment_question"), list(segs), format_func=lambda q: segs[q],
                           key="comments_segment")
        by = _by_segment(key, survey.sha256, seg, survey, frame)
        glabels = {str(o.code): survey.t(o.label, lang) for o in survey.question_map[seg].options}
        st.dataframe(rc.share_table(by, labels, glabels, T("n_comments")), key="themes_by_segment")
        st.caption(T("themes_by_segment_note"))

    st.subheader(T("theme_table"))
    show = summary.assign(theme=summary["theme"].map(lambda x: labels.get(x, x)),
                          caution=common.caution_cells(summary["n"], survey))  # issue 20
    st.dataframe(display_table(show, 2), hide_index=True, key="theme_table")

    k1, k2 = st.columns(2)
    with k1:
        st.subheader(T("keywords"))
        st.dataframe(display_table(t["keywords"], 3), hide_index=True, key="keyword_table")
    with k2:
        st.subheader(T("representative"))
        reps = t["reps"]
        for tid in [x for x in summary.sort_values("n", ascending=False)["theme"] if x in set(reps["theme"])][:5]:
            st.markdown(f"**{labels.get(tid, tid)}**")
            for c in reps[reps["theme"] == tid]["comment"]:
                st.markdown(f"> {c}")

    if t["disagree"] is not None and len(t["disagree"]):
        st.subheader(T("disagreements"))
        st.caption(T("disagreements_note"))
        d = t["disagree"]
        st.dataframe(d.assign(answered=d["answered"].map(lambda c: ", ".join(labels.get(x, x) for x in c)),
                              comment_themes=d["comment_themes"].map(lambda c: ", ".join(labels.get(x, x) for x in c)))
                     [["answered", "comment_themes", "comment"]]
                     .rename(columns={"answered": T("answered_type"), "comment_themes": T("comment_themes"),
                                      "comment": T("comment")}),
                     hide_index=True, key="disagree_table")

    st.subheader(T("comment_table"))
    f1, f2, f3 = st.columns(3)
    pick_t = common.multiselect(f1, T("filter_theme"), list(labels), format_func=lambda x: labels.get(x, x),
                            key="comments_theme")
    pick_s = common.multiselect(f2, T("filter_sentiment"), list(senti), format_func=lambda x: senti[x],
                            key="comments_sentiment")
    search = f3.text_input(T("search"), key="comments_search")
    rows = rc.filter_comments(a, themes=pick_t, sentiment=pick_s, search=search or "")
    st.caption(T("n_shown", n=min(len(rows), 500), total=len(rows)))
    st.dataframe(rc.comment_table(rows, labels, senti, {
        "wave": T("wave"), "comment": T("comment"), "themes": T("comment_themes"),
        "sentiment": T("sentiment"), "score": T("sentiment_score"), "keywords": T("keywords")}),
        hide_index=True, key="comment_table")


main()
