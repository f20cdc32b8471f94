"""Nonparametric bootstrap for CB-SEM: percentile CIs of standardized paths, total effects, index means.

Respondents are resampled with replacement (``numpy.random.default_rng(seed)``); each resample's
covariance matrix is refitted by ML from the full-sample solution (Fisher scoring; L-BFGS-B
first when that does not converge -- :mod:`csi.estimate.cbsem.engine`). Resamples with a singular covariance matrix or without
convergence are excluded, not redrawn, and counted. ``se`` is the SD of the valid replicates,
``ci_low/ci_high`` their ``alpha/2`` and ``1 - alpha/2`` quantiles, ``z = estimate / se`` and
``p_value`` its two-sided normal p-value. The index replicates re-estimate the item weights
``lambda/theta`` in every resample.

With missing answers and ``missing="fiml"`` every resample is refitted by FIML (casewise ML
by pattern, warm-started from the full-sample FIML solution): FIML is the ML estimator, and
its bootstrap distribution is that of the resamples' FIML estimates. (Fitting ML to each
resample's EM covariance would bootstrap the two-stage estimator instead, whose estimates
equal FIML's only for a saturated model.) ``replicates["parameters"]`` holds every row of the
parameter table (unstandardized) per valid resample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm
from threadpoolctl import threadpool_limits

from csi.estimate.cbsem.engine import (
    _GRAD_OK,
    SemFit,
    _minimize,
    _param_locations,
    _polish,
    _Problem,
)
from csi.survey.model import ModelSpec

__all__ = ["bootstrap_cbsem"]


def _stats(sf: SemFit, model: ModelSpec, paths, total, means: np.ndarray) -> np.ndarray:
    """Vector: std paths, std total effects, index means (in the tables' row order)."""
    beta, lam, psi, theta = (np.array(m) for m in sf.model.matrices[:4])
    k = beta.shape[0]
    c = np.linalg.inv(np.eye(k) - beta)
    sd = np.sqrt(np.abs(np.diag(c @ psi @ c.T)))
    pos = {v: i for i, v in enumerate(sf.inner)}
    opos = {v: i for i, v in enumerate(sf.observed)}
    out = [beta[pos[t], pos[s]] * sd[pos[s]] / sd[pos[t]] for s, t in paths]
    tot = c - np.eye(k)
    out += [tot[pos[t], pos[s]] * sd[pos[s]] / sd[pos[t]] for s, t in total]
    for con in model.constructs:
        ii = [opos[it] for it in con.items]
        lo = np.array([model.items[it].scale_min for it in con.items], dtype=float)
        hi = np.array([model.items[it].scale_max for it in con.items], dtype=float)
        if len(ii) == 1:
            u = np.ones(1)
        else:
            th = theta[ii, ii]
            raw = lam[ii, pos[con.id]] / th
            u = raw / raw.sum() if np.all(th > 0) else np.full(len(ii), np.nan)
        out.append(100.0 * ((means[ii] - lo) @ u) / ((hi - lo) @ u))
    return np.array(out, dtype=float)


def _complete_refit(sf: SemFit, x: np.ndarray):
    """``refit(idx) -> (status, item means)`` for complete data: ML on the resample's
    covariance, Fisher scoring from the full-sample estimate (L-BFGS-B first when that
    does not converge); leaves the resample's solution in ``sf.model``."""
    n = x.shape[0]
    sm = sf.model

    def refit(idx):
        xb = x[idx]
        xc = xb - xb.mean(axis=0)
        S = np.einsum("ni,nj->ij", xc, xc) / n  # divisor N; einsum avoids BLAS threads
        if np.linalg.slogdet(S)[0] <= 0 or np.linalg.cond(S) > 1e12:
            return "singular", None
        prob = _Problem(sm, S)
        xx, _ = _polish(prob, sf.x.copy(), max_steps=30)  # Fisher scoring from the estimate
        g = prob.grad(xx)
        fx, mg = prob.f(xx), float(np.max(np.abs(g)))
        if not (np.isfinite(fx) and mg <= _GRAD_OK):
            xx, fx, mg, _ = _minimize(prob, sf.x)
        if not (np.isfinite(fx) and mg <= _GRAD_OK):
            return "failed", None
        sm.update_matrices(xx)
        return "ok", xb.mean(axis=0)

    return refit


def _param_values(sf: SemFit) -> np.ndarray:
    """Every row of ``sf.params`` (free or fixed) read from ``sf.model``'s current matrices."""
    mats = [np.array(mx) for mx in sf.model.matrices[:4]]
    return np.array([mats[k][ij] for _, _, k, ij in _param_locations(sf.model)], dtype=float)


def bootstrap_cbsem(sf: SemFit, model: ModelSpec, items: pd.DataFrame, *, n_boot: int, seed,
                    alpha: float, paths: pd.DataFrame, total: pd.DataFrame,
                    index: pd.DataFrame, fiml: dict | None = None) -> dict:
    """Refit ``n_boot`` resamples; return updated ``paths``, ``total``, ``index`` tables and info.

    ``fiml``: the ``info`` of :func:`~csi.estimate.missing.fiml.fit_sem_fiml` when ``sf`` is a
    FIML fit to data with missing answers; each resample is then refitted by FIML
    (:func:`~csi.estimate.missing.fiml_bootstrap.fiml_refit`) and the index uses its
    model-implied item means.
    """
    rng = np.random.default_rng(seed)
    x = items[sf.observed].to_numpy(float)
    n = x.shape[0]
    p_pairs = list(zip(paths["source"], paths["target"], strict=True))
    t_pairs = list(zip(total["source"], total["target"], strict=True))
    if fiml is None:
        refit = _complete_refit(sf, x)
    else:
        from csi.estimate.missing.fiml_bootstrap import fiml_refit

        refit = fiml_refit(sf, fiml, x)
    reps, par_reps = [], []
    n_singular = n_failed = 0
    try:
        with threadpool_limits(limits=1, user_api="blas"):  # small matrices: BLAS threads only cost
            for _ in range(n_boot):
                status, means = refit(rng.integers(0, n, n))
                if status == "singular":
                    n_singular += 1
                    continue
                if status != "ok":
                    n_failed += 1
                    continue
                reps.append(_stats(sf, model, p_pairs, t_pairs, means))
                par_reps.append(_param_values(sf))
    finally:
        sf.model.update_matrices(sf.x)
    R = np.array(reps).reshape(len(reps), -1)
    n_p, n_t = len(p_pairs), len(t_pairs)

    def update(df, col, sl, with_p=True):
        out = df.copy()
        est = out[col].to_numpy(float)
        if R.shape[0] >= 2:
            r = R[:, sl]
            se = np.nanstd(r, axis=0, ddof=1)
            lo, hi = np.nanquantile(r, [alpha / 2, 1 - alpha / 2], axis=0)
        else:
            se = lo = hi = np.full(len(est), np.nan)
        out["se"], out["ci_low"], out["ci_high"] = se, lo, hi
        if with_p:
            with np.errstate(invalid="ignore", divide="ignore"):
                out["z"] = est / se
            out["p_value"] = 2 * norm.sf(np.abs(out["z"].to_numpy(float)))
        return out

    valid = R.shape[0]
    bad = n_boot - valid
    cols_p = pd.MultiIndex.from_tuples(p_pairs, names=["source", "target"])
    cols_t = pd.MultiIndex.from_tuples(t_pairs, names=["source", "target"])
    return {
        "paths": update(paths, "estimate", slice(0, n_p)),
        "total": update(total, "estimate", slice(n_p, n_p + n_t)),
        "index": update(index, "score", slice(n_p + n_t, None), with_p=False),
        "info": {"n_boot": n_boot, "n_valid": valid, "n_singular": n_singular,
                 "n_not_converged": n_failed,
                 "policy": "invalid resamples excluded (not redrawn)",
                 "refit": "ml" if fiml is None else "fiml"},
        "replicates": {
            "paths": pd.DataFrame(R[:, :n_p], columns=cols_p),
            "total_effects": pd.DataFrame(R[:, n_p:n_p + n_t], columns=cols_t),
            "index": pd.DataFrame(R[:, n_p + n_t:], columns=list(index["construct"])),
            "parameters": pd.DataFrame(
                np.array(par_reps).reshape(len(par_reps), len(sf.params)),
                columns=pd.MultiIndex.from_frame(sf.params[["lhs", "op", "rhs"]])),
        },
        "admissibility": {
            "check": "bootstrap_resamples", "status": "ok" if bad == 0 else "warning",
            "detail": f"{valid} of {n_boot} resamples valid; {n_singular} excluded for a "
                      f"singular covariance matrix, {n_failed} for non-convergence",
        },
    }
