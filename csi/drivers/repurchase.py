"""Drivers checked against behaviour: logit of actual repurchase, AUC, calibration, agreement.

When the data hold a behavioural 0/1 field (``drivers.behaviour``, e.g. ``repurchased_90d``
from the order system), actual repurchase is regressed (statsmodels ``Logit``, ML) on

- ``predictors="drivers"``: the 0-100 driver-lever scores plus the driver outcome's index
  (loyalty), i.e. what each lever adds to repurchase beyond stated loyalty;
- ``predictors="levers"``: the lever scores alone (the behavioural importance of the levers);
- ``predictors="constructs"``: the 0-100 indices of the non-binary constructs.

Every predictor enters per **10 index points** (``score / 10``): odds ratios are per 10
points, average marginal effects (AME, statsmodels ``get_margeff(at="overall")``) are in
**percentage points of repurchase probability per 10 index points**. Intervals are Wald
intervals. The AUC is in-sample, with DeLong's standard error (DeLong et al. 1988).
Respondents with any missing predictor are left out (counted in ``n``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from csi.drivers.scores import (
    behaviour_column,
    check_resampling,
    check_variance,
    construct_scores,
    lever_scores,
    outcome_id,
)
from csi.errors import DataError, ParameterError
from csi.survey import Survey

__all__ = ["repurchase_logit", "fit_logit", "auc_delong", "calibration_table", "repurchase_auc",
           "importance_agreement", "repurchase_analysis", "wilson_interval", "LOGIT_COLUMNS"]

LOGIT_COLUMNS = ["model", "term", "coefficient", "odds_ratio", "ci_low", "ci_high", "p_value",
                 "marginal_effect", "marginal_effect_ci_low", "marginal_effect_ci_high", "n"]


def wilson_interval(k, n, alpha: float = 0.05):
    """Wilson score interval for a proportion ``k / n`` (arrays allowed).

    >>> [round(float(v), 4) for v in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    k = np.asarray(k, float)
    n = np.asarray(n, float)
    z = special.ndtri(1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        den = 1 + z ** 2 / n
        mid = (p + z ** 2 / (2 * n)) / den
        half = z * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2)) / den
        # Exact bounds at the edges (k = 0 gives lo = 0, k = n gives hi = 1; rounding
        # would otherwise leave ~1e-17 and exclude the point estimate).
        lo = np.where(k <= 0, 0.0, np.clip(mid - half, 0.0, 1.0))
        hi = np.where(k >= n, 1.0, np.clip(mid + half, 0.0, 1.0))
    if lo.ndim == 0:
        return lo[()], hi[()]
    return lo, hi


def _predictors(survey: Survey, frame: pd.DataFrame, result, predictors: str) -> pd.DataFrame:
    if predictors not in ("drivers", "levers", "constructs"):
        raise ParameterError("The 'predictors' parameter of repurchase_logit must be a str among "
                             f"{{'drivers', 'levers', 'constructs'}}. Got {predictors!r} instead.")
    if predictors == "constructs":
        sc = construct_scores(survey, frame, result)
        return sc[[c for c, spec in survey.constructs.items() if not spec.binary]]
    X = lever_scores(survey, frame)
    if predictors == "drivers":
        out = outcome_id(survey)
        X = X.assign(**{out: construct_scores(survey, frame, result)[out]})
    return X


def fit_logit(X: pd.DataFrame, y: pd.Series):
    """statsmodels Logit of 0/1 ``y`` on ``X / 10`` plus a constant (complete rows).

    Raises
    ------
    DataError
        Too few respondents, an outcome or predictor without variation, or (quasi-)perfect
        separation (a predictor predicts repurchase exactly: no finite estimate exists).
    """
    # the module itself, not statsmodels.api (which imports all of statsmodels: ~0.5 s CPU more)
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    data = pd.concat([X, y.rename("__y__")], axis=1).dropna()
    if len(data) < X.shape[1] + 10:
        raise DataError(f"only {len(data)} respondents with actual repurchase and every predictor; "
                        f"at least {X.shape[1] + 10} are needed for the logit.")
    yy = data.pop("__y__")
    if yy.nunique() < 2:
        raise DataError(f"every respondent has repurchase = {int(yy.iloc[0])}; the logit needs both "
                        "repurchasers and non-repurchasers.")
    check_variance(data, "predictor")
    from statsmodels.tools.tools import add_constant

    Z = add_constant(data / 10.0, has_constant="add")
    with warnings.catch_warnings(record=True) as rec, np.errstate(over="ignore", divide="ignore"):
        warnings.simplefilter("always")
        try:
            res = Logit(yy, Z).fit(disp=0, maxiter=200)
        except (PerfectSeparationError, np.linalg.LinAlgError) as exc:
            raise DataError(f"perfect separation: the predictors predict repurchase exactly, so the "
                            f"odds ratios are infinite ({exc}). Use more data or fewer predictors.") from None
        p = np.asarray(res.predict(Z))
    kinds = {type(w.message) for w in rec}
    if PerfectSeparationWarning in kinds or np.mean((p < 1e-6) | (p > 1 - 1e-6)) > 0.5:
        raise DataError("perfect separation: the predictors predict repurchase (almost) exactly, so "
                        "the odds ratios are infinite. Use more data or fewer predictors.")
    if ConvergenceWarning in kinds or not res.mle_retvals.get("converged", True):
        raise DataError("the repurchase logit did not converge (quasi-separation or collinear "
                        "predictors); use fewer predictors.")
    return res, Z, yy


def repurchase_logit(survey: Survey, frame: pd.DataFrame, result=None, *, predictors: str = "drivers",
                     alpha: float = 0.05) -> pd.DataFrame:
    """Logit of actual repurchase on 0-100 scores (per 10 points); see the module docstring.

    Returns
    -------
    DataFrame
        ``model, term, coefficient, odds_ratio, ci_low, ci_high, p_value, marginal_effect,
        marginal_effect_ci_low, marginal_effect_ci_high, n`` -- ``ci_*`` are for the odds ratio;
        the marginal effect is in percentage points per 10 index points. The constant is
        the first row (odds at all scores 0; no marginal effect).

    Raises
    ------
    DataError
        No behavioural field (the reason), separation, zero variance.
    """
    check_resampling("repurchase_logit", alpha=alpha)
    col, reason = behaviour_column(survey, frame)
    if col is None:
        raise DataError(f"actual repurchase is not available: {reason}.")
    X = _predictors(survey, frame, result, predictors)
    res, Z, yy = fit_logit(X, pd.to_numeric(frame[col], errors="coerce"))
    z = special.ndtri(1 - alpha / 2)
    b, se = res.params, res.bse
    me = res.get_margeff(at="overall", method="dydx")
    me_v = pd.Series(me.margeff, index=Z.columns[1:]) * 100
    me_se = pd.Series(me.margeff_se, index=Z.columns[1:]) * 100
    rows = []
    for term in Z.columns:
        m = me_v.get(term, np.nan)
        s = me_se.get(term, np.nan)
        rows.append({"model": predictors, "term": term, "coefficient": float(b[term]),
                     "odds_ratio": float(np.exp(b[term])), "ci_low": float(np.exp(b[term] - z * se[term])),
                     "ci_high": float(np.exp(b[term] + z * se[term])), "p_value": float(res.pvalues[term]),
                     "marginal_effect": float(m), "marginal_effect_ci_low": float(m - z * s),
                     "marginal_effect_ci_high": float(m + z * s), "n": int(len(yy))})
    return pd.DataFrame(rows, columns=LOGIT_COLUMNS)


def auc_delong(y, p, alpha: float = 0.05) -> tuple[float, float, float, float]:
    """AUC (probability a random repurchaser scores above a random non-repurchaser) with
    DeLong's SE: ``(auc, se, ci_low, ci_high)``.

    >>> auc_delong([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])[0]
    0.75
    """
    y = np.asarray(y, int)
    p = np.asarray(p, float)
    pos, neg = p[y == 1], p[y == 0]
    m, n = len(pos), len(neg)
    if m == 0 or n == 0:
        raise DataError("the AUC needs both repurchasers and non-repurchasers.")
    from scipy.stats import rankdata  # scipy.stats costs ~0.6 s to import

    tz = rankdata(np.concatenate([pos, neg]))
    tx, ty = rankdata(pos), rankdata(neg)
    auc = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (tz[:m] - tx) / n
    v01 = 1 - (tz[m:] - ty) / m
    var = (np.var(v10, ddof=1) / m if m > 1 else 0.0) + (np.var(v01, ddof=1) / n if n > 1 else 0.0)
    se = float(np.sqrt(var))
    z = special.ndtri(1 - alpha / 2)
    return float(auc), se, float(max(0.0, auc - z * se)), float(min(1.0, auc + z * se))


def _fitted(survey, frame, result, predictors):
    col, reason = behaviour_column(survey, frame)
    if col is None:
        raise DataError(f"actual repurchase is not available: {reason}.")
    X = _predictors(survey, frame, result, predictors)
    res, Z, yy = fit_logit(X, pd.to_numeric(frame[col], errors="coerce"))
    return yy.to_numpy(), np.asarray(res.predict(Z))


def repurchase_auc(survey: Survey, frame: pd.DataFrame, result=None, *,
                   models=("drivers", "levers", "constructs"), alpha: float = 0.05) -> pd.DataFrame:
    """In-sample AUC with DeLong CI per logit model: ``model, auc, se, ci_low, ci_high, n``."""
    rows = []
    for m in models:
        y, p = _fitted(survey, frame, result, m)
        auc, se, lo, hi = auc_delong(y, p, alpha)
        rows.append({"model": m, "auc": auc, "se": se, "ci_low": lo, "ci_high": hi, "n": len(y)})
    return pd.DataFrame(rows)


def calibration_table(survey: Survey, frame: pd.DataFrame, result=None, *, predictors: str = "drivers",
                      bins: int = 10, alpha: float = 0.05) -> pd.DataFrame:
    """Observed vs predicted repurchase by bins (quantiles) of predicted probability:
    ``bin, n, mean_predicted, observed_rate, ci_low, ci_high`` (Wilson CI)."""
    y, p = _fitted(survey, frame, result, predictors)
    b = pd.qcut(p, bins, labels=False, duplicates="drop")
    df = pd.DataFrame({"bin": b + 1, "y": y, "p": p})
    g = df.groupby("bin")
    out = pd.DataFrame({"n": g.size(), "mean_predicted": g["p"].mean(), "observed_rate": g["y"].mean()})
    lo, hi = wilson_interval(g["y"].sum().to_numpy(), out["n"].to_numpy(), alpha)
    out["ci_low"], out["ci_high"] = lo, hi
    return out.reset_index()


def importance_agreement(survey: Survey, frame: pd.DataFrame, result=None, *,
                         stated: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stated vs behavioural importance of the levers.

    Stated importance: Johnson's relative weight for stated intention (loyalty); behavioural:
    the AME of the lever in the levers-only repurchase logit. Returns ``(per_lever, summary)``:
    ``lever, stated_importance, stated_rank, behavioural_importance, behavioural_rank,
    rank_difference`` and one row ``spearman_rho, p_value, n_levers, verdict`` (``agree`` for
    rho >= 0.7, ``partly agree`` for 0.3 <= rho < 0.7, else ``disagree`` -- shown as is).
    """
    from csi.drivers.relative_importance import relative_importance

    if stated is None:
        stated = relative_importance(survey, frame, result, n_boot=0)
    beh = repurchase_logit(survey, frame, result, predictors="levers")
    beh = beh[beh["term"] != "const"].set_index("term")["marginal_effect"]
    t = pd.DataFrame({"lever": stated["lever"].to_numpy(),
                      "stated_importance": stated["raw_weight"].to_numpy()})
    t["behavioural_importance"] = beh.reindex(t["lever"]).to_numpy()
    t["stated_rank"] = t["stated_importance"].rank(ascending=False, method="min").astype(int)
    t["behavioural_rank"] = t["behavioural_importance"].rank(ascending=False, method="min").astype(int)
    t["rank_difference"] = t["behavioural_rank"] - t["stated_rank"]
    t = t[["lever", "stated_importance", "stated_rank", "behavioural_importance", "behavioural_rank",
           "rank_difference"]]
    if len(t) >= 3:
        from scipy.stats import spearmanr

        rho, pv = spearmanr(t["stated_importance"], t["behavioural_importance"])
        rho, pv = float(rho), float(pv)
    else:
        rho = pv = float("nan")
    verdict = ("too few levers" if not np.isfinite(rho) else "agree" if rho >= 0.7
               else "partly agree" if rho >= 0.3 else "disagree")
    summary = pd.DataFrame([{"spearman_rho": rho, "p_value": pv, "n_levers": len(t), "verdict": verdict}])
    return t, summary


def repurchase_analysis(survey: Survey, frame: pd.DataFrame, result=None, *,
                        alpha: float = 0.05) -> dict:
    """Everything behavioural, or ``{"skipped": reason}`` when there is no behavioural field.

    Keys: ``logit_drivers``, ``logit_constructs``, ``auc``, ``calibration``, ``agreement``,
    ``agreement_summary``.
    """
    col, reason = behaviour_column(survey, frame)
    if col is None:
        return {"skipped": f"behavioural analyses skipped: {reason}."}
    out: dict = {"logit_drivers": repurchase_logit(survey, frame, result, predictors="drivers", alpha=alpha),
                 "logit_constructs": repurchase_logit(survey, frame, result, predictors="constructs", alpha=alpha),
                 "auc": repurchase_auc(survey, frame, result, alpha=alpha),
                 "calibration": calibration_table(survey, frame, result, alpha=alpha)}
    out["agreement"], out["agreement_summary"] = importance_agreement(survey, frame, result)
    return out
