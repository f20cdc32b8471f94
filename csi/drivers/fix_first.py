"""What to fix first: the levers that would move loyalty most, each with its weakest item and
the predicted gain of the headline index.

Candidates
----------
- *constructs* of the importance-performance map (:mod:`csi.drivers.ipma`) for the target
  (loyalty): every non-binary predecessor of the target except the headline construct itself
  and what it drives (satisfaction is an outcome, not something a manager can change directly);
- *driver levers* of the repeat-purchase battery (``drivers:``; brand, product, delivery, ...):
  importance = the lever's coefficient in the OLS regression of the target's 0-100 score on
  every lever's 0-100 score (the what-if's lever model), quadrants as in the IPMA over the
  levers.

Ranking
-------
Candidates in the IPMA's *fix first* quadrant (important, below the importance-weighted mean
performance) come first, then the others; within each group by the predicted change of the
target (index points) when the candidate is raised by ``step`` points for every respondent
(clipped to 100; :func:`csi.drivers.whatif.what_if`). Only candidates with a positive predicted
gain are ranked; the others get rank NaN.

Cause
-----
The candidate's lowest-scoring item and its *gap* = item performance minus the mean
performance of the candidate's other items (0-100 points; negative = below). A one-item
candidate is compared with the other candidates of its kind instead (``cause_peers``).

Gains
-----
``headline_gain``: predicted change of the headline index (``survey.headline_id``), with a
percentile bootstrap interval (:func:`what_if`, only for the top ``k``); ``target_gain``: of the
target; ``repurchase_gain``: of the mean repurchase probability in percentage points (NaN
without a behavioural field). All candidates' gains come from one batched pass
(:class:`csi.drivers.gains.CandidateGains`), the same numbers as one :func:`what_if` per
candidate (intervals with the same seed, to rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csi.drivers.gains import CandidateGains, driver_item_scores
from csi.drivers.ipma import check_target, importance_performance, quadrants
from csi.drivers.scores import construct_scores
from csi.errors import CsiError, ParameterError
from csi.survey import Survey

__all__ = ["FixFirst", "fix_first", "FIX_FIRST_COLUMNS"]

FIX_FIRST_COLUMNS = ["rank", "kind", "id", "importance", "performance", "quadrant", "cause_item",
                     "cause_performance", "cause_gap", "cause_peers", "headline_gain",
                     "headline_gain_ci_low", "headline_gain_ci_high", "target_gain", "repurchase_gain"]


@dataclass(frozen=True)
class FixFirst:
    """The ranked candidates (see the module docstring).

    ``table``: one row per candidate, columns :data:`FIX_FIRST_COLUMNS`, ranked rows first
    (``rank`` 1, 2, ...). ``kind`` is ``construct`` or ``lever``; ``importance`` is in target
    index points per index point of the candidate; ``performance``, ``cause_performance`` and
    ``cause_gap`` are 0-100 points; ``cause_peers`` is ``items``, ``constructs`` or ``levers``;
    gains are index points (``repurchase_gain``: percentage points) for raising the candidate
    by ``step`` points.
    """

    target: str
    headline: str
    step: float
    k: int
    n: int
    table: pd.DataFrame

    @property
    def top(self) -> pd.DataFrame:
        """The first ``k`` ranked candidates (fewer when fewer have a positive gain)."""
        return self.table[self.table["rank"].notna()].head(self.k).reset_index(drop=True)


def _descendants(paths, source: str) -> set[str]:
    out: set[str] = set()
    todo = [source]
    while todo:
        s = todo.pop()
        for a, b in paths:
            if a == s and b not in out:
                out.add(b)
                todo.append(b)
    return out


def _cause(items: pd.Series, peers: pd.Series | None, own: str) -> tuple[str, float, float, str]:
    """(weakest item, its performance, gap to the others, peer kind) for one candidate.

    ``items``: performance of the candidate's items; ``peers``: performance of the other
    candidates of the same kind (used when the candidate has one item)."""
    worst = str(items.idxmin())
    perf = float(items[worst])
    if len(items) > 1:
        return worst, perf, perf - float(items.drop(worst).mean()), "items"
    others = peers.drop(own) if peers is not None and own in peers.index else peers
    if others is None or not len(others):
        return worst, perf, float("nan"), ""
    return worst, perf, perf - float(others.mean()), ""


def _construct_rows(survey: Survey, ipma: pd.DataFrame, headline: str) -> list[dict]:
    paths = survey.effective_paths
    skip = {headline} | _descendants(paths, headline)
    cons = ipma[(ipma["level"] == "construct") & ~ipma["name"].isin(skip)]
    items = ipma[ipma["level"] == "item"]
    peers = cons.set_index("name")["performance"]
    rows = []
    for r in cons.itertuples(index=False):
        own = items[items["construct"] == r.name].set_index("name")["performance"]
        if not len(own):
            continue
        worst, perf, gap, kind = _cause(own, peers, r.name)
        rows.append({"kind": "construct", "id": r.name, "importance": r.importance,
                     "performance": r.performance, "quadrant": r.quadrant, "cause_item": worst,
                     "cause_performance": perf, "cause_gap": gap, "cause_peers": kind or "constructs"})
    return rows


def _lever_rows(survey: Survey, items: pd.DataFrame, lv: pd.DataFrame, scores: pd.DataFrame,
                target: str) -> list[dict]:
    """``items``, ``lv``: :func:`~csi.drivers.gains.driver_item_scores`; ``scores``: construct scores."""
    if survey.drivers is None or not survey.driver_items:
        return []
    y = scores[target]
    data = pd.concat([lv, y.rename("__target__")], axis=1).dropna()
    if len(data) < len(lv.columns) + 10:
        return []
    X = np.column_stack([np.ones(len(data)), data[list(lv.columns)].to_numpy(float)])
    coef = np.linalg.lstsq(X, data["__target__"].to_numpy(float), rcond=None)[0][1:]
    perf = data[list(lv.columns)].mean()
    quad = quadrants(coef, perf.to_numpy())[0]
    rows = []
    for j, lever in enumerate(lv.columns):
        ids = survey.driver_items[lever]
        own = items.loc[data.index, ids].mean()
        worst, p, gap, kind = _cause(own, perf, lever)
        rows.append({"kind": "lever", "id": lever, "importance": float(coef[j]),
                     "performance": float(perf[lever]), "quadrant": quad[j], "cause_item": worst,
                     "cause_performance": p, "cause_gap": gap, "cause_peers": kind or "levers"})
    return rows


_NO_GAIN = {"headline_gain": float("nan"), "target_gain": float("nan"), "repurchase_gain": float("nan")}


def _point_gains(gains: CandidateGains, cid: str, target: str, headline: str) -> dict:
    """The what-if's point gains of raising ``cid`` (NaN when the step would leave the scale)."""
    g = gains.point(cid)
    if g is None:  # the mean is within `step` of 100: nothing to gain from this step
        return dict(_NO_GAIN)
    nan = float("nan")
    return {"headline_gain": g.get(headline, nan), "target_gain": g.get(target, nan),
            "repurchase_gain": g.get("repurchase_probability", nan)}


def fix_first(survey: Survey, frame: pd.DataFrame, result=None, *, target: str | None = None,
              ipma: pd.DataFrame | None = None, step: float = 5.0, k: int = 3, n_boot: int = 200,
              seed: int | None = 0, alpha: float = 0.05) -> FixFirst:
    """Rank the levers a manager can pull to move loyalty (see the module docstring).

    Parameters
    ----------
    survey, frame : Survey, DataFrame
        The survey and its canonical response frame (the filtered respondents).
    result : IndexResult, optional
        A PLS fit on ``frame`` (its 0-100 scores and index weights); without it equal-weight
        item means.
    target : str, optional
        The loyalty-type construct the importance refers to (default: the driver outcome).
    ipma : DataFrame, optional
        :func:`~csi.drivers.ipma.importance_performance` (``level="both"``) for ``target`` on the
        same data, when already computed (the dashboard shares its cache); computed without
        CIs otherwise.
    step : float, default=5
        Index points each candidate is raised by in the what-if (0 < step <= 20).
    k : int, default=3
        How many top candidates get bootstrap intervals (:attr:`FixFirst.top`).
    n_boot, seed, alpha
        Percentile bootstrap of the top candidates' headline gain (0 = no intervals).

    Returns
    -------
    FixFirst

    Raises
    ------
    ParameterError
        Bad ``step`` or ``k``, or an unknown / exogenous ``target``.
    DataError
        Too few complete respondents or a constant score.
    """
    if not (np.isfinite(step) and 0 < step <= 20):
        raise ParameterError(f"The 'step' parameter of fix_first must be a number in (0, 20] index points. "
                             f"Got {step!r} instead.")
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise ParameterError(f"The 'k' parameter of fix_first must be an int in the range [1, inf). Got {k!r} instead.")
    target = check_target(survey, target)
    headline = survey.headline_id
    if ipma is None:
        ipma = importance_performance(survey, frame, result, target=target, level="both", n_boot=0)
    scores = construct_scores(survey, frame, result)
    has_levers = survey.drivers is not None and bool(survey.driver_items)
    items, lv = driver_item_scores(survey, frame) if has_levers else (None, None)
    rows = _construct_rows(survey, ipma, headline) + (_lever_rows(survey, items, lv, scores, target)
                                                      if has_levers else [])
    if not rows:
        raise ParameterError(f"survey {survey.id!r} has no lever to rank for {target!r}: no construct "
                             "before the headline construct and no driver battery.")
    gains = CandidateGains(survey, frame, result, target=target, step=step,
                           levers=lv if survey.driver_items else None)
    for r in rows:
        r.update(_point_gains(gains, r["id"], target, headline))
        r.update(headline_gain_ci_low=float("nan"), headline_gain_ci_high=float("nan"))
    table = pd.DataFrame(rows)
    table["_first"] = table["quadrant"] == "fix first"
    table = table.sort_values(["_first", "target_gain"], ascending=[False, False], kind="stable",
                              na_position="last").drop(columns="_first").reset_index(drop=True)
    ranked = table["target_gain"].fillna(0) > 0
    table["rank"] = np.where(ranked, ranked.cumsum(), np.nan)
    if n_boot > 0:
        top = list(table.index[ranked][:k])
        ci = gains.intervals([table.at[i, "id"] for i in top], n_boot, seed, alpha)
        for i in top:
            lo, hi = ci.get(table.at[i, "id"], {}).get(headline, (float("nan"), float("nan")))
            table.at[i, "headline_gain_ci_low"], table.at[i, "headline_gain_ci_high"] = lo, hi
    n = int(scores[[target]].dropna().shape[0])
    return FixFirst(target=target, headline=headline, step=float(step), k=int(k), n=n,
                    table=table[FIX_FIRST_COLUMNS])


def safe_fix_first(*args, **kwargs) -> FixFirst | None:
    """:func:`fix_first`, or None when the data cannot support it (a :class:`CsiError`)."""
    try:
        return fix_first(*args, **kwargs)
    except CsiError:
        return None
