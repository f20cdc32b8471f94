"""Numbers for the Overview page: headline index, change vs the previous wave, trend per wave.

Built on :func:`csi.estimate.fit.fit`; nothing is rounded here (rounding is for display).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from csi.report.filters import wave_labels
from csi.report.i18n import tr

__all__ = ["Headline", "WaveChange", "headline", "wave_change", "change_sentence",
           "index_by_wave", "fit_by_wave", "trend_table", "response_span", "HEADLINE_CONSTRUCT",
           "binary_constructs"]

_TREND_COLUMNS = ["wave", "construct", "score", "se", "ci_low", "ci_high", "n_obs"]

#: The headline construct of a survey without ``headline:`` (use ``survey.headline_id``).
HEADLINE_CONSTRUCT = "satisfaction"


@dataclass(frozen=True)
class Headline:
    """A construct's 0-100 index (higher is better) with its CI, from an IndexResult."""

    construct: str
    score: float
    se: float
    ci_low: float
    ci_high: float
    n_obs: int


def headline(result, construct: str = HEADLINE_CONSTRUCT) -> Headline:
    """The index row of ``construct`` in ``result.index`` (pass ``survey.headline_id``).

    Raises
    ------
    ParameterError
        ``construct`` is not in the index table (no silent stand-in under the headline label).
    """
    from csi.errors import ParameterError

    idx = result.index
    rows = idx[idx["construct"] == construct]
    if not len(rows):
        raise ParameterError(f"the headline construct {construct!r} is not in the fitted index; expected "
                             f"one of {', '.join(map(str, idx['construct']))}.")
    row = rows.iloc[0]
    return Headline(str(row["construct"]), float(row["score"]), float(row["se"]),
                    float(row["ci_low"]), float(row["ci_high"]), int(result.n_obs))


@dataclass(frozen=True)
class WaveChange:
    """Change of an index between two independent waves.

    ``diff = current - previous`` (index points); ``se = sqrt(se_c^2 + se_p^2)``; two-sided
    ``p_value`` from the normal approximation ``z = diff / se``; ``significant`` at ``alpha``.
    """

    previous_label: str
    previous_score: float
    diff: float
    se: float
    z: float
    p_value: float
    significant: bool


def wave_change(current: Headline, previous: Headline, previous_label: str,
                alpha: float = 0.05) -> WaveChange:
    """Compare two independent wave estimates of the same index.

    Notes
    -----
    The waves are different respondents, so the estimates are independent and
    ``Var(diff) = se_c^2 + se_p^2`` (bootstrap standard errors).

    Examples
    --------
    >>> a = Headline("satisfaction", 75.0, 0.3, 74.4, 75.6, 800)
    >>> b = Headline("satisfaction", 74.0, 0.4, 73.2, 74.8, 800)
    >>> c = wave_change(a, b, "2026Q1")
    >>> round(c.diff, 6), round(c.se, 6), round(c.z, 6), c.significant
    (1.0, 0.5, 2.0, True)
    >>> round(c.p_value, 4)
    0.0455
    """
    diff = current.score - previous.score
    se = math.hypot(current.se, previous.se)
    if se > 0 and np.isfinite(se):
        z = diff / se
        p = float(2 * special.ndtr(-abs(z)))
    else:
        z, p = float("nan"), float("nan")
    return WaveChange(previous_label, previous.score, diff, se, z, p,
                      bool(np.isfinite(p) and p < alpha))


def change_sentence(change: WaveChange | None, lang: str) -> str:
    """The change vs the previous wave in words (significant or not), in ``lang``.

    >>> c = WaveChange("2026Q1", 74.0, 1.0, 0.5, 2.0, 0.0455, True)
    >>> change_sentence(c, "en")
    'Up 1.0 points vs 2026Q1 (74.0) — a significant rise (p = 0.045).'
    >>> change_sentence(None, "en")
    'No previous wave to compare with.'
    """
    if change is None:
        return tr("change_none", lang)
    p = "p < 0.001" if change.p_value < 0.001 else f"p = {change.p_value:.3f}"
    kw = dict(diff=f"{abs(change.diff):.1f}", prev=change.previous_label,
              prev_score=f"{change.previous_score:.1f}", p=p)
    if change.significant:
        return tr("change_sig_up" if change.diff > 0 else "change_sig_down", lang, **kw)
    return tr("change_ns", lang, sign="+" if change.diff >= 0 else "−", **kw)


def index_by_wave(survey, frame: pd.DataFrame, *, fit_fn: Callable | None = None,
                  n_boot: int = 500, seed: int = 0, waves: list[str] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """The model fitted separately in each wave: one row per (wave, construct).

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
    DataFrame
        ``wave, construct, score, se, ci_low, ci_high, n_obs`` (0-100 index, higher is
        better), waves in sorted order. Waves whose fit fails with a user error (too few
        respondents, a constant item) are left out.
    """
    from csi.errors import CsiError

    if fit_fn is None:
        from csi.estimate.fit import fit as fit_fn
    present = wave_labels(frame)
    waves = present if waves is None else [w for w in present if w in set(waves)]
    labels = frame["wave"].astype("string") if waves else None
    fits = {}
    for k, w in enumerate(waves):
        sub = _rows_where(frame, (labels == w).to_numpy(dtype=bool, na_value=False))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = fit_fn(survey, sub, n_boot=n_boot, seed=seed)
        except CsiError:
            res = None
        if res is not None:
            fits[w] = res
        if progress is not None:
            progress(k + 1, len(waves))
    return trend_table(fits)


def trend_table(fits: dict) -> pd.DataFrame:
    """Rows ``wave, construct, score, se, ci_low, ci_high, n_obs`` (0-100 index, higher is
    better) from one IndexResult per wave label, waves in sorted order."""
    rows = [fits[w].index.assign(wave=w, n_obs=int(fits[w].n_obs))[_TREND_COLUMNS] for w in sorted(fits)]
    if not rows:
        return pd.DataFrame(columns=_TREND_COLUMNS)
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
        ``pooled`` and ``groups`` (wave label -> IndexResult, sorted; waves whose fit fails
        with a user error -- too few respondents, a constant item -- are in ``skipped``).
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


def response_span(frame: pd.DataFrame) -> tuple[int, str, str]:
    """``(n respondents, first date, last date)`` (ISO dates of ``submitted_at``)."""
    if frame.empty or "submitted_at" not in frame:
        return len(frame), "", ""
    ts = pd.to_datetime(frame["submitted_at"]).dropna()
    if ts.empty:
        return len(frame), "", ""
    return len(frame), ts.min().date().isoformat(), ts.max().date().isoformat()


def binary_constructs(survey) -> list[str]:
    """Ids of yes/no constructs (their 0-100 index is the share answering yes, in percent)."""
    return [cid for cid, c in survey.constructs.items() if c.binary]
