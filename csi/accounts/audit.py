"""The audit log: who did what, when (logins, failed logins, reveals, exports, role changes, purges).

Entries never hold contact data: a reveal records the case, the field and the reason typed by
the user, not the value. Times are naive UTC ISO-8601 text (they sort correctly).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from csi.store.engine import with_retry, write_transaction
from csi.store.schema import audit_log

__all__ = ["AUDIT_ACTIONS", "record", "record_in", "read_audit", "utcnow", "iso"]

#: Actions written to the log (other branches may add their own).
AUDIT_ACTIONS = ("login", "login_failed", "login_refused", "logout", "session_expired", "user_added",
                 "user_disabled", "user_enabled", "password_reset", "role_changed", "contact_revealed",
                 "contact_refused", "cases_exported", "responses_exported", "case_assigned", "case_updated",
                 "contacts_purged", "key_rotated", "alert_rules_changed")


def utcnow() -> datetime:
    """Now, naive UTC (the store's time convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso(t: datetime) -> str:
    """Naive UTC datetime -> ISO-8601 text with microseconds (sorts as text)."""
    return t.isoformat(timespec="microseconds")


def record_in(conn, actor: str, action: str, *, target: str | None = None, detail: str | None = None,
              client: str | None = None, now: datetime | None = None) -> None:
    """Append one entry inside an open write transaction ``conn``."""
    conn.execute(audit_log.insert().values(
        at=iso(now or utcnow()), actor=str(actor)[:64], action=str(action)[:32],
        target=None if target is None else str(target)[:128], detail=detail,
        client=None if client is None else str(client)[:64]))


def record(store, actor: str, action: str, *, target: str | None = None, detail: str | None = None,
           client: str | None = None, now: datetime | None = None) -> None:
    """Append one entry to the audit log of ``store`` (its own transaction)."""
    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            record_in(conn, actor, action, target=target, detail=detail, client=client, now=now)
    with_retry(run)


def read_audit(store, *, limit: int | None = 500, action: str | None = None,
               actor: str | None = None) -> pd.DataFrame:
    """The newest entries first: ``id, at, actor, action, target, detail, client``."""
    cols = ["id", "at", "actor", "action", "target", "detail", "client"]
    q = sa.select(*[audit_log.c[c] for c in cols]).order_by(audit_log.c.id.desc())
    if action is not None:
        q = q.where(audit_log.c.action == action)
    if actor is not None:
        q = q.where(audit_log.c.actor == actor)
    if limit is not None:
        q = q.limit(int(limit))
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
    return pd.DataFrame(rows, columns=cols, dtype=object)
