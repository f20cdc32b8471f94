"""Invitations in the store: create single-use tokens, look them up, answer each once.

Only ``sha256(token)`` is stored (:mod:`csi.invite.tokens`); the plain token exists in the
link handed to the respondent and in the ``csi invite --json`` output, nowhere else. A token
carries the order reference and segment values of its order (``prefill``); the form does not
ask those, and the response stores them (:func:`invitation_answers`). The order number is
kept encrypted (:mod:`csi.invite.order_refs`: vault ciphertext, keyed look-up hash, masked
text), so making invitations from an order file, and reading an order number back, need
``CSI_PII_KEY``. The order reference goes
to the survey's case-reference field (``followup.reference``, a ``pii: other`` question kept
only in the encrypted contact vault, as in ``surveys/ecommerce_csi.yaml``), else to a field
named ``order_ref``.

Answering is atomic: the response insert and ``completed_at`` are one transaction, guarded
by ``UPDATE ... WHERE completed_at IS NULL``, so two tabs submitting one token store one
response (the other gets :class:`InvitationError` with ``state="answered"``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from csi.errors import CsiError
from csi.invite.order_refs import open_order_ref, order_key, order_ref_hashes, seal_order_refs
from csi.invite.tokens import form_url, hash_token, looks_like_token, new_token
from csi.store.engine import with_retry, write_transaction
from csi.store.schema import invitations
from csi.survey.survey import Survey
from csi.vault import VaultKey, VaultKeyError, mask, vault_key

__all__ = ["Invitation", "TokenCheck", "InvitationError", "create_invitations", "already_invited", "check_token",
           "mark_opened", "invitation_answers", "submit_with_token", "invitation_status", "response_rates"]

TOKEN_STATES = ("valid", "answered", "expired", "unknown")
_log = logging.getLogger(__name__)


class InvitationError(CsiError, ValueError):
    """A token that cannot be answered: ``state`` is ``answered``, ``expired`` or ``unknown``."""

    def __init__(self, state: str, message: str | None = None):
        self.state = state
        super().__init__(message or f"the invitation is {state}")


@dataclass(frozen=True)
class Invitation:
    """A new invitation as handed out: the plain ``token`` and its full ``url``."""

    token: str
    url: str
    order_ref: str | None = None
    channel: str | None = None
    wave: str | None = None
    prefill: dict = field(default_factory=dict)
    expires_at: str | None = None


@dataclass(frozen=True)
class TokenCheck:
    """The state of a token (``valid``, ``answered``, ``expired`` or ``unknown``) and what it
    carries (empty for an unknown token)."""

    state: str
    order_ref: str | None = None
    prefill: dict = field(default_factory=dict)
    wave: str | None = None
    channel: str | None = None
    has_order: bool = False


def _now(now: datetime | None = None) -> str:
    t = now if now is not None else datetime.now(UTC)
    return t.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") if t.tzinfo else \
        t.isoformat(timespec="seconds")


def _quarter(now: datetime | None) -> str:
    t = now or datetime.now(UTC)
    return f"{t.year}Q{(t.month - 1) // 3 + 1}"


def create_invitations(store, survey: Survey, *, count: int | None = None,
                       orders: pd.DataFrame | None = None, channel: str | None = None,
                       expires_days: float | None = None, wave: str | None = None,
                       base_url: str | None = None, key: VaultKey | None = None,
                       now: datetime | None = None) -> list[Invitation]:
    """Make ``count`` single-use invitations (or one per row of ``orders``) in one transaction.

    Parameters
    ----------
    orders : DataFrame, optional
        From :func:`csi.invite.orders.read_orders`: ``order_ref`` and segment columns
        (option codes), optionally ``wave``. Orders already invited for this survey are an
        error (one link per order; :func:`already_invited` finds them first).
    channel : str, optional
        Channel of every invitation (an option code of the survey's ``channel`` question when
        it has one, e.g. ``jd``; stored with the invitation and, as a segment value, with the
        response). A ``channel`` column of ``orders`` wins row by row.
    expires_days : float, optional
        Days until the links expire (never by default).
    wave : str, optional
        Wave label of the invitations (default: the current calendar quarter, ``2026Q4``).
    key : VaultKey, optional
        The contact-vault key the order numbers are sealed with (default: from ``CSI_PII_KEY``;
        :class:`csi.vault.VaultKeyError` when order numbers are given and no key is set).

    Returns
    -------
    list of Invitation
        With the plain tokens -- the only place they appear.
    """
    if orders is None and count is None:
        raise CsiError("give the number of invitations (--count N) or an order file (--orders FILE)")
    if orders is not None and count is not None and count != len(orders):
        raise CsiError(f"--count {count} does not match the {len(orders)} orders of the order file; "
                       "omit --count to invite every order")
    n = len(orders) if orders is not None else int(count)
    if n < 1 or n > 100_000:
        raise CsiError(f"The 'count' parameter of create_invitations must be an int in the range "
                       f"[1, 100000]. Got {n} instead.")
    if expires_days is not None and not expires_days > 0:
        raise CsiError(f"The 'expires' parameter must be a positive number of days. Got {expires_days} instead.")
    seg_ids = {q.id for q in survey.segments}
    if channel is not None and "channel" in survey.question_map:
        from csi.invite.orders import segment_code

        code = segment_code(survey, "channel", channel)
        if code is None:
            opts = ", ".join(str(o.code) for o in survey.question_map["channel"].options)
            raise CsiError(f"unknown channel {channel!r} for survey {survey.id!r}; expected one of {opts}")
        channel = code
    created = _now(now)
    expires = None
    if expires_days is not None:
        base = now or datetime.now(UTC)
        expires = _now(base + timedelta(days=float(expires_days)))
    default_wave = wave or _quarter(now)
    rows = orders.to_dict("records") if orders is not None else [{} for _ in range(n)]
    if any(r.get("order_ref") for r in rows):
        key = order_key(key)
    out, recs = [], []
    for r in rows:
        prefill = {k: v for k, v in r.items() if k in seg_ids and v is not None and v == v}
        ch = prefill.get("channel", channel)
        if ch is not None and "channel" in seg_ids:
            prefill["channel"] = ch
        w = r.get("wave") or default_wave
        token = new_token()
        out.append(Invitation(token, form_url(survey.id, token, base=base_url), r.get("order_ref"), ch, w,
                              prefill, expires))
        recs.append({"survey_id": survey.id, "token_hash": hash_token(token), "wave": w, "channel": ch,
                     "prefill": json.dumps(prefill) if prefill else None,
                     "created_at": created, "expires_at": expires})
    refs = [inv.order_ref for inv in out]
    if key is not None:
        for rec, cols in zip(recs, seal_order_refs(key, refs, [r["token_hash"] for r in recs],
                                                   survey_id=survey.id), strict=True):
            rec.update(cols)
    hashes = [r["order_ref_hash"] for r in recs if r.get("order_ref_hash")]

    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            if hashes:
                _check_one_key(conn, survey.id, key)
                done = _invited_hashes(conn, survey.id, hashes)
                if done:
                    few = ", ".join([mask(str(r), "reference") for r, rec in zip(refs, recs, strict=True)
                                     if rec.get("order_ref_hash") in done][:5])
                    raise CsiError(f"{len(done)} order(s) already have an invitation for survey "
                                   f"{survey.id!r} (e.g. {few}); remove them from the order file")
            try:
                conn.execute(invitations.insert(), recs)
            except sa.exc.IntegrityError:  # another run invited one of these orders meanwhile
                raise CsiError(f"an order of this file got an invitation for survey {survey.id!r} from "
                               "another run at the same time; run csi invite again to invite the rest") from None

    with_retry(run)
    return out


def _invited_hashes(conn, survey_id: str, hashes: list[str]) -> set[str]:
    done: set[str] = set()
    for start in range(0, len(hashes), 900):
        done |= set(conn.execute(sa.select(invitations.c.order_ref_hash).where(
            invitations.c.survey_id == survey_id,
            invitations.c.order_ref_hash.in_(hashes[start:start + 900]))).scalars())
    return done


def _check_one_key(conn, survey_id: str, key: VaultKey) -> None:
    """Look-up hashes compare only under one key: refuse while older rows are under another."""
    other = conn.execute(sa.select(invitations.c.order_key_id, sa.func.count()).where(
        invitations.c.survey_id == survey_id, invitations.c.order_key_id.is_not(None),
        invitations.c.order_key_id != key.key_id).group_by(invitations.c.order_key_id)).all()
    if other:
        raise VaultKeyError(f"{sum(r[1] for r in other)} invitation order number(s) of survey {survey_id!r} "
                            f"are under key(s) {', '.join(r[0] for r in other)}, not CSI_PII_KEY's key "
                            f"{key.key_id}; set the right key or run `csi rotate-key`.")


def already_invited(store, survey: Survey, orders: pd.DataFrame, *,
                    key: VaultKey | None = None) -> pd.DataFrame:
    """The orders of ``orders`` (from :func:`csi.invite.orders.read_orders`) that already have
    an invitation for ``survey``: columns ``row`` (the order's first row in its file, 1 = first
    data row; else its position) and ``order_ref`` masked (``32***89``). Needs the vault key
    (``key`` or ``CSI_PII_KEY``) when any order number is given."""
    refs = [str(r) for r in orders["order_ref"]] if "order_ref" in orders else []
    rows = [int(i) for i in orders.index] if orders.index.name == "row" else list(range(1, len(refs) + 1))
    if not any(refs):
        return pd.DataFrame({"row": pd.Series(dtype=int), "order_ref": pd.Series(dtype=str)})
    key = order_key(key)
    hashes = order_ref_hashes(key, refs, survey_id=survey.id)
    with store.engine.connect() as conn:
        _check_one_key(conn, survey.id, key)
        done = _invited_hashes(conn, survey.id, hashes)
    hit = [(row, mask(ref, "reference")) for row, ref, h in zip(rows, refs, hashes, strict=True) if h in done]
    return pd.DataFrame(hit, columns=["row", "order_ref"]).astype({"row": int})


def _order_of(row, key: VaultKey | None) -> str | None:
    """The plain order number of an invitation row (None without one or without the key)."""
    if row.order_ref_enc is None or key is None:
        return None
    return open_order_ref(key, row.order_ref_enc, survey_id=row.survey_id, token_hash=row.token_hash,
                          key_id=row.order_key_id)


def _lookup(conn, survey: Survey, token: str | None):
    if not looks_like_token(token):
        return None
    return conn.execute(sa.select(invitations).where(
        invitations.c.survey_id == survey.id, invitations.c.token_hash == hash_token(token))).first()


def _state(row, now: str) -> str:
    if row is None:
        return "unknown"
    if row.completed_at is not None:
        return "answered"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "valid"


def check_token(store, survey: Survey, token: str | None, *, key: VaultKey | None = None,
                now: datetime | None = None) -> TokenCheck:
    """What ``token`` is for ``survey``: valid (with its order and segment values), already
    answered, expired or unknown. A token of another survey is unknown.

    The order number is decrypted with ``key`` (default: ``CSI_PII_KEY``); without a key, or
    with a wrong one (logged as a warning, without the number), it is None and ``has_order``
    says one exists -- the respondent can still answer, and the invitation row still links
    order and response through ``respondent_id``."""
    with store.engine.connect() as conn:
        row = _lookup(conn, survey, token)
    state = _state(row, _now(now))
    if row is None:
        return TokenCheck(state)
    has_order = row.order_ref_enc is not None
    if key is None and has_order and state == "valid":
        key = vault_key()
    order = None
    if state == "valid":
        try:
            order = _order_of(row, key)
        except VaultKeyError as exc:  # the respondent still answers; staff see why in the log
            _log.warning("invitation %s of survey %s: order number not read (%s)", row.id, survey.id, exc)
    return TokenCheck(state, order, json.loads(row.prefill) if row.prefill else {}, row.wave,
                      row.channel, has_order)


def mark_opened(store, survey: Survey, token: str | None, *, now: datetime | None = None) -> None:
    """Record the first visit of a token's link (``opened_at``; later visits change nothing)."""
    if not looks_like_token(token):
        return

    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            conn.execute(invitations.update().where(
                invitations.c.survey_id == survey.id, invitations.c.token_hash == hash_token(token),
                invitations.c.opened_at.is_(None)).values(opened_at=_now(now)))

    with_retry(run)


def order_ref_field(survey: Survey) -> str | None:
    """The field an invitation's order reference is stored in: the case reference
    (``followup.reference``) when the survey names one, else ``order_ref`` when it exists."""
    fu = survey.followup
    if fu is not None and fu.reference is not None:
        return fu.reference
    return "order_ref" if "order_ref" in survey.field_ids else None


def invitation_answers(survey: Survey, check: TokenCheck, answers: dict) -> dict:
    """``answers`` plus what the invitation carries: its segment values and its order
    reference (:func:`order_ref_field`); the invitation's values win."""
    given = dict(answers) | dict(check.prefill)
    target = order_ref_field(survey)
    if check.order_ref and target is not None:
        given[target] = check.order_ref
    return given


def submit_with_token(store, survey: Survey, token: str, answers: dict, *, submission_key: str,
                      key: VaultKey | None = None, now: datetime | None = None) -> str:
    """Store the one response of an invitation; return its respondent id.

    The token's segment values and order reference are added to ``answers``
    (:func:`invitation_answers`; they win over answers given for the same fields; the order
    number decrypted with ``key``, default ``CSI_PII_KEY``). A double click (same
    ``submission_key``) returns the first response's id; any other second submission raises.

    Raises
    ------
    InvitationError
        ``state`` ``answered`` (nothing stored), ``expired`` or ``unknown``.
    """
    check = check_token(store, survey, token, key=key, now=now)
    if check.state == "answered":  # the same form instance submitting twice (double click)?
        from csi.store.schema import responses

        with store.engine.connect() as conn:
            prev = conn.execute(sa.select(responses.c.respondent_id).where(
                responses.c.survey_id == survey.id,
                responses.c.submission_key == str(submission_key)[:128])).first()
        if prev is not None:
            return str(prev[0])
    if check.state != "valid":
        raise InvitationError(check.state)
    given = invitation_answers(survey, check, answers)
    h = hash_token(token)
    stamp = _now(now)

    def claim(conn, rid: str) -> None:
        res = conn.execute(invitations.update().where(
            invitations.c.survey_id == survey.id, invitations.c.token_hash == h,
            invitations.c.completed_at.is_(None),
            sa.or_(invitations.c.expires_at.is_(None), invitations.c.expires_at > stamp))
            .values(completed_at=stamp, respondent_id=rid,
                    opened_at=sa.func.coalesce(invitations.c.opened_at, stamp)))
        if res.rowcount != 1:
            raise InvitationError("answered")

    return store.submit_response(survey, given, submission_key=submission_key, claim=claim)


def invitation_status(store, survey: Survey | str, *, mask_orders: bool = True,
                      key: VaultKey | None = None) -> pd.DataFrame:
    """One row per invitation of the survey (no tokens, no hashes): ``invitation_id, wave,
    channel, order_ref, created_at, expires_at, opened_at, completed_at, respondent_id``.

    ``order_ref`` is masked as the follow-up case shows its reference (``32***89``,
    :func:`csi.vault.mask`); ``mask_orders=False`` decrypts it with ``key`` (default
    ``CSI_PII_KEY``; :class:`csi.vault.VaultKeyError` when unset or wrong)."""
    sid = survey if isinstance(survey, str) else survey.id
    cols = ["id", "wave", "channel", "order_ref_masked", "created_at", "expires_at", "opened_at",
            "completed_at", "respondent_id"]
    extra = ["survey_id", "token_hash", "order_ref_enc", "order_key_id"]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*[invitations.c[c] for c in cols + extra])
                            .where(invitations.c.survey_id == sid).order_by(invitations.c.id)).all()
    out = pd.DataFrame([r[:len(cols)] for r in rows], columns=["invitation_id"] + cols[1:])
    out = out.rename(columns={"order_ref_masked": "order_ref"})
    if not mask_orders and any(r.order_ref_enc is not None for r in rows):
        key = key if key is not None else order_key(None)
        out["order_ref"] = [_order_of(r, key) for r in rows]
    return out


def response_rates(status: pd.DataFrame, by: str | list[str] | None = None) -> pd.DataFrame:
    """Invitations sent, opened and completed, and the response rate, per group.

    ``by``: ``"wave"``, ``"channel"``, both, or None for the total. ``response_rate`` and
    ``open_rate`` are fractions (completed / sent, opened / sent); a missing group label is
    shown as ``"(none)"``.

    Examples
    --------
    >>> st = pd.DataFrame({"wave": ["Q1", "Q1", "Q1", "Q2"], "channel": ["jd", "jd", None, "jd"],
    ...                    "opened_at": ["t", "t", None, None], "completed_at": ["t", None, None, None]})
    >>> response_rates(st, "wave")[["wave", "sent", "opened", "completed", "response_rate"]].to_dict("records")
    [{'wave': 'Q1', 'sent': 3, 'opened': 2, 'completed': 1, 'response_rate': 0.3333333333333333}, \
{'wave': 'Q2', 'sent': 1, 'opened': 0, 'completed': 0, 'response_rate': 0.0}]
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    cols = keys + ["sent", "opened", "completed", "response_rate", "open_rate"]
    if status.empty:
        return pd.DataFrame(columns=cols)
    frame = status.assign(
        sent=1, opened=status["opened_at"].notna().astype(int) | status["completed_at"].notna().astype(int),
        completed=status["completed_at"].notna().astype(int))
    for k in keys:
        frame[k] = frame[k].fillna("(none)").astype(str)
    if keys:
        agg = frame.groupby(keys, sort=True)[["sent", "opened", "completed"]].sum().reset_index()
    else:
        agg = frame[["sent", "opened", "completed"]].sum().to_frame().T
    agg = agg.assign(response_rate=agg["completed"] / agg["sent"], open_rate=agg["opened"] / agg["sent"])
    return agg[cols].reset_index(drop=True)
