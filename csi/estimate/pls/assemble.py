"""Build an :class:`~csi.estimate.results.IndexResult` from a fitted PLS model and its bootstrap."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import pandas as pd

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


def assemble_result(
    est: PLSPathModel,
    boot: BootstrapResult | None,
    *,
    alpha: float,
    ci: str,
    survey_version: str | None,
    warnings: tuple[str, ...],
    n_boot: int,
) -> IndexResult:
    """Tidy tables with SEs/CIs; replicates kept in ``extra`` for IPMA and ``conf_int``."""
    n = est.n_obs_
    kw = {"alpha": alpha, "ci": ci, "n": n}

    eff = est.effects_
    full, short = ("se", "ci_low", "ci_high", "p_value"), ("se", "ci_low", "ci_high")
    tables = {  # replicate key: (point-estimate table, estimate column, interval columns)
        "paths": (est.path_coefficients_, "estimate", full),
        "total": (pd.DataFrame({"source": eff["source"], "target": eff["target"],
                                "estimate": eff["total"]}), "estimate", full),
        "loadings": (est.loadings_, "estimate", short),
        "weights": (est.outer_weights_, "estimate", short),
        "r2": (est.r2_, "r2", short),
        "index": (est.index_, "score", short),
        "htmt": (est.htmt_, "estimate", ("ci_low", "ci_high")),
        "u": (est.unstandardized_weights_, "estimate", short),
    }

    def with_ci(key):
        df, est_col, cols = tables[key]
        r = _ci(df[est_col].to_numpy(float), None, boot, key, **kw)
        out = df.copy()
        for c in cols:
            out[c] = r[c]
        return out

    if boot is None:
        done = {key: with_ci(key) for key in tables}
    else:  # the quantiles of the replicates (most of this time) release the GIL
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = dict(zip(tables, pool.map(with_ci, tables), strict=True))
    paths, total, loadings, weights = done["paths"], done["total"], done["loadings"], done["weights"]
    r2, index, htmt, uw = done["r2"], done["index"], done["htmt"], done["u"]

    adm = est.admissibility_
    if boot is not None:
        bad = boot.n_boot - boot.n_valid
        adm = pd.concat([adm, pd.DataFrame([{
            "check": "bootstrap_resamples",
            "status": "ok" if bad == 0 else "warning",
            "detail": f"{boot.n_valid} of {boot.n_boot} resamples valid; {boot.n_zero_variance} "
                      f"excluded for a zero-variance item, {boot.n_not_converged} for non-convergence",
        }])], ignore_index=True)

    has_items = est._has_items()
    extra: dict = {
        "effects": est.effects_,
        "f2": est.f2_,
        "cross_loadings": est.cross_loadings_,
        "construct_correlations": est.construct_correlations_,
        "fornell_larcker": est.fornell_larcker_,
        "vif_outer": est.vif_outer_,
        "vif_inner": est.vif_inner_,
        "srmr": est.srmr_,
        "unstandardized_weights": uw,
        "weighting": est.weighting,
        "consistent": est.consistent,
        "ci": ci,
        "alpha": alpha,
    }
    # mediation (issue 16): csi.estimate.analysis.indirect.mediation(result) builds the tables on
    # demand from the replicates below; BCa needs the paths' jackknife as well
    if boot is not None and ci == "bca" and boot.jackknife:
        extra["jackknife"] = {k: boot.jackknife[k] for k in ("paths", "total") if k in boot.jackknife}
    if boot is not None:
        extra["bootstrap"] = {
            "n_boot": boot.n_boot,
            "n_valid": boot.n_valid,
            "n_zero_variance": boot.n_zero_variance,
            "n_not_converged": boot.n_not_converged,
            "policy": "invalid resamples excluded (not redrawn)",
        }
        reps = boot.replicates
        cols_t = _columns(total, ("source", "target"))
        cols_p = _columns(paths, ("source", "target"))
        cols_i = _columns(est.loadings_, ("construct", "item"))
        extra["replicates"] = {
            "paths": pd.DataFrame(reps["paths"], columns=cols_p),
            "total_effects": pd.DataFrame(reps["total"], columns=cols_t),
            "index": pd.DataFrame(reps["index"], columns=list(est.index_["construct"])),
            "weights": pd.DataFrame(reps["weights"], columns=cols_i),
            "loadings": pd.DataFrame(reps["loadings"], columns=cols_i),
            "unstandardized_weights": pd.DataFrame(reps["u"], columns=cols_i),
            "r2": pd.DataFrame(reps["r2"], columns=list(est.r2_["construct"])),
            "htmt": pd.DataFrame(reps["htmt"], columns=_columns(est.htmt_, ("construct_a", "construct_b"))),
        }
    return IndexResult(
        method="pls",
        n_obs=n,
        index=index,
        scores=est.index_scores_ if has_items else pd.DataFrame(),
        std_scores=est.scores_ if has_items else pd.DataFrame(),
        path_coefficients=paths,
        total_effects=total,
        loadings=loadings,
        weights=weights,
        unstandardized_weights=uw,
        reliability=est.reliability_,
        r2=r2,
        htmt=htmt,
        admissibility=adm,
        n_iter=est.n_iter_,
        converged=est.converged_,
        n_boot=n_boot,
        survey_version=survey_version,
        missing=dict(est.missing_),
        warnings=warnings,
        fit={"srmr": est.srmr_},
        extra=extra,
    )
