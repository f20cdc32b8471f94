"""Page 2 -- Drivers: importance-performance map (construct/item level, switchable target),
repeat-purchase drivers (relative weights; odds ratios / marginal effects on actual repurchase),
what-if sliders."""

from __future__ import annotations

import streamlit as st

from app_pages import common, driver_data
from app_pages.common import T
from app_pages.drivers_more import repurchase_section, whatif_section
from csi.drivers.ipma import QUADRANTS
from csi.errors import CsiError
from csi.report.figures import ipma_figure
from csi.report.i18n import tr
from csi.report.i18n_dashboard import plain_table
from csi.report.tables import construct_labels, item_labels


def main() -> None:
    got = common.page_data()
    if got is None:
        return
    survey, frame, key, lang = got
    st.title(T("page_drivers"))
    labels = construct_labels(survey, lang) | item_labels(survey, lang)
    targets = [t for t in dict.fromkeys(t for _, t in survey.effective_paths)
               if not survey.constructs[t].binary]
    default = survey.drivers.outcome if survey.drivers and survey.drivers.outcome in targets else targets[-1]
    st.subheader(T("ipma"))
    c1, c2 = st.columns(2)
    target = c1.selectbox(T("target"), targets, index=targets.index(default), key="ipma_target",
                          format_func=lambda c: labels.get(c, c))
    level = c2.radio(T("level"), ["construct", "item"], horizontal=True, key="ipma_level",
                     format_func=lambda v, lang=lang: tr(f"level_{v}", lang))
    try:
        res = common.fit_model(survey, frame, key)
        ipma = driver_data.ipma(key, survey.sha256, target, common.n_boot_setting(), survey, frame, res)
    except CsiError as exc:
        common.show_error(exc)
        return
    table = ipma[ipma["level"] == level]
    tentative = common.small_n_note(st, res.n_obs, survey)  # issue 20: verdicts at small n
    qnames = {q: T("quadrant_" + q.replace(" ", "_")) for q in QUADRANTS}
    advice = {q: T("advice_" + q.replace(" ", "_")) for q in QUADRANTS}
    st.plotly_chart(ipma_figure(table, labels=labels, quadrant_names=qnames, advice=advice,
                                x_title=T("importance"), y_title=T("performance")), key="ipma_chart")
    with st.expander(T("analyst_tables")):
        st.dataframe(plain_table(table.drop(columns=["level", "construct"]), lang, 3, labels), hide_index=True,
                     key="ipma_table")
    for q in QUADRANTS:
        names = [labels.get(n, n) for n in table.loc[table["quadrant"] == q, "name"]]
        if names:
            note = f" {T('verdict_small_n', n=res.n_obs)}" if tentative is not None else ""
            st.markdown(f"**{qnames[q]}**{note} — {advice[q]} {', '.join(names)}")
    repurchase_section(survey, frame, key, res, lang)
    whatif_section(survey, frame, key, res, lang)


main()
