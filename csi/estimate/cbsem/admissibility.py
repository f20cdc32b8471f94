"""Admissibility of a CB-SEM solution: the checks that keep an artefact from looking like a result.

Each check gives one row ``check, status, detail`` with status ``"ok"``, ``"warning"`` or
``"fail"`` (cSEM's ``verify()`` in spirit):

``convergence``
    fail when the optimizer did not reach ``max|grad F| <= 1e-6`` from any start.
``heywood``
    fail when a free variance (item error or construct residual) is negative; warning when one
    is within ``1e-6`` of zero relative to its item's variance.
``standardized_estimates``
    fail when a standardized loading, path or construct correlation is beyond +-1.
``construct_covariance``
    fail when the model-implied construct covariance matrix is not positive definite
    (smallest eigenvalue of the construct correlation matrix ``<= 1e-8``).
``construct_condition``
    warning when the construct correlation matrix has a condition number above ``1e3``
    (nearly collinear constructs: paths and SEs are unstable), fail above ``1e6``.
``identification``
    fail when the expected information matrix is singular (condition number ``>= 1e12``):
    the model is (empirically) not identified and SEs cannot be computed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.estimate.cbsem.engine import SemFit

__all__ = ["check_admissibility", "ADMISSIBILITY_COLUMNS", "COND_WARN", "COND_FAIL", "INFO_FAIL"]

ADMISSIBILITY_COLUMNS = ["check", "status", "detail"]
COND_WARN = 1e3
COND_FAIL = 1e6
INFO_FAIL = 1e12


def _row(check: str, status: str, detail: str) -> dict[str, str]:
    return {"check": check, "status": status, "detail": detail}


def _latent_corr(fit: SemFit) -> tuple[list[str], np.ndarray]:
    idx = [fit.inner.index(v) for v in fit.latent]
    phi = fit.inner_cov[np.ix_(idx, idx)]
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.sqrt(np.abs(np.diag(phi)))
        return fit.latent, phi / np.outer(d, d)


def check_admissibility(fit: SemFit) -> pd.DataFrame:
    """Run every check on ``fit`` (see module docstring); one row per check.

    Returns
    -------
    DataFrame
        ``check, status, detail``; ``status`` in {"ok", "warning", "fail"}.
    """
    rows = []
    # convergence
    if fit.converged:
        rows.append(_row("convergence", "ok",
                         f"max |gradient| {fit.max_grad:.2e} after {fit.n_iter} iterations, "
                         f"{fit.n_starts} start(s)"))
    else:
        rows.append(_row("convergence", "fail",
                         f"no start of {fit.n_starts} converged (max |gradient| "
                         f"{fit.max_grad:.2e}); estimates are not a maximum of the likelihood"))
    # Heywood cases
    p = fit.params
    var = p[(p["op"] == "~~") & (p["lhs"] == p["rhs"]) & p["free"]]
    scale = {v: fit.S[i, i] for i, v in enumerate(fit.observed)}
    neg = var[var["estimate"] < 0]
    near = var[(var["estimate"] >= 0) & (
        var["estimate"] <= 1e-6 * var["lhs"].map(lambda v: scale.get(v, 1.0)).astype(float))]
    if len(neg):
        det = ", ".join(f"{r.lhs} ({r.estimate:.4g})" for r in neg.itertuples())
        rows.append(_row("heywood", "fail", f"negative variance(s): {det}"))
    elif len(near):
        det = ", ".join(r.lhs for r in near.itertuples())
        rows.append(_row("heywood", "warning", f"variance(s) at zero: {det}"))
    else:
        rows.append(_row("heywood", "ok", "all free variances positive"))
    # standardized estimates beyond +-1
    std = p[(p["op"].isin(["=~", "~"])) | ((p["op"] == "~~") & (p["lhs"] != p["rhs"]))]
    big = std[np.abs(std["estimate_std"]) > 1 + 1e-8]
    lat, corr = _latent_corr(fit)
    listed = {frozenset((r.lhs, r.rhs)) for r in big.itertuples() if r.op == "~~"}
    off = [(lat[i], lat[j], corr[i, j]) for i in range(len(lat)) for j in range(i)
           if abs(corr[i, j]) > 1 + 1e-8 and frozenset((lat[i], lat[j])) not in listed]
    if len(big) or off:
        det = [f"{r.lhs} {r.op} {r.rhs} = {r.estimate_std:.4g}" for r in big.itertuples()]
        det += [f"corr({a}, {b}) = {c:.4g}" for a, b, c in off]
        rows.append(_row("standardized_estimates", "fail", "beyond +-1: " + "; ".join(det)))
    else:
        rows.append(_row("standardized_estimates", "ok", "all within +-1"))
    # construct covariance PD and conditioning
    if len(lat):
        finite = bool(np.all(np.isfinite(corr)))
        eig = np.linalg.eigvalsh(corr) if finite else np.array([np.nan])
        if not finite or eig.min() <= 1e-8:
            rows.append(_row("construct_covariance", "fail",
                             f"construct covariance matrix not positive definite "
                             f"(smallest eigenvalue of the correlation {eig.min():.3g})"))
        else:
            rows.append(_row("construct_covariance", "ok",
                             f"positive definite (smallest eigenvalue {eig.min():.3g})"))
        cond = float(eig.max() / eig.min()) if finite and eig.min() > 0 else np.inf
        pair = ""
        if len(lat) > 1:
            tri = np.abs(np.where(np.tril(np.ones_like(corr), -1) > 0, corr, 0))
            i, j = np.unravel_index(np.nanargmax(tri), tri.shape)
            pair = f"; highest construct correlation {lat[i]}-{lat[j]} = {corr[i, j]:.4f}"
        status = "ok" if cond <= COND_WARN else ("warning" if cond <= COND_FAIL else "fail")
        rows.append(_row("construct_condition", status,
                         f"condition number of the construct correlation matrix {cond:.3g}"
                         f"{pair}" + ("" if status == "ok" else
                                      " (nearly collinear constructs: paths are unstable)")))
    # identification / information matrix
    if not np.isfinite(fit.info_cond) or fit.info_cond >= INFO_FAIL:
        rows.append(_row("identification", "fail",
                         f"information matrix singular (condition number {fit.info_cond:.3g}); "
                         "the model is not identified by these data and SEs are unavailable"))
    else:
        rows.append(_row("identification", "ok",
                         f"information matrix condition number {fit.info_cond:.3g}"))
    return pd.DataFrame(rows, columns=ADMISSIBILITY_COLUMNS)
