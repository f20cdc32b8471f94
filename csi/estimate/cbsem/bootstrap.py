"""Nonparametric bootstrap for CB-SEM: percentile CIs of standardized paths, total effects, index means.

Respondents are resampled with replacement (``numpy.random.default_rng(seed)``); each resample's
covariance matrix is refitted by ML from the full-sample solution (Fisher scoring; L-BFGS-B
first when that does not converge -- :mod:`csi.estimate.cbsem.engine`). Resamples with a singular covariance matrix or without
convergence are excluded, not redrawn, and counted. ``se`` is the SD of the valid replicates,
``ci_low/ci_high`` their ``alpha/2`` and ``1 - alpha/2`` quantiles, ``z = estimate / se`` and
``p_value`` its two-sided normal p-value. The index replicates re-estimate the item weights
``lambda/theta`` in every resample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from csi.estimate.cbsem.engine import _GRAD_OK, SemFit, _minimize, _polish, _Problem
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


def bootstrap_cbsem(sf: SemFit, model: ModelSpec, items: pd.DataFrame, *, n_boot: int, seed,
                    alpha: float, paths: pd.DataFrame, total: pd.DataFrame,
                    index: pd.DataFrame) -> dict:
    """Refit ``n_boot`` resamples; return updated ``paths``, ``total``, ``index`` tables and info."""
    rng = np.random.default_rng(seed)
    x = items[sf.observed].to_numpy(float)
    n = x.shape[0]
    p_pairs = list(zip(paths["source"], paths["target"], strict=True))
    t_pairs = list(zip(total["source"], total["target"], strict=True))
    reps = []
    n_singular = n_failed = 0
    sm = sf.model
    try:
        for _ in range(n_boot):
            xb = x[rng.integers(0, n, n)]
            xc = xb - xb.mean(axis=0)
            S = np.einsum("ni,nj->ij", xc, xc) / n  # divisor N; einsum avoids BLAS threads
            if np.linalg.slogdet(S)[0] <= 0 or np.linalg.cond(S) > 1e12:
                n_singular += 1
                continue
            prob = _Problem(sm, S)
            xx, _ = _polish(prob, sf.x.copy(), max_steps=30)  # Fisher scoring from the estimate
            g = prob.grad(xx)
            fx, mg = prob.f(xx), float(np.max(np.abs(g)))
            if not (np.isfinite(fx) and mg <= _GRAD_OK):
                xx, fx, mg, _ = _minimize(prob, sf.x)
            if not (np.isfinite(fx) and mg <= _GRAD_OK):
                n_failed += 1
                continue
            sm.update_matrices(xx)
            reps.append(_stats(sf, model, p_pairs, t_pairs, xb.mean(axis=0)))
    finally:
        sm.update_matrices(sf.x)
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
                 "policy": "invalid resamples excluded (not redrawn)"},
        "replicates": {
            "paths": pd.DataFrame(R[:, :n_p], columns=cols_p),
            "total_effects": pd.DataFrame(R[:, n_p:n_p + n_t], columns=cols_t),
            "index": pd.DataFrame(R[:, n_p + n_t:], columns=list(index["construct"])),
        },
        "admissibility": {
            "check": "bootstrap_resamples", "status": "ok" if bad == 0 else "warning",
            "detail": f"{valid} of {n_boot} resamples valid; {n_singular} excluded for a "
                      f"singular covariance matrix, {n_failed} for non-convergence",
        },
    }
