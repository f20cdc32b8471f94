"""Writing the canonical response frame to CSV, XLSX or Parquet, safe against formula injection.

Spreadsheet programs execute a cell that starts with ``=``, ``+``, ``-`` or ``@`` (also tab and
carriage return) as a formula (CSV/formula injection, OWASP). Every *text* cell starting with one
of these gets a leading apostrophe; numeric columns stay numeric (a negative number is a number,
not a formula). Contact data is never in the canonical frame, so never exported.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from csi.errors import ParameterError, StoreError

__all__ = ["FORMATS", "neutralize_formulas", "export_responses"]

FORMATS = ("csv", "xlsx", "parquet")
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells starting with ``= + - @`` (tab, CR) get a leading ``'``.

    >>> neutralize_formulas(pd.DataFrame({"c": ["=1+1", "ok", None], "x": [-1.0, 2.0, 3.0]})).to_dict("list")
    {'c': ["'=1+1", 'ok', nan], 'x': [-1.0, 2.0, 3.0]}
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype.kind in "fiubmM":
            continue
        text = s.astype("str")
        bad = text.str.startswith(_TRIGGERS) & s.notna()
        if bad.any():
            out[col] = s.astype(object).where(~bad, "'" + text)
    return out


def export_responses(frame: pd.DataFrame, out: str | Path, *, format: str = "csv", survey=None,  # noqa: A002
                     missing_types: pd.DataFrame | None = None) -> Path:
    """Write ``frame`` (canonical, no PII) to ``out`` as ``csv``, ``xlsx`` or ``parquet``.

    ``missing_types`` (aligned with ``frame``) adds a column ``<field>__missing`` per field
    with the missingness type of each missing answer (``dont_know``, ``not_shown``,
    ``skipped``, ``no_answer``; empty where answered).
    """
    if missing_types is not None and len(missing_types.columns):
        mt = missing_types.reindex(frame.index).astype(object).add_suffix("__missing")
        frame = pd.concat([frame, mt], axis=1)
    if format not in FORMATS:
        raise ParameterError(f"The 'format' parameter of export_responses must be one of "
                             f"{', '.join(FORMATS)}. Got {format!r} instead.")
    if survey is not None:
        leaked = [c for c in survey.pii_fields if c in frame.columns]
        if leaked:
            frame = frame.drop(columns=leaked)
    path = Path(out)
    try:
        if format == "csv":
            neutralize_formulas(frame).to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S")
        elif format == "xlsx":
            neutralize_formulas(frame).to_excel(path, index=False, engine="openpyxl")
        else:
            frame.to_parquet(path, index=False)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
