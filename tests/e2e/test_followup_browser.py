"""An agent on a phone (390 x 844): log in, open an overdue case, reveal the number, mark the
case contacted -- and the audit log records the reveal and the update."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from browser_support import PII_KEY, ROOT, browser, choose, server, shot, wait_idle  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

TIMEOUT = 120_000
PHONE = "13987650001"
CSV = ("respondent_id,submitted_at,channel,cc1,cs1,cs2,cs3,cl1,cl2,cl3,complaint_type,complaint_resolved,"
       "contact_consent,phone,comment\n"
       f"e2e1,2026-11-29T08:00:00,jd,1,4,4,4,4,4,4,late,0,1,{PHONE},还没收到货\n")


@pytest.fixture
def overdue_case(server, tmp_path):
    """An overdue case (opened two days ago) with a kept phone number, assigned to agent li."""
    from csi.accounts.audit import utcnow
    from csi.accounts.users import add_user
    from csi.cases.intake import cases_after_import
    from csi.cases.store import list_cases
    from csi.cases.workflow import Actor, assign_cases
    from csi.io import read_responses
    from csi.store import open_store
    from csi.survey import load_survey
    from csi.vault import derive_key

    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    store = open_store(server["db"])
    src = tmp_path / "e2e.csv"
    src.write_text(CSV, encoding="utf-8")
    res = read_responses(src, survey, keep_contact=True)
    summary = store.import_frame(survey, res.valid, source_name=src.name, file_hash=res.file_hash)
    cases_after_import(store, survey, res, summary, key=derive_key(PII_KEY), now=utcnow() - timedelta(days=2))
    add_user(store, "li", "li-password", "agent", actor="e2e")
    case_id = int(list_cases(store, "ecommerce_csi").set_index("respondent_id").loc["e2e1", "case_id"])
    assign_cases(store, [case_id], "li", actor=Actor("admin", "admin"))
    return store, case_id


def test_agent_on_a_phone_reveals_and_marks_contacted(server, browser, shot, overdue_case):
    from csi.accounts.audit import read_audit

    store, case_id = overdue_case
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server["base"])
    page.get_by_role("textbox", name="User name").fill("li")
    page.get_by_label("Password", exact=True).fill("li-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Follow-up").wait_for(timeout=TIMEOUT)
    body = page.inner_text("body")
    assert PHONE not in body
    shot(page, "20_followup_agent_phone")

    choose(page, "Open a case", re.compile(rf"^#{case_id} · "))  # its label also says status and due
    page.get_by_text(f"Case #{case_id}").wait_for(timeout=TIMEOUT)
    wait_idle(page)  # the case panel can be redrawn by a rerun just after it first shows
    page.get_by_text("139****0001").wait_for(timeout=TIMEOUT)
    assert PHONE not in page.inner_text("body")
    page.get_by_label("Reason for revealing the full contact (logged)").fill("回访：物流投诉")
    page.get_by_role("button", name="Reveal contact").click()
    page.get_by_text(PHONE).wait_for(timeout=TIMEOUT)
    shot(page, "21_followup_revealed")

    choose(page, "New status", "contacted")
    page.get_by_role("button", name="Save").click()
    page.get_by_text(f"Case #{case_id} saved: contacted.").wait_for(timeout=TIMEOUT)
    assert PHONE not in page.inner_text("body")  # shown once; gone after the next action
    shot(page, "22_followup_contacted")

    log = read_audit(store, limit=None)
    revealed = log.loc[log["action"] == "contact_revealed"]
    assert revealed["actor"].tolist() == ["li"] and revealed["target"].tolist() == [str(case_id)]
    assert "物流投诉" in revealed["detail"].item()
    updated = log.loc[log["action"] == "case_updated"]
    assert updated["detail"].tolist() == ["status new -> contacted"] and updated["actor"].tolist() == ["li"]
    assert {"login"} <= set(log.loc[log["actor"] == "li", "action"])
    page.close()
    # nothing readable leaks: not in the server's log, not in the database file (WAL included)
    assert PHONE not in server["log"].read_text(errors="replace")
    db = server["db"].removeprefix("sqlite:///")
    raw = b"".join(p.read_bytes() for p in __import__("pathlib").Path(db).parent.glob("csi.sqlite*"))
    assert PHONE.encode() not in raw and PHONE[3:].encode() not in raw
