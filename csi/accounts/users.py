"""Staff accounts in the store: argon2id password hashes, roles, disabling, password resets.

``admin`` is reserved for the manager login configured by ``CSI_ADMIN_PASSWORD`` /
``CSI_ADMIN_PASSWORD_HASH`` (the first admin, see :mod:`csi.auth`); every other account lives
in the ``users`` table. Passwords are hashed with argon2-cffi's ``PasswordHasher`` (argon2id
with OWASP's 2023 parameters: 19 MiB, 2 passes, 1 lane -- a login server on a small shared
machine cannot afford RFC 9106's 64 MiB x 4 lanes per attempt) and never stored or logged. A
hash records its own parameters, so raising them later keeps old hashes valid. Every change is written to the
audit log in the same transaction; disabling an account or resetting its password ends its
open sessions.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from csi.accounts.audit import iso, record_in, utcnow
from csi.accounts.roles import check_role
from csi.errors import CsiError, ParameterError
from csi.store.engine import with_retry, write_transaction
from csi.store.schema import user_sessions, users

__all__ = ["ENV_ADMIN", "MIN_PASSWORD_LENGTH", "AccountError", "User", "hash_password", "verify_hash",
           "add_user", "list_users", "get_user", "set_disabled", "reset_password", "set_role",
           "has_users", "dummy_verify"]

#: The account name of the environment-configured manager login.
ENV_ADMIN = "admin"
MIN_PASSWORD_LENGTH = 8
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class AccountError(CsiError, ValueError):
    """A user-management request cannot be done (unknown user, duplicate name, weak password)."""


@dataclass(frozen=True)
class User:
    """A staff account as stored (without its hash)."""

    username: str
    role: str
    display_name: str | None
    disabled: bool
    created_at: str


def hash_password(password: str) -> str:
    """argon2id hash of ``password`` (PHC string ``$argon2id$v=19$m=...``)."""
    return _hasher.hash(password)


def verify_hash(password: str, encoded: str) -> bool:
    """True when ``password`` matches the argon2 hash ``encoded`` (False for a malformed hash)."""
    try:
        return _hasher.verify(encoded, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@functools.lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("csi-unknown-user")


def dummy_verify(password: str) -> None:
    """Spend the time of one real check (a login for an unknown name takes as long as any)."""
    verify_hash(password, _dummy_hash(_hasher))


def _check_name(username: str) -> str:
    name = str(username).strip()
    if not _NAME.match(name):
        raise AccountError(f"user name {username!r} is not allowed; expected 2-64 characters of "
                           "a-z, 0-9, '.', '_' or '-', starting with a letter or digit.")
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password is too short; expected at least {MIN_PASSWORD_LENGTH} characters.")


def has_users(store) -> bool:
    """True when the store holds at least one staff account (then the app needs a login)."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(users.c.id).limit(1)).first() is not None


def add_user(store, username: str, password: str, role: str, *, actor: str,
             display_name: str | None = None) -> User:
    """Create an account; raises :class:`AccountError` for a taken or reserved name or a weak password."""
    name = _check_name(username)
    check_role(role)
    if name == ENV_ADMIN:
        raise AccountError(f"{ENV_ADMIN!r} is the manager login of CSI_ADMIN_PASSWORD(_HASH); "
                           "choose another user name.")
    _check_password(password)
    encoded = hash_password(password)
    now = iso(utcnow())

    def run() -> User:
        with write_transaction(store.engine) as conn, conn.begin():
            if conn.execute(sa.select(users.c.id).where(users.c.username == name)).first():
                raise AccountError(f"user {name!r} already exists (use `csi users reset` or `csi users role`).")
            conn.execute(users.insert().values(username=name, display_name=display_name, role=role,
                                               password_hash=encoded, disabled=False, created_at=now,
                                               password_changed_at=now))
            record_in(conn, actor, "user_added", target=name, detail=f"role={role}")
        return User(name, role, display_name, False, now)

    return with_retry(run)


def get_user(store, username: str) -> tuple[User, str] | None:
    """``(user, password hash)`` of ``username``, or None."""
    with store.engine.connect() as conn:
        r = conn.execute(sa.select(users).where(users.c.username == str(username).strip())).first()
    if r is None:
        return None
    return User(r.username, r.role, r.display_name, bool(r.disabled), r.created_at), r.password_hash


def list_users(store) -> pd.DataFrame:
    """Every account: ``username, role, display_name, disabled, created_at, password_changed_at``."""
    cols = ["username", "role", "display_name", "disabled", "created_at", "password_changed_at"]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*[users.c[c] for c in cols]).order_by(users.c.username)).all()
    out = pd.DataFrame(rows, columns=cols)
    out["disabled"] = out["disabled"].astype(bool)
    return out


def _update(store, username: str, values: dict, *, actor: str, action: str, detail: str | None,
            end_sessions: bool) -> None:
    name = str(username).strip()

    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            res = conn.execute(users.update().where(users.c.username == name).values(**values))
            if res.rowcount == 0:
                raise AccountError(f"no user {name!r} (see `csi users list`).")
            if end_sessions:
                conn.execute(user_sessions.update().where(user_sessions.c.username == name,
                                                          user_sessions.c.ended_at.is_(None))
                             .values(ended_at=iso(utcnow())))
            record_in(conn, actor, action, target=name, detail=detail)

    with_retry(run)


def set_disabled(store, username: str, disabled: bool, *, actor: str) -> None:
    """Disable (and log out everywhere) or re-enable an account."""
    _update(store, username, {"disabled": bool(disabled)}, actor=actor,
            action="user_disabled" if disabled else "user_enabled", detail=None, end_sessions=disabled)


def reset_password(store, username: str, password: str, *, actor: str) -> None:
    """Set a new password (its open sessions end)."""
    _check_password(password)
    _update(store, username, {"password_hash": hash_password(password),
                              "password_changed_at": iso(utcnow())},
            actor=actor, action="password_reset", detail=None, end_sessions=True)


def set_role(store, username: str, role: str, *, actor: str) -> None:
    """Change an account's role (audited as ``role_changed``; its open sessions end)."""
    check_role(role)
    found = get_user(store, username)
    if found is None:
        raise AccountError(f"no user {str(username).strip()!r} (see `csi users list`).")
    old = found[0].role
    if old == role:
        raise ParameterError(f"user {found[0].username!r} already has role {role!r}.")
    _update(store, username, {"role": role}, actor=actor, action="role_changed",
            detail=f"{old} -> {role}", end_sessions=True)
