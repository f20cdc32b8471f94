"""``csi alerts check``: evaluate the survey's alert rules on the stored responses, for a
scheduler (cron). The rules are those saved in the store by the app's Settings page, else the
survey file's ``alerts:`` block, else the defaults (:func:`csi.alerts.settings.effective_rules`).
New alerts are logged in the store and sent once to the webhook whose URL is in
``CSI_ALERT_WEBHOOK_URL`` (or the variable the survey's ``alerts.webhook_env`` names, or
``--webhook``). Exit 0 when the check ran (alerts or not), 2 on a user error or a failed
delivery (the alerts then stay unsent and go out with the next check).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError

__all__ = ["alerts_app", "alerts_check"]

alerts_app = typer.Typer(name="alerts", help="Alerts when a number moves (for a scheduler).",
                         no_args_is_help=True, add_completion=False)
app.add_typer(alerts_app, name="alerts")


def _analysis(survey, frame, url: str):
    """The comments analysed through the store's cache (None without comments or themes)."""
    from csi.store.comment_cache import CommentAnalysisCache
    from csi.text import analyze_comments
    from csi.text.lexicon import comment_field, survey_lexicon

    if not survey_lexicon(survey).ids:
        return None
    try:
        field = comment_field(survey)
    except CsiError:
        return None
    if field not in frame:
        return None
    return analyze_comments(survey, frame, cache=CommentAnalysisCache(url))


@alerts_app.command("check")
def alerts_check(
    survey: Annotated[Path, typer.Argument(help="Survey YAML file.", show_default=False)],
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: CSI_DATABASE_URL or "
                                                        "./var/csi.sqlite).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")] = False,
    webhook: Annotated[str | None, typer.Option("--webhook", help="Webhook URL (overrides the "
                                                                  "environment variable).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Evaluate only: log nothing, send nothing.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the messages (zh or en).")] = None,
) -> None:
    """Check the alert rules; log and send (once) what is new."""
    from csi.alerts import alert_message, check_alerts, evaluate_alerts
    from csi.alerts.settings import effective_rules, rules_source
    from csi.cases.store import cases_for_alerts
    from csi.store import default_database_url, open_store, read_responses_frame
    from csi.survey import load_survey

    if not survey.exists():
        raise fail(f"{survey}: no such survey file")
    try:
        s = load_survey(survey)
        url = db or default_database_url()
        frame = read_responses_frame(s, url)
        analysis = _analysis(s, frame, url)
        store = open_store(url)
        cases = cases_for_alerts(store, s.id)  # issue 18's follow-up cases
        rules = effective_rules(s, store)  # the app's Settings, else the survey file's
        if dry_run:
            alerts = evaluate_alerts(s, frame, rules=rules, analysis=analysis, cases=cases)
            new, sent, hooked, notes = [], [], False, []
        else:
            res = check_alerts(s, frame, url=url, webhook=webhook, lang=lang, analysis=analysis, cases=cases,
                               rules=rules)
            alerts, new, sent, hooked, notes = res.alerts, res.new, res.sent, res.webhook, res.notes
    except CsiError as exc:
        raise fail(exc) from None
    if as_json:
        doc = {"survey": s.id, "survey_version": s.version, "n_respondents": len(frame),
               "rules_source": rules_source(s, store), "rules": [r.model_dump(by_alias=True) for r in rules],
               "alerts": [a.to_dict() | {"message": alert_message(s, a, lang), "new": a.key in new,
                                         "sent_now": a.key in sent} for a in alerts],
               "new": new, "sent": sent, "webhook_configured": hooked, "dry_run": dry_run, "notes": notes}
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
        return
    for a in alerts:
        flag = "new " if a.key in new else ""
        typer.echo(f"{flag}alert: {alert_message(s, a, lang)}")
    for n in notes:
        typer.echo(n)
    typer.echo(f"{len(alerts)} alert(s), {len(new)} new, {len(sent)} sent"
               + ("" if hooked or dry_run else " (no webhook configured)"))
