"""What the SQL engines share: run :mod:`csi.engines.query`'s statements on a named relation."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from csi.engines.query import MomentsSpec, check_query, group_sizes_query, moments_query

__all__ = ["SqlSource"]


class SqlSource:
    """Base of the DuckDB, PostgreSQL and Spark sources.

    Subclasses set ``engine``, ``name`` and ``columns`` and implement ``relation()`` (the
    source as a SQLAlchemy FromClause with its columns) and ``fetch(stmt) -> DataFrame``.
    """

    engine = "sql"
    name = "<sql>"
    columns: list[str] = []

    def relation(self, spec: MomentsSpec) -> sa.FromClause:
        return sa.table(self.table_name, *[sa.column(c) for c in spec.columns])

    def fetch(self, stmt: sa.Select) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self, spec: MomentsSpec) -> dict:
        return self.fetch(check_query(self.relation(spec), spec)).iloc[0].to_dict()

    def group_sizes(self, spec: MomentsSpec) -> pd.DataFrame:
        """``g<k>`` keys and ``n_rows`` of every group the filter keeps."""
        return self.fetch(group_sizes_query(self.relation(spec), spec))

    def cells(self, spec: MomentsSpec, groups=None) -> pd.DataFrame:
        """The moments query's cells (of the key tuples ``groups`` only, when given)."""
        return self.fetch(moments_query(self.relation(spec), spec, groups))

    def close(self) -> None:
        pass
