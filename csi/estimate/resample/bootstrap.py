"""Bootstrap for PLS-PM from resampled moments (no resampled data sets are ever built).

Method
------
A resample is a vector of counts ``c`` (how often each respondent is drawn; ``sum c = n``).
Its moments are linear in ``c``: with ``FT`` the (q x n) matrix of per-respondent terms
``[w, w x, w vech(x x')]`` (``x`` centred at the full-sample mean, ``w`` the sampling weight or
1), the moments of a chunk of resamples are ``FT @ counts'`` -- one matrix product for the
whole chunk, one column per resample. The correlation matrices of the chunk (batch-last,
(p, p, B)) then go through the same batched PLS iteration as the point estimate
(:func:`csi.estimate.pls.model.replicate_statistics`).

Resamples are drawn with ``numpy.random.Generator.integers`` from ``seed`` in chunks of about
1000 resamples (5,000 resamples on two threads: six chunks of 834) and a (chunk x n) count
matrix of at most 32 MB; chunks are processed by two threads while the draws stay
sequential, so the resamples depend only on ``seed`` and the results on ``seed`` and the
chunking (a different chunk size -- e.g. on a one-core machine -- changes only the
floating-point rounding of the matrix products, ~1e-14).
The counts, the moments and the PLS iteration run in compiled kernels
(:mod:`csi.estimate.pls.kernel`, numba, without the GIL) when numba is available, and in numpy
otherwise (``CSI_JIT=0``); both give the same results to rounding (~1e-15).
With ``missing="pairwise"`` and missing values, each resample's pairwise-complete moments are
computed directly (slower), and BCa falls back to percentile intervals (no jackknife).

Invalid resamples (documented policy)
-------------------------------------
A resample in which an item has zero variance (common with Likert items at small n), or in
which the PLS iteration does not converge or breaks down, is **excluded** from the
bootstrap distribution and counted (``n_zero_variance``, ``n_not_converged``); it is never
redrawn and never crashes the run. Intervals use the ``n_valid`` remaining resamples.

Intervals
---------
``percentile``: the ``alpha/2`` and ``1 - alpha/2`` quantiles. ``bca``: Efron's bias-corrected
and accelerated interval, acceleration from a jackknife (leave-one-out for n <= 2000, else
leave-one-group-out over 1000 random groups). ``se`` is the bootstrap SD (ddof=1), ``t = est /
se`` and ``p`` two-sided from Student's t with ``n - 1`` degrees of freedom (SEMinR's
convention).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from csi.estimate.pls.structure import ModelArrays
from csi.estimate.resample.intervals import interval
from csi.estimate.resample.sums import (  # importable from here as before the split
    _POOL,
    _counts,
    _per_respondent_terms,
    _Workspace,  # noqa: F401
    _WorkspacePool,  # noqa: F401
    moments_from_sums,
)

__all__ = ["BootstrapResult", "bootstrap_moments", "interval", "moments_from_sums"]

_CHUNK_BYTES = 32 * 2**20  # per (chunk x n) count matrix
_CHUNK_TARGET = 1000  # resamples per chunk: large batched numpy calls that still fit in cache


@dataclass
class BootstrapResult:
    """Replicates of every statistic (valid resamples only) and the invalid-resample counts."""

    replicates: dict[str, np.ndarray]
    n_boot: int
    n_valid: int
    n_zero_variance: int
    n_not_converged: int
    jackknife: dict[str, np.ndarray] | None = None
    policy: str = "excluded"
    extra: dict = field(default_factory=dict)


def bootstrap_moments(
    x: np.ndarray,
    weights: np.ndarray | None,
    ma: ModelArrays,
    stat_fn: Callable[..., dict[str, np.ndarray]],
    *,
    n_boot: int = 5000,
    seed=None,
    progress: Callable[[int, int], None] | None = None,
    jackknife: bool = False,
    chunk_size: int | None = None,
    n_jobs: int | None = None,
    strata: np.ndarray | None = None,
    stratum_fns: dict[int, Callable[..., dict[str, np.ndarray]]] | None = None,
) -> BootstrapResult:
    """Run ``n_boot`` resamples; ``stat_fn(Rt, mean, sd, n)`` returns a dict of (B, ...) arrays.

    ``Rt`` is the chunk's correlation matrices batch-last (p, p, B); ``mean``, ``sd`` (B, p)
    and ``n`` (B,) as from :func:`moments_from_sums`.

    ``stat_fn`` must return ``converged`` (B,) among its arrays; all other arrays are kept for
    valid resamples. Chunks are processed by ``n_jobs`` threads (default: up to 2; numpy
    releases the GIL in the heavy array operations); the draws stay sequential and seeded.

    Stratified bootstrap: with ``strata`` (one integer code 0..G-1 per row) every resample
    draws ``n_g`` rows with replacement within each stratum ``g`` (stratum sizes fixed, as
    for waves or quota samples fielded separately). Stratum ``g`` draws from its own stream,
    child ``g`` of ``numpy.random.default_rng(seed).spawn(G)``, so the resamples do not depend
    on the chunking. ``stratum_fns`` (code -> stat function) additionally computes those
    strata's own statistics on the same resamples -- their moments are the pooled moments'
    per-stratum parts, so they cost no extra pass over the data; they are returned in
    ``extra["strata"]`` (code -> BootstrapResult).
    """
    rng = np.random.default_rng(seed)
    n_jobs = n_jobs or max(1, min(2, os.cpu_count() or 1))
    n, p = x.shape
    if np.isnan(x).any():
        if strata is not None:
            from csi.errors import ParameterError

            raise ParameterError("a stratified bootstrap needs complete data (missing='listwise' or 'mean')")
        return _bootstrap_pairwise(x, weights, stat_fn, rng, n_boot, progress)
    spans = None
    if strata is not None:  # rows sorted by stratum: stratum g is the column span lo..hi of FT
        strata = np.asarray(strata)
        order = np.argsort(strata, kind="stable")
        x = x[order]
        weights = None if weights is None else np.asarray(weights)[order]
        bounds = np.searchsorted(strata[order], np.arange(int(strata.max()) + 2))
        spans = [(g, int(lo), int(hi)) for g, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
                 if hi > lo]
        streams = dict(zip((g for g, _, _ in spans), rng.spawn(len(spans)), strict=True))
    stratum_fns = stratum_fns or {}
    FT, shift, tri = _per_respondent_terms(x, weights)
    chunk = chunk_size or _chunk_size(n_boot, n, n_jobs)

    def draw(c):
        if spans is None:
            return rng.integers(0, n, size=(c, n))
        idx = np.empty((c, n), dtype=np.int64)
        for g, lo, hi in spans:
            idx[:, lo:hi] = streams[g].integers(0, hi - lo, size=(c, hi - lo))
            idx[:, lo:hi] += lo
        return idx

    def stats(fn, MT, ws):
        mean, sd, Rt, zero, nw = moments_from_sums(MT, shift, p, tri, ws)
        good = ~zero
        res, nc = {}, 0
        if not good.all():  # copies only when some resample has a zero-variance item
            Rt, mean, sd, nw = Rt[:, :, good], mean[good], sd[good], nw[good]
        if len(nw):
            st = fn(Rt, mean, sd, nw)
            conv = st.pop("converged")
            nc = int((~conv).sum())
            res = st if not nc else {key: v[conv] for key, v in st.items()}
        return int(zero.sum()), nc, res

    def work(idx):
        c = idx.shape[0]
        ws = _POOL.acquire()
        try:  # nothing returned refers to the workspace's buffers
            counts = _counts(idx, n, out=ws.get("counts", (c, n)))
            parts = {}
            if stratum_fns:  # per-stratum sums first; the pooled sums are their total
                MT = ws.get("MT", (FT.shape[0], c))
                MT[:] = 0.0
                for g, lo, hi in spans:
                    Mg = FT[:, lo:hi] @ counts[:, lo:hi].T
                    MT += Mg
                    if g in stratum_fns:
                        parts[g] = stats(stratum_fns[g], Mg, None)
            else:
                MT = np.matmul(FT, counts.T, out=ws.get("MT", (FT.shape[0], c)))
            pooled = stats(stat_fn, MT, ws)
        finally:
            _POOL.release(ws)
        return pooled, parts, c

    acc, acc_g = run_chunks(work, draw, n_boot=n_boot, chunk=chunk, n_jobs=n_jobs, groups=stratum_fns,
                            progress=progress)
    jk = _jackknife(FT, shift, p, tri, stat_fn, rng) if jackknife else None
    out = acc.result(n_boot, jk)
    if spans is not None:
        out.extra["strata"] = {
            g: acc_g[g].result(n_boot, _jackknife(FT[:, lo:hi], shift, p, tri, stratum_fns[g], rng)
                               if jackknife else None)
            for g, lo, hi in spans if g in stratum_fns}
    return out


class _Accumulator:
    """Replicates and invalid-resample counts collected chunk by chunk."""

    def __init__(self) -> None:
        self.reps: dict[str, list[np.ndarray]] = {}
        self.n_zero = self.n_nc = 0

    def add(self, n_zero: int, n_nc: int, res: dict) -> None:
        self.n_zero += n_zero
        self.n_nc += n_nc
        for key, v in res.items():
            self.reps.setdefault(key, []).append(v)

    def result(self, n_boot: int, jk) -> BootstrapResult:
        reps = {k: np.concatenate(v) for k, v in self.reps.items()}
        return BootstrapResult(reps, n_boot, n_boot - self.n_zero - self.n_nc, self.n_zero, self.n_nc, jk)


def _chunk_size(n_boot: int, n: int, n_jobs: int) -> int:
    """Resamples per chunk: about ``_CHUNK_TARGET``, the chunks a multiple of ``n_jobs`` in
    number (every thread gets as many), and a (chunk x n) count matrix of at most 32 MB."""
    n_chunks = max(n_jobs, -(-n_boot // _CHUNK_TARGET))
    n_chunks = -(-n_chunks // n_jobs) * n_jobs
    return int(max(1, min(-(-n_boot // n_chunks), _CHUNK_BYTES // (8 * n))))


def _bootstrap_pairwise(x, weights, stat_fn, rng, n_boot, progress, chunk=250):
    """Pairwise-complete moments per resample (missing="pairwise" with NaNs; slower path)."""
    from csi.errors import DataError
    from csi.estimate.moments import pairwise_correlation

    n, p = x.shape
    out: dict[str, list[np.ndarray]] = {}
    n_zero = n_nc = done = 0
    while done < n_boot:
        c = min(chunk, n_boot - done)
        Rs, means, sds, ns = [], [], [], []
        for _ in range(c):
            idx = rng.integers(0, n, size=n)
            w = None if weights is None else weights[idx]
            try:
                with np.errstate(invalid="ignore", divide="ignore"):
                    m, sd, R, _ = pairwise_correlation(x[idx], w)
            except DataError:
                n_zero += 1
                continue
            if not (np.isfinite(R).all() and np.all(sd > 0)):
                n_zero += 1
                continue
            Rs.append(R)
            means.append(m)
            sds.append(sd)
            ns.append(float(n if w is None else w.sum()))
        if Rs:
            st = stat_fn(np.stack(Rs, axis=-1), np.array(means), np.array(sds), np.array(ns))
            conv = st.pop("converged")
            n_nc += int((~conv).sum())
            for key, v in st.items():
                out.setdefault(key, []).append(v[conv])
        done += c
        if progress is not None:
            progress(done, n_boot)
    reps = {k: np.concatenate(v) for k, v in out.items()}
    return BootstrapResult(reps, n_boot, n_boot - n_zero - n_nc, n_zero, n_nc, None)


def _jackknife(FT, shift, p, tri, stat_fn, rng, max_groups=1000, block=500):
    n = FT.shape[1]
    if n <= 2 * max_groups:
        sums = FT
    else:
        g = rng.permutation(n) % max_groups
        sums = np.zeros((FT.shape[0], max_groups))
        for r in range(FT.shape[0]):
            sums[r] = np.bincount(g, weights=FT[r], minlength=max_groups)
    total = FT.sum(axis=1)
    out: dict[str, list[np.ndarray]] = {}
    for lo in range(0, sums.shape[1], block):
        MT = total[:, None] - sums[:, lo:lo + block]
        mean, sd, Rt, zero, nw = moments_from_sums(MT, shift, p, tri)
        st = stat_fn(Rt, mean, sd, nw)
        st.pop("converged")
        for key, v in st.items():
            v = np.where(zero.reshape((-1,) + (1,) * (v.ndim - 1)), np.nan, v)
            out.setdefault(key, []).append(v)
    return {k: np.concatenate(v) for k, v in out.items()}


def run_chunks(work, draw, *, n_boot: int, chunk: int, n_jobs: int, groups, progress=None):
    """Run ``work(draw(c))`` over chunks of ``c`` resamples on ``n_jobs`` threads and sum what
    each returns -- ``(pooled, {group: part}, c)`` -- into one :class:`_Accumulator` for the pooled
    statistics and one per group. Counts are drawn in order in this thread, so the result does
    not depend on ``n_jobs``."""
    acc = _Accumulator()
    acc_g = {g: _Accumulator() for g in groups}
    done = drawn = 0
    pending: deque = deque()
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        while done < n_boot:
            while drawn < n_boot and len(pending) < 2 * n_jobs:
                c = min(chunk, n_boot - drawn)
                pending.append(pool.submit(work, draw(c)))
                drawn += c
            pooled, parts, c = pending.popleft().result()
            acc.add(*pooled)
            for g, part in parts.items():
                acc_g[g].add(*part)
            done += c
            if progress is not None:
                progress(done, n_boot)
    return acc, acc_g
