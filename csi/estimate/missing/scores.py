"""Construct and 0-100 scores for respondents with missing items: renormalised block weights.

A respondent's score on a construct uses the items of the block they answered, with the
block's weights rescaled to the same total as the full block's (for 0-100 index scores:
``100 * sum_obs u_i (x_i - lo_i) / sum_obs u_i (hi_i - lo_i)``, the weighted mean of the
answered items on the 0-100 scale; for standardized scores
``sum_obs W_i z_i * sum_all W_i / sum_obs W_i``). With every item answered this is the usual
score; with none answered the score is NaN. The mean index itself comes from the EM means
(:func:`csi.estimate.index.scaling.index_means`), not from these scores.
"""

from __future__ import annotations

import numpy as np

__all__ = ["renormalised_index_scores", "renormalised_std_scores"]


def renormalised_index_scores(x: np.ndarray, u: np.ndarray, member: np.ndarray, lo: np.ndarray,
                              hi: np.ndarray) -> np.ndarray:
    """(n, k) 0-100 index scores (higher is better) from raw items ``x`` (n, p) with NaNs.

    >>> x = np.array([[1.0, 10.0], [np.nan, 10.0]])
    >>> renormalised_index_scores(x, np.array([0.5, 0.5]), np.ones((2, 1)), np.ones(2),
    ...                           np.full(2, 10.0)).round(1).ravel().tolist()
    [50.0, 100.0]
    """
    obs = ~np.isnan(x)
    um = u[:, None] * member
    num = np.where(obs, x - lo, 0.0) @ um
    den = (obs * (hi - lo)) @ um
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den != 0, 100.0 * num / den, np.nan)


def renormalised_std_scores(x: np.ndarray, W: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """(n, k) standardized construct scores from raw items with NaNs (block weights ``W`` (p, k))."""
    obs = ~np.isnan(x)
    z = np.where(obs, (x - mean) / sd, 0.0)
    full = W.sum(axis=0)
    part = obs @ W
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(part != 0, (z @ W) * (full / part), np.nan)
