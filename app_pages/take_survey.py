"""Page 8 -- the respondent form, rendered from the survey YAML.

Public when opened with ``?survey=<id>`` (nothing else is shown). ``show_if`` is honoured live,
required answers are enforced, and each submission is stored once: the submission key is a
UUID kept in ``st.session_state`` per form instance, so a double click stores one response.
"""

from __future__ import annotations

import uuid

import streamlit as st

from app_pages import common
from app_pages.form_widgets import render_form
from csi.errors import CsiError
from csi.report.form import canonical_answers, form_layout, missing_required
from csi.report.i18n import LANGUAGES, tr

PUBLIC = "survey" in st.query_params


def _survey():
    if PUBLIC:
        sid = st.query_params.get("survey")
        path = common.surveys_by_id().get(sid)
        return None if path is None else common.load_survey_file(path)
    return common.current_survey()


def main() -> None:
    ss = st.session_state
    survey = _survey()
    if survey is None:
        st.error(tr("unknown_survey", common.lang()))
        return
    langs = [lang for lang in LANGUAGES if lang in survey.languages] or list(survey.languages)
    if "form_lang" not in ss:
        q = st.query_params.get("lang")
        fallback = common.lang() if not PUBLIC and common.lang() in langs else survey.default_language
        ss["form_lang"] = q if q in langs else fallback
    st.radio(":material/language: Language · 语言", langs, key="form_lang", horizontal=True,
             format_func=lambda c: {"zh": "中文", "en": "English"}.get(c, c))
    lang = ss["form_lang"]

    inst = f"form_{survey.id}_{survey.version}"
    ss.setdefault(f"{inst}_key", str(uuid.uuid4()))
    key = ss[f"{inst}_key"]
    prefix = f"ans_{key[:8]}_"

    st.header(survey.t(survey.title, lang))
    if not PUBLIC:
        st.caption(f"{common.T('public_link')}: `?survey={survey.id}`")

    if ss.get(f"{inst}_done") == key:
        st.success(tr("thank_you", lang))
        if st.button(tr("answer_again", lang), key="form_again"):
            ss[f"{inst}_key"] = str(uuid.uuid4())
            st.rerun()
        return

    if survey.description:
        st.write(survey.t(survey.description, lang))
    sections = form_layout(survey, lang)
    answers = render_form(survey, sections, lang, prefix)

    if st.button(tr("submit", lang), key="form_submit", type="primary", use_container_width=True):
        missing = missing_required(sections, answers)
        if missing:
            texts = {f.id: f.text for s in sections for f in s.fields}
            st.error(tr("required_missing", lang, fields="; ".join(texts[m] for m in missing)))
            return
        given = canonical_answers(sections, answers)
        try:
            rid = common.store().submit_response(survey, given, submission_key=key)
        except CsiError as exc:
            common.show_error(exc)
            return
        _open_case(survey, rid, given)
        ss[f"{inst}_done"] = key
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
