"""Invitations: tokens stored hashed, answered once, expiry, order files, response rates,
the rate limiter, and ``csi invite`` with QR codes that decode to the links."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from csi.cli.main import app
from csi.errors import CsiError, ResponseImportError
from csi.invite import (
    check_token,
    create_invitations,
    hash_token,
    invitation_status,
    mark_opened,
    response_rates,
    submit_with_token,
)
from csi.invite.orders import read_orders
from csi.invite.ratelimit import RateLimiter
from csi.invite.registry import InvitationError
from csi.store import close_store, open_store
from csi.store.schema import invitations

ANSWERS = {"channel": "taobao", "cc1": 0.0, "cs1": 8.0, "region": "east"}
#: A contact-vault secret (order numbers are stored encrypted with it).
KEY = "test-vault-secret-0123456789"


@pytest.fixture
def pii_key(monkeypatch):
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    return KEY


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'inv.sqlite'}"
    yield open_store(url)
    close_store(url)


def test_tokens_are_stored_hashed_and_unique(store, flagship):
    invs = create_invitations(store, flagship, count=50, base_url="https://shop.example")
    tokens = [i.token for i in invs]
    assert len(set(tokens)) == 50 and all(len(t) == 22 for t in tokens)
    assert invs[0].url == f"https://shop.example/?survey=ecommerce_csi&t={invs[0].token}"
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(invitations)).all()
    text = json.dumps([list(map(str, r)) for r in stored])
    assert not any(t in text for t in tokens)  # the plain token is nowhere in the store
    assert {r.token_hash for r in stored} == {hash_token(t) for t in tokens}


def test_answer_once_second_visit_refused_nothing_stored(store, flagship):
    (inv,) = create_invitations(store, flagship, count=1, channel="jd")
    assert check_token(store, flagship, inv.token).state == "valid"
    mark_opened(store, flagship, inv.token)
    rid = submit_with_token(store, flagship, inv.token, ANSWERS, submission_key="k1")
    assert store.count_responses(flagship) == 1
    assert check_token(store, flagship, inv.token).state == "answered"
    with pytest.raises(InvitationError) as err:
        submit_with_token(store, flagship, inv.token, ANSWERS, submission_key="k2")
    assert err.value.state == "answered"
    assert store.count_responses(flagship) == 1
    # the same form instance again (double click) gets the first response back
    assert submit_with_token(store, flagship, inv.token, ANSWERS, submission_key="k1") == rid
    frame = store.responses_frame(flagship)
    assert frame.loc[0, "channel"] == "jd"  # carried by the token, not asked
    st = invitation_status(store, flagship)
    assert st.loc[0, "respondent_id"] == rid and st["opened_at"].notna().all()


def test_unknown_expired_and_other_survey_tokens(store, flagship, root):
    from csi.survey import load_survey

    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    (inv,) = create_invitations(store, flagship, count=1, expires_days=7, now=t0)
    assert check_token(store, flagship, inv.token, now=t0 + timedelta(days=6)).state == "valid"
    assert check_token(store, flagship, inv.token, now=t0 + timedelta(days=8)).state == "expired"
    with pytest.raises(InvitationError, match="expired"):
        submit_with_token(store, flagship, inv.token, ANSWERS, submission_key="x",
                          now=t0 + timedelta(days=8))
    flipped = inv.token[:-1] + ("B" if inv.token.endswith("A") else "A")
    for bad in ("", None, "x" * 22, "not a token!", flipped):
        assert check_token(store, flagship, bad).state == "unknown"
    acsi = load_survey(root / "surveys" / "acsi.yaml")
    assert check_token(store, acsi, inv.token).state == "unknown"
    assert store.count_responses(flagship) == 0


def test_concurrent_submissions_of_one_token_store_one(store, flagship):
    (inv,) = create_invitations(store, flagship, count=1)
    results: list[object] = []

    def go(k: int) -> None:
        try:
            results.append(submit_with_token(store, flagship, inv.token, ANSWERS, submission_key=f"c{k}"))
        except InvitationError as exc:
            results.append(exc.state)

    threads = [threading.Thread(target=go, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count_responses(flagship) == 1
    assert sorted(r == "answered" for r in results) == [False] + [True] * 5


def test_orders_file_carries_order_ref_and_segments(store, flagship, data_dir, pii_key):
    orders = read_orders(data_dir / "invite" / "taobao_orders.csv", flagship)
    assert orders["order_ref"].tolist() == ["3261847590123456789", "3261847590123456790",
                                            "3261847590123456791"]
    assert orders["channel"].tolist() == ["tmall", "tmall", "taobao"]
    assert orders["category"].tolist() == ["apparel", "beauty", "home"]
    assert "联系手机" not in orders and "收货人姓名" not in orders  # contact data never read
    invs = create_invitations(store, flagship, orders=orders, wave="2026Q4")
    submit_with_token(store, flagship, invs[1].token, ANSWERS | {"channel": "jd"}, submission_key="o")
    row = store.responses_frame(flagship).iloc[0]
    assert (row["channel"], row["category"]) == ("tmall", "beauty")
    # the order number is the case reference (vault only): the invitation says who answered
    st = invitation_status(store, flagship, mask_orders=False).set_index("order_ref")
    assert st.loc["3261847590123456790", "respondent_id"] == row["respondent_id"]
    masked = invitation_status(store, flagship)["order_ref"].tolist()
    assert masked == ["32***89", "32***90", "32***91"]
    with pytest.raises(CsiError, match="already have an invitation"):
        create_invitations(store, flagship, orders=orders)
    with pytest.raises(CsiError, match="does not match the 3 orders"):
        create_invitations(store, flagship, orders=orders, count=5)


def test_taobao_order_report_gbk_as_exported(flagship, data_dir):
    """The seller centre's 订单报表 as written: GBK, 41 columns (some headers end in a space),
    order numbers as ="...", phones as '138...; only the order number is read."""
    orders = read_orders(data_dir / "invite" / "taobao_order_report_gbk.csv", flagship)
    assert orders.columns.tolist() == ["order_ref"]
    assert orders["order_ref"].tolist() == ["3261847590123456789", "3261847590123456790"]


def test_jd_export_one_row_per_sku_is_one_order(store, flagship, data_dir, pii_key):
    """JD's order export lists an order once per product: one order, one invitation."""
    orders = read_orders(data_dir / "invite" / "jd_order_export.csv", flagship)
    assert orders["order_ref"].tolist() == ["281234567001", "281234567002"]
    invs = create_invitations(store, flagship, orders=orders, channel="jd")
    assert [(i.order_ref, i.channel) for i in invs] == [("281234567001", "jd"), ("281234567002", "jd")]


def test_order_rows_merged_segments_they_disagree_on_are_asked(tmp_path, flagship):
    p = tmp_path / "items.csv"
    p.write_text("主订单编号,category,channel\n7001,apparel,jd\n7001,beauty,京东\n7002,home,tmall\n",
                 encoding="utf-8")
    orders = read_orders(p, flagship)
    assert orders["order_ref"].tolist() == ["7001", "7002"]
    assert orders["channel"].tolist() == ["jd", "tmall"]  # jd and 京东 are one option
    assert pd.isna(orders["category"].iloc[0]) and orders["category"].iloc[1] == "home"  # two: asked


def test_bad_order_file_reports_rows_and_columns(tmp_path, flagship):
    p = tmp_path / "jd.csv"
    p.write_text("订单号,channel\n1001,jd\n,jd\n1001,京东\n1003,amazon\n", encoding="utf-8")
    with pytest.raises(ResponseImportError) as err:
        read_orders(p, flagship)
    got = [(i.row, i.column) for i in err.value.issues]
    assert got == [(2, "订单号"), (4, "channel")]  # row 3 repeats order 1001 (a second product)
    assert "amazon" in str(err.value) and "jd.csv" in str(err.value)
    q = tmp_path / "none.csv"
    q.write_text("buyer,phone\nx,1\n", encoding="utf-8")
    with pytest.raises(ResponseImportError, match="no order-number column"):
        read_orders(q, flagship)


def test_response_rates_by_wave_and_channel(store, flagship):
    a = create_invitations(store, flagship, count=4, channel="jd", wave="2026Q3")
    b = create_invitations(store, flagship, count=2, channel="tmall", wave="2026Q4")
    submit_with_token(store, flagship, a[0].token, ANSWERS, submission_key="1")
    mark_opened(store, flagship, a[1].token)
    submit_with_token(store, flagship, b[0].token, ANSWERS, submission_key="2")
    st = invitation_status(store, flagship)
    total = response_rates(st).iloc[0]
    assert (total["sent"], total["opened"], total["completed"]) == (6, 3, 2)
    by = response_rates(st, ["wave", "channel"]).set_index(["wave", "channel"])
    assert by.loc[("2026Q3", "jd"), "response_rate"] == pytest.approx(1 / 4)
    assert by.loc[("2026Q4", "tmall"), "response_rate"] == pytest.approx(1 / 2)
    assert response_rates(st.iloc[:0], "wave").empty


def test_invalid_parameters(store, flagship):
    with pytest.raises(CsiError, match="--count N"):
        create_invitations(store, flagship)
    with pytest.raises(CsiError, match=r"range \[1, 100000\]\. Got 0"):
        create_invitations(store, flagship, count=0)
    with pytest.raises(CsiError, match="unknown channel 'amazon'"):
        create_invitations(store, flagship, count=1, channel="amazon")
    with pytest.raises(CsiError, match="positive number of days"):
        create_invitations(store, flagship, count=1, expires_days=0)


def test_rate_limiter_concurrent_acquire_never_exceeds_limit():
    rl = RateLimiter(limit=10, window=3600)
    got: list[bool] = []
    lock = threading.Lock()

    def go() -> None:
        ok = rl.acquire("client")
        with lock:
            got.append(ok)

    threads = [threading.Thread(target=go) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got.count(True) == 10 and got.count(False) == 20
    rl.release("client")
    assert rl.remaining("client") == 1 and rl.acquire("client") and not rl.acquire("client")


def test_cli_invite_writes_links_and_qr_codes_that_decode(tmp_path, flagship_path, data_dir, pii_key):
    import zxingcpp
    from PIL import Image

    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    out = tmp_path / "wave4.json"
    res = CliRunner().invoke(app, ["invite", str(flagship_path), "--orders",
                                   str(data_dir / "invite" / "taobao_orders.csv"), "--expires", "14",
                                   "--db", db, "--base-url", "https://survey.shop.example", "--json", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["count"] == 3 and doc["survey"] == "ecommerce_csi"
    assert doc["open_link"] == "https://survey.shop.example/?survey=ecommerce_csi"
    for inv in doc["invitations"]:
        img = Image.open(out.parent / inv["qr_png"])
        (code,) = zxingcpp.read_barcodes(img)
        assert code.format == zxingcpp.BarcodeFormat.QRCode
        assert code.text == inv["url"] == f"https://survey.shop.example/?survey=ecommerce_csi&t={inv['token']}"
    assert doc["invitations"][0]["order_ref"] == "3261847590123456789"
    assert doc["invitations"][0]["segments"] == {"channel": "tmall", "category": "apparel"}
    store = open_store(db)
    assert len(invitation_status(store, "ecommerce_csi")) == 3
    close_store(db)
    bad = CliRunner().invoke(app, ["invite", str(flagship_path), "--count", "2", "--channel", "ebay",
                                   "--db", db, "--json", str(tmp_path / "x.json")])
    assert bad.exit_code == 2 and "unknown channel 'ebay'" in bad.output
    assert "Traceback" not in bad.output
    assert pd.isna(pd.NA)


def test_open_link_burst_from_one_client_excess_refused_none_lost(store, flagship):
    """30 rapid submissions from one client: 10 accepted and stored, 20 refused, none lost."""
    from csi.invite.open_link import RateLimitedError, submit_open
    from csi.invite.ratelimit import client_key

    limiter = RateLimiter(limit=10, window=3600)
    client = client_key("198.51.100.23", "salt")
    accepted, refused = [], []
    lock = threading.Lock()

    def go(k: int) -> None:
        try:
            rid = submit_open(store, flagship, ANSWERS, submission_key=f"burst{k}", limiter=limiter,
                              client=client)
        except RateLimitedError:
            with lock:
                refused.append(k)
        else:
            with lock:
                accepted.append(rid)

    threads = [threading.Thread(target=go, args=(k,)) for k in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(accepted) == 10 and len(refused) == 20
    stored = set(store.responses_frame(flagship)["respondent_id"])
    assert stored == set(accepted)  # every accepted submission is stored, nothing else
    # another client is not affected; a double click takes no second slot
    other = client_key("198.51.100.24", "salt")
    rid = submit_open(store, flagship, ANSWERS, submission_key="o1", limiter=limiter, client=other)
    assert submit_open(store, flagship, ANSWERS, submission_key="o1", limiter=limiter, client=other) == rid
    assert limiter.remaining(other) == 9
    # invalid answers give the slot back
    with pytest.raises(ResponseImportError):
        submit_open(store, flagship, {"cc1": 7.0}, submission_key="bad", limiter=limiter, client=other)
    assert limiter.remaining(other) == 9


@pytest.mark.postgres
def test_postgres_one_token_answered_once_under_concurrency(postgres_url, flagship):
    from _store_helpers import pg_schema_url

    with pg_schema_url(postgres_url) as url:
        pg = open_store(url)
        (inv,) = create_invitations(pg, flagship, count=1, channel="tmall")
        states: list[object] = []

        def go(k: int) -> None:
            try:
                states.append(submit_with_token(pg, flagship, inv.token, ANSWERS, submission_key=f"p{k}"))
            except InvitationError as exc:
                states.append(exc.state)

        threads = [threading.Thread(target=go, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert pg.count_responses(flagship) == 1
        assert states.count("answered") == 5
        assert check_token(pg, flagship, inv.token).state == "answered"
