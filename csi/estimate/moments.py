"""Sufficient statistics of the items: counts, sums and cross-products (optionally weighted).

PLS-PM and every quality measure in csi need only the item means, standard deviations and the
p x p correlation matrix. :class:`Moments` holds exactly the sufficient statistics for them, so

- a fit costs one pass over the data (then microseconds of algebra on p x p matrices);
- per-segment / per-wave fits cost one grouped pass (:func:`grouped_moments`);
- the same numbers could be computed elsewhere (SQL ``SUM(x*y)``, a cluster engine) and handed
  to :meth:`csi.estimate.pls.model.PLSPathModel.fit_moments`.

Conventions
-----------
Cross-products are taken about a fixed ``shift`` vector (any value close to the mean keeps the
arithmetic stable; the result does not depend on it). With sampling weights ``w`` the sums are
weighted: ``n = sum(w)``, ``sums = sum(w * (x - shift))``, ``cross = sum(w * (x - shift)(x -
shift)^T)``; the covariance uses the ``n - 1`` denominator on the weight total (frequency-weight
convention), which leaves correlations unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csi.errors import DataError

__all__ = ["Moments", "compute_moments", "grouped_moments", "pairwise_correlation"]

#: rows per chunk of the cross-product pass (a 24-item chunk is ~0.8 MB: it stays in cache)
CHUNK_ROWS = 4096


@dataclass(frozen=True)
class Moments:
    """Weighted count, sums and cross-products of p items about ``shift``.

    Attributes
    ----------
    n : float
        Sum of weights (the number of respondents when unweighted).
    n_obs : int
        Number of respondents (rows) that entered.
    sums : ndarray, shape (p,)
        ``sum(w * (x - shift))``.
    cross : ndarray, shape (p, p)
        ``sum(w * (x - shift)(x - shift)^T)``.
    shift : ndarray, shape (p,)
        Reference point of ``sums``/``cross``.
    """

    n: float
    n_obs: int
    sums: np.ndarray
    cross: np.ndarray
    shift: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """Item means (weighted), shape (p,)."""
        return self.shift + self.sums / self.n

    def cov(self) -> np.ndarray:
        """Covariance matrix with the ``n - 1`` denominator (sample covariance)."""
        m = self.sums / self.n
        return (self.cross - self.n * np.outer(m, m)) / (self.n - 1.0)

    def std(self) -> np.ndarray:
        """Sample standard deviations (``n - 1``), shape (p,)."""
        return np.sqrt(np.clip(np.diag(self.cov()), 0.0, None))

    def corr(self, cov: np.ndarray | None = None) -> np.ndarray:
        """Correlation matrix; raises :class:`DataError` when an item has zero variance.

        ``cov`` may pass :meth:`cov` when the caller already has it.
        """
        c = self.cov() if cov is None else cov
        d = np.sqrt(np.clip(np.diag(c), 0.0, None))
        scale = np.abs(self.shift) + np.abs(self.sums / self.n) + 1.0
        if np.any(d <= 1e-12 * scale):
            bad = [int(i) for i in np.flatnonzero(d <= 1e-12 * scale)]
            raise DataError(f"item(s) at position(s) {bad} are constant (zero variance)")
        r = c / np.outer(d, d)
        np.fill_diagonal(r, 1.0)
        return r


def compute_moments(
    x: np.ndarray, weights: np.ndarray | None = None, shift: np.ndarray | None = None
) -> Moments:
    """One pass over an (n, p) float array without NaNs.

    ``shift`` (e.g. the midpoints of the items' theoretical scales) saves the pass that
    computes the mean; any value near the data keeps the sums well conditioned. Large data
    are read in chunks of :data:`CHUNK_ROWS` rows (the same sums, added chunk by chunk).

    Examples
    --------
    >>> m = compute_moments(np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 5.0]]))
    >>> m.mean.tolist(), m.std().round(3).tolist()
    ([2.0, 3.6666666666666665], [1.0, 1.528])
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise DataError("moments need a non-empty 2-D array of items")
    if shift is None:
        shift = x.mean(axis=0) if weights is None else np.average(x, axis=0, weights=weights)
    shift = np.asarray(shift, dtype=np.float64)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    n = float(x.shape[0]) if w is None else float(w.sum())
    if x.shape[0] <= 2 * CHUNK_ROWS:
        sums, cross = _centred_sums(x, w, shift)
    else:  # in row chunks: each centred chunk stays in cache (no n x p temporary)
        p = x.shape[1]
        sums, cross = np.zeros(p), np.zeros((p, p))
        for s in range(0, x.shape[0], CHUNK_ROWS):
            e = s + CHUNK_ROWS
            ds, dc = _centred_sums(x[s:e], None if w is None else w[s:e], shift)
            sums += ds
            cross += dc
    return Moments(n=n, n_obs=int(x.shape[0]), sums=sums, cross=cross, shift=shift)


def _centred_sums(x: np.ndarray, w: np.ndarray | None, shift: np.ndarray):
    xc = x - shift
    if w is None:
        return np.ones(x.shape[0]) @ xc, xc.T @ xc  # gemv (either layout) and syrk
    return w @ xc, (xc * w[:, None]).T @ xc


def grouped_moments(
    x: np.ndarray, groups: np.ndarray, weights: np.ndarray | None = None
) -> dict[object, Moments]:
    """Moments per group (segment, wave) in one sorted pass.

    Parameters
    ----------
    x : ndarray, shape (n, p)
    groups : array-like, shape (n,)
        Group label per respondent.
    weights : ndarray or None

    Returns
    -------
    dict mapping group label -> Moments (labels in sorted order).
    """
    x = np.asarray(x, dtype=np.float64)
    labels, codes = np.unique(np.asarray(groups), return_inverse=True)
    order = np.argsort(codes, kind="stable")
    xs = x[order]
    ws = None if weights is None else np.asarray(weights, dtype=np.float64)[order]
    bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
    out: dict[object, Moments] = {}
    for g, lab in enumerate(labels):
        lo, hi = bounds[g], bounds[g + 1]
        out[lab.item() if hasattr(lab, "item") else lab] = compute_moments(
            xs[lo:hi], None if ws is None else ws[lo:hi]
        )
    return out


def pairwise_correlation(x: np.ndarray, weights: np.ndarray | None = None):
    """Means, SDs and correlations from pairwise-complete observations (NaN = missing).

    Returns
    -------
    mean : ndarray (p,), sd : ndarray (p,), corr : ndarray (p, p), n_pair : ndarray (p, p)
        ``n_pair[i, j]`` is the (weighted) number of respondents with both items.
    """
    x = np.asarray(x, dtype=np.float64)
    obs = ~np.isnan(x)
    w = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    mo = obs * w[:, None]
    n1 = mo.sum(axis=0)
    mean = np.where(n1 > 0, np.nansum(x * w[:, None], axis=0) / np.where(n1 > 0, n1, 1), 0.0)
    xc = np.where(obs, x - mean, 0.0)
    npair = mo.T @ obs.astype(np.float64)
    s_ij = (xc * w[:, None]).T @ obs  # sum of x_i over rows where j is observed
    ss_ij = (xc * w[:, None]).T @ xc
    q_ij = (xc**2 * w[:, None]).T @ obs  # sum of x_i^2 over rows where j is observed
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = ss_ij - s_ij * s_ij.T / npair
        vi = q_ij - s_ij**2 / npair
        corr = cov / np.sqrt(vi * vi.T)
        var = (np.diag(q_ij) - np.diag(s_ij) ** 2 / n1) / (n1 - 1.0)
    if np.any(npair < 3):
        i, j = np.argwhere(npair < 3)[0]
        raise DataError(
            f"items at positions {int(i)} and {int(j)} are answered together by fewer than 3 "
            "respondents; pairwise correlations are undefined"
        )
    np.fill_diagonal(corr, 1.0)
    return mean, np.sqrt(var), corr, npair
