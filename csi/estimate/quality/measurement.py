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

import numpy as np
import pandas as pd

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
    for j, b in enumerate(ma.blocks):
        ix = np.ix_(b, b)
        sigma[ix] = R[ix] if ma.mode_b[j] else np.outer(loadings[b], loadings[b])
    np.fill_diagonal(sigma, 1.0)
    tri = np.tril_indices(ma.p)
    return float(np.sqrt(np.mean((R[tri] - sigma[tri]) ** 2)))


def fornell_larcker(C: np.ndarray, ave_: np.ndarray, construct_ids) -> pd.DataFrame:
    """Fornell-Larcker table: sqrt(AVE) on the diagonal, construct correlations below it."""
    m = np.array(C, dtype=float, copy=True)
    np.fill_diagonal(m, np.sqrt(ave_))
    m[np.triu_indices_from(m, 1)] = np.nan
    return pd.DataFrame(m, index=list(construct_ids), columns=list(construct_ids))


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
    rows = []

    def add(check, ok, detail, fail="fail"):
        rows.append({"check": check, "status": "ok" if ok else fail, "detail": detail})

    add("convergence", converged, f"{n_iter} iteration(s)" + ("" if converged else "; not converged"))
    big = [ma.item_ids[i] for i in np.flatnonzero(np.abs(loadings) > 1 + 1e-10)]
    add("loadings_le_1", not big, "all |loading| <= 1" if not big else "|loading| > 1: " + ", ".join(big))
    rel = reliab.set_index("construct")[["rho_a", "rho_c"]]
    over = [c for c, r in rel.iterrows() if (r > 1 + 1e-10).any()]
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
    return pd.DataFrame(rows, columns=["check", "status", "detail"])
