"""One alert check, as ``csi alerts check`` runs it from a scheduler: evaluate, log, send once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

from csi.alerts.log import mark_sent, record_alerts, unsent_keys
from csi.alerts.rules import Alert, evaluate_alerts
from csi.alerts.webhook import post_json, webhook_body
from csi.survey import Survey

__all__ = ["AlertCheck", "check_alerts", "webhook_url"]


@dataclass(frozen=True)
class AlertCheck:
    """What one check found and did: ``alerts`` (all raised now), ``new`` (keys first seen in
    this check), ``sent`` (keys delivered in this check), ``webhook`` (whether one was set)."""

    alerts: list[Alert]
    new: list[str]
    sent: list[str]
    webhook: bool
    notes: list[str] = field(default_factory=list)


def webhook_url(survey: Survey) -> str | None:
    """The webhook URL from the environment variable the survey names (default
    ``CSI_ALERT_WEBHOOK_URL``), or ``None``."""
    name = survey.alerts.webhook_env if survey.alerts is not None else "CSI_ALERT_WEBHOOK_URL"
    return os.environ.get(name) or None


def check_alerts(survey: Survey, frame: pd.DataFrame, *, url: str | None = None, webhook: str | None = None,
                 send: bool = True, lang: str | None = None, analysis: pd.DataFrame | None = None,
                 cases: pd.DataFrame | None = None, rules=None) -> AlertCheck:
    """Evaluate the survey's rules on ``frame``, log new alerts in the store at ``url`` and send
    every logged-but-unsent current alert to ``webhook`` (default :func:`webhook_url`) in one
    request; on success they are marked sent and never sent again. A failed delivery raises
    :class:`~csi.alerts.webhook.AlertDeliveryError` and leaves them unsent for the next check.
    ``rules`` replaces the survey's rules (e.g. :func:`csi.alerts.settings.effective_rules`).
    """
    rules = tuple(rules) if rules is not None else None
    alerts = evaluate_alerts(survey, frame, rules=rules, analysis=analysis, cases=cases)
    new = record_alerts(url, survey.id, alerts)
    hook = webhook if webhook is not None else webhook_url(survey)
    notes = []
    checked = rules if rules is not None else (survey.alerts.rules if survey.alerts else ())
    if cases is None and any(r.kind == "overdue_cases" for r in checked):
        notes.append("overdue_cases: no follow-up cases in this store; rule skipped")
    sent: list[str] = []
    if hook and send:
        pending = unsent_keys(url, survey.id, [a.key for a in alerts])
        todo = [a for a in alerts if a.key in pending]
        if todo:
            fmt = survey.alerts.webhook_format if survey.alerts is not None else "generic"
            post_json(hook, webhook_body(survey, todo, fmt, lang))
            mark_sent(url, survey.id, [a.key for a in todo], "webhook")
            sent = [a.key for a in todo]
    return AlertCheck(alerts, new, sent, bool(hook), notes)
