"""Cell checks of the import that would otherwise default silently (issue 13, points 4 and 7).

- :func:`timezone_reasons`: an export's time-zone name that is not an IANA zone is a row issue
  on every timestamp (the times are not moved to UTC, which could move a wave);
- :func:`duration_reasons`: a completion time that is neither seconds (``300``, ``300.5``,
  ``300秒``, ``300 s``) nor ``M分S秒`` / ``H:MM:SS`` is a row issue;
- :func:`scrub_text_column`: free-text answers with contact data scrubbed (:mod:`csi.io.scrub`).
"""

from __future__ import annotations

import re
import zoneinfo

import numpy as np
import pandas as pd

from csi.io.scrub import scrub_series, scrub_text

__all__ = ["valid_timezone", "timezone_reasons", "duration_reasons", "parse_duration", "scrub_text_column",
           "scrub_frame"]

_DURATION = re.compile(
    r"^\s*(?:(?P<s>\d+(?:\.\d+)?)\s*(?:秒|s|sec|secs|seconds?)?"
    r"|(?:(?P<m2>\d+)\s*分(?:钟)?\s*(?:(?P<s2>\d+(?:\.\d+)?)\s*秒)?)"
    r"|(?:(?P<h3>\d+):(?P<m3>[0-5]?\d):(?P<s3>[0-5]?\d(?:\.\d+)?)))\s*$", re.IGNORECASE)


def valid_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA time-zone name (``Asia/Shanghai``, ``UTC``).

    >>> valid_timezone("Asia/Shanghai"), valid_timezone("Beijing Standard Time")
    (True, False)
    """
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        return False
    return True


def timezone_reasons(raw: pd.Series, tz: str | None, reasons: pd.Series | None) -> pd.Series | None:
    """Add "unknown time zone" to every non-empty timestamp when ``tz`` is not a known zone."""
    if tz is None or valid_timezone(tz):
        return reasons
    text = raw.astype("str").fillna("").str.strip() if raw.dtype.kind not in "M" else raw.astype("str")
    present = (text != "") & (text.str.lower() != "nat") & raw.notna()
    if not present.any():
        return reasons
    out = pd.Series(None, index=raw.index, dtype=object) if reasons is None else reasons.copy()
    msg = (f"unknown time zone {tz!r} in the export's header; expected an IANA name such as "
           "Asia/Shanghai or America/New_York (the time cannot be converted to UTC)")
    out[present & out.isna()] = msg
    return out


def parse_duration(text: str) -> float | None:
    """Seconds from a completion-time cell, or None when it is not a duration.

    >>> parse_duration("300秒"), parse_duration("5分30秒"), parse_duration("0:05:30"), parse_duration("abc")
    (300.0, 330.0, 330.0, None)
    """
    m = _DURATION.match(text)
    if not m:
        return None
    if m.group("s") is not None:
        return float(m.group("s"))
    if m.group("m2") is not None:
        return 60.0 * int(m.group("m2")) + float(m.group("s2") or 0)
    return 3600.0 * int(m.group("h3")) + 60.0 * int(m.group("m3")) + float(m.group("s3"))


def duration_reasons(raw: pd.Series) -> pd.Series | None:
    """A reason for every completion-time cell that is not a duration (blank cells are fine)."""
    if raw.dtype.kind in "fiu":
        bad = raw.notna() & (raw < 0)
    else:
        uniques = pd.unique(raw.dropna())
        wrong = {u for u in uniques if str(u).strip() and parse_duration(str(u).strip()) is None}
        if not wrong:
            return None
        bad = raw.isin(list(wrong))
    if not bad.any():
        return None
    out = pd.Series(None, index=raw.index, dtype=object)
    out[bad] = "not a duration; expected seconds (e.g. 300 or 300秒), M分S秒 or H:MM:SS"
    return out


def scrub_text_column(values: pd.Series, totals: dict[str, int]) -> pd.Series:
    """``values`` with contact data scrubbed from every text cell; ``totals`` counts them.

    Works on the distinct texts (a million rows with a few thousand distinct comments cost a
    few thousand regex passes); ``totals`` counts cells, not distinct texts.
    """
    if not len(values):
        return values
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if not len(uniques):
        return values
    new, _, _ = scrub_series(list(uniques))
    changed = np.array([a != b for a, b in zip(new, uniques, strict=True)])
    if not changed.any():
        return values
    hit = codes >= 0
    cell_changed = np.zeros(len(codes), dtype=bool)
    cell_changed[hit] = changed[codes[hit]]
    totals["cells"] = totals.get("cells", 0) + int(cell_changed.sum())
    for u, n in zip(*np.unique(codes[cell_changed], return_counts=True), strict=True):
        for k, c in scrub_text(str(uniques[u]))[1].items():
            totals[k] = totals.get(k, 0) + c * int(n)
    arr = np.asarray(new, dtype=object)
    out = np.where(hit, arr[np.where(hit, codes, 0)], None)
    return pd.Series(out, index=values.index).astype(values.dtype)


def scrub_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text column of ``frame`` scrubbed (for quarantined raw rows)."""
    totals: dict[str, int] = {}
    return frame.assign(**{c: scrub_text_column(frame[c], totals) for c in frame.columns
                           if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])})
