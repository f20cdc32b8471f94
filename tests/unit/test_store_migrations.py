"""Alembic migrations: a store created at revision 0001 is upgraded to head on open, keeping its rows."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from csi.store import close_store, open_store
from csi.store.engine import _MIGRATIONS


def test_old_store_is_upgraded_and_keeps_rows(flagship, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.exec_driver_sql(
            "INSERT INTO survey_versions (survey_id, version, sha256, yaml_text, created_at) "
            "VALUES ('ecommerce_csi', '1.0', 'x', 'y', '2026-01-01')")
        conn.exec_driver_sql(
            "INSERT INTO responses (survey_id, survey_version_id, respondent_id, submitted_at, wave, answers) "
            "VALUES ('ecommerce_csi', 1, 'old1', '2026-01-01T00:00:00.000000', '2026Q1', '{\"pq1\": 4.0}')")
    engine.dispose()
    try:
        store = open_store(url)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("select version_num from alembic_version").scalar_one() == "0002"
        frame = store.responses_frame(flagship)
        assert frame["respondent_id"].tolist() == ["old1"] and frame["pq1"].tolist() == [4.0]
    finally:
        close_store(url)
