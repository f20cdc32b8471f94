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
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy import special  # not scipy.stats: ~0.5 s to import, and ndtr/ndtri are what norm uses

from csi.estimate.pls import kernel
from csi.estimate.pls.algorithm import ModelArrays

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


def _per_respondent_terms(x: np.ndarray, w: np.ndarray | None):
    """``FT`` (q, n): one column of terms ``[w, w x, w vech(x x')]`` per respondent, ``x``
    centred at the (weighted) mean ``shift``; built row by row on contiguous rows."""
    n, p = x.shape
    shift = x.mean(axis=0) if w is None else np.average(x, axis=0, weights=w)
    xcT = np.ascontiguousarray((x - shift).T)
    iu, ju = np.triu_indices(p)
    ww = np.ones(n) if w is None else np.asarray(w, dtype=float)
    FT = np.empty((1 + p + len(iu), n))
    FT[0] = ww
    np.multiply(xcT, ww, out=FT[1:1 + p])
    row = 1 + p
    wx = FT[1:1 + p]
    for i in range(p):  # rows (i, i..p-1) of the upper triangle, in triu_indices order
        np.multiply(wx[i], xcT[i:], out=FT[row:row + p - i])
        row += p - i
    return FT, shift, (iu, ju)


class _Workspace:
    """Scratch arrays for one chunk at a time, kept between chunks and between calls.

    Fresh memory is expensive here (every new page faults, and on a virtual machine a fault
    costs microseconds): the first chunk of a bootstrap used to spend ~15 ms faulting in its
    buffers. Buffers are flat and grow only; smaller shapes are views of their start.
    """

    def __init__(self) -> None:
        self.bufs: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        size = int(np.prod(shape))
        buf = self.bufs.get(name)
        if buf is None or buf.size < size:
            buf = self.bufs[name] = np.empty(size)
        return buf[:size].reshape(shape)

    @property
    def nbytes(self) -> int:
        return sum(b.nbytes for b in self.bufs.values())


class _WorkspacePool:
    """Workspaces handed to worker threads one at a time; up to ``keep`` idle ones of at
    most ``max_bytes`` each are kept for later calls (a long-running server reuses them)."""

    def __init__(self, keep: int = 2, max_bytes: int = 32 * 2**20) -> None:
        self._idle: list[_Workspace] = []
        self._lock = threading.Lock()
        self.keep, self.max_bytes = keep, max_bytes

    def acquire(self) -> _Workspace:
        with self._lock:
            return self._idle.pop() if self._idle else _Workspace()

    def release(self, ws: _Workspace) -> None:
        with self._lock:
            if len(self._idle) < self.keep and ws.nbytes <= self.max_bytes:
                self._idle.append(ws)


_POOL = _WorkspacePool()


def moments_from_sums(MT: np.ndarray, shift: np.ndarray, p: int, tri, ws: _Workspace | None = None,
                      compiled: bool | None = None):
    """Means, SDs, correlation matrices and a zero-variance flag from stacked sums.

    ``MT`` (q, B) holds one column of sums ``[w, w x, w vech(x x')]`` per resample (``x``
    centred at ``shift``; the upper triangle ``tri`` as stored). Covariances and correlations
    are formed on the upper triangle over contiguous rows of length ``B`` and expanded to the
    full symmetric matrices by one row gather at the end.

    Returns ``mean`` (B, p), ``sd`` (B, p), ``Rt`` (p, p, B) -- batch-last, as
    :func:`csi.estimate.pls.model.replicate_statistics` takes it -- ``zero`` (B,) and the weight
    totals ``nw`` (B,). With a workspace ``ws`` the big intermediates and ``Rt`` live in its
    buffers (valid until the next call in the same thread). ``compiled`` (default: when
    available) computes it all in one pass of :func:`csi.estimate.pls.kernel.moments_batch`.
    """
    iu, ju = tri
    B = MT.shape[1]
    if kernel.use(compiled):  # one pass, without the GIL
        Rt = np.empty((p, p, B)) if ws is None else ws.get("Rt", (p, p, B))
        mean, sd, zero, nw = np.empty((B, p)), np.empty((B, p)), np.empty(B, dtype=np.bool_), np.empty(B)
        kernel.moments_batch(MT, np.ascontiguousarray(shift, dtype=float), np.asarray(iu, dtype=np.int64),
                             np.asarray(ju, dtype=np.int64), Rt, mean, sd, zero, nw)
        return mean, sd, Rt, zero, nw
    nw = MT[0].copy()  # returned: must not be a view of a reused buffer
    m = MT[1:1 + p] / nw
    # (q, B); the products below are formed in place (fewer big temporaries)
    cov = np.take(m, iu, axis=0, out=None if ws is None else ws.get("cov", (len(iu), B)))
    cov *= m[ju]
    cov *= -nw
    cov += MT[1 + p:]
    cov /= nw - 1.0
    on_diag = np.flatnonzero(iu == ju)
    var = cov[on_diag]
    scale = (np.abs(shift) + 1.0) ** 2
    zero = (var <= 1e-20 * scale[:, None]).any(axis=0)
    sd = np.sqrt(np.clip(var, 1e-300, None))
    den = np.take(sd, iu, axis=0, out=None if ws is None else ws.get("den", (len(iu), B)))
    den *= sd[ju]
    r = np.divide(cov, den, out=cov)
    r[on_diag] = 1.0
    full = np.empty((p, p), dtype=int)
    full[iu, ju] = full[ju, iu] = np.arange(len(iu))
    Rt = np.take(r, full.ravel(), axis=0, out=None if ws is None else ws.get("Rt", (p * p, B)))
    Rt = Rt.reshape(p, p, B)
    return shift + m.T, sd.T, Rt, zero, nw


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


def _counts(idx: np.ndarray, n: int, out: np.ndarray | None = None,
            compiled: bool | None = None) -> np.ndarray:
    """(c, n) float64 counts: how often each respondent is drawn in each row of ``idx``."""
    c = idx.shape[0]
    counts = np.empty((c, n)) if out is None else out
    if kernel.use(compiled):
        kernel.counts_batch(np.ascontiguousarray(idx, dtype=np.int64), counts)
        return counts
    if n < 2000:  # many small rows: one bincount over offset indices
        flat = (idx + (np.arange(c) * n)[:, None]).ravel()
        counts.ravel()[:] = np.bincount(flat, minlength=c * n)
        return counts
    for r in range(c):  # no (c, n) int temporaries
        counts[r] = np.bincount(idx[r], minlength=n)
    return counts


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


def interval(est, reps, *, alpha=0.05, method="percentile", jack=None, n=None):
    """SE, CI, t and p for estimates ``est`` (m,) from replicates ``reps`` (B, m).

    Returns a dict of (m,) arrays: ``se``, ``ci_low``, ``ci_high``, ``t``, ``p_value``.
    NaN where fewer than two finite replicates exist.
    """
    est = np.asarray(est, dtype=float)
    reps = np.asarray(reps, dtype=float).reshape(-1, est.size)
    m = est.size
    fin = np.isfinite(reps)
    nf = fin.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        all_finite = bool(fin.all())
        if reps.shape[0] < 2:
            se = np.full(m, np.nan)
        elif all_finite:
            se = reps.std(axis=0, ddof=1)
        else:
            se = np.where(nf > 1, np.nanstd(np.where(fin, reps, np.nan), axis=0, ddof=1), np.nan)
        lo_q = np.full(m, alpha / 2)
        hi_q = np.full(m, 1 - alpha / 2)
        if method == "bca" and jack is not None and reps.shape[0] > 1:
            jk = np.asarray(jack, dtype=float).reshape(-1, m)
            below = (np.where(fin, reps, np.inf) < est).sum(axis=0) + 0.5 * (reps == est).sum(axis=0)
            z0 = special.ndtri(np.clip(below / np.maximum(nf, 1), 1e-10, 1 - 1e-10))
            d = np.nanmean(jk, axis=0) - jk
            a = np.nansum(d**3, axis=0) / (6.0 * np.nansum(d**2, axis=0) ** 1.5)
            a = np.where(np.isfinite(a), a, 0.0)
            for qv, za in ((lo_q, special.ndtri(alpha / 2)), (hi_q, special.ndtri(1 - alpha / 2))):
                adj = special.ndtr(z0 + (z0 + za) / (1 - a * (z0 + za)))
                qv[:] = np.where(np.isfinite(adj), adj, qv)
        ci_low = np.full(m, np.nan)
        ci_high = np.full(m, np.nan)
        if method == "percentile" and all_finite and reps.shape[0] > 1:
            ci_low, ci_high = np.quantile(reps, [alpha / 2, 1 - alpha / 2], axis=0)
        else:
            for j in range(m):
                col = reps[fin[:, j], j]
                if col.size > 1:
                    ci_low[j] = np.quantile(col, lo_q[j])
                    ci_high[j] = np.quantile(col, hi_q[j])
        t = est / se
        df = max((n or 2) - 1, 1)
        pval = 2 * special.stdtr(df, -np.abs(t))  # two-sided Student t
    return {"se": se, "ci_low": ci_low, "ci_high": ci_high, "t": t, "p_value": pval}


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
