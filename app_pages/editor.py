"""Page 7 -- Survey editor: YAML with live validation (line:column), a preview rendered as
respondents see it, and save as a new survey version."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.common import T
from app_pages.form_widgets import render_form
from csi.errors import CsiError
from csi.report.editor import check_yaml, save_survey_version
from csi.report.form import form_layout
from csi.report.i18n import LANGUAGES


def main() -> None:
    survey = common.current_survey()
    if survey is None:
        st.warning(T("no_surveys"))
        return
    st.title(T("page_editor"))
    text_key = f"editor_text_{survey.id}"
    st.session_state.setdefault(text_key, survey.source_text)
    left, right = st.columns(2)
    with left:
        text = st.text_area(T("yaml"), key=text_key, height=640)
        parsed, issues = check_yaml(text)
        if issues:
            st.error(T("invalid", n=len(issues)) + "\n" + "\n".join(
                f"- `{i.line or '?'}:{i.column or '?'}` {i.path + ': ' if i.path else ''}{i.message}"
                for i in issues[:50]))
        else:
            st.success(T("valid"))
            if st.button(T("save_version"), key="editor_save", disabled=parsed is None):
                try:
                    saved, path = save_survey_version(text, common.survey_dir())
                except CsiError as exc:
                    if parsed is not None and "already exists" in str(exc):
                        st.error(T("version_exists", version=parsed.version))
                    else:
                        common.show_error(exc)
                else:
                    try:
                        common.store().save_survey(saved)
                    except CsiError as exc:
                        common.show_error(exc)
                    st.success(T("saved", file=path.name, version=saved.version))
    with right:
        st.subheader(T("preview"))
        if parsed is not None:
            langs = [c for c in LANGUAGES if c in parsed.languages] or list(parsed.languages)
            plang = st.radio(":material/language: Language · 语言", langs, horizontal=True, key="editor_preview_lang",
                             format_func=lambda c: {"zh": "中文", "en": "English"}.get(c, c))
            with st.container(border=True):
                st.markdown(f"### {parsed.t(parsed.title, plang)}")
                if parsed.description:
                    st.write(parsed.t(parsed.description, plang))
                render_form(parsed, form_layout(parsed, plang), plang, "preview_")


main()
