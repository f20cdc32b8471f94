"""Complaint analysis: rate, types, differences between segments/waves, handling, recovery.

Conventions
-----------
- A complainer answered 1 to the complaint construct's (first) item (ACSI: "have you formally
  complained in the last N months?"); respondents who skipped it are left out (``n`` counts
  those who answered).
- Proportions have Wilson score intervals (:func:`csi.drivers.repurchase.wilson_interval`).
- Type shares are shares of the complainers who answered the type question; a sub-type
  (option group, e.g. logistics) counts a complainer once if any of its options was ticked.
- Segment/wave differences: Pearson chi-square test of independence over all groups, and for
  each group a two-proportion z-test against all other respondents, with Holm's
  multiple-comparison adjustment (``p_adjusted``).
- Handling is "good" when the handling rating is at or above the middle of its scale (0-100
  handling index >= 50), "bad" otherwise (service-recovery comparison).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from csi.drivers.repurchase import wilson_interval
from csi.drivers.scores import (
    MIN_GROUP_N,
    behaviour_column,
    construct_scores,
    group_labels,
    outcome_id,
)
from csi.errors import DataError
from csi.survey import Survey
from csi.validate.gate import gate_field

__all__ = ["complained", "complaint_rate", "complaint_types", "complaints_by", "complaint_test",
           "handling_summary", "service_recovery", "complaint_paths", "mean_interval"]


def _complaint_item(survey: Survey) -> str:
    binary = [c for c, spec in survey.constructs.items() if spec.binary]
    if not binary:
        raise DataError(f"survey {survey.id!r} has no binary complaint construct (binary: true).")
    return survey.constructs[binary[0]].items[0].id


def complained(survey: Survey, frame: pd.DataFrame) -> pd.Series:
    """1.0 complained, 0.0 did not, NaN not answered or a declared missing code; any other
    value raises :class:`~csi.errors.DataError` (:mod:`csi.validate.gate`)."""
    item = _complaint_item(survey)
    if item not in frame:
        raise DataError(f"the response data have no complaint column {item!r}.")
    return gate_field(survey, frame, item)


def _rate_row(y: pd.Series, alpha: float) -> dict:
    y = y.dropna()
    k, n = float(y.sum()), len(y)
    lo, hi = wilson_interval(k, n, alpha) if n else (np.nan, np.nan)
    return {"n": n, "complaints": int(k), "rate": k / n if n else np.nan,
            "ci_low": float(lo), "ci_high": float(hi)}


def complaint_rate(survey: Survey, frame: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Share of respondents who complained: one row ``n, complaints, rate, ci_low, ci_high``.

    >>> from csi.survey import load_survey
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> complaint_rate(s, pd.DataFrame({"cc1": [1.0, 0, 0, 0, float("nan")]}))["rate"].item()
    0.25
    """
    return pd.DataFrame([_rate_row(complained(survey, frame), alpha)])


def _type_question(survey: Survey):
    qs = [q for q in survey.questions if q.role == "complaint_type" and q.type == "multiple_choice"]
    return qs[0] if qs else None


def complaint_types(survey: Survey, frame: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """What complaints were about: ``level (group|type), type, group, n, count, rate, ci_low,
    ci_high`` -- rate = share of complainers (who answered the type question) naming it."""
    cols = ["level", "type", "group", "n", "count", "rate", "ci_low", "ci_high"]
    q = _type_question(survey)
    if q is None or q.id not in frame:
        return pd.DataFrame(columns=cols)
    c = complained(survey, frame)
    ans = frame.loc[c == 1, q.id].dropna().astype(str)
    ticked = ans.str.split(";").map(lambda v: {t for t in v if t})
    n = len(ticked)
    rows = []
    groups = {g: [str(o.code) for o in q.options if o.group == g] for g in q.option_groups}
    for g, codes in groups.items():
        k = int(ticked.map(lambda s, cs=set(codes): bool(s & cs)).sum())
        rows.append(("group", g, g, n, k))
    for o in q.options:
        k = int(ticked.map(lambda s, code=str(o.code): code in s).sum())
        rows.append(("type", str(o.code), o.group, n, k))
    out = pd.DataFrame(rows, columns=cols[:5])
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate"] = out["count"] / out["n"]
    lo, hi = wilson_interval(out["count"].to_numpy(), out["n"].to_numpy(), alpha)
    out["ci_low"], out["ci_high"] = lo, hi
    return out[cols]


def _holm(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, float)
    order = np.argsort(p)
    m = len(p)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


def complaints_by(survey: Survey, frame: pd.DataFrame, by: str = "wave", *,
                  alpha: float = 0.05) -> pd.DataFrame:
    """Complaint rate per group of ``by`` (``wave`` or a segment question) with a two-proportion
    z-test of each group against the rest (Holm-adjusted).

    Returns ``by, group, n, complaints, rate, ci_low, ci_high, p_value, p_adjusted, small_n``.
    """
    c = complained(survey, frame)
    g = group_labels(survey, frame, by)
    ok = c.notna() & g.notna()
    c, g = c[ok], g[ok]
    rows = []
    for level in sorted(g.unique()):
        m = g == level
        r = _rate_row(c[m], alpha)
        k1, n1 = c[m].sum(), m.sum()
        k2, n2 = c[~m].sum(), (~m).sum()
        p_val = np.nan
        if n1 and n2:
            pool = (k1 + k2) / (n1 + n2)
            se = np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
            p_val = float(2 * special.ndtr(-abs(k1 / n1 - k2 / n2) / se)) if se > 0 else 1.0
        rows.append({"by": by, "group": str(level), **r, "p_value": p_val})
    out = pd.DataFrame(rows)
    if len(out):
        fin = out["p_value"].notna().to_numpy()
        adj = np.full(len(out), np.nan)
        adj[fin] = _holm(out.loc[fin, "p_value"].to_numpy())
        out["p_adjusted"] = adj
        out["small_n"] = out["n"] < MIN_GROUP_N
    return out


def complaint_test(survey: Survey, frame: pd.DataFrame, by: str = "wave") -> pd.DataFrame:
    """Chi-square test that the complaint rate is the same in every group of ``by``:
    one row ``by, chi2, df, p_value, n, min_expected`` (expected counts below 5 make the
    test unreliable -- check ``min_expected``)."""
    c = complained(survey, frame)
    g = group_labels(survey, frame, by)
    ok = c.notna() & g.notna()
    tab = pd.crosstab(g[ok], c[ok])
    if tab.shape[0] < 2 or tab.shape[1] < 2:
        return pd.DataFrame([{"by": by, "chi2": np.nan, "df": 0, "p_value": np.nan,
                              "n": int(ok.sum()), "min_expected": np.nan}])
    from scipy.stats import chi2_contingency  # scipy.stats costs ~0.6 s to import

    chi2, p, dof, exp = chi2_contingency(tab.to_numpy(), correction=False)
    return pd.DataFrame([{"by": by, "chi2": float(chi2), "df": int(dof), "p_value": float(p),
                          "n": int(ok.sum()), "min_expected": float(exp.min())}])


def mean_interval(x: pd.Series, alpha: float = 0.05) -> tuple[float, float, float, int]:
    """Mean with a t interval: ``(mean, ci_low, ci_high, n)`` of the non-missing values."""
    x = pd.Series(x, dtype=float).dropna()
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    m = float(x.mean())
    if n < 2:
        return m, np.nan, np.nan, n
    h = float(special.stdtrit(n - 1, 1 - alpha / 2) * x.std(ddof=1) / np.sqrt(n))
    return m, m - h, m + h, n


def _handling_index(survey: Survey, frame: pd.DataFrame) -> pd.Series | None:
    qs = [q for q in survey.questions if q.role == "complaint_handling" and q.id in frame]
    if not qs:
        return None
    q = qs[0]
    if q.scale:
        lo, hi = float(survey.scales[q.scale].min), float(survey.scales[q.scale].max)
    else:
        lo, hi = float(q.min if q.min is not None else 1), float(q.max if q.max is not None else 10)
    x = gate_field(survey, frame, q.id, lo=lo, hi=hi)
    return 100 * (x - lo) / (hi - lo)


def handling_summary(survey: Survey, frame: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Satisfaction with complaint handling among complainers: ``measure, unit, n, estimate,
    ci_low, ci_high`` for the handling index (0-100, t CI), the share handled well (index >= 50)
    and the share resolved (Wilson CIs)."""
    c = complained(survey, frame) == 1
    rows = []
    h = _handling_index(survey, frame)
    if h is not None:
        m, lo, hi, n = mean_interval(h[c], alpha)
        rows.append({"measure": "handling_index", "unit": "index points", "n": n, "estimate": m,
                     "ci_low": lo, "ci_high": hi})
        good = (h[c].dropna() >= 50).astype(float)
        r = _rate_row(good, alpha)
        rows.append({"measure": "handled_well", "unit": "share", "n": r["n"], "estimate": r["rate"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"]})
    rq = [q for q in survey.questions if q.role == "complaint_resolved" and q.id in frame]
    if rq:
        x = gate_field(survey, frame.loc[c], rq[0].id)
        r = _rate_row(x, alpha)
        rows.append({"measure": "resolved", "unit": "share", "n": r["n"], "estimate": r["rate"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"]})
    return pd.DataFrame(rows, columns=["measure", "unit", "n", "estimate", "ci_low", "ci_high"])


def service_recovery(survey: Survey, frame: pd.DataFrame, result=None, *,
                     alpha: float = 0.05) -> pd.DataFrame:
    """Loyalty and actual repurchase of non-complainers vs complainers handled well vs badly.

    Returns ``group, n, loyalty_index, loyalty_ci_low, loyalty_ci_high, repurchase_rate,
    repurchase_ci_low, repurchase_ci_high`` for ``no complaint``, ``complaint handled well``,
    ``complaint handled badly`` (without a handling question: ``complained``). Repurchase
    columns are NaN without a behavioural field. Groups under 30 are flagged (``small_n``).
    """
    c = complained(survey, frame)
    out_c = outcome_id(survey)
    loy = construct_scores(survey, frame, result)[out_c]
    ycol, _ = behaviour_column(survey, frame)
    y = pd.to_numeric(frame[ycol], errors="coerce") if ycol else None
    h = _handling_index(survey, frame)
    groups = {"no complaint": c == 0}
    if h is not None:
        groups["complaint handled well"] = (c == 1) & (h >= 50)
        groups["complaint handled badly"] = (c == 1) & (h < 50)
    else:
        groups["complained"] = c == 1
    rows = []
    for name, m in groups.items():
        lm, llo, lhi, n = mean_interval(loy[m], alpha)
        row = {"group": name, "n": int(m.sum()), "loyalty_index": lm, "loyalty_ci_low": llo,
               "loyalty_ci_high": lhi, "repurchase_rate": np.nan, "repurchase_ci_low": np.nan,
               "repurchase_ci_high": np.nan}
        if y is not None:
            r = _rate_row(y[m], alpha)
            row.update(repurchase_rate=r["rate"], repurchase_ci_low=r["ci_low"], repurchase_ci_high=r["ci_high"])
        rows.append(row)
    out = pd.DataFrame(rows)
    out["small_n"] = out["n"] < MIN_GROUP_N
    return out


def complaint_paths(survey: Survey, result) -> pd.DataFrame:
    """The model's paths into and out of the complaint construct (standardized, with CIs)."""
    binary = [c for c, spec in survey.constructs.items() if spec.binary]
    pc = result.path_coefficients
    return pc[pc["source"].isin(binary) | pc["target"].isin(binary)].reset_index(drop=True)
