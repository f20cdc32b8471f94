"""Structural model from construct correlations: paths, R², f², direct/indirect/total effects.

All functions take stacks (leading batch axis ``B``) so the bootstrap reuses them.

Conventions
-----------
``Bm[b, i, j]`` is the standardized path coefficient of ``i -> j`` (zero where no path).
Paths are OLS on the construct correlation matrix ``C``: for each endogenous construct ``j``
with predecessors ``P``, ``beta = C_PP^{-1} C_Pj`` and ``R² = beta' C_Pj``.
Total effects ``T = (I - Bm)^{-1} - I`` (sum over all directed routes); indirect ``T - Bm``.
With ``consistent=True`` (PLSc, Dijkstra & Henseler 2015) ``C`` is first disattenuated:
``C_ij / sqrt(rho_A,i rho_A,j)`` for reflective constructs (rho_A = 1 for formative ones).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import lapack

from csi.estimate.pls.algorithm import ModelArrays, regress, regress_flat

__all__ = [
    "structural",
    "total_effects",
    "rho_a",
    "consistent_correlations",
    "f_squared",
    "inner_vif_f2",
]


def structural(C: np.ndarray, ma: ModelArrays) -> tuple[np.ndarray, np.ndarray]:
    """Path matrix ``Bm`` (B, k, k) and R² (B, k; NaN for exogenous constructs)."""
    Bm = regress(C, ma)
    r2 = (Bm * C).sum(axis=1)  # R²_j = sum_i beta_ij C_ij
    r2[:, [j for j in range(ma.k) if not len(ma.preds[j])]] = np.nan
    return Bm, r2


def total_effects(Bm: np.ndarray) -> np.ndarray:
    """``(I - Bm)^{-1} - I`` for a stack of path matrices (B, k, k).

    For an acyclic (recursive) model this is accumulated along the paths in topological
    order: with ``N = (I - Bm)^{-1} = I + N Bm``, column ``j`` of ``N`` is ``e_j`` plus the
    sum over paths ``i -> j`` of ``N[:, i] * Bm[i, j]`` -- one vector operation per path
    instead of an inverse per matrix. A cyclic pattern falls back to the inverse.
    """
    k = Bm.shape[-1]
    eye = np.eye(k)
    pattern = (Bm != 0).any(axis=0)
    order = _topological_order(pattern)
    if order is None:
        return np.linalg.inv(eye - Bm) - eye
    N = np.zeros(Bm.shape)
    for j in order:
        N[:, j, j] = 1.0
        for i in np.flatnonzero(pattern[:, j]):
            N[:, :, j] += N[:, :, i] * Bm[:, i, j, None]
    N[:, np.arange(k), np.arange(k)] -= 1.0
    return N


def _topological_order(pattern: np.ndarray) -> list[int] | None:
    """Constructs ordered so each comes after its predecessors (``pattern[i, j]``: i -> j);
    None when the pattern has a cycle."""
    k = pattern.shape[0]
    indeg = pattern.sum(axis=0).astype(int)
    order = [j for j in range(k) if indeg[j] == 0]
    for j in order:  # the list grows while it is walked (Kahn's algorithm)
        for t in np.flatnonzero(pattern[j]):
            indeg[t] -= 1
            if indeg[t] == 0:
                order.append(int(t))
    return order if len(order) == k else None


def structural_single(C: np.ndarray, ma: ModelArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Path matrix ``Bm`` (k, k), R² (k,) and total effects (k, k) of one ``C`` (k, k).

    The same algebra as :func:`structural` and :func:`total_effects` with one LAPACK call
    each (``gesv``, as ``numpy.linalg.solve``/``inv``); raises ``LinAlgError`` when singular.
    """
    fp, k = ma.flat, ma.k
    Bm = np.zeros((k, k))
    Bm.ravel()[fp.path_idx] = regress_flat(C, fp)
    r2 = (Bm * C).sum(axis=0)
    r2[[j for j in range(k) if not len(ma.preds[j])]] = np.nan
    eye = np.eye(k)
    _, _, inv, info = lapack.dgesv(eye - Bm, eye)
    if info > 0:
        raise np.linalg.LinAlgError("Singular matrix")
    return Bm, r2, inv - eye


def adjusted_r2(r2: np.ndarray, n: float, n_pred: np.ndarray) -> np.ndarray:
    """``1 - (1 - R²)(n - 1)/(n - k - 1)`` with ``k`` predecessors."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - (1.0 - r2) * (n - 1.0) / (n - n_pred - 1.0)


def f_squared(C: np.ndarray, ma: ModelArrays) -> np.ndarray:
    """Cohen's f² of each path (k, k): ``(R²_incl - R²_excl) / (1 - R²_incl)`` (B=1 input)."""
    out = np.full((ma.k, ma.k), np.nan)
    c = C[0]
    for j in ma.endogenous:
        pr = ma.preds[j]
        full = _r2(c, pr, j)
        for i in pr:
            rest = pr[pr != i]
            excl = _r2(c, rest, j) if len(rest) else 0.0
            out[i, j] = (full - excl) / (1.0 - full)
    return out


def inner_vif_f2(C: np.ndarray, Bm: np.ndarray, r2: np.ndarray, ma: ModelArrays) -> tuple[np.ndarray, np.ndarray]:
    """Collinearity of each construct's predecessors and Cohen's f² of each path, (k, k) each
    (``[i, j]`` for the path ``i -> j``; NaN elsewhere), from one fit's ``C``, paths ``Bm``
    and R² (k,).

    With ``V = C_PP^{-1}`` for the predecessors ``P`` of ``j``, the VIF of ``i`` is ``V_ii``
    and dropping ``i`` lowers R² by ``beta_i^2 / V_ii``, so ``f² = beta_i^2 / (V_ii (1 - R²))``
    -- :func:`f_squared`'s ratio without refitting each reduced regression (equal to
    rounding). All the ``V`` are one inverse: the block-diagonal system of the path
    regressions (:class:`~csi.estimate.pls.algorithm.FlatPlan`).
    """
    fp, k = ma.flat, ma.k
    vif = np.full(k * k, np.nan)
    f2 = np.full(k * k, np.nan)
    if len(fp.path_idx):
        S = C.ravel().take(fp.sys_idx) * fp.sys_mask
        try:
            V = np.linalg.inv(S)
        except np.linalg.LinAlgError:
            V = np.linalg.pinv(S)
        d = np.diag(V)
        beta = Bm.ravel().take(fp.path_idx)
        with np.errstate(invalid="ignore", divide="ignore"):
            f2[fp.path_idx] = beta**2 / (d * (1.0 - r2[fp.path_idx % k]))
        vif[fp.path_idx] = d
    return vif.reshape(k, k), f2.reshape(k, k)


def _r2(c: np.ndarray, pr: np.ndarray, j: int) -> float:
    beta = np.linalg.solve(c[np.ix_(pr, pr)], c[pr, j])
    return float(beta @ c[pr, j])


def rho_a(R: np.ndarray, W: np.ndarray, ma: ModelArrays) -> np.ndarray:
    """Dijkstra-Henseler rho_A per construct (B, k); 1 for single-item and formative blocks.

    ``rho_A = (w'w)^2 * w'(S - diag S)w / w'(ww' - diag(ww'))w`` with ``w`` the block's
    standardized weights (unit construct variance).
    """
    B = R.shape[0]
    out = np.ones((B, ma.k))
    for j, b in enumerate(ma.blocks):
        if len(b) < 2 or ma.mode_b[j]:
            continue
        w = W[:, b, j]
        S = R[:, b[:, None], b]
        ww = np.einsum("bi,bi->b", w, w)
        num = np.einsum("bi,bij,bj->b", w, S, w) - np.einsum("bi,bii,bi->b", w, S, w)
        den = ww**2 - np.einsum("bi,bi->b", w**2, w**2)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = ww**2 * num / den
    return out


def consistent_correlations(C: np.ndarray, rhoa: np.ndarray) -> np.ndarray:
    """Disattenuated construct correlations ``C_ij / sqrt(rho_i rho_j)`` (diagonal stays 1)."""
    s = np.sqrt(rhoa)
    Cc = C / (s[:, :, None] * s[:, None, :])
    k = C.shape[-1]
    Cc[:, np.arange(k), np.arange(k)] = 1.0
    return Cc


def consistent_loadings(R: np.ndarray, W: np.ndarray, rhoa: np.ndarray, ma: ModelArrays,
                        loadings: np.ndarray) -> np.ndarray:
    """PLSc loadings ``lambda = w * sqrt(rho_A) / (w'w)`` for reflective multi-item blocks."""
    out = loadings.copy()
    for j, b in enumerate(ma.blocks):
        if len(b) < 2 or ma.mode_b[j]:
            continue
        w = W[:, b, j]
        ww = np.einsum("bi,bi->b", w, w)
        out[:, b] = w * (np.sqrt(rhoa[:, j]) / ww)[:, None]
    return out
