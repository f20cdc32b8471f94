"""Open a moments source for an engine, check it, and run the query in bounded passes.

Engines: ``pandas`` (a DataFrame or a file read into one), ``duckdb`` (Parquet/CSV files),
``postgres`` (the store's typed tables), ``spark`` (local mode or a cluster). Every source
answers the same three statements of :mod:`csi.engines.query` (check, group count, moments).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from csi.engines.cells import CellMoments
from csi.engines.query import MomentsSpec, moments_query
from csi.errors import DataError, ParameterError

__all__ = ["ENGINES", "open_source", "check_source", "iter_cells", "cell_moments"]

ENGINES = ("pandas", "duckdb", "postgres", "spark")
#: bytes of per-cell sums one pass may return (a bucketed query over many groups runs in passes)
PASS_BYTES = 32 * 2**20


def open_source(engine: str, source, *, survey=None, table: str | None = None, master: str | None = None):
    """A source object for ``engine``: a path/glob, a DataFrame, or a database URL."""
    if engine not in ENGINES:
        raise ParameterError(f"The 'engine' parameter must be a str among {{{', '.join(map(repr, ENGINES))}}}. "
                             f"Got {engine!r} instead.")
    if engine == "pandas":
        from csi.engines.pandas_engine import PandasSource

        if isinstance(source, pd.DataFrame):
            return PandasSource(source)
        path = Path(str(source))
        if not path.exists():
            raise DataError(f"{path}: no such file")
        frame = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
        return PandasSource(frame, str(path))
    if engine == "duckdb":
        from csi.engines.duckdb_engine import DuckDBSource

        _exists(source)
        return DuckDBSource(source)
    if engine == "spark":
        from csi.engines.spark_engine import SparkSource

        _exists(source)
        return SparkSource(source, master=master)
    from csi.engines.postgres_engine import PostgresSource

    return PostgresSource(str(source), survey=survey, table=table)


def _exists(source) -> None:
    if isinstance(source, pd.DataFrame) or any(ch in str(source) for ch in "*?[") or "://" in str(source):
        return
    if not Path(str(source)).exists():
        raise DataError(f"{source}: no such file")


def check_source(src, spec: MomentsSpec) -> int:
    """Raise :class:`DataError` naming the source and column for a missing column, a value
    outside an item's scale or a bad weight; return the number of rows the spec reads."""
    missing = [c for c in spec.columns if c not in src.columns]
    if missing:
        raise DataError(f"{src.name}: no column(s) {', '.join(missing)}; the source has "
                        f"{', '.join(src.columns[:30])}{' ...' if len(src.columns) > 30 else ''}")
    res = src.check(spec)
    for i, it in enumerate(spec.items):
        bad = int(res.get(f"bad{i}") or 0)
        if bad:
            lo, hi = res.get(f"min{i}"), res.get(f"max{i}")
            codes = f" or a declared missing code {tuple(it.missing_codes)}" if it.missing_codes else ""
            raise DataError(
                f"{src.name}: column {it.id!r} has {bad} value(s) outside its scale (seen {lo:g} to {hi:g}); "
                f"expected {it.scale_min:g}-{it.scale_max:g}{codes}. Fix or re-import the rows (csi import reports them)")
    if spec.weight and int(res.get("bad_w") or 0):
        raise DataError(f"{src.name}: weight column {spec.weight!r} has {int(res['bad_w'])} missing, zero or "
                        "negative value(s); expected positive weights")
    return int(res["n_rows"])


def plan_passes(src, spec: MomentsSpec) -> list[list[tuple] | None]:
    """The groups of each pass (key tuples), so that one pass returns at most
    :data:`PASS_BYTES` of sums; ``[None]`` (one pass, every group) when that fits.

    A group of ``n`` rows returns at most ``min(n, buckets)`` cells, so the plan comes from
    one cheap query of the group sizes; groups go to passes in key order.
    """
    if not spec.by or not spec.buckets:
        return [None]
    p = len(spec.items)
    cell_bytes = 8 * (3 + 2 * p + p * (p + 1) // 2)
    sizes = src.group_sizes(spec)
    keys = list(sizes[[f"g{k}" for k in range(len(spec.by))]].itertuples(index=False, name=None))
    n = sizes["n_rows"].to_numpy(dtype=np.int64)
    # with patterns a group may return a cell per (bucket, pattern): at most one per row
    cells = (n if spec.patterns else np.minimum(n, spec.buckets)) * cell_bytes
    if cells.sum() <= PASS_BYTES:
        return [None]
    order = sorted(range(len(keys)), key=lambda i: tuple((v is None, str(v)) for v in keys[i]))
    passes, cur, used = [], [], 0
    for i in order:
        if cur and used + cells[i] > PASS_BYTES:
            passes.append(cur)
            cur, used = [], 0
        cur.append(tuple(None if pd.isna(v) else v for v in keys[i]))
        used += int(cells[i])
    passes.append(cur)
    return passes


def iter_cells(src, spec: MomentsSpec) -> Iterator[CellMoments]:
    """The cells of every group, one pass (a set of groups) at a time.

    With several passes, a source that can stage its rows (``staged_passes``: DuckDB) gives
    each pass its own rows to run the moments query on; the others filter by the pass's groups.
    """
    passes = plan_passes(src, spec)
    stage = getattr(src, "staged_passes", None)
    if len(passes) > 1 and stage is not None:
        for rel in stage(spec, passes):
            df = src.fetch(moments_query(rel, spec))
            yield CellMoments.from_frame(df, spec.items, spec.by, spec.buckets, spec.patterns)
        return
    for groups in passes:
        df = src.cells(spec, groups)
        yield CellMoments.from_frame(df, spec.items, spec.by, spec.buckets, spec.patterns)


def cell_moments(engine: str, source, spec: MomentsSpec, **kw) -> CellMoments:
    """All cells at once (checked first); for tests and small group counts."""
    src = open_source(engine, source, **kw)
    try:
        check_source(src, spec)
        return CellMoments.concat(list(iter_cells(src, spec)))
    finally:
        src.close()
