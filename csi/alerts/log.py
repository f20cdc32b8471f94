"""The alert sent-log in the response store (table ``alert_log``, migration 0019).

An alert is identified by ``(survey_id, alert.key)``. :func:`record_alerts` stores alerts not
seen before; :func:`unsent_keys` says which of them have not been delivered; :func:`mark_sent`
records a delivery. An alert with ``sent_at`` set is never sent again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from csi.alerts.rules import Alert
from csi.store import open_store
from csi.store.engine import with_retry, write_transaction
from csi.store.schema import alert_log

__all__ = ["record_alerts", "unsent_keys", "mark_sent", "alert_history"]


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def record_alerts(url: str | None, survey_id: str, alerts: list[Alert]) -> list[str]:
    """Store the alerts not yet in the log; return the keys that were new."""
    store = open_store(url)
    if not alerts:
        return []

    def run() -> list[str]:
        with write_transaction(store.engine) as conn, conn.begin():
            have = {r[0] for r in conn.execute(
                sa.select(alert_log.c.alert_key).where(alert_log.c.survey_id == survey_id,
                                                       alert_log.c.alert_key.in_([a.key for a in alerts])))}
            new = [a for a in alerts if a.key not in have]
            if new:
                now = _now()
                conn.execute(alert_log.insert(), [
                    {"survey_id": survey_id, "alert_key": a.key, "kind": a.kind, "wave": a.wave,
                     "payload": json.dumps(a.to_dict(), ensure_ascii=False, allow_nan=False),
                     "first_seen_at": now, "sent_at": None, "channel": None} for a in new])
            return [a.key for a in new]

    return with_retry(run)


def unsent_keys(url: str | None, survey_id: str, keys: list[str]) -> set[str]:
    """Which of ``keys`` are logged but not sent yet."""
    if not keys:
        return set()
    store = open_store(url)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(alert_log.c.alert_key).where(
            alert_log.c.survey_id == survey_id, alert_log.c.alert_key.in_(keys), alert_log.c.sent_at.is_(None)))
        return {r[0] for r in rows}


def mark_sent(url: str | None, survey_id: str, keys: list[str], channel: str) -> None:
    """Record that ``keys`` were delivered through ``channel`` (e.g. ``webhook``)."""
    if not keys:
        return
    store = open_store(url)

    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            conn.execute(alert_log.update().where(
                alert_log.c.survey_id == survey_id, alert_log.c.alert_key.in_(keys),
                alert_log.c.sent_at.is_(None)).values(sent_at=_now(), channel=channel))

    with_retry(run)


def alert_history(url: str | None, survey_id: str) -> pd.DataFrame:
    """Every logged alert of a survey: ``alert_key``, ``kind``, ``wave``, ``first_seen_at``,
    ``sent_at``, ``channel``, newest first."""
    store = open_store(url)
    cols = [alert_log.c.alert_key, alert_log.c.kind, alert_log.c.wave, alert_log.c.first_seen_at,
            alert_log.c.sent_at, alert_log.c.channel]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).where(alert_log.c.survey_id == survey_id)
                            .order_by(alert_log.c.id.desc())).all()
    return pd.DataFrame(rows, columns=[c.name for c in cols])
