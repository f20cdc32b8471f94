"""The ACSI 0-100 index: unstandardized weights and theoretical-range rescaling.

Conventions (Fornell et al. 1996; ACSI methodology)
---------------------------------------------------
- Unstandardized weight of item ``i``: ``u_i = w_i / sd_i`` (``w_i`` the standardized PLS
  outer weight, ``sd_i`` the item's sample SD), normalized to sum 1 within the block.
- Construct score on the item metric: ``s = sum_i u_i x_i`` on the raw (reverse-recoded) items.
- 0-100 index score: ``100 * (s - s_min) / (s_max - s_min)`` where ``s_min = sum_i u_i min_i``
  and ``s_max = sum_i u_i max_i`` use the survey scale's *theoretical* bounds (never the
  sample's). With one scale for all items this is ``100 * (s - min) / (max - min)``.
- Higher is better. With all ``u_i > 0`` the index lies in [0, 100]; a negative weight is
  flagged by the caller because the index is then not bounded.
"""

from __future__ import annotations

import numpy as np

from csi.estimate.pls.algorithm import ModelArrays

__all__ = ["to_index_scale", "unstandardized_weights", "index_means", "index_scores"]


def to_index_scale(x, scale_min: float, scale_max: float):
    """Rescale values on a theoretical scale to 0-100 (higher is better).

    Examples
    --------
    >>> to_index_scale(np.array([1.0, 10.0, 5.5]), 1, 10).tolist()
    [0.0, 100.0, 50.0]
    """
    return (np.asarray(x, dtype=float) - scale_min) / (scale_max - scale_min) * 100.0


def unstandardized_weights(W: np.ndarray, sd: np.ndarray, ma: ModelArrays) -> np.ndarray:
    """Per-item weights ``u`` (B, p), summing to 1 within each block.

    Parameters
    ----------
    W : ndarray (B, p, k) or (B, p)
        Standardized outer weights (block-diagonal), or each item's weight in its own block.
    sd : ndarray (B, p)
        Item sample SDs on the raw scale.
    """
    if W.ndim == 3:
        B, p, k = W.shape
        W = W.reshape(B, p * k).take(ma.flat.diag, axis=1)  # each item's own-block weight
    u = W / sd
    tot = u @ ma.member  # (B, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return u / tot[:, ma.item_block]


def index_means(u: np.ndarray, mean: np.ndarray, ma: ModelArrays) -> np.ndarray:
    """Mean 0-100 index score per construct (B, k) from item means on the raw scale."""
    num = ((mean - ma.lo) * u) @ ma.member
    den = ((ma.hi - ma.lo) * u) @ ma.member
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * num / den


def index_scores(x: np.ndarray, u: np.ndarray, ma: ModelArrays) -> np.ndarray:
    """Per-respondent 0-100 index scores (n, k) from raw items ``x`` (n, p) and ``u`` (p,)."""
    um = u[:, None] * ma.member  # (p, k)
    den = (ma.hi - ma.lo) @ um
    return 100.0 * (x @ um - ma.lo @ um) / den  # no n x p temporary
