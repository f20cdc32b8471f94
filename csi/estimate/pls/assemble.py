"""Build an :class:`~csi.estimate.results.IndexResult` from a fitted PLS model and its bootstrap."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import pandas as pd

from csi.estimate.pls import effects as fx
from csi.estimate.pls.model import PLSPathModel
from csi.estimate.resample.bootstrap import BootstrapResult, interval
from csi.estimate.results import IndexResult

__all__ = ["assemble_result"]

_NAN_CI = ("se", "ci_low", "ci_high", "p_value")


def _ci(est, reps, boot, key, *, alpha, ci, n):
    m = len(est)
    if boot is None or boot.n_valid < 2 or key not in boot.replicates or m == 0:
        nan = np.full(m, np.nan)
        return {"se": nan, "ci_low": nan, "ci_high": nan, "t": nan, "p_value": nan}
    jack = None if boot.jackknife is None else boot.jackknife.get(key)
    return interval(est, boot.replicates[key], alpha=alpha, method=ci, jack=jack, n=n)


def _columns(table: pd.DataFrame, names: tuple[str, str]) -> pd.MultiIndex:
    """Replicate-table columns: the (``names``) pairs of ``table`` as a MultiIndex."""
    return _multiindex(tuple(zip(table[names[0]], table[names[1]], strict=True)), names)


@lru_cache(maxsize=256)
def _multiindex(pairs: tuple, names: tuple[str, str]) -> pd.MultiIndex:
    # a model's columns are the same in every fit: built once (MultiIndex is immutable)
    return pd.MultiIndex.from_tuples(pairs, names=list(names))


class _Labels:
    """A fitted model's label columns, built once per model structure (string arrays are
    most of the cost of a small table) and the positions they label."""

    def __init__(self, est: PLSPathModel):
        ma = est.arrays_
        cids = list(ma.construct_ids)
        pos, order = est._path_positions()
        reach = [(i, j) for i in range(ma.k) for j in range(ma.k) if est._reachable(i, j)]
        reach.sort(key=lambda ij: (order[cids[ij[1]]], order[cids[ij[0]]]))
        endo = np.asarray(list(ma.endogenous), dtype=int)
        def arr(values):  # the dtype a DataFrame infers for these strings (str / object)
            return pd.Series(values, dtype=None if values else object).array

        self.construct = arr(cids)
        self.item_construct = arr([cids[j] for j in ma.item_block])
        self.item = arr(list(ma.item_ids))
        self.path = (np.array([i for i, _ in pos], dtype=int), np.array([j for _, j in pos], dtype=int))
        self.path_labels = (arr([cids[i] for i, _ in pos]), arr([cids[j] for _, j in pos]))
        self.reach = (np.array([i for i, _ in reach], dtype=int), np.array([j for _, j in reach], dtype=int))
        self.reach_labels = (arr([cids[i] for i, _ in reach]), arr([cids[j] for _, j in reach]))
        self.endo = endo
        self.endo_labels = arr([cids[j] for j in endo])
        self.n_pred = np.array([len(ma.preds[j]) for j in range(ma.k)])[endo]
        self.htmt_labels = (arr([cids[a] for a, _ in est.htmt_pairs_]),
                            arr([cids[b] for _, b in est.htmt_pairs_]))

    @classmethod
    def of(cls, est: PLSPathModel) -> _Labels:
        ma = est.arrays_
        got = ma.__dict__.get("_result_labels")
        if got is None:  # ModelArrays is cached per model object: so are its labels
            got = cls(est)
            object.__setattr__(ma, "_result_labels", got)
        return got


def _point_estimates(est: PLSPathModel, key: str) -> tuple[dict, np.ndarray]:
    """The label columns and the estimate column of result table ``key``, from the fit's
    statistics (the same numbers as the estimator's own tables, without building them)."""
    lab, st = _Labels.of(est), est.stats_
    if key == "paths":
        return {"source": lab.path_labels[0], "target": lab.path_labels[1]}, st["paths"][lab.path]
    if key == "total":
        return {"source": lab.reach_labels[0], "target": lab.reach_labels[1]}, st["total"][lab.reach]
    if key in ("loadings", "weights", "u"):
        return {"construct": lab.item_construct, "item": lab.item}, np.asarray(st[key], float)
    if key == "index":
        return {"construct": lab.construct}, np.asarray(st["index"], float)
    if key == "r2":
        return {"construct": lab.endo_labels}, np.asarray(st["r2"], float)[lab.endo]
    if st["htmt"] is None:  # key == "htmt"
        est.htmt_  # noqa: B018 - computes st["htmt"]
    return {"construct_a": lab.htmt_labels[0], "construct_b": lab.htmt_labels[1]}, \
        np.asarray(st["htmt"], float)


def assemble_result(
    est: PLSPathModel,
    boot: BootstrapResult | None,
    *,
    alpha: float,
    ci: str,
    survey_version: str | None,
    warnings: tuple[str, ...],
    n_boot: int,
    options: dict | None = None,
) -> IndexResult:
    """Tidy tables with SEs/CIs; replicates kept in ``extra`` for IPMA and ``conf_int``.

    Without a bootstrap the tables are built on first access (:meth:`IndexResult.deferred`):
    a caller reading only the index does not pay for the quality tables. With a bootstrap
    they are built here, the intervals of the tables in two threads.
    """
    n = est.n_obs_
    kw = {"alpha": alpha, "ci": ci, "n": n}
    full, short = ("se", "ci_low", "ci_high", "p_value"), ("se", "ci_low", "ci_high")

    def total_table():
        eff = est.effects_
        return pd.DataFrame({"source": eff["source"], "target": eff["target"], "estimate": eff["total"]})

    tables = {  # replicate key: (point-estimate table, estimate column, interval columns)
        "paths": (lambda: est.path_coefficients_, "estimate", full),
        "total": (total_table, "estimate", full),
        "loadings": (lambda: est.loadings_, "estimate", short),
        "weights": (lambda: est.outer_weights_, "estimate", short),
        "r2": (lambda: est.r2_, "r2", short),
        "index": (lambda: est.index_, "score", short),
        "htmt": (lambda: est.htmt_, "estimate", ("ci_low", "ci_high")),
        "u": (lambda: est.unstandardized_weights_, "estimate", short),
    }

    def with_ci(key):
        _, est_col, cols = tables[key]
        labels, values = _point_estimates(est, key)
        r = _ci(values, None, boot, key, **kw)
        extra_cols = {}
        if key == "r2":
            lab = _Labels.of(est)
            extra_cols["r2_adj"] = fx.adjusted_r2(values, est.n_obs_, lab.n_pred)
        # one constructor call from cached label arrays (a copy of the estimator's table plus
        # one insert per interval column cost ~5x more)
        return pd.DataFrame({**labels, est_col: values, **extra_cols, **{c: r[c] for c in cols}},
                            copy=False)

    def admissibility():
        adm = est.admissibility_
        if boot is None:
            return adm
        bad = boot.n_boot - boot.n_valid
        return pd.concat([adm, pd.DataFrame([{
            "check": "bootstrap_resamples",
            "status": "ok" if bad == 0 else "warning",
            "detail": f"{boot.n_valid} of {boot.n_boot} resamples valid; {boot.n_zero_variance} "
                      f"excluded for a zero-variance item, {boot.n_not_converged} for non-convergence",
        }])], ignore_index=True)

    has_items = est._has_items()
    eager = {
        "method": "pls", "n_obs": n, "n_iter": est.n_iter_, "converged": est.converged_,
        "n_boot": n_boot, "survey_version": survey_version, "missing": dict(est.missing_),
        "warnings": warnings, "fit": {"srmr": est.srmr_}, "model": est.model_,
        "options": dict(options or {}, method="pls", n_boot=n_boot, alpha=alpha, ci=ci,
                        weighting=est.weighting, consistent=est.consistent,
                        missing=est.missing_.get("policy")),
    }
    field_tables = {"index": "index", "path_coefficients": "paths", "total_effects": "total",
                    "loadings": "loadings", "weights": "weights", "unstandardized_weights": "u",
                    "r2": "r2", "htmt": "htmt"}
    lazy = {
        "scores": lambda: est.index_scores_ if has_items else pd.DataFrame(),
        "std_scores": lambda: est.scores_ if has_items else pd.DataFrame(),
        "reliability": lambda: est.reliability_,
        "admissibility": admissibility,
    }
    if boot is None:
        done = {}
        lazy.update({f: (lambda k=k: with_ci(k)) for f, k in field_tables.items()})
    else:  # the quantiles of the replicates (most of this time) release the GIL
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = dict(zip(tables, pool.map(with_ci, tables), strict=True))
        eager.update({f: done[k] for f, k in field_tables.items()})

    def extra():
        out: dict = {
            "effects": est.effects_,
            "f2": est.f2_,
            "cross_loadings": est.cross_loadings_,
            "construct_correlations": est.construct_correlations_,
            "fornell_larcker": est.fornell_larcker_,
            "vif_outer": est.vif_outer_,
            "vif_inner": est.vif_inner_,
            "srmr": est.srmr_,
            "unstandardized_weights": done["u"] if done else res.unstandardized_weights,
            "weighting": est.weighting,
            "consistent": est.consistent,
            "ci": ci,
            "alpha": alpha,
        }
        # mediation (issue 16): csi.estimate.analysis.indirect.mediation(result) builds the tables
        # on demand from the replicates below; BCa needs the paths' jackknife as well
        if boot is not None and ci == "bca" and boot.jackknife:
            out["jackknife"] = {k: boot.jackknife[k] for k in ("paths", "total") if k in boot.jackknife}
        if boot is not None:
            out["bootstrap"] = {
                "n_boot": boot.n_boot,
                "n_valid": boot.n_valid,
                "n_zero_variance": boot.n_zero_variance,
                "n_not_converged": boot.n_not_converged,
                "policy": "invalid resamples excluded (not redrawn)",
            }
            reps = boot.replicates
            cols_t = _columns(done["total"], ("source", "target"))
            cols_p = _columns(done["paths"], ("source", "target"))
            cols_i = _columns(est.loadings_, ("construct", "item"))
            out["replicates"] = {
                "paths": pd.DataFrame(reps["paths"], columns=cols_p),
                "total_effects": pd.DataFrame(reps["total"], columns=cols_t),
                "index": pd.DataFrame(reps["index"], columns=list(est.index_["construct"])),
                "weights": pd.DataFrame(reps["weights"], columns=cols_i),
                "loadings": pd.DataFrame(reps["loadings"], columns=cols_i),
                "unstandardized_weights": pd.DataFrame(reps["u"], columns=cols_i),
                "r2": pd.DataFrame(reps["r2"], columns=list(est.r2_["construct"])),
                "htmt": pd.DataFrame(reps["htmt"], columns=_columns(est.htmt_, ("construct_a", "construct_b"))),
            }
        return out

    if boot is None:
        res = IndexResult.deferred(eager, {**lazy, "extra": extra})
        return res
    eager.update({f: make() for f, make in lazy.items()})
    eager["extra"] = extra()
    return IndexResult(**eager)
