"""Covariance-based SEM (ML, via semopy) as csi's second estimator, in the PLS result shape.

:func:`fit_cbsem` is what ``csi.fit(model, data, method="cbsem")`` calls. It prepares the data
with :func:`~csi.estimate.prepare.prepare_data`, translates the model
(:mod:`csi.estimate.cbsem_syntax`: reflective only, single-item error variance fixed, binary
items as continuous 0/1), estimates it by ML (:mod:`csi.estimate.cbsem_engine`; estimates,
SEs and the standardized solution equal lavaan 0.6.14 to 1e-3), computes global fit itself
(:mod:`csi.estimate.cbsem_fit_indices`) and checks admissibility
(:mod:`csi.estimate.cbsem_admissibility`).

The 0-100 index (documented choice)
-----------------------------------
Each construct's index weights are the factor-score weights of its own one-construct
measurement model, ``u_i = (lambda_i / theta_i) / sum_k (lambda_k / theta_k)`` with the
unstandardized loadings ``lambda`` and error variances ``theta`` (the regression and Bartlett
scores of a congeneric block are both proportional to ``lambda / theta``); they sum to 1
within the block and do not borrow from other constructs' items. As in the ACSI,
the construct score is ``s = sum_i u_i x_i`` on the raw (reverse-recoded) items, and the
index score is ``100 * sum_i u_i (x_i - min_i) / sum_i u_i (max_i - min_i)`` with the survey
scale's *theoretical* bounds -- 0-100, higher is better. A single-item construct has
``u = 1``. A non-positive weight, or a Heywood case (``theta <= 0``) that leaves the weights
undefined (NaN), is flagged (``index_weights`` admissibility row, status "fail").

Without bootstrap (``n_boot=0``) the SE of a mean index is ``sd(scores) / sqrt(N)`` with a
normal CI (item weights treated as fixed). With ``n_boot > 0`` the model is re-estimated on
``n_boot`` resamples of respondents and percentile intervals replace it for the index means,
standardized paths and total effects (:mod:`csi.estimate.cbsem_bootstrap`).

Reliability
-----------
``alpha`` is standardized Cronbach's alpha from the item correlations (as for PLS); ``rho_c``
(composite reliability) ``= (sum l)^2 / ((sum l)^2 + sum theta)`` and ``ave = mean(l^2)``
from the standardized loadings ``l`` and standardized error variances ``theta``. ``rho_a``
(Dijkstra-Henseler) is a PLS quantity and is NaN here.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm

from csi.errors import ConvergenceWarning, InadmissibleSolutionWarning, ParameterError
from csi.estimate.cbsem_admissibility import check_admissibility
from csi.estimate.cbsem_engine import SemFit, fit_sem
from csi.estimate.cbsem_fit_indices import FIT_KEYS, fit_indices
from csi.estimate.cbsem_syntax import binary_note, to_semopy_description
from csi.estimate.prepare import check_option, prepare_data
from csi.estimate.results import IndexResult
from csi.survey.model import ModelSpec

__all__ = ["fit_cbsem", "PLS_ONLY_KEYWORDS", "std_total_effects"]

#: keywords of :func:`csi.fit` that only PLS uses; :func:`fit_cbsem` accepts and ignores them.
PLS_ONLY_KEYWORDS = ("weighting", "consistent", "progress", "ci", "max_iter", "tol")
_MISSING = ("listwise", "mean")


def _check_number(name, value, lo, hi, *, integer=False, closed="both"):
    kind = "int" if integer else "float"
    ok = isinstance(value, numbers.Integral if integer else numbers.Real) and not isinstance(value, bool)
    if ok:
        ok = (lo <= value if closed in ("both", "left") else lo < value) and (
            value <= hi if closed in ("both", "right") else value < hi)
    if not ok:
        lb = "[" if closed in ("both", "left") else "("
        rb = "]" if closed in ("both", "right") else ")"
        raise ParameterError(
            f"The {name!r} parameter of fit_cbsem must be an {kind} in the range "
            f"{lb}{lo}, {hi}{rb}. Got {value!r} instead."
        )


def std_total_effects(inner: list[str], sd_idx: list[int]):
    """Function of the matrices giving standardized total effects ``(I - B*)^-1 - I`` (flattened)."""

    def func(beta, lam, psi, theta):
        c = np.linalg.inv(np.eye(beta.shape[0]) - beta)
        sd = np.sqrt(np.abs(np.diag(c @ psi @ c.T)))
        tot = c - np.eye(beta.shape[0])
        std = tot * sd[None, :] / sd[:, None]
        return std[np.ix_(sd_idx, sd_idx)].ravel()

    return func


def fit_cbsem(
    model: ModelSpec,
    data: pd.DataFrame,
    *,
    missing: str = "listwise",
    seed=None,
    n_boot: int = 0,
    alpha: float = 0.05,
    single_item_reliability: float = 1.0,
    max_starts: int = 4,
    survey_version: str | None = None,
    **kw,
) -> IndexResult:
    """Estimate ``model`` by covariance-based SEM (ML) and return an :class:`IndexResult`.

    Parameters
    ----------
    model : ModelSpec
        Reflective constructs (formative ones raise :class:`ParameterError`).
    data : DataFrame
        One row per respondent; columns include every item id.
    missing : {"listwise", "mean"}, default="listwise"
        Missing-data policy of :func:`~csi.estimate.prepare.prepare_data` (ML needs a complete
        covariance matrix, so ``"pairwise"`` is refused).
    seed : int or None
        Seeds the perturbed restarts and the bootstrap.
    n_boot : int, default=0
        Bootstrap resamples for percentile CIs of index means, paths and total effects; 0 uses
        analytic (delta-method) SEs and normal CIs.
    alpha : float, default=0.05
        1 - confidence level of all CIs.
    single_item_reliability : float, default=1.0
        Assumed reliability of single-item constructs; error variance fixed to
        ``(1 - reliability) * var(item)`` (1 -> 0, lavaan's ``auto.fix.single``).
    max_starts : int, default=4
        Starting points tried when the optimizer does not converge.
    survey_version : str, optional
        Stored in the result.
    **kw
        PLS-only keywords of :func:`csi.fit` (:data:`PLS_ONLY_KEYWORDS`) are accepted and
        ignored, so one call site serves both methods; ``weights`` (sampling weights) must be
        None; anything else raises :class:`ParameterError`.

    Returns
    -------
    IndexResult
        ``method="cbsem"``; ``path_coefficients`` carry the standardized estimate (lavaan
        ``std.all``) with ``se, z, p_value, ci_low, ci_high`` and the unstandardized
        ``estimate_unstd, se_unstd, z_unstd, p_value_unstd, ci_low_unstd, ci_high_unstd``;
        ``fit`` holds exactly :data:`~csi.estimate.cbsem_fit_indices.FIT_KEYS`;
        ``extra["parameters"]`` is the full lavaan-style parameter table.

    Warns
    -----
    ConvergenceWarning
        No start converged.
    InadmissibleSolutionWarning
        Any admissibility check is not "ok" (Heywood case, standardized estimate beyond +-1,
        non-positive-definite construct covariance, nearly collinear constructs, singular
        information matrix, non-positive index weight).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> q = rng.normal(size=300); s = 0.6 * q + 0.8 * rng.normal(size=300)
    >>> cols = {f"q{i}": q + 0.6 * rng.normal(size=300) for i in (1, 2, 3)}
    >>> cols |= {f"s{i}": s + 0.6 * rng.normal(size=300) for i in (1, 2, 3)}
    >>> df = pd.DataFrame({k: np.clip(np.round(5.5 + 1.5 * v), 1, 10) for k, v in cols.items()})
    >>> m = ModelSpec.from_blocks({"q": ["q1", "q2", "q3"], "s": ["s1", "s2", "s3"]},
    ...                           [("q", "s")], scale=(1, 10))
    >>> res = fit_cbsem(m, df)
    >>> sorted(res.fit) == sorted(FIT_KEYS), bool(res.converged)
    (True, True)
    >>> bool(0.4 < res.path_coefficients["estimate"].iloc[0] < 0.8)
    True
    """
    weights = kw.pop("weights", None)
    unknown = sorted(k for k in kw if k not in PLS_ONLY_KEYWORDS)
    if unknown:
        raise ParameterError(
            f"fit_cbsem got unexpected keyword argument(s): {', '.join(unknown)}; "
            f"CB-SEM accepts missing, seed, n_boot, alpha, single_item_reliability, max_starts"
        )
    if weights is not None:
        raise ParameterError(
            "The 'weights' parameter is not supported by method='cbsem' (ML on an unweighted "
            "covariance matrix); use method='pls' for weighted estimation, or weights=None."
        )
    check_option("missing", missing, _MISSING, func="fit_cbsem")
    _check_number("n_boot", n_boot, 0, math.inf, integer=True)
    _check_number("alpha", alpha, 0.0, 0.5, closed="neither")
    if not isinstance(model, ModelSpec):
        raise ParameterError(
            f"The 'model' parameter of fit_cbsem must be a ModelSpec. Got {type(model).__name__} instead."
        )
    # syntax checks (formative, names) before touching the data
    to_semopy_description(model, {it: 1.0 for it in model.item_ids},
                          single_item_reliability=single_item_reliability)
    prep = prepare_data(model, data, missing=missing)
    items = prep.items
    var = items.var(ddof=0)
    desc = to_semopy_description(model, var.to_dict(),
                                 single_item_reliability=single_item_reliability)
    sf = fit_sem(desc, items, seed=seed, max_starts=max_starts)
    fit_all = fit_indices(sf.S, sf.sigma, sf.n_obs, sf.n_free)
    z = norm.ppf(1 - alpha / 2)

    paths = _paths(model, sf, z)
    total = _total(model, sf, z)
    loadings = _loadings(model, sf, z)
    u = _index_weights(model, sf)
    index, scores = _index(model, items, u, z)
    reliability = _reliability(model, sf, items)
    r2 = _r2(model, sf)
    adm = check_admissibility(sf)
    neg = u[~(u["estimate"] > 0)]
    adm = pd.concat([adm, pd.DataFrame([{
        "check": "index_weights",
        "status": "ok" if neg.empty else "fail",
        "detail": "all index weights positive" if neg.empty else
        "non-positive index weight(s): " + ", ".join(
            f"{r.construct}/{r.item} ({r.estimate:.4g})" for r in neg.itertuples())
        + "; the 0-100 index of the construct is not bounded",
    }])], ignore_index=True)

    boot_extra: dict = {}
    if n_boot > 0:
        from csi.estimate.cbsem_bootstrap import bootstrap_cbsem

        boot = bootstrap_cbsem(sf, model, items, n_boot=n_boot, seed=seed, alpha=alpha,
                               paths=paths, total=total, index=index)
        paths, total, index = boot["paths"], boot["total"], boot["index"]
        adm = pd.concat([adm, pd.DataFrame([boot["admissibility"]])], ignore_index=True)
        boot_extra = {"bootstrap": boot["info"], "replicates": boot["replicates"]}

    notes: list[str] = []
    note = binary_note(model)
    if note:
        notes.append(note)
    if not sf.converged:
        msg = (f"CB-SEM did not converge from {sf.n_starts} start(s) (max |gradient| "
               f"{sf.max_grad:.2e}); estimates are not trustworthy")
        warnings.warn(msg, ConvergenceWarning, stacklevel=2)
        notes.append(msg)
    bad = adm[(adm["status"] != "ok") & (adm["check"] != "convergence")]
    if len(bad):
        msg = "inadmissible CB-SEM solution: " + "; ".join(
            f"{r.check} ({r.status}): {r.detail}" for r in bad.itertuples())
        warnings.warn(msg, InadmissibleSolutionWarning, stacklevel=2)
        notes.append(msg)

    extra = {
        "parameters": sf.params,
        "fit_detail": fit_all,
        "description": desc,
        "n_starts": sf.n_starts,
        "max_grad": sf.max_grad,
        "notes": tuple(notes),
        "alpha": alpha,
        "ignored_keywords": tuple(sorted(kw)),
        **boot_extra,
    }
    return IndexResult(
        method="cbsem",
        n_obs=sf.n_obs,
        index=index,
        scores=scores,
        std_scores=_std_scores(sf, items),
        path_coefficients=paths,
        total_effects=total,
        loadings=loadings,
        weights=u,
        unstandardized_weights=u,
        reliability=reliability,
        r2=r2,
        htmt=_htmt(model, items),
        admissibility=adm,
        n_iter=sf.n_iter,
        converged=sf.converged,
        n_boot=n_boot,
        survey_version=survey_version,
        missing=dict(prep.missing),
        warnings=tuple(notes),
        fit={k: fit_all[k] for k in FIT_KEYS},
        extra=extra,
    )


# -- tables ------------------------------------------------------------------------------------
def _ci_cols(est, se, z, suffix=""):
    with np.errstate(invalid="ignore", divide="ignore"):
        zz = est / se
    return {
        f"se{suffix}": se, f"z{suffix}": zz, f"p_value{suffix}": 2 * norm.sf(np.abs(zz)),
        f"ci_low{suffix}": est - z * se, f"ci_high{suffix}": est + z * se,
    }


def _paths(model: ModelSpec, sf: SemFit, z: float) -> pd.DataFrame:
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


def _total(model: ModelSpec, sf: SemFit, z: float) -> pd.DataFrame:
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


def _loadings(model: ModelSpec, sf: SemFit, z: float) -> pd.DataFrame:
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


def _index_weights(model: ModelSpec, sf: SemFit) -> pd.DataFrame:
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


def _index(model, items, u, z):
    scores = index_scores(model, items, u)
    n = len(scores)
    mean = scores.mean().to_numpy(float)
    se = scores.std(ddof=1).to_numpy(float) / math.sqrt(n)
    index = pd.DataFrame({"construct": list(model.construct_ids), "score": mean, "se": se,
                          "ci_low": mean - z * se, "ci_high": mean + z * se})
    return index, scores


def _std_scores(sf: SemFit, items: pd.DataFrame) -> pd.DataFrame:
    """Regression factor scores ``Phi Lambda' Sigma^-1 (x - mean)``, scaled to unit sample variance."""
    w = factor_score_matrix(sf)
    lat = sf.latent
    x = items[sf.observed].to_numpy(float)
    sc = (x - x.mean(axis=0)) @ w.loc[lat].to_numpy(float).T
    sd = sc.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(sc / sd, index=items.index, columns=lat)


def _reliability(model: ModelSpec, sf: SemFit, items: pd.DataFrame) -> pd.DataFrame:
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


def _r2(model: ModelSpec, sf: SemFit) -> pd.DataFrame:
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


def _htmt(model: ModelSpec, items: pd.DataFrame) -> pd.DataFrame:
    """HTMT from the item correlations (same definition as for PLS; reflective blocks only)."""
    corr = items.corr().abs()
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
