"""Row-level facts of stored responses, aggregated in the database (large PostgreSQL stores).

The dashboard's questions about rows -- how many responses per wave, the first and last
response, the distribution of a few answer columns (complaint, NPS, segment), answered and
missing answers per item -- become ``GROUP BY`` statements over the store's typed answers
(:func:`csi.store.typed.answers_relation`), written in SQLAlchemy Core (no per-dialect SQL),
filtered by the engine's ``where`` (values) and ``between`` (half-open ranges; dates compared
as UTC instants) exactly as the moments query filters its rows. Only one row per distinct value
combination crosses the wire.

:func:`counts_frame` turns such counts back into a frame with one row per response and only the
counted columns: a function of those columns alone (a share, an NPS, a cross-table) then gives
on it exactly what it gives on the stored rows. :func:`sample_frame` draws the seeded random
sample of whole responses that the analyses needing rows use (:func:`csi.engines.sample_rows`'s
hash: the rows whose bucket of ``buckets`` is below ``round(fraction * buckets)``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from csi.engines.query import MomentsSpec, _answer_expr, filter_conditions, sample_query
from csi.errors import ParameterError

__all__ = ["store_source", "value_counts", "wave_span", "item_counts", "counts_frame", "sample_frame",
           "canonical_dtypes", "SAMPLE_BUCKETS"]

#: buckets of the sample hash (:func:`csi.engines.sample.sample_rows`'s default): a sample
#: fraction is resolved to 1/10,000
SAMPLE_BUCKETS = 10_000


def store_source(url: str, survey):
    """The PostgreSQL store's typed answers of ``survey`` (:class:`~csi.engines.postgres_engine.PostgresSource`)."""
    from csi.engines.postgres_engine import PostgresSource

    return PostgresSource(url, survey=survey)


def _where(rel, stmt, where, between):
    spec = MomentsSpec.make((), where=where, between=between)
    for missing in [k for k, _ in spec.where] + [k for k, _, _ in spec.between]:
        if missing not in rel.c:
            raise ParameterError(f"unknown filter column {missing!r}; expected one of {', '.join(rel.c.keys())}")
    for cond in filter_conditions(rel, spec):
        stmt = stmt.where(cond)
    return stmt


def value_counts(source, columns, *, where: dict | None = None, between: dict | None = None) -> pd.DataFrame:
    """Responses per distinct combination of ``columns`` (NULL is a value): ``columns..., n``.

    ``n`` sums to the number of responses the filters keep.
    """
    rel = source.relation(None)
    cols = list(columns)
    for c in cols:
        if c not in rel.c:
            raise ParameterError(f"unknown column {c!r} of the stored answers")
    stmt = sa.select(*[rel.c[c] for c in cols], sa.func.count().label("n")).select_from(rel)
    stmt = _where(rel, stmt, where, between)
    if cols:
        stmt = stmt.group_by(*[rel.c[c] for c in cols])
    out = source.fetch(stmt)
    out["n"] = out["n"].astype(np.int64)
    return out


def wave_span(source, *, where: dict | None = None, between: dict | None = None) -> pd.DataFrame:
    """Per wave (NULL included): ``wave, n, first, last`` -- responses and the earliest and latest
    ``submitted_at`` (as stored: ISO-8601 UTC text; None when no row has one)."""
    rel = source.relation(None)
    stmt = sa.select(rel.c.wave, sa.func.count().label("n"), sa.func.min(rel.c.submitted_at).label("first"),
                     sa.func.max(rel.c.submitted_at).label("last")).select_from(rel)
    out = source.fetch(_where(rel, stmt, where, between).group_by(rel.c.wave))
    out["n"] = out["n"].astype(np.int64)
    return out


def item_counts(source, items, *, where: dict | None = None, between: dict | None = None) -> pd.DataFrame:
    """Per item, in one scan: ``item, n, answered, missing, dont_know`` -- responses, answers on
    the item's scale, the rest (NULL or a declared missing code), and cells holding the scale's
    don't-know code (``ItemSpec.dont_know``; 0 without one). ``items``: :class:`csi.survey.model.ItemSpec`."""
    rel = source.relation(None)
    cols = []
    for i, it in enumerate(items):
        cols.append(sa.func.count(_answer_expr(rel.c[it.id], it)).label(f"a{i}"))  # on the scale
        dk = getattr(it, "dont_know", None)
        if dk is not None:
            x = sa.cast(rel.c[it.id], sa.Double)
            cols.append(sa.func.sum(sa.case((x == float(dk), 1), else_=0)).label(f"k{i}"))
    stmt = _where(rel, sa.select(sa.func.count().label("n"), *cols).select_from(rel), where, between)
    row = source.fetch(stmt).iloc[0]
    n = int(row["n"])
    answered = [int(row[f"a{i}"] or 0) for i in range(len(items))]
    dont_know = [int(row[f"k{i}"] or 0) if f"k{i}" in row else 0 for i in range(len(items))]
    return pd.DataFrame({"item": [it.id for it in items], "n": n, "answered": answered,
                         "missing": [n - a for a in answered], "dont_know": dont_know})


def canonical_dtypes(survey) -> dict[str, str]:
    """Column -> dtype of the canonical response frame (``str`` for ids, waves, codes and text;
    ``datetime64[ns]`` for ``submitted_at``; ``float64`` for items and numbers)."""
    from csi.io.canonical import META_COLUMNS, field_kinds, is_string_kind

    out = {c: "str" for c in META_COLUMNS} | {"submitted_at": "datetime64[ns]"}
    return out | {f: "str" if is_string_kind(k) else "float64" for f, k in field_kinds(survey).items()}


def _as_canonical(col: pd.Series, dtype: str) -> pd.Series:
    if dtype == "datetime64[ns]":
        return pd.to_datetime(col.astype(object).where(col.notna(), None), format="ISO8601").astype("datetime64[ns]")
    if dtype == "float64":
        return pd.to_numeric(col.astype(object).where(col.notna(), np.nan), errors="raise").astype(np.float64)
    return col.astype(object).where(col.notna(), np.nan).astype("str")


def counts_frame(counts: pd.DataFrame, survey) -> pd.DataFrame:
    """One row per counted response: each row of ``counts`` (:func:`value_counts`) repeated ``n``
    times, columns in the canonical frame's dtypes (NULL -> NaN). Row order is by value
    combination, not by response."""
    dtypes = canonical_dtypes(survey)
    reps = counts["n"].to_numpy(dtype=np.int64)
    out = {}
    for c in counts.columns.drop("n"):
        vals = _as_canonical(counts[c], dtypes.get(c, "str"))
        out[c] = pd.Series(np.repeat(vals.to_numpy(), reps), dtype=vals.dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(int(reps.sum())))


def sample_frame(source, survey, *, size: int, n_total: int, seed: int = 0, where: dict | None = None,
                 between: dict | None = None, buckets: int = SAMPLE_BUCKETS) -> pd.DataFrame:
    """A seeded random sample of about ``size`` of the ``n_total`` responses the filters keep,
    as a canonical frame (no contact data) ordered like the store's frame (by ``submitted_at``).

    The rows whose bucket (``md5(respondent_id:seed)``, :func:`csi.engines.query.bucket_of`) of
    ``buckets`` is below ``round(size / n_total * buckets)`` (at least one bucket): the
    respondents :func:`csi.engines.sample_rows` draws for that fraction and seed. Every row when
    ``size >= n_total``. The sample's size is ``len(result)``: report it.
    """
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ParameterError(f"The 'size' parameter of sample_frame must be an int in the range [1, inf). "
                             f"Got {size!r} instead.")
    dtypes = canonical_dtypes(survey)
    rel = source.relation(None)
    cols = [c for c in dtypes if c in rel.c]
    if size >= n_total:
        stmt = sa.select(*[rel.c[c] for c in cols]).select_from(rel)
    else:
        keep = max(1, round(size / n_total * buckets))
        stmt = sample_query(rel, cols, id_column="respondent_id", seed=seed, buckets=buckets, keep=keep)
    stmt = _where(rel, stmt, where, between)
    stmt = stmt.order_by(rel.c.submitted_at.asc().nulls_last(), rel.c.response_id)
    raw = source.fetch(stmt)
    frame = pd.DataFrame({c: _as_canonical(raw[c], dtypes[c]) for c in cols}, index=pd.RangeIndex(len(raw)))
    return frame[[c for c in dtypes if c in frame]]
