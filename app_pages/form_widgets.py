"""Widgets of the respondent form (shared by the public form and the survey editor preview)."""

from __future__ import annotations

import streamlit as st

from csi.report.form import FormField, FormSection, is_visible, scale_choices
from csi.report.i18n import tr


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def widget(f: FormField, key: str, lang: str, survey) -> None:
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



def render_form(survey, sections: list[FormSection], lang: str, prefix: str) -> dict[str, object]:
    """Render every visible field (``show_if`` honoured live); return the answers so far."""
    answers: dict[str, object] = {}
    for sec in sections:
        if not any(is_visible(f, answers) for f in sec.fields):
            continue
        st.subheader(sec.title)
        for f in sec.fields:
            if not is_visible(f, answers):
                continue
            widget(f, prefix + f.id, lang, survey)
            answers[f.id] = st.session_state.get(prefix + f.id)
    return answers
