"""Bootstrap intervals: standard errors, percentile and BCa confidence intervals, t and p
values from replicates (:func:`interval`; conventions in :mod:`csi.estimate.resample.bootstrap`).
"""

from __future__ import annotations

import numpy as np
from scipy import special  # not scipy.stats: ~0.5 s to import, and ndtr/ndtri are what norm uses

__all__ = ["interval"]


def interval(est, reps, *, alpha=0.05, method="percentile", jack=None, n=None):
    """SE, CI, t and p for estimates ``est`` (m,) from replicates ``reps`` (B, m).

    Returns a dict of (m,) arrays: ``se``, ``ci_low``, ``ci_high``, ``t``, ``p_value``.
    NaN where fewer than two finite replicates exist.
    """
    est = np.asarray(est, dtype=float)
    reps = np.asarray(reps, dtype=float).reshape(-1, est.size)
    m = est.size
    fin = np.isfinite(reps)
    nf = fin.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        all_finite = bool(fin.all())
        if reps.shape[0] < 2:
            se = np.full(m, np.nan)
        elif all_finite:
            se = reps.std(axis=0, ddof=1)
        else:
            se = np.where(nf > 1, np.nanstd(np.where(fin, reps, np.nan), axis=0, ddof=1), np.nan)
        lo_q = np.full(m, alpha / 2)
        hi_q = np.full(m, 1 - alpha / 2)
        if method == "bca" and jack is not None and reps.shape[0] > 1:
            jk = np.asarray(jack, dtype=float).reshape(-1, m)
            below = (np.where(fin, reps, np.inf) < est).sum(axis=0) + 0.5 * (reps == est).sum(axis=0)
            z0 = special.ndtri(np.clip(below / np.maximum(nf, 1), 1e-10, 1 - 1e-10))
            d = np.nanmean(jk, axis=0) - jk
            a = np.nansum(d**3, axis=0) / (6.0 * np.nansum(d**2, axis=0) ** 1.5)
            a = np.where(np.isfinite(a), a, 0.0)
            for qv, za in ((lo_q, special.ndtri(alpha / 2)), (hi_q, special.ndtri(1 - alpha / 2))):
                adj = special.ndtr(z0 + (z0 + za) / (1 - a * (z0 + za)))
                qv[:] = np.where(np.isfinite(adj), adj, qv)
        ci_low = np.full(m, np.nan)
        ci_high = np.full(m, np.nan)
        if method == "percentile" and all_finite and reps.shape[0] > 1:
            ci_low, ci_high = np.quantile(reps, [alpha / 2, 1 - alpha / 2], axis=0)
        else:
            for j in range(m):
                col = reps[fin[:, j], j]
                if col.size > 1:
                    ci_low[j] = np.quantile(col, lo_q[j])
                    ci_high[j] = np.quantile(col, hi_q[j])
        t = est / se
        df = max((n or 2) - 1, 1)
        pval = 2 * special.stdtr(df, -np.abs(t))  # two-sided Student t
    return {"se": se, "ci_low": ci_low, "ci_high": ci_high, "t": t, "p_value": pval}
