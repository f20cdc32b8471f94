"""The data gate's checks on the input frame (:func:`csi.estimate.prepare.prepare_arrays`):
item columns present once, cells numeric (as float64, without a copy when they already are),
sampling weights positive and finite, enough respondents for the largest block. Every
failure is a :class:`~csi.errors.DataError` naming the item, row label or value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.errors import DataError

__all__ = ["_check_columns", "_check_enough", "_float_items", "_numeric", "_value_range", "_weights"]

#: rows per block of :func:`_value_range` (a block stays in cache between its min and max)
RANGE_ROWS = 2048


def _row_label(index: pd.Index, pos: int) -> str:
    return repr(index[pos])


def _check_columns(data: pd.DataFrame, item_ids: list) -> list:
    """The data's column labels; DataError when an item has no column (naming the columns
    present), appears twice, or the data has no rows."""
    col_list = data.columns.tolist()
    col_set = set(col_list)
    absent = [c for c in item_ids if c not in col_set]
    if absent:
        have = ", ".join(map(str, data.columns[:40]))
        more = " ..." if len(data.columns) > 40 else ""
        raise DataError(
            f"the data has no column for model item(s) {', '.join(absent)}; "
            f"columns present: {have}{more}"
        )
    if len(col_set) != len(col_list):
        dup = sorted({str(c) for c in data.columns[data.columns.duplicated()] if c in item_ids})
        if dup:
            raise DataError(f"item column(s) appear more than once in the data: {', '.join(dup)}")
    if len(data) == 0:
        raise DataError("the data has no rows")
    return col_list


def _float_items(data: pd.DataFrame, sub: pd.DataFrame, item_ids: list) -> tuple[np.ndarray, bool]:
    """``(x, owned)``: the items ``sub`` as a float64 (n, p) array -- the frame's own values
    when they are plain numpy numbers (``owned`` False: may be the caller's memory), else a
    converted copy (DataError naming the first non-numeric cell)."""
    x = sub.to_numpy()  # numeric kind only if every column is a plain numpy number type
    if x.dtype.kind in "fiu":
        return x.astype(np.float64, copy=False), False
    if all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
           for t in set(sub.dtypes)):
        return sub.to_numpy(dtype="float64", na_value=np.nan), False
    return np.column_stack([_numeric(data[it], it, data.index) for it in item_ids]), True


def _check_enough(n_complete: int, n_dropped: int, max_block: int) -> None:
    """DataError when fewer respondents remain than the largest block has items (plus one;
    at least 3)."""
    need = max(max_block + 1, 3)
    if n_complete < need:
        detail = (
            f" after listwise deletion of {n_dropped} respondent(s) with missing items"
            if n_dropped
            else ""
        )
        raise DataError(
            f"too few respondents: {n_complete} complete row(s){detail}; need at least {need} "
            f"(more than the {max_block} items of the largest block)"
        )


def _numeric(raw: pd.Series, item: str, index: pd.Index) -> np.ndarray:
    """Return float values; raise DataError naming the first non-numeric cell."""
    if pd.api.types.is_bool_dtype(raw.dtype) or pd.api.types.is_numeric_dtype(raw.dtype):
        vals = raw.to_numpy(dtype="float64", na_value=np.nan)
    else:
        conv = pd.to_numeric(raw, errors="coerce")
        bad = conv.isna().to_numpy() & raw.notna().to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"item {item!r}, row {_row_label(index, pos)}: non-numeric value "
                f"{raw.iloc[pos]!r}; expected a number on the item's scale"
                + (f" ({int(bad.sum())} non-numeric cells in all)" if bad.sum() > 1 else "")
            )
        vals = conv.to_numpy(dtype="float64", na_value=np.nan)
    if np.isinf(vals).any():
        pos = int(np.flatnonzero(np.isinf(vals))[0])
        raise DataError(f"item {item!r}, row {_row_label(index, pos)}: infinite value")
    return vals


def _weights(data: pd.DataFrame, weights) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in data.columns:
            raise DataError(f"weights column {weights!r} is not in the data")
        w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        name = f"weights column {weights!r}"
    else:
        w = np.asarray(weights, dtype="float64").ravel()
        name = "weights"
        if w.shape[0] != len(data):
            raise DataError(f"{name} have {w.shape[0]} values; the data has {len(data)} rows")
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{name}, row {_row_label(data.index, pos)}: got {w[pos]!r}; "
            "expected a positive finite sampling weight"
        )
    return w


def _value_range(x: np.ndarray) -> tuple[float, float]:
    """``(min, max)`` over all of ``x`` (n, p); NaN when any value is NaN (as ``x.min()``).

    A C-ordered array is read in blocks of :data:`RANGE_ROWS` rows, each block's max taken
    while it is in cache: one pass over memory instead of two (a million respondents' 24
    items: 24.6 -> 16.9 ms). Other layouts take ``x.min()`` and ``x.max()``.
    """
    if not x.flags.c_contiguous or x.shape[0] <= 2 * RANGE_ROWS:
        lo = float(x.min())
        return lo, (float(x.max()) if lo == lo else np.nan)  # (NaN: no second pass)
    lo, hi = np.inf, -np.inf
    for s in range(0, x.shape[0], RANGE_ROWS):
        block = x[s:s + RANGE_ROWS]
        a = block.min()
        if a != a:  # NaN: not clean, no need to read on
            return np.nan, np.nan
        b = block.max()
        lo, hi = min(lo, a), max(hi, b)
    return float(lo), float(hi)
