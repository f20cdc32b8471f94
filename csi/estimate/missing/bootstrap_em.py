"""Bootstrap with missing data: every resample re-runs EM on its own pattern moments.

A resample's per-pattern sufficient statistics are linear in its counts, exactly as the
complete-data moments are (:mod:`csi.estimate.resample.bootstrap`): with the respondents sorted by
(stratum, pattern) and ``FT`` the per-respondent terms ``[w, w y, w vech(y y')]`` (``y`` the
items about the scale midpoints, 0 where unanswered), pattern ``k``'s statistics for a chunk
of resamples are ``FT[:, span_k] @ counts[:, span_k]'``. EM (:func:`em_batch`) then runs on the
whole chunk at once, warm-started from the full-sample solution (a few iterations), and the
resulting correlations go through the same batched PLS iteration as the point estimate.

Stratified resampling (``strata``) draws within strata from the same per-stratum streams as
:func:`csi.estimate.resample.bootstrap.bootstrap_moments`; with ``stratum_fns`` each stratum's own EM
runs on its part of the same resamples. Sampling weights enter the terms. Resamples where an
item has no variance among its answers are excluded (``n_zero_variance``); resamples whose EM
(or PLS iteration) does not converge are excluded (``n_not_converged``).
"""

from __future__ import annotations

import os

import numpy as np

from csi.estimate.missing import em_kernel
from csi.estimate.missing.em import em_batch
from csi.estimate.resample.bootstrap import BootstrapResult, _counts, run_chunks

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


def _stats(fn, Mp, masks, center, start, p, tri, tol, max_iter, accel=None):
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
            if accel is not None:
                d, S, conv = accel.solve(M, masks, full, tol, max_iter)
            else:
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


class _Accelerator:
    """Newton jump with the EM map's Jacobian at the full-sample solution.

    EM converges linearly: near its fixed point ``t*`` the map is ``F(t) ~ t* + J (t - t*)``.
    A resample's fixed point is close to the full-sample one and its map has nearly the same
    ``J``, so after one step ``t1 = F(t0)`` the point ``t0 + (I - J)^-1 (t1 - t0)`` is close
    to the resample's solution; EM iterations from there (to the usual tolerance) finish the
    job in a few steps. ``J`` is taken by central differences (one EM step per parameter).
    """

    def __init__(self, M1, masks, full, start):
        d0, S0 = start
        p = len(d0)
        self.p = p
        self.iu, self.ju = np.triu_indices(p)
        t0 = self.vec(d0[None], S0[None])[0]
        m = len(t0)
        h = 1e-6 * (1.0 + np.abs(t0))
        T = np.concatenate([t0 + np.diag(h), t0 - np.diag(h)])
        dd, SS = self.unvec(T)
        out = em_kernel.em_chunk(np.repeat(M1, 2 * m, axis=0), masks, full, dd, SS, 0.0, 1)
        F = self.vec(out[0], out[1])
        J = ((F[:m] - F[m:]) / (2 * h)[:, None]).T  # J[i, j] = dF_i / dt_j
        try:
            self.A = np.linalg.inv(np.eye(m) - J)
        except np.linalg.LinAlgError:  # pragma: no cover - EM's J has spectral radius < 1
            self.A = np.eye(m)

    def vec(self, d, S):
        return np.concatenate([d, S[:, self.iu, self.ju]], axis=1)

    def unvec(self, t):
        p = self.p
        d = t[:, :p]
        S = np.empty((len(t), p, p))
        S[:, self.iu, self.ju] = t[:, p:]
        S[:, self.ju, self.iu] = t[:, p:]
        return np.ascontiguousarray(d), S

    def bind(self, d0, S0):
        """Set the starting point the resamples' first steps are taken from."""
        self.t0 = self.vec(np.asarray(d0)[None], np.asarray(S0)[None])[0]
        return self

    def solve(self, M, masks, full, tol, max_iter):
        """EM fixed points of a chunk: EM steps, each followed by the Newton jump
        ``t + (I - J)^-1 (F(t) - t)``; converged as EM (one step changes no mean by more than
        ``tol`` SDs and no covariance by more than ``tol`` in correlation units). A jump that
        leaves the positive-definite cone is replaced by the plain EM step."""
        c = M.shape[0]
        t = np.repeat(self.t0[None], c, axis=0)
        conv = np.zeros(c, dtype=bool)
        act = np.arange(c)
        for _ in range(max_iter):
            d, S = self.unvec(t[act])
            d1, S1, _, _ = em_kernel.em_chunk(M[act], masks, full, d, S, 0.0, 1)
            sd = np.sqrt(np.clip(np.diagonal(S1, axis1=1, axis2=2), 1e-300, None))
            ch = np.maximum(np.abs(d1 - d) / sd,
                            (np.abs(S1 - S) / (sd[:, :, None] * sd[:, None, :])).max(axis=2)).max(axis=1)
            t1 = self.vec(d1, S1)
            done = ch < tol
            t[act[done]] = t1[done]
            conv[act[done]] = True
            act, t_old, t1 = act[~done], t[act[~done]], t1[~done]
            if not len(act):
                break
            tj = t_old + (t1 - t_old) @ self.A.T
            dj, Sj = self.unvec(tj)
            bad = ~(np.linalg.eigvalsh(Sj).min(axis=1) > 0)
            tj[bad] = t1[bad]
            t[act] = tj
        d, S = self.unvec(t)
        return d, S, conv


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
    strata, stratum_fns : as :func:`csi.estimate.resample.bootstrap.bootstrap_moments`
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
    accel = None
    if em_kernel.available():
        M1 = np.zeros((1, P, q))
        for _g, k, lo, hi in cells:
            M1[0, k] += FT[:, lo:hi].sum(axis=1)  # the full sample's pattern sums
        accel = _Accelerator(M1, masks, _full_index(p, tri), d0).bind(*d0)
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
        pooled = _stats(stat_fn, Mp, masks, center, d0, p, tri, tol, max_iter, accel)
        parts = {g: _stats(stratum_fns[g], Mg[g], masks, center, starts_g.get(g, d0), p, tri, tol, max_iter)
                 for g in stratum_fns}
        return pooled, parts, c

    acc, acc_g = run_chunks(work, draw, n_boot=n_boot, chunk=chunk, n_jobs=n_jobs, groups=stratum_fns,
                            progress=progress)
    out = acc.result(n_boot, None)
    if stratum_fns:
        out.extra["strata"] = {g: acc_g[g].result(n_boot, None) for g in stratum_fns}
    return out
