"""Fits per survey wave: pooled and per wave in one bootstrap, per-wave index trend.

Orchestration of :func:`csi.estimate.fit.fit` / :func:`~csi.estimate.fit.fit_strata` over the
``wave`` column of a canonical response frame. A wave whose fit fails with a user error (too
few respondents, a constant item) is not dropped silently: it is listed in ``skipped`` with the
error's message, for the caller to show.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csi.errors import CsiError

__all__ = ["WaveTrend", "fit_by_wave", "index_by_wave", "trend_table", "wave_labels", "TREND_COLUMNS"]

#: Columns of a trend table (0-100 index, higher is better).
TREND_COLUMNS = ["wave", "construct", "score", "se", "ci_low", "ci_high", "n_obs"]


def wave_labels(frame: pd.DataFrame) -> list[str]:
    """Distinct wave labels in sorted order (chronological for labels like ``2026Q1``)."""
    if "wave" not in frame or frame.empty:
        return []
    return sorted(frame["wave"].dropna().astype(str).unique().tolist())


@dataclass(frozen=True)
class WaveTrend:
    """Result of :func:`index_by_wave`.

    ``table``: rows ``wave, construct, score, se, ci_low, ci_high, n_obs`` (waves sorted);
    ``skipped``: wave label -> why its fit failed (the :class:`~csi.errors.CsiError` message).
    """

    table: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)


def index_by_wave(survey, frame: pd.DataFrame, *, fit_fn: Callable | None = None,
                  n_boot: int = 500, seed: int = 0, waves: list[str] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> WaveTrend:
    """The model fitted separately in each wave: one table row per (wave, construct).

    Parameters
    ----------
    survey : Survey
    frame : DataFrame
        Canonical response frame with a ``wave`` column.
    fit_fn : callable, optional
        ``fit_fn(survey, frame_of_wave, n_boot=..., seed=...) -> IndexResult``; defaults to
        :func:`csi.estimate.fit.fit` (the app passes its cached version).
    n_boot, seed : bootstrap settings per wave.
    waves : list of str, optional
        Only these waves (e.g. the last two, for a headline); default every wave.
    progress : callable(done, total), optional
        Called after each wave.

    Returns
    -------
    WaveTrend
        The trend table and the waves whose fit failed with a user error, with the reason.
    """
    if fit_fn is None:
        from csi.estimate.fit import fit as fit_fn
    present = wave_labels(frame)
    waves = present if waves is None else [w for w in present if w in set(waves)]
    labels = frame["wave"].astype("string") if waves else None
    fits, skipped = {}, {}
    for k, w in enumerate(waves):
        sub = _rows_where(frame, (labels == w).to_numpy(dtype=bool, na_value=False))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # kept in each result's .warnings
                fits[w] = fit_fn(survey, sub, n_boot=n_boot, seed=seed)
        except CsiError as exc:
            skipped[w] = str(exc)
        if progress is not None:
            progress(k + 1, len(waves))
    return WaveTrend(trend_table(fits), skipped)


def trend_table(fits: dict) -> pd.DataFrame:
    """Rows ``wave, construct, score, se, ci_low, ci_high, n_obs`` (0-100 index, higher is
    better) from one IndexResult per wave label, waves in sorted order."""
    rows = [fits[w].index.assign(wave=w, n_obs=int(fits[w].n_obs))[TREND_COLUMNS] for w in sorted(fits)]
    if not rows:
        return pd.DataFrame(columns=TREND_COLUMNS)
    return pd.concat(rows, ignore_index=True)


def fit_by_wave(survey, frame: pd.DataFrame, *, n_boot: int = 500, seed: int = 0,
                progress: Callable[[int, int], None] | None = None, missing: str | None = None):
    """The dashboard's model fit: pooled over the waves and per wave, in one bootstrap.

    With two or more waves this is :func:`csi.estimate.fit.fit_strata` by ``wave``: the pooled
    CIs come from a bootstrap stratified by wave (each wave keeps its size in every resample,
    as the waves are fielded separately) and each wave's CIs from its part of the same
    resamples. With fewer waves it is :func:`csi.estimate.fit.fit` (the one wave, if any,
    maps to the pooled fit). Rows without a wave count in the pooled fit only. ``missing``: the
    missing-data policy (default: the estimator's, EM for PLS).

    Returns
    -------
    StrataFit
        ``pooled`` and ``groups`` (wave label -> IndexResult, sorted); waves whose fit fails
        with a user error -- too few respondents, a constant item -- are in ``skipped`` with
        the reason. A failing pooled fit raises its :class:`~csi.errors.CsiError`.
    """
    from csi.estimate.fit import StrataFit, fit, fit_strata

    waves = wave_labels(frame)
    policy = {} if missing is None else {"missing": missing}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kept in each result's .warnings
        if len(waves) < 2:
            res = fit(survey, frame, n_boot=n_boot, seed=seed, progress=progress, **policy)
            groups = {waves[0]: res} if waves and frame["wave"].notna().all() else {}
            return StrataFit(pooled=res, groups=groups, skipped={})
        labels = frame["wave"].astype("string")
        return fit_strata(survey, frame, labels.to_numpy(dtype=object, na_value=None), n_boot=n_boot,
                          seed=seed, progress=progress, **policy)


def _rows_where(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``frame[mask]``; when the selected rows are one contiguous block (a wave of a frame in
    time order) as a slice of ``frame``, which copies no rows (pandas copies on write)."""
    pos = np.flatnonzero(mask)
    if len(pos) and pos[-1] - pos[0] + 1 == len(pos):
        return frame.iloc[pos[0]: pos[-1] + 1]
    return frame[mask]
