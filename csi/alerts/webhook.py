"""Sending alerts to an incoming webhook as JSON (enterprise chat tools, or any HTTP endpoint).

Body formats: ``generic`` -- ``{"source": "csi", "survey_id", "survey_version", "text",
"alerts": [Alert.to_dict() + "message"]}``; ``wecom`` and ``dingtalk`` -- ``{"msgtype": "text",
"text": {"content": text}}`` (their documented text message); ``feishu`` -- ``{"msg_type":
"text", "content": {"text": text}}``; ``slack`` -- ``{"text": text}``. The request is an HTTP
POST with ``Content-Type: application/json; charset=utf-8`` and a 10 s timeout.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from csi.alerts.messages import alert_message
from csi.alerts.rules import Alert
from csi.errors import CsiError
from csi.survey import Survey

__all__ = ["AlertDeliveryError", "webhook_body", "post_json"]


class AlertDeliveryError(CsiError, RuntimeError):
    """The webhook could not be reached or answered with an error status."""


def webhook_body(survey: Survey, alerts: list[Alert], fmt: str = "generic", lang: str | None = None) -> dict:
    """The JSON body for ``alerts`` in format ``fmt`` (see the module docstring)."""
    lines = [alert_message(survey, a, lang) for a in alerts]
    title = survey.t(survey.title, lang)
    text = f"[csi] {title}: {len(alerts)} alert(s)\n" + "\n".join(f"- {x}" for x in lines)
    if fmt == "generic":
        return {"source": "csi", "survey_id": survey.id, "survey_version": survey.version, "text": text,
                "alerts": [a.to_dict() | {"message": m} for a, m in zip(alerts, lines, strict=True)]}
    if fmt in ("wecom", "dingtalk"):
        return {"msgtype": "text", "text": {"content": text}}
    if fmt == "feishu":
        return {"msg_type": "text", "content": {"text": text}}
    if fmt == "slack":
        return {"text": text}
    raise CsiError(f"unknown webhook format {fmt!r}; expected generic, wecom, dingtalk, feishu or slack")


def post_json(url: str, body: dict, timeout: float = 10.0) -> int:
    """POST ``body`` as JSON to ``url``; return the HTTP status (2xx), else raise
    :class:`AlertDeliveryError` (the URL's query string, which holds chat tools' keys, is not
    repeated in the message)."""
    if not url.startswith(("http://", "https://")):
        raise AlertDeliveryError("the webhook URL must start with http:// or https://")
    shown = url.split("?", 1)[0]
    data = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8",
                                          "User-Agent": "csi-alerts"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) checked above
            status = resp.status
    except urllib.error.HTTPError as exc:
        raise AlertDeliveryError(f"webhook {shown} answered HTTP {exc.code}; the alerts stay unsent "
                                 "and are retried on the next check") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AlertDeliveryError(f"webhook {shown} could not be reached ({reason}); the alerts stay "
                                 "unsent and are retried on the next check") from None
    if not 200 <= status < 300:
        raise AlertDeliveryError(f"webhook {shown} answered HTTP {status}")
    return status
