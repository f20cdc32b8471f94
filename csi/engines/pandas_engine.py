"""The moments query on an in-memory DataFrame (numpy): the reference the SQL engines equal.

Same cells, same centres (scale midpoints), same bucket hash as :func:`csi.engines.query.moments_query`; rows
are processed in chunks (a (chunk, p(p+1)/2) block of per-row terms at a time), so memory is the
frame itself plus a few tens of MB.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd

from csi.engines.query import MomentsSpec, item_centre
from csi.errors import DataError

__all__ = ["run_pandas", "prepared_items"]

_CHUNK = 50_000


def prepared_items(frame: pd.DataFrame, spec: MomentsSpec) -> np.ndarray:
    """(n, p) float items: missing codes -> NaN, reverse items recoded (as the query does)."""
    cols = []
    for it in spec.items:
        try:
            x = pd.to_numeric(frame[it.id], errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        except (ValueError, TypeError) as exc:
            raise DataError(f"column {it.id!r}: expected numbers on the item's scale "
                            f"[{it.scale_min:g}, {it.scale_max:g}]; {exc}") from None
        if it.missing_codes:
            x = np.where(np.isin(x, np.asarray(it.missing_codes, dtype=float)), np.nan, x)
        if it.reverse:
            x = (it.scale_min + it.scale_max) - x
        cols.append(x)
    return np.column_stack(cols) if cols else np.empty((len(frame), 0))


def _hash7(values) -> np.ndarray:
    return np.fromiter((int(hashlib.md5(v.encode()).hexdigest()[:7], 16) for v in values),
                       dtype=np.int64, count=len(values))


def filtered(frame: pd.DataFrame, spec: MomentsSpec) -> pd.DataFrame:
    """The rows the spec's ``where`` and ``between`` keep (a NULL cell never matches)."""
    mask = np.ones(len(frame), dtype=bool)
    for col, vals in spec.where:
        mask &= frame[col].isin(list(vals)).to_numpy()
    for col, lo, hi in spec.between:
        v = frame[col]
        if isinstance(lo, dt.datetime) or isinstance(hi, dt.datetime):
            v = _instants(v, col)
        if lo is not None:
            mask &= (v >= lo).fillna(False).to_numpy(dtype=bool)
        if hi is not None:
            mask &= (v < hi).fillna(False).to_numpy(dtype=bool)
    return frame if mask.all() else frame.loc[mask]


def _instants(v: pd.Series, col: str) -> pd.Series:
    """A column as UTC instants, as the query's cast to a timestamp with time zone (naive = UTC)."""
    if pd.api.types.is_datetime64_any_dtype(v):
        return v.dt.tz_localize("UTC") if v.dt.tz is None else v.dt.tz_convert("UTC")
    try:
        return pd.to_datetime(v, utc=True, format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise DataError(f"column {col!r}: expected dates or times (ISO 8601) for the between= filter; {exc}") from None


def run_pandas(frame: pd.DataFrame, spec: MomentsSpec) -> pd.DataFrame:
    """The query's output frame (``g<k>``, ``b``, ``pat``, ``n_obs``, ``n``, ``c<i>``, ``s<i>``,
    ``q<i>_<j>``) computed with numpy."""
    frame = filtered(frame, spec)
    x = prepared_items(frame, spec)
    obs = ~np.isnan(x)
    keep = np.ones(len(frame), dtype=bool) if spec.patterns else obs.all(axis=1)
    x, obs = x[keep], obs[keep]
    n, p = x.shape
    w = (np.ones(n) if not spec.weight else
         pd.to_numeric(frame[spec.weight]).to_numpy(dtype=np.float64)[keep])
    gkeys = [frame[b].to_numpy(dtype=object)[keep] for b in spec.by]
    gkeys = [np.where(pd.isna(k), None, k) for k in gkeys]
    if spec.by:
        gframe = pd.DataFrame({f"g{k}": v for k, v in enumerate(gkeys)})
        gcode, guniq = pd.MultiIndex.from_frame(gframe.astype(object)).factorize() if len(spec.by) > 1 \
            else pd.factorize(gframe["g0"], use_na_sentinel=False)
        gcode = np.asarray(gcode, dtype=np.int64)
        n_groups = int(gcode.max()) + 1 if n else 0
    else:
        gcode, n_groups = np.zeros(n, dtype=np.int64), 1 if n else 0
    # centre: the item's scale midpoint (as the query; see csi.engines.query)
    mid = np.array([item_centre(it) for it in spec.items], dtype=float)
    cell = gcode.copy()
    mult = n_groups
    bucket = pattern = None
    if spec.buckets:
        ids = frame[spec.id_column].astype(str).to_numpy()[keep]
        bucket = _hash7([f"{i}:{spec.seed}" for i in ids]) % spec.buckets
        cell = cell * spec.buckets + bucket
        mult *= spec.buckets
    if spec.patterns:
        pattern = (obs.astype(np.int64) << np.arange(p, dtype=np.int64)).sum(axis=1)
        pcode, puniq = pd.factorize(pattern, sort=True)
        cell = cell * len(puniq) + pcode
    codes, first, inv = np.unique(cell, return_index=True, return_inverse=True)
    m = len(codes)
    iu, ju = np.triu_indices(p)
    acc = np.zeros((m, 2 + p + len(iu)))
    for lo in range(0, n, _CHUNK):
        sl = slice(lo, lo + _CHUNK)
        d = x[sl] - mid
        if spec.patterns:
            d = np.where(obs[sl], d, 0.0)
        ww = w[sl]
        terms = np.empty((d.shape[0], acc.shape[1]))
        terms[:, 0] = 1.0
        terms[:, 1] = ww
        terms[:, 2:2 + p] = d * ww[:, None]
        terms[:, 2 + p:] = terms[:, 2:2 + p][:, iu] * d[:, ju]
        ic = inv[sl]
        order = np.argsort(ic, kind="stable")
        ics = ic[order]
        starts = np.flatnonzero(np.r_[True, ics[1:] != ics[:-1]])
        acc[ics[starts]] += np.add.reduceat(terms[order], starts, axis=0)
    out = {f"g{k}": v[first] for k, v in enumerate(gkeys)}
    if bucket is not None:
        out["b"] = bucket[first]
    if pattern is not None:
        out["pat"] = pattern[first]
    out["n_obs"] = acc[:, 0].astype(np.int64)
    out["n"] = acc[:, 1]
    for i in range(p):
        out[f"c{i}"] = np.full(m, mid[i])
    for i in range(p):
        out[f"s{i}"] = acc[:, 2 + i]
    for t, (i, j) in enumerate(zip(iu, ju, strict=True)):
        out[f"q{i}_{j}"] = acc[:, 2 + p + t]
    return pd.DataFrame(out)


class PandasSource:
    """A DataFrame as a moments source (the in-memory path; ``--engine pandas``)."""

    engine = "pandas"

    def __init__(self, frame: pd.DataFrame, name: str = "<frame>"):
        self.frame, self.name = frame, name

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def check(self, spec: MomentsSpec) -> dict:
        frame = filtered(self.frame, spec)
        x = prepared_items(frame, spec)
        out: dict = {"n_rows": len(frame)}
        for i, it in enumerate(spec.items):
            col = x[:, i]
            bad = (col < it.scale_min) | (col > it.scale_max)
            out[f"bad{i}"] = int(bad.sum())
            out[f"min{i}"] = float(np.nanmin(col)) if np.isfinite(col).any() else None
            out[f"max{i}"] = float(np.nanmax(col)) if np.isfinite(col).any() else None
        if spec.weight:
            w = pd.to_numeric(frame[spec.weight]).to_numpy(dtype=np.float64, na_value=np.nan)
            out["bad_w"] = int((~(w > 0)).sum())
        return out

    def group_sizes(self, spec: MomentsSpec) -> pd.DataFrame:
        frame = filtered(self.frame, spec)
        if not spec.by:
            return pd.DataFrame({"n_rows": [len(frame)]})
        keys = frame[list(spec.by)].astype(object)
        keys = keys.where(keys.notna(), None)
        sizes = keys.groupby(list(spec.by), dropna=False, sort=False).size()
        out = sizes.index.to_frame(index=False).astype(object)
        out.columns = [f"g{k}" for k in range(len(spec.by))]
        out = out.where(out.notna(), None)
        out["n_rows"] = sizes.to_numpy()
        return out

    def cells(self, spec: MomentsSpec, groups=None) -> pd.DataFrame:
        frame = self.frame
        if groups is not None and spec.by:
            keys = frame[list(spec.by)].astype(object)
            keys = keys.where(keys.notna(), None)
            wanted = pd.MultiIndex.from_tuples([tuple(g) for g in groups]) if len(spec.by) > 1 else \
                pd.Index([g[0] for g in groups], dtype=object)
            have = pd.MultiIndex.from_frame(keys) if len(spec.by) > 1 else pd.Index(keys.iloc[:, 0], dtype=object)
            frame = frame.loc[have.isin(wanted)]
        return run_pandas(frame, spec)

    def close(self) -> None:
        pass
