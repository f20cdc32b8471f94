"""``fit_moments``: the model, its 0-100 index and bucket-bootstrap CIs from sufficient statistics.

The estimates depend on the data only through :class:`~csi.estimate.moments.Moments` (count,
sums, cross-products), so a fit from moments computed in a database equals :func:`csi.fit` on the
same rows (tested to 1e-9 against the pandas path for DuckDB, PostgreSQL and Spark). Intervals come
from per-bucket sums (:func:`csi.estimate.resample.buckets.bootstrap_buckets`).
"""

from __future__ import annotations

import warnings

import numpy as np

from csi.errors import InadmissibleSolutionWarning, ParameterError
from csi.estimate.fit import _check_pls_args, _finish, _msg, _stat_fn, resolve_model
from csi.estimate.missing.bucket_em import replicates_from_em
from csi.estimate.moments import Moments
from csi.estimate.pls.model import PLSPathModel
from csi.estimate.resample.buckets import bootstrap_buckets
from csi.estimate.results import IndexResult

__all__ = ["fit_moments"]


def fit_moments(
    model,
    moments: Moments,
    *,
    bucket_sums: np.ndarray | None = None,
    bucket_shift: np.ndarray | None = None,
    n_boot: int = 0,
    seed=None,
    scale=None,
    weighting: str = "path",
    consistent: bool = False,
    ci: str = "percentile",
    alpha: float = 0.05,
    emit_warnings: bool = True,
    resample_moments: dict | None = None,
) -> IndexResult:
    """Estimate the model from moments; bucket-bootstrap CIs when per-bucket sums are given.

    Parameters
    ----------
    model : ModelSpec, Survey or lavaan str (then ``scale=(min, max)``)
    moments : Moments
        Of the model's items in its block order (``model.item_ids``), reverse items recoded,
        missing codes removed -- as :mod:`csi.engines` computes them.
    bucket_sums : ndarray (q, G) or None
        Per-bucket sums ``[n, sum w (x - shift), sum w vech((x - shift)(x - shift)')]`` (upper
        triangle in ``numpy.triu_indices`` order), one column per bucket, about ``bucket_shift``.
    n_boot : int, default=0
        Bucket resamples (0: point estimates only; SEs and CIs are NaN).
    seed : int, Generator or None
        Seeds the bucket resampling.
    resample_moments : dict or None
        Instead of ``bucket_sums``: the resamples' estimated moments, formed by the caller --
        ``mean`` (B, p), ``cov`` (B, p, p; divisor ``n - 1``), ``n`` (B,) and ``converged`` (B,),
        e.g. EM on every bucket resample
        (:func:`csi.estimate.missing.bucket_em.resample_em`); ``n_boot`` must equal B.
    Other parameters as :func:`csi.fit`.

    Returns
    -------
    IndexResult
        0-100 index scores (higher is better, theoretical scale bounds), standardized paths;
        ``scores`` is empty (no respondent data).

    Examples
    --------
    >>> from csi.estimate.moments import compute_moments
    >>> rng = np.random.default_rng(1)
    >>> z = rng.normal(size=(300, 1))
    >>> x = np.clip(np.round(5 + 2 * z + rng.normal(size=(300, 4))), 1, 10)
    >>> res = fit_moments("Q =~ q1 + q2\\nS =~ s1 + s2\\nS ~ Q", compute_moments(x), scale=(1, 10))
    >>> round(float(res.path_coefficients["estimate"].iloc[0]), 3) > 0
    True
    """
    spec, version = resolve_model(model, scale)
    _check_pls_args(n_boot, ci, alpha, None, seed, func="fit_moments")
    if not isinstance(moments, Moments):
        raise ParameterError(f"The 'moments' parameter of fit_moments must be a Moments. Got "
                             f"{type(moments).__name__} instead.")
    if len(moments.sums) != len(spec.item_ids):
        raise ParameterError(f"moments have {len(moments.sums)} items; the model has {len(spec.item_ids)} "
                             f"({', '.join(spec.item_ids)})")
    if resample_moments is not None and len(resample_moments["n"]) != n_boot:
        raise ParameterError(f"resample_moments hold {len(resample_moments['n'])} resamples; n_boot is {n_boot}")
    if n_boot > 0 and bucket_sums is None and resample_moments is None:
        raise ParameterError("a bootstrap from moments needs per-bucket sums: pass bucket_sums= "
                             "(csi.engines computes them) or n_boot=0")
    caught: list[warnings.WarningMessage] = []
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        est = PLSPathModel(weighting=weighting, consistent=consistent).fit_moments(spec, moments)
        caught.extend(rec)
    u = est.stats_["u"]
    if np.any(u < 0):
        neg = [est.arrays_.item_ids[i] for i in np.flatnonzero(u < 0)]
        caught.append(_msg(InadmissibleSolutionWarning(
            f"negative unstandardized weight(s) for {', '.join(neg)}: the 0-100 index of their "
            "construct(s) is not bounded to [0, 100]")))
    boot = None
    if resample_moments is not None and n_boot > 0:
        boot = replicates_from_em(resample_moments, _stat_fn(est))
    elif n_boot > 0:
        shift = moments.shift if bucket_shift is None else bucket_shift
        boot = bootstrap_buckets(np.asarray(bucket_sums, dtype=float), np.asarray(shift, dtype=float),
                                 _stat_fn(est), n_boot=n_boot, seed=seed, jackknife=(ci == "bca"))
    return _finish(est, boot, caught, alpha=alpha, ci=ci, version=version, n_boot=n_boot, emit=emit_warnings)
