"""The result tables of a PLS fit: labelled DataFrames built from its statistics.

A fitted :class:`~csi.estimate.pls.model.PLSPathModel` keeps its numbers as arrays
(``stats_``: weights, loadings, construct correlations, paths, ...). Each table is built
from them on first access by the builder :data:`BUILDERS` names, with the label columns of
:class:`TableLabels` (made once per model) and :func:`csi.estimate.frames.frame`; the
quality measures a table needs (reliability, HTMT, VIF, f²) are computed once per fit by
:func:`value` and shared by the tables that use them (reliability and admissibility,
VIF and f²). :mod:`csi.estimate.pls.assemble` reads the same arrays for the
:class:`~csi.estimate.results.IndexResult` tables (with interval columns).

To add a table: write ``build_<name>(est)`` here and list it in :data:`BUILDERS`; it becomes
the estimator attribute ``<name>_``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.estimate.frames import frame, labels, matrix, square
from csi.estimate.pls import effects as fx
from csi.estimate.quality import measurement as q

__all__ = ["BUILDERS", "TableLabels", "value"]


class TableLabels:
    """A model's label columns and the positions they label, built once per model structure
    (string columns are most of the cost of a small table)."""

    def __init__(self, model, ma):
        cids = list(ma.construct_ids)
        order = {c: n for n, c in enumerate(model.topological_order())}
        pos = [(i, j) for i in range(ma.k) for j in range(ma.k) if ma.adj[i, j]]
        pos.sort(key=lambda ij: (order[cids[ij[1]]], ij[0]))
        reach = [(i, j) for i in range(ma.k) for j in range(ma.k) if _reachable(ma, i, j)]
        reach.sort(key=lambda ij: (order[cids[ij[1]]], order[cids[ij[0]]]))
        endo = np.asarray(list(ma.endogenous), dtype=int)
        self.construct_ids = tuple(cids)
        self.item_ids = tuple(ma.item_ids)
        self.construct = labels(cids)
        self.item_construct = labels([cids[j] for j in ma.item_block])
        self.item = labels(list(ma.item_ids))
        self.path_pairs = pos
        self.path = (np.array([i for i, _ in pos], dtype=int), np.array([j for _, j in pos], dtype=int))
        self.path_labels = (labels([cids[i] for i, _ in pos]), labels([cids[j] for _, j in pos]))
        self.reach_pairs = reach
        self.reach = (np.array([i for i, _ in reach], dtype=int), np.array([j for _, j in reach], dtype=int))
        self.reach_labels = (labels([cids[i] for i, _ in reach]), labels([cids[j] for _, j in reach]))
        self.endo = endo
        self.endo_labels = labels([cids[j] for j in endo])
        self.n_pred = np.array([len(ma.preds[j]) for j in range(ma.k)])[endo]
        self.htmt_pairs = q.htmt_pairs(ma)
        self.htmt_labels = (labels([cids[a] for a, _ in self.htmt_pairs]),
                            labels([cids[b] for _, b in self.htmt_pairs]))
        inner = [(int(i), int(j)) for j in ma.endogenous for i in ma.preds[j]]  # target order
        self.inner = (np.array([i for i, _ in inner], dtype=int), np.array([j for _, j in inner], dtype=int))
        self.inner_labels = (labels([cids[i] for i, _ in inner]), labels([cids[j] for _, j in inner]))

    @classmethod
    def of(cls, model, ma) -> TableLabels:
        got = ma.__dict__.get("_table_labels")
        if got is None:  # ModelArrays is cached per model object: so are its labels
            got = cls(model, ma)
            object.__setattr__(ma, "_table_labels", got)
        return got


def _reachable(ma, i: int, j: int) -> bool:
    seen, stack = set(), [i]
    while stack:
        a = stack.pop()
        for b in ma.succs[a]:
            if b == j:
                return True
            if b not in seen:
                seen.add(b)
                stack.append(int(b))
    return False


# -- quality values: computed once per fit, kept in est.stats_ ---------------------------------
def _reliability(est) -> dict:
    st = est.stats_
    rel = q.reliability_single(est.corr_, st["loadings"], st["W"], est.arrays_)
    if st.get("rho_a") is not None:  # PLSc computed rho_A with the fit
        rel["rho_a"] = np.asarray(st["rho_a"], float)
    return rel


def _inner(est) -> tuple[np.ndarray, np.ndarray]:
    st = est.stats_
    return fx.inner_vif_f2(st["C"], st["paths"], np.asarray(st["r2"], float), est.arrays_)


_VALUES = {
    "reliability": _reliability,
    "htmt": lambda est: q.htmt_single(est.corr_, est.arrays_, est.htmt_pairs_),
    "item_vif": lambda est: q.item_vif(est.corr_, est.arrays_),
    "inner_vif_f2": _inner,
    "srmr": lambda est: q.srmr(est.corr_, est.stats_["C"], est.stats_["loadings"], est.arrays_),
}


def value(est, key: str):
    """A quality value of ``est``'s fit (:data:`_VALUES`), computed on first use and kept."""
    st = est.stats_
    got = st.get(key)
    if got is None:
        got = st[key] = _VALUES[key](est)
    return got


def _labels(est) -> TableLabels:
    return TableLabels.of(est.model_, est.arrays_)


# -- tables ------------------------------------------------------------------------------------
def _per_item(est, values, name="estimate") -> pd.DataFrame:
    lab = _labels(est)
    return frame({"construct": lab.item_construct, "item": lab.item, name: np.asarray(values, float)})


def build_outer_weights(est):
    return _per_item(est, est.stats_["weights"])


def build_unstandardized_weights(est):
    return _per_item(est, est.stats_["u"])


def build_loadings(est):
    return _per_item(est, est.stats_["loadings"])


def build_cross_loadings(est):
    lab = _labels(est)
    return matrix(est.corr_ @ est.stats_["W"], lab.item_ids, lab.construct_ids)


def build_construct_correlations(est):
    return square(est.stats_["C"], _labels(est).construct_ids)


def build_path_coefficients(est):
    lab = _labels(est)
    return frame({"source": lab.path_labels[0], "target": lab.path_labels[1],
                  "estimate": est.stats_["paths"][lab.path]})


def build_effects(est):
    lab, st = _labels(est), est.stats_
    direct, total = st["paths"][lab.reach], st["total"][lab.reach]
    return frame({"source": lab.reach_labels[0], "target": lab.reach_labels[1],
                  "direct": direct, "indirect": total - direct, "total": total})


def build_total_pairs(est):
    return list(_labels(est).reach_pairs)


def build_r2(est):
    lab = _labels(est)
    r2 = np.asarray(est.stats_["r2"], float)[lab.endo]
    return frame({"construct": lab.endo_labels, "r2": r2,
                  "r2_adj": fx.adjusted_r2(r2, est.n_obs_, lab.n_pred)})


def build_f2(est):
    lab = _labels(est)
    return frame({"source": lab.path_labels[0], "target": lab.path_labels[1],
                  "f2": value(est, "inner_vif_f2")[1][lab.path]})


def build_index(est):
    return frame({"construct": _labels(est).construct, "score": np.asarray(est.stats_["index"], float)})


def build_reliability(est):
    rel = value(est, "reliability")
    return frame({"construct": _labels(est).construct, **{c: rel[c] for c in ("alpha", "rho_a", "rho_c", "ave")}})


def build_htmt(est):
    lab = _labels(est)
    return frame({"construct_a": lab.htmt_labels[0], "construct_b": lab.htmt_labels[1],
                  "estimate": np.asarray(value(est, "htmt"), float)})


def build_fornell_larcker(est):
    return q.fornell_larcker(est.stats_["C"], value(est, "reliability")["ave"], _labels(est).construct_ids)


def build_vif_outer(est):
    return _per_item(est, value(est, "item_vif"), name="vif")


def build_vif_inner(est):
    lab = _labels(est)
    if not len(lab.inner[0]):
        return pd.DataFrame([], columns=["source", "target", "vif"])
    return frame({"source": lab.inner_labels[0], "target": lab.inner_labels[1],
                  "vif": value(est, "inner_vif_f2")[0][lab.inner]})


def build_srmr(est):
    return value(est, "srmr")


def build_admissibility(est):
    st, rel = est.stats_, value(est, "reliability")
    return q.admissibility_rows(converged=est.converged_, n_iter=est.n_iter_, loadings=st["loadings"],
                                rho_a=rel["rho_a"], rho_c=rel["rho_c"], C=st["C"], u=st["u"],
                                ma=est.arrays_)


#: estimator attribute -> its builder (called on first access)
BUILDERS = {
    "outer_weights_": build_outer_weights,
    "unstandardized_weights_": build_unstandardized_weights,
    "loadings_": build_loadings,
    "cross_loadings_": build_cross_loadings,
    "construct_correlations_": build_construct_correlations,
    "path_coefficients_": build_path_coefficients,
    "total_pairs_": build_total_pairs,
    "effects_": build_effects,
    "r2_": build_r2,
    "f2_": build_f2,
    "index_": build_index,
    "reliability_": build_reliability,
    "htmt_": build_htmt,
    "fornell_larcker_": build_fornell_larcker,
    "vif_outer_": build_vif_outer,
    "vif_inner_": build_vif_inner,
    "srmr_": build_srmr,
    "admissibility_": build_admissibility,
}
