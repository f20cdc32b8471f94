"""Contact data of follow-up cases in the store: kept encrypted, read masked, revealed one at a time.

Rows of ``contacts`` hold one field of one response: the AES-GCM ciphertext
(:mod:`csi.vault`), the ``key_id`` it was sealed with, the kind (phone, email, ..., reference)
and the masked text shown everywhere (``138****5678``). Plain values exist only in memory:
when a case opens, and when an agent or admin reveals a case (:mod:`csi.cases.access`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa

from csi.accounts.audit import iso, record_in, utcnow
from csi.errors import ParameterError
from csi.store.engine import with_retry, write_transaction
from csi.store.schema import cases, contacts, invitations
from csi.survey import Survey
from csi.vault import VaultKey, VaultKeyError, decrypt, encrypt, mask

__all__ = ["contact_kinds", "keep_contacts", "masked_contacts", "reveal_values", "purge_contacts",
           "rotate_key"]


def contact_kinds(survey: Survey) -> dict[str, str]:
    """Kept field id -> kind (``phone``, ``email``, ..., ``reference`` for the case reference)."""
    fu = survey.followup
    if fu is None:
        return {}
    pii = {q.id: (q.pii or "other") for q in survey.questions if q.pii is not None or q.role == "contact"}
    fields = fu.contact_fields if fu.contact_fields is not None else [f for f in pii if f != fu.reference]
    out = {f: pii[f] for f in fields if f in pii}
    if fu.reference is not None:
        out[fu.reference] = "reference"
    return out


def keep_contacts(conn, survey: Survey, values: Mapping[str, Mapping[str, str | None]], key: VaultKey,
                  *, now: datetime | None = None) -> int:
    """Encrypt and insert ``{respondent_id: {field: value}}`` (inside a write transaction).

    Fields already kept for a respondent are left as they are; returns the rows written.
    """
    kinds = contact_kinds(survey)
    at = iso(now or utcnow())
    recs = []
    ids = list(values)
    have: set[tuple[str, str]] = set()
    for start in range(0, len(ids), 900):
        q = sa.select(contacts.c.respondent_id, contacts.c.field).where(
            contacts.c.survey_id == survey.id, contacts.c.respondent_id.in_(ids[start:start + 900]))
        have.update((r[0], r[1]) for r in conn.execute(q))
    for rid, fields in values.items():
        for fid, value in fields.items():
            if value is None or str(value).strip() == "" or fid not in kinds or (rid, fid) in have:
                continue
            text = str(value).strip()
            recs.append({"survey_id": survey.id, "respondent_id": rid, "field": fid, "kind": kinds[fid],
                         "masked": mask(text, kinds[fid]), "key_id": key.key_id,
                         "ciphertext": encrypt(key, text, survey_id=survey.id, respondent_id=rid, field_id=fid),
                         "created_at": at})
    if recs:
        conn.execute(contacts.insert(), recs)
    return len(recs)


def masked_contacts(conn, survey_id: str, respondent_ids: list[str], *,
                    reference: bool = False) -> dict[str, dict[str, str]]:
    """``{respondent_id: {field: masked text}}`` for the given respondents (the case reference
    only with ``reference=True``)."""
    out: dict[str, dict[str, str]] = {}
    for start in range(0, len(respondent_ids), 900):
        q = sa.select(contacts.c.respondent_id, contacts.c.field, contacts.c.masked).where(
            contacts.c.survey_id == survey_id, contacts.c.respondent_id.in_(respondent_ids[start:start + 900]))
        if not reference:
            q = q.where(contacts.c.kind != "reference")
        for rid, fid, masked in conn.execute(q):
            out.setdefault(rid, {})[fid] = masked
    return out


def reveal_values(conn, survey_id: str, respondent_id: str, key: VaultKey) -> dict[str, str]:
    """The plain contact values of one response (``{field: value}``; VaultKeyError on a wrong key)."""
    q = sa.select(contacts.c.field, contacts.c.key_id, contacts.c.ciphertext).where(
        contacts.c.survey_id == survey_id, contacts.c.respondent_id == respondent_id).order_by(contacts.c.id)
    return {fid: decrypt(key, blob, survey_id=survey_id, respondent_id=respondent_id, field_id=fid, key_id=kid)
            for fid, kid, blob in conn.execute(q)}


def purge_contacts(store, older_than_days: float, *, actor: str, now: datetime | None = None) -> int:
    """Delete contact data kept longer than ``older_than_days`` days (and the masked case
    reference of a purged reference, and the order numbers of invitations made before the
    cutoff); audited; returns the contact values deleted (order numbers not counted)."""
    if not older_than_days >= 0:
        raise ParameterError(f"The 'older_than' parameter of purge must be a number >= 0 (days). "
                             f"Got {older_than_days!r} instead.")
    now = now or utcnow()
    cutoff = iso(now - timedelta(days=float(older_than_days)))

    def run() -> int:
        with write_transaction(store.engine) as conn, conn.begin():
            refs = conn.execute(sa.select(contacts.c.survey_id, contacts.c.respondent_id).where(
                contacts.c.created_at < cutoff, contacts.c.kind == "reference")).all()
            for sid, rid in refs:  # the masked case reference goes with it
                conn.execute(cases.update().where(cases.c.survey_id == sid, cases.c.respondent_id == rid)
                             .values(reference=None))
            n = conn.execute(contacts.delete().where(contacts.c.created_at < cutoff)).rowcount
            n_orders = conn.execute(invitations.update().where(
                invitations.c.created_at < cutoff, invitations.c.order_ref_enc.is_not(None)).values(
                order_ref_enc=None, order_ref_hash=None, order_ref_masked=None, order_key_id=None)).rowcount
            record_in(conn, actor, "contacts_purged", now=now,
                      detail=f"{n} contact value(s) kept before {cutoff[:19]} deleted (older than {older_than_days:g} days)"
                             + (f"; {n_orders} invitation order number(s) deleted" if n_orders else ""))
            return int(n)

    return with_retry(run)


def rotate_key(store, old: VaultKey, new: VaultKey, *, actor: str, now: datetime | None = None) -> int:
    """Re-encrypt every contact row sealed with ``old`` under ``new``, in one transaction, and
    the invitations' order numbers with them (ciphertext and keyed look-up hash).

    Rows already under ``new`` are left alone; a row under any other key stops the rotation
    before anything changes (:class:`VaultKeyError` naming that key). Returns the rows rotated
    (contact values plus order numbers).
    """
    if old.key_id == new.key_id:
        raise VaultKeyError("the old and the new CSI_PII_KEY are the same key; nothing to rotate.")

    def run() -> int:
        with write_transaction(store.engine) as conn, conn.begin():
            other = conn.execute(sa.select(contacts.c.key_id, sa.func.count()).where(
                contacts.c.key_id.not_in([old.key_id, new.key_id])).group_by(contacts.c.key_id)).all()
            other += conn.execute(sa.select(invitations.c.order_key_id, sa.func.count()).where(
                invitations.c.order_key_id.not_in([old.key_id, new.key_id]))
                .group_by(invitations.c.order_key_id)).all()
            if other:
                raise VaultKeyError(f"{sum(r[1] for r in other)} contact value(s) are under key(s) "
                                    f"{', '.join(r[0] for r in other)}, neither the old ({old.key_id}) nor "
                                    f"the new ({new.key_id}) key; nothing was changed.")
            rows = conn.execute(sa.select(contacts.c.id, contacts.c.survey_id, contacts.c.respondent_id,
                                          contacts.c.field, contacts.c.ciphertext)
                                .where(contacts.c.key_id == old.key_id)).all()
            for rid_, sid, resp, fid, blob in rows:
                plain = decrypt(old, blob, survey_id=sid, respondent_id=resp, field_id=fid)
                conn.execute(contacts.update().where(contacts.c.id == rid_).values(
                    key_id=new.key_id, ciphertext=encrypt(new, plain, survey_id=sid, respondent_id=resp,
                                                          field_id=fid)))
            n_orders = _rotate_order_refs(conn, old, new)
            record_in(conn, actor, "key_rotated", now=now,
                      detail=f"{len(rows)} contact value(s) and {n_orders} invitation order number(s) "
                             f"re-encrypted: key {old.key_id} -> {new.key_id}")
            return len(rows) + n_orders

    return with_retry(run)


def _rotate_order_refs(conn, old: VaultKey, new: VaultKey) -> int:
    """Re-seal the invitations' order numbers under ``new`` (inside the rotation's transaction)."""
    from csi.invite.order_refs import open_order_ref, seal_order_refs

    rows = conn.execute(sa.select(invitations.c.id, invitations.c.survey_id, invitations.c.token_hash,
                                  invitations.c.order_ref_enc)
                        .where(invitations.c.order_key_id == old.key_id)).all()
    for iid, sid, th, blob in rows:
        plain = open_order_ref(old, blob, survey_id=sid, token_hash=th)
        (cols,) = seal_order_refs(new, [plain], [th], survey_id=sid)
        conn.execute(invitations.update().where(invitations.c.id == iid).values(**cols))
    return len(rows)
