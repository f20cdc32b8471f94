"""ACSI impacts: the change in a target index produced by a 5-point gain in a driver index.

ACSI reports, for each driver construct, the change in the target index (satisfaction,
loyalty) that a 5-point gain in the driver's 0-100 index would produce, holding everything
else fixed (Fornell et al. 1996). With a recursive path model on 0-100 scores this is
``gain x unstandardized total effect`` (see :mod:`csi.drivers.ipma` for how the total effects
and their bootstrap CIs are computed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.drivers.ipma import (
    _ancestors,
    bootstrap_total_effects,
    check_target,
    total_effects_from_scores,
)
from csi.drivers.scores import check_resampling, construct_scores
from csi.errors import ParameterError
from csi.survey import Survey

__all__ = ["acsi_impacts", "impacts_from_scores"]

IMPACT_COLUMNS = ["driver", "target", "total_effect", "gain", "impact", "impact_ci_low", "impact_ci_high"]


def impacts_from_scores(scores: pd.DataFrame, paths: list[tuple[str, str]], target: str, *,
                        gain: float = 5.0, n_boot: int = 500, seed: int | None = 0,
                        alpha: float = 0.05) -> pd.DataFrame:
    """Impacts of every predecessor of ``target`` from 0-100 construct scores.

    Examples
    --------
    >>> s = pd.DataFrame({"a": [0., 1, 2, 3], "b": [0., 2, 4, 6], "c": [1., 1, 5, 5]})
    >>> impacts_from_scores(s, [("a", "b"), ("b", "c")], "c", n_boot=0)["impact"].round(6).tolist()
    [4.0, 8.0]
    """
    if not np.isfinite(gain):
        raise ParameterError(f"The 'gain' parameter of acsi_impacts must be a finite number. Got {gain!r} instead.")
    te = total_effects_from_scores(scores, paths).set_index(["source", "target"])["total_effect"]
    drivers = _ancestors(paths, target)
    if n_boot > 0:
        names, T = bootstrap_total_effects(scores, paths, n_boot=n_boot, seed=seed)
    rows = []
    for d in drivers:
        lo = hi = np.nan
        if n_boot > 0:
            r = gain * T[:, names.index(d), names.index(target)]
            lo, hi = np.nanquantile(r, [alpha / 2, 1 - alpha / 2])
        rows.append({"driver": d, "target": target, "total_effect": float(te[(d, target)]),
                     "gain": float(gain), "impact": float(gain * te[(d, target)]),
                     "impact_ci_low": float(lo), "impact_ci_high": float(hi)})
    return pd.DataFrame(rows, columns=IMPACT_COLUMNS)


def acsi_impacts(survey: Survey, frame: pd.DataFrame, result=None, *, target: str | None = None,
                 gain: float = 5.0, n_boot: int = 500, seed: int | None = 0,
                 alpha: float = 0.05) -> pd.DataFrame:
    """ACSI impacts on ``target`` (default: the driver outcome, loyalty) of a ``gain``-point
    rise in each driver construct's 0-100 index.

    Returns
    -------
    DataFrame
        ``driver, target, total_effect, gain, impact, impact_ci_low, impact_ci_high``;
        ``impact`` is in target index points (0-100 scale). Binary constructs (complaint)
        are left out as drivers (their score is a rate).
    """
    check_resampling("acsi_impacts", n_boot=n_boot, alpha=alpha)
    target = check_target(survey, target)
    scores = construct_scores(survey, frame, result)
    out = impacts_from_scores(scores, survey.effective_paths, target, gain=gain, n_boot=n_boot,
                              seed=seed, alpha=alpha)
    binary = {c for c, spec in survey.constructs.items() if spec.binary}
    return out[~out["driver"].isin(binary)].reset_index(drop=True)
