"""The PLS-PM iteration (Lohmöller/Wold) on item correlation matrices, batched.

Everything here works on a stack of ``B`` correlation matrices ``R`` (shape ``(B, p, p)``):
a single fit is ``B = 1``, a bootstrap is ``B = number of resamples``, so point estimates and
bootstrap replicates run through the same code.

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

import weakref
from dataclasses import dataclass

import numpy as np
from scipy.linalg import lapack

from csi.estimate.pls import kernel
from csi.survey.model import ModelSpec

__all__ = ["ModelArrays", "BatchWeights", "pls_weights", "pls_weights_t", "regress", "SCHEMES"]

SCHEMES = ("path", "factorial", "centroid")
_CACHE: dict[int, tuple[weakref.ref, ModelArrays]] = {}


@dataclass(frozen=True)
class ModelArrays:
    """A :class:`ModelSpec` as index arrays (items in block order)."""

    item_ids: tuple[str, ...]
    construct_ids: tuple[str, ...]
    blocks: tuple[np.ndarray, ...]  # item positions per construct
    mode_b: np.ndarray  # bool (k,)
    member: np.ndarray  # (p, k) 0/1 block membership
    item_block: np.ndarray  # (p,) construct index of each item
    adj: np.ndarray  # (k, k) adj[i, j] = 1 when path i -> j
    preds: tuple[np.ndarray, ...]  # predecessor indices per construct
    succs: tuple[np.ndarray, ...]
    endogenous: np.ndarray  # construct indices with predecessors
    lo: np.ndarray  # (p,) theoretical scale min per item
    hi: np.ndarray  # (p,) theoretical scale max per item
    flat: FlatPlan | None = None  # flat indices for one correlation matrix (see FlatPlan)
    kernel_args: tuple = ()  # the structure as csi.estimate.pls.kernel.pls_weights_batch takes it

    @classmethod
    def from_model(cls, model: ModelSpec) -> ModelArrays:
        """Index arrays of ``model`` (cached per model object)."""
        hit = _CACHE.get(id(model))
        if hit is not None and hit[0]() is model:
            return hit[1]
        out = cls._build(model)
        _CACHE[id(model)] = (weakref.ref(model), out)
        weakref.finalize(model, _CACHE.pop, id(model), None)
        return out

    @classmethod
    def _build(cls, model: ModelSpec) -> ModelArrays:
        items = model.item_ids
        cids = model.construct_ids
        pos = {c: i for i, c in enumerate(cids)}
        k, p = len(cids), len(items)
        blocks, start = [], 0
        member = np.zeros((p, k))
        item_block = np.zeros(p, dtype=int)
        for j, c in enumerate(model.constructs):
            idx = np.arange(start, start + len(c.items))
            blocks.append(idx)
            member[idx, j] = 1.0
            item_block[idx] = j
            start += len(c.items)
        adj = np.zeros((k, k))
        for s, t in model.paths:
            adj[pos[s], pos[t]] = 1.0
        preds = tuple(np.flatnonzero(adj[:, j]) for j in range(k))
        succs = tuple(np.flatnonzero(adj[j, :]) for j in range(k))
        return cls(
            item_ids=tuple(items),
            construct_ids=tuple(cids),
            blocks=tuple(blocks),
            mode_b=np.array([c.pls_mode == "B" for c in model.constructs]),
            member=member,
            item_block=item_block,
            adj=adj,
            preds=preds,
            succs=succs,
            endogenous=np.array([j for j in range(k) if len(preds[j])], dtype=int),
            lo=np.array([model.items[i].scale_min for i in items], dtype=float),
            hi=np.array([model.items[i].scale_max for i in items], dtype=float),
            flat=FlatPlan.build(item_block, adj, preds),
            kernel_args=_kernel_structure(blocks, [c.pls_mode == "B" for c in model.constructs],
                                          adj, preds),
        )

    @property
    def p(self) -> int:
        return len(self.item_ids)

    @property
    def k(self) -> int:
        return len(self.construct_ids)


def _kernel_structure(blocks, mode_b, adj, preds) -> tuple:
    """``(bs, mode_b, adj, sym, pred_ptr, pred_idx, nb_ptr, nb_idx)`` for the compiled
    iteration (:func:`csi.estimate.pls.kernel.pls_weights_batch`): block boundaries, CSR lists
    of predecessors and of the constructs in each inner proxy (adjacent, or itself alone)."""
    k = adj.shape[0]
    sym = adj + adj.T
    nbrs = [np.flatnonzero(sym[:, j]) if sym[:, j].any() else np.array([j]) for j in range(k)]

    def csr(lists):
        ptr = np.cumsum([0] + [len(v) for v in lists]).astype(np.int64)
        return ptr, np.concatenate([np.asarray(v, dtype=np.int64) for v in lists] + [np.zeros(0, np.int64)])

    bs = np.array([0] + [b[-1] + 1 for b in blocks], dtype=np.int64)
    return (bs, np.array(mode_b, dtype=np.bool_), np.ascontiguousarray(adj, dtype=float), sym,
            *csr(preds), *csr(nbrs))


@dataclass(frozen=True)
class FlatPlan:
    """Flat (raveled) indices for the 2-D iteration on one correlation matrix.

    All regressions of the path scheme form one block-diagonal system over the ``P`` paths
    (a path ``i -> j`` is one unknown, blocks are the targets): ``sys_idx``/``sys_mask``
    gather it from ``C.ravel()``, and ``path_idx`` (``i * k + j``) both gathers the
    right-hand side ``C[i, j]`` and scatters the solution into the path matrix.
    """

    diag: np.ndarray  # (p,) i * k + block(i): each item's own-construct entry of a (p, k) array
    sys_idx: np.ndarray  # (P, P) flat positions of C[pred_a, pred_b]
    sys_mask: np.ndarray  # (P, P) 1.0 where paths a and b share their target
    path_idx: np.ndarray  # (P,) flat positions i * k + j of the paths, grouped by target
    sym: np.ndarray  # (k, k) adjacency, both directions
    adj_t: np.ndarray  # (k, k) adj.T
    iso: np.ndarray  # constructs in no path (their own inner proxy)
    # the path-scheme regressions grouped by their number of predecessors m, as
    # (m, system entries (m*m*ng,), right-hand sides (m*ng,), positions in path_idx (m*ng,))
    reg_groups: tuple = ()

    @classmethod
    def build(cls, item_block, adj, preds) -> FlatPlan:
        k = adj.shape[0]
        src = np.array([i for j in range(k) for i in preds[j]], dtype=int)
        tgt = np.array([j for j in range(k) for _ in preds[j]], dtype=int)
        sym = adj + adj.T
        return cls(
            diag=np.arange(len(item_block)) * k + item_block,
            sys_idx=src[:, None] * k + src[None, :],
            sys_mask=(tgt[:, None] == tgt[None, :]).astype(float),
            path_idx=src * k + tgt,
            sym=sym,
            adj_t=np.ascontiguousarray(adj.T),
            iso=np.flatnonzero(sym.sum(axis=0) == 0),
            reg_groups=_regression_groups(adj, preds),
        )


def _regression_groups(adj: np.ndarray, preds) -> tuple:
    """See ``FlatPlan.reg_groups``; paths in ``path_idx`` order are (target, predecessor)
    pairs, targets in construct order and predecessors in ``preds`` order."""
    k = adj.shape[0]
    endo = [j for j in range(k) if len(preds[j])]
    pos, start = {}, 0
    for j in endo:
        pos[j] = start
        start += len(preds[j])
    groups = []
    for m in sorted({len(preds[j]) for j in endo}):
        js = [j for j in endo if len(preds[j]) == m]
        sys_idx = [preds[j][r] * k + preds[j][c] for r in range(m) for c in range(m) for j in js]
        rhs_idx = [preds[j][r] * k + j for r in range(m) for j in js]
        out_pos = [pos[j] + r for r in range(m) for j in js]
        groups.append((m, np.array(sys_idx, dtype=int), np.array(rhs_idx, dtype=int),
                       np.array(out_pos, dtype=int)))
    return tuple(groups)


def regress_flat(C: np.ndarray, fp: FlatPlan) -> np.ndarray:
    """Path coefficients (P,) of one construct correlation matrix, in ``fp.path_idx`` order.

    One LAPACK ``gesv`` (LU, as ``numpy.linalg.solve``) on the block-diagonal system.
    """
    if not len(fp.path_idx):
        return np.zeros(0)
    c = C.ravel()
    _, _, beta, info = lapack.dgesv(c.take(fp.sys_idx) * fp.sys_mask, c.take(fp.path_idx))
    if info > 0:
        raise np.linalg.LinAlgError("Singular matrix")
    return beta


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
    """Standardized outer weights for a stack of correlation matrices.

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

    Returns
    -------
    W : ndarray, shape (B, p, k)
        Outer weights for standardized items (zero outside each block); construct scores
        ``Z = X_std @ W`` have unit sample variance; NaN where the iteration broke down.
    n_iter : ndarray of int, shape (B,)
    converged : ndarray of bool, shape (B,)
    RW : ndarray, shape (B, p, k)
        ``R @ W``: item-construct correlations (cross-loadings).

    See :func:`pls_weights_t` for the same on a batch-last stack (no transposed copy), and
    for ``compiled``; without the compiled kernel a single matrix takes a 2-D numpy path. By
    default a single matrix uses the kernel only once a bootstrap has loaded it: a lone
    point estimate does not pay numba's import (~0.2 s; the dashboard's first paint is one).
    """
    if compiled is None:
        compiled = kernel.loaded() if R.shape[0] == 1 else kernel.available()
    compiled = kernel.use(compiled)
    if R.shape[0] == 1 and not compiled:
        return _pls_weights_single(R[0], ma, scheme, tol, max_iter, w0)
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


def _inner_weights_flat(C: np.ndarray, fp: FlatPlan, scheme: str) -> np.ndarray:
    """Inner weights (k, k) of one construct correlation matrix (see :func:`_inner_weights`)."""
    if scheme == "factorial":
        E = C * fp.sym
    elif scheme == "centroid":
        E = np.sign(C) * fp.sym
    else:
        E = C * fp.adj_t
        E.ravel()[fp.path_idx] += regress_flat(C, fp)
    if len(fp.iso):
        E[fp.iso, fp.iso] = 1.0
    return E


def _pls_weights_single(R, ma, scheme, tol, max_iter, w0):
    """The same iteration for one correlation matrix with 2-D arrays (less call overhead).

    Each step scales the raw weights ``g`` by the construct SDs read off the diagonal of
    ``W' R W``, so ``C``, ``R W`` and the scaling come from two small matrix products.
    """
    member, blk, fp = ma.member, ma.item_block, ma.flat
    inv_b = {j: np.linalg.pinv(R[np.ix_(ma.blocks[j], ma.blocks[j])]) for j in np.flatnonzero(ma.mode_b)}

    def normalize(g):
        Wg = g[:, None] * member
        RW = R @ Wg
        C = Wg.T @ RW
        var = C.diagonal()
        s = np.sqrt(np.where(var > 0, var, np.nan))
        return g / s[blk], RW / s, C / (s[:, None] * s)

    n_iter, conv = 0, False
    with np.errstate(invalid="ignore", divide="ignore"):
        w, RW, C = normalize(np.ones(ma.p) if w0 is None else np.asarray(w0, dtype=float).copy())
        for it in range(1, max_iter + 1):
            g = (RW @ _inner_weights_flat(C, fp, scheme)).take(fp.diag)
            for j, inv in inv_b.items():
                b = ma.blocks[j]
                g[b] = inv @ g[b]
            wn, RW, C = normalize(g)
            diff = np.abs(wn - w).sum()
            w, n_iter = wn, it
            if diff < tol:
                conv = True
                break
            if not np.isfinite(diff):
                break
    conv = conv and bool(np.isfinite(w).all())
    flip = np.where(RW.take(fp.diag) @ member < 0, -1.0, 1.0)
    w = w * flip[blk]
    RW = RW * flip
    return (w[:, None] * member)[None], np.array([n_iter]), np.array([conv]), RW[None]
