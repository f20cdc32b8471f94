"""Data page, response tracking (issue 20): invitations sent, opened and completed, response
rates by wave and channel, and the survey's full open link with its QR code for download.

Numbers come from :mod:`csi.invite` (``invitation_status``, ``response_rates``); this module
only renders them."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from app_pages import common
from app_pages.common import T, fmt
from csi.errors import CsiError
from csi.invite import form_url, invitation_status, qr_png, response_rates
from csi.report.tables import display_table, option_labels


def _base_url() -> str | None:
    """``CSI_PUBLIC_URL`` when set, else the address this page was opened at."""
    import os

    if os.environ.get("CSI_PUBLIC_URL", "").strip():
        return None  # form_url reads it
    try:
        parts = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001 - no request context (AppTest)
        return None
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


@st.cache_data(show_spinner=False, max_entries=8)
def _qr(url: str) -> bytes:
    return qr_png(url)


def open_link_section(survey) -> None:
    """The full public link and its QR code (PNG download), or why there is none."""
    if not survey.access.open_link:
        st.info(T("public_link_closed"))
        return
    url = form_url(survey.id, base=_base_url())
    st.markdown(f"**{T('public_link_full')}**")
    st.code(url, language=None)
    png = _qr(url)
    c1, c2 = st.columns([1, 3])
    c1.image(png, width=160)
    c2.download_button(T("download_qr"), png, file_name=f"{survey.id}-qr.png", mime="image/png",
                       key="dl_qr")


def tracking_section(survey) -> None:
    """Invitations sent / opened / completed and the response rate, overall and by wave and
    channel."""
    st.subheader(T("invitations"))
    try:
        # order numbers are the cases' reference: masked for everyone (issue 18 reveals contact
        # data one case at a time, logged -- never a whole list)
        status = invitation_status(common.store(), survey)
    except CsiError as exc:
        common.show_error(exc)
        return
    if status.empty:
        import os

        rel = os.path.relpath(survey.source_file, common.ROOT) if survey.source_file else survey.id
        st.caption(T("inv_none", survey=rel))
    else:
        total = response_rates(status).iloc[0]
        c = st.columns(4)
        c[0].metric(T("inv_sent"), int(total["sent"]))
        c[1].metric(T("inv_opened"), int(total["opened"]))
        c[2].metric(T("inv_completed"), int(total["completed"]))
        c[3].metric(T("inv_rate"), f"{fmt(100 * total['response_rate'])}%")
        names = {"wave": T("wave"), "channel": T("inv_channel")}
        by = st.radio(T("inv_by"), ["wave", "channel"], horizontal=True, key="inv_by",
                      format_func=lambda k: names[k])
        table = response_rates(status, by)
        if by == "channel" and "channel" in survey.question_map:
            labels = option_labels(survey, "channel", common.lang())
            table = table.assign(channel=table["channel"].map(lambda c: labels.get(c, c)))
        st.dataframe(display_table(table, 3), hide_index=True, key="inv_rates")
        with st.expander(T("inv_list")):  # who answered: one row per invitation, no tokens
            shown = status.drop(columns=["respondent_id"])
            st.dataframe(shown, hide_index=True, key="inv_list")
            st.download_button(T("inv_download"), shown.to_csv(index=False).encode("utf-8-sig"),
                               file_name=f"{survey.id}-invitations.csv", mime="text/csv",
                               key="dl_invitations")
    open_link_section(survey)
