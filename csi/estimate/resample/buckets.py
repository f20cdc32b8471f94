"""Bucket bootstrap: resample G buckets of respondents from their per-bucket sums.

Method
------
Each respondent is hashed stably (response id + seed) into one of ``G`` buckets (default 500;
:func:`csi.engines.query.bucket_of`), and the engine returns each bucket's sums ``[n, sum w x,
sum w vech(x x')]`` (``FT``, one column per bucket, about a common shift). A resample draws
``G`` buckets with replacement; its moments are ``FT @ counts`` -- a weighted sum of bucket
moments -- and go through the same compiled moments and PLS kernels as the row bootstrap
(:func:`csi.estimate.resample.bootstrap.moments_from_sums`).

When it holds
-------------
Buckets are random (a hash) subsets of independent respondents, so the bucket sums are
independent and identically distributed, and the statistic is a smooth function of their
total: the bucket bootstrap is the ordinary bootstrap of ``G`` i.i.d. blocks. With ``n >> G``
(e.g. 10,000 respondents per shop, 20 per bucket) its variance estimate has the relative
precision of a bootstrap on ``G`` observations (about ``sqrt(2 / G)``, 6% at ``G = 500``), and
it needs no row-level pass per resample. With ``n <= G`` most buckets hold one respondent or
none, and a respondent's resample count is ``Binomial(G, 1/G)`` ~ Poisson(1): the Poisson
bootstrap. Empty buckets therefore stay in the resampling space (zero columns). It does not
hold when respondents are clustered (several responses of one customer or order): hash the
cluster id instead of the response id. Checked in ``tests/unit/test_bucket_bootstrap.py``: CI
widths within 10% of the row bootstrap at N = 100,000, and 95% coverage over 200 simulated
samples (slow tests).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from csi.estimate.resample.bootstrap import (
    BootstrapResult,
    _Accumulator,
    _counts,
    _jackknife,
    moments_from_sums,
)

__all__ = ["bootstrap_buckets"]

_CHUNK = 500


def bootstrap_buckets(
    FT: np.ndarray,
    shift: np.ndarray,
    stat_fn: Callable[..., dict[str, np.ndarray]],
    *,
    n_boot: int,
    seed=None,
    jackknife: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BootstrapResult:
    """``n_boot`` bucket resamples of the per-bucket sums ``FT`` (q, G) about ``shift``.

    ``stat_fn(Rt, mean, sd, n)`` as for :func:`csi.estimate.resample.bootstrap.bootstrap_moments`.
    Resamples are drawn from ``numpy.random.default_rng(seed)`` (G indices per resample);
    ``jackknife`` adds leave-one-bucket-out replicates for BCa intervals. Invalid resamples
    (a zero-variance item, non-convergence) are excluded and counted, as there.
    """
    rng = np.random.default_rng(seed)
    G = FT.shape[1]
    p = len(shift)
    tri = np.triu_indices(p)
    acc = _Accumulator()
    done = 0
    while done < n_boot:
        c = min(_CHUNK, n_boot - done)
        counts = _counts(rng.integers(0, G, size=(c, G)), G)
        MT = FT @ counts.T
        mean, sd, Rt, zero, nw = moments_from_sums(MT, shift, p, tri)
        good = ~zero & (nw > 1.0)
        n_zero = int((~good).sum())
        res, nc = {}, 0
        if good.any():
            if not good.all():
                Rt, mean, sd, nw = Rt[:, :, good], mean[good], sd[good], nw[good]
            st = stat_fn(Rt, mean, sd, nw)
            conv = st.pop("converged")
            nc = int((~conv).sum())
            res = st if not nc else {k: v[conv] for k, v in st.items()}
        acc.add(n_zero, nc, res)
        done += c
        if progress is not None:
            progress(done, n_boot)
    occupied = FT[:, FT[0] > 0]
    jk = _jackknife(occupied, shift, p, tri, stat_fn, rng) if jackknife and occupied.shape[1] > 2 else None
    return acc.result(n_boot, jk)
