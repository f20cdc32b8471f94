"""PostgreSQL (the store): the moments query where the responses are stored.

Runs on the typed answer tables of :mod:`csi.store.typed` (one per survey version; the
versions of a survey are stacked with UNION ALL, a field a version lacks read as NULL), or on
any table/view named by ``table``. The statement is executed by SQLAlchemy with bound
parameters; only the per-cell sums cross the wire.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from csi.engines.sql_source import SqlSource
from csi.errors import DataError

__all__ = ["PostgresSource"]


class PostgresSource(SqlSource):
    """Stored responses of ``survey`` (typed tables) or a ``table`` in a PostgreSQL database."""

    engine = "postgres"

    def __init__(self, url: str, *, survey=None, table: str | None = None):
        from csi.store.engine import get_engine

        self.name = url.split("@")[-1]  # never echo a password
        self.sa_engine = get_engine(url)
        if self.sa_engine.dialect.name != "postgresql":
            raise DataError(f"--engine postgres needs a PostgreSQL URL; got a {self.sa_engine.dialect.name} database "
                            "(use --engine pandas for an SQLite store)")
        self.survey, self.table_name = survey, table
        if table is not None:
            insp = sa.inspect(self.sa_engine)
            self.columns = [c["name"] for c in insp.get_columns(table)]
        else:
            if survey is None or not hasattr(survey, "to_model"):
                raise DataError("--engine postgres reads a csi store's typed answers of a survey: pass the survey "
                                "YAML (not a lavaan model), or name a table with one column per item (table=)")
            from csi.store.typed import answers_relation

            self._relation = answers_relation(self.sa_engine, survey)
            self.columns = [c.name for c in self._relation.c]

    def relation(self, spec) -> sa.FromClause:
        if self.table_name is not None:
            return super().relation(spec)
        return self._relation

    def fetch(self, stmt: sa.Select) -> pd.DataFrame:
        with self.sa_engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")  # naive text times are UTC (between= filters)
            res = conn.execute(stmt)
            return pd.DataFrame(res.fetchall(), columns=list(res.keys()))
