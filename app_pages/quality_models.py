"""Model-quality page, extended models (issue 16): the moderated paths with simple slopes when
the survey declares ``interactions:``, and the higher-order model (paths, lower- and
higher-order measurement quality) when it declares ``higher_order:``. Numbers from
:func:`csi.estimate.pls.moderation.fit_moderation` and
:func:`csi.estimate.pls.higher_order.fit_higher_order`; nothing is drawn for a survey with neither."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.common import T
from csi.errors import CsiError
from csi.report.tables import display_table


@st.cache_resource(show_spinner=False, max_entries=8)
def _moderation(data_key: str, sha: str, _survey, _frame):
    from csi.estimate.pls.moderation import fit_moderation

    return fit_moderation(_survey, _frame)


@st.cache_resource(show_spinner=False, max_entries=8)
def _higher_order(data_key: str, sha: str, _survey, _frame):
    from csi.estimate.pls.higher_order import fit_higher_order, higher_order_model

    return fit_higher_order(data=_frame, **higher_order_model(_survey))


def show(survey, frame, key: str) -> None:
    """Draw the moderation and higher-order sections the survey asks for."""
    if survey.interactions:
        st.subheader(T("moderation_title"))
        try:
            m = _moderation(key, survey.sha256, survey, frame)
        except CsiError as exc:
            common.show_error(exc)
        else:
            st.dataframe(display_table(m.paths, 4), hide_index=True, key="moderation_paths")
            st.caption(T("simple_slopes"))
            st.dataframe(display_table(m.simple_slopes, 4), hide_index=True, key="moderation_slopes")
    if survey.higher_order:
        st.subheader(T("higher_order_title"))
        try:
            h = _higher_order(key, survey.sha256, survey, frame)
        except CsiError as exc:
            common.show_error(exc)
        else:
            st.dataframe(display_table(h.paths, 4), hide_index=True, key="hoc_paths")
            for level, part in (("lower", h.lower_order), ("higher", h.higher_order)):
                for name in ("reliability", "loadings", "weights"):
                    table = part.get(name)
                    if table is not None and len(table):
                        st.caption(T(f"hoc_{level}") + " · " + T(name))
                        st.dataframe(display_table(table, 4), hide_index=True, key=f"hoc_{level}_{name}")
