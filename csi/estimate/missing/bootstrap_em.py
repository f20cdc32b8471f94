"""Bootstrap with missing data: every resample re-runs EM on its own pattern moments.

A resample's per-pattern sufficient statistics are linear in its counts, exactly as the
complete-data moments are (:mod:`csi.estimate.resample.bootstrap`): with the respondents sorted by
(stratum, pattern) and ``FTr`` the per-respondent terms ``[w, w y, w vech(y y')]`` (``y`` the
items about the scale midpoints, 0 where unanswered) as rows, pattern ``k``'s statistics for
a chunk of resamples are ``counts[:, span_k] @ FTr[span_k]`` -- one matrix product per
(stratum, pattern) cell, into the (P, chunk, q) layout of
:mod:`csi.estimate.missing.em_lockstep`. EM then runs on the whole chunk in one compiled call,
every resample warm-started from the full-sample solution and accelerated by Newton jumps
with the full-sample EM Jacobian; the resulting correlations go through the same batched PLS
iteration as the point estimate.

Stratified resampling (``strata``) draws within strata from the same per-stratum streams as
:func:`csi.estimate.resample.bootstrap.bootstrap_moments`; with ``stratum_fns`` each stratum's own EM
runs on its part of the same resamples. Sampling weights enter the terms. Resamples where an
item has no variance among its answers are excluded (``n_zero_variance``); resamples whose EM
(or PLS iteration) does not converge are excluded (``n_not_converged``).

``jackknife=True`` adds the delete-one (or, above 2,000 respondents, delete-group with 1,000
random groups) EM fits that BCa intervals take their acceleration from, as
:func:`csi.estimate.resample.bootstrap.bootstrap_moments` does for complete data.
"""

from __future__ import annotations

import os

import numpy as np

from csi.estimate.missing import em_lockstep
from csi.estimate.missing.em import em_batch
from csi.estimate.resample.bootstrap import BootstrapResult, _counts, _WorkspacePool, run_chunks

__all__ = ["bootstrap_em"]

_CHUNK_BYTES = 32 * 2**20  # the (P, chunk, q) pattern sums of one chunk
_POOL = _WorkspacePool(max_bytes=3 * _CHUNK_BYTES)


def _terms(x, w, center):
    """(n, q) rows ``[w, w y, w vech(y y')]`` with ``y = x - center``, 0 where unanswered."""
    n, p = x.shape
    obs = ~np.isnan(x)
    y = np.where(obs, x - center, 0.0)
    ww = np.ones(n) if w is None else np.asarray(w, dtype=float)
    iu, ju = np.triu_indices(p)
    FTr = np.empty((n, 1 + p + len(iu)))
    FTr[:, 0] = ww
    FTr[:, 1:1 + p] = y * ww[:, None]
    FTr[:, 1 + p:] = y[:, iu] * y[:, ju] * ww[:, None]
    return FTr, (iu, ju)


def _unpack(Mp, p, tri):
    """(P, c, q) stacked pattern sums -> n (c, P), sums (c, P, p), cross (c, P, p, p)."""
    iu, ju = tri
    n = np.ascontiguousarray(Mp[:, :, 0].T)
    sums = np.ascontiguousarray(Mp[:, :, 1:1 + p].transpose(1, 0, 2))
    P, c = Mp.shape[:2]
    cross = np.empty((c, P, p, p))
    v = Mp[:, :, 1 + p:].transpose(1, 0, 2)
    cross[:, :, iu, ju] = v
    cross[:, :, ju, iu] = v
    return n, sums, cross


def _solve(Mp, masks, start, A, tol, max_iter, index):
    """EM fixed points of a chunk (P, c, q): compiled lockstep solver, else numpy."""
    if em_lockstep.available():
        d, S, _, conv = em_lockstep.solve(Mp, masks, start[0], start[1], A=A, tol=tol, max_iter=max_iter,
                                          index=index)
        return d, S, conv
    n, sums, cross = _unpack(Mp, masks.shape[1], np.triu_indices(masks.shape[1]))
    d, S, _, conv = em_batch(n, sums, cross, masks, d0=start[0], cov0=start[1], tol=tol, max_iter=max_iter)
    return d, S, conv


def _jump(M1, masks, start, index):
    """``(I - J)^-1`` at ``start`` for the full data's pattern sums ``M1`` (P, 1, q); None
    without the compiled solver (numpy EM takes plain steps)."""
    if not em_lockstep.available():
        return None
    return em_lockstep.jacobian_inverse(M1, masks, start[0], start[1], index=index)


def _stats(fn, Mp, masks, center, start, A, tol, max_iter, index):
    """Exclusions and statistics of a chunk: zero-variance check, EM, correlations, ``fn``."""
    p = masks.shape[1]
    n = Mp[:, :, 0].T  # (c, P)
    N = n.sum(axis=1)
    n1 = n @ masks.astype(np.float64)
    s1 = Mp[:, :, 1:1 + p].sum(axis=0)
    iu, ju = np.triu_indices(p)
    diag = 1 + p + np.flatnonzero(iu == ju)
    ss = Mp[:, :, diag].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = ss / n1 - (s1 / n1) ** 2
    scale = (np.abs(center) + 1.0) ** 2
    zero = ~(var > 1e-12 * scale).all(axis=1)
    good = ~zero
    res, nc = {}, 0
    if good.any():
        d, S, conv = _solve(Mp if good.all() else np.ascontiguousarray(Mp[:, good]), masks, start, A, tol,
                            max_iter, index)
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


def _cell_sums(FTr, codes, P, lo, hi):
    """(P, 1, q) pattern sums of the rows lo..hi (sorted by pattern within the span)."""
    M1 = np.zeros((P, 1, FTr.shape[1]))
    np.add.at(M1[:, 0], codes[lo:hi], FTr[lo:hi])
    return M1


def _jackknife(FTr, codes, masks, center, start, A, fn, rng, tol, max_iter, index, max_groups=1000,
               block=250):
    """Delete-one (n <= 2 max_groups) or delete-group EM replicates of ``fn``'s statistics."""
    n = FTr.shape[0]
    P = len(masks)
    groups = np.arange(n) if n <= 2 * max_groups else rng.permutation(n) % max_groups
    n_groups = int(groups.max()) + 1
    total = _cell_sums(FTr, codes, P, 0, n)
    order = np.argsort(groups, kind="stable")
    gb = np.searchsorted(groups[order], np.arange(n_groups + 1))
    out: dict[str, list[np.ndarray]] = {}
    for lo in range(0, n_groups, block):
        hi = min(lo + block, n_groups)
        rows = order[gb[lo]:gb[hi]]
        Mj = np.repeat(total, hi - lo, axis=1)
        np.subtract.at(Mj, (codes[rows], groups[rows] - lo), FTr[rows])
        zero, _, st = _stats(_keep_all(fn), Mj, masks, center, start, A, tol, max_iter, index)
        if zero:  # a deleted group left an item constant: its replicate is NaN
            st = _reinsert(st, Mj, masks, center)
        for key, v in st.items():
            out.setdefault(key, []).append(v)
    return {k: np.concatenate(v) for k, v in out.items()}


def _keep_all(fn):
    """``fn`` with every replicate kept (a jackknife replicate that did not converge is still
    the best available value; BCa needs one per group)."""
    def wrapped(*a):
        st = fn(*a)
        st["converged"] = np.ones_like(st["converged"], dtype=bool)
        return st
    return wrapped


def _reinsert(st, Mj, masks, center):  # pragma: no cover - needs an item answered by one group only
    p = masks.shape[1]
    n1 = Mj[:, :, 0].T @ masks.astype(np.float64)
    iu, ju = np.triu_indices(p)
    s1 = Mj[:, :, 1:1 + p].sum(axis=0)
    ss = Mj[:, :, 1 + p + np.flatnonzero(iu == ju)].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = ss / n1 - (s1 / n1) ** 2
    good = (var > 1e-12 * (np.abs(center) + 1.0) ** 2).all(axis=1)
    out = {}
    for k, v in st.items():
        full = np.full((len(good),) + v.shape[1:], np.nan)
        full[good] = v
        out[k] = full
    return out


def bootstrap_em(x, weights, codes, masks, start, center, stat_fn, *, n_boot=5000, seed=None,
                 progress=None, strata=None, stratum_fns=None, stratum_starts=None, n_jobs=None,
                 tol=1e-6, max_iter=500, jackknife=False) -> BootstrapResult:
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
    strata, stratum_fns : as :func:`csi.estimate.resample.bootstrap.bootstrap_moments`
    stratum_starts : dict code -> (mean, cov), warm starts of the strata's own fits
    jackknife : bool
        Also compute the EM jackknife replicates (for BCa); ``BootstrapResult.jackknife``.

    Returns
    -------
    BootstrapResult (``extra["strata"]`` with ``stratum_fns``)
    """
    rng = np.random.default_rng(seed)
    n_jobs = n_jobs or max(1, min(2, os.cpu_count() or 1))
    n, p = x.shape
    masks = np.asarray(masks, dtype=bool)
    P = len(masks)
    g_of = np.zeros(n, dtype=np.int64) if strata is None else np.asarray(strata, dtype=np.int64)
    order = np.lexsort((codes, g_of))
    x, codes, g_of = x[order], np.asarray(codes, dtype=np.int64)[order], g_of[order]
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
    FTr, _tri = _terms(x, weights, center)
    q = FTr.shape[1]
    stratum_fns = stratum_fns or {}
    stratum_starts = stratum_starts or {}
    index = em_lockstep.pattern_index(masks)
    d0 = (np.asarray(start[0], float) - center, np.asarray(start[1], float))
    A0 = _jump(_cell_sums(FTr, codes, P, 0, n), masks, d0, index)
    starts_g, jumps_g = {}, {}
    for g in stratum_fns:
        m, c = stratum_starts.get(g, start)
        starts_g[g] = (np.asarray(m, float) - center, np.asarray(c, float))
        lo, hi = int(gb[g]), int(gb[g + 1])
        jumps_g[g] = _jump(_cell_sums(FTr, codes, P, lo, hi), masks, starts_g[g], index)
    chunk = int(max(8, min(1000, _CHUNK_BYTES // (8 * P * q * (1 + len(stratum_fns))), n_boot)))
    chunk = max(1, min(chunk, -(-n_boot // n_jobs)))

    cell_k = [k for _, k, _, _ in cells]
    direct = not stratum_fns and len(set(cell_k)) == len(cell_k)
    empty = sorted(set(range(P)) - set(cell_k))

    def draw(c):
        if streams is None:
            return rng.integers(0, n, size=(c, n))
        idx = np.empty((c, n), dtype=np.int64)
        for g, lo, hi in spans:
            idx[:, lo:hi] = streams[g].integers(0, hi - lo, size=(c, hi - lo)) + lo
        return idx

    def work(idx):
        c = idx.shape[0]
        ws = _POOL.acquire()
        try:
            counts = _counts(idx, n, out=ws.get("counts", (c, n)))
            Mp = ws.get("Mp", (P, c, q))
            Mg = {}
            if direct:  # one cell per pattern: each product written in place (no zeroing, no adds)
                for k in empty:
                    Mp[k] = 0.0
                for _, k, lo, hi in cells:
                    np.matmul(counts[:, lo:hi], FTr[lo:hi], out=Mp[k])
            else:
                Mp[:] = 0.0
                for j, g in enumerate(stratum_fns):
                    Mg[g] = ws.get(f"Mg{j}", (P, c, q))
                    Mg[g][:] = 0.0
                tmp = ws.get("tmp", (c, q))
                for g, k, lo, hi in cells:  # one matrix product per (stratum, pattern) cell
                    np.matmul(counts[:, lo:hi], FTr[lo:hi], out=tmp)
                    Mp[k] += tmp
                    if g in Mg:
                        Mg[g][k] += tmp
            pooled = _stats(stat_fn, Mp, masks, center, d0, A0, tol, max_iter, index)
            parts = {g: _stats(stratum_fns[g], Mg[g], masks, center, starts_g[g], jumps_g[g], tol, max_iter,
                               index) for g in stratum_fns}
        finally:
            _POOL.release(ws)
        return pooled, parts, c

    acc, acc_g = run_chunks(work, draw, n_boot=n_boot, chunk=chunk, n_jobs=n_jobs, groups=stratum_fns,
                            progress=progress)
    jk = None
    if jackknife:
        jk = _jackknife(FTr, codes, masks, center, d0, A0, stat_fn, rng, tol, max_iter, index)
    out = acc.result(n_boot, jk)
    if stratum_fns:
        out.extra["strata"] = {}
        for g in stratum_fns:
            lo, hi = int(gb[g]), int(gb[g + 1])
            jg = None
            if jackknife:
                jg = _jackknife(FTr[lo:hi], codes[lo:hi], masks, center, starts_g[g], jumps_g[g],
                                stratum_fns[g], rng, tol, max_iter, index)
            out.extra["strata"][g] = acc_g[g].result(n_boot, jg)
    return out
