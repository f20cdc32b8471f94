"""The PLS-PM iteration (Lohmöller/Wold) on item correlation matrices, batched.

The iteration is defined once, in :func:`pls_weights_t`: numpy on a stack of ``B``
correlation matrices (batch axis last); a single fit is ``B = 1``, a bootstrap is
``B = number of resamples``, so point estimates and bootstrap replicates run through the same
code. Its fast path is the compiled kernel :func:`csi.estimate.pls.kernel.pls_weights_batch`
(the same steps as loops over one matrix, numba; equal to rounding, asserted in
``tests/unit/test_kernel.py``); the numpy code runs when numba is not installed
(``csi[jit]``) or ``CSI_JIT=0``. :func:`pls_weights` is the same with the batch axis first.

Algorithm (Lohmöller 1989; as in R plspm, SEMinR and cSEM)
---------------------------------------------------------
1. Start with equal outer weights per block, scaled to unit construct variance.
2. Inner weights ``E`` from the construct correlations ``C = W' R W``:
   *path* -- regression coefficients of a construct on its predecessors and correlations
   with its successors; *factorial* -- the correlations of adjacent constructs;
   *centroid* -- their signs.
3. Outer update: Mode A (reflective) ``w_j ∝ R_{b,.} W e_j`` (item covariances with the inner
   proxy); Mode B (formative) ``w_j ∝ R_bb^{-1} R_{b,.} W e_j`` (regression on the block).
4. Rescale each ``w_j`` so its construct score has unit sample variance
   (``w_j' R_bb w_j = 1``, the n - 1 convention of SEMinR/plspm).
5. Stop when ``sum |W_new - W_old| < tol`` (default 1e-7), or after ``max_iter`` iterations.

A construct in no structural path (a measurement-only model) is its own inner proxy, so its
Mode A weights converge to the block's first principal component.

Sign rule: after convergence each construct is oriented so that the sum of its items'
loadings (item-construct correlations) is positive (SEMinR/cSEM practice).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csi.estimate.pls import kernel
from csi.estimate.pls.structure import FlatPlan, ModelArrays, regress_flat

# ModelArrays, FlatPlan and regress_flat live in csi.estimate.pls.structure (importable here too)
__all__ = ["ModelArrays", "FlatPlan", "BatchWeights", "pls_weights", "pls_weights_t", "regress",
           "regress_flat", "SCHEMES"]

SCHEMES = ("path", "factorial", "centroid")


def _scale_t(g: np.ndarray, Rt: np.ndarray, slices: list[slice], blk: np.ndarray):
    """Weights ``g`` (p, B) scaled to unit construct variance, with ``(R G)'`` and ``C``.

    Batch-last: ``Rt`` is (p, p, B). Returns ``w`` (p, B); ``RG`` (k, p, B), the *unscaled*
    ``(R G)'`` with ``G`` the block-diagonal matrix of ``g`` (row ``j`` is ``g_j' R[b_j, :]``),
    so ``(R W)' = RG / s``; the construct SDs ``s`` (k, B); and the construct correlations
    ``C`` (k, k, B). ``C`` is ``G' R G`` (block sums of ``RG * g``) rescaled by ``s``.
    One einsum per block, each reading the block's contiguous rows of ``Rt``.
    """
    k, (p, B) = len(slices), g.shape
    RG = np.empty((k, p, B))
    for j, sl in enumerate(slices):
        np.einsum("mib,mb->ib", Rt[sl], g[sl], out=RG[j])
    Craw = np.empty((k, k, B))
    for j, sl in enumerate(slices):
        np.einsum("lib,ib->lb", RG[:, sl], g[sl], out=Craw[:, j])
    var = np.diagonal(Craw).T  # (k, B)
    s = np.sqrt(np.where(var > 0, var, np.nan))
    return g / s[blk], RG, s, Craw / (s[:, None] * s[None])


def solve_spd(M: np.ndarray, r: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """Solve stacks of small symmetric positive-definite systems ``M x = r``, batch axis last.

    ``M`` is (m, m, N), ``r`` (m, N); returns ``x`` (m, N). Gaussian elimination without
    pivoting (stable for positive-definite matrices such as construct correlation matrices),
    each step one numpy operation over all ``N`` systems on contiguous rows; for the tiny
    systems of PLS this is many times faster than a LAPACK call per matrix.
    ``overwrite=True`` lets it work in place on float64 ``M`` and ``r`` the caller owns.
    """
    if not overwrite:
        M = np.array(M, dtype=float, copy=True)
        r = np.array(r, dtype=float, copy=True)
    m = M.shape[0]
    for i in range(m - 1):
        f = M[i + 1:, i] / M[i, i]
        # only the trailing block is read again (column i below the pivot is not)
        M[i + 1:, i + 1:] -= f[:, None] * M[i, None, i + 1:]
        r[i + 1:] -= f * r[i]
    x = np.empty_like(r)
    for i in range(m - 1, -1, -1):
        x[i] = (r[i] - (M[i, i + 1:] * x[i + 1:]).sum(axis=0)) / M[i, i]
    return x


def _path_betas_t(Ct: np.ndarray, ma: ModelArrays) -> np.ndarray:
    """Path coefficients (P, B) of a batch-last stack ``Ct`` (k, k, B), in ``ma.flat.path_idx`` order.

    The regressions are solved in groups of equal size m (no padding): a single predecessor
    is one division, larger groups one batched elimination over (m, m, groups * B).
    """
    fp = ma.flat
    k, _, B = Ct.shape
    Cf = Ct.reshape(k * k, B)
    out = np.empty((len(fp.path_idx), B))
    for m, sys_idx, rhs_idx, pos in fp.reg_groups:
        nb = len(rhs_idx) // m * B
        rhs = Cf.take(rhs_idx, axis=0).reshape(m, nb)
        M = Cf.take(sys_idx, axis=0).reshape(m, m, nb)
        if m == 1:
            x = rhs / M[0]
        elif nb < 256:  # few systems: one LAPACK call beats the ufunc loop
            x = np.linalg.solve(M.transpose(2, 0, 1), rhs.T[..., None])[..., 0].T
        else:
            x = solve_spd(M, rhs, overwrite=True)  # M and rhs are fresh arrays
        out[pos] = x.reshape(len(pos), B)
    return out


def regress(C: np.ndarray, ma: ModelArrays) -> np.ndarray:
    """Path matrix (B, k, k): OLS of each endogenous construct on its predecessors."""
    B, k, _ = C.shape
    out = np.zeros((B, k * k))
    if len(ma.flat.path_idx):
        out[:, ma.flat.path_idx] = _path_betas_t(C.transpose(1, 2, 0), ma).T
    return out.reshape(B, k, k)


def _inner_weights_t(Ct: np.ndarray, ma: ModelArrays, scheme: str) -> np.ndarray:
    """Inner weights ``E`` (k, k, B) of a batch-last stack of construct correlations."""
    fp = ma.flat
    if scheme == "factorial":
        E = Ct * fp.sym[..., None]
    elif scheme == "centroid":
        E = np.sign(Ct) * fp.sym[..., None]
    else:  # path scheme: correlations with successors, regression weights on predecessors
        E = Ct * fp.adj_t[..., None]
        if len(fp.path_idx):
            E.reshape(ma.k * ma.k, -1)[fp.path_idx] += _path_betas_t(Ct, ma)
    if len(fp.iso):  # a construct in no path is its own inner proxy (first principal component)
        E[fp.iso, fp.iso] = 1.0
    return E


def pls_weights(
    R: np.ndarray,
    ma: ModelArrays,
    *,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    w0: np.ndarray | None = None,
    compiled: bool | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Standardized outer weights for a stack of correlation matrices (batch axis first).

    The same iteration as :func:`pls_weights_t` (which this calls), with the results as
    per-matrix arrays; a single fit is ``R[None]``, a batch of one.

    Parameters
    ----------
    R : ndarray, shape (B, p, p)
        Item correlation matrices (items in block order).
    ma : ModelArrays
    scheme : {"path", "factorial", "centroid"}
    tol, max_iter : stop criterion on ``sum |ΔW|`` and iteration cap.
    w0 : ndarray, shape (p,), optional
        Starting weights (default: equal weights, as SEMinR). The bootstrap starts from the
        full-sample solution: same fixed point, fewer iterations.
    compiled : bool, optional
        Use the compiled kernel. Default: for a single matrix only once a bootstrap (or
        :func:`csi.estimate.pls.kernel.available`) has loaded it -- a lone point estimate does
        not pay numba's import (~0.2 s; the dashboard's first paint is one); for a batch
        whenever numba is available.

    Returns
    -------
    W : ndarray, shape (B, p, k)
        Outer weights for standardized items (zero outside each block); construct scores
        ``Z = X_std @ W`` have unit sample variance; NaN where the iteration broke down.
    n_iter : ndarray of int, shape (B,)
    converged : ndarray of bool, shape (B,)
    RW : ndarray, shape (B, p, k)
        ``R @ W``: item-construct correlations (cross-loadings).
    """
    if compiled is None:
        compiled = kernel.loaded() if R.shape[0] == 1 else kernel.available()
    compiled = kernel.use(compiled)
    Rt = R.transpose(1, 2, 0)  # the kernel reads R's own layout through this view
    it = pls_weights_t(Rt if compiled else np.ascontiguousarray(Rt), ma, scheme=scheme, tol=tol,
                       max_iter=max_iter, w0=w0, compiled=compiled)
    W = it.w.T[:, :, None] * ma.member
    return W, it.n_iter, it.converged, np.ascontiguousarray(it.rw.transpose(2, 1, 0))


@dataclass(frozen=True)
class BatchWeights:
    """Results of :func:`pls_weights_t`, batch-last (resamples on the last axis).

    ``w`` (p, B): each item's standardized outer weight in its own block (construct scores
    have unit variance); ``rw`` (k, p, B): ``(R W)'``, the item-construct correlations
    (cross-loadings; ``rw[block(i), i]`` is item ``i``'s loading); ``C`` (k, k, B): the
    construct correlations ``W' R W``; ``n_iter`` and ``converged`` (B,).
    """

    w: np.ndarray
    rw: np.ndarray
    C: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray


def pls_weights_t(
    Rt: np.ndarray,
    ma: ModelArrays,
    *,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    w0: np.ndarray | None = None,
    compiled: bool | None = None,
) -> BatchWeights:
    """:func:`pls_weights` for a batch-last stack ``Rt`` of shape (p, p, B), results batch-last.

    Every array of the iteration keeps the resamples on its last axis, so each step is a
    handful of numpy operations over contiguous rows of length ``B`` (no per-matrix calls).
    A resample's result is recorded at the iteration it converges; converged resamples leave
    the batch once they are 30% of it, so later iterations only touch the ones still moving.

    ``compiled`` selects the compiled per-matrix iteration (:mod:`csi.estimate.pls.kernel`; same
    results to rounding); default: compiled when numba is available.
    """
    p, k, B = ma.p, ma.k, Rt.shape[-1]
    if kernel.use(compiled):
        return _pls_weights_compiled(Rt, ma, scheme, tol, max_iter, w0)
    member, blk, ar = ma.member, ma.item_block, np.arange(ma.p)
    slices = [slice(b[0], b[-1] + 1) for b in ma.blocks]  # blocks are contiguous
    inv_b = {j: np.linalg.pinv(Rt[slices[j], slices[j]].transpose(2, 0, 1)).transpose(1, 2, 0)
             for j in np.flatnonzero(ma.mode_b)}  # (m_j, m_j, B)
    n_iter = np.zeros(B, dtype=int)
    done = np.zeros(B, dtype=bool)
    w_out = np.empty((p, B))
    rw_out = np.empty((k, p, B))  # (R W)' per resample
    c_out = np.empty((k, k, B))
    act = np.arange(B)  # resamples in the batch
    fin_a = np.zeros(B, dtype=bool)  # ... of which finished (recorded, still carried along)
    Ra, inv_a = Rt, inv_b
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.empty((p, B))
        g[:] = (np.ones(p) if w0 is None else np.asarray(w0, dtype=float))[:, None]
        w, RG, s, C = _scale_t(g, Rt, slices, blk)
        for it in range(1, max_iter + 1):
            E = _inner_weights_t(C, ma, scheme) / s[:, None, :]  # (R W) E = (R G) (E / s)
            # item covariances with their own construct's inner proxy: (R W E)[p, block(p)]
            g = np.einsum("lpb,lpb->pb", RG, E[:, blk, :])
            for j, inv in inv_a.items():
                g[slices[j]] = np.einsum("ijb,jb->ib", inv, g[slices[j]])
            wn, RG, s, C = _scale_t(g, Ra, slices, blk)
            diff = np.abs(wn - w).sum(axis=0)
            w = wn
            live = ~fin_a
            n_iter[act[live]] = it
            stop = live if it == max_iter else live & ((diff < tol) | ~np.isfinite(diff))
            if not stop.any():
                continue
            sel = np.flatnonzero(stop)
            idx = act[sel]
            w_out[:, idx] = w.take(sel, axis=1)
            rw_out[:, :, idx] = RG.take(sel, axis=2) / s.take(sel, axis=1)[:, None]
            c_out[:, :, idx] = C.take(sel, axis=2)
            done[idx] = diff[sel] < tol
            fin_a |= stop
            left = np.flatnonzero(~fin_a)
            if not len(left):
                break
            # finished resamples leave the batch once they are 30% of it (each compaction
            # copies the remaining correlation matrices; carrying a few along is cheaper)
            if len(left) <= 0.7 * len(act):
                act, w, RG, s, C = act[left], w[:, left], RG[:, :, left], s[:, left], C[:, :, left]
                Ra = Ra.take(left, axis=2)
                inv_a = {j: inv.take(left, axis=2) for j, inv in inv_a.items()}
                fin_a = np.zeros(len(left), dtype=bool)
    bad = ~np.isfinite(w_out).all(axis=0)
    done = done & ~bad
    # sign rule: sum of each construct's loadings positive
    lsum = member.T @ rw_out[blk, ar, :]  # (k, B)
    flip = np.where(lsum < 0, -1.0, 1.0)
    w_out *= flip[blk]
    rw_out *= flip[:, None, :]
    c_out *= flip[:, None, :] * flip[None, :, :]
    return BatchWeights(w_out, rw_out, c_out, n_iter, done)


def _pls_weights_compiled(Rt, ma, scheme, tol, max_iter, w0) -> BatchWeights:
    """:func:`pls_weights_t` by the compiled per-matrix iteration (csi.estimate.pls.kernel)."""
    p, k, B = ma.p, ma.k, Rt.shape[-1]
    w_out, rw_out, c_out = np.empty((p, B)), np.empty((k, p, B)), np.empty((k, k, B))
    n_iter, conv = np.zeros(B, dtype=np.int64), np.zeros(B, dtype=np.bool_)
    w0 = np.ones(p) if w0 is None else np.ascontiguousarray(w0, dtype=float)
    kernel.pls_weights_batch(Rt.transpose(2, 0, 1), *ma.kernel_args, kernel.SCHEME_CODES[scheme],
                             w0, float(tol), int(max_iter), w_out, rw_out, c_out, n_iter, conv)
    return BatchWeights(w_out, rw_out, c_out, n_iter, conv)
