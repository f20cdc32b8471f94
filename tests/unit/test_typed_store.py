"""Typed answer tables (csi.store.typed) and migration 0015 on a store created at revision 0002."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from csi.store import close_store, open_store
from csi.store.engine import _MIGRATIONS, head_revision


def _store_at_0002(url, flagship):
    engine = sa.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(sa.text("INSERT INTO survey_versions (survey_id, version, sha256, yaml_text, created_at) "
                             "VALUES ('ecommerce_csi', :v, :sha, :y, '2026-01-01')"),
                     {"v": flagship.version, "sha": flagship.sha256, "y": flagship.source_text})
        for k, ans in enumerate([{"pq1": 4.0, "cs1": 9.0, "channel": "jd"}, {"pq1": 7.0, "comment": "好"}]):
            conn.execute(sa.text(
                "INSERT INTO responses (survey_id, survey_version_id, respondent_id, submitted_at, wave, answers) "
                "VALUES ('ecommerce_csi', 1, :r, '2026-01-01T00:00:00.000000', '2026Q1', :a)"),
                {"r": f"old{k}", "a": json.dumps(ans, ensure_ascii=False)})
    engine.dispose()


def _check_migrated(url):
    store = open_store(url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("select version_num from alembic_version").scalar_one() == head_revision()
        rows = conn.execute(sa.text("SELECT respondent_id, pq1, cs1, channel, comment, wave FROM answers_v1 "
                                    "ORDER BY response_id")).all()
    assert [tuple(r) for r in rows] == [("old0", 4.0, 9.0, "jd", None, "2026Q1"),
                                        ("old1", 7.0, None, None, "好", "2026Q1")]


def test_migration_0015_types_an_existing_sqlite_store(flagship, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    _store_at_0002(url, flagship)
    try:
        _check_migrated(url)
    finally:
        close_store(url)


@pytest.mark.postgres
def test_migration_0015_types_an_existing_postgres_store(flagship, postgres_url):
    from _store_helpers import pg_schema_url

    with pg_schema_url(postgres_url) as url:
        _store_at_0002(url, flagship)
        _check_migrated(url)


def test_import_and_form_write_typed_rows_with_missing_types(flagship, tmp_path):
    from csi.simulate import simulate_responses

    url = f"sqlite:///{tmp_path / 'csi.sqlite'}"
    df, _ = simulate_responses(flagship, n=30, seed=1)
    mt = pd.DataFrame({"pq1": ["dont_know"] + [None] * 29}, index=df.index)
    try:
        store = open_store(url)
        store.import_frame(flagship, df, source_name="a.csv", file_hash="x", missing_types=mt)
        with store.engine.connect() as conn:
            got = pd.read_sql("SELECT * FROM answers_v1 ORDER BY response_id", conn)
        assert len(got) == 30 and got["respondent_id"].tolist() == df["respondent_id"].astype(str).tolist()
        pd.testing.assert_series_equal(got["pq2"], df["pq2"].reset_index(drop=True), check_names=False)
        assert got["pq1__mt"].iloc[0] == 1 and got["pq1__mt"].iloc[1:].isna().all()
        assert {"phone", "email"}.isdisjoint(got.columns)  # contact data is never typed out
    finally:
        close_store(url)
