"""Compiled EM for single fits and the pattern sums of a large frame (numba).

The algorithm is :func:`csi.estimate.missing.em.em_batch` (same E- and M-steps, same
convergence rule) written as loops over one resample's small matrices, reading the stacked
pattern sums directly (no (B, P, p, p) arrays are built). Compiled on first use, cached on
disk like :mod:`csi.estimate.pls.kernel` (``CSI_JIT=0`` selects the numpy code); results equal
the numpy code's to rounding.
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["available", "em_chunk", "keyed_pattern_sums", "pattern_sums", "row_keys"]

_STATE: dict[str, object] = {}
_LOCK = threading.Lock()
#: patterns (in order of first appearance) whose rows :func:`keyed_pattern_sums` stages for one
#: BLAS product per ``S`` rows, and the stages' total size (cache-sized)
_N_STAGE = 128
_STAGE_BYTES = 4 * 2**20


def _small_inv(A, out, r):
    """Inverse of the leading r x r block of the SPD matrix A (Gauss-Jordan, no pivoting)."""
    for i in range(r):
        for j in range(r):
            out[i, j] = A[i, j]
    for k in range(r):
        piv = 1.0 / out[k, k]
        out[k, k] = 1.0
        for j in range(r):
            out[k, j] *= piv
        for i in range(r):
            if i != k:
                f = out[i, k]
                out[i, k] = 0.0
                for j in range(r):
                    out[i, j] -= f * out[k, j]


def _em_chunk(M, p, full, miss_ptr, miss_idx, obs_ptr, obs_idx, d0, S0, tol, max_iter,
              out_d, out_S, iters, conv):
    c, P, _q = M.shape
    for b in range(c):
        N = 0.0
        T1b = np.zeros(p)
        T2b = np.zeros((p, p))
        C = np.empty((P, p, p))
        for k in range(P):
            N += M[b, k, 0]
            for i in range(p):
                T1b[i] += M[b, k, 1 + i]
                for j in range(p):
                    v = M[b, k, 1 + p + full[i, j]]
                    C[k, i, j] = v
                    T2b[i, j] += v
        d = d0[b].copy()
        S = S0[b].copy()
        rmax = 0
        for k in range(P):
            rmax = max(rmax, miss_ptr[k + 1] - miss_ptr[k])
        Kmm = np.empty((rmax, rmax))
        Ki = np.empty((rmax, rmax))
        done = False
        it = 0
        for it in range(1, max_iter + 1):  # noqa: B007
            K = np.linalg.inv(S)
            T1 = T1b.copy()
            T2 = T2b.copy()
            for k in range(P):
                r = miss_ptr[k + 1] - miss_ptr[k]
                nk = M[b, k, 0]
                if r == 0 or nk == 0.0:
                    continue
                m = miss_idx[miss_ptr[k]:miss_ptr[k + 1]]
                o = obs_idx[obs_ptr[k]:obs_ptr[k + 1]]
                for a in range(r):
                    for s in range(r):
                        Kmm[a, s] = K[m[a], m[s]]
                _small_inv(Kmm, Ki, r)
                beta = np.zeros((r, p))
                for a in range(r):
                    for j in o:
                        acc = 0.0
                        for s in range(r):
                            acc -= Ki[a, s] * K[m[s], j]
                        beta[a, j] = acc
                av = np.empty(r)
                bS = np.empty(r)
                for a in range(r):
                    acc = 0.0
                    acc2 = 0.0
                    for j in o:
                        acc += beta[a, j] * d[j]
                        acc2 += beta[a, j] * M[b, k, 1 + j]
                    av[a] = d[m[a]] - acc
                    bS[a] = acc2
                bC = np.zeros((r, p))
                Ck = C[k]
                for a in range(r):
                    for l in o:  # noqa: E741
                        bal = beta[a, l]
                        for j in range(p):  # C is 0 in the missing columns
                            bC[a, j] += bal * Ck[l, j]
                for a in range(r):
                    T1[m[a]] += nk * av[a] + bS[a]
                    for j in o:
                        g = av[a] * M[b, k, 1 + j] + bC[a, j]
                        T2[m[a], j] += g
                        T2[j, m[a]] += g
                    for cc in range(r):
                        h = nk * (av[a] * av[cc] + Ki[a, cc]) + av[a] * bS[cc] + bS[a] * av[cc]
                        for j in o:
                            h += bC[a, j] * beta[cc, j]
                        T2[m[a], m[cc]] += h
            ch = 0.0
            dn = T1 / N
            for i in range(p):
                for j in range(p):
                    T2[i, j] = T2[i, j] / N - dn[i] * dn[j]
            for i in range(p):
                for j in range(i):
                    v = 0.5 * (T2[i, j] + T2[j, i])
                    T2[i, j] = v
                    T2[j, i] = v
            for i in range(p):
                sdi = np.sqrt(max(T2[i, i], 1e-300))
                ch = max(ch, abs(dn[i] - d[i]) / sdi)
                for j in range(p):
                    sdj = np.sqrt(max(T2[j, j], 1e-300))
                    ch = max(ch, abs(T2[i, j] - S[i, j]) / (sdi * sdj))
            d = dn
            S = T2
            if ch < tol:
                done = True
                break
        out_d[b] = d
        out_S[b] = S
        iters[b] = it
        conv[b] = done


def _pattern_sums(x, codes, center, w, has_w, n_out, sums, cross):
    n, p = x.shape
    B = 256
    buf = np.empty((B, p))
    for lo in range(0, n, B):
        hi = min(lo + B, n)
        for j in range(p):  # a block copied column by column: contiguous reads for column-major x
            cj = center[j]
            for r in range(lo, hi):
                v = x[r, j]
                buf[r - lo, j] = 0.0 if np.isnan(v) else v - cj
        for r in range(lo, hi):
            k = codes[r]
            if k < 0:
                continue
            wr = w[r] if has_w else 1.0
            y = buf[r - lo]
            n_out[k] += wr
            ck = cross[k]
            sk = sums[k]
            for i in range(p):  # the full square: a contiguous, vectorised inner loop
                yi = y[i] * wr
                sk[i] += yi
                base = i * p
                for j in range(p):
                    ck[base + j] += yi * y[j]


def _flush(stage, stagew, has_w, f, po, sk, acc):
    """Add the ``f`` staged rows (compact, ``po`` observed items) to the pattern's sums ``sk``
    (compact) and cross-products ``acc`` (compact ``po x po``, one BLAS product)."""
    Y = stage[:f * po].reshape(f, po)
    A = stagew[:f * po].reshape(f, po) if has_w else Y
    for t in range(f):
        for jj in range(po):
            sk[jj] += A[t, jj]
    acc[:po * po] += np.dot(A.T, Y).ravel()


def _keyed_sums(x, center, w, has_w, hkeys, hslot, codes, keys_out, n_out, sums, cross, n_stage, S):
    """:func:`_row_keys` and :func:`_pattern_sums` in one pass: each row's pattern key (bit j =
    item j answered), its pattern's slot (first-appearance order; open-addressing hash table
    ``hkeys``/``hslot``) and the slot's count, sums and cross-products. The first ``n_stage``
    patterns' rows are copied (centred, observed items only) into a per-pattern stage of ``S``
    rows that is added with one BLAS product when full; the rows of later (rare) patterns are
    added one by one. Returns the number of patterns, or -1 when they outnumber the capacity
    ``len(keys_out)``."""
    n, p = x.shape
    cap = keys_out.shape[0]
    mask = hkeys.shape[0] - 1
    B = 256
    bufT = np.empty((p, B))  # a block of rows, item-major: contiguous writes from column-major x
    kb = np.empty(B, dtype=np.int64)
    obs = np.empty((cap, p), dtype=np.int64)  # each pattern's observed items
    nobs = np.zeros(cap, dtype=np.int64)
    stage = np.empty((n_stage, S * p))
    stagew = np.empty((n_stage if has_w else 1, S * p))  # w * y when weighted
    acc = np.zeros((n_stage, p * p))  # compact cross-products of the staged patterns
    sacc = np.zeros((n_stage, p))  # compact sums of the staged patterns
    fill = np.zeros(n_stage, dtype=np.int64)
    P = 0
    for lo in range(0, n, B):
        m = min(lo + B, n) - lo
        for r in range(m):
            kb[r] = 0
        for j in range(p):
            cj = center[j]
            bj = bufT[j]
            bit = np.int64(1) << j
            for r in range(m):
                v = x[lo + r, j]
                ok = v == v
                bj[r] = v - cj if ok else 0.0
                kb[r] |= bit if ok else 0
        for r in range(m):
            key = kb[r]
            if key == 0:
                codes[lo + r] = -1
                continue
            h = (key * np.int64(2654435761)) & mask
            while hkeys[h] != -1 and hkeys[h] != key:
                h = (h + 1) & mask
            if hkeys[h] == -1:
                if cap == P:
                    return -1
                hkeys[h] = key
                hslot[h] = P
                keys_out[P] = key
                c = 0
                for j in range(p):
                    if (key >> j) & 1:
                        obs[P, c] = j
                        c += 1
                nobs[P] = c
                P += 1
            k = hslot[h]
            codes[lo + r] = k
            wr = w[lo + r] if has_w else 1.0
            n_out[k] += wr
            po = nobs[k]
            ok_ = obs[k]
            if k < n_stage:
                f = fill[k]
                st = stage[k]
                base = f * po
                if has_w:
                    sw = stagew[k]
                    for jj in range(po):
                        v = bufT[ok_[jj], r]
                        st[base + jj] = v
                        sw[base + jj] = wr * v
                else:
                    for jj in range(po):
                        st[base + jj] = bufT[ok_[jj], r]
                f += 1
                if f == S:
                    _flush(st, stagew[k] if has_w else st, has_w, f, po, sacc[k], acc[k])
                    f = 0
                fill[k] = f
            else:
                sk = sums[k]
                ck = cross[k]
                for ii in range(po):
                    i = ok_[ii]
                    yi = bufT[i, r] * wr
                    sk[i] += yi
                    base = i * p
                    for jj in range(po):
                        ck[base + ok_[jj]] += yi * bufT[ok_[jj], r]
    for k in range(min(P, n_stage)):
        po = nobs[k]
        if fill[k]:
            _flush(stage[k], stagew[k] if has_w else stage[k], has_w, fill[k], po, sacc[k], acc[k])
        ok_ = obs[k]
        for ii in range(po):
            sums[k, ok_[ii]] = sacc[k, ii]
            base = ok_[ii] * p
            for jj in range(po):
                cross[k, base + ok_[jj]] = acc[k, ii * po + jj]
    return P


def keyed_pattern_sums(x, center, weights, capacity: int = 2048):
    """Pattern keys, codes and sums in one compiled pass over ``x`` (n, p <= 62; NaN = missing).

    Returns ``(keys (P,), codes (n,), n (P,), sums (P, p), cross (P, p, p))`` with the patterns
    in first-appearance order (``codes`` -1 for a row with no answer), or None without numba,
    with more than 62 items or more than ``capacity`` patterns."""
    n, p = x.shape
    if not available() or p > 62:
        return None
    cap = int(min(capacity, max(n, 1)))
    size = 1 << int(np.ceil(np.log2(4 * cap)))
    hkeys = np.full(size, -1, dtype=np.int64)
    hslot = np.empty(size, dtype=np.int64)
    codes = np.empty(n, dtype=np.int64)
    keys = np.empty(cap, dtype=np.int64)
    n_out, sums, cross = np.zeros(cap), np.zeros((cap, p)), np.zeros((cap, p * p))
    w = np.ones(1) if weights is None else np.ascontiguousarray(weights, dtype=np.float64)
    n_stage = min(cap, _N_STAGE)
    P = _STATE["keyed"](x, np.ascontiguousarray(center, dtype=np.float64), w, weights is not None, hkeys, hslot,
                        codes, keys, n_out, sums, cross, n_stage, max(8, min(128, _STAGE_BYTES // (8 * p * n_stage))))
    if P < 0:
        return None
    cross = cross[:P].reshape(P, p, p)
    return keys[:P], codes, n_out[:P], sums[:P], 0.5 * (cross + cross.transpose(0, 2, 1))


def _row_keys(x, out):
    n, p = x.shape
    B = 1024
    for lo in range(0, n, B):
        hi = min(lo + B, n)
        for r in range(lo, hi):
            out[r] = 0
        for j in range(p):  # column by column: contiguous reads for a column-major x
            bit = np.int64(1) << j
            for r in range(lo, hi):
                if not np.isnan(x[r, j]):
                    out[r] |= bit


def row_keys(x):
    """int64 key per row of ``x`` (n, p <= 62): bit ``j`` set when item ``j`` is answered
    (one compiled pass; None without numba or with more items)."""
    if not available() or x.shape[1] > 62:
        return None
    out = np.empty(x.shape[0], dtype=np.int64)
    _STATE["keys"](x, out)
    return out


def pattern_sums(x, codes, center, weights, P):
    """Per-pattern ``(n, sums, cross)`` of :class:`~csi.estimate.missing.patterns.PatternMoments`
    in one compiled pass over the rows of ``x`` (n, p; NaN = missing; any memory order):
    ``codes`` (n,) the rows' patterns (-1: skipped), ``center`` (p,). No row gathers, so a
    million-row frame costs about one read of the data. Returns None without numba."""
    if not available():
        return None
    p = x.shape[1]
    n_out, sums, cross = np.zeros(P), np.zeros((P, p)), np.zeros((P, p * p))
    w = np.ones(1) if weights is None else np.ascontiguousarray(weights, dtype=np.float64)
    _STATE["psums"](x, np.ascontiguousarray(codes, dtype=np.int64), np.ascontiguousarray(center, dtype=np.float64),
                    w, weights is not None, n_out, sums, cross)
    cross = cross.reshape(P, p, p)
    return n_out, sums, 0.5 * (cross + cross.transpose(0, 2, 1))


def available() -> bool:
    """True when the compiled kernel is used (numba importable and ``CSI_JIT`` not 0)."""
    ok = _STATE.get("ok")
    if ok is None:
        with _LOCK:
            ok = _STATE.get("ok")
            if ok is None:
                ok = _STATE["ok"] = _compile()
    return bool(ok)


def _compile() -> bool:
    from csi.estimate.jit import load_numba

    loaded = load_numba()
    if loaded is None:
        return False
    numba, cache = loaded
    _STATE["keys"] = numba.njit(cache=cache, nogil=True)(_row_keys)
    _STATE["keyed"] = numba.njit(cache=cache, nogil=True, error_model="numpy",
                                 fastmath={"reassoc", "contract", "arcp", "nsz"})(_keyed_sums)
    _STATE["psums"] = numba.njit(cache=cache, nogil=True, error_model="numpy",
                                 fastmath={"reassoc", "contract", "arcp", "nsz"})(_pattern_sums)
    globals()["_small_inv"] = numba.njit(cache=cache, nogil=True, error_model="numpy", inline="always")(_small_inv)
    globals()["_flush"] = numba.njit(cache=cache, nogil=True, error_model="numpy")(_flush)
    _STATE["fn"] = numba.njit(cache=cache, nogil=True, error_model="numpy",
                                 fastmath={"reassoc", "contract", "arcp", "nsz"})(_em_chunk)
    return True


def em_chunk(M, masks, full, d0, S0, tol, max_iter):
    """EM for a chunk: ``M`` (c, P, q) stacked pattern sums ``[n, sums, vech(cross)]``.

    ``d0`` (p,) or (c, p) and ``S0`` (p, p) or (c, p, p): starting centred means and
    covariances (shared or one per data set). ``tol=0`` with ``max_iter=1`` is one EM step.

    Returns ``(d, S, iterations, converged)`` as :func:`~csi.estimate.missing.em.em_batch`.
    """
    masks = np.asarray(masks, dtype=bool)
    P, p = masks.shape
    miss = [np.flatnonzero(~mk) for mk in masks]
    obs = [np.flatnonzero(mk) for mk in masks]
    miss_ptr = np.concatenate([[0], np.cumsum([len(v) for v in miss])]).astype(np.int64)
    obs_ptr = np.concatenate([[0], np.cumsum([len(v) for v in obs])]).astype(np.int64)
    miss_idx = np.concatenate(miss + [np.zeros(0, np.int64)]).astype(np.int64)
    obs_idx = np.concatenate(obs + [np.zeros(0, np.int64)]).astype(np.int64)
    c = M.shape[0]
    d0 = np.broadcast_to(np.asarray(d0, dtype=float), (c, p))
    S0 = np.broadcast_to(np.asarray(S0, dtype=float), (c, p, p))
    out_d, out_S = np.empty((c, p)), np.empty((c, p, p))
    iters, conv = np.empty(c, dtype=np.int64), np.empty(c, dtype=np.bool_)
    fn = _STATE["fn"] if available() else _em_chunk
    fn(np.ascontiguousarray(M), p, np.ascontiguousarray(full, dtype=np.int64), miss_ptr, miss_idx,
       obs_ptr, obs_idx, np.ascontiguousarray(d0, dtype=float), np.ascontiguousarray(S0, dtype=float),
       float(tol), int(max_iter), out_d, out_S, iters, conv)
    return out_d, out_S, iters, conv
