"""Small interval helpers of the comment, NPS and alert analyses (no I/O, no pandas).

``mean_diff_ci``: Welch's t interval for a difference of two means (unequal variances, Welch-
Satterthwaite degrees of freedom), as R's ``t.test(x, y)``. ``wilson_ci``: Wilson score interval
of a proportion (``prop.test(correct=FALSE)``'s interval). ``two_proportion_test``: one-sided z-test
that ``p2 > p1`` with the pooled standard error (``prop.test(alternative="greater")`` without
continuity correction).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["mean_diff_ci", "wilson_ci", "two_proportion_test", "welch_one_sided"]


def mean_diff_ci(x, y, alpha: float = 0.05) -> tuple[float, float, float, float]:
    """``(mean(x) - mean(y), ci_low, ci_high, two-sided p)``; NaN where a group has < 2 values.

    >>> d, lo, hi, p = mean_diff_ci([1, 2, 3, 4], [2, 4, 6, 8])
    >>> round(d, 3), round(lo, 3), round(hi, 3), round(p, 4)   # = scipy ttest_ind(equal_var=False)
    (-2.5, -6.364, 1.364, 0.1516)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if len(x) < 2 or len(y) < 2:
        return (float(x.mean() - y.mean()) if len(x) and len(y) else math.nan, math.nan, math.nan, math.nan)
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    d = float(x.mean() - y.mean())
    se = math.sqrt(vx + vy)
    if se == 0:
        return d, d, d, (1.0 if d == 0 else 0.0)
    df = (vx + vy) ** 2 / (vx ** 2 / (len(x) - 1) + vy ** 2 / (len(y) - 1))
    q = float(stats.t.ppf(1 - alpha / 2, df))
    p = float(2 * stats.t.sf(abs(d) / se, df))
    return d, d - q * se, d + q * se, p


def welch_one_sided(before, after) -> tuple[float, float]:
    """``(mean(after) - mean(before), one-sided p that the mean fell)`` (Welch)."""
    d, _, _, p2 = mean_diff_ci(after, before)
    if not math.isfinite(p2):
        return d, math.nan
    return d, p2 / 2 if d < 0 else 1 - p2 / 2


def wilson_ci(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson interval of ``k / n``; ``(nan, nan)`` when ``n == 0``.

    >>> [round(v, 4) for v in wilson_ci(3, 10)]   # R: prop.test(3, 10, correct=FALSE)$conf.int
    [0.1078, 0.6032]
    """
    if n == 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf(1 - alpha / 2))
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return mid - half, mid + half


def two_proportion_test(k1: int, n1: int, k2: int, n2: int) -> float:
    """One-sided p-value that the second proportion is higher (pooled z-test).

    >>> round(two_proportion_test(10, 100, 20, 100), 4)   # z = 0.1 / sqrt(.15 * .85 * .02) = 1.980
    0.0238
    """
    if n1 == 0 or n2 == 0:
        return math.nan
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0 if k2 / n2 <= k1 / n1 else 0.0
    return float(stats.norm.sf((k2 / n2 - k1 / n1) / se))
