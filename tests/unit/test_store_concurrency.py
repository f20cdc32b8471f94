"""Concurrency and atomicity of the store.

- 50 writers x 20 ``submit_response`` each, concurrently (threads), into SQLite (WAL, busy
  timeout, BEGIN IMMEDIATE, retry on "database is locked") and into PostgreSQL -> exactly 1,000
  rows and no error;
- a ``csi import`` process killed mid-transaction (the ``CSI_TEST_IMPORT_SLEEP`` hook sleeps
  inside the import transaction after every row was written, and touches a marker file) leaves
  zero rows of that batch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from csi.store import close_store, open_store
from tests.unit._store_helpers import pg_schema_url

N_WRITERS, N_EACH = 50, 20


def _hammer(flagship, url: str) -> None:
    store = open_store(url)

    def writer(w: int) -> list[str]:
        return [store.submit_response(flagship, {"channel": "jd", "pq1": 1 + (k % 10), "cc1": k % 2},
                                      submission_key=f"w{w}-k{k}") for k in range(N_EACH)]

    with ThreadPoolExecutor(max_workers=N_WRITERS) as pool:
        ids = [rid for chunk in pool.map(writer, range(N_WRITERS)) for rid in chunk]
    assert len(set(ids)) == N_WRITERS * N_EACH
    assert store.count_responses(flagship) == N_WRITERS * N_EACH
    frame = store.responses_frame(flagship)
    assert len(frame) == N_WRITERS * N_EACH and frame["respondent_id"].is_unique


@pytest.mark.slow
def test_concurrent_writers_sqlite(flagship, tmp_path):
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    try:
        _hammer(flagship, url)
    finally:
        close_store(url)


@pytest.mark.slow
@pytest.mark.postgres
def test_concurrent_writers_postgres(flagship, postgres_url):
    with pg_schema_url(postgres_url) as url:
        _hammer(flagship, url)


def _killed_import(flagship_path, csv_path, url: str, marker) -> None:
    env = dict(os.environ, CSI_TEST_IMPORT_SLEEP="60", CSI_TEST_IMPORT_MARKER=str(marker))
    proc = subprocess.Popen([sys.executable, "-m", "csi", "import", str(flagship_path), str(csv_path), "--db", url],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not marker.exists():
            time.sleep(0.1)
        assert proc.poll() is None and marker.exists(), proc.stderr.read().decode()
        proc.send_signal(signal.SIGKILL)  # every row of the batch is written, not committed
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text("select count(*) from responses")).scalar_one()
        b = conn.execute(sa.text("select count(*) from import_batches")).scalar_one()
    engine.dispose()
    assert (n, b) == (0, 0)


@pytest.fixture()
def big_plain(tmp_path, flagship):
    from csi.simulate import simulate_responses

    frame, _ = simulate_responses(flagship, n=3000, seed=5)
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S")
    return path


@pytest.mark.slow
def test_killed_import_leaves_no_rows_sqlite(flagship, flagship_path, big_plain, tmp_path):
    url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    open_store(url)  # schema exists before the import process starts
    close_store(url)
    _killed_import(flagship_path, big_plain, url, tmp_path / "marker")


@pytest.mark.slow
@pytest.mark.postgres
def test_killed_import_leaves_no_rows_postgres(flagship, flagship_path, big_plain, postgres_url, tmp_path):
    with pg_schema_url(postgres_url) as url:
        open_store(url)
        _killed_import(flagship_path, big_plain, url, tmp_path / "marker")
