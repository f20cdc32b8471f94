"""One group's fit from its moments: index, paths, outer weights and R^2 with bucket-bootstrap CIs.

A light result for fitting thousands of groups: the point estimate is
:func:`csi.estimate.pls.model.single_statistics` on the group's correlation matrix (the same code
:class:`~csi.estimate.pls.model.PLSPathModel` runs, so the numbers equal ``csi.fit`` on the group's
rows), the replicates come from :func:`csi.estimate.resample.buckets.bootstrap_buckets`, and the
tables are built only when asked for (arrays inside; a DataFrame costs more than the fit).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from csi.errors import DataError
from csi.estimate.moments import Moments
from csi.estimate.pls import effects as fx
from csi.estimate.pls.algorithm import ModelArrays
from csi.estimate.pls.model import _check_collinear, replicate_statistics, single_statistics
from csi.estimate.resample.bootstrap import interval
from csi.estimate.resample.buckets import bootstrap_buckets

__all__ = ["GroupFit", "ModelLayout", "fit_group"]

_STATS = ("index", "paths", "weights", "loadings", "r2")


@dataclass(frozen=True)
class ModelLayout:
    """Names and positions of the reported statistics, in the order of :class:`IndexResult`."""

    ma: ModelArrays
    path_pairs: tuple  # (i, j) construct positions, IndexResult.path_coefficients order
    n_pred: np.ndarray

    @classmethod
    def of(cls, model) -> ModelLayout:
        ma = ModelArrays.from_model(model)
        cids = ma.construct_ids
        order = {c: n for n, c in enumerate(model.topological_order())}
        pos = [(i, j) for i in range(ma.k) for j in range(ma.k) if ma.adj[i, j]]
        pos.sort(key=lambda ij: (order[cids[ij[1]]], ij[0]))
        return cls(ma, tuple(pos), np.array([len(ma.preds[j]) for j in range(ma.k)]))

    def pick(self, st: dict, batch: bool) -> dict:
        pi = np.array([i for i, _ in self.path_pairs], dtype=int)
        pj = np.array([j for _, j in self.path_pairs], dtype=int)
        endo = list(self.ma.endogenous)
        if batch:
            return {"index": st["index"], "paths": st["paths"][:, pi, pj], "weights": st["weights"],
                    "loadings": st["loadings"], "r2": st["r2"][:, endo]}
        return {"index": np.asarray(st["index"]), "paths": st["paths"][pi, pj], "weights": st["weights"],
                "loadings": st["loadings"], "r2": st["r2"][endo]}


@dataclass(frozen=True)
class GroupFit:
    """A group's estimates (arrays) and their bootstrap intervals; tables on demand.

    ``index`` (construct, score, se, ci_low, ci_high; 0-100, higher is better),
    ``path_coefficients`` (source, target, estimate, se, ci_low, ci_high; standardized),
    ``weights`` and ``loadings`` (construct, item, estimate, se, ci_low, ci_high), ``r2`` (construct, r2, r2_adj,
    se, ci_low, ci_high) have the columns of :class:`~csi.estimate.results.IndexResult`.
    """

    layout: ModelLayout
    n_obs: int
    n_weight: float
    estimates: dict
    intervals: dict
    n_boot: int
    n_valid: int
    converged: bool
    warnings: tuple = ()

    def _table(self, key: str, lead: dict, est_col: str) -> pd.DataFrame:
        iv = self.intervals.get(key)
        m = len(self.estimates[key])
        nan = np.full(m, np.nan)
        cols = dict(lead) | {est_col: self.estimates[key]}
        for c in ("se", "ci_low", "ci_high"):
            cols[c] = nan if iv is None else iv[c]
        return pd.DataFrame(cols)

    @cached_property
    def index(self) -> pd.DataFrame:
        return self._table("index", {"construct": list(self.layout.ma.construct_ids)}, "score")

    @cached_property
    def path_coefficients(self) -> pd.DataFrame:
        cids = self.layout.ma.construct_ids
        pp = self.layout.path_pairs
        return self._table("paths", {"source": [cids[i] for i, _ in pp], "target": [cids[j] for _, j in pp]},
                           "estimate")

    @cached_property
    def weights(self) -> pd.DataFrame:
        ma = self.layout.ma
        return self._table("weights", {"construct": [ma.construct_ids[j] for j in ma.item_block],
                                       "item": list(ma.item_ids)}, "estimate")

    @cached_property
    def loadings(self) -> pd.DataFrame:
        ma = self.layout.ma
        return self._table("loadings", {"construct": [ma.construct_ids[j] for j in ma.item_block],
                                        "item": list(ma.item_ids)}, "estimate")

    @cached_property
    def r2(self) -> pd.DataFrame:
        ma = self.layout.ma
        endo = list(ma.endogenous)
        tab = self._table("r2", {"construct": [ma.construct_ids[j] for j in endo]}, "r2")
        tab.insert(2, "r2_adj", fx.adjusted_r2(self.estimates["r2"], self.n_obs, self.layout.n_pred[endo]))
        return tab


def fit_group(layout: ModelLayout, mom: Moments, *, bucket_sums=None, bucket_shift=None, n_boot: int = 0,
              rng=None, weighting: str = "path", consistent: bool = False, alpha: float = 0.05,
              tol: float = 1e-7, max_iter: int = 300) -> GroupFit:
    """Fit one group from its moments (raises :class:`DataError` for a constant item or
    collinear items, as :class:`~csi.estimate.pls.model.PLSPathModel` does)."""
    ma = layout.ma
    cov = mom.cov()
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    const = [ma.item_ids[i] for i in np.flatnonzero(sd <= 1e-12 * (1 + np.abs(mom.mean)))]
    if const:
        raise DataError(f"item(s) {', '.join(const)} are constant (zero variance) in the group")
    R = mom.corr(cov)
    _check_collinear(R, ma)
    mean = mom.mean
    if consistent:
        st = replicate_statistics(R[:, :, None], mean[None], sd[None], ma, mom.n, scheme=weighting, tol=tol,
                                  max_iter=max_iter, consistent=True, want_rho_a=False, want_htmt=False)
        st = {k: (None if v is None else v[0]) for k, v in st.items()}
    else:
        st = single_statistics(R, mean, sd, ma, scheme=weighting, tol=tol, max_iter=max_iter)
    est = layout.pick(st, batch=False)
    warn = []
    if not bool(st["converged"]):
        warn.append(f"PLS did not converge in {max_iter} iterations (tol={tol:g})")
    if np.any(st["u"] < 0):
        warn.append("negative unstandardized weight(s): the index is not bounded to [0, 100]")
    intervals, n_valid = {}, 0
    if n_boot > 0 and bucket_sums is not None:
        w0 = st["weights"] if bool(st["converged"]) else None

        def stat_fn(Rt, m, s, n):
            rs = replicate_statistics(Rt, m, s, ma, n, scheme=weighting, tol=tol, max_iter=max_iter,
                                      consistent=consistent, w0=w0, want_rho_a=False, want_htmt=False,
                                      want_w_matrix=False)
            return layout.pick(rs, batch=True) | {"converged": rs["converged"]}

        boot = bootstrap_buckets(bucket_sums, bucket_shift, stat_fn, n_boot=n_boot, seed=rng)
        n_valid = boot.n_valid
        if boot.n_boot - boot.n_valid:
            warn.append(f"{boot.n_boot - boot.n_valid} of {boot.n_boot} bootstrap resamples excluded "
                        f"({boot.n_zero_variance} with a zero-variance item, {boot.n_not_converged} not converged)")
        if n_valid >= 2:
            intervals = {k: interval(est[k], boot.replicates[k], alpha=alpha, n=mom.n_obs) for k in _STATS}
    return GroupFit(layout, int(mom.n_obs), float(mom.n), est, intervals, int(n_boot), int(n_valid),
                    bool(st["converged"]), tuple(warn))
