"""EM for a chunk of bootstrap resamples, every resample iterated to convergence in one compiled call.

Same E- and M-steps and the same convergence rule as :func:`csi.estimate.missing.em.em_batch`
(so the same fixed points, to rounding); what differs is the cost per resample:

- a resample's pattern moments are unpacked once (observed blocks only) and the whole
  iteration runs inside the compiled loop -- no Python round trip per EM step;
- each iteration costs O(patterns x p^2): per pattern only the ``r`` missing rows of the
  expected cross-products are formed (``beta C_oo`` is ``r x p_o x p_o``);
- after each EM step ``F(t)`` the iterate jumps to ``t + A (F(t) - t)`` with
  ``A = (I - J)^-1`` and ``J`` the EM map's Jacobian at the full-sample solution (a Newton
  step for ``F(t) = t`` with a fixed Jacobian). A resample's map has nearly the same ``J``,
  so each jump removes most of the remaining error; a jump that leaves the positive-definite
  cone is replaced by the plain EM step. Convergence is tested on the plain EM step (the
  change ``F(t) - t``), as in :func:`~csi.estimate.missing.em.em_batch`, and the returned
  solution is that EM step.

Layout: ``M`` (P, c, q), pattern ``k``'s stacked sums ``[n, sums (p), vech(cross)]`` of
resample ``b`` in ``M[k, b]`` (``vech`` in ``numpy.triu_indices`` order). Compiled with numba
on first use (``CSI_JIT=0``: the same code runs as Python, slowly; callers use the numpy
:func:`~csi.estimate.missing.em.em_batch` instead).
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["available", "solve", "jacobian_inverse", "pattern_index"]

_STATE: dict[str, object] = {}
_LOCK = threading.Lock()


def _chol_inv(S, L, K, p):
    """K = S^-1 through the Cholesky factor L; False when S is not positive definite."""
    for j in range(p):
        s = S[j, j]
        for k in range(j):
            s -= L[j, k] * L[j, k]
        if not s > 0.0:
            return False
        L[j, j] = np.sqrt(s)
        for i in range(j + 1, p):
            s = S[i, j]
            for k in range(j):
                s -= L[i, k] * L[j, k]
            L[i, j] = s / L[j, j]
    # K = L^-T L^-1: invert L in place into the upper part of K, then multiply
    for i in range(p):
        for j in range(p):
            K[i, j] = 0.0
    for j in range(p):  # columns of L^-1 (lower triangular), stored in K's lower triangle
        K[j, j] = 1.0 / L[j, j]
        for i in range(j + 1, p):
            s = 0.0
            for k in range(j, i):
                s -= L[i, k] * K[k, j]
            K[i, j] = s / L[i, i]
    for i in range(p):  # K = Linv' Linv, built into L (L no longer needed)
        for j in range(i + 1):
            s = 0.0
            for k in range(i, p):
                s += K[k, i] * K[k, j]
            L[i, j] = s
            L[j, i] = s
    for i in range(p):
        for j in range(p):
            K[i, j] = L[i, j]
    return True


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


def _solve(M, p, iu, ju, full, miss_ptr, miss_idx, obs_ptr, obs_idx, d0, S0, A, use_jump, tol, max_iter,
           out_d, out_S, iters, conv):
    P, c_m, _q = M.shape
    m = p + len(iu)
    nk = np.empty(P)
    co = np.zeros(P + 1, dtype=np.int64)  # offsets of the compact observed blocks C_oo
    for k in range(P):
        no = obs_ptr[k + 1] - obs_ptr[k]
        co[k + 1] = co[k] + no * no
    Cc = np.empty(co[P])
    gidx = np.empty(co[P], dtype=np.int64)  # where each compact C_oo entry sits in a row of M
    for k in range(P):
        o = obs_idx[obs_ptr[k]:obs_ptr[k + 1]]
        no = len(o)
        for ll in range(no):
            for jj in range(no):
                gidx[co[k] + ll * no + jj] = 1 + p + full[o[ll], o[jj]]
    nv = len(iu)
    T2v = np.empty(nv)
    So = np.empty(obs_ptr[P])
    T1b = np.empty(p)
    T2b = np.empty((p, p))
    T1 = np.empty(p)
    T2 = np.empty((p, p))
    L = np.empty((p, p))
    K = np.empty((p, p))
    rmax = 1
    for k in range(P):
        rmax = max(rmax, miss_ptr[k + 1] - miss_ptr[k])
    Kmm = np.empty((rmax, rmax))
    Ki = np.empty((rmax, rmax))
    beta = np.empty((rmax, p))
    bC = np.empty((rmax, p))
    av = np.empty(rmax)
    bS = np.empty(rmax)
    d = np.empty(p)
    S = np.empty((p, p))
    t = np.empty(m)
    tf = np.empty(m)
    tj = np.empty(m)
    u = np.empty(m)
    g_prev = np.empty(m)
    mem = 8
    Ym = np.empty((mem, m))
    Am = np.empty((mem, m))
    Sj = np.empty((p, p))
    c = d0.shape[0]  # starts; M holds one data set per start, or one shared by all (c_m = 1)
    N = 0.0
    for b in range(c):
        nmem = 0
        have_prev = False
        k_ready = False  # K already holds S^-1 (from the positive-definiteness test of a jump)
        if b == 0 or c_m > 1:  # unpack data set b (a shared one once)
            N = 0.0
            for i in range(p):
                T1b[i] = 0.0
            for e in range(nv):
                T2v[e] = 0.0
            for k in range(P):
                Mk = M[k, b if c_m > 1 else 0]
                n_ = Mk[0]
                nk[k] = n_
                N += n_
                for i in range(p):
                    T1b[i] += Mk[1 + i]
                for e in range(nv):  # contiguous: the totals in vech order, unpacked once below
                    T2v[e] += Mk[1 + p + e]
                o = obs_idx[obs_ptr[k]:obs_ptr[k + 1]]
                for ll in range(len(o)):
                    So[obs_ptr[k] + ll] = Mk[1 + o[ll]]
                for t_ in range(co[k], co[k + 1]):
                    Cc[t_] = Mk[gidx[t_]]
            for e in range(nv):
                T2b[iu[e], ju[e]] = T2v[e]
                T2b[ju[e], iu[e]] = T2v[e]
        for i in range(p):
            d[i] = d0[b, i]
            for j in range(p):
                S[i, j] = S0[b, i, j]
        done = False
        it = 0
        for it in range(1, max_iter + 1):  # noqa: B007
            if not k_ready and not _chol_inv(S, L, K, p):
                break
            k_ready = False
            for i in range(p):
                T1[i] = T1b[i]
                for j in range(p):
                    T2[i, j] = T2b[i, j]
            for k in range(P):
                r = miss_ptr[k + 1] - miss_ptr[k]
                n_ = nk[k]
                if r == 0 or n_ == 0.0:
                    continue
                mi = miss_idx[miss_ptr[k]:miss_ptr[k + 1]]
                o = obs_idx[obs_ptr[k]:obs_ptr[k + 1]]
                no = len(o)
                so = So[obs_ptr[k]:obs_ptr[k + 1]]
                cc = Cc[co[k]:co[k + 1]]
                for a in range(r):
                    for s in range(r):
                        Kmm[a, s] = K[mi[a], mi[s]]
                _small_inv(Kmm, Ki, r)
                for a in range(r):  # beta = -Kmm^-1 K_mo (compact over o)
                    for jj in range(no):
                        beta[a, jj] = 0.0
                    for s in range(r):
                        f = Ki[a, s]
                        Ks = K[mi[s]]
                        for jj in range(no):
                            beta[a, jj] -= f * Ks[o[jj]]
                for a in range(r):
                    acc = 0.0
                    acc2 = 0.0
                    for jj in range(no):
                        acc += beta[a, jj] * d[o[jj]]
                        acc2 += beta[a, jj] * so[jj]
                    av[a] = d[mi[a]] - acc
                    bS[a] = acc2
                for jj in range(no):  # bC = beta C_oo: C_oo is symmetric, so dot products with its rows
                    row = cc[jj * no:(jj + 1) * no]
                    for a in range(r):
                        acc = 0.0
                        for ll in range(no):
                            acc += beta[a, ll] * row[ll]
                        bC[a, jj] = acc
                for a in range(r):
                    ma = mi[a]
                    T1[ma] += n_ * av[a] + bS[a]
                    for jj in range(no):
                        oj = o[jj]
                        g = av[a] * so[jj] + bC[a, jj]
                        T2[ma, oj] += g
                        T2[oj, ma] += g
                    for cc_ in range(r):
                        h = n_ * (av[a] * av[cc_] + Ki[a, cc_]) + av[a] * bS[cc_] + bS[a] * av[cc_]
                        for jj in range(no):
                            h += bC[a, jj] * beta[cc_, jj]
                        T2[ma, mi[cc_]] += h
            # M-step -> F(t) in (T1, T2); change against (d, S)
            for i in range(p):
                T1[i] /= N
            for i in range(p):
                for j in range(i + 1):
                    v = 0.5 * (T2[i, j] + T2[j, i]) / N - T1[i] * T1[j]
                    T2[i, j] = v
                    T2[j, i] = v
            ch = 0.0
            for i in range(p):
                L[0, i] = np.sqrt(max(T2[i, i], 1e-300))  # SDs (L is scratch here)
            for i in range(p):
                sdi = L[0, i]
                ch = max(ch, abs(T1[i] - d[i]) / sdi)
                for j in range(p):
                    ch = max(ch, abs(T2[i, j] - S[i, j]) / (sdi * L[0, j]))
            if ch < tol or not use_jump or it == max_iter:
                for i in range(p):
                    d[i] = T1[i]
                    for j in range(p):
                        S[i, j] = T2[i, j]
                if ch < tol:
                    done = True
                    break
                continue
            # jump: t - H G with G = F(t) - t and H ~ (J_G)^-1: H_0 = -A, refined by "bad"
            # Broyden updates H += a y' (a = -H_prev G / y'y, y = G - G_prev) from this resample's
            # own steps, so the jumps converge superlinearly
            for i in range(p):
                t[i] = d[i]
                tf[i] = T1[i] - d[i]
            for e in range(len(iu)):
                t[p + e] = S[iu[e], ju[e]]
                tf[p + e] = T2[iu[e], ju[e]] - t[p + e]
            for i in range(m):  # u = H G = -A G + sum a_q (y_q . G)
                acc = 0.0
                Ai = A[i]
                for j in range(m):
                    acc += Ai[j] * tf[j]
                u[i] = -acc
            for qm in range(nmem):
                cq = 0.0
                for j in range(m):
                    cq += Ym[qm, j] * tf[j]
                for j in range(m):
                    u[j] += Am[qm, j] * cq
            fac = 1.0
            if have_prev and nmem < mem:
                yy = 0.0
                yg = 0.0
                for j in range(m):
                    yv = tf[j] - g_prev[j]
                    Ym[nmem, j] = yv
                    yy += yv * yv
                    yg += yv * tf[j]
                if yy > 0.0:
                    for j in range(m):
                        Am[nmem, j] = -u[j] / yy
                    nmem += 1
                    fac = 1.0 - yg / yy
            for i in range(m):
                tj[i] = t[i] - fac * u[i]
            for e in range(len(iu)):
                Sj[iu[e], ju[e]] = tj[p + e]
                Sj[ju[e], iu[e]] = tj[p + e]
            if _chol_inv(Sj, L, K, p):  # K = Sj^-1: the next E-step's precision
                k_ready = True
                for i in range(p):
                    d[i] = tj[i]
                    for j in range(p):
                        S[i, j] = Sj[i, j]
                for j in range(m):
                    g_prev[j] = tf[j]
                have_prev = True
            else:  # outside the positive-definite cone: keep the EM step
                for i in range(p):
                    d[i] = T1[i]
                    for j in range(p):
                        S[i, j] = T2[i, j]
                have_prev = False
        for i in range(p):
            out_d[b, i] = d[i]
            for j in range(p):
                out_S[b, i, j] = S[i, j]
        iters[b] = it
        conv[b] = done


def available() -> bool:
    """True when the compiled loop is used (numba importable and ``CSI_JIT`` not 0)."""
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
    opts = {"cache": cache, "nogil": True, "error_model": "numpy"}
    g = globals()
    g["_chol_inv"] = numba.njit(inline="always", **opts)(_chol_inv)
    g["_small_inv"] = numba.njit(inline="always", **opts)(_small_inv)
    _STATE["fn"] = numba.njit(fastmath={"reassoc", "contract", "arcp", "nsz"}, **opts)(_solve)
    return True


def pattern_index(masks: np.ndarray) -> tuple[np.ndarray, ...]:
    """CSR-style missing/observed item lists of the patterns ``masks`` (P, p):
    ``(miss_ptr, miss_idx, obs_ptr, obs_idx)``."""
    masks = np.asarray(masks, dtype=bool)
    miss = [np.flatnonzero(~mk) for mk in masks]
    obs = [np.flatnonzero(mk) for mk in masks]
    ptr = [np.concatenate([[0], np.cumsum([len(v) for v in lst])]).astype(np.int64) for lst in (miss, obs)]
    idx = [np.concatenate(lst + [np.zeros(0, np.int64)]).astype(np.int64) for lst in (miss, obs)]
    return ptr[0], idx[0], ptr[1], idx[1]


def solve(M, masks, d0, S0, *, A=None, tol=1e-6, max_iter=500, index=None, starts=1):
    """EM fixed points of the resamples of a chunk.

    Parameters
    ----------
    M : ndarray (P, c, q)
        Stacked pattern sums per resample (module docstring), centred coordinates; with
        ``c = 1``, one data set solved from ``starts`` starting points (unpacked once).
    masks : ndarray (P, p)
    d0, S0 : (p,) / (p, p) or (c, p) / (c, p, p)
        Starting centred means and ML covariances (the full-sample solution).
    starts : int, default=1
        Number of starting points when ``M`` holds one data set (``c = 1``).
    A : ndarray (m, m) or None
        ``(I - J)^-1`` (:func:`jacobian_inverse`) for the Newton jumps; None: plain EM.
    tol, max_iter : as :func:`~csi.estimate.missing.em.em_batch` (``tol=0, max_iter=1``: one step).

    Returns
    -------
    ``(d, S, iterations, converged)``: (c, p), (c, p, p), (c,), (c,).
    """
    masks = np.asarray(masks, dtype=bool)
    p = masks.shape[1]
    c = M.shape[1] if M.shape[1] > 1 else int(starts)
    iu, ju = np.triu_indices(p)
    index = pattern_index(masks) if index is None else index
    d0 = np.ascontiguousarray(np.broadcast_to(np.asarray(d0, dtype=float), (c, p)))
    S0 = np.ascontiguousarray(np.broadcast_to(np.asarray(S0, dtype=float), (c, p, p)))
    use_jump = A is not None
    # float32: A is only the preconditioner of the jumps (the fixed point is EM's), and at half
    # the size it stays in cache for the per-step matrix-vector product
    A = np.zeros((1, 1), dtype=np.float32) if A is None else np.ascontiguousarray(A, dtype=np.float32)
    out_d, out_S = np.empty((c, p)), np.empty((c, p, p))
    iters, conv = np.zeros(c, dtype=np.int64), np.zeros(c, dtype=np.bool_)
    fn = _STATE["fn"] if available() else _solve
    full = np.empty((p, p), dtype=np.int64)
    full[iu, ju] = full[ju, iu] = np.arange(len(iu))
    fn(np.ascontiguousarray(M, dtype=float), p, iu.astype(np.int64), ju.astype(np.int64), full, *index, d0, S0, A,
       use_jump, float(tol), int(max_iter), out_d, out_S, iters, conv)
    return out_d, out_S, iters, conv


def jacobian_inverse(M1, masks, d, S, index=None) -> np.ndarray:
    """``(I - J)^-1`` for the EM map at ``(d, S)`` on the pattern sums ``M1`` (P, 1, q):
    ``J`` by central differences, one EM step per parameter and direction."""
    p = len(d)
    iu, ju = np.triu_indices(p)
    t0 = np.concatenate([d, S[iu, ju]])
    m = len(t0)
    h = 1e-6 * (1.0 + np.abs(t0))
    T = np.concatenate([t0 + np.diag(h), t0 - np.diag(h)])
    dd = np.ascontiguousarray(T[:, :p])
    SS = np.empty((2 * m, p, p))
    SS[:, iu, ju] = T[:, p:]
    SS[:, ju, iu] = T[:, p:]
    M1 = np.asarray(M1, dtype=float).reshape(M1.shape[0], 1, -1)
    fd, fS, _, _ = solve(M1, masks, dd, SS, tol=0.0, max_iter=1, index=index, starts=2 * m)
    F = np.concatenate([fd, fS[:, iu, ju]], axis=1)
    J = ((F[:m] - F[m:]) / (2 * h)[:, None]).T  # J[i, j] = dF_i / dt_j
    try:
        return np.linalg.inv(np.eye(m) - J)
    except np.linalg.LinAlgError:  # pragma: no cover - EM's J has spectral radius < 1
        return np.eye(m)
