"""Staff accounts: roles and pages, argon2 users, the login throttle (brute force), sessions, audit."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from csi.accounts.audit import read_audit
from csi.accounts.login import login, logout, resume
from csi.accounts.roles import PAGE_KEYS, can, pages_for
from csi.accounts.throttle import Policy, backoff_seconds
from csi.accounts.users import (
    AccountError,
    add_user,
    list_users,
    reset_password,
    set_disabled,
    set_role,
)
from csi.auth import resolve_auth
from csi.errors import ParameterError
from csi.store import close_store, open_store

T0 = datetime(2026, 3, 1, 9, 0, 0)


@pytest.fixture
def fast_hashes(monkeypatch):
    """Cheap argon2 parameters for the many logins here (verification reads them from the hash)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("csi.accounts.users._hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def store(tmp_path, fast_hashes):
    url = f"sqlite:///{tmp_path / 'acc.sqlite'}"
    s = open_store(url)
    yield s
    close_store(url)


@pytest.fixture
def env_auth():
    return resolve_auth(env={"CSI_ADMIN_PASSWORD": "manager-pass"}, secrets={})


def test_each_role_has_exactly_its_pages():
    assert pages_for("admin") == PAGE_KEYS
    assert set(pages_for("analyst")) == {"overview", "drivers", "complaints", "comments", "segments", "quality", "data",
                                         "take"}
    assert pages_for("agent") == ("followup",)
    assert pages_for("viewer") == ("overview",)
    with pytest.raises(ParameterError, match="unknown role 'boss'"):
        pages_for("boss")


@pytest.mark.parametrize(("role", "own", "other"), [("admin", True, True), ("agent", True, False),
                                                    ("analyst", False, False), ("viewer", False, False)])
def test_contact_reveal_matrix(role, own, other):
    assert can(role, "reveal_contact", user="li", owner="li") is own
    assert can(role, "reveal_contact", user="li", owner="wang") is other
    assert can(role, "read_audit") is (role == "admin")
    assert can(role, "assign_cases") is (role == "admin")


def test_users_add_list_disable_reset_role(store):
    add_user(store, "li", "agent-pass-1", "agent", actor="cli:test", display_name="李")
    add_user(store, "ana", "analyst-pass", "analyst", actor="cli:test")
    users = list_users(store)
    assert users["username"].tolist() == ["ana", "li"] and users["role"].tolist() == ["analyst", "agent"]
    assert "password_hash" not in users.columns
    with pytest.raises(AccountError, match="already exists"):
        add_user(store, "li", "whatever-123", "agent", actor="cli:test")
    with pytest.raises(AccountError, match="manager login"):
        add_user(store, "admin", "whatever-123", "admin", actor="cli:test")
    with pytest.raises(AccountError, match="at least 8"):
        add_user(store, "wang", "short", "agent", actor="cli:test")
    with pytest.raises(ParameterError, match="unknown role"):
        add_user(store, "wang", "long-enough", "boss", actor="cli:test")
    set_role(store, "ana", "viewer", actor="cli:test")
    set_disabled(store, "li", True, actor="cli:test")
    reset_password(store, "li", "new-pass-22", actor="cli:test")
    with pytest.raises(AccountError, match="no user 'nobody'"):
        set_disabled(store, "nobody", True, actor="cli:test")
    log = read_audit(store)
    assert log["action"].tolist()[::-1] == ["user_added", "user_added", "role_changed", "user_disabled",
                                            "password_reset"]
    assert log.loc[log["action"] == "role_changed", "detail"].item() == "analyst -> viewer"
    raw = b"".join(p.read_bytes() for p in Path(store.engine.url.database).parent.glob("acc.sqlite*"))
    assert b"agent-pass-1" not in raw and b"new-pass-22" not in raw  # only argon2 hashes are stored


def test_backoff_is_exponential_with_a_cap():
    # 5 free failures, then 1, 2, 4, ... seconds, capped at 15 minutes
    assert [backoff_seconds(k) for k in range(4, 10)] == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0]
    assert backoff_seconds(20) == 900.0
    assert backoff_seconds(3, Policy(free=2, base=0.5, cap=10)) == 1.0


def test_brute_force_20_wrong_then_refused_then_right_password_works(store):
    add_user(store, "li", "agent-pass-1", "agent", actor="cli:test")
    auth = resolve_auth(env={}, secrets={})
    t = T0
    for _ in range(20):  # each guess waits out the back-off of the one before (fake clock)
        out = login(store, auth, "li", "guess", client="10.0.0.9", now=t)
        assert out.status == "wrong"
        t += timedelta(seconds=901)
    t -= timedelta(seconds=900)  # the 21st attempt, 1 s after the 20th failure
    refused = login(store, auth, "li", "agent-pass-1", client="10.0.0.9", now=t)
    assert refused.status == "throttled" and refused.session is None
    assert refused.scope in ("account", "client") and 890 < refused.wait_seconds <= 900
    # a different computer is still refused for this account (per-account throttle)
    assert login(store, auth, "li", "agent-pass-1", client="10.0.0.10", now=t).status == "throttled"
    later = t + timedelta(seconds=900)
    ok = login(store, auth, "li", "agent-pass-1", client="10.0.0.9", now=later)
    assert ok.status == "ok" and ok.session.role == "agent"
    # the success resets the count: one more wrong password is not throttled
    assert login(store, auth, "li", "nope", client="10.0.0.9", now=later).status == "wrong"
    log = read_audit(store, limit=None)
    assert (log["action"] == "login_failed").sum() == 21 and (log["action"] == "login_refused").sum() == 2
    assert (log["action"] == "login").sum() == 1


def test_per_client_throttle_across_accounts(store, env_auth):
    # one client guessing many account names is slowed down after 10 failures
    for i in range(10):
        assert login(store, env_auth, f"user{i}", "x", client="6.6.6.6", now=T0).status == "wrong"
    out = login(store, env_auth, "admin", "manager-pass", client="6.6.6.6", now=T0)
    assert out.status == "throttled" and out.scope == "client"
    assert login(store, env_auth, "admin", "manager-pass", client="7.7.7.7", now=T0).status == "ok"


def test_client_cannot_pick_its_own_address_to_dodge_the_throttle(store, env_auth):
    """A guesser sending a new X-Forwarded-For with every request is still one client: the
    header counts only behind a declared proxy, and then only the entry the proxy appended."""
    from csi.accounts.client import client_address

    seen = {client_address("198.51.100.4", f"10.9.{i}.1", env={}) for i in range(12)}
    assert seen == {"198.51.100.4"}
    for i in range(10):
        addr = client_address("198.51.100.4", f"10.9.{i}.1", env={})
        assert login(store, env_auth, f"user{i}", "x", client=addr, now=T0).status == "wrong"
    addr = client_address("198.51.100.4", "10.9.99.1", env={})
    assert login(store, env_auth, "admin", "manager-pass", client=addr, now=T0).status == "throttled"
    proxy = {"CSI_BEHIND_PROXY": "1"}
    assert client_address("10.0.0.2", "6.6.6.6, 203.0.113.9", env=proxy) == "203.0.113.9"
    assert client_address("10.0.0.2", None, env=proxy) == "10.0.0.2"
    assert client_address(None, "6.6.6.6", env={}) is None


def test_env_admin_is_the_first_admin(store, env_auth):
    out = login(store, env_auth, "", "manager-pass", client="c", now=T0)
    assert out.status == "ok" and (out.session.username, out.session.role) == ("admin", "admin")
    assert login(store, env_auth, "admin", "wrong", client="c", now=T0).status == "wrong"
    demo = resolve_auth(env={}, secrets={})
    assert login(store, demo, "admin", "", client="c", now=T0).status == "wrong"  # no password: no admin login


def test_session_expiry_and_real_logout(store, env_auth):
    env = {"CSI_SESSION_IDLE_MINUTES": "30", "CSI_SESSION_HOURS": "8"}
    s = login(store, env_auth, "admin", "manager-pass", client="c", now=T0, env=env).session
    assert resume(store, s.token, now=T0 + timedelta(minutes=29), env=env).username == "admin"
    # activity moved the idle deadline; 8 h after login the session ends anyway
    t = T0
    for _ in range(17):
        t += timedelta(minutes=29)
        if t >= T0 + timedelta(hours=8):
            break
        assert resume(store, s.token, now=t, env=env) is not None
    assert resume(store, s.token, now=T0 + timedelta(hours=8, minutes=1), env=env) is None
    # idle timeout
    s2 = login(store, env_auth, "admin", "manager-pass", client="c", now=T0, env=env).session
    assert resume(store, s2.token, now=T0 + timedelta(minutes=31), env=env) is None
    # log-out: the token can never be resumed again
    s3 = login(store, env_auth, "admin", "manager-pass", client="c", now=T0, env=env).session
    logout(store, s3.token, now=T0)
    assert resume(store, s3.token, now=T0, env=env) is None
    assert resume(store, "forged-token", now=T0, env=env) is None
    actions = read_audit(store, limit=None)["action"].tolist()
    assert actions.count("session_expired") == 2 and actions.count("logout") == 1


def test_disabling_a_user_ends_their_session(store):
    add_user(store, "li", "agent-pass-1", "agent", actor="cli:test")
    auth = resolve_auth(env={}, secrets={})
    s = login(store, auth, "li", "agent-pass-1", client="c", now=T0).session
    assert resume(store, s.token, now=T0) is not None
    set_disabled(store, "li", True, actor="cli:test")
    assert resume(store, s.token) is None
    assert login(store, auth, "li", "agent-pass-1", client="c").status == "disabled"


def test_production_hashes_are_argon2id_with_owasp_parameters():
    from csi.accounts.users import _hasher, verify_hash

    encoded = _hasher.hash("a password")
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_hash("a password", encoded) and not verify_hash("another", encoded)
    assert not verify_hash("a password", "not-a-hash")


def test_users_cli_and_audit_json(tmp_path, fast_hashes):
    import json

    from typer.testing import CliRunner

    from csi.cli.main import app

    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"

    def run(*args):
        return CliRunner().invoke(app, [*args, "--db", db], catch_exceptions=False)

    assert run("users", "add", "li", "--role", "agent", "--password", "agent-pass-1").exit_code == 0
    assert run("users", "add", "wang", "--role", "viewer", "--password", "viewer-pass").exit_code == 0
    bad = run("users", "add", "li", "--password", "agent-pass-1")
    assert bad.exit_code == 2 and bad.output.strip().splitlines()[-1].startswith("error: user 'li' already exists")
    assert run("users", "role", "wang", "analyst").exit_code == 0
    assert run("users", "disable", "li").exit_code == 0
    assert run("users", "reset", "li", "--password", "fresh-pass-9").exit_code == 0
    assert run("users", "enable", "li").exit_code == 0
    assert run("users", "role", "nobody", "agent").exit_code == 2
    users = json.loads(run("users", "list", "--json").output)
    assert [(u["username"], u["role"], u["disabled"]) for u in users] == [("li", "agent", False),
                                                                          ("wang", "analyst", False)]
    log = json.loads(run("audit", "--json").output)
    assert [e["action"] for e in log][::-1] == ["user_added", "user_added", "role_changed", "user_disabled",
                                                "password_reset", "user_enabled"]
    assert all(e["actor"].startswith("cli") for e in log)
    assert "fresh-pass-9" not in json.dumps(log) and "agent-pass-1" not in json.dumps(users)
