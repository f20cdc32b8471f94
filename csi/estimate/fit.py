"""The front door: ``csi.fit(model, data, ...) -> IndexResult``.

Accepts a :class:`~csi.survey.model.ModelSpec`, a survey object (anything with ``to_model()``
and ``version``), or lavaan syntax with ``scale=(min, max)``; runs PLS-PM (or dispatches to
CB-SEM), the bootstrap, the quality measures and the 0-100 index, and returns one
:class:`~csi.estimate.results.IndexResult` of tidy DataFrames.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csi.errors import CsiError, InadmissibleSolutionWarning, ParameterError
from csi.estimate.params import PARAMS, check, check_option, reject_inapplicable
from csi.estimate.pls.model import PLSPathModel, replicate_statistics
from csi.estimate.resample.bootstrap import bootstrap_moments, interval
from csi.estimate.results import IndexResult
from csi.survey.model import ModelSpec

__all__ = ["StrataFit", "fit", "fit_strata", "resolve_model"]

METHODS = PARAMS["method"].values
CI_METHODS = PARAMS["ci"].values


def survey_of(model):
    """The survey object ``model`` is (anything with ``to_model()``), else None."""
    return model if hasattr(model, "to_model") and not isinstance(model, ModelSpec) else None


def resolve_model(model, scale=None, missing_codes=()) -> tuple[ModelSpec, str | None]:
    """``(ModelSpec, survey_version)`` from a ModelSpec, a survey object or lavaan text."""
    if isinstance(model, ModelSpec):
        return model, None
    if hasattr(model, "to_model"):
        return model.to_model(), str(getattr(model, "version", None) or "") or None
    if isinstance(model, str):
        if scale is None:
            raise ParameterError(
                "The 'scale' parameter of fit is required with a lavaan model string: "
                "pass scale=(min, max), the theoretical bounds of the items (e.g. (1, 10))."
            )
        try:
            lo, hi = (float(v) for v in scale)
        except (TypeError, ValueError):
            raise ParameterError(
                f"The 'scale' parameter of fit must be a (min, max) pair of numbers. Got {scale!r} instead."
            ) from None
        from csi.survey.syntax import parse_lavaan

        return parse_lavaan(model, scale=(lo, hi), missing_codes=tuple(missing_codes)), None
    raise ParameterError(
        "The 'model' parameter of fit must be a ModelSpec, a Survey or a lavaan model string. "
        f"Got {type(model).__name__} instead."
    )


def fit(
    model,
    data: pd.DataFrame,
    method: str = "pls",
    n_boot: int | None = None,
    seed=None,
    weights=None,
    missing: str | None = None,
    scale=None,
    weighting: str = "path",
    consistent: bool = False,
    ci: str = "percentile",
    alpha: float = 0.05,
    progress: Callable[[int, int], None] | None = None,
    strata=None,
    missing_types=None,
    **kw,
) -> IndexResult:
    """Estimate the model and the 0-100 indices with bootstrap confidence intervals.

    Parameters
    ----------
    model : ModelSpec, Survey or str
        A survey (``to_model()``), a model, or lavaan syntax (``=~`` reflective, ``<~``
        formative, ``~`` paths) -- then ``scale=(min, max)`` is required and
        ``missing_codes=(...)`` may be passed.
    data : DataFrame
        One row per respondent, item ids as columns.
    method : {"pls", "cbsem"}, default="pls"
    n_boot : int or None, default=None
        Bootstrap resamples; None means 5000 for PLS and the CB-SEM estimator's own default
        (no bootstrap) for ``method="cbsem"``. 0 = no bootstrap (SEs and CIs are NaN).
    seed : int, Generator or None
        Seeds the bootstrap (``numpy.random.default_rng(seed)``); ``random_state`` is an alias.
    weights : str, array or None
        Sampling weights (a column name or one weight per row): weighted PLS.
    missing : {"em", "fiml", "pairwise", "mean", "listwise"} or None
        Missing-data policy (:mod:`csi.estimate.missing.policies`). None (default): ``"em"``
        for PLS (the EM mean and covariance; every respondent with an answer is used) and
        ``"fiml"`` for CB-SEM. What it did is in ``result.missing``; a
        :class:`~csi.errors.MissingDataWarning` is raised when it drops more than 5% of the
        respondents.
    missing_types : DataFrame or None
        The import's missingness types (``ResponseBatch.missing_types``) for the report.
    weighting : {"path", "factorial", "centroid"}, default="path"
    consistent : bool, default=False
        PLSc correction for reflective constructs.
    ci : {"percentile", "bca"}, default="percentile"
    alpha : float, default=0.05
        1 - confidence level.
    progress : callable(done, total) or None
        Called after each bootstrap chunk.
    strata : str, array or None
        Stratified bootstrap: a column name (or one label per row) whose groups -- waves,
        quota cells -- keep their size in every resample (rows are drawn within groups).
        Default: plain resampling of all rows. :func:`fit_strata` also fits every group.

    Returns
    -------
    IndexResult
        Index scores are 0-100, higher is better (theoretical scale bounds); path
        coefficients and total effects are standardized.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> z = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(np.clip(np.round(5 + 2 * z + rng.normal(size=(300, 4))), 1, 10),
    ...                   columns=["q1", "q2", "s1", "s2"])
    >>> res = fit("Q =~ q1 + q2\\nS =~ s1 + s2\\nS ~ Q", df, scale=(1, 10), n_boot=200, seed=0)
    >>> res.path_coefficients[["source", "target"]].values.tolist()
    [['Q', 'S']]
    >>> bool(0 <= res.index["score"].min() and res.index["score"].max() <= 100)
    True
    """
    if "random_state" in kw:
        rs = kw.pop("random_state")
        seed = rs if seed is None else seed
    check("method", method)
    spec, version = resolve_model(model, scale, kw.pop("missing_codes", ()))
    if missing is None:
        missing = "fiml" if method == "cbsem" else "em"
    if method == "cbsem":
        from csi.estimate.cbsem.fit import fit_cbsem

        if strata is not None:
            raise ParameterError("'strata' (a stratified bootstrap) is for method='pls'")
        reject_inapplicable("cbsem", weighting=weighting, consistent=consistent, ci=ci)

        extra = {"missing": missing, "seed": seed, "alpha": alpha, "survey_version": version,
                 "missing_types": missing_types}
        if n_boot is not None:
            extra["n_boot"] = n_boot
        if weights is not None:
            extra["weights"] = weights
        res = fit_cbsem(spec, data, **extra, **kw)
        if survey_of(model) is not None:  # a fresh result of ours: recorded what it was fitted on
            object.__setattr__(res, "survey", survey_of(model))
        return res
    if n_boot is None:
        n_boot = 5000
    reject_inapplicable("pls", **kw)
    if kw:
        raise ParameterError(f"fit got unexpected keyword argument(s): {', '.join(sorted(kw))}")
    _check_pls_args(n_boot, ci, alpha, progress, seed)
    _check_missing(missing, ci, n_boot)
    if strata is not None and isinstance(data, pd.DataFrame) and not data.index.is_unique:
        data = data.reset_index(drop=True)
    est, caught = _point_fit(spec, data, weights, missing, weighting, consistent, missing_types)
    _check_missing(missing, ci, n_boot, est)
    codes = None
    if strata is not None:  # checked even without a bootstrap (a misspelt column is an error)
        codes, _ = _stratum_codes(data, strata, est._prep.index, missing)
    boot = None
    if n_boot > 0:
        boot = _bootstrap(est, n_boot, seed, progress, jackknife=(ci == "bca"), strata=codes)
    return _finish(est, boot, caught, alpha=alpha, ci=ci, version=version, n_boot=n_boot,
                   survey=survey_of(model))


@dataclass(frozen=True)
class StrataFit:
    """Result of :func:`fit_strata`: the pooled fit and one fit per stratum.

    ``pooled`` has stratified-bootstrap intervals; ``groups`` maps each stratum label (sorted)
    to its own :class:`IndexResult`, bootstrapped on the same resamples; ``skipped`` maps the
    labels that could not be fitted (too few respondents, a constant item) to the reason.
    """

    pooled: IndexResult
    groups: dict
    skipped: dict


def fit_strata(
    model,
    data: pd.DataFrame,
    strata,
    *,
    n_boot: int | None = None,
    seed=None,
    weights=None,
    missing: str = "em",
    scale=None,
    weighting: str = "path",
    consistent: bool = False,
    ci: str = "percentile",
    alpha: float = 0.05,
    progress: Callable[[int, int], None] | None = None,
    missing_codes=(),
    missing_types=None,
) -> StrataFit:
    """Fit the pooled model and the model in each stratum (e.g. wave) in one bootstrap.

    The pooled fit is ``fit(model, data, strata=strata, ...)``: a stratified bootstrap that
    keeps every stratum's size. Each stratum's fit has the point estimates of
    ``fit(model, rows_of_the_stratum, ...)`` and bootstrap intervals from the stratum's part
    of the same resamples -- the pooled moments of a resample are the sum of its strata's, so
    all the fits share one pass over the resampled data (the cost of the pooled bootstrap
    alone). Stratum ``g`` resamples its own rows from its own stream (see
    :func:`~csi.estimate.resample.bootstrap.bootstrap_moments`), so its replicates have the
    distribution of a plain bootstrap of that stratum.

    Parameters
    ----------
    strata : str or array
        Column of ``data`` (or one label per row) naming each row's stratum. Rows without a
        label are resampled as one more stratum and get no fit of their own.
    missing : {"em", "listwise"}, default="em"
        ``"em"``: the pooled fit and each stratum's fit use their own EM moments (each
        bootstrap resample re-runs both); ``"listwise"``: a stratum's rows are the same in its
        own fit and in the pooled one. (Mean replacement would impute them differently.)
    Other parameters as :func:`fit` (PLS only).

    Returns
    -------
    StrataFit
    """
    spec, version = resolve_model(model, scale, missing_codes)
    if n_boot is None:
        n_boot = 5000
    _check_pls_args(n_boot, ci, alpha, progress, seed, func="fit_strata")
    check_option("missing", missing, ("em", "listwise"), func="fit_strata")
    _check_missing(missing, ci, n_boot)
    if isinstance(data, pd.DataFrame) and not data.index.is_unique:
        data = data.reset_index(drop=True)
    est, caught = _point_fit(spec, data, weights, missing, weighting, consistent, missing_types)
    _check_missing(missing, ci, n_boot, est)
    codes, labels = _stratum_codes(data, strata, est._prep.index, missing)
    kept = est._prep.index
    row_weights = None if weights is None or isinstance(weights, str) else \
        pd.Series(np.asarray(weights), index=data.index)
    fits, skipped = {}, {}
    for g, lab in enumerate(labels):
        rows = kept[codes == g]
        wg = weights if row_weights is None else row_weights.loc[rows].to_numpy()
        try:
            mt = None if missing_types is None else missing_types.reindex(rows)
            fits[g] = _point_fit(spec, data.loc[rows], wg, missing, weighting, consistent, mt)
        except CsiError as exc:
            skipped[lab] = str(exc)
    boot = None
    if n_boot > 0:
        boot = _bootstrap(est, n_boot, seed, progress, jackknife=(ci == "bca"), strata=codes,
                          stratum_fns={g: _stat_fn(e) for g, (e, _) in fits.items()},
                          stratum_ems={g: e.em_ for g, (e, _) in fits.items()})
    groups = {}
    for g, (e, c) in fits.items():
        b = None if boot is None else boot.extra["strata"][g]
        groups[labels[g]] = _finish(e, b, c, alpha=alpha, ci=ci, version=version, n_boot=n_boot, emit=False,
                                    survey=survey_of(model))
    pooled = _finish(est, boot, caught, alpha=alpha, ci=ci, version=version, n_boot=n_boot,
                     survey=survey_of(model))
    return StrataFit(pooled=pooled, groups=groups, skipped=skipped)


def _check_pls_args(n_boot, ci, alpha, progress, seed, func="fit") -> None:
    check("n_boot", n_boot, func=func)
    check("ci", ci, func=func)
    check("alpha", alpha, func=func)
    if progress is not None and not callable(progress):
        raise ParameterError(f"The 'progress' parameter of {func} must be a callable. Got {progress!r} instead.")
    if seed is not None and not isinstance(seed, numbers.Integral | np.random.Generator):
        raise ParameterError(
            f"The 'seed' parameter of {func} must be an int, a Generator or None. Got {seed!r} instead.")


def _check_missing(missing, ci, n_boot, est=None) -> None:
    check_option("missing", missing, ("em", "pairwise", "mean", "listwise", "fiml"))
    if missing == "fiml":
        raise ParameterError(
            "missing='fiml' (casewise maximum likelihood) is for method='cbsem'; PLS estimates "
            "from the EM mean and covariance, the same saturated ML estimate: use missing='em'")


def _point_fit(spec, data, weights, missing, weighting, consistent, missing_types=None):
    """The PLS point estimate and the warnings it raised (recorded, shown once at the end)."""
    caught: list[warnings.WarningMessage] = []
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        est = PLSPathModel(weighting=weighting, consistent=consistent).fit(
            spec, data, weights=weights, missing=missing, missing_types=missing_types
        )
        caught.extend(rec)
    u = est.stats_["u"]
    if np.any(u < 0):
        neg = [est.arrays_.item_ids[i] for i in np.flatnonzero(u < 0)]
        caught.append(_msg(InadmissibleSolutionWarning(
            f"negative unstandardized weight(s) for {', '.join(neg)}: the 0-100 index of their "
            "construct(s) is not bounded to [0, 100]")))
    return est, caught


def _finish(est, boot, caught, *, alpha, ci, version, n_boot, emit=True, survey=None) -> IndexResult:
    """Warnings (bootstrap exclusions included) and the assembled :class:`IndexResult`."""
    caught = list(caught)
    if boot is not None:
        bad = boot.n_boot - boot.n_valid
        if bad:
            caught.append(_msg(InadmissibleSolutionWarning(
                f"{bad} of {boot.n_boot} bootstrap resamples excluded ({boot.n_zero_variance} with a "
                f"zero-variance item, {boot.n_not_converged} not converged)")))
    if emit:
        for w in caught:
            warnings.warn(w.message, w.category, stacklevel=3)
    from csi.estimate.pls.assemble import assemble_result

    return assemble_result(
        est, boot, alpha=alpha, ci=ci, survey_version=version,
        warnings=tuple(str(w.message) for w in caught), n_boot=n_boot, survey=survey,
    )


def _stratum_codes(data: pd.DataFrame, strata, rows: pd.Index, missing: str):
    """Integer stratum codes for the estimation rows ``rows`` and the sorted labels.

    Rows without a label form a stratum of their own (code ``len(labels)``)."""
    if missing == "pairwise":
        raise ParameterError("a stratified bootstrap ('strata') needs missing='em', 'listwise' or 'mean'")
    if isinstance(strata, str):
        if strata not in data.columns:
            raise ParameterError(f"The 'strata' column {strata!r} is not in the data.")
        lab = data[strata]
    else:
        arr = np.asarray(strata, dtype=object)
        if arr.ndim != 1 or len(arr) != len(data):
            raise ParameterError(f"'strata' has {arr.size} labels; the data has {len(data)} rows")
        lab = pd.Series(arr, index=data.index)
    lab = lab.loc[rows]
    codes, labels = pd.factorize(lab, sort=True)
    codes = np.where(codes < 0, len(labels), codes)
    return codes.astype(np.int64), list(labels)


def _msg(w: Warning) -> warnings.WarningMessage:
    return warnings.WarningMessage(w, type(w), __file__, 0)


def _bootstrap(est: PLSPathModel, n_boot, seed, progress, jackknife, strata=None, stratum_fns=None,
               stratum_ems=None):
    wts = est._weights if est.weights_used_ else None
    if est.em_ is not None:  # missing="em" with missing values: EM in every resample
        from csi.estimate.missing.bootstrap_em import bootstrap_em

        pm, pcodes = est._patterns
        starts = {g: (r.mean, r.cov) for g, r in (stratum_ems or {}).items() if r is not None}
        return bootstrap_em(est._item_values(), wts, pcodes, pm.masks, (est.em_.mean, est.em_.cov),
                            pm.center, _stat_fn(est), n_boot=n_boot, seed=seed, progress=progress,
                            strata=strata, stratum_fns=stratum_fns, stratum_starts=starts,
                            jackknife=jackknife)
    return bootstrap_moments(est._item_values(), wts, est.arrays_, _stat_fn(est), n_boot=n_boot,
                             seed=seed, progress=progress, jackknife=jackknife, strata=strata,
                             stratum_fns=stratum_fns)


def _stat_fn(est: PLSPathModel):
    """The statistics kept per resample, in the order of ``est``'s tables; the iteration
    starts from ``est``'s weights (same fixed point, fewer iterations)."""
    ma = est.arrays_
    pairs = est.htmt_pairs_
    w_hat = est.stats_["weights"] if est.converged_ else None  # warm start
    paths = [(ma.construct_ids.index(s), ma.construct_ids.index(t))
             for s, t in est.path_coefficients_[["source", "target"]].itertuples(index=False)]
    tot = est.total_pairs_
    endo = list(ma.endogenous)
    pi, pj = np.array([a for a, _ in paths], dtype=int), np.array([b for _, b in paths], dtype=int)
    ti, tj = np.array([a for a, _ in tot], dtype=int), np.array([b for _, b in tot], dtype=int)

    def stat_fn(Rt, mean, sd, n):
        st = replicate_statistics(Rt, mean, sd, ma, n, scheme=est.weighting, tol=est.tol,
                                  max_iter=est.max_iter, consistent=est.consistent, pairs=pairs,
                                  w0=w_hat, want_rho_a=False,  # rho_A only for PLSc
                                  want_w_matrix=False)
        return {
            "paths": st["paths"][:, pi, pj],
            "total": st["total"][:, ti, tj],
            "weights": st["weights"],
            "loadings": st["loadings"],
            "u": st["u"],
            "r2": st["r2"][:, endo],
            "index": st["index"],
            "htmt": st["htmt"],
            "converged": st["converged"],
        }

    return stat_fn


def _ci_table(est_vals, reps, *, alpha, ci, jack, n):
    if reps is None:
        m = len(est_vals)
        nan = np.full(m, np.nan)
        return {"se": nan, "ci_low": nan, "ci_high": nan, "t": nan, "p_value": nan}
    return interval(est_vals, reps, alpha=alpha, method=ci, jack=jack, n=n)
