"""csi dashboard -- the router: page config, login gate, shared sidebar, navigation.

Run: ``streamlit run app.py``. Pages live in ``app_pages/``. The public respondent form is
reached with ``?survey=<survey id>`` and shows nothing else. Manager pages need the password from
``CSI_ADMIN_PASSWORD`` / ``CSI_ADMIN_PASSWORD_HASH`` (or Streamlit secrets); with none set the app
runs in local-demo mode and says so on every page.

Settings (environment):

- ``CSI_DATABASE_URL`` -- the response store (default ``sqlite:///./var/csi.sqlite``);
- ``CSI_ADMIN_PASSWORD`` or ``CSI_ADMIN_PASSWORD_HASH`` (``pbkdf2_sha256$<iterations>$<salt_b64>$
  <hash_b64>``, made by ``csi hash-password``; see :mod:`csi.auth`), or the same keys in
  ``.streamlit/secrets.toml``;
- staff accounts (``csi users``) with roles: each role sees only its pages
  (:func:`csi.accounts.roles.pages_for`); ``CSI_SESSION_IDLE_MINUTES`` / ``CSI_SESSION_HOURS``
  end idle / old sessions; ``CSI_PII_KEY`` (environment or secrets) opens the contact vault;
- ``CSI_APP_N_BOOT`` -- default bootstrap resamples of the dashboard (500; raise it in the
  sidebar's Settings);
- ``CSI_SURVEY_DIR`` -- folder of survey YAML files (default ``surveys/``).
"""

from __future__ import annotations

import os

import streamlit as st

from app_pages import common, st_strings
from app_pages.common import T
from csi.auth import AuthConfigError, resolve_auth
from csi.errors import CsiError

st.set_page_config(page_title="csi", page_icon=":material/analytics:", layout="wide")

PAGES = [
    ("app_pages/overview.py", "page_overview", ":material/monitoring:", "overview"),
    ("app_pages/drivers.py", "page_drivers", ":material/target:", "drivers"),
    ("app_pages/complaints.py", "page_complaints", ":material/feedback:", "complaints"),
    ("app_pages/comments.py", "page_comments", ":material/forum:", "comments"),
    ("app_pages/segments.py", "page_segments", ":material/category:", "segments"),
    ("app_pages/quality.py", "page_quality", ":material/science:", "quality"),
    ("app_pages/data.py", "page_data", ":material/database:", "data"),
    ("app_pages/editor.py", "page_editor", ":material/edit_note:", "editor"),
    ("app_pages/take_survey.py", "page_form", ":material/smartphone:", "take"),
    ("app_pages/followup.py", "page_followup", ":material/call:", "followup"),  # issue 18
    ("app_pages/audit.py", "page_audit", ":material/policy:", "audit"),  # issue 18
    ("app_pages/users.py", "page_users", ":material/group:", "users"),  # issue 18
    ("app_pages/settings.py", "page_settings", ":material/settings:", "settings"),  # issue 19: alert rules
]


def _secrets() -> dict:
    try:
        return {k: st.secrets[k] for k in ("CSI_ADMIN_PASSWORD", "CSI_ADMIN_PASSWORD_HASH")
                if k in st.secrets}
    except Exception:  # noqa: BLE001 - no secrets.toml is the normal case
        return {}


def _sidebar_filters() -> None:
    survey = common.current_survey()
    if survey is None:
        return
    try:
        meta = common.responses_meta(survey)
    except CsiError as exc:
        common.show_error(exc)
        return
    st.sidebar.caption(T("response_count", n=meta["n"]))
    if meta.get("versions"):
        st.sidebar.caption(T("versions_shown", versions=", ".join(meta["versions"])))
    if not meta["n"]:
        return
    st.sidebar.subheader(T("filters"))
    common.multiselect(st.sidebar, T("waves"), meta["waves"], key="waves", placeholder=T("all_waves"))
    bounds = meta["bounds"]
    if bounds is not None:
        st.sidebar.date_input(T("date_range"), value=bounds, min_value=bounds[0],
                              max_value=bounds[1], key="date_range")
    seg_names = {q.id: survey.t(q.short or q.text, common.lang()) for q in survey.segments}
    # (no index= from the current choice as for the survey picker: a default that follows the
    # choice makes the browser send the value again, an extra rerun that closed an open list)
    seg = st.sidebar.selectbox(T("segment_by"), list(seg_names), index=None, key="segment_by",
                               placeholder=T("all"), format_func=lambda q: seg_names.get(q, q))
    if seg:
        q = survey.question_map[seg]
        labels = {str(o.code): survey.t(o.label, common.lang()) for o in q.options}
        values = meta["segments"].get(seg, [])
        if st.session_state.get("segment_value") not in values:
            st.session_state.pop("segment_value", None)
        st.sidebar.selectbox(T("segment_value"), values, key="segment_value",
                             format_func=lambda v: labels.get(v, v))
    else:
        st.session_state.pop("segment_value", None)


def _sidebar(demo: bool) -> None:
    sb = st.sidebar
    common.language_switch(sb, "language")
    files = common.surveys_by_id()
    if files:
        if st.session_state.get("survey") not in files:
            st.session_state["survey"] = "ecommerce_csi" if "ecommerce_csi" in files else next(iter(files))
        titles = {sid: common.survey_title(files, sid, common.lang()) for sid in files}
        # one widget per language: Streamlit keeps a keyed selectbox's shown label when only
        # format_func changes, so the English title stayed after switching to 中文
        pick = f"survey_pick_{common.lang()}"
        if pick in st.session_state and st.session_state[pick] != st.session_state["survey"]:
            del st.session_state[pick]  # the widget starts again from index= below

        def picked() -> None:
            st.session_state["survey"] = st.session_state[pick]

        # index= is the chosen survey, not 0: a browser that rebuilds the widget during fast
        # reruns reports its default back as a change, which switched the session to acsi
        sb.selectbox(T("survey"), list(files), key=pick, on_change=picked,
                     index=list(files).index(st.session_state["survey"]),
                     format_func=lambda sid: titles.get(sid, sid))
    _sidebar_filters()
    with sb.expander(T("settings")):
        st.number_input(T("n_boot"), min_value=50, max_value=10000, step=50, key="n_boot",
                        help=T("n_boot_help"))
    if not demo:  # issue 18: log-out ends the session in the store, not only in this browser
        from app_pages.access import client_address, current_user, role_label
        from csi.accounts.login import logout

        user, role = current_user()
        sb.caption(T("signed_in_as", user=user, role=role_label(role)))
        if sb.button(T("logout"), key="logout"):
            logout(common.store(), st.session_state.pop("csi_session", None), client=client_address())
            for k in ("user", "role"):
                st.session_state.pop(k, None)
            st.rerun()


def main() -> None:
    common.limit_blas_threads()
    ss = st.session_state
    ss.setdefault("lang", common.DEFAULT_LANG)
    ss.setdefault("n_boot", int(os.environ.get("CSI_APP_N_BOOT", "500")))

    if "survey" in st.query_params:  # the public respondent form, nothing else
        nav = st.navigation([st.Page("app_pages/take_survey.py", title=T("page_form"),
                                     url_path="take", default=True)], position="hidden")
        nav.run()
        return

    st_strings.no_results()  # Streamlit's "No results" in the UI language
    try:
        auth = resolve_auth(os.environ, _secrets())
    except AuthConfigError as exc:
        st.error(T("auth_config_error", error=exc))
        st.stop()
    # issue 18: staff accounts -- the session's user and role decide which pages exist
    from csi.accounts.login import login_required, resume
    from csi.accounts.roles import pages_for

    try:
        store = common.store()
        demo = not login_required(store, auth)
    except CsiError as exc:
        common.show_error(exc)
        st.stop()
    if demo:
        ss["user"], ss["role"] = "demo", "admin"
    else:
        token = ss.get("csi_session")
        session = resume(store, token)
        if session is None:
            from app_pages.login import login_page

            ss.pop("csi_session", None)
            ss.pop("user", None)
            ss.pop("role", None)
            # every page's address shows the login, so a deep link (/data) survives it: after
            # the rerun the same address is the real page (page identity is its url path)
            def show_login() -> None:
                login_page(auth, store, ended=token is not None)

            login = [st.Page(show_login, title=T("login_title"), url_path="login", default=True)]
            login += [st.Page(show_login, title=T(key), url_path=url) for _, key, _, url in PAGES
                      if url != "take"]
            st.navigation(login, position="hidden").run()
            return
        ss["user"], ss["role"] = session.username, session.role

    allowed = pages_for(ss["role"])
    mine = [p for p in PAGES if p[3] in allowed]
    default = "overview" if "overview" in allowed else mine[0][3]
    pages = [st.Page(path, title=T(key), icon=icon, url_path=url, default=(url == default))
             for path, key, icon, url in mine]
    nav = st.navigation(pages, expanded=True)  # every page listed: no untranslated "View N more"
    if demo:
        st.warning(T("demo_mode"), icon=":material/warning:")
    _sidebar(demo)
    nav.run()


main()
