"""Build an :class:`~csi.estimate.results.IndexResult` from a fitted PLS model and its bootstrap."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import pandas as pd

from csi.estimate.frames import frame
from csi.estimate.pls import effects as fx
from csi.estimate.pls import tables as tb
from csi.estimate.pls.model import PLSPathModel
from csi.estimate.resample.bootstrap import BootstrapResult, interval
from csi.estimate.results import IndexResult

__all__ = ["TYPED_TABLES", "assemble_result"]


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


def _point_estimates(est: PLSPathModel, key: str) -> tuple[dict, np.ndarray]:
    """The label columns and the estimate column of result table ``key``, from the fit's
    statistics (the same numbers as the estimator's own tables, without building them)."""
    lab, st = tb.TableLabels.of(est.model_, est.arrays_), est.stats_
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
    return {"construct_a": lab.htmt_labels[0], "construct_b": lab.htmt_labels[1]}, \
        np.asarray(tb.value(est, "htmt"), float)  # key == "htmt"


#: replicate key -> (estimate column, interval columns) of its result table
_CI_TABLES = {
    "paths": ("estimate", ("se", "ci_low", "ci_high", "p_value")),
    "total": ("estimate", ("se", "ci_low", "ci_high", "p_value")),
    "loadings": ("estimate", ("se", "ci_low", "ci_high")),
    "weights": ("estimate", ("se", "ci_low", "ci_high")),
    "r2": ("r2", ("se", "ci_low", "ci_high")),
    "index": ("score", ("se", "ci_low", "ci_high")),
    "htmt": ("estimate", ("ci_low", "ci_high")),
    "u": ("estimate", ("se", "ci_low", "ci_high")),
}
#: result field -> replicate key of its table
_FIELD_TABLES = {"index": "index", "path_coefficients": "paths", "total_effects": "total",
                 "loadings": "loadings", "weights": "weights", "unstandardized_weights": "u",
                 "r2": "r2", "htmt": "htmt"}
#: typed result field -> the estimator table it is (PLS only)
TYPED_TABLES = {"effects": "effects_", "f2": "f2_", "vif_outer": "vif_outer_", "vif_inner": "vif_inner_",
                "cross_loadings": "cross_loadings_", "fornell_larcker": "fornell_larcker_",
                "construct_correlations": "construct_correlations_"}


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
    survey=None,
) -> IndexResult:
    """Tidy tables with SEs/CIs; replicates kept in ``extra`` for IPMA and ``conf_int``.

    ``survey`` is the survey object the fit was called with (kept as ``result.survey``).

    Without a bootstrap the tables are built on first access (:meth:`IndexResult.deferred`):
    a caller reading only the index does not pay for the quality tables. With a bootstrap
    they are built here, the intervals of the tables in two threads.
    """
    n = est.n_obs_
    kw = {"alpha": alpha, "ci": ci, "n": n}

    def with_ci(key):
        est_col, cols = _CI_TABLES[key]
        labels, values = _point_estimates(est, key)
        r = _ci(values, None, boot, key, **kw)
        extra_cols = {}
        if key == "r2":
            lab = tb.TableLabels.of(est.model_, est.arrays_)
            extra_cols["r2_adj"] = fx.adjusted_r2(values, est.n_obs_, lab.n_pred)
        return frame({**labels, est_col: values, **extra_cols, **{c: r[c] for c in cols}})

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
        "warnings": warnings, "model": est.model_, "survey": survey,
        "options": dict(options or {}, method="pls", n_boot=n_boot, alpha=alpha, ci=ci,
                        weighting=est.weighting, consistent=est.consistent,
                        missing=est.missing_.get("policy")),
    }
    lazy = {
        "fit": lambda: {"srmr": est.srmr_},
        "scores": lambda: est.index_scores_ if has_items else pd.DataFrame(),
        "std_scores": lambda: est.scores_ if has_items else pd.DataFrame(),
        "reliability": lambda: est.reliability_,
        "admissibility": admissibility,
        **{f: (lambda a=a: getattr(est, a)) for f, a in TYPED_TABLES.items()},
    }
    if boot is None:
        done = {}
        lazy.update({f: (lambda k=k: with_ci(k)) for f, k in _FIELD_TABLES.items()})
    else:  # the quantiles of the replicates (most of this time) release the GIL
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = dict(zip(_CI_TABLES, pool.map(with_ci, _CI_TABLES), strict=True))
        eager.update({f: done[k] for f, k in _FIELD_TABLES.items()})

    def extra():
        # the typed tables under their attribute names (the same objects), for code written
        # against the dict; the rest is what only the bootstrap has
        out: dict = {f: getattr(res, f) for f in TYPED_TABLES}
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
            cols_i = _columns(done["loadings"], ("construct", "item"))
            out["replicates"] = {
                "paths": pd.DataFrame(reps["paths"], columns=cols_p),
                "total_effects": pd.DataFrame(reps["total"], columns=cols_t),
                "index": pd.DataFrame(reps["index"], columns=list(est.arrays_.construct_ids)),
                "weights": pd.DataFrame(reps["weights"], columns=cols_i),
                "loadings": pd.DataFrame(reps["loadings"], columns=cols_i),
                "unstandardized_weights": pd.DataFrame(reps["u"], columns=cols_i),
                "r2": pd.DataFrame(reps["r2"], columns=list(done["r2"]["construct"])),
                "htmt": pd.DataFrame(reps["htmt"], columns=_columns(done["htmt"], ("construct_a", "construct_b"))),
            }
        return out

    if boot is None:
        res = IndexResult.deferred(eager, {**lazy, "extra": extra})
        return res
    eager.update({f: make() for f, make in lazy.items()})
    res = IndexResult(**eager)
    object.__setattr__(res, "extra", extra())  # names the result's own typed tables
    return res
