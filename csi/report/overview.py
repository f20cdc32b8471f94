"""Numbers for the Overview page: headline index, change vs the previous wave, response span.

Reads results of :mod:`csi.estimate.waves` (the per-wave fits live there); nothing is rounded
here (rounding is for display).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from csi.report.i18n import tr

__all__ = ["Headline", "WaveChange", "headline", "wave_change", "change_sentence", "response_span",
           "HEADLINE_CONSTRUCT", "binary_constructs"]

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
