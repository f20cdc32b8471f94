"""Exports for the Data page: responses and result tables as XLSX (the HTML report is the
management report, :mod:`csi.report.render`).

Spreadsheet cells that start with ``= + - @`` in text columns are neutralised with a leading
apostrophe (formula injection); numeric columns keep their numbers. Contact fields are never in
the frames handed here (the store drops them).
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd

__all__ = ["neutralise_formulas", "frames_to_xlsx", "result_tables"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where text cells starting with ``= + - @`` get a leading apostrophe.

    >>> neutralise_formulas(pd.DataFrame({"c": ["=1+1", "ok"], "x": [-1.0, 2.0]}))["c"].tolist()
    ["'=1+1", 'ok']
    """
    out = frame.copy()
    for c in out.columns:
        s = out[c]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            mask = s.astype("string").str.startswith(_FORMULA_START).fillna(False).to_numpy(dtype=bool)
            if mask.any():
                out[c] = s.astype("object")
                out.loc[mask, c] = "'" + s[mask].astype(str)
    return out


def frames_to_xlsx(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """One sheet per frame (sheet names cut to Excel's 31 characters); returns XLSX bytes."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, frame in frames.items():
            f = neutralise_formulas(frame)
            for c in f.columns:
                if isinstance(f[c].dtype, pd.DatetimeTZDtype):
                    f[c] = f[c].dt.tz_localize(None)
            f.to_excel(xw, sheet_name=str(name)[:31], index=False)
    return buf.getvalue()


def result_tables(result) -> dict[str, pd.DataFrame]:
    """Every tidy table of an IndexResult by name (for XLSX export)."""
    out = {}
    for name in ("index", "path_coefficients", "total_effects", "loadings", "weights",
                 "reliability", "r2", "htmt", "admissibility"):
        t = getattr(result, name, None)
        if isinstance(t, pd.DataFrame) and not t.empty:
            out[name] = t
    for name in ("vif_inner", "vif_outer", "fornell_larcker", "f2"):
        t = getattr(result, name, None)
        if isinstance(t, pd.DataFrame) and not t.empty:
            out[name] = t.reset_index() if name == "fornell_larcker" else t
    return out
