"""Invitation order numbers kept encrypted (issue 18): migration 0021 seals the plain ones of an
old store, no order number is left readable in the SQLite file, the key is required, masked
display, "already invited" look-ups, key rotation and purge.

The old store is built as the code of migration 0020 left it (commit 5bc0448: ``order_ref``
in plain text); the order numbers are those of ``tests/data/invite/taobao_orders.csv`` (19-digit
Taobao/Tmall 订单编号, the length the seller centre exports).
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from csi.cases.contacts import purge_contacts, rotate_key
from csi.errors import CsiError
from csi.invite import check_token, create_invitations, hash_token, invitation_status, new_token
from csi.invite.orders import read_orders
from csi.invite.registry import already_invited
from csi.store import close_store, open_store
from csi.store.engine import _MIGRATIONS
from csi.vault import VaultKeyError, derive_key

KEY = "test-vault-secret-0123456789"
NEW_KEY = "the-next-vault-secret-9876543210"
ORDERS = ["3261847590123456789", "3261847590123456790", "3261847590123456791"]


def _raw(db_path) -> bytes:
    """Every byte of the database file and its WAL / journal, as a copy of the disk would hold."""
    out = db_path.read_bytes()
    for suffix in ("-wal", "-journal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            out += side.read_bytes()
    return out


def _refs(column) -> list:
    return [None if pd.isna(v) else v for v in column]


def _leaks(raw: bytes, refs: list[str]) -> list[str]:
    return [r for r in refs if r.encode("ascii") in raw or r.encode("utf-16-le") in raw]


@pytest.fixture
def old_store(tmp_path):
    """A store at revision 0020 with three invitations holding plain order numbers."""
    path = tmp_path / "old.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    tokens = [new_token() for _ in ORDERS]
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0020")
        for i, (ref, tok) in enumerate(zip(ORDERS, tokens, strict=True)):
            conn.execute(sa.text(
                "INSERT INTO invitations (survey_id, token_hash, wave, channel, order_ref, prefill, created_at) "
                "VALUES ('ecommerce_csi', :h, '2026Q4', 'tmall', :ref, NULL, :at)"),
                {"h": hash_token(tok), "ref": ref, "at": f"2026-11-0{i + 1}T10:00:00"})
        conn.execute(sa.text(  # an invitation without an order (``--count``)
            "INSERT INTO invitations (survey_id, token_hash, created_at) VALUES ('ecommerce_csi', :h, :at)"),
            {"h": hash_token(new_token()), "at": "2026-11-04T10:00:00"})
    engine.dispose()
    assert _leaks(_raw(path), ORDERS) == ORDERS  # the old file holds them readable
    return path, tokens


def test_migration_seals_plain_order_numbers_none_left_in_the_file(old_store, flagship, monkeypatch):
    path, tokens = old_store
    url = f"sqlite:///{path}"
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    store = open_store(url)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("select version_num from alembic_version").scalar_one() == "0021"
            cols = [c["name"] for c in sa.inspect(conn).get_columns("invitations")]
        assert "order_ref" not in cols
        status = invitation_status(store, flagship)
        assert _refs(status["order_ref"]) == ["32***89", "32***90", "32***91", None]
        assert _refs(invitation_status(store, flagship, mask_orders=False)["order_ref"]) == ORDERS + [None]
        check = check_token(store, flagship, tokens[1])
        assert (check.state, check.order_ref, check.has_order) == ("valid", ORDERS[1], True)
    finally:
        close_store(url)
    assert _leaks(_raw(path), ORDERS) == []


def test_migration_without_the_key_stops_and_changes_nothing(old_store, flagship, monkeypatch):
    path, _ = old_store
    url = f"sqlite:///{path}"
    monkeypatch.delenv("CSI_PII_KEY", raising=False)
    with pytest.raises(VaultKeyError, match=r"encrypting the 3 order number\(s\).*CSI_PII_KEY"):
        open_store(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select version_num from alembic_version").scalar_one() == "0020"
        assert sorted(conn.exec_driver_sql("select order_ref from invitations where order_ref is not null")
                      .scalars()) == ORDERS
    engine.dispose()
    monkeypatch.setenv("CSI_PII_KEY", KEY)  # with the key, the same store opens and is sealed
    store = open_store(url)
    assert invitation_status(store, flagship)["order_ref"].tolist()[:3] == ["32***89", "32***90", "32***91"]
    close_store(url)


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    yield open_store(url), tmp_path / "new.sqlite"
    close_store(url)


def test_order_file_needs_the_key_and_leaves_no_plain_number(store, flagship, data_dir, monkeypatch, caplog):
    st, path = store
    orders = read_orders(data_dir / "invite" / "taobao_orders.csv", flagship)
    monkeypatch.delenv("CSI_PII_KEY", raising=False)
    with pytest.raises(VaultKeyError, match="order numbers with invitations.*CSI_PII_KEY") as err:
        create_invitations(st, flagship, orders=orders)
    assert "\n" not in str(err.value)
    assert create_invitations(st, flagship, count=2)  # links without orders need no key
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    invs = create_invitations(st, flagship, orders=orders)
    assert [i.order_ref for i in invs] == ORDERS
    st.engine.dispose()  # checkpoint the WAL: what is on disk is what a copy of the file holds
    assert _leaks(_raw(path), ORDERS) == []
    monkeypatch.delenv("CSI_PII_KEY")  # masked display needs no key; the plain one refuses
    assert invitation_status(st, flagship)["order_ref"].tolist()[2:] == ["32***89", "32***90", "32***91"]
    with pytest.raises(VaultKeyError):
        invitation_status(st, flagship, mask_orders=False)
    check = check_token(st, flagship, invs[0].token)
    assert (check.state, check.order_ref, check.has_order) == ("valid", None, True)
    # a wrong key on the public form: the respondent still answers, the log says why (no number)
    with caplog.at_level(logging.WARNING, logger="csi.invite.registry"):
        check = check_token(st, flagship, invs[0].token, key=derive_key(NEW_KEY))
    assert (check.state, check.order_ref) == ("valid", None)
    assert "order number not read" in caplog.text and not _leaks(caplog.text.encode(), ORDERS)
    with pytest.raises(VaultKeyError, match="encrypted with key .*rotate-key") as err:
        invitation_status(st, flagship, mask_orders=False, key=derive_key(NEW_KEY))
    assert "invitation:" not in str(err.value)


def test_already_invited_found_by_keyed_hash_and_one_link_per_order(store, flagship, data_dir, monkeypatch):
    st, _ = store
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    orders = read_orders(data_dir / "invite" / "taobao_orders.csv", flagship)
    create_invitations(st, flagship, orders=orders.iloc[[1]])
    done = already_invited(st, flagship, orders)
    assert done.to_dict("records") == [{"row": 2, "order_ref": "32***90"}]
    with pytest.raises(CsiError, match=r"1 order\(s\) already have an invitation .*e\.g\. 32\*\*\*90"):
        create_invitations(st, flagship, orders=orders)
    with st.engine.connect() as conn:  # the hash is keyed: a plain SHA-256 of the number is not it
        import hashlib

        stored = set(conn.exec_driver_sql("select order_ref_hash from invitations").scalars())
    assert hashlib.sha256(ORDERS[1].encode()).hexdigest() not in stored


def test_rotation_keeps_order_numbers_readable_and_purge_deletes_them(store, flagship, data_dir, monkeypatch):
    st, _ = store
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    orders = read_orders(data_dir / "invite" / "taobao_orders.csv", flagship)
    invs = create_invitations(st, flagship, orders=orders.iloc[:2])
    old, new = derive_key(KEY), derive_key(NEW_KEY)
    monkeypatch.setenv("CSI_PII_KEY", NEW_KEY)
    with pytest.raises(VaultKeyError, match="rotate-key"):  # hashes under two keys do not compare
        already_invited(st, flagship, orders)
    assert rotate_key(st, old, new, actor="test") == 2
    assert invitation_status(st, flagship, mask_orders=False)["order_ref"].tolist() == ORDERS[:2]
    assert check_token(st, flagship, invs[0].token).order_ref == ORDERS[0]
    assert already_invited(st, flagship, orders)["row"].tolist() == [1, 2]
    purge_contacts(st, 0, actor="test")
    status = invitation_status(st, flagship, mask_orders=False)
    assert status["order_ref"].isna().all() and len(status) == 2  # the invitations stay, their orders go


def test_cli_invites_the_new_orders_and_reports_the_invited_ones(tmp_path, flagship_path, data_dir, monkeypatch):
    """A shop re-runs ``csi invite --orders`` on a file that grew: only the new orders get a
    link; the old ones are reported by row with masked order numbers (exit 0); a file with
    nothing new exits 1; without the key, exit 2 and nothing stored."""
    import json

    from typer.testing import CliRunner

    from csi.cli.main import app

    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    src = (data_dir / "invite" / "taobao_orders.csv").read_text(encoding="utf-8")
    first = tmp_path / "orders_mon.csv"  # Monday's export: the first two orders
    first.write_text("\n".join(src.splitlines()[:3]) + "\n", encoding="utf-8")
    run = CliRunner().invoke
    monkeypatch.delenv("CSI_PII_KEY", raising=False)
    res = run(app, ["invite", str(flagship_path), "--orders", str(first), "--db", db, "--json", str(tmp_path / "a.json")])
    assert res.exit_code == 2 and "CSI_PII_KEY" in res.output and "Traceback" not in res.output
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    res = run(app, ["invite", str(flagship_path), "--orders", str(first), "--db", db, "--json", str(tmp_path / "a.json")])
    assert res.exit_code == 0, res.output
    res = run(app, ["invite", str(flagship_path), "--orders", str(data_dir / "invite" / "taobao_orders.csv"),
                    "--db", db, "--json", str(tmp_path / "b.json")])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert doc["count"] == 1 and [i["order_ref"] for i in doc["invitations"]] == [ORDERS[2]]
    assert doc["already_invited"] == [{"row": 1, "order_ref": "32***89"}, {"row": 2, "order_ref": "32***90"}]
    assert "2 order(s) of taobao_orders.csv already have an invitation" in res.output
    assert "row 1 (32***89), row 2 (32***90)" in res.output and ORDERS[0] not in res.output
    res = run(app, ["invite", str(flagship_path), "--orders", str(first), "--db", db, "--json", str(tmp_path / "c.json")])
    assert res.exit_code == 1 and "every order of orders_mon.csv was already invited" in res.output
    doc = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert doc["count"] == 0 and doc["invitations"] == [] and len(doc["already_invited"]) == 2
    store = open_store(db)
    assert len(invitation_status(store, "ecommerce_csi")) == 3
    close_store(db)


def test_one_link_per_order_also_held_by_the_database(store, flagship, data_dir, monkeypatch):
    """Two runs racing past the look-up (PostgreSQL, READ COMMITTED): the unique index on
    (survey, keyed hash) refuses the second insert with a clear error, and nothing of it is stored."""
    import csi.invite.registry as registry

    st, _ = store
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    orders = read_orders(data_dir / "invite" / "taobao_orders.csv", flagship)
    create_invitations(st, flagship, orders=orders.iloc[[0]])
    monkeypatch.setattr(registry, "_invited_hashes", lambda conn, sid, hashes: set())  # the race
    with pytest.raises(CsiError, match="another run at the same time"):
        create_invitations(st, flagship, orders=orders)
    assert len(invitation_status(st, flagship)) == 1
