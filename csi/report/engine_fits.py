"""The overview's fits computed in the store's database (large PostgreSQL stores).

:func:`store_fits_by_wave` is :func:`csi.estimate.waves.fit_by_wave` without loading rows: the
sidebar filters become the moments query's ``WHERE`` and the per-wave moments are aggregated by
PostgreSQL (:func:`csi.engines.fit_grouped`), so a filter change costs one aggregate query, not a
re-read of every response. Intervals are bucket-bootstrap intervals (each wave resampled on its
own buckets; the pooled fit unstratified), so they differ from ``fit_by_wave``'s stratified row
bootstrap by Monte-Carlo noise; point estimates are equal.
"""

from __future__ import annotations

import datetime as dt
import warnings

from csi.estimate.fit import StrataFit

__all__ = ["store_fits_by_wave", "filters_to_where", "filters_to_between"]


def filters_to_where(filters) -> dict:
    """Sidebar :class:`~csi.report.filters.Filters` as the engine's ``where`` (waves, one segment)."""
    if filters is None:
        return {}
    where: dict = {}
    if filters.waves:
        where["wave"] = list(filters.waves)
    if filters.segment:
        where[filters.segment[0]] = [filters.segment[1]]
    return where


def filters_to_between(filters) -> dict:
    """The sidebar's inclusive date range as the engine's half-open ``between`` on
    ``submitted_at`` (UTC dates): ``[start, end + 1 day)``, as
    :func:`csi.report.filters.filter_frame` keeps rows."""
    if filters is None or filters.date_range is None:
        return {}
    start, end = filters.date_range
    return {"submitted_at": (start.isoformat(), (end + dt.timedelta(days=1)).isoformat())}


def store_fits_by_wave(survey, url: str, filters=None, *, n_boot: int = 500, seed: int = 0,
                       buckets: int = 500) -> StrataFit:
    """Pooled and per-wave fits from the PostgreSQL store at ``url`` (no rows loaded).

    Returns a :class:`~csi.estimate.fit.StrataFit` whose ``groups`` are per-wave
    :class:`~csi.engines.group_fit.GroupFit` (``index``, ``path_coefficients``, ``r2`` and
    ``n_obs`` as an IndexResult has them) -- what :func:`csi.estimate.waves.trend_table` reads.
    The fits are listwise; the engine's :class:`~csi.errors.MissingDataWarning` about the rows
    dropped is not raised here: the dashboard states them beside the fit
    (:func:`csi.report.store_view.listwise_missing`, ``n_used`` of ``n_total``).
    """
    from csi.engines.grouped import fit_grouped
    from csi.errors import MissingDataWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingDataWarning)
        res = fit_grouped(survey, url, by="wave", engine="postgres", n_boot=n_boot, buckets=buckets, seed=seed,
                          where=filters_to_where(filters), between=filters_to_between(filters))
    groups = {k: v for k, v in res.groups.items() if k is not None}
    return StrataFit(pooled=res.pooled, groups=groups, skipped=dict(res.skipped))
