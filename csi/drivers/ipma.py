"""Importance-performance map (IPMA): what to fix first for a target construct.

Definitions (Ringle & Sarstedt 2016, "Gain more insight from your PLS-SEM results: the
importance-performance map analysis"; SmartPLS's IPMA):

- *performance* of a construct = its mean 0-100 index score (theoretical bounds; higher is
  better); of an item = its mean 0-100 rescaled value;
- *importance* of a construct = its **unstandardized total effect** on the target, estimated by
  OLS regressions of each endogenous construct on its predecessors using the 0-100 construct
  scores (so "one index point more in X gives ``importance`` index points more in the target");
- *importance* of an item = construct importance x the item's rescaled outer weight (the
  unstandardized weights of the 0-100 index, summing to 1 per construct);
- confidence intervals: percentile bootstrap of the score regressions (respondents resampled,
  outer weights held at their estimates; seeded);
- quadrants, split at the **mean importance** (vertical line) and the **importance-weighted
  mean performance** ``sum(max(I,0) P) / sum(max(I,0))`` (horizontal line), computed over the
  points of one level: ``fix first`` (importance >= cut, performance < cut), ``keep up``
  (important, performance >= cut), ``low priority`` (less important, low performance),
  ``possible overkill`` (less important, high performance).

Binary constructs (the ACSI complaint construct) are mediators in the total effects but are
not map points: their 0-100 score is a rate where higher is worse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.drivers.scores import (
    check_resampling,
    check_variance,
    construct_scores,
    item_scores,
    outcome_id,
)
from csi.errors import DataError, ParameterError
from csi.survey import Survey

__all__ = ["importance_performance", "ipma_table", "total_effects_from_scores",
           "bootstrap_total_effects", "quadrants", "check_target", "QUADRANTS"]

QUADRANTS = ("fix first", "keep up", "low priority", "possible overkill")
IPMA_COLUMNS = ["level", "name", "construct", "importance", "importance_ci_low",
                "importance_ci_high", "performance", "quadrant"]


def _ancestors(paths: list[tuple[str, str]], target: str) -> list[str]:
    seen: list[str] = []
    todo = [target]
    while todo:
        t = todo.pop()
        for s, tt in paths:
            if tt == t and s not in seen:
                seen.append(s)
                todo.append(s)
    return seen


def check_target(survey: Survey, target: str | None) -> str:
    """The target construct id (default: the driver outcome, i.e. loyalty); must be endogenous."""
    target = outcome_id(survey) if target is None else target
    endo = sorted({t for _, t in survey.effective_paths})
    if target not in survey.constructs:
        raise ParameterError(f"target {target!r} is not a construct of survey {survey.id!r}; "
                             f"expected one of {', '.join(endo)}.")
    if target not in endo:
        raise ParameterError(f"target {target!r} is not endogenous (no path leads to it), so it has no "
                             f"drivers; choose one of {', '.join(endo)}.")
    return target


def _design(scores: pd.DataFrame, paths: list[tuple[str, str]]):
    names = list(dict.fromkeys([s for s, _ in paths] + [t for _, t in paths]))
    data = scores[names].dropna()
    if len(data) < len(names) + 1:
        raise DataError(f"only {len(data)} respondents have every construct score; at least "
                        f"{len(names) + 1} are needed for the score regressions.")
    check_variance(data, "construct")
    return names, data.to_numpy(float)


def _totals_from_cross(C: np.ndarray, names: list[str], paths) -> np.ndarray:
    """Total effects (..., k, k) [source, target] from cross-product matrices C (..., k+1, k+1)
    of ``[1, scores]``."""
    k = len(names)
    idx = {c: i for i, c in enumerate(names)}
    B = np.zeros(C.shape[:-2] + (k, k))
    for t in dict.fromkeys(t for _, t in paths):
        preds = [idx[s] for s, tt in paths if tt == t]
        cols = [0] + [p + 1 for p in preds]
        A = C[..., cols][..., cols, :]
        b = C[..., cols, idx[t] + 1]
        coef = np.linalg.solve(A, b[..., None])[..., 0]
        for j, p in enumerate(preds):
            B[..., p, idx[t]] = coef[..., j + 1]
    eye = np.eye(k)
    return np.linalg.inv(eye - B) - eye  # B @ (I - B)^-1 summed: all path products


def total_effects_from_scores(scores: pd.DataFrame, paths: list[tuple[str, str]]) -> pd.DataFrame:
    """Unstandardized total effects ``source, target, total_effect`` from OLS regressions of
    every endogenous construct on its predecessors (complete rows of ``scores``).

    Examples
    --------
    >>> s = pd.DataFrame({"a": [0., 1, 2, 3], "b": [0., 2, 4, 6], "c": [1., 1, 5, 5]})
    >>> te = total_effects_from_scores(s, [("a", "b"), ("b", "c")])
    >>> te.set_index(["source", "target"])["total_effect"].round(6).to_dict()
    {('a', 'b'): 2.0, ('a', 'c'): 1.6, ('b', 'c'): 0.8}
    """
    names, x = _design(scores, paths)
    z = np.column_stack([np.ones(len(x)), x])
    T = _totals_from_cross(z.T @ z, names, paths)
    rows = [(s, t, T[i, j]) for j, t in enumerate(names) for i, s in enumerate(names)
            if t in {tt for _, tt in paths} and s in _ancestors(paths, t)]
    return pd.DataFrame(rows, columns=["source", "target", "total_effect"])


#: Resamples whose weights are held at once (chunk x respondents floats: 50 x 100,000 = 40 MB).
_BOOT_CHUNK = 50


def resample_counts(rng: np.random.Generator, n: int, n_boot: int, chunk: int = _BOOT_CHUNK):
    """Bootstrap resamples of ``n`` respondents as counts, ``chunk`` at a time: yields
    ``(first, counts)`` with ``counts`` of shape (m, n), float, each row summing to ``n``.

    A row is ``bincount`` of n uniform draws: the multinomial distribution of resampling with
    replacement, ~2x cheaper to draw than ``rng.multinomial`` at 100,000 respondents. Rows are
    written into one float buffer (no stacked integer copy to convert).
    """
    for lo in range(0, n_boot, chunk):
        m = min(chunk, n_boot - lo)
        counts = np.empty((m, n))
        for i in range(m):
            counts[i] = np.bincount(rng.integers(0, n, n), minlength=n)
        yield lo, counts


def bootstrap_total_effects(scores: pd.DataFrame, paths: list[tuple[str, str]], *, n_boot: int = 500,
                            seed: int | None = 0) -> tuple[list[str], np.ndarray]:
    """Bootstrap replicates (n_boot, k, k) of the unstandardized total effects (respondents
    resampled with replacement, seeded).

    Each resample is a vector of counts (:func:`resample_counts`); its cross-product matrix is
    ``counts @ outer`` (the moments, not the rows; the upper triangle, mirrored), computed for
    ``_BOOT_CHUNK`` resamples per matrix product so memory stays bounded.
    """
    names, x = _design(scores, paths)
    z = np.column_stack([np.ones(len(x)), x])
    n, p = z.shape
    rng = np.random.default_rng(seed)
    iu = np.triu_indices(p)
    outer = z[:, iu[0]] * z[:, iu[1]]
    C = np.empty((n_boot, p, p))
    for lo, w in resample_counts(rng, n, n_boot):
        m = w @ outer
        C[lo:lo + len(w), iu[0], iu[1]] = m
        C[lo:lo + len(w), iu[1], iu[0]] = m
    with np.errstate(all="ignore"):
        try:
            T = _totals_from_cross(C, names, paths)
        except np.linalg.LinAlgError:  # a degenerate resample: drop them one by one
            keep = [i for i in range(n_boot) if np.linalg.matrix_rank(C[i]) == C.shape[1]]
            T = _totals_from_cross(C[keep], names, paths)
    return names, T


def quadrants(importance: np.ndarray, performance: np.ndarray) -> tuple[list[str], float, float]:
    """Quadrant labels and the two cuts (mean importance; importance-weighted mean performance).

    >>> quadrants(np.array([0.4, 0.4, 0.1, 0.1]), np.array([60., 80, 60, 80]))[0]
    ['fix first', 'keep up', 'low priority', 'possible overkill']
    """
    imp = np.asarray(importance, float)
    perf = np.asarray(performance, float)
    icut = float(np.mean(imp))
    pos = np.clip(imp, 0, None)
    pcut = float(np.sum(pos * perf) / pos.sum()) if pos.sum() > 0 else float(np.mean(perf))
    labels = []
    for i, p in zip(imp, perf, strict=True):
        if i >= icut:
            labels.append("fix first" if p < pcut else "keep up")
        else:
            labels.append("low priority" if p < pcut else "possible overkill")
    return labels, icut, pcut


def ipma_table(scores: pd.DataFrame, paths: list[tuple[str, str]], target: str, *,
               items: pd.DataFrame | None = None, item_weights: pd.DataFrame | None = None,
               exclude: tuple[str, ...] = (), n_boot: int = 500, seed: int | None = 0,
               alpha: float = 0.05, replicates: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """IPMA from 0-100 construct scores (and optionally 0-100 item scores with their rescaled
    outer weights ``construct, item, weight``); see the module docstring for the rules.
    ``replicates`` (construct -> bootstrap importances) replaces the own bootstrap."""
    drivers = [c for c in _ancestors(paths, target) if c not in exclude]
    if not drivers:
        raise ParameterError(f"target {target!r} has no predecessor constructs to map.")
    te = total_effects_from_scores(scores, paths).set_index(["source", "target"])["total_effect"]
    used = scores[list(dict.fromkeys([s for s, _ in paths] + [t for _, t in paths]))].dropna().index
    reps = replicates
    if reps is None and n_boot > 0:
        names, T = bootstrap_total_effects(scores, paths, n_boot=n_boot, seed=seed)
        reps = {c: T[:, names.index(c), names.index(target)] for c in drivers}
    rows = []
    for c in drivers:
        imp = float(te[(c, target)])
        lo = hi = np.nan
        if reps is not None:
            lo, hi = np.nanquantile(reps[c], [alpha / 2, 1 - alpha / 2])
        rows.append({"level": "construct", "name": c, "construct": c, "importance": imp,
                     "importance_ci_low": float(lo), "importance_ci_high": float(hi),
                     "performance": float(scores.loc[used, c].mean())})
    out = pd.DataFrame(rows)
    out["quadrant"] = quadrants(out["importance"].to_numpy(), out["performance"].to_numpy())[0]
    if items is not None and item_weights is not None:
        irows = []
        for r in rows:
            wt = item_weights[item_weights["construct"] == r["construct"]]
            for _, w in wt.iterrows():
                irows.append({"level": "item", "name": w["item"], "construct": r["construct"],
                              "importance": r["importance"] * w["weight"],
                              "importance_ci_low": r["importance_ci_low"] * w["weight"],
                              "importance_ci_high": r["importance_ci_high"] * w["weight"],
                              "performance": float(items.loc[used, w["item"]].mean())})
        if irows:
            it = pd.DataFrame(irows)
            it["quadrant"] = quadrants(it["importance"].to_numpy(), it["performance"].to_numpy())[0]
            out = pd.concat([out, it], ignore_index=True)
    return out[IPMA_COLUMNS]


def _item_weights(survey: Survey, result, constructs: list[str]) -> pd.DataFrame:
    rows = []
    uw = getattr(result, "unstandardized_weights", None) if result is not None else None
    for c in constructs:
        ids = [it.id for it in survey.constructs[c].items]
        if uw is not None and len(uw) and c in set(uw["construct"]):
            sub = uw[uw["construct"] == c]
            w = dict(zip(sub["item"], sub["estimate"].astype(float), strict=True))
            tot = sum(w.values())
            rows += [{"construct": c, "item": i, "weight": w[i] / tot} for i in ids if i in w]
        else:
            rows += [{"construct": c, "item": i, "weight": 1 / len(ids)} for i in ids]
    return pd.DataFrame(rows, columns=["construct", "item", "weight"])


def _engine_replicates(result, scores: pd.DataFrame, paths, target: str, exclude) -> dict[str, np.ndarray]:
    reps = (getattr(result, "extra", None) or {}).get("replicates", {}).get("total_effects")
    if reps is None or not len(reps):
        raise ParameterError("ci_source='engine' needs an IndexResult fitted with n_boot > 0 (bootstrap "
                             "replicates); pass one or use ci_source='scores'.")
    names = list(dict.fromkeys([s for s, _ in paths] + [t for _, t in paths]))
    used = scores[names].dropna()
    sd = used.std(ddof=1)
    out = {}
    for c in _ancestors(paths, target):
        if c in exclude:
            continue
        if (c, target) not in reps.columns:
            raise ParameterError(f"the IndexResult has no bootstrap replicates of the total effect "
                                 f"{c} -> {target}; was it fitted on this survey?")
        out[c] = reps[(c, target)].to_numpy(float) * sd[target] / sd[c]
    return out


def importance_performance(survey: Survey, frame: pd.DataFrame, result=None, *, target: str | None = None,
                           level: str = "both", n_boot: int = 500, seed: int | None = 0,
                           alpha: float = 0.05, ci_source: str = "scores") -> pd.DataFrame:
    """Importance-performance map for ``target`` (default: the driver outcome, loyalty).

    Parameters
    ----------
    survey, frame : Survey, DataFrame
        The survey and its canonical response frame.
    result : IndexResult, optional
        A PLS fit of the survey on ``frame``: its 0-100 scores and unstandardized (index)
        weights are used; without it, equal-weight item means.
    target : str, optional
        An endogenous construct (``loyalty``, ``satisfaction``, ...).
    level : {"construct", "item", "both"}
    n_boot, seed, alpha
        Percentile bootstrap of the importance (0 = no CIs).
    ci_source : {"scores", "engine"}, default="scores"
        ``"scores"``: own seeded bootstrap of the score regressions (outer weights fixed).
        ``"engine"``: reuse the PLS engine's resamples in ``result.extra["replicates"]``
        (standardized total effects, which include the variability of the outer weights),
        converted to the 0-100 metric with the full-sample ratio ``sd(target) / sd(driver)``
        of the 0-100 scores; ``n_boot`` and ``seed`` are then ignored.

    Returns
    -------
    DataFrame
        ``level, name, construct, importance, importance_ci_low, importance_ci_high,
        performance, quadrant``. Importance is in target index points per driver index point;
        performance is a 0-100 index (higher is better).

    Raises
    ------
    ParameterError
        ``target`` unknown or not endogenous; bad ``level``.
    DataError
        A construct score without variance or too few complete respondents.
    """
    check_resampling("importance_performance", n_boot=n_boot, alpha=alpha)
    if level not in ("construct", "item", "both"):
        raise ParameterError(f"The 'level' parameter of importance_performance must be a str among "
                             f"{{'construct', 'item', 'both'}}. Got {level!r} instead.")
    target = check_target(survey, target)
    scores = construct_scores(survey, frame, result)
    paths = survey.effective_paths
    binary = tuple(c for c, spec in survey.constructs.items() if spec.binary)
    items = weights = None
    if level != "construct":
        drivers = [c for c in _ancestors(paths, target) if c not in binary]
        weights = _item_weights(survey, result, drivers)
        items = item_scores(survey, frame, list(weights["item"]))
    reps = None
    if ci_source == "engine":
        reps = _engine_replicates(result, scores, paths, target, binary)
    elif ci_source != "scores":
        raise ParameterError("The 'ci_source' parameter of importance_performance must be a str among "
                             f"{{'scores', 'engine'}}. Got {ci_source!r} instead.")
    out = ipma_table(scores, paths, target, items=items, item_weights=weights, exclude=binary,
                     n_boot=n_boot, seed=seed, alpha=alpha, replicates=reps)
    if level == "item":
        out = out[out["level"] == "item"].reset_index(drop=True)
    return out
