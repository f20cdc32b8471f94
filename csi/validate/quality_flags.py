"""Response-quality flags: straight-lining, speeders, all "don't know". Flagged rows are KEPT.

Rules (documented choices):

- ``straight_lining``: in a matrix of at least 4 Likert items (a construct, or the whole driver
  battery) the respondent answered every item, and all answers are the same scale value;
- ``speeder``: completion time below ``speeder_ratio`` (default 0.3) times the file's median
  completion time (only when a duration column was imported);
- ``all_dont_know``: at least 3 items answered and every answered item is "don't know".

Each function returns a frame with ``row``, ``flag`` and ``detail``; vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.survey import Survey

__all__ = ["FLAG_COLUMNS", "quality_flags", "straight_lining", "speeders", "all_dont_know"]

FLAG_COLUMNS = ["row", "flag", "detail"]


def _flags(index, flag: str, details) -> pd.DataFrame:
    index = list(index)
    details = list(details) if not isinstance(details, str) else [details] * len(index)
    return pd.DataFrame({"row": index, "flag": [flag] * len(index), "detail": details}, columns=FLAG_COLUMNS)


def _matrices(survey: Survey) -> dict[str, list[str]]:
    out = {cid: [it.id for it in c.items] for cid, c in survey.constructs.items()}
    if survey.drivers is not None:
        out["drivers"] = [iid for ids in survey.driver_items.values() for iid in ids]
    return {k: v for k, v in out.items() if len(v) >= 4}


def straight_lining(frame: pd.DataFrame, survey: Survey) -> pd.DataFrame:
    """Rows answering every item of a >= 4-item matrix with one identical value.

    Column by column (no rows x items copy), so it stays cheap on millions of rows.
    """
    parts = []
    for name, ids in _matrices(survey).items():
        ids = [i for i in ids if i in frame]
        if len(ids) < 4:
            continue
        first = frame[ids[0]].to_numpy(dtype=float)
        same = ~np.isnan(first)
        dk = survey.items[ids[0]].scale.dont_know
        if dk is not None:
            same &= first != dk
        for iid in ids[1:]:
            same &= frame[iid].to_numpy(dtype=float) == first
        if same.any():
            parts.append(_flags(frame.index[same], "straight_lining",
                                [f"all {len(ids)} items of {name} = {v:g}" for v in first[same]]))
    return pd.concat(parts, ignore_index=True) if parts else _flags([], "straight_lining", [])


def speeders(duration_s: pd.Series, ratio: float = 0.3) -> pd.DataFrame:
    """Rows whose completion time (seconds) is below ``ratio`` x the median."""
    d = pd.to_numeric(duration_s, errors="coerce")
    med = d.median()
    if not np.isfinite(med) or med <= 0:
        return _flags([], "speeder", [])
    fast = d < ratio * med
    return _flags(d.index[fast], "speeder", [f"{v:g} s < {ratio:g} x median {med:g} s" for v in d[fast]])


def all_dont_know(frame: pd.DataFrame, survey: Survey) -> pd.DataFrame:
    """Rows where every answered item (at least 3) is the scale's don't-know code."""
    ids = [i for i in survey.items if i in frame and survey.items[i].scale.dont_know is not None]
    if not ids:
        return _flags([], "all_dont_know", [])
    answered = np.zeros(len(frame), dtype=np.int32)
    dont_know = np.zeros(len(frame), dtype=np.int32)
    for iid in ids:
        x = frame[iid].to_numpy(dtype=float)
        answered += ~np.isnan(x)
        dont_know += x == survey.items[iid].scale.dont_know
    hit = (answered >= 3) & (dont_know == answered)
    return _flags(frame.index[hit], "all_dont_know", "every answered item is don't know")


def quality_flags(frame: pd.DataFrame, survey: Survey, duration_s: pd.Series | None = None) -> pd.DataFrame:
    """All quality flags for a canonical frame (rows kept; this only reports)."""
    parts = [straight_lining(frame, survey), all_dont_know(frame, survey)]
    if duration_s is not None:
        parts.append(speeders(duration_s.reindex(frame.index)))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else _flags([], "", [])
