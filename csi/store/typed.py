"""Typed answer storage: one table per survey version with a typed column per field.

``answers_v<id>`` (``id`` = the ``survey_versions`` row) holds one row per stored response:
``response_id`` (primary key, = ``responses.id``), ``survey_id``, ``respondent_id``, ``wave``,
``submitted_at``, then one column per answer field of that version -- DOUBLE PRECISION for items and
numbers, TEXT for codes and text -- and ``<field>__mt``, a SMALLINT missing-type code per cell
(:data:`MISSING_TYPES`: 1 dont_know, 2 not_shown, 3 skipped, 4 no_answer; NULL when answered or
untyped). Segment fields and ``wave`` are indexed (the dashboard's filters). The table is written in
the same transaction as ``responses`` (import and form), and migration 0015 builds it for a store
created before. The moments query (:mod:`csi.engines.query`) aggregates these columns in the
database; ``responses.answers`` (JSON) stays the source of truth of the row store.

Why wide rather than long (measured with ``benchmarks/bench_storage_layout.py --rows 100000
--repeat 3``: PostgreSQL on this 2-core machine while other test suites ran, load average 8-12, so
absolute times are several times a quiet machine's; both layouts were measured in the same run):

=====================================  =========  =========================
layout                                 pooled     per channel, 500 buckets
=====================================  =========  =========================
wide, a column per field               3.9 s      43.8 s
long (response_id, field_id, value),   9.0 s      46.0 s
pivoted to one row per response first
=====================================  =========  =========================

Storage: wide 23 MB vs long 146 MB + 7 MB of per-response columns (2.0M answer rows with their
primary key). Writing: wide is one row per response, like ``responses``; long is one row per answer
(20 for the items alone). A new survey version with new
fields gets its own table (no ALTER TABLE on a live table); the versions of a survey are read as
one relation by :func:`answers_relation` (UNION ALL; a field a version lacks is NULL).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from csi.io.canonical import field_kinds, is_string_kind

__all__ = ["MISSING_TYPES", "answers_table", "ensure_answers_table", "write_answers", "answers_relation",
           "table_name"]

#: per-cell missing-type codes (issue 14's ResponseBatch.missing_types strings)
MISSING_TYPES = {"dont_know": 1, "not_shown": 2, "skipped": 3, "no_answer": 4}


_TABLES: dict[tuple, sa.Table] = {}


def table_name(survey_version_id: int) -> str:
    return f"answers_v{int(survey_version_id)}"


def answers_table(survey_version_id: int, survey, metadata: sa.MetaData | None = None) -> sa.Table:
    """The typed table of one survey version (not created; see :func:`ensure_answers_table`)."""
    name = table_name(survey_version_id)
    key = (name, getattr(survey, "sha256", None))
    if metadata is None and key in _TABLES:
        return _TABLES[key]
    md = metadata
    if md is None:  # the store's tables too, for the foreign key to responses.id
        from csi.store.schema import metadata as store_md

        md = sa.MetaData()
        for t in store_md.tables.values():
            t.to_metadata(md)
    if name in md.tables:
        return md.tables[name]
    kinds = field_kinds(survey)
    segs = {q.id for q in survey.questions if getattr(q, "role", None) == "segment"}
    cols = [
        sa.Column("response_id", sa.Integer, sa.ForeignKey("responses.id"), primary_key=True, autoincrement=False),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("respondent_id", sa.String(128), nullable=False),
        sa.Column("wave", sa.String(32), nullable=True, index=True),
        sa.Column("submitted_at", sa.String(32), nullable=True),
    ]
    for fid, kind in kinds.items():
        cols.append(sa.Column(fid, sa.Text if is_string_kind(kind) else sa.Double, nullable=True,
                              index=fid in segs))
    for fid in kinds:
        cols.append(sa.Column(f"{fid}__mt", sa.SmallInteger, nullable=True))
    table = sa.Table(name, md, *cols)
    if metadata is None:
        _TABLES[key] = table
    return table


def ensure_answers_table(conn, survey_version_id: int, survey) -> sa.Table:
    """Create the version's table (and its indexes) if it does not exist; return it."""
    table = answers_table(survey_version_id, survey)
    table.create(conn, checkfirst=True)
    return table


def _cell(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def write_answers(conn, table: sa.Table, survey, frame: pd.DataFrame, response_ids, *, submitted=None,
                  missing_types: pd.DataFrame | None = None) -> None:
    """Insert one typed row per row of ``frame`` (canonical columns) with its ``response_id``.

    ``submitted``: ISO-8601 texts as stored in ``responses`` (default: from the frame);
    ``missing_types``: a frame aligned with ``frame`` of missing-type strings per cell (issue 14's
    ``ResponseBatch.missing_types``); unknown strings are stored as NULL codes.
    """
    if not len(frame):
        return
    kinds = field_kinds(survey)
    fields = [f for f in kinds if f in frame.columns]
    data = {f: frame[f].to_numpy(dtype=object) for f in fields}
    if submitted is None:
        sub = pd.to_datetime(frame["submitted_at"]).dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
        submitted = [None if pd.isna(v) else v for v in sub]
    mt = None
    if missing_types is not None and len(missing_types.columns):
        mt = missing_types.reindex(index=frame.index).map(lambda v: MISSING_TYPES.get(v) if isinstance(v, str) else None)
    rid = frame["respondent_id"].astype(str).to_numpy()
    wave = frame["wave"].to_numpy(dtype=object)
    sid = survey.id
    recs = []
    for i, resp in enumerate(response_ids):
        rec = {"response_id": int(resp), "survey_id": sid, "respondent_id": rid[i], "wave": _cell(wave[i]),
               "submitted_at": submitted[i]}
        for f in fields:
            v = _cell(data[f][i])
            rec[f] = v if v is None or is_string_kind(kinds[f]) else float(v)
        if mt is not None:
            for f in mt.columns:
                if f in kinds:
                    rec[f"{f}__mt"] = _cell(mt[f].iat[i])
        recs.append(rec)
    cols = list(dict.fromkeys(k for r in recs[:1] for k in r) | dict.fromkeys(
        k for r in recs for k in r if k.endswith("__mt")))
    recs = [{c: r.get(c) for c in cols} for r in recs]
    for start in range(0, len(recs), 20000):
        conn.execute(table.insert(), recs[start:start + 20000])


def answers_relation(engine, survey) -> sa.FromClause:
    """The typed answers of every stored version of ``survey`` as one relation with
    ``survey``'s columns (UNION ALL over the versions' tables; absent fields are NULL)."""
    from csi.errors import StoreError
    from csi.store.schema import survey_versions

    with engine.connect() as conn:
        ids = conn.execute(sa.select(survey_versions.c.id).where(survey_versions.c.survey_id == survey.id)
                           .order_by(survey_versions.c.id)).scalars().all()
    insp = sa.inspect(engine)
    kinds = field_kinds(survey)
    wanted = ["response_id", "respondent_id", "wave", "submitted_at", *kinds]
    parts = []
    for sv in ids:
        name = table_name(sv)
        if not insp.has_table(name):
            continue
        have = {c["name"] for c in insp.get_columns(name)}
        t = sa.table(name, *[sa.column(c) for c in have])
        sel = []
        for c in wanted:
            if c in have:
                sel.append(t.c[c].label(c))
            else:
                typ = sa.Text if c in ("respondent_id", "wave", "submitted_at") or (
                    c in kinds and is_string_kind(kinds[c])) else sa.Double
                sel.append(sa.cast(sa.null(), typ).label(c))
        parts.append(sa.select(*sel))
    if not parts:
        raise StoreError(f"survey {survey.id!r} has no typed answers in this store (import responses first)")
    rel = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    return rel.subquery("answers")
