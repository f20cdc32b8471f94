"""Compiled kernels (numba): resample counts, moments, the PLS iteration and the scores of large data.

The PLS iteration is the algorithm of :func:`csi.estimate.pls.algorithm.pls_weights_t` (see that
module for the method) written as plain loops over one resample's small matrices. For a
bootstrap the numpy version is dominated by per-call overhead on (p, p, B) stacks and holds
the GIL between calls, so two worker threads barely overlap; these kernels release the GIL
(``nogil``) and touch each resample's correlation matrix only while it is in cache.

Results equal the numpy code's to rounding (~1e-15; iteration counts equal except when a
resample's change in weights lands within rounding of ``tol``). ``CSI_JIT=0`` in the
environment, or numba not being installed, selects the numpy code everywhere;
:func:`available` tells which one runs. numba is imported and the kernels are compiled on
the first call of :func:`available` (not at import: most commands never bootstrap); the
machine code is cached on disk (numba ``cache=True``, off with ``CSI_JIT_CACHE=0``), so only
the first use on a machine pays the compilation (a few seconds), later processes ~0.1 s.
A lone point estimate does not load numba (see :func:`csi.estimate.pls.algorithm.pls_weights`),
so in one process a point estimate made before the first bootstrap and the same one made
after it may differ in the last bits (~1e-15).
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["available", "use", "loaded", "block_scores", "counts_batch", "moments_batch", "pls_weights_batch"]

SCHEME_CODES = {"path": 0, "factorial": 1, "centroid": 2}
# IEEE semantics for NaN and infinities kept (breakdown detection relies on them)
_FAST = {"reassoc", "contract", "arcp", "nsz"}
_KERNELS: list[tuple[str, dict]] = []  # (function name, numba options), in definition order
_STATE: dict[str, bool] = {}
_LOCK = threading.Lock()


def available() -> bool:
    """True when the compiled kernels are used (numba importable and ``CSI_JIT`` not 0).

    The first call imports numba and replaces this module's kernel functions by their
    compiled versions; until then (and without numba) they are plain Python.
    """
    ok = _STATE.get("ok")
    if ok is None:
        with _LOCK:
            ok = _STATE.get("ok")
            if ok is None:
                ok = _STATE["ok"] = _compile()
    return ok


def use(compiled: bool | None) -> bool:
    """Whether to run a kernel: ``compiled`` None means when available; True asks for the
    kernel (the numpy code still runs without numba); False never."""
    return available() if compiled is None else bool(compiled) and available()


def loaded() -> bool:
    """True when :func:`available` has already loaded the compiled kernels in this process."""
    return _STATE.get("ok") is True


def _compile() -> bool:
    from csi.estimate.jit import load_numba

    loaded = load_numba()
    if loaded is None:
        return False
    numba, cache = loaded
    for name, opts in _KERNELS:
        globals()[name] = numba.njit(cache=cache, nogil=True, error_model="numpy", fastmath=_FAST,
                                     **opts)(globals()[name])
    return True


def _njit(fn=None, **opts):
    """Register ``fn`` for compilation by :func:`available` (returned unchanged)."""
    if fn is None:
        return lambda f: _njit(f, **opts)
    _KERNELS.append((fn.__name__, opts))
    return fn


@_njit(inline="always")
def _normalize(R, g, bs, RG, Craw, s, inv_s, w, C):
    """Scale raw weights ``g`` to unit construct variance: fills ``RG`` (k, p) = the unscaled
    ``(R G)'``, ``Craw`` = ``G' R G`` (symmetric), the construct SDs ``s`` and their
    reciprocals, the weights ``w`` and the construct correlations ``C``."""
    k, p = RG.shape
    for j in range(k):  # plain indexing only: array views in a loop cost atomic refcounts
        for c in range(p):
            RG[j, c] = 0.0
        for i in range(bs[j], bs[j + 1]):
            gi = g[i]
            for c in range(p):
                RG[j, c] += gi * R[i, c]
    for a in range(k):
        for j in range(a, k):
            acc = 0.0
            for i in range(bs[j], bs[j + 1]):
                acc += RG[a, i] * g[i]
            Craw[a, j] = acc
            Craw[j, a] = acc
    for j in range(k):
        v = Craw[j, j]
        s[j] = np.sqrt(v) if v > 0 else np.nan
        inv_s[j] = 1.0 / s[j]
        for i in range(bs[j], bs[j + 1]):
            w[i] = g[i] * inv_s[j]
    for a in range(k):
        for j in range(k):
            C[a, j] = Craw[a, j] * (inv_s[a] * inv_s[j])


@_njit(inline="always")
def _sign(v):
    if v > 0:
        return 1.0
    if v < 0:
        return -1.0
    return v  # 0 stays 0, NaN stays NaN (as numpy.sign)


@_njit(inline="always")
def _inner_weights(C, inv_s, scheme, adj, sym, pred_ptr, pred_idx, nb_ptr, nb_idx, E, M, r):
    """Inner weights ``E`` (k, k) divided by the construct SDs along the first axis.

    Only the entries ``E[a, j]`` with ``a`` in ``nb(j)`` (``nb_ptr``/``nb_idx``: the
    constructs adjacent to ``j``, or ``j`` itself when it is in no path) are written; the
    others stay 0 from the caller's initialization.
    """
    k = C.shape[0]
    for j in range(k):
        for t in range(nb_ptr[j], nb_ptr[j + 1]):
            a = nb_idx[t]
            if a == j:  # a construct in no path is its own inner proxy
                E[a, j] = 1.0
            elif scheme == 1:
                E[a, j] = C[a, j] * sym[a, j]
            elif scheme == 2:
                E[a, j] = _sign(C[a, j]) * sym[a, j]
            else:  # path: correlations with successors ...
                E[a, j] = C[a, j] * adj[j, a]
        lo, hi = pred_ptr[j], pred_ptr[j + 1]
        m = hi - lo
        if scheme == 0 and m > 0:  # ... and regression weights on predecessors
            for x in range(m):
                r[x] = C[pred_idx[lo + x], j]
                for y in range(m):
                    M[x, y] = C[pred_idx[lo + x], pred_idx[lo + y]]
            _solve_inplace(M, r, m)
            for x in range(m):
                E[pred_idx[lo + x], j] += r[x]
        for t in range(nb_ptr[j], nb_ptr[j + 1]):
            a = nb_idx[t]
            E[a, j] *= inv_s[a]


@_njit(inline="always")
def _solve_inplace(M, r, m):
    """Solve ``M[:m, :m] x = r[:m]`` in place (Gaussian elimination without pivoting, as
    :func:`csi.estimate.pls.algorithm.solve_spd`; construct correlation matrices are SPD)."""
    for i in range(m - 1):
        for a in range(i + 1, m):
            f = M[a, i] / M[i, i]
            for c in range(i + 1, m):
                M[a, c] -= f * M[i, c]
            r[a] -= f * r[i]
    for i in range(m - 1, -1, -1):
        acc = r[i]
        for c in range(i + 1, m):
            acc -= M[i, c] * r[c]
        r[i] = acc / M[i, i]


@_njit
def counts_batch(idx, counts):
    """``counts[r, i]`` = how often respondent ``i`` is drawn in row ``r`` of ``idx`` (c, n)."""
    c, n = idx.shape
    for r in range(c):
        for i in range(counts.shape[1]):
            counts[r, i] = 0.0
        for t in range(n):
            counts[r, idx[r, t]] += 1.0


@_njit
def moments_batch(MT, shift, iu, ju, Rt, mean, sd, zero, nw):
    """Means, SDs and correlation matrices from stacked sums, batch-last, in one pass.

    ``MT`` (q, B): per resample ``[sum w, sum w x, sum w vech(x x')]`` with ``x`` centred at
    ``shift`` and the upper triangle in ``(iu, ju)`` order. Writes ``Rt`` (p, p, B), ``mean``
    and ``sd`` (B, p), ``nw`` (B,) and ``zero`` (B,): an item with (numerically) zero
    variance, ``var <= 1e-20 (|shift| + 1)^2``. Equals
    :func:`csi.estimate.resample.bootstrap.moments_from_sums` to rounding.
    """
    q, B = MT.shape
    p = shift.shape[0]
    m = np.empty((p, B))
    sdt = np.empty((p, B))
    for b in range(B):
        nw[b] = MT[0, b]
        zero[b] = False
    for i in range(p):
        for b in range(B):
            m[i, b] = MT[1 + i, b] / nw[b]
    for t in range(iu.shape[0]):
        i = iu[t]
        if i == ju[t]:
            sc = 1e-20 * (abs(shift[i]) + 1.0) ** 2
            for b in range(B):
                v = (MT[1 + p + t, b] - nw[b] * m[i, b] * m[i, b]) / (nw[b] - 1.0)
                zero[b] = zero[b] or v <= sc
                sdt[i, b] = np.sqrt(max(v, 1e-300))
    for t in range(iu.shape[0]):
        i, j = iu[t], ju[t]
        for b in range(B):
            if i == j:
                Rt[i, i, b] = 1.0
            else:
                r = (MT[1 + p + t, b] - nw[b] * m[i, b] * m[j, b]) / ((nw[b] - 1.0) * sdt[i, b] * sdt[j, b])
                Rt[i, j, b] = r
                Rt[j, i, b] = r
    for b in range(B):
        for i in range(p):
            mean[b, i] = shift[i] + m[i, b]
            sd[b, i] = sdt[i, b]


@_njit
def pls_weights_batch(R3, bs, mode_b, adj, sym, pred_ptr, pred_idx, nb_ptr, nb_idx, scheme, w0, tol,
                      max_iter, w_out, rw_out, c_out, n_iter, converged):
    """The PLS iteration for each correlation matrix of the stack ``R3`` (B, p, p).

    Structure (``ModelArrays.kernel_args``): ``bs`` (k + 1,) block boundaries (blocks
    contiguous), ``mode_b`` (k,) bool, ``adj`` and ``sym`` (k, k), ``pred_ptr``/``pred_idx``
    the predecessors per construct and ``nb_ptr``/``nb_idx`` the constructs in each
    construct's inner proxy (CSR; see :func:`_inner_weights`); then ``scheme`` 0
    path / 1 factorial / 2 centroid, start weights ``w0`` (p,), ``tol`` and ``max_iter``.
    Writes, batch-last as :class:`csi.estimate.pls.algorithm.BatchWeights`: ``w_out`` (p, B),
    ``rw_out`` (k, p, B), ``c_out`` (k, k, B), ``n_iter`` (B,) and ``converged`` (B,), after
    the sign rule (each construct's loadings sum to a positive number).
    """
    B, p, _ = R3.shape
    k = bs.shape[0] - 1
    R = np.empty((p, p))
    RG = np.empty((k, p))
    Craw = np.empty((k, k))
    C = np.empty((k, k))
    E = np.zeros((k, k))
    s = np.empty(k)
    inv_s = np.empty(k)
    g = np.empty(p)
    w = np.empty(p)
    wn = np.empty(p)
    M = np.empty((k, k))
    r = np.empty(k)
    tmp = np.empty(p)
    has_b = False
    for j in range(k):
        has_b = has_b or mode_b[j]
    inv = np.zeros((p, p))  # pinv of each Mode B block, at the block's own rows/columns
    for b in range(B):
        for i in range(p):  # contiguous local copy (R3 may be a strided view)
            for c in range(p):
                R[i, c] = R3[b, i, c]
        if has_b:
            for j in range(k):
                if mode_b[j]:
                    lo, hi = bs[j], bs[j + 1]
                    inv[lo:hi, lo:hi] = np.linalg.pinv(np.ascontiguousarray(R[lo:hi, lo:hi]))
        for i in range(p):
            g[i] = w0[i]
        _normalize(R, g, bs, RG, Craw, s, inv_s, w, C)
        ok = False
        it = 0
        while it < max_iter:
            it += 1
            _inner_weights(C, inv_s, scheme, adj, sym, pred_ptr, pred_idx, nb_ptr, nb_idx, E, M, r)
            for j in range(k):
                for i in range(bs[j], bs[j + 1]):
                    acc = 0.0
                    for t in range(nb_ptr[j], nb_ptr[j + 1]):
                        a = nb_idx[t]
                        acc += RG[a, i] * E[a, j]
                    g[i] = acc
                if mode_b[j]:
                    lo, hi = bs[j], bs[j + 1]
                    for i in range(lo, hi):
                        acc = 0.0
                        for c in range(lo, hi):
                            acc += inv[i, c] * g[c]
                        tmp[i] = acc
                    for i in range(lo, hi):
                        g[i] = tmp[i]
            _normalize(R, g, bs, RG, Craw, s, inv_s, wn, C)
            diff = 0.0
            for i in range(p):
                diff += abs(wn[i] - w[i])
                w[i] = wn[i]
            if diff < tol:
                ok = True
                break
            if not np.isfinite(diff):
                break
        finite = True
        for i in range(p):
            finite = finite and np.isfinite(w[i])
        n_iter[b] = it
        converged[b] = ok and finite
        for j in range(k):  # sign rule: the sum of each construct's loadings is positive
            lsum = 0.0
            for i in range(bs[j], bs[j + 1]):
                lsum += RG[j, i] / s[j]
            f = -1.0 if lsum < 0 else 1.0
            s[j] *= f  # rw = RG / s and C = Craw / (s s') pick up the flips
            for i in range(bs[j], bs[j + 1]):
                w_out[i, b] = w[i] * f
        for a in range(k):
            for i in range(p):
                rw_out[a, i, b] = RG[a, i] / s[a]
            for j in range(k):
                c_out[a, j, b] = C[a, j] * (-1.0 if (s[a] < 0) != (s[j] < 0) else 1.0)


@_njit
def block_scores(x, bs, a, b, oa, ob, chunk, out):
    """Two linear scores per block in one pass over the items (the construct scores).

    ``out[c, i] = sum_{j in block c} a[j] x[i, j] - oa[c]`` and ``out[k + c, i]`` the same with
    ``b``, ``ob`` (k = number of blocks, ``bs`` their boundaries; ``out`` (2k, n)). Rows are
    taken ``chunk`` at a time (a chunk's items and scores stay in cache) and the inner loop
    runs over the rows, contiguous in ``out`` and, for column-major ``x`` (a DataFrame's own
    layout), in ``x`` too. Equals :func:`csi.estimate.pls.scores.linear_scores` to rounding.
    """
    n = x.shape[0]
    k = oa.shape[0]
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        for c in range(k):
            for i in range(s, e):
                out[c, i] = 0.0
                out[k + c, i] = 0.0
            for j in range(bs[c], bs[c + 1]):
                aj, bj = a[j], b[j]
                for i in range(s, e):
                    v = x[i, j]
                    out[c, i] += aj * v
                    out[k + c, i] += bj * v
            for i in range(s, e):
                out[c, i] -= oa[c]
                out[k + c, i] -= ob[c]
