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

Sign rule: after convergence each construct is oriented so that the sum of its items'
loadings (item-construct correlations) is positive (SEMinR/cSEM practice).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csi.survey.model import ModelSpec

__all__ = ["ModelArrays", "pls_weights", "SCHEMES"]

SCHEMES = ("path", "factorial", "centroid")


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

    @classmethod
    def from_model(cls, model: ModelSpec) -> ModelArrays:
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
        )

    @property
    def p(self) -> int:
        return len(self.item_ids)

    @property
    def k(self) -> int:
        return len(self.construct_ids)


def _normalize(W: np.ndarray, RW: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale each construct's weights to unit score variance (``w' R w = 1``)."""
    var = (W * RW).sum(axis=1)
    s = np.sqrt(np.where(var > 0, var, np.nan))[:, None, :]
    return W / s, RW / s


def _inner_weights(C: np.ndarray, ma: ModelArrays, scheme: str) -> np.ndarray:
    sym = ma.adj + ma.adj.T
    if scheme == "factorial":
        return C * sym
    if scheme == "centroid":
        return np.sign(C) * sym
    E = np.zeros_like(C)
    for j in range(ma.k):
        pr, su = ma.preds[j], ma.succs[j]
        if len(pr):
            E[:, pr, j] = np.linalg.solve(C[:, pr[:, None], pr], C[:, pr, j][..., None])[..., 0]
        if len(su):
            E[:, su, j] = C[:, su, j]
    return E


def pls_weights(
    R: np.ndarray,
    ma: ModelArrays,
    *,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardized outer weights for a stack of correlation matrices.

    Parameters
    ----------
    R : ndarray, shape (B, p, p)
        Item correlation matrices (items in block order).
    ma : ModelArrays
    scheme : {"path", "factorial", "centroid"}
    tol, max_iter : stop criterion on ``sum |ΔW|`` and iteration cap.

    Returns
    -------
    W : ndarray, shape (B, p, k)
        Outer weights for standardized items (zero outside each block); construct scores
        ``Z = X_std @ W`` have unit sample variance; NaN where the iteration broke down.
    n_iter : ndarray of int, shape (B,)
    converged : ndarray of bool, shape (B,)
    """
    B = R.shape[0]
    member = ma.member
    W = np.broadcast_to(member, (B, ma.p, ma.k)).copy()
    RW = R @ W
    inv_b = {}
    for j in np.flatnonzero(ma.mode_b):
        b = ma.blocks[j]
        inv_b[j] = np.linalg.pinv(R[:, b[:, None], b])
    n_iter = np.zeros(B, dtype=int)
    done = np.zeros(B, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        W, RW = _normalize(W, RW)
        for it in range(1, max_iter + 1):
            C = np.matmul(W.transpose(0, 2, 1), RW)
            E = _inner_weights(C, ma, scheme)
            G = RW @ E  # = R (W E): item covariances with the inner proxies
            Wn = G * member
            for j, inv in inv_b.items():
                b = ma.blocks[j]
                Wn[:, b, j] = np.einsum("bij,bj->bi", inv, G[:, b, j])
            Wn, RWn = _normalize(Wn, R @ Wn)
            diff = np.abs(Wn - W).sum(axis=(1, 2))
            active = ~done
            if active.all():
                W, RW = Wn, RWn
            else:
                W = np.where(active[:, None, None], Wn, W)
                RW = np.where(active[:, None, None], RWn, RW)
            n_iter[active] = it
            done = done | (diff < tol)
            if done.all():
                break
    bad = ~np.isfinite(W).all(axis=(1, 2))
    done = done & ~bad
    # sign rule: sum of each construct's loadings positive
    L = RW * member
    flip = np.where(L.sum(axis=1) < 0, -1.0, 1.0)
    return W * flip[:, None, :], n_iter, done
