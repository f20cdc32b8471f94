"""Result tables of a CB-SEM fit in the :class:`~csi.estimate.results.IndexResult` shape.

Paths, total effects and loadings carry lavaan's ``std.all`` estimate with delta-method SE,
z, p and normal CI, plus the unstandardized ones (``*_unstd``); index weights, 0-100 index
scores, reliability, R² and HTMT follow the conventions in :mod:`csi.estimate.cbsem.fit`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm

from csi.estimate.cbsem.engine import SemFit
from csi.survey.model import ModelSpec

__all__ = [
    "paths_table", "total_effects_table", "loadings_table", "index_weights", "index_scores",
    "index_table", "std_scores", "reliability_table", "r2_table", "htmt_table",
    "factor_score_matrix", "std_total_effects",
]


def std_total_effects(inner: list[str], sd_idx: list[int]):
    """Function of the matrices giving standardized total effects ``(I - B*)^-1 - I`` (flattened)."""

    def func(beta, lam, psi, theta):
        c = np.linalg.inv(np.eye(beta.shape[0]) - beta)
        sd = np.sqrt(np.abs(np.diag(c @ psi @ c.T)))
        tot = c - np.eye(beta.shape[0])
        std = tot * sd[None, :] / sd[:, None]
        return std[np.ix_(sd_idx, sd_idx)].ravel()

    return func



def _ci_cols(est, se, z, suffix=""):
    with np.errstate(invalid="ignore", divide="ignore"):
        zz = est / se
    return {
        f"se{suffix}": se, f"z{suffix}": zz, f"p_value{suffix}": 2 * norm.sf(np.abs(zz)),
        f"ci_low{suffix}": est - z * se, f"ci_high{suffix}": est + z * se,
    }


def paths_table(model: ModelSpec, sf: SemFit, z: float) -> pd.DataFrame:
    p = sf.params.set_index(["lhs", "op", "rhs"])
    rows = [(s, t) for t in model.construct_ids for s in model.predecessors(t)]
    if not rows:
        return pd.DataFrame(columns=["source", "target", "estimate", "se", "ci_low", "ci_high",
                                     "p_value", "z", "estimate_unstd"])
    sel = p.loc[[(t, "~", s) for s, t in rows]]
    est, se = sel["estimate_std"].to_numpy(float), sel["se_std"].to_numpy(float)
    eu, seu = sel["estimate"].to_numpy(float), sel["se"].to_numpy(float)
    a = _ci_cols(est, se, z)
    b = _ci_cols(eu, seu, z, "_unstd")
    return pd.DataFrame({
        "source": [s for s, _ in rows], "target": [t for _, t in rows],
        "estimate": est, "se": a["se"], "ci_low": a["ci_low"], "ci_high": a["ci_high"],
        "p_value": a["p_value"], "z": a["z"],
        "estimate_unstd": eu, "se_unstd": seu, "ci_low_unstd": b["ci_low_unstd"],
        "ci_high_unstd": b["ci_high_unstd"], "p_value_unstd": b["p_value_unstd"],
        "z_unstd": b["z_unstd"],
    })


def total_effects_table(model: ModelSpec, sf: SemFit, z: float) -> pd.DataFrame:
    ids = list(model.construct_ids)
    idx = [sf.inner.index(c) for c in ids]
    val, se = sf.delta(std_total_effects(sf.inner, idx))
    k = len(ids)
    val, se = val.reshape(k, k), se.reshape(k, k)
    reach = _reachable(model)
    rows = [(i, j) for j in range(k) for i in range(k) if (ids[j], ids[i]) in reach]
    est = np.array([val[i, j] for i, j in rows])
    s = np.array([se[i, j] for i, j in rows])
    a = _ci_cols(est, s, z)
    return pd.DataFrame({
        "source": [ids[j] for _, j in rows], "target": [ids[i] for i, _ in rows],
        "estimate": est, "se": a["se"], "ci_low": a["ci_low"], "ci_high": a["ci_high"],
        "p_value": a["p_value"], "z": a["z"],
    })


def _reachable(model: ModelSpec) -> set[tuple[str, str]]:
    succ: dict[str, list[str]] = {}
    for s, t in model.paths:
        succ.setdefault(s, []).append(t)
    out = set()
    for s in model.construct_ids:
        stack, seen = list(succ.get(s, [])), set()
        while stack:
            t = stack.pop()
            if t not in seen:
                seen.add(t)
                out.add((s, t))
                stack.extend(succ.get(t, []))
    return out


def loadings_table(model: ModelSpec, sf: SemFit, z: float) -> pd.DataFrame:
    p = sf.params.set_index(["lhs", "op", "rhs"])
    keys = [(c.id, "=~", it) for c in model.constructs for it in c.items]
    sel = p.loc[keys]
    est, se = sel["estimate_std"].to_numpy(float), sel["se_std"].to_numpy(float)
    a = _ci_cols(est, se, z)
    return pd.DataFrame({
        "construct": [k[0] for k in keys], "item": [k[2] for k in keys],
        "estimate": est, "se": a["se"], "ci_low": a["ci_low"], "ci_high": a["ci_high"],
        "p_value": a["p_value"], "estimate_unstd": sel["estimate"].to_numpy(float),
        "se_unstd": sel["se"].to_numpy(float),
    })


def factor_score_matrix(sf: SemFit) -> pd.DataFrame:
    """Regression (Thurstone) factor-score coefficients ``Phi Lambda' Sigma^-1`` (constructs x items)."""
    phi = sf.inner_cov
    w = phi @ sf.lam.T @ np.linalg.pinv(sf.sigma)
    return pd.DataFrame(w, index=sf.inner, columns=sf.observed)


def index_weights(model: ModelSpec, sf: SemFit) -> pd.DataFrame:
    p = sf.params.set_index(["lhs", "op", "rhs"])
    rows = []
    for c in model.constructs:
        lam = np.array([p.loc[(c.id, "=~", it), "estimate"] for it in c.items], dtype=float)
        th = np.array([p.loc[(it, "~~", it), "estimate"] for it in c.items], dtype=float)
        if len(c.items) == 1:
            u = np.ones(1)
        elif np.all(th > 0):
            raw = lam / th
            u = raw / raw.sum()
        else:  # Heywood case: the weights are undefined; flagged by the caller
            u = np.full(len(c.items), np.nan)
        for it, val in zip(c.items, u, strict=True):
            rows.append({"construct": c.id, "item": it, "estimate": float(val),
                         "se": np.nan, "ci_low": np.nan, "ci_high": np.nan})
    return pd.DataFrame(rows)


def index_scores(model: ModelSpec, items: pd.DataFrame, u: pd.DataFrame) -> pd.DataFrame:
    """Per-respondent 0-100 index scores (theoretical bounds; higher is better)."""
    out = {}
    for c in model.constructs:
        uu = u.loc[u["construct"] == c.id, "estimate"].to_numpy(float)
        lo = np.array([model.items[it].scale_min for it in c.items], dtype=float)
        hi = np.array([model.items[it].scale_max for it in c.items], dtype=float)
        x = items[list(c.items)].to_numpy(float)
        out[c.id] = 100.0 * ((x - lo) @ uu) / ((hi - lo) @ uu)
    return pd.DataFrame(out, index=items.index, columns=list(model.construct_ids))


def index_table(model, items, u, z):
    scores = index_scores(model, items, u)
    n = len(scores)
    mean = scores.mean().to_numpy(float)
    se = scores.std(ddof=1).to_numpy(float) / math.sqrt(n)
    index = pd.DataFrame({"construct": list(model.construct_ids), "score": mean, "se": se,
                          "ci_low": mean - z * se, "ci_high": mean + z * se})
    return index, scores


def std_scores(sf: SemFit, items: pd.DataFrame) -> pd.DataFrame:
    """Regression factor scores ``Phi Lambda' Sigma^-1 (x - mean)``, scaled to unit sample variance."""
    w = factor_score_matrix(sf)
    lat = sf.latent
    x = items[sf.observed].to_numpy(float)
    sc = (x - x.mean(axis=0)) @ w.loc[lat].to_numpy(float).T
    sd = sc.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(sc / sd, index=items.index, columns=lat)


def reliability_table(model: ModelSpec, sf: SemFit, items: pd.DataFrame) -> pd.DataFrame:
    p = sf.params.set_index(["lhs", "op", "rhs"])
    corr = items.corr().to_numpy(float)
    pos = {it: i for i, it in enumerate(items.columns)}
    rows = []
    for c in model.constructs:
        lam = np.array([p.loc[(c.id, "=~", it), "estimate_std"] for it in c.items], dtype=float)
        th = np.array([p.loc[(it, "~~", it), "estimate_std"] for it in c.items], dtype=float)
        k = len(c.items)
        if k > 1:
            ix = [pos[it] for it in c.items]
            r = corr[np.ix_(ix, ix)]
            alpha = k / (k - 1.0) * (1.0 - k / r.sum())
        else:
            alpha = 1.0
        s2 = lam.sum() ** 2
        rows.append({"construct": c.id, "alpha": float(alpha), "rho_a": np.nan,
                     "rho_c": float(s2 / (s2 + th.sum())), "ave": float(np.mean(lam**2))})
    return pd.DataFrame(rows)


def r2_table(model: ModelSpec, sf: SemFit) -> pd.DataFrame:
    phi = sf.inner_cov
    rows = []
    n = sf.n_obs
    for c in model.endogenous:
        i = sf.inner.index(c)
        r2 = 1.0 - sf.psi[i, i] / phi[i, i]
        k = len(model.predecessors(c))
        adj = 1.0 - (1.0 - r2) * (n - 1) / (n - k - 1) if n - k - 1 > 0 else np.nan
        rows.append({"construct": c, "r2": float(r2), "r2_adj": float(adj)})
    return pd.DataFrame(rows, columns=["construct", "r2", "r2_adj"])


def htmt_table(model: ModelSpec, items: pd.DataFrame) -> pd.DataFrame:
    """HTMT from the (signed) item correlations, as ``csi.estimate.quality.measurement.htmt`` does for PLS."""
    corr = items.corr()
    ids = list(model.construct_ids)
    rows = []
    for a_i, a in enumerate(ids):
        for b in ids[a_i + 1:]:
            ia, ib = list(model.construct(a).items), list(model.construct(b).items)
            het = corr.loc[ia, ib].to_numpy(float).mean()

            def mono(its):
                if len(its) < 2:
                    return 1.0
                r = corr.loc[its, its].to_numpy(float)
                return r[np.triu_indices_from(r, 1)].mean()

            rows.append({"construct_a": a, "construct_b": b,
                         "estimate": het / math.sqrt(mono(ia) * mono(ib)),
                         "ci_low": np.nan, "ci_high": np.nan})
    return pd.DataFrame(rows, columns=["construct_a", "construct_b", "estimate", "ci_low", "ci_high"])
