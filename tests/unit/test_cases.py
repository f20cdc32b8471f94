"""Follow-up cases end to end: rules, once per response on import and form submission, the
encrypted contact vault (consent, refusal without a key, rotation, purge), permissions, and
no contact datum in plain text anywhere (database file, Parquet copies, exports, logs)."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from csi.accounts.audit import read_audit
from csi.cases.intake import cases_after_submission
from csi.cases.metrics import followup_outcomes, loop_metrics
from csi.cases.rules import case_reasons
from csi.cases.store import list_cases
from csi.cases.workflow import (
    Actor,
    CaseAccessError,
    assign_cases,
    export_cases,
    reveal_contact,
    update_case,
)
from csi.cli.main import app
from csi.errors import ParameterError, SurveySpecError
from csi.store import close_store, open_store
from csi.survey import load_survey, parse_survey
from csi.vault import VaultKeyError, derive_key

KEY = "test-vault-secret-0123456789"
NEW_KEY = "rotated-vault-secret-9876543210"
PHONES = {"r1": "13912345678", "r2": "13700001111", "r3": "13655556666", "r4": "13544443333"}
# A plain shop export: r1 complained and agreed to be called, r2 complained without consent,
# r3 is happy (no case) with consent, r4 scored low (satisfaction < 40) with consent.
CSV = (
    "respondent_id,submitted_at,channel,cc1,cs1,cs2,cs3,cl1,cl2,cl3,complaint_type,complaint_resolved,"
    "contact_consent,phone,comment\n"
    f"r1,2026-03-01T10:00:00,tmall,1,6,6,6,5,5,5,late;damaged,0,1,{PHONES['r1']},快递太慢\n"
    f"r2,2026-03-01T11:00:00,jd,1,7,7,7,7,7,7,price,1,0,{PHONES['r2']},\n"
    f"r3,2026-03-01T12:00:00,jd,0,9,9,9,9,9,9,,,1,{PHONES['r3']},很好\n"
    f"r4,2026-03-01T13:00:00,taobao,0,2,3,2,6,6,6,,,1,{PHONES['r4']},一般\n"
)


def _run(*args, env=None):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False, env=env)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    yield url
    close_store(url)


@pytest.fixture
def shop(flagship_path, tmp_path, db, monkeypatch):
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    src = tmp_path / "export.csv"
    src.write_text(CSV, encoding="utf-8")
    r = _run("import", flagship_path, src, "--db", db)
    assert r.exit_code == 0, r.output
    return {"src": src, "out": r.output, "store": open_store(db)}


def _all_bytes(tmp_path: Path, source: Path) -> bytes:
    """Every file csi wrote under ``tmp_path`` (the database with its WAL, exports), not the input."""
    return b"".join(p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file() and p != source)


def test_rules_of_each_kind(flagship):
    frame = pd.DataFrame({"respondent_id": ["a", "b", "c", "d"], "cc1": [1, 0, 0, 0],
                          "cs1": [9, 2, 9, 9], "cs2": [9, 2, 9, 9], "cs3": [9, 2, 9, 9],
                          "cl1": [9, 9, 1, 99], "cl2": [9, 9, 1, 9], "cl3": [9, 9, 1, 9],
                          "complaint_resolved": [0, None, None, None]})
    # satisfaction 2 on 1-10 -> (2-1)/9*100 = 11.1 < 40; loyalty 1,1,1 -> 0 < 30;
    # d: cl1 = 99 is "don't know" and never counts as low
    assert case_reasons(flagship, frame).tolist() == [
        ["complained", "not_resolved"], ["score_below:satisfaction<40"], ["score_below:loyalty<30"], []]
    text = flagship.source_text.replace(
        "    - {kind: score_below, construct: loyalty, threshold: 30}",
        "    - {kind: item_below, item: cl1, threshold: 3}\n    - {kind: comment_flag, flag: negative}")
    s = parse_survey(text)
    got = case_reasons(s, frame, {"b": {"negative"}})
    assert got.tolist() == [["complained", "not_resolved"],
                            ["score_below:satisfaction<40", "comment_flag:negative"], ["item_below:cl1<3"], []]
    with pytest.raises(SurveySpecError, match="unknown comment flag 'angry'.*logistics"):
        parse_survey(text.replace("flag: negative", "flag: angry"))


def test_comment_flags_from_the_text_analysis_open_cases_on_import_and_form(flagship, tmp_path, db,
                                                                            monkeypatch):
    """`comment_flag` rules act on what csi.text finds in the comment: a happy score with a
    comment about late delivery opens a case, on import and on form submission, once."""
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    path = tmp_path / "shop.yaml"
    path.write_text(flagship.source_text.replace(
        "    - {kind: score_below, construct: loyalty, threshold: 30}",
        "    - {kind: score_below, construct: loyalty, threshold: 30}\n    - {kind: comment_flag, flag: late}"),
        encoding="utf-8")
    src = tmp_path / "export.csv"
    src.write_text("respondent_id,submitted_at,channel,cc1,cs1,cs2,cs3,cl1,cl2,cl3,comment\n"
                   "h1,2026-03-01T10:00:00,jd,0,9,9,9,9,9,9,东西不错但是快递太慢了，等了一个星期\n"
                   "h2,2026-03-01T11:00:00,jd,0,9,9,9,9,9,9,很好，下次还来\n", encoding="utf-8")
    r = _run("import", path, src, "--db", db)
    assert r.exit_code == 0, r.output
    shop = load_survey(path)
    store = open_store(db)
    got = list_cases(store, "ecommerce_csi")
    assert got["respondent_id"].tolist() == ["h1"] and got["reasons"].tolist() == ["comment_flag:late"]
    answers = {"channel": "tmall", "cc1": 0.0, "cs1": 9.0, "cs2": 9.0, "cs3": 9.0, "cl1": 9.0, "cl2": 9.0,
               "cl3": 9.0, "region": "east", "comment": "The parcel arrived late, two weeks after I ordered"}
    rid = store.submit_response(shop, answers, submission_key="f1")
    assert cases_after_submission(store, shop, rid, answers, key=None).opened == 1
    assert cases_after_submission(store, shop, rid, answers, key=None).opened == 0  # once
    assert sorted(list_cases(store, "ecommerce_csi")["reasons"]) == ["comment_flag:late"] * 2


def test_followup_block_errors_are_located(flagship):
    text = flagship.source_text.replace("consent: contact_consent", "consent: phone").replace(
        "construct: loyalty, threshold: 30", "construct: loyal, threshold: 130")
    with pytest.raises(SurveySpecError) as err:
        parse_survey(text, file="shop.yaml")
    msgs = [(i.path, i.message, i.line is not None) for i in err.value.issues]
    assert any(p == "followup.consent" and "expected a yes_no question" in m and located for p, m, located in msgs)
    assert any("unknown construct 'loyal'" in m for _, m, _ in msgs)
    assert any("outside the 0-100 index scale" in m for _, m, _ in msgs)
    line = {i.path: i.line for i in err.value.issues}["followup.consent"]
    assert text.splitlines()[line - 1].strip() == "consent: phone"


def test_import_opens_cases_once_and_keeps_only_consented_contact(shop, flagship_path, db, tmp_path):
    store = shop["store"]
    assert "follow-up cases opened: 3" in shop["out"]
    cases = list_cases(store, "ecommerce_csi")
    assert sorted(cases["respondent_id"]) == ["r1", "r2", "r4"]
    by = cases.set_index("respondent_id")
    assert by.loc["r1", "contact"] == "139****5678"  # consent, case: kept (masked here)
    assert pd.isna(by.loc["r2", "contact"])  # no consent: not kept
    assert by.loc["r1", "reasons"] == "complained;not_resolved"
    assert by.loc["r1", "complaint_types"] == "late;damaged"
    assert (cases["status"] == "new").all() and cases["owner"].isna().all()
    # re-import of the same file: nothing new; a second file repeating r1 and adding r5: one case
    again = _run("import", flagship_path, shop["src"], "--db", db)
    assert again.exit_code == 0 and "already imported" in again.output
    more = tmp_path / "more.csv"
    more.write_text(CSV.splitlines()[0] + "\n" + CSV.splitlines()[1].replace("快递太慢", "again") + "\n"
                    "r5,2026-03-02T10:00:00,jd,1,5,5,5,5,5,5,late,0,0,,\n", encoding="utf-8")
    r = _run("import", flagship_path, more, "--db", db)
    assert r.exit_code == 0 and "follow-up cases opened: 1" in r.output
    assert sorted(list_cases(store, "ecommerce_csi")["respondent_id"]) == ["r1", "r2", "r4", "r5"]


def test_form_submission_opens_one_case(flagship, db, monkeypatch):
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    store = open_store(db)
    answers = {"channel": "jd", "cc1": 1, "complaint_resolved": 0, "contact_consent": 1, "phone": "13811112222"}
    for _ in range(2):  # a double click: one response, one case
        rid = store.submit_response(flagship, answers, submission_key="k-1")
        got = cases_after_submission(store, flagship, rid, answers, key=derive_key(KEY))
    assert got.opened == 0 and got.skipped_existing == 1
    cases = list_cases(store, "ecommerce_csi")
    assert len(cases) == 1 and cases.loc[0, "source"] == "form" and cases.loc[0, "contact"] == "138****2222"
    # without a key the respondent is not turned away: case opened, contact not kept, audited
    rid2 = store.submit_response(flagship, answers | {"phone": "13833334444"}, submission_key="k-2")
    assert cases_after_submission(store, flagship, rid2, answers, key=None).opened == 1
    assert read_audit(store)["action"].iloc[0] == "contact_refused"
    assert b"13833334444" not in Path(db.removeprefix("sqlite:///")).read_bytes()


def test_import_without_key_is_refused_and_stores_nothing(flagship_path, tmp_path, db, monkeypatch):
    monkeypatch.delenv("CSI_PII_KEY", raising=False)
    src = tmp_path / "export.csv"
    src.write_text(CSV, encoding="utf-8")
    r = _run("import", flagship_path, src, "--db", db)
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert lines[-1].startswith("error: ") and "CSI_PII_KEY" in lines[-1] and "--drop-contact" in lines[-1]
    assert open_store(db).count_responses("ecommerce_csi") == 0
    ok = _run("import", flagship_path, src, "--db", db, "--drop-contact")
    assert ok.exit_code == 0 and "follow-up cases opened: 3" in ok.output
    assert list_cases(open_store(db), "ecommerce_csi")["contact"].isna().all()


def test_no_contact_datum_in_plain_text_anywhere(shop, flagship_path, db, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    store = shop["store"]
    outputs = [shop["out"]]
    outputs.append(_run("cases", "list", "--db", db).output)
    outputs.append(_run("cases", "list", "--db", db, "--json").output)
    outputs.append(_run("cases", "export", "--db", db, "--out", tmp_path / "cases.csv").output)
    outputs.append(_run("cases", "export", "--db", db, "--json").output)
    for fmt in ("csv", "xlsx", "parquet"):
        outputs.append(_run("export", flagship_path, "--db", db, "--format", fmt,
                            "--out", tmp_path / f"resp.{fmt}").output)
    outputs.append(_run("audit", "--db", db, "--json").output)
    blob = _all_bytes(tmp_path, shop["src"]) + "\n".join(outputs).encode() + caplog.text.encode()
    # the Parquet copies inside the database, decoded
    from csi.store.schema import batch_frames

    with store.engine.connect() as conn:
        parquet = [bytes(r[0]) for r in conn.execute(batch_frames.select().with_only_columns(batch_frames.c.data))]
    assert parquet
    frames = [pd.read_parquet(__import__("io").BytesIO(p)) for p in parquet]
    blob += b"".join(f.to_csv().encode() for f in frames)
    for phone in PHONES.values():
        for form in (phone, phone[3:], f"{phone[:3]} {phone[3:7]} {phone[7:]}"):
            assert form.encode() not in blob, form
    assert b"139****5678" in blob  # the masked form is what is shown


def test_reveal_is_one_case_at_a_time_for_the_owner_and_logged(shop, monkeypatch):
    store = shop["store"]
    from csi.accounts.users import add_user

    add_user(store, "li", "agent-pass-1", "agent", actor="test")
    add_user(store, "wang", "agent-pass-2", "agent", actor="test")
    admin, li, wang = Actor("admin", "admin"), Actor("li", "agent"), Actor("wang", "agent")
    cases = list_cases(store, "ecommerce_csi").set_index("respondent_id")
    c1, c4 = int(cases.loc["r1", "case_id"]), int(cases.loc["r4", "case_id"])
    assign_cases(store, [c1], "li", actor=admin)
    assign_cases(store, [c4], "wang", actor=admin)
    with pytest.raises(CaseAccessError, match="not assigned to you"):
        reveal_contact(store, c1, actor=wang, reason="calling back")
    with pytest.raises(CaseAccessError):
        reveal_contact(store, c1, actor=Actor("ana", "analyst"), reason="curious")
    with pytest.raises(CaseAccessError):
        assign_cases(store, [c1], "wang", actor=li)
    with pytest.raises(ParameterError, match="say why"):
        reveal_contact(store, c1, actor=li, reason="")
    assert reveal_contact(store, c1, actor=li, reason="回访投诉") == {"phone": PHONES["r1"]}
    log = read_audit(store)
    row = log.loc[log["action"] == "contact_revealed"].iloc[0]
    assert (row["actor"], row["target"]) == ("li", str(c1)) and "回访投诉" in row["detail"]
    assert PHONES["r1"] not in log.to_csv()
    # a wrong key fails safely, and is not a reveal
    with pytest.raises(VaultKeyError):
        reveal_contact(store, c1, actor=li, reason="again", key=derive_key(NEW_KEY))
    # status flow
    t = datetime(2030, 1, 1)
    with pytest.raises(ParameterError, match="can move to"):
        update_case(store, c1, actor=li, status="resolved", now=t)
    done = update_case(store, c1, actor=li, status="contacted", note="called, will refund", now=t)
    assert done["status"] == "contacted" and done["first_contact_at"] == t.isoformat(timespec="microseconds")
    with pytest.raises(CaseAccessError):
        update_case(store, c4, actor=li, status="contacted")
    assert update_case(store, c1, actor=li, status="resolved", now=t + timedelta(hours=1))["closed_at"]
    # an agent's export holds only their cases, masked
    out = export_cases(store, list_cases(store, "ecommerce_csi"), actor=li)
    assert out["case_id"].tolist() == [c1] and out.loc[0, "contact"] == "139****5678"


def test_rotate_key_keeps_every_case_readable(shop, db, monkeypatch):
    store = shop["store"]
    before = list_cases(store, "ecommerce_csi")
    with_contact = before.loc[before["contact"].notna(), "case_id"].astype(int).tolist()
    assert len(with_contact) == 2  # r1 and r4
    env = {"CSI_PII_KEY": NEW_KEY, "CSI_PII_KEY_OLD": KEY}
    r = _run("rotate-key", "--db", db, env=env)
    assert r.exit_code == 0 and "2 contact value(s) and order number(s) re-encrypted" in r.output
    admin = Actor("admin", "admin")
    got = {reveal_contact(store, c, actor=admin, reason="rotation check", key=derive_key(NEW_KEY))["phone"]
           for c in with_contact}
    assert got == {PHONES["r1"], PHONES["r4"]}
    with pytest.raises(VaultKeyError, match="encrypted with key"):
        reveal_contact(store, with_contact[0], actor=admin, reason="old key", key=derive_key(KEY))
    assert read_audit(store, action="key_rotated")["detail"].item().startswith("2 contact value(s)")
    # rotating again from the old key finds nothing under it; a third key is refused untouched
    r2 = _run("rotate-key", "--db", db, env=env)
    assert r2.exit_code == 0 and "0 contact value(s)" in r2.output
    r3 = _run("rotate-key", "--db", db, env={"CSI_PII_KEY": KEY + "zz", "CSI_PII_KEY_OLD": KEY})
    assert r3.exit_code == 2 and "nothing was changed" in r3.output
    assert reveal_contact(store, with_contact[0], actor=admin, reason="still fine",
                          key=derive_key(NEW_KEY))["phone"] in PHONES.values()


def test_purge_deletes_old_contact_data_and_says_so(shop, db):
    store = shop["store"]
    r = _run("purge", "--older-than", "30", "--db", db)
    assert r.exit_code == 0 and "0 contact value(s)" in r.output  # kept just now
    r = _run("purge", "--older-than", "0", "--db", db)
    assert r.exit_code == 0 and "2 contact value(s)" in r.output
    assert list_cases(store, "ecommerce_csi")["contact"].isna().all()
    assert len(list_cases(store, "ecommerce_csi")) == 3  # the cases stay
    assert read_audit(store, action="contacts_purged")["detail"].str.contains("2 contact value").any()
    assert _run("purge", "--older-than", "-1", "--db", db).exit_code == 2


def test_cases_cli_assign_update_json(shop, db):
    store = shop["store"]
    from csi.accounts.users import add_user

    add_user(store, "li", "agent-pass-1", "agent", actor="test")
    add_user(store, "wang", "agent-pass-2", "agent", actor="test")
    # hand today's cases to two agents: two for li, the rest for wang
    a = json.loads(_run("cases", "assign", "--unassigned", "--limit", "2", "--to", "li", "--db", db, "--json").output)
    b = json.loads(_run("cases", "assign", "--unassigned", "--to", "wang", "--db", db, "--json").output)
    assert (a["assigned"], b["assigned"]) == (2, 1)
    listed = json.loads(_run("cases", "list", "--owner", "li", "--db", db, "--json").output)
    assert [c["owner"] for c in listed] == ["li", "li"]
    cid = listed[0]["case_id"]
    up = json.loads(_run("cases", "update", cid, "--status", "contacted", "--note", "ok", "--db", db, "--json").output)
    assert up["status"] == "contacted" and up["first_contact_at"]
    bad = _run("cases", "update", cid, "--status", "new", "--db", db)
    assert bad.exit_code == 2 and bad.output.startswith("error: case")
    assert _run("cases", "assign", "1", "--to", "nobody", "--db", db).exit_code == 2
    assert _run("cases", "list", "--status", "bogus", "--db", db).exit_code == 2


def test_loop_metrics_and_followup_outcomes(flagship):
    cases = pd.DataFrame({"survey_id": ["ecommerce_csi"] * 3, "respondent_id": ["a", "b", "c"],
                          "status": ["resolved", "new", "contacted"],
                          "opened_at": ["2026-03-01T00:00:00"] * 3, "due_at": ["2026-03-02T00:00:00"] * 3,
                          "first_contact_at": ["2026-03-01T04:00:00", None, "2026-03-01T10:00:00"]})
    m = loop_metrics(cases, now=datetime(2026, 3, 3)).iloc[0]
    # first contacts after 4 h and 10 h -> median 7 h; b still new past due -> 1/3 overdue
    assert (m["cases_opened"], m["contacted"], m["median_hours_to_first_contact"]) == (3, 2, 7.0)
    assert m["share_overdue"] == pytest.approx(1 / 3) and m["resolution_rate"] == pytest.approx(1 / 3)
    frame = pd.DataFrame({"respondent_id": ["a", "b", "c", "d"], "cc1": [1, 1, 1, 0],
                          "cl1": [10, 1, 10, 5], "cl2": [10, 1, 1, 5], "cl3": [10, 1, 10, 5],
                          "repurchased_90d": [1, 0, 1, 1]})
    out = followup_outcomes(flagship, frame, cases).set_index("group")
    # followed up: a (100) and c ((100+0+100)/3 = 66.7); not followed up: b (0); d did not complain
    assert out.loc["followed up", "n"] == 2 and out.loc["not followed up", "n"] == 1
    assert out.loc["followed up", "loyalty_index"] == pytest.approx((100 + 200 / 3) / 2)
    assert out.loc["not followed up", "loyalty_index"] == 0.0
    assert out.loc["followed up", "repurchase_rate"] == 1.0 and out.loc["not followed up", "repurchase_rate"] == 0.0


def test_flagship_survey_keeps_contact_only_with_consent(flagship):
    assert flagship.followup.keep_contact and flagship.followup.consent == "contact_consent"
    assert flagship.question_map["contact_consent"].type == "yes_no"
    assert load_survey(flagship.source_file).followup.due_hours == 24


def test_order_reference_is_kept_under_the_same_rules(flagship, db):
    # 订单号 as the case reference: a question marked pii (kept only in the vault), masked on the case
    text = flagship.source_text.replace(
        "  - id: repurchased_90d",
        "  - id: order_id\n    type: text\n    pii: other\n    source: system\n"
        "    text: {zh: 订单号, en: Order number}\n  - id: repurchased_90d").replace(
        "  reference: order_ref", "  reference: order_id")
    s = parse_survey(text)
    frame = pd.DataFrame({"respondent_id": ["o1"], "submitted_at": pd.to_datetime(["2026-03-01"]),
                          "wave": ["2026Q1"], "cc1": [1.0], "contact_consent": [1.0]})
    from csi.io.canonical import canonical_columns

    frame = frame.reindex(columns=canonical_columns(s))
    store = open_store(db)
    from csi.cases.store import open_cases

    out = open_cases(store, s, frame, source="import", key=derive_key(KEY),
                     contact_values={"o1": {"phone": "13912345678", "order_id": "4012345678901234"}})
    assert out.contacts_kept == 2
    case = list_cases(store, "ecommerce_csi").iloc[0]
    assert case["reference"] == "40***34" and case["contact"] == "139****5678"
    got = reveal_contact(store, int(case["case_id"]), actor=Actor("admin", "admin"), reason="order lookup",
                         key=derive_key(KEY))
    assert got == {"phone": "13912345678", "order_id": "4012345678901234"}
    from csi.cases.contacts import purge_contacts

    assert purge_contacts(store, 0, actor="test") == 2
    assert pd.isna(list_cases(store, "ecommerce_csi").iloc[0]["reference"])
    bad = text.replace("    pii: other\n    source: system\n", "    source: system\n")
    with pytest.raises(SurveySpecError, match="must be a question marked `pii: other`"):
        parse_survey(bad)


def test_invitation_order_number_is_the_case_reference_kept_in_the_vault(flagship, db, tmp_path, monkeypatch):
    """A buyer answers the link made for their order (the form's path): the case carries the
    order number masked, an admin reveals it with the phone, and no response table holds it."""
    import sqlalchemy as sa

    from csi.invite import check_token, create_invitations, invitation_answers, submit_with_token
    from csi.store.schema import responses

    monkeypatch.setenv("CSI_PII_KEY", KEY)
    store = open_store(db)
    orders = pd.DataFrame({"order_ref": ["3261847590123456789"], "channel": ["tmall"]})
    (inv,) = create_invitations(store, flagship, orders=orders, wave="2026Q4")
    check = check_token(store, flagship, inv.token)
    given = invitation_answers(flagship, check, {"cc1": 1.0, "cs1": 3.0, "region": "east",
                                                 "contact_consent": 1.0, "phone": "13912345678"})
    rid = submit_with_token(store, flagship, inv.token, given, submission_key="k")
    assert cases_after_submission(store, flagship, rid, given, key=derive_key(KEY)).contacts_kept == 2
    case = list_cases(store, "ecommerce_csi").iloc[0]
    assert case["reference"] == "32***89" and case["contact"] == "139****5678"
    assert case["segment_channel"] == "tmall"
    got = reveal_contact(store, int(case["case_id"]), actor=Actor("boss", "admin"), reason="order lookup",
                         key=derive_key(KEY))
    assert got == {"phone": "13912345678", "order_ref": "3261847590123456789"}
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(responses.c.answers)).scalar_one()
    assert "3261847590123456789" not in stored and "13912345678" not in stored
    assert "order_ref" not in store.responses_frame(flagship)
    close_store(db)  # the whole file (and WAL), invitation row included: neither number readable
    raw = b"".join(f.read_bytes() for f in tmp_path.glob("cases.sqlite*"))
    assert raw and b"3261847590123456789" not in raw and b"13912345678" not in raw


def test_alerts_check_reports_a_case_overdue_for_first_contact(shop, flagship_path, db):
    """`csi alerts check` reads the store's follow-up cases (issue 18) for the `overdue_cases`
    rule (issue 19): a case still `new` after its due time is an alert, a contacted one is not."""
    import sqlalchemy as sa

    from csi.store.schema import cases as cases_table

    store = shop["store"]
    ids = list_cases(store, "ecommerce_csi").set_index("respondent_id")["case_id"]
    past = (datetime.now() - timedelta(hours=30)).isoformat(timespec="microseconds")
    with store.engine.begin() as conn:
        conn.execute(sa.update(cases_table).where(cases_table.c.id.in_([int(ids["r1"]), int(ids["r4"])]))
                     .values(due_at=past))
    update_case(store, int(ids["r4"]), status="contacted", actor=Actor("admin", "admin"))
    r = _run("alerts", "check", flagship_path, "--db", db, "--json", "--dry-run")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    overdue = [a["subject"] for a in doc["alerts"] if a["kind"] == "overdue_cases"]
    assert overdue == [str(ids["r1"])]
    assert not any("no follow-up cases" in n for n in doc["notes"])
