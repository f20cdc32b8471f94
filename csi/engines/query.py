"""The one moments query, defined once in SQLAlchemy Core and compiled per engine.

Per group (any combination of ``by`` columns) the query returns one row per cell -- a cell is a
group, optionally split by bootstrap bucket and by missingness pattern -- holding

- ``n_obs`` (rows), ``n`` (sum of weights; ``n_obs`` unweighted);
- ``c<i>``: the provisional centre of item ``i``: its scale midpoint ``(min + max) / 2``;
- ``s<i>``: ``sum(w * (x_i - c_i))``;
- ``q<i>_<j>`` for ``i <= j`` (upper triangle, row-major as ``numpy.triu_indices``):
  ``sum(w * (x_i - c_i) * (x_j - c_j))``.

Numerics: the sums are of deviations from the scale midpoint, not of raw values. The check
query rejects answers outside the scale first, so every deviation is at most half the range
(4.5 on a 1-10 scale). Integer answers on a scale whose bounds are integers make every
deviation a multiple of 1/2 and every product a multiple of 1/4, so unweighted sums are
*exact* in IEEE doubles (below 2**53 / 4 in magnitude: 10**14 rows on a 1-10 scale) in any
summation order, on every engine -- 10M rows lose no digit, and the engines agree bit for
bit. The client's ``cross - n m m'`` then cancels at most ``log2(1 + m**2 / var)`` bits (``m``:
mean minus midpoint), about 1-2 bits on survey data. Midpoint centring needs no first pass
for a group mean, so the statement scans the rows once, without a join. Items are cast to
DOUBLE PRECISION; missing codes become NULL and reverse items are recoded ``min + max - x``,
exactly as :func:`csi.estimate.prepare.prepare_data` does.

Buckets: each row is hashed stably into ``buckets`` buckets from its response id and the seed:
``int(md5(id || ':' || seed)[:7], 16) % buckets`` (28 bits of MD5; the hex digits are decoded
with ``strpos`` so that every engine computes the same integer; :func:`bucket_of` is the same in
Python). Patterns: the bitmask of observed items, ``sum(2**i for observed i)``.

Every engine runs this statement: PostgreSQL directly through SQLAlchemy; DuckDB and Spark as
its PostgreSQL text transpiled by sqlglot (:func:`compile_for`). No SQL is written per dialect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from csi.errors import ParameterError

__all__ = ["MomentsSpec", "moments_query", "check_query", "group_sizes_query", "groups_condition", "compile_for",
           "bucket_of", "bucket_expr", "filter_conditions", "item_centre", "time_bound"]

_HEX = "0123456789abcdef"
_HASH_DIGITS = 7  # 28 bits: fits a 32-bit integer on every engine


@dataclass(frozen=True)
class MomentsSpec:
    """What to aggregate: the source columns and the options of :func:`moments_query`.

    ``items`` are :class:`csi.survey.model.ItemSpec` (id = source column, scale bounds, reverse,
    missing codes); ``by`` the group columns; ``weight`` a weight column or None; ``id_column``
    the response id hashed into buckets; ``buckets`` 0 for none; ``patterns`` True to split by
    missingness pattern (else complete rows only: listwise); ``where`` maps a column to the
    value or values to keep (the dashboard's filters); ``between`` maps a column to a
    half-open range ``(low, high)`` to keep, ``low <= value < high`` (a NULL never matches;
    either bound may be None). Numbers compare as numbers; dates, datetimes and text bounds
    are parsed to instants (:func:`time_bound`) and the column is compared as a timestamp with
    time zone -- naive values, like the store's ``submitted_at``, are UTC -- e.g.
    ``{"submitted_at": ("2026-01-01", "2026-04-01")}`` for the first quarter (UTC).
    """

    items: tuple
    by: tuple[str, ...] = ()
    weight: str | None = None
    id_column: str = "respondent_id"
    buckets: int = 0
    seed: int = 0
    patterns: bool = False
    where: tuple[tuple[str, tuple], ...] = ()
    between: tuple[tuple[str, object, object], ...] = ()

    @staticmethod
    def make(items, *, by=(), weight=None, id_column="respondent_id", buckets=0, seed=0, patterns=False,
             where: Mapping | None = None, between: Mapping | None = None) -> MomentsSpec:
        filt = tuple((str(k), tuple(v) if isinstance(v, list | tuple | set) else (v,))
                     for k, v in (where or {}).items())
        rng = tuple((str(k), *_range(str(k), v)) for k, v in (between or {}).items())
        return MomentsSpec(tuple(items), tuple(by), weight, id_column, int(buckets), int(seed), bool(patterns),
                           filt, rng)

    @property
    def columns(self) -> list[str]:
        """Every source column the query reads."""
        cols = [*self.by, *(it.id for it in self.items)]
        if self.weight:
            cols.append(self.weight)
        if self.buckets:
            cols.append(self.id_column)
        cols.extend(k for k, _ in self.where)
        cols.extend(k for k, _, _ in self.between)
        return list(dict.fromkeys(cols))


def _range(col: str, bounds) -> tuple:
    """``(low, high)`` of ``between[col]`` as the query compares them."""
    if not isinstance(bounds, list | tuple) or len(bounds) != 2:
        raise ParameterError(f"between[{col!r}] must be a (low, high) pair; got {bounds!r}")
    lo, hi = (time_bound(col, v) for v in bounds)
    if isinstance(lo, dt.datetime) != isinstance(hi, dt.datetime) and lo is not None and hi is not None:
        raise ParameterError(f"between[{col!r}]: one bound is a date or time, the other a number ({bounds!r})")
    return lo, hi


def time_bound(col: str, v):
    """One ``between`` bound: None and numbers as given; a date, datetime, ``numpy.datetime64``
    or ISO-8601 text (``"2026-01-01"``, ``"2026-01-01T09:30+02:00"``) as an aware UTC
    :class:`datetime.datetime` (a naive value is UTC). Raises :class:`ParameterError` naming
    the column for anything else."""
    if v is None or (isinstance(v, int | float) and not isinstance(v, bool)):
        return v
    if isinstance(v, bool) or not isinstance(v, str | dt.date | np.datetime64 | pd.Timestamp):
        raise ParameterError(f"between[{col!r}]: {v!r} is not a date, a time or a number")
    try:
        ts = pd.Timestamp(v)
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):
        raise ParameterError(f"between[{col!r}]: {v!r} is not a date or time; expected ISO 8601, e.g. "
                             "'2026-01-01' or '2026-01-01T09:30:00+02:00'") from None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()


def _hex_int(h):
    """The first ``_HASH_DIGITS`` hex digits of the text ``h`` as an integer (portable SQL)."""
    total = None
    for k in range(_HASH_DIGITS):
        digit = sa.func.strpos(sa.literal(_HEX), sa.func.substr(h, k + 1, 1)) - 1
        term = digit * (16 ** (_HASH_DIGITS - 1 - k))
        total = term if total is None else total + term
    return total


def bucket_expr(source: sa.FromClause, spec: MomentsSpec):
    """The bucket of each row of ``source`` as a SQL expression (see the module docstring)."""
    key = sa.cast(source.c[spec.id_column], sa.Text).concat(sa.literal(f":{spec.seed}"))
    return _hex_int(sa.func.md5(key)) % int(spec.buckets)


def bucket_of(response_id, seed: int, buckets: int) -> int:
    """The bucket of one response, as the query computes it."""
    h = hashlib.md5(f"{response_id}:{seed}".encode()).hexdigest()
    return int(h[:_HASH_DIGITS], 16) % buckets


def _key_text_py(keys) -> str:
    return "|".join("<null>" if k is None else str(k) for k in keys)


def _item_expr(col, item):
    x = sa.cast(col, sa.Double)
    if item.missing_codes:
        x = sa.case((x.in_([float(v) for v in item.missing_codes]), sa.null()), else_=x)
    return x


def _answer_expr(col, item):
    """The item's answer, NULL unless on its scale: what :func:`_item_expr` gives once the
    check query has passed (every value is on the scale, a missing code or NULL), in one range
    test per row instead of a comparison per missing code."""
    x = sa.cast(col, sa.Double)
    lo, hi = float(item.scale_min), float(item.scale_max)
    ok = sa.and_(x >= lo, x <= hi)
    inside = [float(v) for v in item.missing_codes if lo <= float(v) <= hi]
    if inside:
        ok = sa.and_(ok, x.not_in(inside))
    return sa.case((ok, x), else_=sa.null())


def filter_conditions(source: sa.FromClause, spec: MomentsSpec) -> list:
    """The spec's ``where`` and ``between`` as conditions on ``source``'s columns."""
    conds = [source.c[k].in_(list(v)) for k, v in spec.where]
    stamp = sa.DateTime(timezone=True)
    for col, lo, hi in spec.between:
        timed = isinstance(lo, dt.datetime) or isinstance(hi, dt.datetime)
        c = sa.cast(source.c[col], stamp) if timed else source.c[col]
        if lo is not None:
            conds.append(c >= (sa.literal(lo, stamp) if timed else lo))
        if hi is not None:
            conds.append(c < (sa.literal(hi, stamp) if timed else hi))
    return conds


def check_query(source: sa.FromClause, spec: MomentsSpec) -> sa.Select:
    """Rows, out-of-scale values per item (count, min, max) and bad weights, in one pass.

    Out of scale: after missing codes became NULL, a value below ``scale_min`` or above
    ``scale_max``. A bad weight is NULL, negative or zero.
    """
    cols = []
    for i, it in enumerate(spec.items):
        x = _item_expr(source.c[it.id], it)
        bad = sa.or_(x < float(it.scale_min), x > float(it.scale_max))
        cols += [sa.func.sum(sa.case((bad, 1), else_=0)).label(f"bad{i}"),
                 sa.func.min(x).label(f"min{i}"), sa.func.max(x).label(f"max{i}")]
    if spec.weight:
        w = sa.cast(source.c[spec.weight], sa.Double)
        cols.append(sa.func.sum(sa.case((sa.or_(w.is_(None), w <= 0), 1), else_=0)).label("bad_w"))
    q = sa.select(sa.func.count().label("n_rows"), *cols).select_from(source)
    for cond in filter_conditions(source, spec):
        q = q.where(cond)
    return q


def group_sizes_query(source: sa.FromClause, spec: MomentsSpec) -> sa.Select:
    """Rows per group (``g<k>`` keys, ``n_rows``) among the rows the filter keeps: what the
    passes of a bucketed query are planned from."""
    keys = [source.c[b].label(f"g{k}") for k, b in enumerate(spec.by)]
    q = sa.select(*keys, sa.func.count().label("n_rows")).select_from(source)
    for cond in filter_conditions(source, spec):
        q = q.where(cond)
    return q.group_by(*[source.c[b] for b in spec.by])


def _plain_key(v):
    return v.item() if hasattr(v, "item") else v


def groups_condition(cols, keys: Sequence[tuple]):
    """``cols`` equal to one of the key tuples ``keys`` (a NULL key value matches NULL)."""
    keys = [tuple(_plain_key(v) for v in k) for k in keys]
    full = [k for k in keys if all(v is not None for v in k)]
    conds = []
    if full:
        conds.append(cols[0].in_([k[0] for k in full]) if len(cols) == 1
                     else sa.tuple_(*cols).in_(full))
    for k in keys:
        if any(v is None for v in k):
            conds.append(sa.and_(*[c.is_(None) if v is None else c == v for c, v in zip(cols, k, strict=True)]))
    return sa.or_(*conds) if len(conds) > 1 else conds[0]


def item_centre(item) -> float:
    """The provisional centre of an item: its scale midpoint (see the module docstring)."""
    return (float(item.scale_min) + float(item.scale_max)) / 2


def moments_query(source: sa.FromClause, spec: MomentsSpec, groups: Sequence[tuple] | None = None) -> sa.Select:
    """The moments statement over ``source`` (a table or subquery with the spec's columns).

    ``groups`` (key tuples) keeps only those groups: a bucketed query over many groups runs
    in passes, each returning a bounded number of cells. Output columns: ``g0..`` (group keys),
    ``b`` (bucket, when bucketed), ``pat`` (pattern, with ``patterns``), ``n_obs``, ``n``,
    ``c<i>``, ``s<i>``, ``q<i>_<j>``. One scan of the rows, no join.
    """
    p = len(spec.items)
    gcols = [source.c[b].label(f"g{k}") for k, b in enumerate(spec.by)]
    mids = [item_centre(it) for it in spec.items]
    ds = []
    for i, it in enumerate(spec.items):
        x = _answer_expr(source.c[it.id], it)
        # reverse items: (min + max - x) - mid = mid - x
        ds.append((mids[i] - x if it.reverse else x - mids[i]).label(f"d{i}"))
    extra = []
    if spec.weight:
        extra.append(sa.cast(source.c[spec.weight], sa.Double).label("w"))
    if spec.buckets:
        key = sa.cast(source.c[spec.id_column], sa.Text).concat(sa.literal(f":{spec.seed}"))
        extra.append(sa.func.md5(key).label("h"))
    base = sa.select(*gcols, *ds, *extra).select_from(source)
    for cond in filter_conditions(source, spec):
        base = base.where(cond)
    if groups is not None and spec.by:
        base = base.where(groups_condition([source.c[b] for b in spec.by], groups))
    if not spec.patterns:
        base = base.where(sa.and_(*[d.is_not(None) for d in ds]) if p > 1 else ds[0].is_not(None))
    r0 = base.subquery("r0")
    keys = [r0.c[f"g{k}"] for k in range(len(spec.by))]
    dd = [r0.c[f"d{i}"] for i in range(p)]
    if spec.patterns:
        pat = None
        for i in range(p):
            term = sa.case((dd[i].is_not(None), 2 ** i), else_=0)
            pat = term if pat is None else pat + term
        layer = [*keys, pat.label("pat"), *[sa.func.coalesce(d, 0.0).label(f"d{i}") for i, d in enumerate(dd)]]
        if spec.weight:
            layer.append(r0.c.w)
        if spec.buckets:
            layer.append(r0.c.h)
        r0 = sa.select(*layer).select_from(r0).subquery("r1")
        keys = [r0.c[f"g{k}"] for k in range(len(spec.by))]
        dd = [r0.c[f"d{i}"] for i in range(p)]
    gkeys = list(keys)
    out = [*keys]
    if spec.buckets:
        b = (_hex_int(r0.c.h) % int(spec.buckets)).label("b")
        out.append(b)
        gkeys.append(b)
    if spec.patterns:
        out.append(r0.c.pat)
        gkeys.append(r0.c.pat)
    w = r0.c.w if spec.weight else None
    out.append(sa.func.count().label("n_obs"))
    out.append((sa.cast(sa.func.count(), sa.Double) if w is None else sa.func.sum(w)).label("n"))
    out += [sa.literal(mids[i], sa.Double).label(f"c{i}") for i in range(p)]
    wd = dd if w is None else [w * v for v in dd]
    out += [sa.func.sum(wd[i]).label(f"s{i}") for i in range(p)]
    out += [sa.func.sum(wd[i] * dd[j]).label(f"q{i}_{j}") for i in range(p) for j in range(i, p)]
    q = sa.select(*out).select_from(r0)
    if gkeys:
        q = q.group_by(*gkeys)
    return q


def compile_for(stmt: sa.Select, dialect: str) -> str:
    """The statement as SQL text for ``dialect`` ("postgres", "duckdb" or "spark")."""
    sql = str(stmt.compile(dialect=postgresql.dialect(paramstyle="named"), compile_kwargs={"literal_binds": True}))
    if dialect == "postgres":
        return sql
    import sqlglot

    return sqlglot.transpile(sql, read="postgres", write=dialect)[0]


def sample_query(source: sa.FromClause, columns: Sequence[str], *, id_column: str, seed: int, buckets: int,
                 keep: int, where: tuple = ()) -> sa.Select:
    """Rows whose bucket (the bootstrap hash with ``seed``) is below ``keep`` of ``buckets``:
    a seeded ``keep / buckets`` random sample of respondents, the same on every engine."""
    key = sa.cast(source.c[id_column], sa.Text).concat(sa.literal(f":{seed}"))
    q = sa.select(*[source.c[c] for c in columns]).select_from(source)
    for col, vals in where:
        q = q.where(source.c[col].in_(list(vals)))
    return q.where(_hex_int(sa.func.md5(key)) % int(buckets) < int(keep))
