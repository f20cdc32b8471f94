"""Alerts: rules on the latest waves (index drop, complaint rate up, segment below a threshold,
rising comment theme, overdue follow-up cases), a sent-log in the store, and webhook delivery.

``csi alerts check SURVEY`` runs :func:`check_alerts` from a scheduler; each alert is sent once.
"""

from csi.alerts.check import AlertCheck, check_alerts, webhook_url
from csi.alerts.messages import alert_message
from csi.alerts.rules import DEFAULT_RULES, Alert, evaluate_alerts, survey_rules
from csi.alerts.webhook import AlertDeliveryError, post_json, webhook_body

__all__ = ["Alert", "AlertCheck", "AlertDeliveryError", "DEFAULT_RULES", "alert_message", "check_alerts",
           "evaluate_alerts", "post_json", "survey_rules", "webhook_body", "webhook_url"]
