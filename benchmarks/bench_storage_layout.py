"""Benchmark: typed answer storage on PostgreSQL, wide (a column per field) vs long (one row per
answer), for the moments query -- the measurement behind :mod:`csi.store.typed`.

Same data, same run: N simulated flagship responses; the long table is pivoted back to one row
per response (conditional aggregation) and then aggregated by the same moments query. Reports
the median of ``--repeat`` runs of (a) the pooled moments and (b) per-channel moments with 500
buckets, and each table's size with its indexes.

Usage::

    python benchmarks/bench_storage_layout.py --rows 200000 [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

PG_URL = os.environ.get("CSI_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def main() -> None:
    import sqlalchemy as sa

    import csi
    from csi.engines.query import MomentsSpec, moments_query
    from csi.simulate import simulate_responses

    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    survey = csi.load_survey("surveys/ecommerce_csi.yaml")
    items = list(survey.to_model().item_ids)
    df, _ = simulate_responses(survey, n=args.rows, seed=3)
    df = df[["respondent_id", "wave", "channel", *items]].reset_index(drop=True)
    df.insert(0, "response_id", range(1, len(df) + 1))
    long = df.melt(id_vars=["response_id"], value_vars=items, var_name="field_id", value_name="value_num").dropna()
    meta = df[["response_id", "respondent_id", "wave", "channel"]]
    eng = sa.create_engine(PG_URL)
    with eng.begin() as conn:
        for t in ("bl_wide", "bl_long", "bl_meta"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {t}")
        conn.exec_driver_sql("CREATE TABLE bl_wide (response_id int primary key, respondent_id text, wave text, "
                             f"channel text, {', '.join(f'{c} double precision' for c in items)})")
        conn.exec_driver_sql("CREATE TABLE bl_meta (response_id int primary key, respondent_id text, wave text, "
                             "channel text)")
        conn.exec_driver_sql("CREATE TABLE bl_long (response_id int, field_id text, value_num double precision, "
                             "primary key (response_id, field_id))")
        cur = conn.connection.cursor()
        for name, frame in (("bl_wide", df), ("bl_long", long), ("bl_meta", meta)):
            buf = io.StringIO()
            frame.to_csv(buf, index=False, header=False)
            buf.seek(0)
            cur.copy_expert(f"COPY {name} FROM STDIN WITH CSV", buf)
        for t in ("bl_wide", "bl_long", "bl_meta"):
            conn.exec_driver_sql(f"ANALYZE {t}")
    wide = sa.table("bl_wide", *[sa.column(c) for c in ["respondent_id", "wave", "channel", *items]])
    lt = sa.table("bl_long", sa.column("response_id"), sa.column("field_id"), sa.column("value_num"))
    mt = sa.table("bl_meta", sa.column("response_id"), sa.column("respondent_id"), sa.column("wave"),
                  sa.column("channel"))
    piv = (sa.select(lt.c.response_id, *[sa.func.max(sa.case((lt.c.field_id == c, lt.c.value_num))).label(c)
                                         for c in items]).group_by(lt.c.response_id).subquery("p"))
    pivoted = (sa.select(mt.c.respondent_id, mt.c.wave, mt.c.channel, *[piv.c[c] for c in items])
               .select_from(mt.join(piv, piv.c.response_id == mt.c.response_id)).subquery("lp"))
    model = survey.to_model()
    its = tuple(model.items[i] for i in items)
    specs = {"pooled": MomentsSpec.make(its), "per channel, 500 buckets": MomentsSpec.make(its, by=("channel",),
                                                                                           buckets=500)}
    print(f"# {args.rows:,} responses, {len(items)} items; PostgreSQL; median of {args.repeat}; "
          f"load average {os.getloadavg()[0]:.1f}")
    with eng.connect() as conn:
        sizes = {t: conn.exec_driver_sql(f"select pg_total_relation_size('{t}')").scalar() / 2**20
                 for t in ("bl_wide", "bl_long", "bl_meta")}
        for label, rel in (("wide", wide), ("long (pivoted)", pivoted)):
            for name, spec in specs.items():
                times = []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    conn.execute(moments_query(rel, spec)).fetchall()
                    times.append(time.perf_counter() - t0)
                print(f"{label:<16} {name:<26} {statistics.median(times):7.2f} s")
    print(f"size: wide {sizes['bl_wide']:.0f} MB; long {sizes['bl_long']:.0f} MB + meta {sizes['bl_meta']:.0f} MB "
          f"({len(long):,} rows)")
    with eng.begin() as conn:
        for t in ("bl_wide", "bl_long", "bl_meta"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {t}")


if __name__ == "__main__":
    main()
