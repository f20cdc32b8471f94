"""Any response table (CSV/TSV/XLSX/XLS, any encoding ``csi import`` reads) as a plain frame.

For ``csi estimate`` with a lavaan model (no survey to map columns to): the file is opened by
the importer's own readers (:func:`csi.io.tables.open_table`: encoding detection, delimiter
sniffing, spreadsheets) with its first row as the header, and column names are matched to the
model's variable names case-insensitively, as ``csi import`` matches field ids.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pandas as pd

from csi.errors import ResponseImportError
from csi.io.tables import open_table, unique_names

__all__ = ["read_table_frame", "match_names", "model_names"]


def read_table_frame(path: str | Path, *, encoding: str | None = None, keep_rows: bool = False) -> pd.DataFrame:
    """The table in ``path`` with its header row as column names (numbers typed).

    ``keep_rows``: index = the file's row numbers (as in ``ImportResult.valid``), else 0..n-1.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ResponseImportError(f"{p}: cannot read the file ({exc.strerror or exc})") from None
    table = open_table(data, file_name=p.name, encoding=encoding)
    names = unique_names(table.preview[0])
    body, bad = table.body(1, names, typed=True)
    if bad:
        raise ResponseImportError(f"{p.name}: row {bad[0].row}: {bad[0].reason}")
    out = {}
    for c in body.columns:
        s = body[c]
        if s.dtype.kind not in "fiub":
            with contextlib.suppress(ValueError, TypeError):  # numbers (and blanks) -> numeric
                s = pd.to_numeric(s.where(s.astype("str").str.strip() != "", None), errors="raise")
        out[c] = s
    frame = pd.DataFrame(out, index=body.index)
    return frame if keep_rows else frame.reset_index(drop=True)


def match_names(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Rename columns that equal one of ``names`` case-insensitively to that name.

    >>> match_names(pd.DataFrame({"PQ1": [1], "x": [2]}), ["pq1"]).columns.tolist()
    ['pq1', 'x']
    """
    wanted = {n.lower(): n for n in names}
    ren = {c: wanted[str(c).strip().lower()] for c in frame.columns
           if str(c).strip().lower() in wanted and str(c) != wanted[str(c).strip().lower()]
           and wanted[str(c).strip().lower()] not in frame.columns}
    return frame.rename(columns=ren) if ren else frame


def model_names(text: str) -> list[str]:
    """Identifiers in a lavaan model text (candidates for column names)."""
    return list(dict.fromkeys(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", text)))
