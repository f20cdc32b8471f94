"""Relative importance of correlated drivers: Johnson's relative weights and Shapley (LMG) R².

Both split the R² of a linear regression of the outcome (stated repurchase intention: the
loyalty construct by default) on the driver scores into non-negative shares that sum to R².

- **Relative weights** (Johnson 2000, *Multivariate Behavioral Research* 35:1-19): with the
  predictor correlations ``R = V diag(l) V'`` let ``L = V diag(sqrt l) V'`` (correlations of
  the predictors with their closest orthogonal counterparts) and ``b = L^-1 r_xy``; the raw
  weight of predictor ``j`` is ``sum_k L[j,k]^2 b_k^2``.
- **LMG / Shapley value** (Lindeman, Merenda & Gold 1980; Grömping 2006): the average gain in
  R² from adding predictor ``j`` over all orders of entry,
  ``sum_{S not containing j} |S|! (p-|S|-1)! / p! [R²(S+j) - R²(S)]`` (all ``2^p`` subsets; p <= 15).

Confidence intervals are percentile bootstrap intervals (respondents resampled, seeded).
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from csi.drivers.scores import (
    check_resampling,
    check_variance,
    construct_scores,
    item_scores,
    lever_scores,
    outcome_id,
)
from csi.errors import DataError, ParameterError
from csi.survey import Survey

__all__ = ["relative_weights", "shapley_r2", "relative_importance", "MAX_SHAPLEY_PREDICTORS"]

MAX_SHAPLEY_PREDICTORS = 15


def _corr_parts(C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split a correlation matrix of [X, y] (..., p+1, p+1) into R_xx and r_xy."""
    return C[..., :-1, :-1], C[..., :-1, -1]


def _rw_from_corr(C: np.ndarray) -> np.ndarray:
    Rxx, rxy = _corr_parts(C)
    lam, V = np.linalg.eigh(Rxx)
    lam = np.clip(lam, 0, None)
    L = (V * np.sqrt(lam)[..., None, :]) @ np.swapaxes(V, -1, -2)
    b = np.linalg.solve(L, rxy[..., None])[..., 0]
    return np.einsum("...jk,...k->...j", L ** 2, b ** 2)


def _r2_subset(C: np.ndarray, idx: tuple[int, ...]) -> np.ndarray:
    if not idx:
        return np.zeros(C.shape[:-2])
    Rxx, rxy = _corr_parts(C)
    ix = list(idx)
    A = Rxx[..., ix, :][..., :, ix]
    r = rxy[..., ix]
    return np.einsum("...i,...i->...", r, np.linalg.solve(A, r[..., None])[..., 0])


def _lmg_from_corr(C: np.ndarray) -> np.ndarray:
    p = C.shape[-1] - 1
    r2 = {(): _r2_subset(C, ())}
    for size in range(1, p + 1):
        for S in combinations(range(p), size):
            r2[S] = _r2_subset(C, S)
    out = np.zeros(C.shape[:-2] + (p,))
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            w = factorial(size) * factorial(p - size - 1) / factorial(p)
            for S in combinations(others, size):
                out[..., j] += w * (r2[tuple(sorted(S + (j,)))] - r2[S])
    return out


def _corr(x: np.ndarray) -> np.ndarray:
    return np.corrcoef(x, rowvar=False)


def _check(X: pd.DataFrame, y: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    data = pd.concat([X, y.rename("__y__")], axis=1).dropna()
    if len(data) < X.shape[1] + 2:
        raise DataError(f"only {len(data)} complete respondents for {X.shape[1]} drivers; "
                        f"at least {X.shape[1] + 2} are needed.")
    check_variance(data.iloc[:, :-1], "driver")
    check_variance(data.iloc[:, -1:], "outcome")
    C = _corr(data.to_numpy(float))
    if np.linalg.matrix_rank(C[:-1, :-1]) < X.shape[1]:
        raise DataError("the driver scores are perfectly collinear (one is a linear combination "
                        "of others); drop the redundant driver.")
    return data, C


def relative_weights(X: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """Johnson's relative weights of the columns of ``X`` for ``y`` (complete rows).

    Returns ``predictor, raw_weight, rescaled_weight``: raw weights sum to R²; rescaled
    weights are shares of R² (sum 1).

    Examples
    --------
    Uncorrelated predictors: each raw weight is the squared correlation with y.

    >>> X = pd.DataFrame({"a": [1., -1, 1, -1], "b": [1., 1, -1, -1]})
    >>> y = pd.Series([3.5, 0.5, 0.5, -0.5])  # a + b + 1 + 0.5 a b: r(a, y) = r(b, y) = 2/3
    >>> relative_weights(X, y)["raw_weight"].round(4).tolist()
    [0.4444, 0.4444]
    """
    data, C = _check(X, y)
    raw = _rw_from_corr(C)
    return pd.DataFrame({"predictor": list(X.columns), "raw_weight": raw,
                         "rescaled_weight": raw / raw.sum()})


def shapley_r2(X: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """Shapley (LMG) decomposition of R²: ``predictor, lmg, lmg_share`` (lmg sums to R²)."""
    if X.shape[1] > MAX_SHAPLEY_PREDICTORS:
        raise ParameterError(f"the Shapley decomposition needs 2^p regressions; p={X.shape[1]} "
                             f"drivers is above the limit of {MAX_SHAPLEY_PREDICTORS}. Use relative weights.")
    data, C = _check(X, y)
    lmg = _lmg_from_corr(C)
    return pd.DataFrame({"predictor": list(X.columns), "lmg": lmg, "lmg_share": lmg / lmg.sum()})


def _boot_corr(x: np.ndarray, n_boot: int, seed) -> np.ndarray:
    """Correlation matrices of bootstrap resamples of the rows of ``x`` from resample counts
    (:func:`csi.drivers.ipma.resample_counts`: weighted moments, bounded memory)."""
    from csi.drivers.ipma import resample_counts

    rng = np.random.default_rng(seed)
    n, k = x.shape
    outer = (x[:, :, None] * x[:, None, :]).reshape(n, -1)
    m = np.empty((n_boot, k))
    S = np.empty((n_boot, k * k))
    for lo, w in resample_counts(rng, n, n_boot):
        w /= n
        m[lo:lo + len(w)] = w @ x
        S[lo:lo + len(w)] = w @ outer
    S = S.reshape(n_boot, k, k)
    cov = S - m[:, :, None] * m[:, None, :]
    sd = np.sqrt(np.clip(np.einsum("bii->bi", cov), 1e-300, None))
    C = cov / sd[:, :, None] / sd[:, None, :]
    ok = np.all(np.linalg.eigvalsh(C[:, :-1, :-1]) > 1e-10, axis=1)
    return C[ok]


def relative_importance(survey: Survey, frame: pd.DataFrame, result=None, *, outcome: str | None = None,
                        n_boot: int = 500, seed: int | None = 0, alpha: float = 0.05) -> pd.DataFrame:
    """Relative importance of the driver levers for stated repurchase intention.

    Parameters
    ----------
    outcome : str, optional
        A construct id or item id (default: ``drivers.outcome``, else ``loyalty``): its 0-100
        score is regressed on the 0-100 lever scores (complete respondents).

    Returns
    -------
    DataFrame
        ``lever, raw_weight, raw_weight_ci_low, raw_weight_ci_high, rescaled_weight, lmg,
        lmg_ci_low, lmg_ci_high, lmg_share, rank, r2, n`` -- one row per lever; ``raw_weight``
        and ``lmg`` each sum to ``r2``; ``rank`` 1 = most important (by raw weight).
    """
    check_resampling("relative_importance", n_boot=n_boot, alpha=alpha)
    X = lever_scores(survey, frame)
    out_id = outcome or (survey.drivers.outcome if survey.drivers is not None and survey.drivers.outcome else None)
    out_id = out_id or outcome_id(survey)
    if out_id in survey.constructs:
        y = construct_scores(survey, frame, result)[out_id]
    elif out_id in survey.items:
        y = item_scores(survey, frame, [out_id])[out_id]
    else:
        raise ParameterError(f"outcome {out_id!r} is neither a construct nor an item of survey {survey.id!r}.")
    rw = relative_weights(X, y)
    lmg = shapley_r2(X, y) if X.shape[1] <= MAX_SHAPLEY_PREDICTORS else None
    data, C = _check(X, y)
    out = pd.DataFrame({"lever": list(X.columns), "raw_weight": rw["raw_weight"].to_numpy()})
    out["raw_weight_ci_low"] = out["raw_weight_ci_high"] = np.nan
    out["rescaled_weight"] = rw["rescaled_weight"].to_numpy()
    out["lmg"] = lmg["lmg"].to_numpy() if lmg is not None else np.nan
    out["lmg_ci_low"] = out["lmg_ci_high"] = np.nan
    out["lmg_share"] = lmg["lmg_share"].to_numpy() if lmg is not None else np.nan
    if n_boot > 0:
        Cb = _boot_corr(data.to_numpy(float), n_boot, seed)
        q = [alpha / 2, 1 - alpha / 2]
        rwb = _rw_from_corr(Cb)
        out["raw_weight_ci_low"], out["raw_weight_ci_high"] = np.quantile(rwb, q, axis=0)
        if lmg is not None:
            lb = _lmg_from_corr(Cb)
            out["lmg_ci_low"], out["lmg_ci_high"] = np.quantile(lb, q, axis=0)
    out["rank"] = out["raw_weight"].rank(ascending=False, method="min").astype(int)
    out["r2"] = float(rw["raw_weight"].sum())
    out["n"] = len(data)
    return out
