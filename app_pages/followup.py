"""Follow-up -- the list of customers to call back: my cases, overdue first, filters, bulk
assign, export (masked), and one case at a time: reveal the contact (reason logged), update
the status, add a note, read the history. Every rule and permission lives in ``csi.cases``."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.access import client_address, current_user, vault_key_or_none
from app_pages.common import T
from csi.accounts.roles import can
from csi.accounts.users import ENV_ADMIN, list_users
from csi.cases.store import TRANSITIONS, case_history, filter_cases, get_case, list_cases
from csi.cases.workflow import Actor, assign_cases, export_cases, reveal_contact, update_case
from csi.errors import CsiError
from csi.report.followup import case_table, reason_text
from csi.report.tables import construct_labels, option_labels


def _filters(survey, frame, role):
    lang = common.lang()
    c = st.columns(4)
    ctq = next((q for q in survey.questions if q.role == "complaint_type"), None)
    types = [o.code for o in ctq.options] if ctq else []
    tlabels = option_labels(survey, ctq.id, lang) if ctq else {}
    ctype = c[0].selectbox(T("fu_type"), types, index=None, key="fu_type", placeholder=T("fu_any"),
                           format_func=lambda t: tlabels.get(str(t), str(t)))
    segs = {q.id: survey.t(q.short or q.text, lang) for q in survey.segments}
    seg = c[1].selectbox(T("fu_segment"), list(segs), index=None, key="fu_segment", placeholder=T("fu_any"),
                         format_func=lambda q: segs.get(q, q))
    seg_value = None
    if seg:
        vlabels = option_labels(survey, seg, lang)
        seg_value = c[1].selectbox(T("fu_segment_value"), list(vlabels), key="fu_segment_value",
                                   format_func=lambda v: vlabels.get(v, v))
    waves = sorted(frame["wave"].dropna().unique().tolist()) if len(frame) else []
    wave = common.multiselect(c[2], T("fu_wave"), waves, key="fu_wave", placeholder=T("fu_any"))
    owner = None
    if role == "admin":
        owners = ["-"] + sorted(frame["owner"].dropna().unique().tolist()) if len(frame) else ["-"]
        none = T("fu_unassigned")  # not T() inside format_func: it may run outside the script
        owner = c[3].selectbox(T("fu_owner"), owners, index=None, key="fu_owner", placeholder=T("fu_any"),
                               format_func=lambda o: none if o == "-" else o)
    overdue = st.toggle(T("fu_overdue"), key="fu_overdue_only")
    return filter_cases(frame, complaint_type=ctype, segment=(seg, seg_value) if seg and seg_value else None,
                        wave=wave or None, owner=owner, overdue_only=overdue)


def _bulk_assign(store, shown, actor) -> None:
    with st.expander(T("fu_bulk")):
        agents = [ENV_ADMIN] + [r.username for r in list_users(store).itertuples()
                                if not r.disabled and r.role in ("agent", "admin")]
        ids = common.multiselect(st, T("fu_bulk_cases"), shown["case_id"].tolist(), key="fu_bulk_ids",
                             format_func=lambda i: f"#{i}")
        to = st.selectbox(T("fu_assign_to"), agents, key="fu_assign_to")
        if st.button(T("fu_assign"), key="fu_assign_button", disabled=not ids):
            try:
                n = assign_cases(store, ids, to, actor=actor)
            except CsiError as exc:
                common.show_error(exc)
                return
            st.success(T("fu_assigned", n=n, owner=to))


def _export(store, shown, actor) -> None:
    if st.button(T("fu_export"), key="fu_export"):
        try:
            out = export_cases(store, shown, actor=actor)
        except CsiError as exc:
            common.show_error(exc)
            return
        from csi.io.export import neutralize_formulas

        st.download_button(T("fu_download"), neutralize_formulas(out).to_csv(index=False).encode("utf-8-sig"),
                           file_name="followup-cases.csv", mime="text/csv", key="fu_download")


def _case(store, survey, case_id, actor) -> None:
    lang = common.lang()
    case = get_case(store, case_id)
    summ = case["summary"]
    st.subheader(T("fu_case_title", id=case_id))
    late = " · " + T("fu_overdue") if case["overdue"] else ""
    st.caption(f"{T('status_' + case['status'])} · {T('fu_owner')}: {case['owner'] or T('fu_unassigned')} · "
               f"{T('fu_due', due=case['due_at'][:16].replace('T', ' '))}{late}")
    st.markdown(f"**{T('fu_reasons')}:** " + "; ".join(reason_text(survey, r, lang) for r in case["reasons"]))
    labels = construct_labels(survey, lang)
    scores = {labels.get(k, k): common.fmt(v) for k, v in (summ.get("scores") or {}).items()
              if k in survey.constructs and not survey.constructs[k].binary}
    st.markdown(f"**{T('fu_scores')}:** " + " · ".join(f"{k} {v}" for k, v in scores.items()))
    if summ.get("complaint_types"):
        ctq = next((q for q in survey.questions if q.role == "complaint_type"), None)
        tl = option_labels(survey, ctq.id, lang) if ctq else {}
        st.markdown(f"**{T('fu_type')}:** " + ", ".join(tl.get(t, t) for t in summ["complaint_types"]))
    if summ.get("comment"):
        st.markdown(f"**{T('fu_comment')}:** {summ['comment']}")
    contact = case["contact"]
    st.markdown(f"**{T('fu_contact')}:** {contact or T('fu_no_contact')}")
    if contact and can(actor.role, "reveal_contact", user=actor.username, owner=case["owner"]):
        with st.form(f"reveal_{case_id}", clear_on_submit=True):
            reason = st.text_input(T("fu_reveal_reason"), key="fu_reveal_reason")
            go = st.form_submit_button(T("fu_reveal"))
        if go:
            try:
                values = reveal_contact(store, case_id, actor=actor, reason=reason, key=vault_key_or_none())
            except CsiError as exc:
                common.show_error(exc)
            else:
                st.success(T("fu_revealed") + " " + " · ".join(values.values()))
    if can(actor.role, "update_case", user=actor.username, owner=case["owner"]):
        nxt = list(TRANSITIONS[case["status"]])
        with st.form(f"update_{case_id}", clear_on_submit=True):
            names = {s: T("status_" + s) for s in nxt} | {None: T("fu_keep_status")}
            status = st.selectbox(T("fu_new_status"), [None] + nxt, key="fu_new_status",
                                  format_func=lambda s: names[s])
            note = st.text_area(T("fu_note"), key="fu_note")
            save = st.form_submit_button(T("fu_save"))
        if save:
            try:
                done = update_case(store, case_id, actor=actor, status=status, note=note)
            except CsiError as exc:
                common.show_error(exc)
            else:
                st.session_state["fu_flash"] = T("fu_saved", id=case_id, status=T("status_" + done["status"]))
                st.rerun()
    st.markdown(f"**{T('fu_history')}**")
    st.dataframe(case_history(store, case_id), hide_index=True, key="fu_history_table")


def main() -> None:
    st.title(T("page_followup"))
    survey = common.current_survey()
    if survey is None:
        st.warning(T("no_surveys"))
        return
    if survey.followup is None:
        st.info(T("fu_not_configured"))
        return
    user, role = current_user()
    actor = Actor(user, role, client_address())
    store = common.store()
    flash = st.session_state.pop("fu_flash", None)
    if flash:
        st.success(flash)
    try:
        frame = list_cases(store, survey.id)
    except CsiError as exc:
        common.show_error(exc)
        return
    mine_only = role == "agent" or st.toggle(T("fu_my_cases"), key="fu_mine")
    if mine_only:
        frame = filter_cases(frame, owner=user)
    shown = _filters(survey, frame, role)
    c = st.columns(2)
    c[0].metric(T("fu_open_cases"), len(shown))
    c[1].metric(T("fu_overdue"), int(shown["overdue"].sum()) if len(shown) else 0)
    if not len(shown):
        st.info(T("fu_none"))
        return
    st.dataframe(case_table(shown, lang=common.lang(), survey=survey), hide_index=True, key="fu_table")
    if role == "admin":
        _bulk_assign(store, shown, actor)
    _export(store, shown, actor)
    ids = shown["case_id"].tolist()
    labels = {r.case_id: f"#{r.case_id} · {T('status_' + r.status)}" + (f" · {T('fu_overdue')}" if r.overdue else "")
              for r in shown.itertuples()}
    chosen = st.selectbox(T("fu_open_case"), ids, index=None, key="fu_case", placeholder=T("fu_open_case"),
                          format_func=lambda i: labels.get(i, f"#{i}"))
    if chosen is not None:
        _case(store, survey, int(chosen), actor)


main()
