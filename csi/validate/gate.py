"""The one data gate for every analysis (issue 13, point 9).

Drivers, complaints, segments and what-if read answers through :func:`gate_items` /
:func:`gate_field`: the scale's declared missing codes and its "don't know" code become NaN
(missing by design); any other value outside the scale -- 11, -5 or 0 on a 1-10 scale, 2 on a
0/1 item, a non-number -- raises :class:`~csi.errors.DataError` naming the column, the row
and the value, exactly like the estimator's own gate (:mod:`csi.estimate.prepare`). Nothing
is turned into NaN silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.errors import DataError
from csi.survey import Survey

__all__ = ["gate_values", "gate_items", "gate_field"]


def _fmt(v: float) -> str:
    return f"{v:g}"


def gate_values(x: pd.Series, *, column: str, lo: float, hi: float, missing_codes=(),
                dont_know=None, allowed=None, step=None) -> pd.Series:
    """``x`` as float with missing/don't-know codes masked; DataError for anything else outside.

    ``allowed``: the exact admissible values (e.g. ``[0, 1]``); otherwise ``[lo, hi]``.

    >>> gate_values(pd.Series([1.0, 10.0, 99.0, -2.0]), column="cs1", lo=1, hi=10,
    ...             missing_codes=(-2,), dont_know=99).tolist()
    [1.0, 10.0, nan, nan]
    >>> gate_values(pd.Series([1.0, 11.0]), column="cs1", lo=1, hi=10)
    Traceback (most recent call last):
    ...
    csi.errors.DataError: column 'cs1', row 1: value 11 is outside the scale [1, 10]; expected a value of the scale or a declared missing code
    """
    try:
        v = pd.to_numeric(x, errors="raise").astype(float)
    except (ValueError, TypeError):
        num = pd.to_numeric(x, errors="coerce")
        bad = num.isna() & x.notna()
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"column {column!r}, row {x.index[pos]!r}: {x.iloc[pos]!r} is not a number; "
                        f"expected a value of the scale [{_fmt(lo)}, {_fmt(hi)}]") from None
    codes = [float(c) for c in missing_codes] + ([float(dont_know)] if dont_know is not None else [])
    if codes:
        v = v.where(~v.isin(codes))
    present = v.notna().to_numpy()
    arr = v.to_numpy()
    if allowed is not None:
        outside = present & ~np.isin(arr, [float(a) for a in allowed])
        want = "/".join(_fmt(float(a)) for a in allowed)
    else:
        outside = present & ((arr < lo) | (arr > hi) | ~np.isfinite(np.where(present, arr, 0.0)))
        want = f"[{_fmt(lo)}, {_fmt(hi)}]"
    if outside.any():
        pos = int(np.flatnonzero(outside)[0])
        raise DataError(f"column {column!r}, row {x.index[pos]!r}: value {_fmt(arr[pos])} is outside the scale "
                        f"{want}; expected a value of the scale or a declared missing code")
    return v


def gate_items(survey: Survey, frame: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    """The Likert items ``items`` of ``frame`` through the gate (float, missing codes NaN)."""
    info = survey.items
    out = {}
    for iid in items:
        sc = info[iid].scale
        binary = [float(p) for p in sc.points] == [0.0, 1.0]
        out[iid] = gate_values(frame[iid], column=iid, lo=float(sc.min), hi=float(sc.max),
                               missing_codes=sc.missing_codes, dont_know=sc.dont_know,
                               allowed=[0.0, 1.0] if binary else None)
    return pd.DataFrame(out, index=frame.index)


def gate_field(survey: Survey, frame: pd.DataFrame, fid: str, *, lo: float | None = None,
               hi: float | None = None) -> pd.Series:
    """One item or numeric question (``yes_no``, ``rating``) through the gate."""
    if fid in survey.items:
        return gate_items(survey, frame, [fid])[fid]
    q = survey.question_map[fid]
    codes: set[float] = set()
    for sc in survey.scales.values():
        codes |= {float(c) for c in sc.missing_codes}
    if q.type == "yes_no":
        return gate_values(frame[fid], column=fid, lo=0.0, hi=1.0, missing_codes=sorted(codes),
                           allowed=[0.0, 1.0])
    sc = survey.scales.get(q.scale) if q.scale else None
    if sc is not None:
        return gate_values(frame[fid], column=fid, lo=float(sc.min), hi=float(sc.max),
                           missing_codes=sc.missing_codes, dont_know=sc.dont_know)
    lo = float(q.min if q.min is not None else (lo if lo is not None else -np.inf))
    hi = float(q.max if q.max is not None else (hi if hi is not None else np.inf))
    return gate_values(frame[fid], column=fid, lo=lo, hi=hi, missing_codes=sorted(codes))
