"""Opening cases where responses arrive: after an import batch, and after a form submission.

Both paths store the response first (as before), then open its case in a second transaction;
both are idempotent (one case per response), so running them again -- a re-import, a double
click -- opens nothing new. :func:`contact_key` decides up front whether contact data may be
kept: a survey that keeps contact data needs ``CSI_PII_KEY``, otherwise keeping is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from csi.accounts.audit import record
from csi.cases.flags import comment_flag_sets
from csi.cases.store import OpenedCases, open_cases
from csi.store.frames import _rows_to_frame
from csi.store.schema import responses
from csi.survey import Survey
from csi.vault import VaultKey, require_key

__all__ = ["keeps_contact", "contact_key", "contacts_offered", "cases_after_import", "cases_after_submission"]


def keeps_contact(survey: Survey) -> bool:
    """True when the survey opts in to keeping contact data (``followup.keep_contact``)."""
    return survey.followup is not None and survey.followup.keep_contact


def contact_key(survey: Survey, env: Mapping[str, str] | None = None,
                secrets: Mapping[str, object] | None = None) -> VaultKey | None:
    """The vault key when ``survey`` keeps contact data (VaultKeyError if unset), else None."""
    if not keeps_contact(survey):
        return None
    return require_key(env, secrets, why=f"survey {survey.id!r} keeps contact data (followup.keep_contact); this")


def contacts_offered(survey: Survey, valid: pd.DataFrame, contacts: pd.DataFrame | None) -> int:
    """How many valid rows carry a contact value *and* consent (what keeping would store)."""
    fu = survey.followup
    if contacts is None or not len(contacts.columns) or fu is None or fu.consent not in valid:
        return 0
    has = contacts.notna().any(axis=1)
    ok = pd.to_numeric(valid[fu.consent], errors="coerce").eq(1.0)
    return int((has & ok.reindex(has.index, fill_value=False)).sum())


def cases_after_import(store, survey: Survey, result, summary, *, key: VaultKey | None,
                       now: datetime | None = None) -> OpenedCases:
    """Open the cases of the rows an import batch stored (``result``: ImportResult, ``summary``:
    BatchSummary). Contact values (``result.contacts``) are kept for consenting responses."""
    if survey.followup is None or summary.already_imported or not summary.imported:
        return OpenedCases(0, 0, 0)
    with store.engine.connect() as conn:
        stored = set(conn.execute(sa.select(responses.c.respondent_id)
                                  .where(responses.c.batch_id == summary.batch_id)).scalars())
    valid = result.valid
    mine = valid.loc[valid["respondent_id"].astype("str").isin(stored)]
    values = None
    if key is not None and result.contacts is not None and len(result.contacts.columns):
        c = result.contacts.loc[mine.index]
        values = {str(rid): {f: v for f, v in row.items() if isinstance(v, str)}
                  for rid, row in zip(mine["respondent_id"], c.to_dict("records"), strict=True)}
    return open_cases(store, survey, mine, source="import", flags=comment_flag_sets(survey, mine),
                      contact_values=values, key=key, now=now)


def cases_after_submission(store, survey: Survey, respondent_id: str, answers: Mapping[str, object], *,
                           key: VaultKey | None, now: datetime | None = None) -> OpenedCases:
    """Open the case of one stored form submission (``answers``: what the form sent).

    Without a key, a consenting respondent's contact is not kept (the response and its case
    are; the audit log records ``contact_refused``) -- the respondent is not turned away.
    """
    if survey.followup is None:
        return OpenedCases(0, 0, 0)
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(responses.c.respondent_id, responses.c.submitted_at, responses.c.wave,
                                        responses.c.answers)
                              .where(responses.c.survey_id == survey.id,
                                     responses.c.respondent_id == str(respondent_id))).all()
    row = _rows_to_frame(survey, [tuple(r) for r in stored])
    if not len(row):
        return OpenedCases(0, 0, 0)
    values = {str(respondent_id): {f: str(answers[f]).strip() for f in survey.pii_fields
                                   if answers.get(f) not in (None, "")}}
    if key is None:
        if values[str(respondent_id)] and keeps_contact(survey):
            record(store, "form", "contact_refused", target=str(respondent_id),
                   detail="no CSI_PII_KEY: contact not kept")
        values = None
    return open_cases(store, survey, row, source="form", flags=comment_flag_sets(survey, row),
                      contact_values=values, key=key, now=now)
