"""Segments page, NPS part (issue 19): the Net Promoter Score of each group of the chosen
segment question or wave, with its adjusted-Wald CI and the promoter/passive/detractor shares
(:func:`csi.drivers.nps.nps_by`). Drawn only when the survey has a 0-10 recommendation question."""

from __future__ import annotations

import streamlit as st

from app_pages import common, store_facts
from app_pages.common import T
from csi.drivers.nps import nps_by, nps_question
from csi.errors import CsiError
from csi.report.figures import bar_ci_figure
from csi.report.i18n_dashboard import column_label, plain_table


@st.cache_data(show_spinner=False, max_entries=16)
def _nps_by(data_key: str, sha: str, by: str, _survey, _frame):
    return nps_by(_survey, _frame, by)


def show(survey, frame, key: str, by: str, glabels: dict) -> None:
    """NPS by ``by`` (``wave`` or a segment question id): chart with CIs and the table."""
    qid = nps_question(survey)
    if qid is None or qid not in frame:
        return
    try:
        from csi.report.store_view import nps_columns

        counted = store_facts.counted_frame(survey, frame, nps_columns(survey))  # issue 15: every response
        table = _nps_by(key, survey.sha256, by, survey, counted)
    except CsiError as exc:
        common.show_error(exc)
        return
    table = table[table["n"] > 0]
    if not len(table):
        return
    st.subheader(T("nps_by_group"))
    lang = common.lang()
    shown = table.assign(group=table["group_value"].map(lambda g: glabels.get(g, g)))
    st.plotly_chart(bar_ci_figure(shown, x="group", y="nps", ci_low="ci_low", ci_high="ci_high",
                                  x_title=column_label("group", lang), y_title=T("nps"), horizontal=True),
                    key="segments_nps_chart")
    cols = ["group", "n", "nps", "ci_low", "ci_high", "promoters", "passives", "detractors"]
    marks = common.caution_cells(shown["n"], survey)  # issue 20: the survey's small-n rule per group
    # plain headings in the page's language (csi.report.i18n_dashboard); numbers as nps_by gives them, 3 d.p.
    st.dataframe(plain_table(shown[cols].assign(caution=marks), lang, 3, glabels),
                 hide_index=True, key="segments_nps_table")
    st.caption(T("nps_by_group_note"))
