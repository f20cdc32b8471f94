"""Apache Spark (pyspark): the moments query on a cluster, or in local mode.

The statement is :mod:`csi.engines.query`'s, transpiled to Spark SQL by sqlglot, run on a
temporary view of the source (Parquet/CSV path readable by the cluster, or a DataFrame); the
per-cell sums (kilobytes per group) come back as rows. The master is ``master`` or ``CSI_SPARK_MASTER`` (e.g.
``spark://host:7077``, ``yarn``), default ``local[*]``. One SparkSession per process.

Times: the session time zone is pinned to UTC (``spark.sql.session.timeZone``), so a naive
timestamp (Parquet ``isAdjustedToUTC=false``, CSV text without an offset) is UTC, as on the other
engines. pandas and pyarrow write ``datetime64[ns]`` columns as Parquet ``INT64
TIMESTAMP(NANOS)``, which Spark cannot read as a timestamp; it reads them as the integer
nanoseconds since the epoch (``spark.sql.legacy.parquet.nanosAsLong``), and the source turns every
such column (found in the file's Parquet schema with pyarrow) back into a timestamp, floored to
the microsecond -- exact for ``between=`` bounds, which are microseconds. A ``between=`` on a
time column Spark still sees as a number (a nanosecond column in a file pyarrow cannot open) is a
:class:`DataError`, never a comparison of nanoseconds with seconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import warnings
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from csi.engines.query import compile_for
from csi.engines.sql_source import SqlSource
from csi.errors import DataError

__all__ = ["SparkSource", "spark_session"]


def spark_session(master: str | None = None):
    """The process's SparkSession (created on first use; quiet, Arrow transfers on)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - the scale extra is missing
        raise DataError("--engine spark needs pyspark: pip install 'csi[scale]' (and a Java 17+ runtime)") from None
    master = master or os.environ.get("CSI_SPARK_MASTER") or "local[*]"
    spark = (SparkSession.builder.master(master).appName("csi-moments")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", os.environ.get("CSI_SPARK_SHUFFLE_PARTITIONS", "8"))
             .config("spark.sql.ansi.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.legacy.parquet.nanosAsLong", "true")  # pandas writes ns timestamps
             .config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    # a session made before (getOrCreate returns it) gets the two settings csi's queries rely on
    spark.conf.set("spark.sql.legacy.parquet.nanosAsLong", "true")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark


def nanos_columns(path: str) -> list[str] | None:
    """Columns stored as ``TIMESTAMP(NANOS)`` in the Parquet file(s) at ``path`` (a file, a
    directory or a glob), or None when pyarrow cannot open them (e.g. a cluster path)."""
    try:
        import pyarrow as pa
        import pyarrow.dataset as ds

        files = sorted(glob.glob(path)) if any(ch in path for ch in "*?[") else path
        schema = ds.dataset(files, format="parquet").schema
    except Exception:  # noqa: BLE001 - any reason pyarrow cannot read it: unknown, not an error
        return None
    return [f.name for f in schema if pa.types.is_timestamp(f.type) and f.type.unit == "ns"]


def _from_nanos(df, columns):
    """``df`` with the integer-nanosecond ``columns`` as timestamps, floored to the microsecond
    (integer arithmetic: a double cannot hold nanoseconds since 1970)."""
    from pyspark.sql import functions as F

    for c in columns:
        q = f"`{c}`"
        df = df.withColumn(c, F.timestamp_micros(F.expr(f"({q} - pmod({q}, 1000)) div 1000")))
    return df


class SparkSource(SqlSource):
    """A Parquet/CSV path (or pandas DataFrame) as a Spark temporary view."""

    engine = "spark"
    table_name = "csi_source"

    def __init__(self, source, *, master: str | None = None):
        self.spark = spark_session(master)
        self._nanos_unknown = False
        if isinstance(source, pd.DataFrame):
            with _quiet():
                df = self.spark.createDataFrame(_utc_times(source))
            self.name = "<frame>"
        else:
            path = str(source)
            self.name = path
            suffix = Path(path).suffix.lower()
            try:
                reader = self.spark.read
                df = (reader.option("header", True).option("inferSchema", True).csv(path)
                      if suffix == ".csv" else reader.parquet(path))
            except Exception as exc:  # noqa: BLE001 - Spark's analysis errors have no common base
                raise DataError(f"{path}: Spark cannot read it ({str(exc).splitlines()[0]})") from None
            if suffix != ".csv":
                nanos = nanos_columns(path)
                self._nanos_unknown = nanos is None
                df = _from_nanos(df, [c for c in (nanos or []) if c in df.columns])
        df.createOrReplaceTempView(self.table_name)
        self.columns = list(df.columns)
        self._types = {f.name: f.dataType.typeName() for f in df.schema.fields}

    def relation(self, spec) -> sa.FromClause:
        for col, lo, hi in spec.between:
            timed = isinstance(lo, dt.datetime) or isinstance(hi, dt.datetime)
            if timed and self._types.get(col) in ("long", "integer", "short", "byte", "double", "float", "decimal"):
                why = (" (a Parquet nanosecond timestamp in a file pyarrow could not open to check?)"
                       if self._nanos_unknown else "")
                raise DataError(f"{self.name}: column {col!r} is a number in Spark ({self._types[col]}){why}, not a "
                                "date or time; between= with date or time bounds needs a timestamp column")
        return super().relation(spec)

    def fetch(self, stmt: sa.Select) -> pd.DataFrame:
        res = self.spark.sql(compile_for(stmt, "spark"))
        return pd.DataFrame([tuple(r) for r in res.collect()], columns=res.columns)  # a few cells: no Arrow



def _utc_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns as UTC instants floored to the microsecond (Spark's resolution), naive
    ones read as UTC (csi's convention) rather than in the Python process's time zone."""
    out = {}
    for c in frame.columns:
        v = frame[c]
        if pd.api.types.is_datetime64_any_dtype(v):
            v = v.dt.tz_localize("UTC") if v.dt.tz is None else v.dt.tz_convert("UTC")
            out[c] = v.dt.floor("us").astype("datetime64[us, UTC]")
    return frame.assign(**out) if out else frame


@contextlib.contextmanager
def _quiet():
    """pyspark's one FutureWarning about pandas 3 (the conversions csi uses work)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                                category=FutureWarning)
        yield
