"""Apache Spark (pyspark): the moments query on a cluster, or in local mode.

The statement is :mod:`csi.engines.query`'s, transpiled to Spark SQL by sqlglot, run on a
temporary view of the source (Parquet/CSV path readable by the cluster, or a DataFrame); the
per-cell sums (kilobytes per group) come back as rows. The master is ``master`` or ``CSI_SPARK_MASTER`` (e.g.
``spark://host:7077``, ``yarn``), default ``local[*]``. One SparkSession per process.
"""

from __future__ import annotations

import contextlib
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
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkSource(SqlSource):
    """A Parquet/CSV path (or pandas DataFrame) as a Spark temporary view."""

    engine = "spark"
    table_name = "csi_source"

    def __init__(self, source, *, master: str | None = None):
        self.spark = spark_session(master)
        if isinstance(source, pd.DataFrame):
            with _quiet():
                df = self.spark.createDataFrame(source)
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
        df.createOrReplaceTempView(self.table_name)
        self.columns = list(df.columns)

    def fetch(self, stmt: sa.Select) -> pd.DataFrame:
        res = self.spark.sql(compile_for(stmt, "spark"))
        return pd.DataFrame([tuple(r) for r in res.collect()], columns=res.columns)  # a few cells: no Arrow



@contextlib.contextmanager
def _quiet():
    """pyspark's one FutureWarning about pandas 3 (the conversions csi uses work)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                                category=FutureWarning)
        yield
