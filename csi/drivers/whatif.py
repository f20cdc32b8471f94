"""What-if: raise drivers by some index points and see the headline index (satisfaction), loyalty
and repurchase move.

Model (all scores 0-100, higher is better)
-----------------------------------------
- A change ``d`` to a construct or lever is applied per respondent and clipped to [0, 100]
  (a respondent at 98 can gain only 2 points); its *effective* gain is the mean clipped change.
- Construct changes propagate to a target construct through the unstandardized total effects
  of the path model on 0-100 scores (:func:`csi.drivers.ipma.total_effects_from_scores`).
- Lever changes move a target construct by the lever's coefficient in an OLS regression of
  the target's score on all lever scores (levers are not part of the path model).
  Construct and lever contributions are added.
- Repurchase probability: the ``drivers`` logit of actual repurchase on the lever scores and
  the outcome index (:mod:`csi.drivers.repurchase`), evaluated with every respondent's lever
  scores shifted and their outcome index raised by its predicted change; the reported value is
  the mean predicted probability (percent).
- Intervals: percentile bootstrap of the change (respondents resampled, every model refitted).
- Extrapolation is refused: a change that would take a mean score beyond [0, 100] raises
  :class:`~csi.errors.ParameterError` with the largest possible change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from csi.drivers.ipma import _totals_from_cross, check_target
from csi.drivers.scores import behaviour_column, check_resampling, construct_scores, lever_scores
from csi.errors import DataError, ParameterError
from csi.survey import Survey

__all__ = ["what_if", "WHATIF_COLUMNS"]

WHATIF_COLUMNS = ["outcome", "unit", "baseline", "predicted", "change", "ci_low", "ci_high", "n"]


def _logit_irls(X: np.ndarray, y: np.ndarray, iters: int = 25, w: np.ndarray | None = None) -> np.ndarray:
    """Logit coefficients by Newton-Raphson; ``w``: per-row frequency weights (resample counts)."""
    w = np.ones(len(y)) if w is None else w
    b = np.zeros(X.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(X @ b, -30, 30)))
        pw = w * p * (1 - p)
        step = np.linalg.solve(X.T @ (X * pw[:, None]) + 1e-9 * np.eye(X.shape[1]), X.T @ (w * (y - p)))
        b = b + step
        if np.max(np.abs(step)) < 1e-9:
            break
    return b


def complete_rows(sc: pd.DataFrame, lv: pd.DataFrame, frame: pd.DataFrame, path_cons: list[str],
                  ycol: str | None) -> pd.DataFrame:
    """The respondents with every score the what-if model needs (construct and lever scores,
    0-100, and the behavioural field ``ycol`` as a number when given); a DataError when fewer
    than the model's columns + 10 remain."""
    data = pd.concat([sc[path_cons], lv], axis=1)
    if ycol is not None:
        data[ycol] = pd.to_numeric(frame[ycol], errors="coerce")
    data = data.dropna()
    if len(data) < len(data.columns) + 10:
        raise DataError(f"only {len(data)} respondents have every score needed for the what-if model.")
    return data


def _scenario(x: np.ndarray, cols: list[str], paths, targets, levers, changes, outcome, ycol,
              w: np.ndarray | None = None):
    """One evaluation on a data matrix ``x`` (respondents x ``cols``); ``w``: how often each
    respondent is in a bootstrap resample (counts), so a resample is evaluated from weighted
    means and cross-products without copying its rows (the same numbers as on ``x[draws]``)."""
    ix = {c: i for i, c in enumerate(cols)}
    if w is None:
        def avg(f):
            return float(np.mean(f))

        def wt(m):
            return m
    else:
        sw = float(w.sum())

        def avg(f):
            return float(w @ f) / sw

        def wt(m):
            return m * (w[:, None] if m.ndim == 2 else w)
    eff = {v: avg(np.clip(x[:, ix[v]] + dv, 0, 100) - x[:, ix[v]]) for v, dv in changes.items()}
    T = None
    if paths:
        names = list(dict.fromkeys([s for s, _ in paths] + [t for _, t in paths]))
        z = np.column_stack([np.ones(len(x)), x[:, [ix[c] for c in names]]])
        T = _totals_from_cross(z.T @ wt(z), names, paths)
    lv_changed = [v for v in eff if v in levers]
    if lv_changed:
        zl = np.column_stack([np.ones(len(x)), x[:, [ix[v] for v in levers]]])
        gram = zl.T @ wt(zl)
    res = {}
    delta = {}
    for t in targets:
        ch = 0.0
        for v, g in eff.items():
            if v == t:
                ch += g
            elif T is not None and v in names and t in names:
                ch += float(T[names.index(v), names.index(t)]) * g
        if lv_changed:
            coef = np.linalg.solve(gram, zl.T @ wt(x[:, ix[t]]))
            ch += sum(coef[1 + levers.index(v)] * eff[v] for v in lv_changed)
        delta[t] = ch
        m = avg(x[:, ix[t]])
        res[t] = (m, m + ch)
    if ycol is not None:
        use = [ix[c] for c in levers + [outcome]]
        X0 = x[:, use] / 10
        b = _logit_irls(np.column_stack([np.ones(len(x)), X0]), x[:, ix[ycol]], w=w)
        X1 = x[:, use].copy()
        for j, c in enumerate(levers):
            if c in changes:
                X1[:, j] = np.clip(X1[:, j] + changes[c], 0, 100)
        X1[:, -1] = np.clip(X1[:, -1] + delta.get(outcome, 0.0), 0, 100)
        # expit: the logistic without exp overflow (a near-separated fit at small n has huge b)
        p0 = expit(b[0] + X0 @ b[1:])
        p1 = expit(b[0] + (X1 / 10) @ b[1:])
        res["repurchase_probability"] = (100 * avg(p0), 100 * avg(p1))
    return res


def what_if(survey: Survey, frame: pd.DataFrame, changes: dict[str, float], result=None, *,
            target: str | None = None, n_boot: int = 200, seed: int | None = 0,
            alpha: float = 0.05, repurchase: bool = True) -> pd.DataFrame:
    """Predicted satisfaction index, target (loyalty) index and repurchase probability after
    raising drivers by ``changes`` index points (see the module docstring for the model).

    Parameters
    ----------
    changes : dict
        ``{lever or construct id: change in 0-100 index points}``, e.g. ``{"service": 5}``.
    target : str, optional
        The loyalty-type target (default: the driver outcome).
    repurchase : bool, default=True
        Also predict the repurchase probability (when the data hold the behavioural field);
        False skips its logit (in every resample), e.g. when only index changes are needed.

    Returns
    -------
    DataFrame
        ``outcome, unit, baseline, predicted, change, ci_low, ci_high, n`` -- one row per
        outcome: the headline construct (``survey.headline_id``, default ``satisfaction``) and
        the target (``index points``), and
        ``repurchase_probability`` (``percent``; only with a behavioural field). ``ci_*``
        bound the change.

    Raises
    ------
    ParameterError
        Unknown driver, empty or non-finite changes, or a change beyond the scale.
    """
    check_resampling("what_if", n_boot=n_boot, alpha=alpha)
    if not changes:
        raise ParameterError("what_if needs at least one change, e.g. {'service': 5}.")
    target = check_target(survey, target)
    sc = construct_scores(survey, frame, result)
    levers = list(survey.driver_items)
    lv = lever_scores(survey, frame) if levers else pd.DataFrame(index=frame.index)
    known = [c for c, spec in survey.constructs.items() if not spec.binary] + levers
    for v, dv in changes.items():
        if v not in known:
            raise ParameterError(f"cannot change {v!r}: expected a driver lever or construct, one of "
                                 f"{', '.join(known)}.")
        if not np.isfinite(dv):
            raise ParameterError(f"the change for {v!r} must be a finite number of index points. Got {dv!r}.")
    ycol, _reason = behaviour_column(survey, frame) if repurchase else (None, None)
    paths = survey.effective_paths
    path_cons = list(dict.fromkeys([s for s, _ in paths] + [t for _, t in paths]))
    targets = [c for c in (survey.headline_id, target) if c in survey.constructs and not survey.constructs[c].binary]
    targets = list(dict.fromkeys(targets))
    data = complete_rows(sc, lv, frame, path_cons, ycol)
    for v, dv in changes.items():
        m = float(data[v].mean())
        if not 0 <= m + dv <= 100:
            lim = 100 - m if dv > 0 else -m
            raise ParameterError(
                f"raising {v!r} by {dv:g} points would take its mean index {m:.1f} beyond the 0-100 "
                f"scale; csi does not extrapolate. The largest possible change is {lim:+.1f}.")
    args = (list(data.columns), paths, targets, levers, changes, target, ycol)
    x = data.to_numpy(float)
    point = _scenario(x, *args)
    reps = {k: [] for k in point}
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        for _ in range(n_boot):
            try:
                counts = np.bincount(rng.integers(0, len(x), len(x)), minlength=len(x)).astype(float)
                r = _scenario(x, *args, w=counts)
            except np.linalg.LinAlgError:
                continue
            for k, (b0, b1) in r.items():
                reps[k].append(b1 - b0)
    rows = []
    for k, (b0, b1) in point.items():
        lo = hi = np.nan
        if reps[k]:
            lo, hi = np.quantile(reps[k], [alpha / 2, 1 - alpha / 2])
        rows.append({"outcome": k, "unit": "percent" if k == "repurchase_probability" else "index points",
                     "baseline": b0, "predicted": b1, "change": b1 - b0, "ci_low": float(lo),
                     "ci_high": float(hi), "n": len(data)})
    return pd.DataFrame(rows, columns=WHATIF_COLUMNS)
