"""Logging in and out: password check, throttling, sessions with expiry, audit entries.

A login names an account (empty = ``admin``, the manager login of ``CSI_ADMIN_PASSWORD(_HASH)``)
and comes from a client (the browser's address, as far as the server can tell). The throttle of
:mod:`csi.accounts.throttle` is consulted before the password is checked and again, inside the
write transaction, before the outcome is recorded, so parallel guesses cannot slip past it.

A successful login opens a session: a random token (kept by the browser session) whose SHA-256
is stored with its expiry. A session ends on log-out, after ``CSI_SESSION_IDLE_MINUTES``
(default 60) without activity, after ``CSI_SESSION_HOURS`` (default 12) in any case, and when
the account is disabled, reset or changes role. An ended session cannot be resumed.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from csi.accounts.audit import iso, record_in, utcnow
from csi.accounts.throttle import record_attempt, throttle_state
from csi.accounts.users import ENV_ADMIN, dummy_verify, get_user, has_users, verify_hash
from csi.auth import AuthConfig, check_password
from csi.store.engine import with_retry, write_transaction
from csi.store.schema import user_sessions, users

__all__ = ["Session", "LoginOutcome", "login", "resume", "logout", "login_required", "session_limits"]



@dataclass(frozen=True)
class Session:
    """A logged-in user: ``username``, ``role``, and the session ``token`` (kept out of repr)."""

    username: str
    role: str
    expires_at: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class LoginOutcome:
    """``status``: ``ok``, ``wrong`` (name or password), ``throttled`` (wait ``wait_seconds``,
    ``scope`` account/client) or ``disabled``; ``session`` when ok."""

    status: str
    session: Session | None = None
    wait_seconds: float = 0.0
    scope: str | None = None


def session_limits(env: Mapping[str, str] | None = None) -> tuple[timedelta, timedelta]:
    """(idle timeout, absolute lifetime) from ``CSI_SESSION_IDLE_MINUTES`` / ``CSI_SESSION_HOURS``."""
    env = os.environ if env is None else env
    idle = float(env.get("CSI_SESSION_IDLE_MINUTES", "") or 60)
    hours = float(env.get("CSI_SESSION_HOURS", "") or 12)
    return timedelta(minutes=idle), timedelta(hours=hours)


def login_required(store, auth: AuthConfig) -> bool:
    """True unless the app is in local-demo mode (no manager password and no staff account)."""
    return not auth.demo or has_users(store)


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def login(store, auth: AuthConfig, username: str, password: str, *, client: str = "unknown",
          now: datetime | None = None, env: Mapping[str, str] | None = None) -> LoginOutcome:
    """Check a login and, when it is right and not throttled, open a session (all audited)."""
    name = (username or "").strip().lower() or ENV_ADMIN
    client = (client or "unknown")[:64]
    now = now or utcnow()
    with store.engine.connect() as conn:
        state = throttle_state(conn, name, client, now=now)
    if state.refused:
        _audit(store, name, "login_refused", client, now, f"wait {state.wait_seconds:.0f} s ({state.scope})")
        return LoginOutcome("throttled", wait_seconds=state.wait_seconds, scope=state.scope)
    role, ok, disabled = "admin", False, False
    if name == ENV_ADMIN:
        ok = not auth.demo and check_password(auth, password)
    else:
        found = get_user(store, name)
        if found is None:
            dummy_verify(password)  # the same work for unknown names
        else:
            user, encoded = found
            ok, role, disabled = verify_hash(password, encoded), user.role, user.disabled
    idle, lifetime = session_limits(env)
    token = secrets.token_urlsafe(32)

    def run() -> LoginOutcome:
        with write_transaction(store.engine) as conn, conn.begin():
            again = throttle_state(conn, name, client, now=now)  # a parallel guess got there first
            if again.refused:
                record_in(conn, name, "login_refused", client=client, now=now,
                          detail=f"wait {again.wait_seconds:.0f} s ({again.scope})")
                return LoginOutcome("throttled", wait_seconds=again.wait_seconds, scope=again.scope)
            if ok and disabled:
                record_attempt(conn, name, client, False, now=now)
                record_in(conn, name, "login_failed", client=client, now=now, detail="account disabled")
                return LoginOutcome("disabled")
            record_attempt(conn, name, client, ok, now=now)
            if not ok:
                record_in(conn, name, "login_failed", client=client, now=now)
                return LoginOutcome("wrong")
            expires = iso(now + lifetime)
            conn.execute(user_sessions.insert().values(token_sha256=_sha(token), username=name, role=role,
                                                       created_at=iso(now), last_seen=iso(now),
                                                       expires_at=expires))
            record_in(conn, name, "login", client=client, now=now, detail=f"role={role}")
            return LoginOutcome("ok", Session(name, role, expires, token))

    return with_retry(run)


def resume(store, token: str | None, *, now: datetime | None = None,
           env: Mapping[str, str] | None = None) -> Session | None:
    """The live session of ``token``, or None (unknown, logged out, expired, account disabled).

    An expired session is ended here (and the audit log says so); activity moves the idle
    deadline (written at most once a minute).
    """
    if not token:
        return None
    now = now or utcnow()
    sha = _sha(token)
    with store.engine.connect() as conn:
        r = conn.execute(sa.select(user_sessions).where(user_sessions.c.token_sha256 == sha)).first()
        disabled = False
        if r is not None and r.username != ENV_ADMIN:
            u = conn.execute(sa.select(users.c.disabled).where(users.c.username == r.username)).first()
            disabled = u is None or bool(u[0])
    if r is None or r.ended_at is not None:
        return None
    idle, _ = session_limits(env)
    last = datetime.fromisoformat(r.last_seen)
    expired = now >= datetime.fromisoformat(r.expires_at) or now - last >= idle
    if expired or disabled:
        _end(store, sha, r.username, "session_expired" if expired else "logout", now, None)
        return None
    if (now - last).total_seconds() > 60:
        def touch() -> None:
            with write_transaction(store.engine) as conn, conn.begin():
                conn.execute(user_sessions.update().where(user_sessions.c.token_sha256 == sha)
                             .values(last_seen=iso(now)))
        with_retry(touch)
    return Session(r.username, r.role, r.expires_at, token)


def logout(store, token: str | None, *, client: str | None = None, now: datetime | None = None) -> None:
    """End the session of ``token`` in the store (it can never be resumed) and audit it."""
    if not token:
        return
    sha = _sha(token)
    with store.engine.connect() as conn:
        r = conn.execute(sa.select(user_sessions.c.username, user_sessions.c.ended_at)
                         .where(user_sessions.c.token_sha256 == sha)).first()
    if r is not None and r.ended_at is None:
        _end(store, sha, r.username, "logout", now or utcnow(), client)


def _end(store, sha: str, username: str, action: str, now: datetime, client: str | None) -> None:
    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            res = conn.execute(user_sessions.update().where(user_sessions.c.token_sha256 == sha,
                                                            user_sessions.c.ended_at.is_(None))
                               .values(ended_at=iso(now)))
            if res.rowcount:
                record_in(conn, username, action, client=client, now=now)
    with_retry(run)


def _audit(store, actor: str, action: str, client: str, now: datetime, detail: str | None) -> None:
    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            record_in(conn, actor, action, client=client, now=now, detail=detail)
    with_retry(run)
