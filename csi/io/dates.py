"""Timestamps as platforms write them: ISO 8601, year-first, day-first or month-first, per column.

A column of numeric dates such as ``03/04/2026`` is day-first in one locale and month-first in
another, so the order is decided **once per column from its values**, never per cell (pandas'
``format="mixed"`` guesses per cell: ``12/03/2026`` and ``13/03/2026`` in one column would be read
in different orders). The rules:

- ISO 8601 (``2026-03-04 14:05:00``, ``2026-03-04T06:05:00Z``) and year-first numeric dates
  (``2026/3/4 14:05:00``, Wenjuanxing and Google Sheets' zh-CN locale) need no decision.
- Otherwise a value whose first number exceeds 12 proves day-first, one whose second number
  exceeds 12 proves month-first. The order under which every value is a valid date wins; when
  neither fits every value, the order that fits more values wins and the others are row issues.
- When no value tells (every day <= 12), the platform's order is used (``hint``: SurveyMonkey
  exports are read as ``MM/DD/YYYY``, the team's reading of its US format, not yet checked
  against its help); ``.`` separated dates are day-first (no locale writes month-first with
  dots: de-DE ``04.03.2026``); else every ambiguous cell is a row issue asking for
  ``date_order`` -- never a silent default.

Times may follow as ``H:MM[:SS[.fff]]`` with ``AM``/``PM`` (or 上午/下午 before or after).
Formats per platform, with the source of each (tests/data/platforms/PROVENANCE.md):
Wenjuanxing ``YYYY/MM/DD hh:mm:ss``; Qualtrics ``YYYY-MM-DD hh:mm:ss``; SurveyMonkey
``MM/DD/YYYY hh:mm:ss AM``; Google Forms the spreadsheet locale's (en-US ``M/D/YYYY H:MM:SS``,
en-GB ``DD/MM/YYYY HH:MM:SS``, de-DE ``DD.MM.YYYY HH:MM:SS``, zh-CN ``YYYY/M/D H:MM:SS``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DATE_ORDERS", "date_answers", "decide_order", "parse_timestamps"]

#: accepted ``date_order`` values: day-month-year, month-day-year, year-month-day
DATE_ORDERS = ("dmy", "mdy", "ymd")

#: numeric date, optional time; RE2 syntax (pyarrow's vectorised regex): no back-references,
#: so both separators are captured and compared afterwards
_NUMERIC = (r"^\s*(?P<a>\d{1,4})(?P<sep>[./-])(?P<b>\d{1,2})(?P<sep2>[./-])(?P<c>\d{1,4})"
            r"(?:[ T]+(?P<pre>上午|下午)?\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}(?:\.\d+)?))?"
            r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?|上午|下午)?)?\s*$")
_NUMBERS = ("a", "b", "c", "H", "M", "S")


def _extract(text: pd.Series) -> pd.DataFrame:
    """The parts of every numeric date in ``text`` (C++ regex over the column, no Python loop):
    floats for the numbers (NaN where absent), ``alen``/``clen`` digit counts, text for the rest;
    rows that are not numeric dates have ``a`` NaN."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(text.to_numpy(dtype=object), type=pa.string())
    st = pc.extract_regex(arr, _NUMERIC)
    out = {}
    for name in ("a", "sep", "b", "sep2", "c", "pre", "H", "M", "S", "ampm"):
        f = pc.struct_field(st, name)
        f = pc.if_else(pc.equal(f, ""), pa.scalar(None, pa.string()), f)
        if name in _NUMBERS:
            out[name] = pc.cast(f, pa.float64()).to_numpy(zero_copy_only=False)
            if name in ("a", "c"):
                out[name[0] + "len"] = pc.utf8_length(f).to_numpy(zero_copy_only=False)
        else:
            out[name] = f.to_numpy(zero_copy_only=False)
    frame = pd.DataFrame(out, index=text.index)
    same = frame["sep"] == frame["sep2"]
    frame.loc[~same, "a"] = np.nan  # 03/04-2026 is no date
    return frame


def decide_order(a: pd.Series, b: pd.Series, sep: pd.Series, hint: str | None = None) -> str | None:
    """The column's order (``dmy``/``mdy``) from the first two numbers of its non-year-first dates.

    ``a``/``b``: the first and second numbers (floats, NaN where not such a date); returns None
    when nothing tells and there is no hint (callers report the ambiguous cells).

    >>> s = pd.Series
    >>> decide_order(s([3.0, 13.0]), s([4.0, 4.0]), s(["/", "/"]))
    'dmy'
    >>> decide_order(s([3.0, 4.0]), s([4.0, 28.0]), s(["/", "/"]))
    'mdy'
    >>> decide_order(s([3.0]), s([4.0]), s(["/"])) is None
    True
    """
    ok = a.notna() & b.notna()
    a, b = a[ok], b[ok]
    fits = {"dmy": int(((a <= 31) & (b <= 12)).sum()), "mdy": int(((a <= 12) & (b <= 31)).sum())}
    if fits["dmy"] != fits["mdy"]:
        return max(fits, key=fits.get)
    if hint in ("dmy", "mdy"):
        return hint
    if len(sep[ok]) and (sep[ok] == ".").all():
        return "dmy"
    return None


def parse_timestamps(text: pd.Series, *, hint: str | None = None) -> tuple[pd.Series, pd.Series | None]:
    """Parse a column of timestamps as written; return ``(naive or UTC-aware datetimes, reasons)``.

    ``hint`` is the platform's documented order (``dmy``/``mdy``/``ymd``) or an explicit
    ``date_order``; it decides only when the values do not. ``reasons`` holds a message for every
    non-empty cell that is not a date in the column's order (None when there is none). Values
    with an offset (``Z``, ``+08:00``) come back converted to UTC; all others naive.
    """
    text = text.astype("str").fillna("").str.strip()
    empty = text == ""
    out = pd.to_datetime(text.where(~empty, None), format="ISO8601", errors="coerce", utc=True)
    reason = pd.Series(None, index=text.index, dtype=object)
    left = out.isna() & ~empty
    if left.any():
        parts = _extract(text[left])
        num = parts["a"].notna()
        if num.any():
            out.loc[parts.index[num]], why = _numeric(parts[num], hint)
            reason.loc[why.index] = why
        rest = left & out.isna() & reason.isna()
        rest[rest.index.isin(parts.index[num])] = False
        if rest.any():  # month names and other spelled-out formats (no day/month ambiguity)
            out.loc[rest] = pd.to_datetime(text[rest], format="mixed", errors="coerce", utc=True)
        bad = left & out.isna() & reason.isna()
        reason[bad] = "not a date/time; expected e.g. 2026-03-01 14:05:00"
    return out, (reason if reason.notna().any() else None)


def _numeric(p: pd.DataFrame, hint: str | None) -> tuple[pd.Series, pd.Series]:
    a, b, c = p["a"], p["b"], p["c"]
    year_first = p["alen"] == 4
    bad_year = ~year_first & ~p["clen"].isin([2, 4]) | year_first & (p["clen"] > 2)
    order = "ymd" if hint == "ymd" else decide_order(a[~year_first], b[~year_first], p["sep"][~year_first], hint)
    year = a.where(year_first, c)
    year = year.where(year >= 100, year + 2000)
    if order == "dmy":
        month, day = b.where(~year_first, b), a.where(~year_first, c)
    else:
        month, day = a.where(~year_first, b), b.where(~year_first, c)
    hour = p["H"].fillna(0)
    marker = p["ampm"].fillna(p["pre"])
    marker = marker.map({u: str(u).upper().replace(".", "") for u in marker.dropna().unique()})
    pm = marker.isin(["PM", "下午"])
    am = marker.isin(["AM", "上午"])
    hour = hour.where(~((pm & (hour < 12)) | (am & (hour == 12))), (hour + 12) % 24)
    frame = pd.DataFrame({"year": year, "month": month, "day": day, "hour": hour,
                          "minute": p["M"].fillna(0)})
    sec = p["S"].fillna(0)
    bad_time = (frame["hour"] > 23) | (frame["minute"] > 59) | (sec >= 61) | ((am | pm) & (p["H"] > 12))
    ts = pd.to_datetime(frame, errors="coerce") + pd.to_timedelta(sec, unit="s")
    ts = ts.where(~bad_time & ~bad_year)
    why = pd.Series(None, index=p.index, dtype=object)
    ambiguous = ~year_first & (a <= 12) & (b <= 12) & (a != b)
    if order is None:
        why[ambiguous] = ("ambiguous date: nothing in this column tells day-first from month-first (no day "
                          "above 12); export dates as YYYY-MM-DD or give the date order (--date-order dmy or mdy)")
        ts = ts.where(~ambiguous)
    failed = ts.isna() & why.isna()
    why[failed] = "not a date/time; expected e.g. 2026-03-01 14:05:00"
    if order is not None:
        words = {"dmy": "day-first, e.g. 28/02/2026 14:05:00", "mdy": "month-first, e.g. 02/28/2026 14:05:00"}
        why[failed & ~year_first] = f"not a date in this column's order ({words[order]})"
    return ts.dt.tz_localize("UTC"), why[why.notna()]


def date_answers(values: pd.Series, *, hint: str | None = None) -> tuple[pd.Series, pd.Series | None]:
    """Answers to a ``date`` question as ISO ``YYYY-MM-DD`` text; ``(answers, reasons)``.

    Read like timestamps (one day/month order for the column); a cell that is not a date is a
    row issue, never stored as written. Empty cells stay missing.

    >>> date_answers(pd.Series(["13/04/2026", "02/04/2026", None]))[0].tolist()
    ['2026-04-13', '2026-04-02', nan]
    """
    filled = values.notna() & (values.astype("str").str.strip() != "")
    out = pd.Series(np.nan, index=values.index, dtype=object)
    if not filled.any():
        return out, None
    ts, why = parse_timestamps(values[filled], hint=hint)
    ok = ts.notna()
    out.loc[ts.index[ok]] = ts[ok].dt.strftime("%Y-%m-%d").to_numpy()
    if why is None:
        return out, None
    reasons = pd.Series(None, index=values.index, dtype=object)
    reasons.loc[why.index] = why.str.replace("not a date/time; expected e.g. 2026-03-01 14:05:00",
                                             "not a date; expected e.g. 2026-03-01", regex=False)
    return out, reasons
