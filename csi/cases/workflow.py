"""Working a case: assign, change status, add notes, reveal the contact, export -- each checked
against the actor's role (:func:`csi.accounts.roles.can`) and recorded in the case history and,
for reveals, exports and assignments, in the audit log.

An agent may only touch cases assigned to them; an admin any case; analysts and viewers none.
A reveal shows one case's contact values, needs a typed reason (logged, the values are not)
and the vault key.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from csi.accounts.audit import iso, record_in, utcnow
from csi.accounts.roles import can
from csi.accounts.users import ENV_ADMIN
from csi.cases.contacts import reveal_values
from csi.cases.store import STATUSES, TRANSITIONS, add_event, get_case
from csi.errors import CsiError, ParameterError
from csi.store.engine import with_retry, write_transaction
from csi.store.schema import cases, users
from csi.vault import VaultKey, require_key

__all__ = ["CaseAccessError", "Actor", "assign_cases", "update_case", "reveal_contact", "export_cases",
           "EXPORT_COLUMNS", "MIN_REASON_LENGTH"]

MIN_REASON_LENGTH = 4
#: Columns of a case export (contact and reference masked).
EXPORT_COLUMNS = ["case_id", "survey_id", "status", "owner", "overdue", "opened_at", "due_at",
                  "first_contact_at", "closed_at", "reasons", "wave", "complaint_types", "comment",
                  "contact", "reference"]


class CaseAccessError(CsiError, PermissionError):
    """The actor's role does not allow this on this case."""


class Actor:
    """Who acts: ``username``, ``role`` and the ``client`` address (for the audit log)."""

    def __init__(self, username: str, role: str, client: str | None = None):
        self.username, self.role, self.client = username, role, client

    def __repr__(self) -> str:
        return f"Actor({self.username!r}, {self.role!r})"


def _require(actor: Actor, action: str, owner: str | None, case_id: int | None = None) -> None:
    if not can(actor.role, action, user=actor.username, owner=owner):
        what = f"case {case_id}" if case_id is not None else "cases"
        mine = " (it is not assigned to you)" if actor.role == "agent" and case_id is not None else ""
        raise CaseAccessError(f"{actor.username} ({actor.role}) may not {action.replace('_', ' ')} on {what}{mine}.")


def assign_cases(store, case_ids: list[int], owner: str | None, *, actor: Actor,
                 now: datetime | None = None) -> int:
    """Give cases to ``owner`` (an enabled agent or admin; None: unassign). Returns cases changed."""
    _require(actor, "assign_cases", None)
    now = now or utcnow()
    ids = sorted({int(c) for c in case_ids})
    if not ids:
        raise ParameterError("no case ids given.")

    def run() -> int:
        with write_transaction(store.engine) as conn, conn.begin():
            if owner is not None and owner != ENV_ADMIN:
                u = conn.execute(sa.select(users.c.role, users.c.disabled).where(users.c.username == owner)).first()
                if u is None or u.disabled or u.role not in ("agent", "admin"):
                    raise ParameterError(f"cases can be assigned to enabled agents or admins; {owner!r} is "
                                         f"{'unknown' if u is None else ('disabled' if u.disabled else 'a ' + u.role)}.")
            found = {r[0]: r[1] for r in conn.execute(sa.select(cases.c.id, cases.c.owner).where(cases.c.id.in_(ids)))}
            missing = [c for c in ids if c not in found]
            if missing:
                raise ParameterError(f"no case {missing[0]} (see `csi cases list`); nothing was assigned.")
            changed = [c for c in ids if found[c] != owner]
            if changed:
                conn.execute(cases.update().where(cases.c.id.in_(changed)).values(owner=owner))
            for c in changed:
                add_event(conn, c, actor.username, "assigned", f"{found[c] or '-'} -> {owner or '-'}", now)
            if changed:
                record_in(conn, actor.username, "case_assigned", target=",".join(map(str, changed))[:128],
                          detail=f"to {owner or '(nobody)'}: {len(changed)} case(s)", client=actor.client, now=now)
            return len(changed)

    return with_retry(run)


def update_case(store, case_id: int, *, actor: Actor, status: str | None = None, note: str | None = None,
                now: datetime | None = None) -> dict:
    """Change a case's status and/or add a note; returns the updated case.

    Status changes follow :data:`~csi.cases.store.TRANSITIONS`; the first move to ``contacted``
    sets ``first_contact_at``, ``resolved``/``closed`` set ``closed_at``.
    """
    now = now or utcnow()
    if status is None and not (note and note.strip()):
        raise ParameterError("nothing to update: give a status or a note.")
    if status is not None and status not in STATUSES:
        raise ParameterError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}.")

    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            r = conn.execute(sa.select(cases).where(cases.c.id == int(case_id))).first()
            if r is None:
                raise ParameterError(f"no case {case_id} (see `csi cases list`).")
            _require(actor, "update_case", r.owner, case_id)
            if status is not None and status != r.status:
                if status not in TRANSITIONS[r.status]:
                    raise ParameterError(f"case {case_id} is {r.status!r}; it can move to "
                                         f"{', '.join(TRANSITIONS[r.status]) or 'nothing (closed is final)'}, "
                                         f"not {status!r}.")
                values: dict = {"status": status}
                if status == "contacted" and r.first_contact_at is None:
                    values["first_contact_at"] = iso(now)
                if status in ("resolved", "closed") and r.closed_at is None:
                    values["closed_at"] = iso(now)
                conn.execute(cases.update().where(cases.c.id == r.id).values(**values))
                add_event(conn, r.id, actor.username, "status", f"{r.status} -> {status}", now)
                record_in(conn, actor.username, "case_updated", target=str(r.id),
                          detail=f"status {r.status} -> {status}", client=actor.client, now=now)
            if note and note.strip():
                add_event(conn, r.id, actor.username, "note", note.strip()[:2000], now)

    with_retry(run)
    return get_case(store, case_id)


def reveal_contact(store, case_id: int, *, actor: Actor, reason: str, key: VaultKey | None = None,
                   now: datetime | None = None) -> dict[str, str]:
    """The plain contact values of one case (``{field: value}``), for an allowed actor with a reason.

    Audited as ``contact_revealed`` (case, fields, reason -- never the values), and as
    ``contact_refused`` when refused for want of a key.
    """
    now = now or utcnow()
    case = get_case(store, case_id)
    _require(actor, "reveal_contact", case["owner"], case_id)
    why = (reason or "").strip()
    if len(why) < MIN_REASON_LENGTH:
        raise ParameterError(f"say why you reveal the contact (at least {MIN_REASON_LENGTH} characters); "
                             "the reason is logged.")
    if key is None:
        try:
            key = require_key(why="showing contact data")
        except CsiError:
            def refused() -> None:
                with write_transaction(store.engine) as conn, conn.begin():
                    record_in(conn, actor.username, "contact_refused", target=str(case_id),
                              detail="no CSI_PII_KEY", client=actor.client, now=now)
            with_retry(refused)
            raise
    with store.engine.connect() as conn:
        values = reveal_values(conn, case["survey_id"], case["respondent_id"], key)

    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            fields = ", ".join(values) or "(no contact kept)"
            add_event(conn, case_id, actor.username, "revealed", f"{fields}: {why[:500]}", now)
            record_in(conn, actor.username, "contact_revealed", target=str(case_id),
                      detail=f"fields {fields}; reason: {why[:500]}", client=actor.client, now=now)

    with_retry(run)
    return values


def export_cases(store, frame: pd.DataFrame, *, actor: Actor, now: datetime | None = None) -> pd.DataFrame:
    """The cases of a :func:`~csi.cases.store.list_cases` frame the actor may see, export columns
    only (contact and reference masked); audited as ``cases_exported``."""
    _require(actor, "export_cases", actor.username)
    out = frame if actor.role == "admin" else frame.loc[frame["owner"].eq(actor.username)]
    out = out.reindex(columns=EXPORT_COLUMNS).reset_index(drop=True)

    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            record_in(conn, actor.username, "cases_exported", detail=f"{len(out)} case(s), contact masked",
                      client=actor.client, now=now)

    with_retry(run)
    return out
