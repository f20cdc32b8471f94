"""Accounts, the contact vault and follow-up cases on PostgreSQL (migration 0018 there too)."""

from __future__ import annotations

import pandas as pd
import pytest
from _store_helpers import pg_schema_url

from csi.accounts.audit import read_audit
from csi.accounts.login import login, resume
from csi.accounts.users import add_user
from csi.auth import resolve_auth
from csi.cases.store import list_cases, open_cases
from csi.cases.workflow import Actor, assign_cases, reveal_contact, update_case
from csi.io.canonical import canonical_columns
from csi.store import open_store
from csi.vault import derive_key

pytestmark = pytest.mark.postgres


def test_cases_vault_and_logins_on_postgres(postgres_url, flagship):
    key = derive_key("pg-vault-secret-0123456789")
    frame = pd.DataFrame({"respondent_id": ["p1", "p2"], "submitted_at": pd.to_datetime(["2026-03-01"] * 2),
                          "wave": ["2026Q1"] * 2, "cc1": [1.0, 0.0], "contact_consent": [1.0, 1.0]})
    frame = frame.reindex(columns=canonical_columns(flagship)).fillna(
        {it: 8.0 for it in flagship.items if it not in ("cc1",)})
    with pg_schema_url(postgres_url) as url:
        store = open_store(url)
        add_user(store, "li", "agent-pass-1", "agent", actor="test")
        out = open_cases(store, flagship, frame, source="import", key=key,
                         contact_values={"p1": {"phone": "13911112222"}, "p2": {"phone": "13933334444"}})
        assert (out.opened, out.contacts_kept) == (1, 1)  # p2 matched no rule: no case, nothing kept
        again = open_cases(store, flagship, frame, source="import", key=key)
        assert again.opened == 0 and again.skipped_existing == 1
        cid = int(list_cases(store, "ecommerce_csi")["case_id"].item())
        assign_cases(store, [cid], "li", actor=Actor("admin", "admin"))
        li = Actor("li", "agent")
        assert reveal_contact(store, cid, actor=li, reason="callback", key=key) == {"phone": "13911112222"}
        assert update_case(store, cid, actor=li, status="contacted")["first_contact_at"]
        s = login(store, resolve_auth(env={}, secrets={}), "li", "agent-pass-1", client="pg").session
        assert resume(store, s.token).role == "agent"
        assert {"contact_revealed", "case_updated", "login"} <= set(read_audit(store)["action"])
