"""What the dashboard shows of a large PostgreSQL store, without loading its rows.

A store is *large* when it holds at least ``CSI_ENGINE_MIN_ROWS`` responses of the survey
(default 500,000; :func:`engine_min_rows`). There the pages' row-level facts are aggregate
queries (:mod:`csi.engines.facts`) with the sidebar filters as ``WHERE`` / ``BETWEEN``
(:func:`~csi.report.engine_fits.filters_to_where`, :func:`~csi.report.engine_fits.filters_to_between`):

- :func:`store_meta`: the sidebar's n, wave labels, date bounds and segment answer codes;
- :func:`filtered_facts`: responses kept by the filters, per wave, and their first and last date;
- :func:`facts_frame`: the filtered responses' distribution over a few columns (complaint, NPS,
  segment, wave) as a frame with one row per response and only those columns -- the complaint
  and NPS functions give on it exactly what they give on the stored rows;
- :func:`listwise_missing`: the ``missing`` report of the engine's (listwise) fits.

The analyses that need whole respondents (construct scores, drivers, the what-if, segment
comparisons, comments, alerts, model quality) run on :func:`sample`: a seeded random sample of
about ``CSI_APP_SAMPLE_SIZE`` (default 50,000; :func:`sample_size_setting`) of the filtered
responses, drawn in the database with the bootstrap buckets' hash
(:func:`csi.engines.facts.sample_frame`), whose size the pages state (:func:`sample_note`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pandas as pd

from csi.engines import facts
from csi.errors import ParameterError
from csi.report.engine_fits import filters_to_between, filters_to_where

__all__ = ["engine_min_rows", "sample_size_setting", "is_large_store", "store_meta", "FilteredFacts",
           "filtered_facts", "facts_frame", "listwise_missing", "sample", "sample_note", "SAMPLE_SEED",
           "complaint_columns", "nps_columns", "export_note"]

#: seed of the dashboard's sample (the bootstrap buckets' hash with this seed)
SAMPLE_SEED = 0


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        v = int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        v = 0
    if v < 1:
        raise ParameterError(f"{name} must be a whole number of at least 1; got {raw!r}")
    return v


def engine_min_rows() -> int:
    """Stored responses from which the dashboard aggregates in the database (``CSI_ENGINE_MIN_ROWS``,
    default 500,000)."""
    return _env_int("CSI_ENGINE_MIN_ROWS", 500_000)


def sample_size_setting() -> int:
    """Respondents sampled for the analyses that need rows on a large store
    (``CSI_APP_SAMPLE_SIZE``, default 50,000)."""
    return _env_int("CSI_APP_SAMPLE_SIZE", 50_000)


def is_large_store(url: str, n_stored: int) -> bool:
    """Whether a store at ``url`` holding ``n_stored`` responses is read through the engine
    (PostgreSQL only: an SQLite store is read into pandas at any size)."""
    return url.startswith("postgresql") and n_stored >= engine_min_rows()


def _filter_args(filters) -> dict:
    return {"where": filters_to_where(filters), "between": filters_to_between(filters)}


def _date(text) -> dt.date | None:
    if text is None or (isinstance(text, float) and text != text):
        return None
    return pd.Timestamp(text).date()


def store_meta(survey, source) -> dict:
    """The sidebar's facts of every stored response: ``n``, ``waves`` (sorted labels),
    ``bounds`` (first and last response date, UTC, or None) and ``segments`` (question id ->
    sorted answer codes present) -- what :func:`csi.estimate.waves.wave_labels`,
    :func:`csi.report.filters.date_bounds` and :func:`csi.report.filters.segment_options` give
    on the stored frame. ``source``: :func:`csi.engines.facts.store_source`."""
    span = facts.wave_span(source)
    first = [_date(v) for v in span["first"] if _date(v) is not None]
    last = [_date(v) for v in span["last"] if _date(v) is not None]
    segments = {}
    for q in survey.segments:
        if q.id not in source.columns:
            segments[q.id] = []
            continue
        vals = facts.value_counts(source, [q.id])[q.id].dropna()
        segments[q.id] = sorted(str(v) for v in vals)
    return {"n": int(span["n"].sum()), "waves": sorted(str(w) for w in span["wave"].dropna()),
            "bounds": (min(first), max(last)) if first else None, "segments": segments}


@dataclass(frozen=True)
class FilteredFacts:
    """The responses the sidebar filters keep: ``n``, ``by_wave`` (label -> n, rows without a
    wave left out, as :func:`csi.report.scope.collected_by_wave`), ``span``
    ``(n, first ISO date, last ISO date)`` as :func:`csi.report.overview.response_span`."""

    n: int
    by_wave: dict
    span: tuple


def filtered_facts(source, filters) -> FilteredFacts:
    """:class:`FilteredFacts` of the filtered stored responses (one ``GROUP BY wave`` query)."""
    span = facts.wave_span(source, **_filter_args(filters))
    n = int(span["n"].sum())
    waves = span.dropna(subset=["wave"])
    by_wave = {str(w): int(k) for w, k in sorted(zip(waves["wave"], waves["n"], strict=True),
                                                   key=lambda t: (-t[1], str(t[0])))}
    first = [_date(v) for v in span["first"] if _date(v) is not None]
    last = [_date(v) for v in span["last"] if _date(v) is not None]
    dates = (min(first).isoformat(), max(last).isoformat()) if first else ("", "")
    return FilteredFacts(n=n, by_wave=by_wave, span=(n, *dates))


def facts_frame(survey, source, filters, columns) -> pd.DataFrame:
    """The filtered responses restricted to ``columns`` (those the store has), one row per
    response, rebuilt from their value counts (:func:`csi.engines.facts.counts_frame`)."""
    cols = [c for c in dict.fromkeys(columns) if c in source.columns]
    if not cols:
        return pd.DataFrame(index=pd.RangeIndex(filtered_facts(source, filters).n))
    return facts.counts_frame(facts.value_counts(source, cols, **_filter_args(filters)), survey)


def listwise_missing(survey, source, filters, n_used: int) -> dict:
    """The ``missing`` report (:mod:`csi.estimate.missing.policies`) of an engine fit: policy
    ``listwise``, ``n_total`` filtered responses, ``n_used`` complete ones, and per item the
    cells that are not an answer on its scale; ``dont_know`` cells read off the scale's
    don't-know code (the engine has no import-time missing types). One aggregate query."""
    items = list(survey.to_model().items.values())
    counts = facts.item_counts(source, items, **_filter_args(filters))
    dk = int(counts["dont_know"].sum())
    n_total = int(counts["n"].iloc[0]) if len(counts) else 0
    by_item = {r.item: {"missing": int(r.missing)} for r in counts.itertuples(index=False)}
    return {"policy": "listwise", "n_total": n_total, "n_used": int(n_used),
            "by_type": {"dont_know": dk}, "by_item": by_item, "em": None}


def sample(survey, source, filters, n_total: int, *, size: int | None = None, seed: int = SAMPLE_SEED) -> pd.DataFrame:
    """The dashboard's seeded random sample of the filtered responses (canonical frame, about
    ``size`` rows, default :func:`sample_size_setting`; every row when fewer are kept)."""
    size = sample_size_setting() if size is None else size
    return facts.sample_frame(source, survey, size=size, n_total=n_total, seed=seed, **_filter_args(filters))


def sample_note(n_sample: int, n_total: int, lang: str) -> str:
    """The note beside figures computed on the sample, e.g. "Based on a random sample of
    50,000 of 1,000,000 responses (seeded; the counts, complaint share, NPS and model indices
    use every response)."

    >>> sample_note(50000, 1000000, "en")[:60]
    'Based on a random sample of 50,000 of 1,000,000 responses (s'
    >>> sample_note(50000, 1000000, "zh")[:31]
    '基于 1,000,000 份答卷中随机抽取的 50,000 份'
    """
    if lang == "zh":
        return (f"基于 {n_total:,} 份答卷中随机抽取的 {n_sample:,} 份样本（固定随机种子；"
                "答卷数、投诉比例、NPS 和模型指数使用全部答卷）。")
    return (f"Based on a random sample of {n_sample:,} of {n_total:,} responses (seeded; the counts, "
            "complaint share, NPS and model indices use every response).")


def complaint_columns(survey, by: str | None = None) -> list[str]:
    """The columns the complaint share, types and differences read (:mod:`csi.drivers.complaints`):
    the complaint construct's first item, the complaint-type question, and ``by`` when given."""
    binary = [c for c, spec in survey.constructs.items() if spec.binary]
    cols = [survey.constructs[binary[0]].items[0].id] if binary else []
    cols += [q.id for q in survey.questions if q.role == "complaint_type" and q.type == "multiple_choice"][:1]
    return cols + ([by] if by else [])


def nps_columns(survey) -> list[str]:
    """The columns the NPS and its tables by wave and segment read (:mod:`csi.drivers.nps`)."""
    from csi.drivers.nps import nps_question

    qid = nps_question(survey)
    return [] if qid is None else [qid, "wave", *(q.id for q in survey.segments)]


def export_note(n: int, lang: str) -> str:
    """Why the Data page offers no download on a large store, and what to run instead.

    >>> export_note(1000000, "en")[:45]
    'The store holds 1,000,000 responses: too many'
    """
    if lang == "zh":
        return (f"数据库中有 {n:,} 份答卷，无法在页面中导出。请在命令行运行 "
                "`csi export SURVEY --format parquet --out FILE` 导出答卷，`csi report` 生成报告。")
    return (f"The store holds {n:,} responses: too many to export from the page. Run "
            "`csi export SURVEY --format parquet --out FILE` for the responses and `csi report` for the report.")
