"""One group's (bucket, pattern) cells stacked for EM: :class:`PatternStack`.

From the cells of the moments query with ``patterns=True`` (and buckets): the patterns seen
in the group (rows with no item answered -- pattern 0 -- are left out, as lavaan does), the
pattern moments summed over buckets (for the EM point estimate) and the per-bucket stack
``FTp`` (G, P, q) of ``[n, sums, vech(cross)]`` about the query's centre (for the resamples;
:func:`csi.estimate.missing.bucket_em.resample_em`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csi.engines.cells import CellMoments, PatternMoments

__all__ = ["PatternStack", "pattern_stack"]


@dataclass(frozen=True)
class PatternStack:
    """``masks`` (P, p) observed items per pattern; ``center`` (p,); ``FTp`` (G, P, q), G = 1
    when unbucketed; ``n_obs`` respondents with at least one answer."""

    items: tuple
    masks: np.ndarray
    center: np.ndarray
    FTp: np.ndarray
    n_obs: int

    def pattern_moments(self) -> PatternMoments:
        p = self.masks.shape[1]
        tot = self.FTp.sum(axis=0)
        iu, ju = np.triu_indices(p)
        cross = np.zeros((len(tot), p, p))
        cross[:, iu, ju] = tot[:, 1 + p:]
        cross[:, ju, iu] = tot[:, 1 + p:]
        return PatternMoments(items=self.items, masks=self.masks, n=tot[:, 0], center=self.center,
                              sums=tot[:, 1:1 + p], cross=cross)


def pattern_stack(cells: CellMoments, rows) -> PatternStack:
    """The stack of one group's cells ``rows`` (positions in ``cells``)."""
    rows = np.asarray(rows)
    pat = cells.keys["pattern"].to_numpy()[rows]
    rows = rows[pat != 0]
    pat = pat[pat != 0]
    p = cells.p
    center = cells.center[rows[0]] if len(rows) else cells.center[0]
    _, s, tri = cells.shifted(rows, shift=center)
    codes, inv = np.unique(pat, return_inverse=True)
    G = max(cells.buckets, 1)
    b = cells.keys["bucket"].to_numpy()[rows] if cells.buckets else np.zeros(len(rows), dtype=np.int64)
    FTp = np.zeros((G, len(codes), 1 + p + tri.shape[1]))
    np.add.at(FTp, (b, inv), np.column_stack([cells.n[rows], s, tri]))
    masks = ((codes[:, None] >> np.arange(p)) & 1).astype(bool)
    return PatternStack(cells.items, masks, center, FTp, int(cells.n_obs[rows].sum()))
