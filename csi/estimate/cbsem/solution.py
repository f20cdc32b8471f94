"""The parameter table of a CB-SEM fit: where each parameter sits in semopy's matrices, its
lavaan-style row label (``lhs, op, rhs``), the standardized solution (lavaan ``std.all`` with
``cov.std = TRUE``) and delta-method SEs of any function of the matrices.

Shared by the complete-data ML engine (:mod:`csi.estimate.cbsem.engine`), its bootstrap and
FIML (:mod:`csi.estimate.missing.fiml`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import semopy
from scipy.stats import norm

# private names: the helpers are shared inside csi.estimate only (importable from engine as before)
__all__ = ["PARAM_COLUMNS", "_delta_se", "_param_locations", "_parameter_table", "_row_label",
           "_standardize"]

#: columns of :attr:`SemFit.params` (one row per model parameter, free or fixed).
PARAM_COLUMNS = [
    "lhs", "op", "rhs", "free", "estimate", "se", "z", "p_value",
    "estimate_std", "se_std", "z_std", "p_value_std",
]

def _param_locations(model: semopy.Model):
    """Yield (name, active, matrix_index, (i, j)) for every parameter location."""
    mats = model.matrices[:4]
    for name, par in model.parameters.items():
        for loc in par.locations:
            k = next((i for i, mx in enumerate(mats) if mx is loc.matrix), None)
            if k is not None:
                yield name, par.active, k, tuple(int(v) for v in loc.indices)


def _row_label(model: semopy.Model, k: int, ij: tuple[int, int]) -> tuple[str, str, str]:
    inner, obs = model.vars["inner"], model.vars["observed"]
    i, j = ij
    if k == 0:
        return inner[i], "~", inner[j]
    if k == 1:
        if inner[j] not in model.vars["latent"]:  # semopy puts y ~ x (observed x) in Lambda
            return obs[i], "~", inner[j]
        return inner[j], "=~", obs[i]
    if k == 2:
        return inner[min(i, j)], "~~", inner[max(i, j)]
    return obs[min(i, j)], "~~", obs[max(i, j)]


def _standardize(beta, lam, psi, theta, locs) -> np.ndarray:
    """lavaan ``std.all`` (``cov.std = TRUE``) value of every parameter location."""
    c = np.linalg.inv(np.eye(beta.shape[0]) - beta)
    phi = c @ psi @ c.T
    sigma = lam @ phi @ lam.T + theta
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_in = np.sqrt(np.diag(phi))
        sd_ob = np.sqrt(np.diag(sigma))
        out = np.empty(len(locs))
        for r, (k, (i, j)) in enumerate(locs):
            if k == 0:
                out[r] = beta[i, j] * sd_in[j] / sd_in[i]
            elif k == 1:
                out[r] = lam[i, j] * sd_in[j] / sd_ob[i]
            elif k == 2:
                out[r] = psi[i, j] / (phi[i, i] if i == j else np.sqrt(psi[i, i] * psi[j, j]))
            else:
                out[r] = theta[i, j] / (
                    sigma[i, i] if i == j else np.sqrt(theta[i, i] * theta[j, j])
                )
    return out


def _delta_se(model, x: np.ndarray, vcov: np.ndarray, func) -> np.ndarray:
    """Delta-method SEs of ``func(beta, lam, psi, theta)`` at ``x`` (central differences)."""

    def at(xx):
        model.update_matrices(xx)
        return np.asarray(func(*(np.array(mx) for mx in model.matrices[:4])), dtype=float)

    base = at(x)
    jac = np.empty((base.size, x.size))
    for q in range(x.size):
        hq = 1e-6 * max(1.0, abs(x[q]))
        xp, xm = x.copy(), x.copy()
        xp[q] += hq
        xm[q] -= hq
        jac[:, q] = (at(xp) - at(xm)) / (2 * hq)
    model.update_matrices(x)
    v = np.einsum("rq,qs,rs->r", jac, vcov, jac)
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(v) < 1e-20, np.nan, np.sqrt(np.abs(v)))


def _parameter_table(model: semopy.Model, x: np.ndarray, vcov: np.ndarray) -> tuple[pd.DataFrame, list]:
    """``(params, mats)``: the :data:`PARAM_COLUMNS` table of the solution ``x`` (SEs from
    ``vcov``; ``std.all`` and its delta-method SEs) and semopy's four matrices at ``x``."""
    locs_full = list(_param_locations(model))
    active_names = [nm for nm, par in model.parameters.items() if par.active]
    pos = {nm: i for i, nm in enumerate(active_names)}
    locs = [(k, ij) for _, _, k, ij in locs_full]
    mats = [np.array(mx) for mx in model.matrices[:4]]
    est = np.array([mats[k][ij] for k, ij in locs])
    se = np.array([np.sqrt(vcov[pos[nm], pos[nm]]) if act else np.nan
                   for nm, act, _, _ in locs_full])
    std = _standardize(*mats, locs)
    se_std = _delta_se(model, x, vcov, lambda *mx: _standardize(*mx, locs))
    with np.errstate(invalid="ignore", divide="ignore"):
        rows = [_row_label(model, k, ij) for k, ij in locs]
        z = est / se
        z_std = std / se_std
    params = pd.DataFrame({
        "lhs": [r[0] for r in rows], "op": [r[1] for r in rows], "rhs": [r[2] for r in rows],
        "free": [act for _, act, _, _ in locs_full],
        "estimate": est, "se": se, "z": z, "p_value": 2 * norm.sf(np.abs(z)),
        "estimate_std": std, "se_std": se_std, "z_std": z_std,
        "p_value_std": 2 * norm.sf(np.abs(z_std)),
    }, columns=PARAM_COLUMNS)
    return params, mats
