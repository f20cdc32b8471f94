"""Per-missingness-pattern sufficient statistics of the items: :class:`PatternMoments`.

A *pattern* is the set of items a respondent answered. Everything the EM algorithm
(:func:`csi.estimate.missing.em.em`) and casewise ML (:mod:`csi.estimate.missing.fiml`) need
is, per pattern, the (weighted) count and the sums and cross-products of the answered items
about a fixed centre. The same numbers can be computed in a database with one
``GROUP BY pattern`` query (``SUM(w)``, ``SUM(w*(x_i-c_i))``, ``SUM(w*(x_i-c_i)*(x_j-c_j))``);
that is why the layout below is a public contract.

Layout (P patterns, p items)
----------------------------
``masks[k, i]``
    True when item ``i`` is observed in pattern ``k``.
``n[k]``
    Sum of the sampling weights of the respondents with pattern ``k`` (their number when
    unweighted).
``center[i]``
    Provisional centre (e.g. the scale midpoint); results do not depend on it.
``sums[k, i]``
    ``sum w (x_i - center_i)`` over the pattern's respondents; 0 where ``i`` is unobserved.
``cross[k, i, j]``
    ``sum w (x_i - center_i)(x_j - center_j)``; 0 where ``i`` or ``j`` is unobserved.
``n_rows[k]``
    Number of respondents (rows) with pattern ``k``.

Respondents who answered none of the items carry no information on the items and are not a
pattern (they are counted in :attr:`PatternMoments.n_empty`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csi.errors import DataError

__all__ = ["PatternMoments", "pattern_codes"]

#: rows from which the pattern sums are one compiled pass over the rows (numba) instead of
#: per-pattern gathers and matrix products (faster for small frames, no compile on first use).
_ROW_PASS = 20_000


def _row_keys(obs: np.ndarray) -> np.ndarray:
    """One hashable key per row of an (n, p) boolean array (its bits packed)."""
    n, p = obs.shape
    if p <= 62:  # one int64 per row, built column by column (contiguous for either order)
        key = np.zeros(n, dtype=np.int64)
        for j in range(p):
            key |= obs[:, j].astype(np.int64) << j
        return key
    packed = np.packbits(obs, axis=1)
    width = -(-packed.shape[1] // 8) * 8
    if width != packed.shape[1]:
        buf = np.zeros((n, width), dtype=np.uint8)
        buf[:, :packed.shape[1]] = packed
        packed = buf
    keys = np.ascontiguousarray(packed).view(np.uint64)
    return keys[:, 0] if keys.shape[1] == 1 else keys


def pattern_codes(observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer pattern code per row and the distinct masks, for an (n, p) boolean array.

    Returns ``(codes, masks)``: ``codes[r]`` indexes ``masks`` (P, p); patterns are sorted
    with the complete pattern (if present) first, then by decreasing number of answers.

    Examples
    --------
    >>> codes, masks = pattern_codes(np.array([[1, 0], [1, 1], [1, 0]], dtype=bool))
    >>> codes.tolist(), masks.astype(int).tolist()
    ([1, 0, 1], [[1, 1], [1, 0]])
    """
    obs = np.asarray(observed, dtype=bool)
    keys = _row_keys(obs)
    if keys.ndim == 1:
        inv, _ = pd.factorize(keys)
        first = np.full(inv.max() + 1 if len(inv) else 0, -1, dtype=np.int64)
        first[inv[::-1]] = np.arange(len(inv) - 1, -1, -1)
        masks = obs[first]
    else:
        masks, inv = np.unique(obs, axis=0, return_inverse=True)
    inv = np.asarray(inv).ravel()
    order = np.lexsort((np.arange(len(masks)), -masks.sum(axis=1)))
    rank = np.empty(len(masks), dtype=np.int64)
    rank[order] = np.arange(len(masks))
    return rank[inv], masks[order]


def _from_arrays_compiled(cls, x, items, weights, center):
    """:meth:`PatternMoments.from_arrays` in one compiled pass over the rows (pattern keys and
    sums together; two passes when there are very many patterns); the same patterns, order and
    codes. None without numba or above 62 items."""
    from csi.estimate.missing import em_kernel

    n, p = x.shape
    one = em_kernel.keyed_pattern_sums(x, center, weights)
    if one is not None:
        uniq, slot, nw, sums, cross = one
        masks = ((uniq[:, None] >> np.arange(p)) & 1).astype(bool)  # first-appearance order
        order = np.lexsort((np.arange(len(masks)), -masks.sum(axis=1)))
        rank = np.empty(len(masks) + 1, dtype=np.int64)
        rank[order] = np.arange(len(masks))
        rank[-1] = -1  # slot -1: a row without answers
        codes = rank[slot]
        n_rows = np.bincount(codes[codes >= 0], minlength=len(masks)).astype(np.int64)
        pm = cls(items=tuple(items), masks=masks[order], n=nw[order], center=center, sums=sums[order],
                 cross=cross[order], n_rows=n_rows, n_empty=int(n - n_rows.sum()))
        return pm, codes
    keys = em_kernel.row_keys(x)
    if keys is None:
        return None
    inv, uniq = pd.factorize(keys)  # first-appearance order, as pattern_codes
    uniq = np.asarray(uniq, dtype=np.int64)
    nonempty = uniq != 0
    masks_all = ((uniq[:, None] >> np.arange(p)) & 1).astype(bool)
    masks = masks_all[nonempty]
    order = np.lexsort((np.arange(len(masks)), -masks.sum(axis=1)))
    rank = np.full(len(uniq), -1, dtype=np.int64)
    rank[np.flatnonzero(nonempty)[order]] = np.arange(len(masks))
    codes = rank[inv]
    P = len(masks)
    nw, sums, cross = em_kernel.pattern_sums(x, codes, center, weights, P)
    n_rows = np.bincount(codes[codes >= 0], minlength=P).astype(np.int64)
    pm = cls(items=tuple(items), masks=masks[order], n=nw, center=center, sums=sums, cross=cross,
             n_rows=n_rows, n_empty=int(n - n_rows.sum()))
    return pm, codes


@dataclass(frozen=True)
class PatternMoments:
    """Weighted counts, sums and cross-products of the observed items, per missingness pattern.

    See the module docstring for the layout (a contract shared with the database back end).
    Build it with :meth:`from_frame` (or :meth:`from_arrays`); run
    :func:`csi.estimate.missing.em` on it.
    """

    items: tuple[str, ...]
    masks: np.ndarray
    n: np.ndarray
    center: np.ndarray
    sums: np.ndarray
    cross: np.ndarray
    n_rows: np.ndarray | None = None
    n_empty: int = 0

    def __post_init__(self) -> None:
        P, p = np.shape(self.masks)
        if len(self.items) != p or np.shape(self.sums) != (P, p) or np.shape(self.cross) != (P, p, p) \
                or np.shape(self.n) != (P,) or np.shape(self.center) != (p,):
            raise DataError(
                f"PatternMoments: inconsistent shapes (items {len(self.items)}, masks {np.shape(self.masks)}, "
                f"n {np.shape(self.n)}, sums {np.shape(self.sums)}, cross {np.shape(self.cross)})")

    @property
    def n_patterns(self) -> int:
        return int(len(self.n))

    @property
    def n_total(self) -> float:
        """Total weight of the respondents with at least one answer."""
        return float(np.sum(self.n))

    @classmethod
    def from_arrays(cls, x: np.ndarray, items, weights: np.ndarray | None = None,
                    center: np.ndarray | None = None) -> tuple[PatternMoments, np.ndarray]:
        """From an (n, p) float array with NaN = missing; returns ``(pm, codes)``.

        ``codes[r]`` is row ``r``'s pattern (-1 for a row with no answer at all).
        """
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2:
            raise DataError("pattern moments need a 2-D array of items")
        n, p = x.shape
        if n > _ROW_PASS and center is not None:
            fast = _from_arrays_compiled(cls, x, items, weights, np.asarray(center, dtype=np.float64))
            if fast is not None:
                return fast
        obs = ~np.isnan(x)
        any_obs = obs.any(axis=1)
        if center is None:
            cnt = obs.sum(axis=0)
            center = np.where(obs, x, 0.0).sum(axis=0) / np.maximum(cnt, 1)
        center = np.asarray(center, dtype=np.float64)
        rows = np.flatnonzero(any_obs) if not any_obs.all() else None
        codes_sub, masks = pattern_codes(obs if rows is None else obs[rows])
        P = len(masks)
        codes = codes_sub if rows is None else np.full(n, -1, dtype=np.int64)
        if rows is not None:
            codes[rows] = codes_sub
        from csi.estimate.missing import em_kernel

        fast = em_kernel.pattern_sums(x, codes, center, weights, P) if n > _ROW_PASS else None
        if fast is not None:
            nw, sums, cross = fast
            pm = cls(items=tuple(items), masks=masks, n=nw, center=center, sums=sums, cross=cross,
                     n_rows=np.bincount(codes_sub, minlength=P).astype(np.int64),
                     n_empty=0 if rows is None else int(n - len(rows)))
            return pm, codes
        order = np.argsort(codes_sub, kind="stable")
        bounds = np.searchsorted(codes_sub[order], np.arange(P + 1))
        src = order if rows is None else rows[order]
        xT = x.T if x.flags.f_contiguous else np.ascontiguousarray(x.T)  # (p, n), rows contiguous
        w_all = None if weights is None else np.asarray(weights, dtype=np.float64)
        nw = np.empty(P)
        sums = np.zeros((P, p))
        cross = np.zeros((P, p, p))
        n_rows = np.diff(bounds).astype(np.int64)
        for k in range(P):
            r = src[bounds[k]:bounds[k + 1]]
            blk = xT.take(r, axis=1)  # (p, n_k): every item's answers of the pattern's rows
            blk -= center[:, None]
            if not masks[k].all():
                blk[~masks[k]] = 0.0  # unanswered items contribute nothing
            if w_all is None:
                nw[k] = len(r)
                sums[k] = blk.sum(axis=1)
                cross[k] = blk @ blk.T
            else:
                wk = w_all[r]
                nw[k] = wk.sum()
                sums[k] = blk @ wk
                cross[k] = (blk * wk) @ blk.T
        pm = cls(items=tuple(items), masks=masks, n=nw, center=center, sums=sums, cross=cross,
                 n_rows=n_rows, n_empty=0 if rows is None else int(n - len(rows)))
        return pm, codes

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, items=None, weights=None,
                   center: np.ndarray | None = None) -> PatternMoments:
        """From a respondents x items DataFrame (NaN = missing, items already recoded).

        Parameters
        ----------
        frame : DataFrame
        items : sequence of str, optional
            Columns to use (default: all).
        weights : str, array or None
            A column name or one positive weight per row.
        center : array, optional
            Provisional centre; default the observed means.

        Examples
        --------
        >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, np.nan, 4.0, 5.0]})
        >>> pm = PatternMoments.from_frame(df, center=np.array([0.0, 0.0]))
        >>> pm.masks.tolist(), pm.n.tolist(), pm.sums.tolist()
        ([[True, True], [True, False]], [3.0, 1.0], [[8.0, 11.0], [2.0, 0.0]])
        """
        items = list(frame.columns if items is None else items)
        if isinstance(weights, str):
            weights = frame[weights].to_numpy(dtype=float)
        x = frame[items].to_numpy(dtype=np.float64, na_value=np.nan)
        return cls.from_arrays(x, items, weights, center)[0]
