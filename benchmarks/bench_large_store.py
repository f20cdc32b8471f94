"""Benchmark: the Overview on a large PostgreSQL store -- first paint and two filter changes.

Builds (``build``) a store of N simulated flagship responses in the schema ``bench_large_store``
(four 250,000-row import batches per million, then VACUUM ANALYZE), and times (``measure``) the
Overview in one AppTest process: the first run (cold caches), then the wave filter set to one
wave, then to two. Each step reports wall time, this process's CPU time, the CPU time of every
PostgreSQL server process (shared with anything else using the server) and the load average.
Run ``measure`` with ``PYTHONPATH`` and ``--tree`` pointing at the checkout to time (e.g. the
main branch, then a feature branch), one process each, in the same window. ``drop`` removes the
schema.

Usage::

    python benchmarks/bench_large_store.py build --rows 1000000
    PYTHONPATH=. python benchmarks/bench_large_store.py measure --tree . [--boot 100]
    python benchmarks/bench_large_store.py drop
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

PG_URL = os.environ.get("CSI_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_large_store"
CHUNK = 250_000


def store_url() -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{SCHEMA}"


def build(rows: int) -> None:
    import sqlalchemy as sa

    from csi.simulate import simulate_responses
    from csi.store import open_store
    from csi.survey import load_survey

    admin = sa.create_engine(PG_URL)
    with admin.begin() as c:
        c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
        c.exec_driver_sql(f'CREATE SCHEMA "{SCHEMA}"')
    survey = load_survey(Path(__file__).resolve().parent.parent / "surveys" / "ecommerce_csi.yaml")
    store = open_store(store_url())
    t0 = time.perf_counter()
    for k in range(max(1, rows // CHUNK)):
        df, _ = simulate_responses(survey, n=min(CHUNK, rows), seed=100 + k)
        df = df.assign(respondent_id=[f"r{k}_{i}" for i in range(len(df))])
        store.import_frame(survey, df, source_name=f"sim{k}.csv", file_hash=f"bench{k}")
        print(f"batch {k}: {time.perf_counter() - t0:.0f} s", flush=True)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql(f'VACUUM ANALYZE "{SCHEMA}".responses')
        for (name,) in c.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = %(s)s "
                                         "AND tablename LIKE 'answers_v%%'", {"s": SCHEMA}):
            c.exec_driver_sql(f'VACUUM ANALYZE "{SCHEMA}"."{name}"')
    print(f"stored {store.count_responses(survey):,} responses", flush=True)


def drop() -> None:
    import sqlalchemy as sa

    with sa.create_engine(PG_URL).begin() as c:
        c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')


def _pg_cpu() -> float:
    """CPU seconds of every process named postgres* (Linux /proc)."""
    tot = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if name.startswith("postgres"):
            tot += int(fields[11]) + int(fields[12])
    return tot / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def measure(tree: str, boot: int) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ["CSI_DATABASE_URL"] = store_url()
    os.environ["CSI_APP_N_BOOT"] = str(boot)
    for var in ("CSI_ADMIN_PASSWORD", "CSI_ADMIN_PASSWORD_HASH", "CSI_SURVEY_DIR"):
        os.environ.pop(var, None)
    os.chdir(tree)
    at = AppTest.from_file(os.path.join(os.path.abspath(tree), "app.py"), default_timeout=3000)
    at.session_state["n_boot"] = boot

    def step(name, fn):
        l0, w0, c0, p0 = _load(), time.perf_counter(), time.process_time(), _pg_cpu()
        fn()
        err = str(at.exception[0].message)[:200] if at.exception else None
        print(json.dumps({"step": name, "wall_s": round(time.perf_counter() - w0, 2),
                          "cpu_s": round(time.process_time() - c0, 2), "pg_cpu_s": round(_pg_cpu() - p0, 2),
                          "load_before": l0, "load_after": _load(), "error": err}), flush=True)

    def waves(values):
        def run():
            at.session_state["waves"] = values
            at.run()
        return run

    step("first paint", at.run)
    step("filter change (one wave)", waves(["2026Q2"]))
    step("filter change (two waves)", waves(["2026Q1", "2026Q2"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--rows", type=int, default=1_000_000)
    m = sub.add_parser("measure")
    m.add_argument("--tree", default=".")
    m.add_argument("--boot", type=int, default=100)
    sub.add_parser("drop")
    args = ap.parse_args()
    if args.cmd == "build":
        build(args.rows)
    elif args.cmd == "measure":
        measure(args.tree, args.boot)
    else:
        drop()


if __name__ == "__main__":
    sys.exit(main())
