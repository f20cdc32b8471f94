"""The dashboard's shared filters (waves, date range, one segment) applied to a response frame.

Filters never change values; they select rows. The same filter settings give the same rows, so
the app can cache results per ``(data hash, survey version, filter key, settings)``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pandas as pd

__all__ = ["Filters", "filter_frame", "frame_fingerprint", "segment_options",
           "date_bounds"]


@dataclass(frozen=True)
class Filters:
    """Row filters: ``waves`` (labels; empty = all), inclusive ``date_range`` of response dates
    (``submitted_at``, UTC dates), and one ``segment`` as ``(question_id, option_code)``."""

    waves: tuple[str, ...] = ()
    date_range: tuple[dt.date, dt.date] | None = None
    segment: tuple[str, str] | None = None

    @property
    def key(self) -> tuple:
        """A hashable key for caches."""
        dr = None if self.date_range is None else tuple(d.isoformat() for d in self.date_range)
        return (tuple(sorted(self.waves)), dr, self.segment)


def filter_frame(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows of ``frame`` matching every filter (a copy; the input is not changed).

    Examples
    --------
    >>> f = pd.DataFrame({"wave": ["2026Q1", "2026Q2", "2026Q2"], "channel": ["jd", "jd", "tmall"],
    ...                   "submitted_at": pd.to_datetime(["2026-01-05", "2026-04-02", "2026-05-09"])})
    >>> len(filter_frame(f, Filters(waves=("2026Q2",), segment=("channel", "jd"))))
    1
    >>> len(filter_frame(f, Filters(date_range=(dt.date(2026, 1, 1), dt.date(2026, 4, 2)))))
    2
    """
    mask = pd.Series(True, index=frame.index)
    if filters.waves:
        mask &= frame["wave"].astype("string").isin(list(filters.waves)).fillna(False)
    if filters.date_range is not None and "submitted_at" in frame:
        start, end = filters.date_range
        ts = pd.to_datetime(frame["submitted_at"])
        mask &= (ts >= pd.Timestamp(start)) & (ts < pd.Timestamp(end) + pd.Timedelta(days=1))
    if filters.segment is not None:
        col, value = filters.segment
        if col in frame:
            mask &= (frame[col].astype("string") == str(value)).fillna(False)
        else:
            mask &= False
    return frame.loc[mask.to_numpy(dtype=bool)]  # boolean selection copies (no second .copy())


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """Hex SHA-256 of a frame's contents (row hashes, index and column names): a cache key.

    >>> a = pd.DataFrame({"x": [1.0, 2.0]})
    >>> frame_fingerprint(a) == frame_fingerprint(a.copy()), frame_fingerprint(a) == frame_fingerprint(a * 2)
    (True, False)
    """
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, frame.columns)).encode("utf-8"))
    if len(frame):
        h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return h.hexdigest()


def segment_options(frame: pd.DataFrame, question_id: str) -> list[str]:
    """Distinct answer codes of a segment question present in the frame, sorted."""
    if question_id not in frame:
        return []
    return sorted(frame[question_id].dropna().astype(str).unique().tolist())


def date_bounds(frame: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    """First and last response date (UTC), or None for an empty frame."""
    if "submitted_at" not in frame or frame["submitted_at"].dropna().empty:
        return None
    ts = pd.to_datetime(frame["submitted_at"]).dropna()
    return ts.min().date(), ts.max().date()
