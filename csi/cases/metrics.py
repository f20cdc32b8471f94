"""Measuring the loop: how fast cases are worked, and how followed-up complainers fare.

:func:`loop_metrics` summarises the cases of a survey: cases opened, cases contacted, median
hours from opening to first contact, share overdue (first contact after the due time, or
still ``new`` past it), resolution rate (share ``resolved``) and cases still open.

:func:`followup_outcomes` compares complainers whose case was contacted with complainers who
were not (no case, or never contacted): their 0-100 loyalty score (t interval) and actual
repurchase rate (Wilson interval). This is observational -- who gets a call is not random --
so a difference is not the effect of calling back.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from csi.accounts.audit import iso, utcnow
from csi.cases.rules import construct_score
from csi.drivers.complaints import complained, mean_interval
from csi.drivers.repurchase import wilson_interval
from csi.drivers.scores import behaviour_column, outcome_id
from csi.survey import Survey

__all__ = ["loop_metrics", "followup_outcomes", "LOOP_COLUMNS"]

LOOP_COLUMNS = ["cases_opened", "contacted", "median_hours_to_first_contact", "share_overdue",
                "resolution_rate", "open_cases"]


def loop_metrics(cases: pd.DataFrame, *, now: datetime | None = None) -> pd.DataFrame:
    """One row of :data:`LOOP_COLUMNS` from a :func:`csi.cases.store.list_cases` frame.

    Shares are 0-1; hours are wall-clock hours. NaN where there is nothing to measure.

    >>> c = pd.DataFrame({"status": ["contacted", "new", "resolved", "new"],
    ...     "opened_at": ["2026-03-01T00:00:00"] * 4,
    ...     "due_at": ["2026-03-02T00:00:00"] * 4,
    ...     "first_contact_at": ["2026-03-01T02:00:00", None, "2026-03-02T06:00:00", None]})
    >>> loop_metrics(c, now=datetime(2026, 3, 1, 12)).iloc[0].to_dict()["median_hours_to_first_contact"]
    16.0
    >>> m = loop_metrics(c, now=datetime(2026, 3, 5)).iloc[0]
    >>> float(m["share_overdue"]), float(m["resolution_rate"]), int(m["open_cases"])
    (0.75, 0.25, 3)
    """
    now_s = iso(now or utcnow())
    n = len(cases)
    if not n:
        return pd.DataFrame([{c: (0 if c in ("cases_opened", "contacted", "open_cases") else np.nan)
                              for c in LOOP_COLUMNS}])
    opened = pd.to_datetime(cases["opened_at"])
    first = pd.to_datetime(cases["first_contact_at"])
    hours = (first - opened).dt.total_seconds() / 3600.0
    late_contact = cases["first_contact_at"].notna() & (cases["first_contact_at"].fillna("") > cases["due_at"])
    waiting = cases["status"].eq("new") & (cases["due_at"] < now_s)
    row = {"cases_opened": n, "contacted": int(first.notna().sum()),
           "median_hours_to_first_contact": float(hours.median()) if first.notna().any() else np.nan,
           "share_overdue": float((late_contact | waiting).mean()),
           "resolution_rate": float(cases["status"].eq("resolved").mean()),
           "open_cases": int(cases["status"].isin(["new", "contacted", "unreachable"]).sum())}
    return pd.DataFrame([row], columns=LOOP_COLUMNS)


def followup_outcomes(survey: Survey, frame: pd.DataFrame, cases: pd.DataFrame, *,
                      alpha: float = 0.05) -> pd.DataFrame:
    """Loyalty and repurchase of complainers followed up (case contacted) vs not.

    Returns ``group`` (``followed up`` / ``not followed up``), ``n``, ``loyalty_index``,
    ``loyalty_ci_low``, ``loyalty_ci_high`` (0-100, equal-weight item means, higher is better),
    ``repurchase_rate``, ``repurchase_ci_low``, ``repurchase_ci_high`` (0-1; NaN without a
    behavioural field). Observational: not the effect of following up.
    """
    c = complained(survey, frame)
    loy = construct_score(survey, frame, outcome_id(survey))
    ycol, _ = behaviour_column(survey, frame)
    y = pd.to_numeric(frame[ycol], errors="coerce") if ycol else None
    reached = set()
    if len(cases):
        mine = cases.loc[cases["survey_id"].eq(survey.id) & cases["first_contact_at"].notna()]
        reached = set(mine["respondent_id"].astype("str"))
    followed = frame["respondent_id"].astype("str").isin(reached)
    rows = []
    for name, m in (("followed up", (c == 1) & followed), ("not followed up", (c == 1) & ~followed)):
        lm, llo, lhi, _ = mean_interval(loy[m], alpha)
        row = {"group": name, "n": int(m.sum()), "loyalty_index": lm, "loyalty_ci_low": llo,
               "loyalty_ci_high": lhi, "repurchase_rate": np.nan, "repurchase_ci_low": np.nan,
               "repurchase_ci_high": np.nan}
        if y is not None:
            yy = y[m].dropna()
            k, nn = float(yy.sum()), len(yy)
            lo, hi = wilson_interval(k, nn, alpha) if nn else (np.nan, np.nan)
            row.update(repurchase_rate=k / nn if nn else np.nan, repurchase_ci_low=float(lo),
                       repurchase_ci_high=float(hi))
        rows.append(row)
    return pd.DataFrame(rows)
