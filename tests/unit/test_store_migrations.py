"""Alembic migrations: a store created at revision 0001 is upgraded to head on open, keeping its rows;
a store already at head is opened without Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from csi.store import close_store, open_store
from csi.store.engine import _MIGRATIONS, _head_revision, head_revision, schema_revision


def test_old_store_is_upgraded_and_keeps_rows(flagship, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        # the survey's real text: responses are read per survey version (issue 13)
        conn.execute(sa.text(
            "INSERT INTO survey_versions (survey_id, version, sha256, yaml_text, created_at) "
            "VALUES ('ecommerce_csi', '1.0', 'x', :text, '2026-01-01')"), {"text": flagship.source_text})
        conn.exec_driver_sql(
            "INSERT INTO responses (survey_id, survey_version_id, respondent_id, submitted_at, wave, answers) "
            "VALUES ('ecommerce_csi', 1, 'old1', '2026-01-01T00:00:00.000000', '2026Q1', '{\"pq1\": 4.0}')")
    engine.dispose()
    try:
        store = open_store(url)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("select version_num from alembic_version").scalar_one() == HEAD
        frame = store.responses_frame(flagship)
        assert frame["respondent_id"].tolist() == ["old1"] and frame["pq1"].tolist() == [4.0]
    finally:
        close_store(url)


#: The newest migration (0021 seals the invitations' order numbers; the lead re-chains branches at merge).
HEAD = "0021"


def test_head_revision_is_alembics_head():
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def _write_migrations(folder, chain: dict[str, str | None]):
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for rev, down in chain.items():
        (folder / f"{rev}_x.py").write_text(
            f'"""m"""\nrevision = "{rev}"\ndown_revision = {down!r}\nbranch_labels = None\n')
    return tuple(sorted(str(p) for p in folder.glob("*.py")))


def test_head_revision_of_a_chain_and_of_branches(tmp_path):
    chain = _write_migrations(tmp_path / "a", {"0001": None, "0002": "0001", "0003": "0002"})
    assert _head_revision(chain) == "0003"
    # two heads (a branch): no single head, so migrate() always asks Alembic
    branches = _write_migrations(tmp_path / "b", {"0001": None, "0002": "0001", "0003": "0001"})
    assert _head_revision(branches) is None


def test_store_at_head_opens_without_importing_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'csi.sqlite'}"
    open_store(url)  # a new database: created by Alembic
    close_store(url)
    code = ("import sys; from csi.store import open_store; "
            "from csi.store.engine import head_revision, schema_revision; "
            f"s = open_store({url!r}); "
            "print(schema_revision(s.engine) == [head_revision()], 'alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["True", "False"]


@pytest.mark.postgres
def test_postgres_store_reopened_at_head(postgres_url):
    from tests.unit._store_helpers import pg_schema_url

    with pg_schema_url(postgres_url) as url:
        store = open_store(url)  # new schema: created by Alembic
        assert schema_revision(store.engine) == [head_revision()]
        close_store(url)
        again = open_store(url)  # at head: one read, no Alembic
        assert schema_revision(again.engine) == [HEAD]
        with again.engine.connect() as conn:
            assert conn.exec_driver_sql("select count(*) from batch_frames").scalar_one() == 0
