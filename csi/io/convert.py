"""Vectorised conversion of source columns to canonical field values, with per-cell problems.

Each converter takes a source column (numbers from a typed reader, or text) and returns
``(values, reason)``: the canonical values (float64 or str, NaN where missing) and a Series of
problem texts (``None`` where the cell is fine), or None when no cell has a problem. Text cells are converted once per *unique*
value, so a million rows with a few dozen distinct answers cost a few dozen look-ups; numeric
cells are checked with array operations. Nothing is fixed silently: a cell that is not a value
of the field's scale, a known label, an option code/label or a number is reported, and the row
is rejected by the caller.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pyarrow as pa

from csi.io.mapping import label_codes, normalize, parse_points
from csi.survey import Survey

__all__ = ["FieldSpec", "field_specs", "convert_column"]

_STR_TYPES = {pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}
_MISSING_TEXT = {"", "nan", "null", "none", "(跳过)", "(空)", "跳过", "-"}


class FieldSpec:
    """What a canonical field accepts: kind, allowed numbers, labels, options, bounds."""

    def __init__(self, fid: str, kind: str, *, scale=None, options=None, vmin=None, vmax=None,
                 missing_codes=()):
        self.fid = fid
        self.kind = kind
        self.scale = scale
        self.options = options or []
        self.vmin, self.vmax = vmin, vmax
        codes = set(missing_codes)
        if scale is not None:
            codes |= set(scale.missing_codes)
        self.missing_codes = np.array(sorted(float(c) for c in codes), dtype=float)
        if scale is not None:
            pts = [float(p) for p in scale.points]
            self.allowed = np.array(pts + ([float(scale.dont_know)] if scale.dont_know is not None else []))
            self.expected = (f"a value of the {scale.min}–{scale.max} scale"
                             + (f" or {scale.dont_know} (don't know)" if scale.dont_know is not None else ""))
        elif kind == "yes_no":
            self.allowed = np.array([0.0, 1.0])
            self.expected = "0/1 (no/yes)"
        else:
            self.allowed = None
            self.expected = "a number"
        self.labels = label_codes(scale, yes_no=(kind == "yes_no")) if kind in ("item", "rating", "yes_no") else {}
        self.option_map: dict[str, str] = {}
        for opt in self.options:
            code = str(opt.code)
            self.option_map.setdefault(normalize(code), code)
            lab = opt.label.values() if isinstance(opt.label, dict) else [opt.label]
            for text in lab:
                self.option_map.setdefault(normalize(text), code)
        self.positions = {str(pos): str(o.code) for pos, o in enumerate(self.options, start=1)}


def field_specs(survey: Survey, kinds: dict[str, str], extra_missing=()) -> dict[str, FieldSpec]:
    """One :class:`FieldSpec` per canonical field (``kinds`` from ``canonical.field_kinds``)."""
    return _field_specs(survey, tuple(kinds.items()), tuple(extra_missing))


@functools.lru_cache(maxsize=32)
def _field_specs(survey: Survey, kinds_items: tuple, extra_missing: tuple) -> dict[str, FieldSpec]:
    kinds = dict(kinds_items)
    all_missing = set(extra_missing)
    for sc in survey.scales.values():
        all_missing |= set(sc.missing_codes)
    qmap = survey.question_map
    items = survey.items
    out: dict[str, FieldSpec] = {}
    for fid, kind in kinds.items():
        if kind == "item":
            out[fid] = FieldSpec(fid, kind, scale=items[fid].scale, missing_codes=extra_missing)
            continue
        q = qmap[fid]
        scale = survey.scales.get(q.scale) if q.scale else None
        out[fid] = FieldSpec(fid, kind, scale=scale if kind == "rating" else None, options=q.options,
                             vmin=q.min, vmax=q.max,
                             missing_codes=tuple(all_missing) if kind in ("yes_no", "rating", "number") else ())
    return out


def _cell(v: object) -> str:
    """One unique source value as stripped text (numbers without a trailing ``.0``)."""
    if isinstance(v, float | np.floating):
        if np.isnan(v):
            return ""
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    if isinstance(v, int | np.integer | bool | np.bool_):
        return str(int(v))
    return str(v).strip()


def _per_unique(s: pd.Series, fn, *, numeric: bool) -> tuple[pd.Series, pd.Series]:
    """Apply ``fn(text) -> (value, reason)`` once per unique source value; broadcast back.

    Missing cells are passed as ``""``. Values are float64 (``numeric``) or pandas ``str``
    (built with one Arrow ``take``, no per-row Python objects).
    """
    if isinstance(s.dtype, pd.CategoricalDtype):  # dictionary-encoded by the reader: free
        codes, uniques = s.cat.codes.to_numpy(), s.cat.categories
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    results = [fn(_cell(u)) for u in uniques] + [fn("")]
    take = np.where(codes < 0, len(uniques), codes)
    vals = [r[0] for r in results]
    if numeric:
        v = pd.Series(np.asarray(vals, dtype=np.float64)[take], index=s.index)
    else:
        arr = pa.array([None if (x is None or (isinstance(x, float) and np.isnan(x))) else x for x in vals],
                       type=pa.string()).take(pa.array(take))
        v = pd.Series(arr.to_pandas(types_mapper=_STR_TYPES.get).array, index=s.index)
        if v.dtype != "str":
            v = v.astype("str")
    reasons = [r[1] for r in results]
    if any(reasons):
        return v, pd.Series(np.asarray(reasons, dtype=object)[take], index=s.index, dtype=object)
    return v, None


def _numeric_field(s: pd.Series, spec: FieldSpec, positional: bool) -> tuple[pd.Series, pd.Series | None]:
    reason = None
    if s.dtype.kind in "fiub":
        vals = s.astype(np.float64)
    else:
        def one(t: str):
            if t.lower() in _MISSING_TEXT:
                return np.nan, None
            try:
                return float(t.replace(",", ".") if t.count(",") == 1 and "." not in t else t), None
            except ValueError:
                pass
            key = normalize(t)
            if key in spec.labels:
                return spec.labels[key], None
            pts = parse_points(t)
            if pts is not None:
                return pts, None
            what = "unknown label" if spec.labels else "non-numeric value"
            return np.nan, f"{what}; expected {spec.expected}"

        vals, reason = _per_unique(s, one, numeric=True)
    arr = vals.to_numpy(dtype=np.float64)
    copied = False
    if spec.missing_codes.size:
        miss = np.isin(arr, spec.missing_codes)
        if miss.any():
            arr, copied = np.where(miss, np.nan, arr), True
    if spec.allowed is not None:
        bad = ~np.isin(arr, spec.allowed)
        bad &= ~np.isnan(arr) if bad.any() else bad
        text = f"out of scale; expected {spec.expected}"
    else:
        present = ~np.isnan(arr)
        bad = np.zeros_like(present)
        if spec.vmin is not None:
            bad |= present & (arr < spec.vmin)
        if spec.vmax is not None:
            bad |= present & (arr > spec.vmax)
        text = f"out of range; expected a number in [{spec.vmin}, {spec.vmax}]"
    if bad.any():
        reason = pd.Series(None, index=s.index, dtype=object) if reason is None else reason.copy()
        reason[bad] = text
        arr = arr.copy() if not copied else arr
        arr[bad] = np.nan
    return pd.Series(arr, index=s.index, dtype=np.float64, copy=False), reason


_SEPS = re.compile(r"\s*[;┋|]\s*")


def _choice_field(s: pd.Series, spec: FieldSpec, positional: bool, multi_sep: str | None) -> tuple[pd.Series, pd.Series]:

    def code_of(t: str) -> str | None:
        c = spec.option_map.get(normalize(t))
        if c is None and positional:
            c = spec.positions.get(t)
        return c

    def one(t: str):
        if t.lower() in _MISSING_TEXT:
            return np.nan, None
        if spec.kind == "multiple_choice":
            raw_parts = t.split(multi_sep) if multi_sep else _SEPS.split(t)
            codes: list[str] = []
            i = 0
            while i < len(raw_parts):
                # a label may itself contain the separator ("Price (drop, difference)"): take the
                # longest run of parts that is a known option
                for j in range(len(raw_parts), i, -1):
                    c = code_of((multi_sep or ";").join(raw_parts[i:j]).strip())
                    if c is not None:
                        codes.append(c)
                        i = j
                        break
                else:
                    if raw_parts[i].strip():
                        return np.nan, f"unknown option {raw_parts[i].strip()!r}; expected option codes or labels"
                    i += 1
            return ";".join(dict.fromkeys(codes)), None
        c = code_of(t)
        if c is None:
            return np.nan, "unknown option; expected one of " + ", ".join(spec.positions.values())
        return c, None

    return _per_unique(s, one, numeric=False)


def convert_column(s: pd.Series, spec: FieldSpec, *, positional: bool = False,
                   multi_sep: str | None = None) -> tuple[pd.Series, pd.Series | None]:
    """Convert one source column to the canonical values of ``spec``; see the module notes.

    Returns ``(values, reasons)``; ``reasons`` is None when every cell is fine.

    ``positional``: option numbers 1..k stand for the k options (platform code exports).
    ``multi_sep``: the multiple-choice separator (default any of ``; ┋ |``).
    """
    if spec.kind in ("item", "rating", "yes_no", "number"):
        return _numeric_field(s, spec, positional)
    if spec.kind in ("single_choice", "multiple_choice"):
        return _choice_field(s, spec, positional, multi_sep)
    def keep(t: str):
        return (np.nan if t.lower() in _MISSING_TEXT else t), None

    vals, _ = _per_unique(s, keep, numeric=False)
    return vals, None
