"""Streamlit's own English strings in the UI language, where Streamlit takes no text for them.

"Select all" in multiselects is dropped (:func:`app_pages.common.multiselect`) and the text
boxes' typing hint hidden (the form's CSS); this module draws the rest over with a style --
the English text hidden (``visibility`` also takes it out of the accessibility tree) and the
translation drawn in its place as generated content. ``st.html`` with only a ``<style>`` takes
no layout space. Selectors use Streamlit's ``data-testid`` attributes, react-aria's ``role`` /
``data-empty`` and the ``st-key-<key>`` class of keyed widgets, never its generated class
names, so they survive Streamlit's style rebuilds (checked on Streamlit 1.67, e2e test
``tests/e2e/test_streamlit_strings_browser.py``).
"""

from __future__ import annotations

import json

import streamlit as st

from app_pages.common import T, lang

__all__ = ["no_results", "file_uploader"]


def _css_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


#: Streamlit's untranslated "No results" (a selectbox or multiselect whose search matches no
#: option) written over in the UI language: the English text is hidden (``visibility`` also
#: takes it out of the accessibility tree) and the translation drawn in its place. The empty
#: list is react-aria's ``[role=listbox][data-empty]`` in Streamlit's dropdowns, not one of its
#: generated class names, so the rule survives Streamlit's style rebuilds.
_NO_RESULTS_CSS = """<style>
[data-testid="stSelectboxVirtualDropdown"] [role="listbox"][data-empty="true"] [role="option"] > span,
[data-testid="stMultiSelectDropdown"] [role="listbox"][data-empty="true"] [role="option"] > span {
  visibility: hidden; position: relative; }
[data-testid="stSelectboxVirtualDropdown"] [role="listbox"][data-empty="true"] [role="option"] > span::after,
[data-testid="stMultiSelectDropdown"] [role="listbox"][data-empty="true"] [role="option"] > span::after {
  content: %s; visibility: visible; position: absolute; inset: 0; display: flex;
  align-items: center; justify-content: center; }
</style>"""


def no_results() -> None:
    """Every dropdown's "No results" in the UI language (call once per run; nothing in English)."""
    if lang() != "en":
        st.html(_NO_RESULTS_CSS % _css_string(T("st_no_results")))


#: Streamlit's file uploader says "Upload" and "200MB per file • CSV, XLSX" in English only;
#: drawn over in the UI language in the same way, for the uploader with class ``st-key-<key>``.
#: The button's word is drawn over the hidden one (same size); the limit line replaces its
#: hidden text (``font-size: 0``), so its own length sets the width and nothing is clipped.
_UPLOADER_CSS = """<style>
.st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{
  visibility: hidden; position: relative; white-space: nowrap; }}
.st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: {upload}; visibility: visible; position: absolute; inset: 0; text-align: center; }}
.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] span {{
  visibility: hidden; font-size: 0; }}
.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: {limit}; visibility: visible; font-size: 0.875rem; }}
</style>"""


def file_uploader(where, label: str, *, type: list[str], key: str, **kwargs):  # noqa: A002 - Streamlit's name
    """``where.file_uploader`` with Streamlit's English "Upload" and "<n>MB per file • <types>"
    in the UI language (outside English; the limit is ``server.maxUploadSize``)."""
    up = where.file_uploader(label, type=type, key=key, **kwargs)
    if lang() != "en":
        mb = st.get_option("server.maxUploadSize")
        limit = T("st_upload_limit", mb=mb, types=", ".join(t.upper() for t in type))
        st.html(_UPLOADER_CSS.format(key=key, upload=_css_string(T("st_upload")), limit=_css_string(limit)))
    return up
