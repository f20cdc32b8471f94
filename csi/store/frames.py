"""Row <-> frame conversions of the store: batch inserts, Parquet batch copies, JSON answers.

Kept apart from :mod:`csi.store.store` (transactions and the public API) so each module has one job.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.json as pajson

from csi.io.canonical import (
    META_COLUMNS,
    canonical_columns,
    empty_frame,
    field_kinds,
    is_string_kind,
)
from csi.store.schema import responses
from csi.survey import Survey

_RESPONSE_COLS = ("survey_id", "survey_version_id", "batch_id", "respondent_id", "submission_key", "source_row",
                  "submitted_at", "wave", "answers", "flags", "pii", "missing")


def _insert_many(conn, recs: list[dict]) -> None:
    """Insert response rows: the DBAPI's executemany on SQLite (no per-row SQLAlchemy parameter
    processing: ~5x faster for 100k rows), SQLAlchemy's batched insert elsewhere."""
    if not recs:
        return
    if conn.dialect.name == "sqlite":
        sql = (f"INSERT INTO responses ({', '.join(_RESPONSE_COLS)}) "
               f"VALUES ({', '.join('?' * len(_RESPONSE_COLS))})")
        conn.exec_driver_sql(sql, [tuple(r[c] for c in _RESPONSE_COLS) for r in recs])
        return
    for start in range(0, len(recs), 20000):
        conn.execute(responses.insert(), recs[start:start + 20000])


MISSING_PREFIX = "missing__"  # batch Parquet columns with the missingness types (issue 14)


def _to_parquet(frame: pd.DataFrame, keep: list[int], columns: list[str],
                missing_types: pd.DataFrame | None = None) -> bytes:
    buf = io.BytesIO()
    out = frame.iloc[keep][columns].reset_index(drop=True)
    if missing_types is not None and len(missing_types.columns):
        mt = missing_types.reindex(frame.index).iloc[keep].reset_index(drop=True)
        out = pd.concat([out, mt.astype(object).add_prefix(MISSING_PREFIX)], axis=1)
    out.to_parquet(buf, index=False, compression="zstd")
    return buf.getvalue()


def _types_from_parquet(data: bytes) -> pd.DataFrame:
    """The missingness-type columns of a batch blob (field ids as columns; may be empty)."""
    import pyarrow.parquet as pq

    names = [n for n in pq.read_schema(io.BytesIO(data)).names if n.startswith(MISSING_PREFIX)]
    if not names:
        n = pq.read_metadata(io.BytesIO(data)).num_rows
        return pd.DataFrame(index=pd.RangeIndex(n))
    part = pd.read_parquet(io.BytesIO(data), columns=names)
    return part.rename(columns=lambda c: c[len(MISSING_PREFIX):]).astype(object)


def missing_json(missing_types: pd.DataFrame | None, index: pd.Index) -> list[str | None]:
    """Per-row JSON ``{field: type}`` of the missing answers (None for a complete row)."""
    import json

    if missing_types is None or not len(missing_types.columns):
        return [None] * len(index)
    mt = missing_types.reindex(index)
    out = []
    for rec in mt.to_dict("records"):
        d = {k: v for k, v in rec.items() if isinstance(v, str)}
        out.append(json.dumps(d) if d else None)
    return out


def _from_parquet(data: bytes, survey: Survey) -> pd.DataFrame:
    """A batch blob -> canonical columns of ``survey`` (fields the blob lacks are NaN)."""
    part = pd.read_parquet(io.BytesIO(data))
    kinds = field_kinds(survey)
    columns = canonical_columns(survey)
    if all(c in part for c in columns):  # the usual case: select, no copy of 100k rows
        out = part[columns]
    else:
        cols = {}
        n = len(part)
        for c in columns:
            if c in part:
                cols[c] = part[c]
            elif c in kinds and not is_string_kind(kinds[c]):
                cols[c] = pd.Series(np.full(n, np.nan))
            else:
                cols[c] = pd.Series(np.nan, index=range(n), dtype="str")
        out = pd.DataFrame(cols)
    out["submitted_at"] = out["submitted_at"].astype("datetime64[ns]")
    for c, k in kinds.items():
        if is_string_kind(k) and out[c].dtype != "str":
            out[c] = out[c].astype("str")
    return out




def _rows_to_frame(survey: Survey, rows) -> pd.DataFrame:
    """Stored rows -> canonical frame: the answers' JSON lines are parsed by pyarrow's
    multi-threaded JSON reader against an explicit schema (float64 / string per field)."""
    if not rows:
        return empty_frame(survey)
    rid, sub, wave, answers = zip(*rows, strict=True)
    kinds = field_kinds(survey)
    schema = pa.schema([(f, pa.string() if is_string_kind(k) else pa.float64()) for f, k in kinds.items()])
    data = ("\n".join(answers)).encode("utf-8")
    table = pajson.read_json(
        io.BytesIO(data),
        read_options=pajson.ReadOptions(block_size=1 << 22),
        parse_options=pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
    )
    parsed = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    out: dict[str, object] = {
        "respondent_id": pd.Series(rid, dtype="str"),
        "submitted_at": pd.to_datetime(pd.Series(sub, dtype="str"), format="ISO8601").astype("datetime64[ns]"),
        "wave": pd.Series(wave, dtype="str"),
    }
    n = len(rows)
    for fid, kind in kinds.items():
        if fid in parsed:
            col = parsed[fid]
            out[fid] = col.astype("str") if is_string_kind(kind) else col.astype(np.float64)
        else:
            out[fid] = pd.Series(np.nan, index=range(n), dtype="str" if is_string_kind(kind) else np.float64)
    frame = pd.DataFrame(out)
    return frame[list(META_COLUMNS) + list(kinds)]
