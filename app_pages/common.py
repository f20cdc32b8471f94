"""Shared plumbing for the pages: language, cached loaders, the store handle, errors.

Nothing here computes a statistic: loaders and estimators are ``csi`` functions wrapped in
Streamlit caches keyed by (data fingerprint, survey version, filter key, settings).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from csi.errors import CsiError
from csi.report.filters import Filters, filter_frame
from csi.report.i18n import tr
from csi.survey import load_survey
from csi.survey.survey import Survey

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LANG = "en"


def survey_dir() -> Path:
    """Folder of survey YAML files (``CSI_SURVEY_DIR``, default ``surveys/``)."""
    return Path(os.environ.get("CSI_SURVEY_DIR", ROOT / "surveys"))


def lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANG)


def language_switch(where, key: str) -> None:
    """A zh/en switch bound to the UI language ``st.session_state["lang"]`` (a plain state
    key, so the choice survives pages on which this widget is not drawn)."""
    from csi.report.i18n import LANGUAGES

    current = lang() if lang() in LANGUAGES else DEFAULT_LANG

    def changed() -> None:
        st.session_state["lang"] = st.session_state[key]

    where.radio(T("language"), LANGUAGES, index=LANGUAGES.index(current), key=key,
                horizontal=True, on_change=changed,
                format_func=lambda c: {"zh": "中文", "en": "English"}[c])


def T(key: str, **kwargs: object) -> str:
    """The UI label ``key`` in the current language."""
    return tr(key, lang(), **kwargs)


def multiselect(where, label: str, options, **kwargs):
    """``where.multiselect`` without Streamlit's untranslated "Select all" entry outside English
    (the entry is English only; Streamlit >= 1.5x takes ``select_all``)."""
    import inspect

    if lang() != "en" and "select_all" in inspect.signature(where.multiselect).parameters:
        kwargs.setdefault("select_all", False)
    return where.multiselect(label, options, **kwargs)


def n_boot_setting() -> int:
    """Bootstrap resamples: the sidebar setting, default ``CSI_APP_N_BOOT`` or 500."""
    default = int(os.environ.get("CSI_APP_N_BOOT", "500"))
    return int(st.session_state.get("n_boot", default))


@st.cache_resource(show_spinner=False)
def limit_blas_threads() -> bool:
    """Run BLAS single-threaded in this server process (once per process).

    The bootstrap already spreads its chunks over two Python threads, and Streamlit serves
    sessions from threads; with OpenBLAS also starting a thread per core, a 2-core machine is
    oversubscribed and OpenBLAS's spinning threads stall: a 20 x 20 cross-product then takes
    0.5 s instead of 0.5 ms, and a 100,000-row fit with 500 resamples 19 s instead of 2.6 s.
    One BLAS thread per Python thread keeps every core busy without that contention.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    return True


# -- surveys -------------------------------------------------------------------------------
@st.cache_data(show_spinner=False)
def _load_survey(path: str, mtime: float) -> Survey:  # noqa: ARG001 - mtime is the cache key
    return load_survey(path)


def survey_files() -> list[Path]:
    return sorted(survey_dir().glob("*.yaml"))


def load_survey_file(path: str | Path) -> Survey:
    p = Path(path)
    return _load_survey(str(p), p.stat().st_mtime)


@st.cache_data(show_spinner=False, max_entries=8)
def _latest_files(files: tuple[tuple[str, float], ...]) -> dict[str, Path]:
    from csi.report.editor import latest_survey_files

    return latest_survey_files([Path(f) for f, _ in files], load=load_survey_file)


def surveys_by_id() -> dict[str, Path]:
    """Survey id -> the file with its highest version (files that fail validation are skipped).

    Cached per (file, modification time) list: a run asks for it three times, and each
    cached survey costs an unpickling (~5 ms), so the answer is cached rather than recomputed
    from every survey.
    """
    return _latest_files(tuple((str(p), p.stat().st_mtime) for p in survey_files()))


def survey_title(files: dict[str, Path], sid: str, language: str) -> str:
    """The title of survey ``sid`` in the UI language (its id when it cannot be loaded)."""
    try:
        survey = load_survey_file(files[sid])
    except (CsiError, KeyError, OSError):
        return sid
    return survey.t(survey.title, language)


def current_survey() -> Survey | None:
    files = surveys_by_id()
    if not files:
        return None
    sid = st.session_state.get("survey")
    if sid not in files:
        sid = "ecommerce_csi" if "ecommerce_csi" in files else next(iter(files))
    return load_survey_file(files[sid])


# -- the store ------------------------------------------------------------------------------
def database_url() -> str:
    from csi.store import default_database_url

    return default_database_url()


@st.cache_resource(show_spinner=False)
def store_handle(url: str):
    """The shared store (thread-safe SQLAlchemy engine inside)."""
    from csi.store import open_store

    return open_store(url)


def store():
    return store_handle(database_url())


def _store_facts():
    """:mod:`app_pages.store_facts` (large stores; imported on use, it imports this module)."""
    from app_pages import store_facts

    return store_facts


def _revision_key(url: str, survey_id: str, sha: str, revision: int) -> str:
    """Cache key of the stored responses of one survey version at one store revision.

    The frame is cached per (store, survey version, revision) already, so these determine
    its content; hashing them costs nothing, hashing 100,000 rows' content 0.1-0.15 s.
    """
    return hashlib.sha256(f"{url}\x1f{survey_id}\x1f{sha}\x1f{revision}".encode()).hexdigest()


@st.cache_data(show_spinner=False, max_entries=4)
def _responses(url: str, survey_id: str, sha: str, revision: int, _survey: Survey):
    frame = store_handle(url).responses_frame(_survey)
    return frame, _revision_key(url, survey_id, sha, revision)


def responses(survey: Survey) -> tuple[pd.DataFrame, str]:
    """All stored responses of ``survey`` (canonical frame, no contact data) and a cache key.

    Cached per store revision (the response count), so a new import or submission is seen.
    """
    url = database_url()
    revision = _store_facts().revision(url, survey)
    return _responses(url, survey.id, survey.sha256, revision, survey)


@st.cache_data(show_spinner=False, max_entries=8)
def _meta(url: str, survey_id: str, sha: str, revision: int, _survey: Survey) -> dict:
    from csi.estimate.waves import wave_labels
    from csi.report.filters import date_bounds, segment_options

    if _store_facts().large(url, revision):  # issue 15: aggregated in the database, no row loaded
        return _store_facts().meta(url, survey_id, sha, revision, _survey) | {
            "key": _revision_key(url, survey_id, sha, revision), "large": True,
            "versions": store_handle(url).frame_versions(_survey)}
    frame, key = _responses(url, survey_id, sha, revision, _survey)
    return {"n": len(frame), "key": key, "waves": wave_labels(frame), "bounds": date_bounds(frame),
            "segments": {q.id: segment_options(frame, q.id) for q in _survey.segments},
            "versions": store_handle(url).frame_versions(_survey), "large": False}


def responses_meta(survey: Survey) -> dict:
    """Small facts about the stored responses for the sidebar (n, waves, date bounds, segment
    answer codes, ``large``), cached per store revision so the sidebar never reloads the frame.
    On a large store (:func:`app_pages.store_facts.large_store`) they are aggregate queries."""
    url = database_url()
    revision = _store_facts().revision(url, survey)
    return _meta(url, survey.id, survey.sha256, revision, survey)


def current_filters() -> Filters:
    ss = st.session_state
    seg_q, seg_v = ss.get("segment_by"), ss.get("segment_value")
    dr = ss.get("date_range")
    date_range = tuple(dr) if isinstance(dr, list | tuple) and len(dr) == 2 else None
    return Filters(waves=tuple(ss.get("waves") or ()), date_range=date_range,
                   segment=(seg_q, seg_v) if seg_q and seg_v else None)


def _subset_key(key: str, rows: pd.Index) -> str:
    """Cache key of the rows ``rows`` (positions in the full frame) of the frame keyed ``key``:
    filters selecting the same rows share their fits."""
    h = hashlib.sha256(key.encode())
    h.update(np.ascontiguousarray(rows.to_numpy(dtype=np.int64)).tobytes())
    return h.hexdigest()


@st.cache_data(show_spinner=False, max_entries=16)
def _filtered(url: str, survey_id: str, sha: str, revision: int, filter_key: tuple,
              _survey: Survey, _filters: Filters):
    frame, key = _responses(url, survey_id, sha, revision, _survey)
    out = filter_frame(frame, _filters)  # keeps the full frame's index (row positions)
    return out, _subset_key(key, out.index)


def filtered_responses(survey: Survey) -> tuple[pd.DataFrame, str]:
    """(filtered frame, its cache key) for the current sidebar filters.

    Cached per (store revision, filter key); the full frame is only reloaded on a miss.
    Without any filter this is the cached full frame itself (no filtered copy to make and
    cache), keyed like a filter that keeps every row. On a large store
    (:func:`app_pages.store_facts.large_store`) it is the seeded random sample of the filtered responses drawn in the database
    (:func:`csi.report.store_view.sample`, ``CSI_APP_SAMPLE_SIZE``); no other row is read.
    """
    url = database_url()
    revision = _store_facts().revision(url, survey)
    filters = current_filters()
    if _store_facts().large(url, revision):
        from csi.report.store_view import sample_size_setting

        return _store_facts().sample(url, survey.id, survey.sha256, revision, filters.key, sample_size_setting(),
                                  survey, filters)
    if filters.key == Filters().key:
        frame, key = _responses(url, survey.id, survey.sha256, revision, survey)
        return frame, _subset_key(key, frame.index)
    return _filtered(url, survey.id, survey.sha256, revision, filters.key, survey, filters)


@contextlib.contextmanager
def _not_recorded():
    """Let a progress bar created outside a cached function be updated from inside it.

    ``st.cache_data`` records elements drawn while a cached function runs so it can replay
    them on a cache hit; a progress bar is transient and must not be replayed (replaying an
    update of a block made outside the function fails). Streamlit has no public switch for
    this, so the recording flag is cleared around the update; without that internal the bar
    simply stays at its start.
    """
    try:
        from streamlit.runtime.caching.cached_message_replay import in_cached_function
    except ImportError:  # pragma: no cover - a future Streamlit without this internal
        yield
        return
    token = in_cached_function.set(False)
    try:
        yield
    finally:
        in_cached_function.reset(token)


# -- estimation -----------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=32)
def _fit(data_key: str, sha: str, method: str, n_boot: int, seed: int,
         _survey: Survey, _frame: pd.DataFrame, _progress=None):
    """PLS: the pooled and per-wave fits (:func:`csi.estimate.waves.fit_by_wave`, a
    ``StrataFit``); CB-SEM: ``csi.fit(method="cbsem")``."""
    if method == "pls":
        from csi.estimate.waves import fit_by_wave

        return fit_by_wave(_survey, _frame, n_boot=n_boot, seed=seed, progress=_progress)
    from csi.estimate.fit import fit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kept in result.warnings and shown on the pages
        return fit(_survey, _frame, method=method)


def _fit_cached(survey: Survey, frame: pd.DataFrame, data_key: str, method: str, n_boot, seed):
    n_boot = n_boot_setting() if n_boot is None else n_boot
    bar = st.empty()

    def progress(done: int, total: int) -> None:
        with _not_recorded():
            bar.progress(min(done / max(total, 1), 1.0), text=T("computing", done=done, total=total))

    try:
        res = _fit(data_key, survey.sha256, method, n_boot, seed, survey, frame, progress)
    except np.linalg.LinAlgError as exc:  # a degenerate sample (few respondents, constant items)
        from csi.errors import DataError

        raise DataError(T("fit_singular", n=len(frame))) from exc
    finally:
        bar.empty()
    _fits_done().add((data_key, survey.sha256, method, n_boot, seed))
    return res


@st.cache_resource(show_spinner=False)
def _fits_done() -> set:
    """Keys ``(data_key, sha, method, n_boot, seed)`` of the fits computed in this server process."""
    return set()


def fit_waves_done(survey: Survey, data_key: str, *, n_boot: int | None = None, seed: int = 0) -> bool:
    """Whether :func:`fit_waves` with these settings has been computed in this server process,
    i.e. is (unless evicted from its cache since) served at once: a page can then skip drawing
    from point estimates first."""
    n_boot = n_boot_setting() if n_boot is None else n_boot
    return (data_key, survey.sha256, "pls", n_boot, seed) in _fits_done()


def fit_model(survey: Survey, frame: pd.DataFrame, data_key: str, *, method: str = "pls",
              n_boot: int | None = None, seed: int = 0):
    """The model fitted on ``frame`` (cached), with a progress bar while bootstrapping.

    PLS: the pooled fit of :func:`fit_waves` (CIs from a bootstrap stratified by wave), so
    every page shows the same numbers as the overview and shares its cache entry.
    """
    res = _fit_cached(survey, frame, data_key, method, n_boot, seed)
    return res.pooled if method == "pls" else res


def fit_waves(survey: Survey, frame: pd.DataFrame, data_key: str, *, n_boot: int | None = None,
              seed: int = 0):
    """Pooled and per-wave PLS fits of ``frame`` in one bootstrap (cached; a ``StrataFit``).

    On a PostgreSQL store with at least ``CSI_ENGINE_MIN_ROWS`` responses (default 500,000;
    :func:`app_pages.store_facts.large_store`) the fits are aggregated by the database instead,
    over every filtered response (``csi.report.engine_fits``; issue 15); ``frame`` is then the
    sample and not read."""
    url = database_url()
    if _store_facts().large_store(survey):
        filters = current_filters()
        revision = _store_facts().revision(url, survey)  # counted once per run
        n_boot = n_boot_setting() if n_boot is None else n_boot
        return _engine_fits(url, survey.id, survey.sha256, revision, filters.key, n_boot, seed, survey, filters)
    return _fit_cached(survey, frame, data_key, "pls", n_boot, seed)


@st.cache_data(show_spinner=False, max_entries=16)
def _engine_fits(url: str, survey_id: str, sha: str, revision: int, filter_key: tuple, n_boot: int, seed: int,
                 _survey: Survey, _filters):
    from csi.report.engine_fits import store_fits_by_wave

    return store_fits_by_wave(_survey, url, _filters, n_boot=n_boot, seed=seed)


# -- rendering helpers ----------------------------------------------------------------------
def show_error(exc: CsiError) -> None:
    """Render a user error with its located issues (never a traceback)."""
    issues = getattr(exc, "issues", None) or []
    if issues:
        st.error("\n".join(f"- {i}" for i in issues[:50]))
    else:
        st.error(str(exc))


def require_data(survey: Survey | None) -> tuple[Survey, pd.DataFrame, str, dict] | None:
    """The survey and its filtered responses, or a message and None when there is nothing.

    On a large store the frame is the seeded sample (:func:`filtered_responses`) and the page
    says so under its title area (:func:`csi.report.store_view.sample_note`)."""
    if survey is None:
        st.warning(T("no_surveys"))
        return None
    try:
        meta = responses_meta(survey)
        if not meta["n"]:
            rel = os.path.relpath(survey.source_file, ROOT) if survey.source_file else "surveys/..."
            st.info(T("empty_store", path=rel))
            return None
        if meta.get("large") and not _store_facts().filtered_facts(survey).n:
            st.warning(T("empty_filter"))
            return None
        sub, key = filtered_responses(survey)
    except CsiError as exc:
        show_error(exc)
        return None
    if sub.empty:
        st.warning(T("empty_filter"))
        return None
    if meta.get("large"):
        from csi.report.store_view import sample_note

        st.caption(sample_note(len(sub), _store_facts().filtered_facts(survey).n, lang()))
    return survey, sub, key, meta


def page_data() -> tuple[Survey, pd.DataFrame, str, str] | None:
    """(survey, filtered responses, cache key, language) for an analysis page, or None
    after :func:`require_data` has told the user why there is nothing to show."""
    got = require_data(current_survey())
    if got is None:
        return None
    survey, frame, key, _ = got
    return survey, frame, key, lang()


def fmt(x: float | None, digits: int = 1) -> str:
    """A number for display (rounding belongs to presentation)."""
    if x is None or pd.isna(x):
        return "–"
    return f"{x:.{digits}f}"


def show_rate(where, row, scope: str | None = None) -> None:
    """A complaint-share row (``rate``, ``ci_low``, ``ci_high``, ``n``; fractions) as a metric
    in percent ("share who complained", lower is better) with its 95% CI and which respondents
    (``scope``, default ``n = ...``)."""
    pct = {c: f"{fmt(100 * row[c])}%" for c in ("rate", "ci_low", "ci_high")}
    where.metric(T("complaint_rate"), pct["rate"], help=T("lower_is_better"))
    where.caption(f"{T('lower_is_better')} · " + T("ci95", low=pct["ci_low"], high=pct["ci_high"])
                  + " · " + (scope or f"n = {int(row['n'])}"))
    headline_note(where, int(row["n"]))  # issue 20: filters and small-n caution


# -- issue 20: small-n cautions and the active filters next to every headline number --------
def small_n_note(where, n: int, survey: Survey | None = None):
    """Show the small-n caution (:func:`csi.report.caution.small_n_caution`) for a number
    estimated from ``n`` respondents; nothing when n is enough. Returns the caution or None."""
    from csi.report.caution import ACSI_REFERENCE_N, caution_thresholds, small_n_caution

    survey = survey if survey is not None else current_survey()
    c = small_n_caution(n, survey)
    if c is not None:
        warn, caution = caution_thresholds(survey)
        colour = "red" if c.level == "warning" else "orange"
        where.markdown(f":{colour}[{c.message(lang())}]",
                       help=T("small_n_help", warn=warn, caution=caution, acsi=ACSI_REFERENCE_N))
    return c


def headline_note(where, n: int, survey: Survey | None = None) -> None:
    """Next to a headline number: the active filters with n, then its small-n caution."""
    from csi.report.caution import filter_statement

    survey = survey if survey is not None else current_survey()
    bounds = None
    with contextlib.suppress(CsiError):
        bounds = responses_meta(survey)["bounds"] if survey is not None else None
    where.caption(filter_statement(current_filters(), lang(), survey=survey, n=n, date_bounds=bounds))
    small_n_note(where, n, survey)


def caution_cells(ns, survey: Survey | None = None) -> list[str]:
    """Per-row small-n marks for a table column ("" where n is enough)."""
    from csi.report.caution import caution_column

    return caution_column(ns, survey if survey is not None else current_survey(), lang())
