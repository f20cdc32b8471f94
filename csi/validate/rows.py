"""Row-level checks on a canonical frame: duplicates, ``show_if`` violations, required answers.

Pure functions: they take DataFrames and return a tidy issues frame with columns ``row``
(index label of the row, i.e. the source data-row number), ``column`` (field id), ``value`` and
``reason``. They never drop or fix data; the importer rejects the rows named here.
All checks are vectorised (no per-row Python loop).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.survey import Survey

__all__ = ["ISSUE_COLUMNS", "issues_frame", "duplicate_ids", "show_if_masks", "show_if_violations",
           "required_missing"]

ISSUE_COLUMNS = ["row", "column", "value", "reason"]


def issues_frame(rows=(), column=None, values=(), reason: str | pd.Series = "") -> pd.DataFrame:
    """Build an issues frame (``row, column, value, reason``) from aligned sequences."""
    rows = list(rows)
    vals = list(values) if len(values) else [None] * len(rows)
    reasons = list(reason) if isinstance(reason, pd.Series | list | np.ndarray) else [reason] * len(rows)
    return pd.DataFrame({"row": rows, "column": [column] * len(rows), "value": vals,
                         "reason": reasons}, columns=ISSUE_COLUMNS)


def duplicate_ids(frame: pd.DataFrame, column: str = "respondent_id") -> pd.DataFrame:
    """Later occurrences of a respondent id already seen higher up in the file.

    >>> f = pd.DataFrame({"respondent_id": ["a", "b", "a"]}, index=[1, 2, 3])
    >>> duplicate_ids(f)[["row", "value"]].values.tolist()
    [[3, 'a']]
    """
    ids = frame[column]
    dup = ids.duplicated(keep="first") & ids.notna()
    first = ids[~ids.duplicated(keep="first")]
    first_row = pd.Series(first.index, index=first.to_numpy())
    reasons = [f"duplicate respondent id (first seen in row {first_row[v]})" for v in ids[dup]]
    return issues_frame(frame.index[dup], column, ids[dup].tolist(), reasons)


def _shown(controller: pd.Series, values, positive: bool) -> pd.Series:
    if controller.dtype.kind == "f":
        try:
            vals = [float(v) for v in values]
        except (TypeError, ValueError):
            vals = []
        hit = controller.isin(vals)
    else:
        hit = controller.astype("str").isin([str(v) for v in values])
    return hit if positive else ~hit


def show_if_masks(frame: pd.DataFrame, survey: Survey) -> dict[str, pd.Series]:
    """Field id -> boolean Series: the field was shown (True), not shown (False).

    The condition is evaluated literally, as the form does: a missing controlling answer fails
    ``equals``/``in`` (not shown) and passes ``not_in`` (shown). Only fields with a ``show_if``
    whose controlling field is in ``frame`` appear.
    """
    out: dict[str, pd.Series] = {}
    conds = {iid: info.item.show_if for iid, info in survey.items.items()}
    conds |= {q.id: q.show_if for q in survey.questions}
    for fid, cond in conds.items():
        if cond is None or fid not in frame or cond.field not in frame:
            continue
        controller = frame[cond.field]
        values, positive = cond.allowed
        out[fid] = _shown(controller, values, positive)
    return out


def show_if_violations(frame: pd.DataFrame, survey: Survey,
                       shown: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """Answers present where ``show_if`` says the field was not shown.

    Lenient where the controlling answer itself is missing (it may not have been exported).
    """
    shown = show_if_masks(frame, survey) if shown is None else shown
    parts = []
    for fid, mask in shown.items():
        if bool(mask.all()):
            continue
        col = frame[fid]
        present = col.notna() & (col.astype("str") != "") if col.dtype.kind != "f" else col.notna()
        controller = frame[_controller(survey, fid)]
        bad = present & ~mask & controller.notna()
        if bad.any():
            cond = next(c for c in ([i.item.show_if for i in survey.items.values() if i.item.id == fid]
                                    + [q.show_if for q in survey.questions if q.id == fid]) if c)
            parts.append(issues_frame(frame.index[bad], fid, col[bad].tolist(),
                                      f"answer present but the question is not shown "
                                      f"(show_if {cond.field}); expected empty"))
    return pd.concat(parts, ignore_index=True) if parts else issues_frame()


def _controller(survey: Survey, fid: str) -> str:
    info = survey.items.get(fid)
    cond = info.item.show_if if info is not None else survey.question_map[fid].show_if
    return cond.field


def required_missing(frame: pd.DataFrame, survey: Survey,
                     shown: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """Questions marked ``required: true`` left empty where they were shown.

    Items' ``required`` is enforced by the built-in form; in imported files a skipped item is
    item nonresponse (NaN), handled by the estimator's documented missing-data policy.
    """
    shown = show_if_masks(frame, survey) if shown is None else shown
    parts = []
    for q in survey.questions:
        if not q.required or q.id not in frame or q.source == "system":
            continue
        col = frame[q.id]
        empty = col.isna() | (col.astype("str") == "") if col.dtype.kind != "f" else col.isna()
        if q.id in shown:
            empty &= shown[q.id]
        if empty.any():
            parts.append(issues_frame(frame.index[empty], q.id, [None] * int(empty.sum()),
                                      "required answer missing"))
    return pd.concat(parts, ignore_index=True) if parts else issues_frame()
