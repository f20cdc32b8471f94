"""The moments query's answer on the client: :class:`CellMoments` and what is built from it.

A *cell* is a group (``by`` key), optionally split by bootstrap bucket and by missingness
pattern. Per cell the engine returns ``n_obs``, the weight total ``n``, the group's
provisional centre ``c`` and the sums ``s = sum w (x - c)`` and upper-triangle cross-products
``q = sum w (x - c)(x - c)'`` (see :mod:`csi.engines.query`). Sums about one centre are moved to
another exactly (:func:`recentre`), so cells of different groups add up to the pooled moments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csi.estimate.moments import Moments

__all__ = ["CellMoments", "PatternMoments", "recentre"]

try:  # issue 14's dataclass, when it is there; the same fields otherwise
    from csi.estimate.missing import PatternMoments  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the merge order

    @dataclass(frozen=True)
    class PatternMoments:
        """Sufficient statistics per missingness pattern (for EM).

        ``masks`` (P, p) bool observed; ``n`` (P,) weighted counts; ``center`` (p,) the
        provisional centre; ``sums`` (P, p) of ``x - center`` (0 where unobserved); ``cross``
        (P, p, p) of ``(x - center)(x - center)'`` (0 where unobserved).
        """

        items: tuple
        masks: np.ndarray
        n: np.ndarray
        center: np.ndarray
        sums: np.ndarray
        cross: np.ndarray


def recentre(n, sums, cross, old, new):
    """Sums about ``old`` -> sums about ``new`` (broadcast over leading axes).

    ``sum w (x - a) = s + n (b - a)`` and ``sum w (x - a)(x - a)' = Q + (b - a) s' + s (b - a)' +
    n (b - a)(b - a)'`` with ``b = old``, ``a = new``; ``cross`` is (..., p, p).
    """
    delta = np.asarray(old, dtype=float) - np.asarray(new, dtype=float)
    n = np.asarray(n, dtype=float)[..., None]
    s_new = sums + n * delta
    ds = delta[..., :, None] * sums[..., None, :]
    cross_new = cross + ds + np.swapaxes(ds, -1, -2) + n[..., None] * delta[..., :, None] * delta[..., None, :]
    return s_new, cross_new


@dataclass(frozen=True)
class CellMoments:
    """Per-cell moments returned by an engine.

    Attributes
    ----------
    items : tuple of str
        Item ids (source columns), in the model's block order.
    by : tuple of str
        Group columns.
    keys : DataFrame
        One row per cell: the ``by`` columns, then ``bucket`` and/or ``pattern`` when asked.
    n_obs : ndarray (m,) int
    n : ndarray (m,) float -- weight totals
    center : ndarray (m, p) -- the cell's group centre
    sums : ndarray (m, p)
    tri : ndarray (m, p(p+1)/2) -- upper triangle of the cross-products, ``numpy.triu_indices`` order
    buckets : int -- 0 when not bucketed
    """

    items: tuple
    by: tuple
    keys: pd.DataFrame
    n_obs: np.ndarray
    n: np.ndarray
    center: np.ndarray
    sums: np.ndarray
    tri: np.ndarray
    buckets: int = 0

    @classmethod
    def from_frame(cls, df: pd.DataFrame, items, by, buckets: int, patterns: bool) -> CellMoments:
        """From the query's output columns (``g<k>``, ``b``, ``pat``, ``n_obs``, ``n``, ...)."""
        p = len(items)
        names = [f"g{k}" for k in range(len(by))]
        key_cols = dict(zip(by, names, strict=True))
        sort = names + (["b"] if buckets else []) + (["pat"] if patterns else [])
        m = len(df)
        order = None
        if sort and m:  # cells in key order; NULL keys last (as sort_values(na_position="last"))
            cols = []
            for c in reversed(sort):
                v = df[c]
                if pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v):
                    cols.append(v.to_numpy(dtype=np.float64, na_value=np.nan))  # NaN sorts last
                else:
                    codes = pd.factorize(v, sort=True, use_na_sentinel=True)[0]
                    cols.append(np.where(codes < 0, codes.max() + 1, codes))
            order = np.lexsort(cols)

        def column(c, dtype):
            a = df[c].to_numpy(dtype=dtype)
            return a if order is None else a[order]

        def block(cols):  # (m, len(cols)) filled column by column: no (m, k) temporaries
            out = np.empty((m, len(cols)))
            for t, c in enumerate(cols):
                out[:, t] = column(c, np.float64)
            return out

        keys = pd.DataFrame({b: column(g, object) for b, g in key_cols.items()})
        keys = keys.astype(object).where(keys.notna(), None)
        if buckets:
            keys["bucket"] = column("b", np.int64)
        if patterns:
            keys["pattern"] = column("pat", np.int64)
        tri_cols = [f"q{i}_{j}" for i in range(p) for j in range(i, p)]
        return cls(
            items=tuple(items), by=tuple(by), keys=keys,
            n_obs=column("n_obs", np.int64),
            n=column("n", np.float64),
            center=block([f"c{i}" for i in range(p)]),
            sums=block([f"s{i}" for i in range(p)]),
            tri=block(tri_cols),
            buckets=int(buckets),
        )

    @staticmethod
    def concat(parts: list[CellMoments]) -> CellMoments:
        first = parts[0]
        return CellMoments(first.items, first.by, pd.concat([p.keys for p in parts], ignore_index=True),
                           *(np.concatenate([getattr(p, a) for p in parts])
                             for a in ("n_obs", "n", "center", "sums", "tri")), buckets=first.buckets)

    @property
    def p(self) -> int:
        return len(self.items)

    def group_rows(self) -> dict[tuple, np.ndarray]:
        """Group key (tuple of ``by`` values; ``()`` without groups) -> row positions of its cells."""
        if not self.by:
            return {(): np.arange(len(self.n))}
        out: dict[tuple, list[int]] = {}
        for pos, key in enumerate(self.keys[list(self.by)].itertuples(index=False, name=None)):
            out.setdefault(tuple(key), []).append(pos)
        return {k: np.asarray(v) for k, v in out.items()}

    def cross(self, rows=None) -> np.ndarray:
        """Full (m, p, p) cross-products of the cells ``rows`` (all by default)."""
        tri = self.tri if rows is None else self.tri[rows]
        iu, ju = np.triu_indices(self.p)
        full = np.empty((tri.shape[0], self.p, self.p))
        full[:, iu, ju] = tri
        full[:, ju, iu] = tri
        return full

    def shifted(self, rows=None, shift=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(shift, sums, tri)`` of the cells ``rows`` (default all, without copies) about
        ``shift`` (default: the weighted mean of their centres), on the upper triangle (no
        (m, p, p) temporaries)."""
        sel = slice(None) if rows is None else np.asarray(rows)
        n, center = self.n[sel], self.center[sel]
        if shift is None:
            shift = (n @ center) / n.sum()
        shift = np.asarray(shift, dtype=float)
        s = self.sums[sel]
        if not (center != shift).any():  # the query's midpoints: nothing to move
            return shift, s, self.tri[sel]
        iu, ju = np.triu_indices(self.p)
        delta = center - shift
        tri = (self.tri[sel] + delta[:, iu] * s[:, ju] + s[:, iu] * delta[:, ju]
               + n[:, None] * delta[:, iu] * delta[:, ju])
        return shift, s + n[:, None] * delta, tri

    def moments(self, rows=None, shift=None) -> Moments:
        """The cells ``rows`` (default all) added up as :class:`Moments` about ``shift``
        (default: the weighted mean of their centres)."""
        shift, s, tri = self.shifted(rows, shift)
        sel = slice(None) if rows is None else np.asarray(rows)
        iu, ju = np.triu_indices(self.p)
        cross = np.empty((self.p, self.p))
        t = tri.sum(axis=0)
        cross[iu, ju] = t
        cross[ju, iu] = t
        return Moments(n=float(self.n[sel].sum()), n_obs=int(self.n_obs[sel].sum()), sums=s.sum(axis=0),
                       cross=cross, shift=shift)

    def bucket_terms(self, rows=None, shift=None) -> tuple[np.ndarray, np.ndarray]:
        """Per-bucket sums ``FT`` (q, G) as :mod:`csi.estimate.resample.bootstrap` stacks them --
        rows ``[n, sums, vech(cross)]`` about ``shift`` -- and the shift; empty buckets are zero
        columns (they stay in the resampling space)."""
        shift, s, tri = self.shifted(rows, shift)
        sel = slice(None) if rows is None else np.asarray(rows)
        b = self.keys["bucket"].to_numpy()[sel]
        p = self.p
        FT = np.zeros((1 + p + tri.shape[1], self.buckets))
        FT[0] = np.bincount(b, weights=self.n[sel], minlength=self.buckets)
        for j in range(p):
            FT[1 + j] = np.bincount(b, weights=s[:, j], minlength=self.buckets)
        for j in range(tri.shape[1]):
            FT[1 + p + j] = np.bincount(b, weights=tri[:, j], minlength=self.buckets)
        return FT, shift

    def pattern_moments(self, rows=None) -> PatternMoments:
        """Per-pattern moments of the cells ``rows`` (one group; patterns queried)."""
        rows = np.arange(len(self.n)) if rows is None else np.asarray(rows)
        pat = self.keys["pattern"].to_numpy()[rows]
        center = self.center[rows[0]]
        codes, inv = np.unique(pat, return_inverse=True)
        P = len(codes)
        n = np.zeros(P)
        sums = np.zeros((P, self.p))
        cross = np.zeros((P, self.p, self.p))
        q = self.cross(rows)
        s_c, q_c = recentre(self.n[rows], self.sums[rows], q, self.center[rows], center)
        np.add.at(n, inv, self.n[rows])
        np.add.at(sums, inv, s_c)
        np.add.at(cross, inv, q_c)
        masks = ((codes[:, None] >> np.arange(self.p)) & 1).astype(bool)
        # unobserved entries are exactly 0 in the query; recentring within one centre keeps them
        sums = np.where(masks, sums, 0.0)
        cross = np.where(masks[:, :, None] & masks[:, None, :], cross, 0.0)
        return PatternMoments(items=self.items, masks=masks, n=n, center=center, sums=sums, cross=cross)
