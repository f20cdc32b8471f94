"""Page 8 -- the respondent form, rendered from the survey YAML.

Public when opened with ``?survey=<id>`` (nothing else is shown); ``&t=<token>`` opens an
invitation (``csi invite``): the token's order and segment values are not asked, it answers
once, and an expired, unknown or used token gets a clear page instead of the form. The open
link (no token) is accepted when the survey's ``access.open_link`` is true, at most
``access.rate_limit`` submissions per client (hashed address) per window, with a honeypot
field against scripted submissions. ``show_if`` is honoured live; an empty submit marks each
unanswered required question and scrolls to the first; answers survive a language switch;
each submission is stored once (the submission key is a UUID per form instance, so a double
click stores one response).
"""

from __future__ import annotations

import uuid

import streamlit as st

from app_pages import common
from app_pages.form_widgets import honeypot, render_form, scroll_to
from csi.errors import CsiError
from csi.invite.open_link import RateLimitedError, submit_open
from csi.invite.ratelimit import RateLimiter, client_key
from csi.invite.registry import (
    InvitationError,
    check_token,
    invitation_answers,
    mark_opened,
    submit_with_token,
)
from csi.report.form import canonical_answers, form_layout, form_progress, missing_required
from csi.report.i18n import LANGUAGES, tr

PUBLIC = "survey" in st.query_params


def _survey():
    if PUBLIC:
        sid = st.query_params.get("survey")
        path = common.surveys_by_id().get(sid)
        return None if path is None else common.load_survey_file(path)
    return common.current_survey()


@st.cache_resource(show_spinner=False)
def _limiter(survey_id: str, limit: int, window_minutes: int) -> RateLimiter:
    """One open-link rate limiter per survey and setting, shared by every session."""
    return RateLimiter(limit, window_minutes * 60)


def _client() -> str:
    """A salted hash of the client's address (the raw address is never kept); the address as
    :func:`csi.accounts.client.client_address` reads it (``X-Forwarded-For`` only behind a
    proxy declared with ``CSI_BEHIND_PROXY=1``)."""
    from csi.accounts.client import client_address

    try:
        headers = st.context.headers
        addr = client_address(st.context.ip_address, headers.get("X-Forwarded-For") if headers else None)
    except Exception:  # noqa: BLE001 - no request context: one anonymous client
        addr = None
    # AppTest has no real request (its address is a mock object): one anonymous client
    return client_key(addr, common.store().pii_salt())


def _language(survey, langs: list[str]) -> str:
    ss = st.session_state
    if "form_lang" not in ss:
        q = st.query_params.get("lang")
        fallback = common.lang() if not PUBLIC and common.lang() in langs else survey.default_language
        ss["form_lang"] = q if q in langs else fallback
    st.radio(":material/language: Language · 语言", langs, key="form_lang", horizontal=True,
             format_func=lambda c: {"zh": "中文", "en": "English"}.get(c, c))
    return ss["form_lang"]


def _token_gate(survey, token: str, lang: str, inst: str, key: str):
    """The invitation's check, or None after drawing the page that refuses it."""
    ss = st.session_state
    try:
        from app_pages.access import vault_key_or_none

        check = check_token(common.store(), survey, token, key=vault_key_or_none())
    except CsiError as exc:
        common.show_error(exc)
        return None
    if check.state == "answered" and ss.get(f"{inst}_done") == key:
        return check  # answered in this session: the thank-you page follows
    if check.state != "valid":
        msg = {"answered": "form_already", "expired": "form_expired"}.get(check.state, "form_bad_token")
        (st.info if check.state == "answered" else st.error)(tr(msg, lang))
        return None
    if not ss.get(f"{inst}_opened"):
        mark_opened(common.store(), survey, token)
        ss[f"{inst}_opened"] = True
    return check


def main() -> None:
    ss = st.session_state
    survey = _survey()
    if survey is None:
        st.error(tr("unknown_survey", common.lang()))
        return
    langs = [lang for lang in LANGUAGES if lang in survey.languages] or list(survey.languages)
    lang = _language(survey, langs)

    token = st.query_params.get("t") if PUBLIC else None
    inst = f"form_{survey.id}_{survey.version}" + (f"_{token[:12]}" if token else "")
    ss.setdefault(f"{inst}_key", str(uuid.uuid4()))
    key = ss[f"{inst}_key"]
    prefix = f"ans_{key[:8]}_"

    st.header(survey.t(survey.title, lang))
    if not PUBLIC:
        st.caption(f"{common.T('public_link')}: `?survey={survey.id}`")

    check = None
    if token is not None:
        check = _token_gate(survey, token, lang, inst, key)
        if check is None:
            return
    elif PUBLIC and not survey.access.open_link:
        st.warning(tr("form_invite_only", lang))
        return

    if ss.get(f"{inst}_done") == key:
        st.success(tr("thank_you", lang))
        if token is None and st.button(tr("answer_again", lang), key="form_again"):
            ss[f"{inst}_key"] = str(uuid.uuid4())
            st.rerun()
        return

    if survey.description:
        st.write(survey.t(survey.description, lang))
    known = dict(check.prefill) if check is not None else {}
    sections = form_layout(survey, lang, skip=known)
    st.caption(tr("form_required_note", lang))
    progress_slot = st.empty()
    missing_shown = ss.get(f"{inst}_missing", [])
    answers = render_form(survey, sections, lang, prefix, known=known, missing=missing_shown)
    done, total = form_progress(sections, answers)
    progress_slot.progress(done / max(total, 1), text=tr("form_progress", lang, done=done, total=total))
    trap = honeypot(lang) if PUBLIC and token is None else ""

    still = [m for m in missing_required(sections, answers) if m in set(missing_shown)]
    if missing_shown and still:
        st.error(tr("form_missing_count", lang, n=len(still)))
        if ss.get(f"{inst}_scroll_done") != ss.get(f"{inst}_scroll", 0):
            scroll_to(still[0], ss.get(f"{inst}_scroll", 0))
            ss[f"{inst}_scroll_done"] = ss.get(f"{inst}_scroll", 0)

    if st.button(tr("submit", lang), key="form_submit", type="primary", width="stretch"):
        missing = missing_required(sections, answers)
        if missing:
            ss[f"{inst}_missing"] = missing
            ss[f"{inst}_scroll"] = ss.get(f"{inst}_scroll", 0) + 1
            st.rerun()
        _submit(survey, sections, answers, token, key, inst, lang, trap, check)


def _submit(survey, sections, answers, token, key, inst, lang, trap, check=None) -> None:
    ss = st.session_state
    given = canonical_answers(sections, answers)
    if check is not None:  # the invitation's order and segment values: stored, and on the case
        given = invitation_answers(survey, check, given)
    rid = None
    try:
        if token is not None:
            from app_pages.access import vault_key_or_none

            rid = submit_with_token(common.store(), survey, token, given, submission_key=key,
                                    key=vault_key_or_none())
        elif trap:  # a scripted client filled the hidden field: thank it, store nothing
            pass
        else:
            acc = survey.access
            rid = submit_open(common.store(), survey, given, submission_key=key, client=_client(),
                        limiter=_limiter(survey.id, acc.rate_limit, acc.rate_window_minutes))
    except RateLimitedError:
        st.error(tr("form_rate_limited", lang))
        return
    except InvitationError as exc:
        msg = {"answered": "form_already", "expired": "form_expired"}.get(exc.state, "form_bad_token")
        st.error(tr(msg, lang))
        return
    except CsiError as exc:
        common.show_error(exc)
        return
    if rid is not None:
        _open_case(survey, rid, given)
    ss[f"{inst}_done"] = key
    ss.pop(f"{inst}_missing", None)
    st.rerun()


def _open_case(survey, rid: str, given: dict) -> None:
    """Issue 18: open the response's follow-up case (once); consented contact kept encrypted.
    The respondent is never turned away: a problem here is logged, not shown."""
    import logging

    from app_pages.access import vault_key_or_none
    from csi.cases.intake import cases_after_submission

    try:
        cases_after_submission(common.store(), survey, rid, given, key=vault_key_or_none())
    except CsiError as exc:
        logging.getLogger(__name__).warning("follow-up case of a form response not opened: %s", exc)


main()
