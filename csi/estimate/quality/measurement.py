"""Measurement quality: Cronbach's alpha, rho_C, AVE, HTMT, Fornell-Larcker, VIF, SRMR, admissibility.

Everything is computed from the item correlation matrix ``R`` and the PLS results, never from
raw data. Conventions (as in SEMinR/cSEM):

- ``alpha`` is Cronbach's alpha of the standardized items:
  ``k/(k-1) * (1 - k / sum(R_bb))``; 1 for a single item.
- ``rho_c`` (composite reliability) ``= (sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` and
  ``ave = mean(l^2)`` from the standardized loadings ``l``.
- ``alpha``, ``rho_c`` and ``ave`` are NaN for formative (Mode B) constructs, where they do not
  apply; ``rho_a`` is 1 for formative and single-item constructs.
- HTMT (Henseler, Ringle & Sarstedt 2015): mean heterotrait correlation divided by the
  geometric mean of the two mean monotrait (within-block, off-diagonal) correlations; a
  single-item block has monotrait correlation 1. Only reflective constructs are compared.
- SRMR: root mean square of the lower triangle (with diagonal) of ``R - Sigma``, where
  ``Sigma`` is the implied correlation matrix (reflective blocks ``l l'``, formative blocks
  their observed correlations, between blocks ``l_i C_ij l_j'``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from csi.estimate.frames import frame, labels, square
from csi.estimate.pls.algorithm import ModelArrays

__all__ = [
    "cronbach_alpha",
    "rho_c",
    "ave",
    "htmt_pairs",
    "htmt",
    "htmt_t",
    "vif",
    "srmr",
    "fornell_larcker",
    "admissibility",
    "reliability_single",
    "htmt_single",
    "item_vif",
    "admissibility_rows",
]


def cronbach_alpha(r: np.ndarray) -> float:
    """Standardized Cronbach's alpha of one block's correlation matrix ``r`` (k x k).

    Examples
    --------
    >>> round(cronbach_alpha(np.array([[1, .5], [.5, 1]])), 4)  # 2/1 * (1 - 2/3)
    0.6667
    """
    r = np.asarray(r, dtype=float)
    k = r.shape[0]
    if k < 2:
        return 1.0
    return float(k / (k - 1.0) * (1.0 - k / r.sum()))


def rho_c(loadings: np.ndarray) -> float:
    """Composite reliability from standardized loadings."""
    lam = np.asarray(loadings, dtype=float)
    s = lam.sum() ** 2
    return float(s / (s + (1.0 - lam**2).sum()))


def ave(loadings: np.ndarray) -> float:
    """Average variance extracted: mean squared standardized loading."""
    lam = np.asarray(loadings, dtype=float)
    return float((lam**2).mean())


def htmt_pairs(ma: ModelArrays) -> list[tuple[int, int]]:
    """Construct index pairs (a < b) compared by HTMT: both reflective."""
    refl = [j for j in range(ma.k) if not ma.mode_b[j]]
    return [(a, b) for i, a in enumerate(refl) for b in refl[i + 1:]]


def htmt(R: np.ndarray, ma: ModelArrays, pairs: list[tuple[int, int]]) -> np.ndarray:
    """HTMT for each pair in ``pairs`` from a stack of correlation matrices (B, n_pairs)."""
    return htmt_t(R.transpose(1, 2, 0), ma, pairs)


def htmt_t(Rt: np.ndarray, ma: ModelArrays, pairs: list[tuple[int, int]]) -> np.ndarray:
    """:func:`htmt` for a batch-last stack ``Rt`` (p, p, B): block means over contiguous rows.

    HTMT of constructs ``a, c`` is the mean heterotrait correlation (items of ``a`` with
    items of ``c``) over the geometric mean of the two mean monotrait (within-block,
    off-diagonal) correlations (Henseler, Ringle & Sarstedt 2015).
    """
    B = Rt.shape[-1]
    sl = [slice(b[0], b[-1] + 1) for b in ma.blocks]
    mono = np.ones((ma.k, B))
    for j, b in enumerate(ma.blocks):
        m = len(b)
        if m > 1:
            sub = Rt[sl[j], sl[j]]
            mono[j] = (sub.sum(axis=(0, 1)) - np.einsum("iib->b", sub)) / (m * (m - 1))
    out = np.empty((B, len(pairs)))
    for q, (a, c) in enumerate(pairs):
        het = Rt[sl[a], sl[c]].mean(axis=(0, 1))
        with np.errstate(invalid="ignore"):
            out[:, q] = het / np.sqrt(mono[a] * mono[c])
    return out


def vif(r: np.ndarray) -> np.ndarray:
    """Variance inflation factors: the diagonal of ``inv(r)`` for a correlation matrix ``r``.

    Examples
    --------
    >>> vif(np.array([[1, .6], [.6, 1]])).round(4).tolist()  # 1 / (1 - .36)
    [1.5625, 1.5625]
    """
    r = np.asarray(r, dtype=float)
    if r.shape[0] == 1:
        return np.ones(1)
    return np.diag(np.linalg.pinv(r))


def srmr(R: np.ndarray, C: np.ndarray, loadings: np.ndarray, ma: ModelArrays) -> float:
    """Standardized root mean square residual of the implied item correlations (one fit)."""
    lam = loadings[:, None] * ma.member  # (p, k)
    sigma = lam @ C @ lam.T
    same, form = _item_pairs(ma)
    # within a block: formative blocks their observed correlations, reflective ones l l'
    sigma = np.where(same, np.where(form, R, np.outer(loadings, loadings)), sigma)
    np.fill_diagonal(sigma, 1.0)
    tri = _lower_triangle(ma.p)
    return float(np.sqrt(np.mean((R[tri] - sigma[tri]) ** 2)))


def _item_pairs(ma: ModelArrays) -> tuple[np.ndarray, np.ndarray]:
    """(p, p) masks: items in the same block; ... of a formative block (cached per model)."""
    got = ma.__dict__.get("_item_pairs")
    if got is None:
        same = (ma.member @ ma.member.T) > 0
        form_item = ma.mode_b[ma.item_block]
        got = (same, same & form_item[:, None])
        object.__setattr__(ma, "_item_pairs", got)
    return got


@lru_cache(maxsize=64)
def _lower_triangle(p: int) -> tuple[np.ndarray, np.ndarray]:
    return np.tril_indices(p)


def reliability_single(R: np.ndarray, loadings: np.ndarray, W: np.ndarray, ma: ModelArrays) -> dict:
    """``alpha, rho_a, rho_c, ave`` (k,) of one fit, every block at once.

    The same formulas as :func:`cronbach_alpha`, :func:`rho_c`, :func:`ave` and
    :func:`csi.estimate.pls.effects.rho_a` (equal to rounding; ``tests/unit/test_quality_unit.py``):
    block sums of ``R`` and of the loadings come from the block-membership matrix.
    """
    M = ma.member
    nb = M.sum(axis=0)
    block_sum = (M * (R @ M)).sum(axis=0)  # sum of each block's R_bb
    ls, l2 = loadings @ M, (loadings**2) @ M
    ww = (W * W).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(nb < 2, 1.0, nb / (nb - 1.0) * (1.0 - nb / block_sum))
        rc = ls**2 / (ls**2 + (nb - l2))
        num = (W * (R @ W)).sum(axis=0) - ((W * W) * np.diag(R)[:, None]).sum(axis=0)
        rho = ww**2 * num / (ww**2 - (W**4).sum(axis=0))
    rho = np.where((nb < 2) | ma.mode_b, 1.0, rho)
    nan = np.where(ma.mode_b, np.nan, 1.0)  # alpha, rho_c, AVE do not apply to formative blocks
    return {"alpha": alpha * nan, "rho_a": rho, "rho_c": rc * nan, "ave": l2 / nb * nan}


def htmt_single(R: np.ndarray, ma: ModelArrays, pairs) -> np.ndarray:
    """:func:`htmt` of one correlation matrix (n_pairs,), from the block sums of ``R``."""
    if not len(pairs):
        return np.zeros(0)
    M = ma.member
    nb = M.sum(axis=0)
    S = M.T @ R @ M
    with np.errstate(invalid="ignore", divide="ignore"):
        mono = np.where(nb > 1, (np.diag(S) - np.diag(R) @ M) / (nb * (nb - 1.0)), 1.0)
        a, c = np.asarray(pairs).T
        return S[a, c] / (nb[a] * nb[c]) / np.sqrt(mono[a] * mono[c])


def item_vif(R: np.ndarray, ma: ModelArrays) -> np.ndarray:
    """:func:`vif` of every block's items (p,): the diagonal of the inverse of the
    block-diagonal part of ``R`` (one inverse; per-block pseudo-inverses when singular)."""
    same, _ = _item_pairs(ma)
    try:
        out = np.diag(np.linalg.inv(np.where(same, R, 0.0))).copy()
        if np.all(np.isfinite(out)):
            return out
    except np.linalg.LinAlgError:
        pass
    return np.concatenate([vif(R[np.ix_(b, b)]) for b in ma.blocks])


def fornell_larcker(C: np.ndarray, ave_: np.ndarray, construct_ids) -> pd.DataFrame:
    """Fornell-Larcker table: sqrt(AVE) on the diagonal, construct correlations below it."""
    m = np.where(_upper(len(C)), np.nan, C)
    np.fill_diagonal(m, np.sqrt(ave_))
    return square(m, construct_ids)


@lru_cache(maxsize=64)
def _upper(k: int) -> np.ndarray:
    return np.triu(np.ones((k, k), dtype=bool), 1)


def admissibility(
    *,
    converged: bool,
    n_iter: int,
    loadings: np.ndarray,
    reliab: pd.DataFrame,
    C: np.ndarray,
    u: np.ndarray,
    ma: ModelArrays,
) -> pd.DataFrame:
    """cSEM-style status checks (``check, status, detail``); never raises."""
    return admissibility_rows(converged=converged, n_iter=n_iter, loadings=loadings,
                              rho_a=reliab["rho_a"].to_numpy(float), rho_c=reliab["rho_c"].to_numpy(float),
                              C=C, u=u, ma=ma)


def admissibility_rows(*, converged: bool, n_iter: int, loadings: np.ndarray, rho_a: np.ndarray,
                       rho_c: np.ndarray, C: np.ndarray, u: np.ndarray, ma: ModelArrays) -> pd.DataFrame:
    """:func:`admissibility` from the reliability arrays (k,) instead of the table."""
    checks, status, details = [], [], []

    def add(check, ok, detail, fail="fail"):
        checks.append(check)
        status.append("ok" if ok else fail)
        details.append(detail)

    add("convergence", converged, f"{n_iter} iteration(s)" + ("" if converged else "; not converged"))
    big = [ma.item_ids[i] for i in np.flatnonzero(np.abs(loadings) > 1 + 1e-10)]
    add("loadings_le_1", not big, "all |loading| <= 1" if not big else "|loading| > 1: " + ", ".join(big))
    over = [ma.construct_ids[j] for j in np.flatnonzero((rho_a > 1 + 1e-10) | (rho_c > 1 + 1e-10))]
    add("reliability_le_1", not over, "all reliabilities <= 1" if not over else "> 1: " + ", ".join(over))
    try:
        ev = np.linalg.eigvalsh(C)
        pd_ok = bool(np.all(np.isfinite(ev)) and ev.min() > 1e-10)
        detail = f"smallest eigenvalue {ev.min():.3g}"
    except np.linalg.LinAlgError:
        pd_ok, detail = False, "eigenvalues could not be computed"
    add("construct_correlations_pd", pd_ok, detail)
    neg = [ma.item_ids[i] for i in np.flatnonzero(u < 0)]
    add(
        "weights_positive",
        not neg,
        "all unstandardized weights positive; index within [0, 100]"
        if not neg
        else "negative weight(s) for " + ", ".join(neg) + "; the 0-100 index is not bounded",
        fail="warning",
    )
    return frame({"check": labels(checks), "status": labels(status), "detail": labels(details)})
