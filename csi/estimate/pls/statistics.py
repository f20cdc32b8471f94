"""The statistics of one PLS fit, or of a stack of resamples, from item moments.

:func:`replicate_statistics` is the batched form every resampling method uses (bootstrap,
permutations, MGA, MICOM, PLSpredict folds); :func:`single_statistics` is the same for one
correlation matrix with 2-D algebra (a point estimate is dominated by call overhead).
:func:`check_collinear` refuses item correlations PLS cannot estimate from.
"""

from __future__ import annotations

import numpy as np

from csi.errors import DataError
from csi.estimate.index.scaling import index_means, unstandardized_weights
from csi.estimate.pls import effects as fx
from csi.estimate.pls.algorithm import ModelArrays, pls_weights, pls_weights_t
from csi.estimate.quality import measurement as q

__all__ = ["check_collinear", "replicate_statistics", "single_statistics"]


def replicate_statistics(Rt, mean, sd, ma: ModelArrays, n, *, scheme="path", tol=1e-7,
                         max_iter=300, consistent=False, pairs=None, want_rho_a=True, w0=None,
                         want_htmt=True, want_w_matrix=True):
    """All bootstrapped statistics for a stack of moments.

    ``Rt`` is the stack of item correlation matrices *batch-last*, shape (p, p, B) (as
    :func:`csi.estimate.resample.bootstrap.moments_from_sums` returns it); ``mean`` and ``sd`` are
    (B, p). Returns a dict of arrays with the batch axis first: ``weights``/``loadings``
    (B, p), ``paths``/``total`` (B, k, k), ``r2`` (B, k), ``index`` (B, k), ``htmt``
    (B, n_pairs), ``u`` (B, p), ``W`` (B, p, k; None with ``want_w_matrix=False``), ``C``
    (B, k, k), ``rho_a`` (B, k), ``n_iter`` and ``converged`` (B,).
    """
    it = pls_weights_t(Rt, ma, scheme=scheme, tol=tol, max_iter=max_iter, w0=w0)
    B = it.w.shape[1]
    weights = it.w.T
    need_W = want_w_matrix or consistent or want_rho_a
    W = weights[:, :, None] * ma.member if need_W else None
    with np.errstate(invalid="ignore", divide="ignore"):
        C = it.C.transpose(2, 0, 1)
        load = it.rw[ma.item_block, np.arange(ma.p)].T
        R = Rt.transpose(2, 0, 1)  # a view, for the PLSc measures only
        rhoa = fx.rho_a(R, W, ma) if (consistent or want_rho_a) else None
        if consistent:
            C = fx.consistent_correlations(C, rhoa)
            load = fx.consistent_loadings(R, W, rhoa, ma, load)
        ok = np.isfinite(C).all(axis=(1, 2))
        Cs = np.where(ok[:, None, None], C, np.eye(ma.k))
        try:
            Bm, r2 = fx.structural(Cs, ma)
            T = fx.total_effects(Bm)
        except np.linalg.LinAlgError:
            Bm = np.full((B, ma.k, ma.k), np.nan)
            r2 = np.full((B, ma.k), np.nan)
            T = Bm.copy()
        u = unstandardized_weights(weights, sd, ma)
        idx = index_means(u, mean, ma)
    conv = it.converged & ok
    return {
        "W": W,
        "weights": weights,
        "loadings": load,
        "C": C,
        "paths": Bm,
        "total": T,
        "r2": r2,
        "u": u,
        "index": idx,
        "htmt": q.htmt_t(Rt, ma, pairs if pairs is not None else q.htmt_pairs(ma)) if want_htmt else None,
        "rho_a": rhoa,
        "n_iter": it.n_iter,
        "converged": conv,
    }


def single_statistics(R, mean, sd, ma: ModelArrays, *, scheme="path", tol=1e-7, max_iter=300,
                      w0=None) -> dict:
    """:func:`replicate_statistics` for one correlation matrix (no PLSc, no rho_A, no HTMT).

    Same keys, without the leading batch axis; 2-D algebra (a single fit is dominated by
    call overhead, not arithmetic).
    """
    W, n_iter, conv, L = pls_weights(R[None], ma, scheme=scheme, tol=tol, max_iter=max_iter, w0=w0)
    W, L = W[0], L[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        C = W.T @ L
        d = np.sqrt(C.diagonal())
        C = C / (d[:, None] * d)
        ok = bool(np.isfinite(C).all())
        try:
            Bm, r2, T = fx.structural_single(C if ok else np.eye(ma.k), ma)
        except np.linalg.LinAlgError:
            Bm = np.full((ma.k, ma.k), np.nan)
            r2 = np.full(ma.k, np.nan)
            T = Bm.copy()
        u = unstandardized_weights(W[None], sd[None], ma)[0]
        idx = index_means(u, mean, ma)
    return {
        "W": W, "weights": W.sum(axis=1), "loadings": L.take(ma.flat.diag), "C": C,
        "paths": Bm, "total": T, "r2": r2, "u": u, "index": idx, "htmt": None, "rho_a": None,
        "n_iter": int(n_iter[0]), "converged": bool(conv[0]) and ok,
    }


def check_collinear(R: np.ndarray, ma: ModelArrays) -> None:
    off = np.abs(R - np.eye(ma.p))
    if np.any(off > 1 - 1e-10):
        i, j = np.argwhere(np.triu(off > 1 - 1e-10, 1))[0]
        raise DataError(
            f"items {ma.item_ids[i]!r} and {ma.item_ids[j]!r} are perfectly collinear "
            "(correlation ±1); drop one of them"
        )
    for j in np.flatnonzero(ma.mode_b):
        b = ma.blocks[j]
        if len(b) > 1 and np.linalg.eigvalsh(R[np.ix_(b, b)]).min() < 1e-10:
            raise DataError(
                f"the items of formative construct {ma.construct_ids[j]!r} are linearly dependent; "
                "Mode B weights are not identified (drop a redundant item)"
            )
