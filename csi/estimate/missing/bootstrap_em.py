"""Bootstrap with missing data: every resample re-runs EM on its own pattern moments.

A resample's per-pattern sufficient statistics are linear in its counts, exactly as the
complete-data moments are (:mod:`csi.estimate.bootstrap`): with the respondents sorted by
(stratum, pattern) and ``FT`` the per-respondent terms ``[w, w y, w vech(y y')]`` (``y`` the
items about the scale midpoints, 0 where unanswered), pattern ``k``'s statistics for a chunk
of resamples are ``FT[:, span_k] @ counts[:, span_k]'``. EM (:func:`em_batch`) then runs on the
whole chunk at once, warm-started from the full-sample solution (a few iterations), and the
resulting correlations go through the same batched PLS iteration as the point estimate.

Stratified resampling (``strata``) draws within strata from the same per-stratum streams as
:func:`csi.estimate.bootstrap.bootstrap_moments`; with ``stratum_fns`` each stratum's own EM
runs on its part of the same resamples. Sampling weights enter the terms. Resamples where an
item has no variance among its answers are excluded (``n_zero_variance``); resamples whose EM
(or PLS iteration) does not converge are excluded (``n_not_converged``).
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from csi.estimate.bootstrap import BootstrapResult, _Accumulator, _counts
from csi.estimate.missing import em_kernel
from csi.estimate.missing.em import em_batch

__all__ = ["bootstrap_em"]

_BIG_CELL = 256  # rows from which a (stratum, pattern) cell gets its own matrix product
_CHUNK_BYTES = 32 * 2**20  # the (P, q, chunk) pattern sums of one chunk


def _terms(x, w, center):
    n, p = x.shape
    obs = ~np.isnan(x)
    y = np.where(obs, x - center, 0.0)
    ww = np.ones(n) if w is None else np.asarray(w, dtype=float)
    iu, ju = np.triu_indices(p)
    FT = np.empty((1 + p + len(iu), n))
    FT[0] = ww
    FT[1:1 + p] = (y * ww[:, None]).T
    FT[1 + p:] = (y[:, iu] * y[:, ju] * ww[:, None]).T
    return FT, (iu, ju)


def _unpack(Mp, p, tri):
    """(P, q, c) stacked pattern sums -> n (c, P), sums (c, P, p), cross (c, P, p, p)."""
    iu, ju = tri
    n = Mp[:, 0, :].T
    sums = Mp[:, 1:1 + p, :].transpose(2, 0, 1)
    full = np.empty((p, p), dtype=np.int64)
    full[iu, ju] = full[ju, iu] = np.arange(len(iu))
    v = np.take(Mp, 1 + p + full.ravel(), axis=1)  # (P, p*p, c)
    cross = np.ascontiguousarray(v.transpose(2, 0, 1)).reshape(v.shape[2], v.shape[0], p, p)
    return np.ascontiguousarray(n), np.ascontiguousarray(sums), cross


def _full_index(p, tri):
    iu, ju = tri
    full = np.empty((p, p), dtype=np.int64)
    full[iu, ju] = full[ju, iu] = np.arange(len(iu))
    return full


def _stats(fn, Mp, masks, center, start, p, tri, tol, max_iter):
    full = _full_index(p, tri)
    n = Mp[:, 0, :].T  # (c, P)
    N = n.sum(axis=1)
    n1 = n @ masks.astype(np.float64)
    s1 = Mp[:, 1:1 + p, :].sum(axis=0).T
    ss = Mp[:, 1 + p + np.diag(full), :].sum(axis=0).T
    with np.errstate(invalid="ignore", divide="ignore"):
        var = ss / n1 - (s1 / n1) ** 2
    scale = (np.abs(center) + 1.0) ** 2
    zero = ~(var > 1e-12 * scale).all(axis=1)
    good = ~zero
    res, nc = {}, 0
    if good.any():
        if em_kernel.available():
            M = np.ascontiguousarray(Mp[:, :, good].transpose(2, 0, 1))
            d, S, _, conv = em_kernel.em_chunk(M, masks, full, start[0], start[1], tol, max_iter)
        else:
            nn, sums, cross = _unpack(Mp[:, :, good], p, tri)
            d, S, _, conv = em_batch(nn, sums, cross, masks, d0=start[0], cov0=start[1],
                                     tol=tol, max_iter=max_iter)
        Ng = N[good]
        cov = S * (Ng / (Ng - 1.0))[:, None, None]
        sd = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 1e-300, None))
        R = cov / (sd[:, :, None] * sd[:, None, :])
        i = np.arange(p)
        R[:, i, i] = 1.0
        st = fn(np.ascontiguousarray(R.transpose(1, 2, 0)), center + d, sd, Ng)
        ok = st.pop("converged") & conv
        nc = int((~ok).sum())
        res = st if not nc else {k: v[ok] for k, v in st.items()}
    return int(zero.sum()), nc, res


def bootstrap_em(x, weights, codes, masks, start, center, stat_fn, *, n_boot=5000, seed=None,
                 progress=None, strata=None, stratum_fns=None, stratum_starts=None, n_jobs=None,
                 tol=1e-6, max_iter=500) -> BootstrapResult:
    """Bootstrap ``stat_fn`` over resamples whose item moments are EM estimates.

    Parameters
    ----------
    x : ndarray (n, p)
        Items with NaN = missing (every row has an answer).
    weights : ndarray or None
    codes : ndarray (n,)
        Pattern code per row, indexing ``masks`` (P, p).
    start : (mean, cov)
        The full-sample EM solution (original units; ML covariance): the warm start.
    center : ndarray (p,)
        Centre of the sums (e.g. the scale midpoints).
    stat_fn : callable(Rt, mean, sd, n) -> dict of (B, ...) arrays with ``converged``
    strata, stratum_fns : as :func:`csi.estimate.bootstrap.bootstrap_moments`
    stratum_starts : dict code -> (mean, cov), warm starts of the strata's own fits

    Returns
    -------
    BootstrapResult (``extra["strata"]`` with ``stratum_fns``)
    """
    rng = np.random.default_rng(seed)
    n_jobs = n_jobs or max(1, min(2, os.cpu_count() or 1))
    n, p = x.shape
    P = len(masks)
    g_of = np.zeros(n, dtype=np.int64) if strata is None else np.asarray(strata, dtype=np.int64)
    order = np.lexsort((codes, g_of))
    x, codes, g_of = x[order], np.asarray(codes)[order], g_of[order]
    weights = None if weights is None else np.asarray(weights)[order]
    G = int(g_of.max()) + 1
    key = g_of * P + codes
    bounds = np.searchsorted(key, np.arange(G * P + 1))
    cells = [(g, k, int(bounds[g * P + k]), int(bounds[g * P + k + 1]))
             for g in range(G) for k in range(P) if bounds[g * P + k + 1] > bounds[g * P + k]]
    gb = np.searchsorted(g_of, np.arange(G + 1))
    spans = [(g, int(gb[g]), int(gb[g + 1])) for g in range(G) if gb[g + 1] > gb[g]]
    streams = None
    if strata is not None:
        streams = dict(zip((g for g, _, _ in spans), rng.spawn(len(spans)), strict=True))
    FT, tri = _terms(x, weights, center)
    q = FT.shape[0]
    stratum_fns = stratum_fns or {}
    stratum_starts = stratum_starts or {}
    d0 = (np.asarray(start[0], float) - center, np.asarray(start[1], float))
    starts_g = {g: (np.asarray(m, float) - center, np.asarray(c, float)) for g, (m, c) in stratum_starts.items()}
    chunk = int(max(8, min(1000, _CHUNK_BYTES // (8 * P * q * (1 + len(stratum_fns))), n_boot)))
    chunk = max(1, min(chunk, -(-n_boot // n_jobs)))

    def draw(c):
        if streams is None:
            return rng.integers(0, n, size=(c, n))
        idx = np.empty((c, n), dtype=np.int64)
        for g, lo, hi in spans:
            idx[:, lo:hi] = streams[g].integers(0, hi - lo, size=(c, hi - lo)) + lo
        return idx

    # large cells: one matrix product each; the many small ones in one compiled pass
    big = [cl for cl in cells if cl[3] - cl[2] >= _BIG_CELL]
    small_rows = np.concatenate([np.arange(lo, hi) for _, _, lo, hi in cells if hi - lo < _BIG_CELL]
                                + [np.zeros(0, np.int64)]).astype(np.int64)
    FTs = np.ascontiguousarray(FT[:, small_rows])
    codes_s = np.ascontiguousarray(codes[small_rows], dtype=np.int64)
    g_s = g_of[small_rows]
    FTb = {(g, k): np.ascontiguousarray(FT[:, lo:hi]) for g, k, lo, hi in big}
    small_by_g = []  # with per-stratum fits, each stratum's small cells separately
    if stratum_fns:
        for g in {int(v) for v in np.unique(g_s)}:
            if g not in stratum_fns:
                continue
            sel = g_s == g
            small_by_g.append((g, sel, np.ascontiguousarray(FTs[:, sel]), codes_s[sel]))
        rest = ~np.isin(g_s, [g for g, *_ in small_by_g])
        FTs, codes_s, small_rest = np.ascontiguousarray(FTs[:, rest]), codes_s[rest], rest
    else:
        small_rest = None

    def work(idx):
        c = idx.shape[0]
        counts = _counts(idx, n)
        Mp = np.zeros((P, q, c))
        Mg = {g: np.zeros((P, q, c)) for g in stratum_fns}
        for g, k, lo, hi in big:
            M = FTb[g, k] @ np.ascontiguousarray(counts[:, lo:hi].T)
            Mp[k] += M
            if g in Mg:
                Mg[g][k] += M
        if len(small_rows):
            cTs = np.ascontiguousarray(counts[:, small_rows].T)
            if small_rest is None:
                em_kernel.add_pattern_sums(FTs, cTs, codes_s, Mp)
            elif small_rest.any():
                em_kernel.add_pattern_sums(FTs, np.ascontiguousarray(cTs[small_rest]), codes_s, Mp)
            for g, sel, FTg, cg in small_by_g:
                part = np.zeros((P, q, c))
                em_kernel.add_pattern_sums(FTg, np.ascontiguousarray(cTs[sel]), cg, part)
                Mp += part
                Mg[g] += part
        pooled = _stats(stat_fn, Mp, masks, center, d0, p, tri, tol, max_iter)
        parts = {g: _stats(stratum_fns[g], Mg[g], masks, center, starts_g.get(g, d0), p, tri, tol, max_iter)
                 for g in stratum_fns}
        return pooled, parts, c

    acc = _Accumulator()
    acc_g = {g: _Accumulator() for g in stratum_fns}
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
    out = acc.result(n_boot, None)
    if stratum_fns:
        out.extra["strata"] = {g: acc_g[g].result(n_boot, None) for g in stratum_fns}
    return out
