"""0-100 scores the driver analyses work on: items, driver levers and constructs.

Conventions: every score is on the 0-100 index scale computed with the survey scale's
*theoretical* bounds (higher is better); "don't know" and other missing codes are missing;
reverse items are recoded ``min + max - x`` first. A lever's score is the mean of its answered
items; a construct's score is the IndexResult's per-respondent score when a result is given,
otherwise the equal-weight mean of its answered items (binary constructs: 0 or 100).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.errors import DataError, ParameterError
from csi.survey import Survey
from csi.validate.gate import gate_items

__all__ = ["group_labels", "item_scores", "lever_scores", "construct_scores", "outcome_id", "behaviour_column",
           "check_resampling", "MIN_GROUP_N"]

#: Groups (segments, waves) smaller than this are shown but flagged (SmallSampleWarning).
MIN_GROUP_N = 30


def item_scores(survey: Survey, frame: pd.DataFrame, items: list[str] | None = None) -> pd.DataFrame:
    """Items rescaled to 0-100 (theoretical bounds), missing codes -> NaN, reverse recoded.

    Values outside the scale that are not a declared missing or don't-know code raise
    :class:`~csi.errors.DataError` (:mod:`csi.validate.gate`).

    >>> from csi.survey import load_survey
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> item_scores(s, pd.DataFrame({"cs1": [1.0, 10.0, 99.0, 5.5]}), ["cs1"])["cs1"].tolist()
    [0.0, 100.0, nan, 50.0]
    """
    info = survey.items
    items = list(items) if items is not None else [i for i in info if i in frame]
    missing = [i for i in items if i not in frame]
    if missing:
        raise DataError(f"the response data have no column(s) {', '.join(missing)}; "
                        f"expected the survey's item ids (got {', '.join(map(str, frame.columns[:12]))}...).")
    out = {}
    for iid in items:
        if iid not in info:
            raise ParameterError(f"{iid!r} is not an item of survey {survey.id!r}.")
        sc = info[iid].scale
        lo, hi = float(sc.min), float(sc.max)
        # the one data gate: missing/don't-know codes -> NaN, anything else outside -> DataError
        x = gate_items(survey, frame, [iid])[iid]
        if info[iid].item.reverse:
            x = lo + hi - x
        out[iid] = 100.0 * (x - lo) / (hi - lo)
    return pd.DataFrame(out, index=frame.index)


def lever_scores(survey: Survey, frame: pd.DataFrame) -> pd.DataFrame:
    """Per-respondent 0-100 score of each driver lever (mean of its answered items)."""
    if survey.drivers is None:
        raise DataError(f"survey {survey.id!r} has no driver battery (a `drivers:` section).")
    out = {}
    for lever, items in survey.driver_items.items():
        out[lever] = item_scores(survey, frame, items).mean(axis=1, skipna=True)
    return pd.DataFrame(out, index=frame.index)


def construct_scores(survey: Survey, frame: pd.DataFrame, result=None) -> pd.DataFrame:
    """Per-respondent 0-100 construct scores: ``result.scores`` (re-indexed to ``frame``;
    respondents not used in estimation are NaN) or equal-weight item means."""
    if result is not None and result.scores is not None and len(result.scores.columns):
        return result.scores.reindex(frame.index)
    out = {}
    for cid, c in survey.constructs.items():
        out[cid] = item_scores(survey, frame, [it.id for it in c.items]).mean(axis=1, skipna=True)
    return pd.DataFrame(out, index=frame.index)


def outcome_id(survey: Survey) -> str:
    """The construct the driver battery explains (``drivers.outcome``; default ``loyalty``)."""
    out = survey.drivers.outcome if survey.drivers is not None else None
    if out is not None and out in survey.constructs:
        return out
    if out is not None and out in survey.items and survey.items[out].group == "construct":
        return survey.items[out].owner
    if "loyalty" in survey.constructs:
        return "loyalty"
    raise ParameterError(f"survey {survey.id!r} names no driver outcome; pass target=<construct id>.")


def behaviour_column(survey: Survey, frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """``(column, None)`` for the 0/1 actual-repurchase field, or ``(None, reason)`` when the
    behavioural analyses must be skipped."""
    col = survey.drivers.behaviour if survey.drivers is not None else None
    if col is None:
        cands = [q.id for q in survey.questions if q.role == "behavioural" and q.type == "yes_no"]
        col = cands[0] if cands else None
    if col is None:
        return None, "the survey defines no behavioural repurchase field (drivers.behaviour)"
    if col not in frame:
        return None, f"the data have no {col!r} column (actual repurchase from the order system)"
    y = pd.to_numeric(frame[col], errors="coerce")
    if y.notna().sum() == 0:
        return None, f"the {col!r} column is empty"
    bad = ~y.dropna().isin([0, 1])
    if bad.any():
        raise DataError(f"column {col!r} must hold 0/1 (repurchased or not); got "
                        f"{frame[col][y.notna()][bad].iloc[0]!r}.")
    return col, None


def check_variance(x: pd.DataFrame, what: str = "driver") -> None:
    """Raise :class:`DataError` naming every column with zero variance."""
    sd = x.std(ddof=1)
    scale = 1.0 + x.abs().max()
    flat = [c for c in x.columns if not np.isfinite(sd[c]) or sd[c] <= 1e-10 * scale[c]]
    if flat:
        raise DataError(f"{what} score(s) {', '.join(flat)} have zero variance in the data used "
                        f"(n={len(x)}); every respondent gave the same answer, so their importance "
                        "cannot be estimated. Drop them or use more data.")


def check_resampling(func: str, *, n_boot: int | None = None, alpha: float | None = None,
                     n_perm: int | None = None) -> None:
    """Check resampling parameters (sklearn's message shape, :class:`ParameterError`)."""
    from csi.estimate.pls.model import check_number

    if n_boot is not None:
        check_number("n_boot", n_boot, 0, np.inf, integer=True, func=func)
    if n_perm is not None:
        check_number("n_perm", n_perm, 0, np.inf, integer=True, func=func)
    if alpha is not None:
        check_number("alpha", alpha, 0.0, 0.5, func=func, closed="neither")


def group_labels(survey: Survey, frame: pd.DataFrame, by: str) -> pd.Series:
    """The group label of every respondent: ``by`` is ``wave`` or a segment question id."""
    if by not in frame:
        segs = [q.id for q in survey.segments]
        raise ParameterError(f"cannot group by {by!r}: not a column of the data; expected 'wave' or a "
                             f"segment ({', '.join(segs)}).")
    return frame[by].astype("string")
