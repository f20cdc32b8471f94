"""Page 8 -- the respondent form, rendered from the survey YAML.

Public when opened with ``?survey=<id>`` (nothing else is shown). ``show_if`` is honoured live,
required answers are enforced, and each submission is stored once: the submission key is a
UUID kept in ``st.session_state`` per form instance, so a double click stores one response.
"""

from __future__ import annotations

import uuid

import streamlit as st

from app_pages import common
from csi.errors import CsiError
from csi.report.form import (
    FormField,
    canonical_answers,
    form_layout,
    is_visible,
    missing_required,
    scale_choices,
)
from csi.report.i18n import LANGUAGES, tr

PUBLIC = "survey" in st.query_params


def _survey():
    if PUBLIC:
        sid = st.query_params.get("survey")
        path = common.surveys_by_id().get(sid)
        return None if path is None else common.load_survey_file(path)
    return common.current_survey()


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _widget(f: FormField, key: str, lang: str, survey) -> None:
    label = f.text + (" *" if f.required else "")
    if f.kind == "likert":
        sc = f.scale
        names = {float(p): survey.t(t, lang) for p, t in sc.labels.items()}
        dk = float(sc.dont_know) if sc.dont_know is not None else None

        def show(v: float) -> str:
            if dk is not None and v == dk:
                return survey.t(sc.dont_know_label, lang) or "?"
            return _num(v)

        st.radio(label, scale_choices(sc), index=None, horizontal=True, key=key, format_func=show)
        if names:
            ends = " · ".join(f"{_num(p)} = {t}" for p, t in sorted(names.items()))
            st.caption(ends)
    elif f.kind == "yes_no":
        names = {}
        if f.scale is not None:
            names = {float(p): survey.t(t, lang) for p, t in f.scale.labels.items()}
        st.radio(label, [1.0, 0.0], index=None, horizontal=True, key=key,
                 format_func=lambda v: names.get(v) or tr("yes" if v == 1.0 else "no", lang))
    elif f.kind == "choice":
        names = dict(f.options)
        st.radio(label, list(names), index=None, key=key, format_func=lambda c: names.get(c, c))
    elif f.kind == "multi":
        names = dict(f.options)
        groups = dict(f.group_labels)
        st.multiselect(label, list(names), key=key, placeholder=tr("select_placeholder", lang),
                       format_func=lambda c: f"{groups[c]} · {names[c]}" if c in groups else names[c])
    elif f.kind == "number":
        st.number_input(label, value=None, min_value=f.min, max_value=f.max, key=key)
    elif f.kind == "date":
        st.date_input(label, value=None, key=key)
    else:
        st.text_area(label, key=key, height=80)


def main() -> None:
    ss = st.session_state
    survey = _survey()
    if survey is None:
        st.error(tr("unknown_survey", common.lang()))
        return
    langs = [lang for lang in LANGUAGES if lang in survey.languages] or list(survey.languages)
    if "form_lang" not in ss:
        q = st.query_params.get("lang")
        ss["form_lang"] = q if q in langs else (common.lang() if common.lang() in langs
                                                 else survey.default_language)
    st.radio("🌐", langs, key="form_lang", horizontal=True,
             format_func=lambda c: {"zh": "中文", "en": "English"}.get(c, c))
    lang = ss["form_lang"]

    inst = f"form_{survey.id}_{survey.version}"
    ss.setdefault(f"{inst}_key", str(uuid.uuid4()))
    key = ss[f"{inst}_key"]
    prefix = f"ans_{key[:8]}_"

    st.title(survey.t(survey.title, lang))
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
    answers: dict[str, object] = {}
    for sec in sections:
        shown = [f for f in sec.fields if is_visible(f, answers)]
        if not shown:
            continue
        st.subheader(sec.title)
        for f in sec.fields:
            if not is_visible(f, answers):
                continue
            _widget(f, prefix + f.id, lang, survey)
            answers[f.id] = ss.get(prefix + f.id)

    if st.button(tr("submit", lang), key="form_submit", type="primary", use_container_width=True):
        missing = missing_required(sections, answers)
        if missing:
            texts = {f.id: f.text for s in sections for f in s.fields}
            st.error(tr("required_missing", lang, fields="; ".join(texts[m] for m in missing)))
            return
        try:
            common.store().submit_response(survey, canonical_answers(sections, answers),
                                           submission_key=key)
        except CsiError as exc:
            common.show_error(exc)
            return
        ss[f"{inst}_done"] = key
        st.rerun()


main()
