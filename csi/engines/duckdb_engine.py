"""DuckDB (embedded): the moments query over Parquet/CSV files too big for pandas.

The file is scanned by DuckDB's own readers (``read_parquet``/``read_csv``, globs allowed);
only the per-cell sums come back to Python. Threads: DuckDB's default (all cores).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from csi.engines.query import compile_for
from csi.engines.sql_source import SqlSource
from csi.errors import DataError

__all__ = ["DuckDBSource"]


class DuckDBSource(SqlSource):
    """A Parquet or CSV file (or glob), or a DataFrame, queried by DuckDB."""

    engine = "duckdb"
    table_name = "csi_source"

    def __init__(self, source, *, memory_limit: str | None = None):
        try:
            import duckdb
        except ImportError:  # pragma: no cover - the scale extra is missing
            raise DataError("--engine duckdb needs the duckdb package: pip install 'csi[scale]'") from None
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")  # naive timestamps are UTC (between= filters)
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])  # a setting, not a query dialect
        if isinstance(source, pd.DataFrame):
            rel = self.con.from_df(source)
            self.name = "<frame>"
        else:
            path = str(source)
            self.name = path
            suffix = Path(path.rstrip("*")).suffix.lower() or Path(path).suffix.lower()
            try:
                rel = self.con.read_csv(path) if suffix in (".csv", ".txt", ".tsv") else self.con.read_parquet(path)
            except duckdb.Error as exc:
                raise DataError(f"{path}: cannot be read as {'CSV' if suffix == '.csv' else 'Parquet'} ({exc})") from None
        rel.create_view(self.table_name)
        self.columns = list(rel.columns)

    def fetch(self, stmt: sa.Select) -> pd.DataFrame:
        # through Arrow, one column at a time (no consolidated (m, 233) block: a wide result is
        # copied once, into CellMoments' arrays)
        table = self.con.sql(compile_for(stmt, "duckdb")).to_arrow_table()
        return pd.DataFrame({name: table.column(name).to_pandas() for name in table.column_names}, copy=False)

    def close(self) -> None:
        self.con.close()
