"""Follow-up page and staff roles: the role x page x action matrix, contact data only for the
agent's own cases (and never for analysts), reveal logged, the brute-force lock-out in the UI."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from apptest_support import (  # noqa: F401 - pytest fixtures
    ROOT,
    app_env,
    new_app,
    sample_db,
    texts,
    writable_env,
)

from csi.accounts.audit import read_audit
from csi.accounts.login import login
from csi.accounts.roles import ROLES, pages_for
from csi.auth import resolve_auth
from csi.cases.store import list_cases
from csi.cases.workflow import Actor, assign_cases
from csi.store import open_store
from csi.survey import load_survey

KEY = "apptest-vault-secret-0123456789"
ADMIN_PW = "manager-pass"
PHONES = {"c1": "13912340001", "c2": "13912340002", "c3": "13912340003"}
CSV = ("respondent_id,submitted_at,channel,cc1,cs1,cs2,cs3,cl1,cl2,cl3,complaint_type,complaint_resolved,"
       "contact_consent,phone,comment\n"
       + "".join(f"{rid},2026-11-30T10:00:00,tmall,1,5,5,5,5,5,5,late,0,1,{ph},slow delivery\n"
                 for rid, ph in PHONES.items()))
#: page key (url path) -> its script's name (what AppTest lists as a known page)
SCRIPTS = {"overview": "overview", "drivers": "drivers", "complaints": "complaints", "comments": "comments",
           "segments": "segments",
           "quality": "quality", "data": "data", "editor": "editor", "take": "take_survey",
           "followup": "followup", "audit": "audit", "users": "users", "settings": "settings"}


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("csi.accounts.users._hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def shop(writable_env, monkeypatch, tmp_path):
    """The sample store plus three complainers with phones, users of every role, li owns c1 and c2."""
    from csi.accounts.users import add_user
    from csi.cases.intake import cases_after_import
    from csi.io import read_responses
    from csi.vault import derive_key

    monkeypatch.setenv("CSI_ADMIN_PASSWORD", ADMIN_PW)
    monkeypatch.setenv("CSI_PII_KEY", KEY)
    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    store = open_store(writable_env)
    src = tmp_path / "complainers.csv"
    src.write_text(CSV, encoding="utf-8")
    res = read_responses(src, survey, keep_contact=True)
    summary = store.import_frame(survey, res.valid, source_name=src.name, file_hash=res.file_hash)
    assert cases_after_import(store, survey, res, summary, key=derive_key(KEY)).contacts_kept == 3
    for name, role in (("li", "agent"), ("wang", "agent"), ("ana", "analyst"), ("vic", "viewer")):
        add_user(store, name, f"{name}-password", role, actor="test")
    ids = list_cases(store, "ecommerce_csi").set_index("respondent_id")["case_id"].astype(int)
    assign_cases(store, [ids["c1"], ids["c2"]], "li", actor=Actor("admin", "admin"))
    assign_cases(store, [ids["c3"]], "wang", actor=Actor("admin", "admin"))
    return {"store": store, "ids": ids}


def as_user(store, name: str):
    pw = ADMIN_PW if name == "admin" else f"{name}-password"
    out = login(store, resolve_auth(), name, pw, client="apptest")
    assert out.status == "ok"
    return new_app(csi_session=out.session.token)


def registered_pages(at) -> list[str]:
    with pytest.raises(ValueError, match="Known pages") as err:
        at.switch_page("app_pages/common.py")  # a real file that is never a page
    known = re.findall(r"'([^']+)'", str(err.value).split("Known pages:")[1])
    return [k.rsplit("/", 1)[-1].removesuffix(".py") for k in known]


def logged_out(at) -> bool:
    """Only the login form is drawn: every page address is registered before login (so a deep
    link survives it, issue 17) but each shows the login form -- no table, number or chart."""
    return ("Manager login" in texts(at) and registered_pages(at)[0] == "Manager login"
            and not at.dataframe and not at.metric and not at.get("plotly_chart") and not at.exception)


def everything_shown(at) -> str:
    frames = "\n".join(d.value.to_csv() for d in at.dataframe)
    widgets = "\n".join(str(getattr(w, "value", "")) for kind in ("text_input", "selectbox", "multiselect")
                        for w in getattr(at, kind))
    return texts(at) + "\n" + frames + "\n" + widgets + "\n" + "\n".join(str(m.value) for m in at.metric)


def all_phone_forms():
    return [f for p in PHONES.values() for f in (p, p[3:])]


@pytest.mark.parametrize("name", ["admin", "ana", "li", "vic"])
def test_each_role_sees_exactly_its_pages(shop, name):
    role = {"admin": "admin", "ana": "analyst", "li": "agent", "vic": "viewer"}[name]
    at = as_user(shop["store"], name)
    at.session_state["survey"] = "ecommerce_csi"
    at.run()
    assert not at.exception
    assert registered_pages(at) == [SCRIPTS[p] for p in pages_for(role)]
    assert f"Signed in as {name}" in texts(at)
    assert role in ROLES


def test_agent_sees_and_reveals_only_own_cases(shop):
    store, ids = shop["store"], shop["ids"]
    at = as_user(store, "li").run()  # the agent's only page: the follow-up list
    assert not at.exception and "Follow-up" in texts(at), texts(at)
    assert at.dataframe, texts(at)
    table = at.dataframe[0].value
    assert sorted(table["case_id"]) == sorted([ids["c1"], ids["c2"]])  # not wang's c3
    assert set(table["contact"]) == {"139****0001", "139****0002"}
    shown = everything_shown(at)
    assert not any(f in shown for f in all_phone_forms())
    at.selectbox(key="fu_case").set_value(int(ids["c1"])).run()
    assert "139****0001" in texts(at) and PHONES["c1"] not in everything_shown(at)
    at.text_input(key="fu_reveal_reason").input("回访：投诉物流")
    at.button(key=f"FormSubmitter:reveal_{ids['c1']}-Reveal contact").click().run()
    assert not at.exception
    assert PHONES["c1"] in texts(at)  # revealed: this case, once
    assert PHONES["c2"] not in everything_shown(at)
    entry = read_audit(store, action="contact_revealed").iloc[0]
    assert (entry["actor"], entry["target"]) == ("li", str(ids["c1"])) and "投诉物流" in entry["detail"]
    # next run (e.g. marking it contacted) no longer shows the number
    at.selectbox(key="fu_new_status").set_value("contacted")
    at.button(key=f"FormSubmitter:update_{ids['c1']}-Save").click().run()
    assert not at.exception and PHONES["c1"] not in everything_shown(at)
    assert "saved: contacted" in texts(at)
    assert read_audit(store, action="case_updated")["actor"].tolist() == ["li"]


def test_analyst_never_sees_contact_data(shop, monkeypatch):
    at = as_user(shop["store"], "ana")
    at.session_state["survey"] = "ecommerce_csi"
    at.run()
    at.switch_page("app_pages/complaints.py").run()
    assert not at.exception
    assert "Closing the loop" in texts(at) and "observational" in texts(at).lower()
    shown = everything_shown(at)
    assert not any(f in shown for f in all_phone_forms()) and "****" not in shown
    assert "Cases opened" in [m.label for m in at.metric]
    # the Data page's invitation list: order numbers (the cases' reference) masked for analysts
    import pandas as pd

    from csi.invite import create_invitations

    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    create_invitations(shop["store"], survey, orders=pd.DataFrame({"order_ref": ["3261847590123456789"]}))
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    (listing,) = [d.value for d in at.dataframe if "order_ref" in d.value.columns]
    assert listing["order_ref"].tolist() == ["32***89"]
    assert "3261847590123456789" not in everything_shown(at)


def test_admin_bulk_assigns_and_reads_the_audit_log(shop):
    store, ids = shop["store"], shop["ids"]
    at = as_user(store, "admin")
    at.session_state["survey"] = "ecommerce_csi"
    at.run()
    at.switch_page("app_pages/followup.py").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 3
    at.multiselect(key="fu_bulk_ids").set_value([int(ids["c3"])])
    at.selectbox(key="fu_assign_to").set_value("li").run()
    at.button(key="fu_assign_button").click().run()
    assert "1 case(s) assigned to li" in texts(at)
    assert list_cases(store, "ecommerce_csi").set_index("case_id").loc[ids["c3"], "owner"] == "li"
    at.button(key="fu_export").click().run()  # the team's list: masked, and audited
    assert not at.exception and read_audit(store, action="cases_exported")["actor"].tolist() == ["admin"]
    at.switch_page("app_pages/audit.py").run()
    log = at.dataframe[0].value
    assert {"login", "case_assigned", "user_added"} <= set(log["action"])
    assert not any(f in log.to_csv() for f in all_phone_forms())


def test_admin_manages_users_in_the_app(shop):
    store = shop["store"]
    at = as_user(store, "admin")
    at.session_state["survey"] = "ecommerce_csi"
    at.run()
    at.switch_page("app_pages/users.py").run()
    assert not at.exception and "password_hash" not in at.dataframe[0].value.columns
    at.text_input(key="users_new_name").input("zhao")
    at.selectbox(key="users_new_role").set_value("agent")
    at.text_input(key="users_new_password").input("zhao-password")
    at.button(key="FormSubmitter:user_add-Add a user").click().run()
    assert "User zhao added." in texts(at)
    at.selectbox(key="users_pick").set_value("li").run()
    at.button(key="users_toggle").click().run()
    assert not at.exception
    from csi.accounts.users import list_users

    users = list_users(store).set_index("username")
    assert users.loc["zhao", "role"] == "agent" and users.loc["li", "disabled"]
    assert {"user_added", "user_disabled"} <= set(read_audit(store).query("actor == 'admin'")["action"])


def test_brute_force_lockout_in_the_ui(shop):
    store = shop["store"]
    from csi.store.schema import login_attempts

    def time_passes(seconds: int) -> None:  # move every stored attempt back (no wall clock)
        with store.engine.begin() as conn:
            for r in conn.execute(sa.select(login_attempts.c.id, login_attempts.c.at)).all():
                from datetime import datetime, timedelta

                t = datetime.fromisoformat(r.at) - timedelta(seconds=seconds)
                conn.execute(login_attempts.update().where(login_attempts.c.id == r.id)
                             .values(at=t.isoformat(timespec="microseconds")))

    at = new_app().run()
    for _ in range(20):
        at.text_input(key="login_username").input("li")
        at.text_input(key="login_password").input("wrong guess")
        at.button[0].click().run()
        assert "Wrong password or user name" in texts(at)
        time_passes(901)
    time_passes(-900)  # the 21st attempt comes 1 s after the 20th failure
    at.text_input(key="login_username").input("li")
    at.text_input(key="login_password").input("li-password")
    at.button[0].click().run()
    assert "Too many failed logins: try again in 15 min" in texts(at)
    assert logged_out(at)
    time_passes(900)
    at.text_input(key="login_username").input("li")
    at.text_input(key="login_password").input("li-password")
    at.button[0].click().run()
    assert not at.exception and registered_pages(at) == ["followup"]


def test_logout_ends_the_session(shop):
    store = shop["store"]
    at = as_user(store, "vic")
    token = at.session_state["csi_session"]
    at.run()
    at.sidebar.button(key="logout").click().run()
    assert "Manager login" in texts(at)
    again = new_app(csi_session=token).run()  # the old token replayed: refused
    assert "session has ended" in texts(again) and logged_out(again)
