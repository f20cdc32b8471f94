"""Follow-up cases in the store: opened once per response, listed overdue first, with history.

A case is opened for a response that matches any rule of the survey's ``followup:`` block
(:mod:`csi.cases.rules`), on import and on form submission; the unique ``(survey_id,
respondent_id)`` key makes it once per response, so a re-import opens nothing new. It keeps a
summary of the response (0-100 construct scores, complaint types, the scrubbed comment,
segments), its status (``new`` -> ``contacted`` -> ``resolved`` / ``unreachable`` /
``closed``), owner, due time (opened + ``due_hours``, default 24 h) and every event.
Contact data live in the vault (:mod:`csi.cases.contacts`), only masked here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from csi.accounts.audit import iso, utcnow
from csi.cases.contacts import keep_contacts, masked_contacts
from csi.cases.rules import case_reasons, construct_score
from csi.cases.scrub import scrub_comment
from csi.errors import ParameterError
from csi.store.engine import with_retry, write_transaction
from csi.store.schema import case_events, cases
from csi.survey import Survey
from csi.vault import VaultKey, VaultKeyError

__all__ = ["STATUSES", "TRANSITIONS", "CASE_COLUMNS", "OpenedCases", "open_cases", "list_cases", "cases_for_alerts",
           "case_history", "get_case", "filter_cases", "add_event"]

STATUSES = ("new", "contacted", "resolved", "unreachable", "closed")
#: Allowed status changes (``unreachable`` may be retried; ``closed`` is final).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("contacted", "unreachable", "closed"),
    "contacted": ("resolved", "unreachable", "closed"),
    "unreachable": ("contacted", "closed"),
    "resolved": ("closed",),
    "closed": (),
}
CASE_COLUMNS = ["case_id", "survey_id", "respondent_id", "status", "owner", "overdue", "opened_at", "due_at",
                "first_contact_at", "closed_at", "source", "reasons", "wave", "complaint_types", "comment",
                "contact", "reference"]


@dataclass(frozen=True)
class OpenedCases:
    """What one intake did: cases opened, contact values kept, responses that matched no rule."""

    opened: int
    contacts_kept: int
    skipped_existing: int


def _summary(survey: Survey, frame: pd.DataFrame) -> list[dict]:
    """Per row: 0-100 construct scores, complaint types, scrubbed comment, segments, time
    (columns turned into lists first: no per-row pandas indexing)."""
    n = len(frame)

    def col(fid: str | None) -> list:
        if fid is None or fid not in frame:
            return [None] * n
        return [None if pd.isna(v) else v for v in frame[fid].tolist()]

    scores = {cid: [None if math.isnan(v) else float(v) for v in construct_score(survey, frame, cid).tolist()]
              for cid in survey.constructs}
    types = col(next((q.id for q in survey.questions if q.role == "complaint_type"), None))
    comments = col(next((q.id for q in survey.questions if q.role == "comment"), None))
    segs = {q.id: col(q.id) for q in survey.segments if q.id in frame}
    times = [None if pd.isna(t) else pd.Timestamp(t).isoformat() for t in frame["submitted_at"].tolist()]
    return [{"scores": {c: v[i] for c, v in scores.items()},
             "complaint_types": [t for t in str(types[i]).split(";") if t] if isinstance(types[i], str) else [],
             "comment": scrub_comment(comments[i]),
             "segments": {q: (None if v[i] is None else str(v[i])) for q, v in segs.items()},
             "submitted_at": times[i]} for i in range(n)]


def _consented(survey: Survey, frame: pd.DataFrame) -> pd.Series:
    fu = survey.followup
    if fu is None or not fu.keep_contact or fu.consent is None or fu.consent not in frame:
        return pd.Series(False, index=frame.index)
    return pd.to_numeric(frame[fu.consent], errors="coerce").eq(1.0)


def open_cases(store, survey: Survey, frame: pd.DataFrame, *, source: str,
               flags: Mapping[str, set[str]] | None = None,
               contact_values: Mapping[str, Mapping[str, str | None]] | None = None,
               key: VaultKey | None = None, now: datetime | None = None) -> OpenedCases:
    """Open a case for every row of ``frame`` that matches a rule and has none yet (one transaction).

    ``contact_values`` (``{respondent_id: {field: raw value}}``) are kept -- encrypted with
    ``key`` -- only for responses that open a case and whose consent answer is yes; without a
    key they are refused (:class:`~csi.vault.VaultKeyError`) before anything is written.
    """
    fu = survey.followup
    if fu is None or not len(frame):
        return OpenedCases(0, 0, 0)
    now = now or utcnow()
    reasons = case_reasons(survey, frame, flags)
    hit = reasons.map(len).gt(0).to_numpy()
    sub = frame.loc[hit]
    if not len(sub):
        return OpenedCases(0, 0, 0)
    ids = sub["respondent_id"].astype("str").tolist()
    consent = _consented(survey, sub).to_numpy()
    wanted = {}
    if contact_values and fu.keep_contact:
        wanted = {rid: contact_values[rid] for rid, ok in zip(ids, consent, strict=True)
                  if ok and rid in contact_values and any(v not in (None, "") for v in contact_values[rid].values())}
        if wanted and key is None:
            raise VaultKeyError(f"survey {survey.id!r} keeps contact data (followup.keep_contact) but "
                                "CSI_PII_KEY is not set (environment or Streamlit secrets); nothing was "
                                "stored. Set the key, or import without contact data.")
    summaries = _summary(survey, sub)
    waves = [None if pd.isna(w) else str(w) for w in sub["wave"]]
    ref_field = fu.reference
    at, due = iso(now), iso(now + timedelta(hours=float(fu.due_hours)))
    labels = reasons[hit].tolist()

    def run() -> OpenedCases:
        with write_transaction(store.engine) as conn, conn.begin():
            have: set[str] = set()
            for start in range(0, len(ids), 900):
                q = sa.select(cases.c.respondent_id).where(cases.c.survey_id == survey.id,
                                                           cases.c.respondent_id.in_(ids[start:start + 900]))
                have.update(r[0] for r in conn.execute(q))
            new = [i for i, rid in enumerate(ids) if rid not in have]
            keep = {ids[i]: wanted[ids[i]] for i in new if ids[i] in wanted}
            kept = keep_contacts(conn, survey, keep, key, now=now) if keep else 0
            masked = masked_contacts(conn, survey.id, [ids[i] for i in new], reference=True) if keep else {}
            recs = [{"survey_id": survey.id, "respondent_id": ids[i], "source": source,
                     "reasons": json.dumps(labels[i]), "status": "new", "owner": None, "opened_at": at,
                     "due_at": due, "wave": waves[i], "summary": json.dumps(summaries[i], ensure_ascii=False),
                     "reference": masked.get(ids[i], {}).get(ref_field) if ref_field else None} for i in new]
            if recs:
                conn.execute(cases.insert(), recs)  # one executemany, not a round trip per case
                opened: dict[str, int] = {}
                new_ids = [ids[i] for i in new]
                for start in range(0, len(new_ids), 900):
                    q = sa.select(cases.c.respondent_id, cases.c.id).where(
                        cases.c.survey_id == survey.id, cases.c.respondent_id.in_(new_ids[start:start + 900]))
                    opened.update((r[0], int(r[1])) for r in conn.execute(q))
                conn.execute(case_events.insert(), [{"case_id": opened[ids[i]], "at": at, "actor": "system",
                                                     "kind": "opened", "detail": ", ".join(labels[i])} for i in new])
            return OpenedCases(len(new), kept, len(ids) - len(new))

    try:
        return with_retry(run)
    except sa.exc.IntegrityError:  # the same responses' cases opened concurrently: skip them now
        return with_retry(run)


def add_event(conn, case_id: int, actor: str, kind: str, detail: str | None, now: datetime) -> None:
    """Append one history entry (inside a write transaction)."""
    conn.execute(case_events.insert().values(case_id=int(case_id), at=iso(now), actor=str(actor)[:64],
                                             kind=kind, detail=detail))


def list_cases(store, survey_id: str | None = None, *, owner: str | None = None,
               status: str | list[str] | None = None, now: datetime | None = None) -> pd.DataFrame:
    """Cases as a frame (:data:`CASE_COLUMNS` plus ``score_<construct>`` and segment columns),
    overdue first, then by due time. ``overdue``: still ``new`` after its due time. Contact
    and reference are masked."""
    now = now or utcnow()
    q = sa.select(cases)
    if survey_id is not None:
        q = q.where(cases.c.survey_id == survey_id)
    if owner is not None:
        q = q.where(cases.c.owner == owner)
    if status is not None:
        sts = [status] if isinstance(status, str) else list(status)
        bad = [s for s in sts if s not in STATUSES]
        if bad:
            raise ParameterError(f"unknown status {bad[0]!r}; expected one of {', '.join(STATUSES)}.")
        q = q.where(cases.c.status.in_(sts))
    with store.engine.connect() as conn:
        rows = conn.execute(q.order_by(cases.c.id)).all()
        by_survey: dict[str, list[str]] = {}
        for r in rows:
            by_survey.setdefault(r.survey_id, []).append(r.respondent_id)
        masked = {sid: masked_contacts(conn, sid, rids) for sid, rids in by_survey.items()}
    recs = []
    for r in rows:
        summ = json.loads(r.summary)
        m = masked.get(r.survey_id, {}).get(r.respondent_id, {})
        rec = {"case_id": r.id, "survey_id": r.survey_id, "respondent_id": r.respondent_id, "status": r.status,
               "owner": r.owner, "overdue": r.status == "new" and iso(now) > r.due_at,
               "opened_at": r.opened_at, "due_at": r.due_at, "first_contact_at": r.first_contact_at,
               "closed_at": r.closed_at, "source": r.source, "reasons": ";".join(json.loads(r.reasons)),
               "wave": r.wave, "complaint_types": ";".join(summ.get("complaint_types") or []),
               "comment": summ.get("comment"),
               "contact": "; ".join(m.values()) or None,
               "reference": r.reference}
        rec |= {f"score_{c}": v for c, v in (summ.get("scores") or {}).items()}
        rec |= {f"segment_{k}": v for k, v in (summ.get("segments") or {}).items()}
        recs.append(rec)
    frame = pd.DataFrame(recs, columns=None if recs else CASE_COLUMNS)
    if not len(frame):
        return frame
    frame = frame.sort_values(["overdue", "due_at", "case_id"], ascending=[False, True, True], kind="stable")
    return frame.reset_index(drop=True)


def filter_cases(frame: pd.DataFrame, *, complaint_type: str | None = None, segment: tuple[str, str] | None = None,
                 wave: str | list[str] | None = None, owner: str | None = None,
                 overdue_only: bool = False) -> pd.DataFrame:
    """Rows of a :func:`list_cases` frame matching every given filter (``owner="-"``: unassigned)."""
    if not len(frame):
        return frame
    mask = pd.Series(True, index=frame.index)
    if complaint_type:
        mask &= frame["complaint_types"].fillna("").str.split(";").map(lambda ts: complaint_type in ts)
    if segment is not None:
        col = f"segment_{segment[0]}"
        mask &= frame[col].astype("str").eq(str(segment[1])) if col in frame else False
    if wave:
        waves = [wave] if isinstance(wave, str) else list(wave)
        mask &= frame["wave"].isin(waves)
    if owner == "-":
        mask &= frame["owner"].isna()
    elif owner:
        mask &= frame["owner"].eq(owner)
    if overdue_only:
        mask &= frame["overdue"]
    return frame.loc[mask].reset_index(drop=True)


def get_case(store, case_id: int, *, now: datetime | None = None) -> dict:
    """One case as a dict (its stored fields, ``summary``, masked ``contact``, ``overdue``);
    ParameterError if unknown."""
    with store.engine.connect() as conn:
        r = conn.execute(sa.select(cases).where(cases.c.id == int(case_id))).first()
        if r is None:
            raise ParameterError(f"no case {case_id} (see `csi cases list`).")
        masked = masked_contacts(conn, r.survey_id, [r.respondent_id]).get(r.respondent_id, {})
    out = dict(r._mapping)
    out["case_id"] = out.pop("id")
    out["reasons"] = json.loads(out["reasons"])
    out["summary"] = json.loads(out["summary"])
    out["contact"] = "; ".join(masked.values()) or None
    out["overdue"] = r.status == "new" and iso(now or utcnow()) > r.due_at
    return out


def case_history(store, case_id: int) -> pd.DataFrame:
    """The events of a case, oldest first: ``at, actor, kind, detail``."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(case_events.c.at, case_events.c.actor, case_events.c.kind,
                                      case_events.c.detail).where(case_events.c.case_id == int(case_id))
                            .order_by(case_events.c.id)).all()
    return pd.DataFrame(rows, columns=["at", "actor", "kind", "detail"])


def cases_for_alerts(store, survey_id: str) -> pd.DataFrame:
    """The cases still waiting for a first contact (status ``new``) as ``case_id, due_at,
    status`` -- what the ``overdue_cases`` alert rule (:mod:`csi.alerts.rules`) reads; a case
    past its due time is then overdue, as on the Follow-up page."""
    frame = list_cases(store, survey_id, status="new")
    cols = ["case_id", "due_at", "status"]
    return frame[cols] if len(frame) else pd.DataFrame(columns=cols)

