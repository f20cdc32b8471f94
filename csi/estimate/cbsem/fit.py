"""Covariance-based SEM (ML, via semopy) as csi's second estimator, in the PLS result shape.

:func:`fit_cbsem` is what ``csi.fit(model, data, method="cbsem")`` calls. It prepares the data
with :func:`~csi.estimate.prepare.prepare_data`, translates the model
(:mod:`csi.estimate.cbsem.syntax`: reflective only, single-item error variance fixed, binary
items as continuous 0/1), estimates it by ML (:mod:`csi.estimate.cbsem.engine`; estimates,
SEs and the standardized solution equal lavaan 0.6.14 to 1e-3), computes global fit itself
(:mod:`csi.estimate.cbsem.fit_indices`) and checks admissibility
(:mod:`csi.estimate.cbsem.admissibility`).

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
standardized paths and total effects (:mod:`csi.estimate.cbsem.bootstrap`); under
``missing="fiml"`` with missing answers every resample is refitted by FIML.

Reliability
-----------
``alpha`` is standardized Cronbach's alpha from the item correlations (as for PLS); ``rho_c``
(composite reliability) ``= (sum l)^2 / ((sum l)^2 + sum theta)`` and ``ave = mean(l^2)``
from the standardized loadings ``l`` and standardized error variances ``theta``. ``rho_a``
(Dijkstra-Henseler) is a PLS quantity and is NaN here.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm

from csi.errors import ConvergenceWarning, InadmissibleSolutionWarning, ParameterError
from csi.estimate.cbsem import tables as T
from csi.estimate.cbsem.admissibility import check_admissibility
from csi.estimate.cbsem.engine import fit_sem
from csi.estimate.cbsem.fit_indices import FIT_KEYS, fit_indices
from csi.estimate.cbsem.syntax import binary_note, to_semopy_description
from csi.estimate.missing.policies import missing_report, warn_dropped
from csi.estimate.params import NOT_FOR, check, check_option, reject_inapplicable
from csi.estimate.prepare import prepare_data
from csi.estimate.results import IndexResult
from csi.survey.model import ModelSpec

__all__ = ["fit_cbsem", "PLS_ONLY_KEYWORDS"]

#: keywords of :func:`csi.fit` that only PLS uses: accepted at their neutral value (one call site
#: serves both methods), any other value raises (:func:`csi.estimate.params.reject_inapplicable`).
PLS_ONLY_KEYWORDS = tuple(NOT_FOR["cbsem"])
_MISSING = ("fiml", "listwise", "mean")


def fit_cbsem(
    model: ModelSpec,
    data: pd.DataFrame,
    *,
    missing: str = "fiml",
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
    missing : {"fiml", "listwise", "mean"}, default="fiml"
        ``"fiml"``: casewise ML by missingness pattern (:mod:`csi.estimate.missing.fiml`,
        lavaan's ``missing = "fiml"``); or a policy of :func:`~csi.estimate.prepare.prepare_data`
        (``"pairwise"`` is refused: ML needs a positive-definite covariance).
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
        PLS-only keywords of :func:`csi.fit` (:data:`PLS_ONLY_KEYWORDS`) are accepted at their
        neutral value (recorded in ``extra["ignored_keywords"]``), so one call site serves both
        methods; another value raises :class:`ParameterError` naming them; ``weights`` (sampling weights) must be
        None; anything else raises :class:`ParameterError`.

    Returns
    -------
    IndexResult
        ``method="cbsem"``; ``path_coefficients`` carry the standardized estimate (lavaan
        ``std.all``) with ``se, z, p_value, ci_low, ci_high`` and the unstandardized
        ``estimate_unstd, se_unstd, z_unstd, p_value_unstd, ci_low_unstd, ci_high_unstd``;
        ``fit`` holds exactly :data:`~csi.estimate.cbsem.fit_indices.FIT_KEYS`;
        ``extra["parameters"]`` is the full lavaan-style parameter table.

    Warns
    -----
    ConvergenceWarning
        No start converged.
    InadmissibleSolutionWarning
        Any admissibility check is not "ok" (Heywood case, standardized estimate beyond +-1,
        non-positive-definite construct covariance, nearly collinear constructs, singular
        information matrix, non-positive index weight). A saturated model (df = 0) gets a
        ``fit_testable`` "warning" row and a note in ``warnings`` but no Python warning: the
        solution is admissible, only its global fit is untestable.

    Examples
    --------
    >>> import numpy as np
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
    missing_types = kw.pop("missing_types", None)
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
    ignored = reject_inapplicable("cbsem", func="fit_cbsem", **kw)
    check_option("missing", missing, _MISSING, func="fit_cbsem")
    check("n_boot", n_boot, func="fit_cbsem")
    check("alpha", alpha, func="fit_cbsem")
    if not isinstance(model, ModelSpec):
        raise ParameterError(
            f"The 'model' parameter of fit_cbsem must be a ModelSpec. Got {type(model).__name__} instead."
        )
    # syntax checks (formative, names) before touching the data
    to_semopy_description(model, {it: 1.0 for it in model.item_ids},
                          single_item_reliability=single_item_reliability)
    prep = prepare_data(model, data, missing=missing, missing_types=missing_types)
    items = prep.items
    var = items.var(ddof=0)
    desc = to_semopy_description(model, var.to_dict(),
                                 single_item_reliability=single_item_reliability)
    fiml_info = None
    if missing == "fiml" and items.isna().to_numpy().any():
        from csi.estimate.missing.fiml import fiml_fit_indices, fit_sem_fiml

        sf, fiml_info = fit_sem_fiml(desc, items, seed=seed, max_starts=max_starts)
        fit_all = fiml_fit_indices(sf, fiml_info, items[sf.observed])
    else:
        sf = fit_sem(desc, items, seed=seed, max_starts=max_starts)
        fit_all = fit_indices(sf.S, sf.sigma, sf.n_obs, sf.n_free)
    z = norm.ppf(1 - alpha / 2)

    paths = T.paths_table(model, sf, z)
    total = T.total_effects_table(model, sf, z)
    loadings = T.loadings_table(model, sf, z)
    u = T.index_weights(model, sf)
    index, scores = T.index_table(model, items, u, z)
    if fiml_info is not None:  # the index from the FIML item means, scores renormalised
        index, scores = fiml_index(model, items, u, fiml_info, sf.observed, z)
    # alpha and HTMT: under FIML from the EM correlations (MAR), else pairwise-complete
    corr = T.item_correlations(items, None if fiml_info is None else (fiml_info["em"], sf.observed))
    reliability = T.reliability_table(model, sf, items, corr)
    r2 = T.r2_table(model, sf)
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
        from csi.estimate.cbsem.bootstrap import bootstrap_cbsem

        boot = bootstrap_cbsem(sf, model, items, n_boot=n_boot, seed=seed, alpha=alpha,
                               paths=paths, total=total, index=index, fiml=fiml_info)
        paths, total, index = boot["paths"], boot["total"], boot["index"]
        adm = pd.concat([adm, pd.DataFrame([boot["admissibility"]])], ignore_index=True)
        boot_extra = {"bootstrap": boot["info"], "replicates": boot["replicates"]}

    saturated = (
        "saturated model (df = 0): chi-square, CFI, TLI, RMSEA and SRMR cannot test the model; "
        "CFI = 1 and SRMR = 0 hold by construction"
    )
    if fit_all["df"] == 0:
        adm = pd.concat([adm, pd.DataFrame([{
            "check": "fit_testable", "status": "warning", "detail": saturated,
        }])], ignore_index=True)
    notes: list[str] = []
    note = binary_note(model)
    if note:
        notes.append(note)
    if not sf.converged:
        msg = (f"CB-SEM did not converge from {sf.n_starts} start(s) (max |gradient| "
               f"{sf.max_grad:.2e}); estimates are not trustworthy")
        warnings.warn(msg, ConvergenceWarning, stacklevel=2)
        notes.append(msg)
    if fit_all["df"] == 0:
        notes.append(saturated)
    bad = adm[(adm["status"] != "ok") & ~adm["check"].isin(["convergence", "fit_testable"])]
    if len(bad):
        msg = "inadmissible CB-SEM solution: " + "; ".join(
            f"{r.check} ({r.status}): {r.detail}" for r in bad.itertuples())
        warnings.warn(msg, InadmissibleSolutionWarning, stacklevel=2)
        notes.append(msg)

    em_r = None if fiml_info is None else fiml_info["em"]
    miss = missing_report(missing, len(data), len(items),
                          prep.type_counts, model.item_ids,
                          em=None if missing != "fiml" else (
                              {"iterations": 0, "converged": True} if em_r is None else
                              {"iterations": em_r.iterations, "converged": em_r.converged}))
    warn_dropped(miss, stacklevel=2)
    extra = {
        "parameters": sf.params,
        "fit_detail": fit_all,
        "description": desc,
        "n_starts": sf.n_starts,
        "max_grad": sf.max_grad,
        "notes": tuple(notes),
        "alpha": alpha,
        "ignored_keywords": ignored,
        **boot_extra,
    }
    return IndexResult(
        method="cbsem",
        model=model,
        options={"method": "cbsem", "n_boot": n_boot, "alpha": alpha, "missing": missing,
                 "single_item_reliability": single_item_reliability, "max_starts": max_starts},
        n_obs=sf.n_obs,
        index=index,
        scores=scores,
        std_scores=T.std_scores(sf, items),
        path_coefficients=paths,
        total_effects=total,
        loadings=loadings,
        weights=u,
        unstandardized_weights=u,
        reliability=reliability,
        r2=r2,
        htmt=T.htmt_table(model, items, corr),
        admissibility=adm,
        n_iter=sf.n_iter,
        converged=sf.converged,
        n_boot=n_boot,
        survey_version=survey_version,
        missing=miss,
        warnings=tuple(notes),
        fit={k: fit_all[k] for k in FIT_KEYS},
        extra=extra,
    )


def fiml_index(model, items, u, info, observed, z):
    """0-100 index from the FIML item means; per-respondent scores with renormalised weights."""
    from csi.estimate.missing.scores import renormalised_index_scores

    mu = dict(zip(observed, info["mean"], strict=True))
    cids = list(model.construct_ids)
    rows, out = [], {}
    for c in model.constructs:
        uu = u.loc[u["construct"] == c.id, "estimate"].to_numpy(float)
        lo = np.array([model.items[it].scale_min for it in c.items], dtype=float)
        hi = np.array([model.items[it].scale_max for it in c.items], dtype=float)
        m = np.array([mu[it] for it in c.items])
        x = items[list(c.items)].to_numpy(float)
        out[c.id] = renormalised_index_scores(x, uu, np.ones((len(uu), 1)), lo, hi)[:, 0]
        score = 100.0 * ((m - lo) @ uu) / ((hi - lo) @ uu)
        sc = out[c.id]
        se = float(np.nanstd(sc, ddof=1) / math.sqrt(np.isfinite(sc).sum()))
        rows.append({"construct": c.id, "score": score, "se": se, "ci_low": score - z * se,
                     "ci_high": score + z * se})
    return pd.DataFrame(rows), pd.DataFrame(out, index=items.index, columns=cids)
