"""EM from per-bucket pattern moments: the saturated mean and covariance of a group, and of
each bucket-bootstrap resample, without respondent rows.

The engine returns, per (bucket, missingness pattern), the sums ``[n, sum w d, sum w vech(d
d')]`` of the centred answers ``d = x - center`` (0 where unanswered; :mod:`csi.engines.query`
with ``patterns=True``). Stacked as ``FTp`` (G, P, q) they give

- the group's :class:`~csi.estimate.missing.patterns.PatternMoments` (the sum over buckets),
  hence the EM point estimate (:func:`csi.estimate.missing.em.em`);
- resample ``r``'s pattern moments ``sum_b counts[r, b] FTp[b]`` -- one matrix product for all
  resamples -- hence its EM estimate, warm-started at the point estimate, all resamples in one
  compiled batch (:func:`csi.estimate.missing.em_kernel.em_chunk`).

The bucket bootstrap of EM is the bucket bootstrap of a smooth function of the bucket totals,
as for complete data (:mod:`csi.estimate.resample.buckets`): EM's fixed point is a smooth
function of the pattern sums. Checked against the row bootstrap of EM in
``tests/unit/test_engines_em.py``.
"""

from __future__ import annotations

import numpy as np

from csi.estimate.missing import em_kernel
from csi.estimate.missing.em import EMResult
from csi.estimate.resample.bootstrap import BootstrapResult

__all__ = ["resample_em", "em_as_moments_args", "replicates_from_em"]


def resample_em(FTp: np.ndarray, masks: np.ndarray, counts: np.ndarray, start: EMResult, center: np.ndarray, *,
                tol: float = 1e-8, max_iter: int = 1000) -> dict:
    """EM of every bucket resample.

    ``FTp`` (G, P, q) per-bucket pattern sums about ``center``; ``masks`` (P, p); ``counts``
    (B, G) bucket counts of the resamples; ``start`` the point estimate (warm start).
    Returns ``mean`` (B, p), ``cov`` (B, p, p, divisor ``n - 1``), ``n`` (B,) weight totals
    and ``converged`` (B,).
    """
    G, P, q = FTp.shape
    p = masks.shape[1]
    B = counts.shape[0]
    M = (counts @ FTp.reshape(G, P * q)).reshape(B, P, q)
    iu, ju = np.triu_indices(p)
    full = np.empty((p, p), dtype=np.int64)
    full[iu, ju] = full[ju, iu] = np.arange(len(iu))
    d, S, _, conv = em_kernel.em_chunk(M, masks, full, start.mean - center, start.cov, tol, max_iter)
    n = M[:, :, 0].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = S * (n / (n - 1.0))[:, None, None]
    return {"mean": center + d, "cov": cov, "n": n, "converged": conv & (n > 1.0)}


def em_as_moments_args(res: EMResult) -> dict:
    """Keyword arguments of :class:`~csi.estimate.moments.Moments` whose mean and (``n - 1``)
    covariance are EM's: shift at the mean, zero sums, ``cross = n * cov_ml``."""
    return {"n": float(res.n), "sums": np.zeros(len(res.mean)), "cross": res.cov * res.n, "shift": res.mean}


def replicates_from_em(rep: dict, stat_fn) -> BootstrapResult:
    """The statistics of EM's resample estimates ``rep`` (:func:`resample_em`'s dict).

    ``stat_fn(Rt, mean, sd, n)`` as for :func:`csi.estimate.resample.buckets.bootstrap_buckets`
    (returns ``converged`` among its arrays). Resamples where EM did not converge or an item has
    zero variance are excluded and counted, as there.
    """
    B = len(rep["n"])
    ok = rep["converged"].copy()
    sd = np.sqrt(np.clip(np.diagonal(rep["cov"], axis1=1, axis2=2), 0.0, None))
    zero = ~(sd > 1e-12 * (1 + np.abs(rep["mean"]))).all(axis=1)
    ok &= ~zero
    n_zero, n_nc = int(zero.sum()), int((~rep["converged"] & ~zero).sum())
    reps: dict = {}
    if ok.any():
        sdk = sd[ok]
        Rt = np.ascontiguousarray(np.moveaxis(rep["cov"][ok] / (sdk[:, :, None] * sdk[:, None, :]), 0, -1))
        out = stat_fn(Rt, rep["mean"][ok], sdk, rep["n"][ok])
        conv = out.pop("converged")
        n_nc += int((~conv).sum())
        reps = {k: v[conv] for k, v in out.items()}
    return BootstrapResult(reps, B, B - n_zero - n_nc, n_zero, n_nc, None)
