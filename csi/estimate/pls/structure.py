"""A :class:`~csi.survey.model.ModelSpec` as index arrays: :class:`ModelArrays` (blocks,
membership, paths, scale bounds; cached per model object) and :class:`FlatPlan`, the flat
indices the single-matrix algebra gathers with (the path regressions as one block-diagonal
system, solved by :func:`regress_flat`).

Everything the PLS iteration (:mod:`csi.estimate.pls.algorithm`), the compiled kernel, the
quality measures and the index read about a model's structure is built here once per model.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from scipy.linalg import lapack

from csi.survey.model import ModelSpec

__all__ = ["FlatPlan", "ModelArrays", "regress_flat"]

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
