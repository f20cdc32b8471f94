"""Data access of the pages on a large PostgreSQL store (issue 15): no page loads every row.

A store is large when it holds at least ``CSI_ENGINE_MIN_ROWS`` responses of the survey
(:func:`csi.report.store_view.is_large_store`). Then the sidebar facts, the counts per wave, the
response span, the complaint share and the NPS are aggregate queries (:mod:`csi.report.store_view`),
the model fits are aggregated by the database (``common.fit_waves``), and the analyses that need
respondents read a seeded sample drawn in the database (``common.filtered_responses``). On a small
store every function here returns what the page computed from its frame before, by the same call.
Cached per (store revision, filter key), like the frame loaders in :mod:`app_pages.common`.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app_pages import common
from csi.survey.survey import Survey


def large(url: str, revision: int) -> bool:
    from csi.report.store_view import is_large_store

    return is_large_store(url, revision)


#: session id -> (the run's cursor dict, {(url, survey id): stored responses}): one count per run
_RUN_COUNTS: dict = {}


def revision(url: str, survey: Survey) -> int:
    """Stored responses of ``survey`` (the store revision the caches are keyed by), counted once
    per script run: on a 1M-response PostgreSQL store a count costs 0.1 s (2 s before the
    table's first VACUUM), and a page asks for it a dozen times.

    The run is recognised by the script-run context's per-run cursor dict (Streamlit has no
    public run id); without a context, or if that internal changes, every call counts.
    """
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        run, sid = (ctx.cursors, ctx.session_id) if ctx is not None else (None, None)
    except (ImportError, AttributeError):  # pragma: no cover - a future Streamlit
        run, sid = None, None
    if run is None:
        return common.store_handle(url).count_responses(survey)
    seen = _RUN_COUNTS.get(sid)
    if seen is None or seen[0] is not run:
        seen = _RUN_COUNTS[sid] = (run, {})
    key = (url, survey.id)
    if key not in seen[1]:
        seen[1][key] = common.store_handle(url).count_responses(survey)
    return seen[1][key]


def _state(survey: Survey) -> tuple[str, int]:
    url = common.database_url()
    return url, revision(url, survey)


def large_store(survey: Survey) -> bool:
    """Whether the current store is read through the engine for ``survey`` (PostgreSQL with at
    least ``CSI_ENGINE_MIN_ROWS`` stored responses)."""
    return large(*_state(survey))


@st.cache_resource(show_spinner=False, max_entries=4)
def source(url: str, survey_id: str, sha: str, revision: int, _survey: Survey):
    """The store's typed answers of the survey as an engine source (per store revision)."""
    from csi.engines.facts import store_source

    return store_source(url, _survey)


@st.cache_data(show_spinner=False, max_entries=4)
def meta(url: str, survey_id: str, sha: str, revision: int, _survey: Survey) -> dict:
    """The sidebar's facts (:func:`csi.report.store_view.store_meta`) of every stored response."""
    from csi.report.store_view import store_meta

    return store_meta(_survey, source(url, survey_id, sha, revision, _survey))


@st.cache_data(show_spinner=False, max_entries=16)
def _facts(url: str, survey_id: str, sha: str, revision: int, filter_key: tuple, _survey: Survey, _filters):
    from csi.report.store_view import filtered_facts as facts

    return facts(source(url, survey_id, sha, revision, _survey), _filters)


def filtered_facts(survey: Survey):
    """:class:`csi.report.store_view.FilteredFacts` (n, per wave, span) of the filtered responses."""
    url, revision = _state(survey)
    filters = common.current_filters()
    return _facts(url, survey.id, survey.sha256, revision, filters.key, survey, filters)


@st.cache_data(show_spinner=False, max_entries=8)
def sample(url: str, survey_id: str, sha: str, revision: int, filter_key: tuple, size: int, _survey: Survey,
           _filters) -> tuple[pd.DataFrame, str]:
    """(the seeded sample of the filtered responses, its cache key) -- :func:`csi.report.store_view.sample`."""
    from csi.report.store_view import SAMPLE_SEED
    from csi.report.store_view import sample as draw

    n = _facts(url, survey_id, sha, revision, filter_key, _survey, _filters).n
    frame = draw(_survey, source(url, survey_id, sha, revision, _survey), _filters, n, size=size)
    key = hashlib.sha256(repr((url, survey_id, sha, revision, filter_key, size, SAMPLE_SEED, "sample"))
                         .encode()).hexdigest()
    return frame, key


@st.cache_data(show_spinner=False, max_entries=16)
def _counted(url: str, survey_id: str, sha: str, revision: int, filter_key: tuple, columns: tuple,
             _survey: Survey, _filters) -> pd.DataFrame:
    from csi.report.store_view import facts_frame

    return facts_frame(_survey, source(url, survey_id, sha, revision, _survey), _filters, columns)


def counted_frame(survey: Survey, frame: pd.DataFrame, columns) -> pd.DataFrame:
    """The filtered responses for a figure that reads only ``columns`` (complaint share, NPS):
    ``frame`` itself on a small store; on a large one every filtered response rebuilt from the
    database's value counts of ``columns`` (:func:`csi.report.store_view.facts_frame`)."""
    url, revision = _state(survey)
    if not large(url, revision) or not columns:
        return frame
    filters = common.current_filters()
    return _counted(url, survey.id, survey.sha256, revision, filters.key, tuple(dict.fromkeys(columns)),
                    survey, filters)


def collected(survey: Survey, frame: pd.DataFrame) -> dict[str, int]:
    """Responses collected per wave under the filters (:func:`csi.report.scope.collected_by_wave`
    of ``frame``; on a large store counted by the database)."""
    if large_store(survey):
        return dict(filtered_facts(survey).by_wave)
    from csi.report.scope import collected_by_wave

    return collected_by_wave(frame)


def n_collected(survey: Survey, frame: pd.DataFrame) -> int:
    """Responses kept by the filters (``len(frame)``; on a large store counted by the database)."""
    return filtered_facts(survey).n if large_store(survey) else len(frame)


def response_span(survey: Survey, frame: pd.DataFrame) -> tuple[int, str, str]:
    """(n, first date, last date) of the filtered responses (:func:`csi.report.overview.response_span`
    of ``frame``; on a large store from the database)."""
    if large_store(survey):
        return filtered_facts(survey).span
    from csi.report.overview import response_span as span

    return span(frame)


@st.cache_data(show_spinner=False, max_entries=16)
def _listwise(url: str, survey_id: str, sha: str, revision: int, filter_key: tuple, n_used: int,
              _survey: Survey, _filters) -> dict:
    from csi.report.store_view import listwise_missing

    return listwise_missing(_survey, source(url, survey_id, sha, revision, _survey), _filters, n_used)


def fit_missing(survey: Survey, pooled) -> dict:
    """The ``missing`` report of the pooled fit: ``pooled.missing``; on a large store the
    engine fit's listwise report (:func:`csi.report.store_view.listwise_missing`: filtered
    responses, complete ones used, don't-know cells) -- the engine's own ``pooled.missing``
    says policy ``none`` with ``n_total`` = the rows used."""
    url, revision = _state(survey)
    if not large(url, revision):
        return pooled.missing
    filters = common.current_filters()
    return _listwise(url, survey.id, survey.sha256, revision, filters.key, int(pooled.n_obs), survey, filters)


def row_result(survey: Survey, frame: pd.DataFrame, data_key: str, pooled):
    """The fit whose construct scores a row-level analysis reads: ``pooled``; on a large store
    (where ``pooled`` comes from the database and has no scores) the fit of the sample ``frame``."""
    return common.fit_model(survey, frame, data_key) if large_store(survey) else pooled
