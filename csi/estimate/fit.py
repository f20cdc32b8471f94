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

import numpy as np
import pandas as pd

from csi.errors import InadmissibleSolutionWarning, ParameterError
from csi.estimate.bootstrap import bootstrap_moments, interval
from csi.estimate.pls import PLSPathModel, check_number, replicate_statistics
from csi.estimate.prepare import check_option
from csi.estimate.results import IndexResult
from csi.survey.model import ModelSpec

__all__ = ["fit", "resolve_model"]

METHODS = ("pls", "cbsem")
CI_METHODS = ("percentile", "bca")


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
    missing: str = "listwise",
    scale=None,
    weighting: str = "path",
    consistent: bool = False,
    ci: str = "percentile",
    alpha: float = 0.05,
    progress: Callable[[int, int], None] | None = None,
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
    missing : {"listwise", "pairwise", "mean"}, default="listwise"
    weighting : {"path", "factorial", "centroid"}, default="path"
    consistent : bool, default=False
        PLSc correction for reflective constructs.
    ci : {"percentile", "bca"}, default="percentile"
    alpha : float, default=0.05
        1 - confidence level.
    progress : callable(done, total) or None
        Called after each bootstrap chunk.

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
    check_option("method", method, METHODS)
    spec, version = resolve_model(model, scale, kw.pop("missing_codes", ()))
    if method == "cbsem":
        from csi.estimate.cbsem import fit_cbsem

        extra = {"missing": missing, "seed": seed, "alpha": alpha, "survey_version": version}
        if n_boot is not None:
            extra["n_boot"] = n_boot
        if weights is not None:
            extra["weights"] = weights
        return fit_cbsem(spec, data, **extra, **kw)
    if n_boot is None:
        n_boot = 5000
    if kw:
        raise ParameterError(f"fit got unexpected keyword argument(s): {', '.join(sorted(kw))}")
    check_number("n_boot", n_boot, 0, np.inf, integer=True, func="fit")
    check_option("ci", ci, CI_METHODS)
    check_number("alpha", alpha, 0.0, 0.5, func="fit", closed="neither")
    if progress is not None and not callable(progress):
        raise ParameterError(f"The 'progress' parameter of fit must be a callable. Got {progress!r} instead.")
    if seed is not None and not isinstance(seed, numbers.Integral | np.random.Generator):
        raise ParameterError(f"The 'seed' parameter of fit must be an int, a Generator or None. Got {seed!r} instead.")

    caught: list[warnings.WarningMessage] = []
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        est = PLSPathModel(weighting=weighting, consistent=consistent).fit(
            spec, data, weights=weights, missing=missing
        )
        caught.extend(rec)
    u = est.stats_["u"]
    if np.any(u < 0):
        neg = [est.arrays_.item_ids[i] for i in np.flatnonzero(u < 0)]
        caught.append(_msg(InadmissibleSolutionWarning(
            f"negative unstandardized weight(s) for {', '.join(neg)}: the 0-100 index of their "
            "construct(s) is not bounded to [0, 100]")))
    boot = None
    if n_boot > 0:
        boot = _bootstrap(est, n_boot, seed, progress, jackknife=(ci == "bca"))
        bad = boot.n_boot - boot.n_valid
        if bad:
            caught.append(_msg(InadmissibleSolutionWarning(
                f"{bad} of {boot.n_boot} bootstrap resamples excluded ({boot.n_zero_variance} with a "
                f"zero-variance item, {boot.n_not_converged} not converged)")))
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=2)
    from csi.estimate.assemble import assemble_result

    return assemble_result(
        est, boot, alpha=alpha, ci=ci, survey_version=version,
        warnings=tuple(str(w.message) for w in caught), n_boot=n_boot,
    )


def _msg(w: Warning) -> warnings.WarningMessage:
    return warnings.WarningMessage(w, type(w), __file__, 0)


def _bootstrap(est: PLSPathModel, n_boot, seed, progress, jackknife):
    ma = est.arrays_
    x = est._item_values()
    wts = None
    if est.weights_used_:
        wts = est._weights
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

    return bootstrap_moments(x, wts, ma, stat_fn, n_boot=n_boot, seed=seed, progress=progress,
                             jackknife=jackknife)


def _ci_table(est_vals, reps, *, alpha, ci, jack, n):
    if reps is None:
        m = len(est_vals)
        nan = np.full(m, np.nan)
        return {"se": nan, "ci_low": nan, "ci_high": nan, "t": nan, "p_value": nan}
    return interval(est_vals, reps, alpha=alpha, method=ci, jack=jack, n=n)
