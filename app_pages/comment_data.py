"""The analysed comments for the pages (Comments, Overview alerts): held in memory per data key
(``st.cache_resource``: shared, never copied or pickled on a rerun -- read-only), and each
distinct text's analysis persisted in the store across restarts (written on import by
:func:`csi.store.comment_cache.warm_comment_cache`, so a page view only reads it)."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from csi.text import analyze_comments


@st.cache_resource(show_spinner=False)
def _cache_handle(url: str):
    from csi.store.comment_cache import CommentAnalysisCache

    return CommentAnalysisCache(url)


def comment_cache():
    """The store's cache of comment analyses (shared across sessions and restarts)."""
    return _cache_handle(common.database_url())


@st.cache_resource(show_spinner=False, max_entries=8)
def analysis(data_key: str, sha: str, _survey, _frame):
    """The analysed comments of the filtered responses (:func:`csi.text.analyze_comments`;
    read-only: rows with equal lists share them)."""
    return analyze_comments(_survey, _frame, cache=comment_cache(), share_lists=True)
