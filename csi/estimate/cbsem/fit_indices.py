"""Global fit of an ML CB-SEM: chi-square, CFI, TLI, RMSEA with 90% CI, SRMR -- computed by csi.

semopy's own fit statistics are not used: on models with a single-item construct its
independence baseline inherits the fixed error variance and fails (CFI reported as 1.0, TLI
NaN), and it has no SRMR. Everything here follows lavaan 0.6 (``fitMeasures``) for ML with
complete data and ``likelihood = "normal"``.

Conventions
-----------
- ``chi2 = N * F_ML`` with ``F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` and ``S`` the
  covariance with divisor ``N`` (lavaan uses ``N``, not ``N - 1``, for ML);
  ``df = p(p+1)/2 - n_free``; ``p_value`` is the upper chi-square tail.
- Independence baseline: ``Sigma_0 = diag(S)``, so ``chi2_0 = N * (sum log S_ii - log|S|)``
  and ``df_0 = p(p-1)/2``.
- ``CFI = 1 - max(chi2 - df, 0) / max(chi2 - df, chi2_0 - df_0, 0)`` (1 when both are 0);
  ``TLI = (chi2_0/df_0 - chi2/df) / (chi2_0/df_0 - 1)`` (not truncated, may exceed 1).
- ``RMSEA = sqrt(max(chi2 - df, 0) / (N * df))``; its 90% CI inverts the noncentral
  chi-square: ``lambda_L`` solves ``P(chi2; df, lambda) = 0.95``, ``lambda_U`` solves
  ``= 0.05`` (0 when no root), ``RMSEA_L/U = sqrt(lambda / (N * df))``.
- ``SRMR`` is lavaan's ``srmr`` (Bentler): root mean square over the ``p(p+1)/2``
  non-duplicated elements of ``(S_ij - Sigma_ij) / sqrt(S_ii S_jj)``.
- With ``df = 0`` (saturated model) RMSEA and TLI are NaN; CFI is 1.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.stats import chi2 as chi2_dist
from scipy.stats import ncx2

__all__ = ["FIT_KEYS", "fit_indices", "ml_discrepancy", "baseline_chi2", "rmsea_ci", "srmr"]

#: keys of the ``fit`` dict of a CB-SEM :class:`~csi.estimate.results.IndexResult`.
FIT_KEYS = ("chi2", "df", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr")


def ml_discrepancy(S: np.ndarray, sigma: np.ndarray) -> float:
    """ML discrepancy ``log|Sigma| + tr(S Sigma^-1) - log|S| - p`` (0 for a perfect fit).

    Examples
    --------
    >>> S = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> ml_discrepancy(S, S)
    0.0
    """
    S = np.asarray(S, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    p = S.shape[0]
    _, ld_sig = np.linalg.slogdet(sigma)
    _, ld_s = np.linalg.slogdet(S)
    val = ld_sig + np.trace(np.linalg.solve(sigma, S)) - ld_s - p
    return float(max(val, 0.0))


def baseline_chi2(S: np.ndarray, n_obs: int) -> tuple[float, int]:
    """Independence-model chi-square and df: ``N (sum log S_ii - log|S|)``, ``p(p-1)/2``.

    Examples
    --------
    >>> S = np.array([[1.0, 0.5], [0.5, 1.0]])   # chi2_0 = -N log(1 - 0.25)
    >>> c, df = baseline_chi2(S, 100)
    >>> round(c, 6), df
    (28.768207, 1)
    """
    S = np.asarray(S, dtype=float)
    p = S.shape[0]
    _, ld_s = np.linalg.slogdet(S)
    return float(n_obs * (np.log(np.diag(S)).sum() - ld_s)), p * (p - 1) // 2


def rmsea_ci(chi2: float, df: int, n_obs: int, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of the RMSEA by inverting the noncentral chi-square (lavaan's way).

    Examples
    --------
    >>> lo, hi = rmsea_ci(10.0, 10, 100)   # chi2 == df: lower bound 0; upper checked with R uniroot
    >>> lo, round(hi, 4)
    (0.0, 0.1084)
    """
    if df <= 0 or not np.isfinite(chi2):
        return math.nan, math.nan
    upper_q = (1.0 + level) / 2.0  # 0.95
    lower_q = (1.0 - level) / 2.0  # 0.05

    def root(q: float) -> float:
        def f(lam: float) -> float:
            if lam <= 0:
                return float(chi2_dist.cdf(chi2, df)) - q
            return float(ncx2.cdf(chi2, df, lam)) - q

        if f(0.0) < 0:  # even a central chi-square puts chi2 below the quantile
            return 0.0
        hi = max(chi2, 1.0)
        while f(hi) > 0:
            hi *= 2.0
        return brentq(f, 0.0, hi, xtol=1e-12, rtol=1e-14, maxiter=500)

    lam_l = root(upper_q)
    lam_u = root(lower_q)
    return math.sqrt(lam_l / (n_obs * df)), math.sqrt(lam_u / (n_obs * df))


def srmr(S: np.ndarray, sigma: np.ndarray) -> float:
    """lavaan's ``srmr`` (Bentler): RMS of residual correlations over the lower triangle + diagonal.

    Examples
    --------
    >>> S = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> round(srmr(S, np.eye(2)), 6)   # sqrt(0.5**2 / 3)
    0.288675
    """
    S = np.asarray(S, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    sd = np.sqrt(np.diag(S))
    res = (S - sigma) / np.outer(sd, sd)
    tri = res[np.tril_indices_from(res)]
    return float(np.sqrt(np.mean(tri**2)))


def fit_indices(S: np.ndarray, sigma: np.ndarray, n_obs: int, n_free: int) -> dict[str, float]:
    """Chi-square test and CFI, TLI, RMSEA (90% CI), SRMR of an ML solution.

    Parameters
    ----------
    S : ndarray (p, p)
        Sample covariance with divisor ``N``.
    sigma : ndarray (p, p)
        Model-implied covariance at the ML solution.
    n_obs : int
        Respondents (N).
    n_free : int
        Free model parameters.

    Returns
    -------
    dict
        Keys :data:`FIT_KEYS` (``df`` is a float so the dict is all floats) plus
        ``baseline_chi2``, ``baseline_df``, ``n_obs``, ``n_free``.

    Notes
    -----
    Matches lavaan 0.6.14 ``fitMeasures`` to 1e-6 on the Political Democracy model and on
    simulated ACSI models, including ones with single-item constructs
    (``tests/golden/test_cbsem_lavaan.py``).
    """
    p = S.shape[0]
    df = p * (p + 1) // 2 - n_free
    chi2 = n_obs * ml_discrepancy(S, sigma)
    pval = float(chi2_dist.sf(chi2, df)) if df > 0 else math.nan
    b_chi2, b_df = baseline_chi2(S, n_obs)
    t1 = max(chi2 - df, 0.0)
    t2 = max(chi2 - df, b_chi2 - b_df, 0.0)
    cfi = 1.0 if t2 == 0 else 1.0 - t1 / t2
    if df > 0 and b_df > 0 and b_chi2 / b_df != 1.0:
        tli = (b_chi2 / b_df - chi2 / df) / (b_chi2 / b_df - 1.0)
        rmsea = math.sqrt(max(chi2 - df, 0.0) / (n_obs * df))
    else:
        tli = rmsea = math.nan
    lo, hi = rmsea_ci(chi2, df, n_obs)
    return {
        "chi2": float(chi2), "df": float(df), "p_value": pval, "cfi": float(cfi),
        "tli": float(tli), "rmsea": float(rmsea), "rmsea_ci_low": lo, "rmsea_ci_high": hi,
        "srmr": srmr(S, sigma), "baseline_chi2": b_chi2, "baseline_df": float(b_df),
        "n_obs": float(n_obs), "n_free": float(n_free),
    }
