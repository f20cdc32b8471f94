"""Alert rules kept in the store's settings (table ``csi_settings``), edited in the app.

A survey's rules come from, in this order: the rules saved in the store for that survey id
(the app's Settings page), the survey file's ``alerts:`` block, :data:`~csi.alerts.rules.DEFAULT_RULES`.
Saving or clearing the stored rules writes an audit entry (``alert_rules_changed``) in the same
transaction: who, when, and the new rules (rules hold no contact data). ``csi alerts check`` and the
Overview read :func:`effective_rules`, so what the app saves is what the scheduler checks.

Stored value: JSON ``{"rules": [<AlertRule fields>...]}`` under the key ``alert_rules:<survey id>``.
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from pydantic import ValidationError

from csi.accounts.audit import record_in
from csi.alerts.rules import survey_rules
from csi.errors import ParameterError
from csi.store.engine import with_retry, write_transaction
from csi.store.schema import settings
from csi.survey.comments_spec import AlertRule

__all__ = ["RULE_FIELDS", "settings_key", "stored_rules", "save_rules", "clear_rules", "effective_rules",
           "rules_source", "rules_text", "parse_rules_text", "rule_rows"]

#: Editable fields of a rule, in table order (``construct`` is the YAML name of ``construct_id``).
RULE_FIELDS = ("kind", "construct", "segment", "threshold", "theme", "alpha", "min_change", "min_n")


def settings_key(survey_id: str) -> str:
    """The ``csi_settings`` key of a survey's alert rules (at most 64 characters)."""
    key = f"alert_rules:{survey_id}"
    return key if len(key) <= 64 else "alert_rules:" + hashlib.sha256(survey_id.encode()).hexdigest()[:52]


def rule_rows(rules) -> list[dict]:
    """Rules as plain rows ``{field: value}`` (for a table editor and for JSON)."""
    out = []
    for r in rules:
        d = r.model_dump(by_alias=True)
        out.append({f: d.get(f) for f in RULE_FIELDS})
    return out


def rules_text(rules) -> str:
    """Rules as the YAML list the Settings page edits (the ``alerts.rules`` syntax of a survey
    file; fields left at their defaults are omitted)."""
    import yaml

    rows = [r.model_dump(by_alias=True, exclude_defaults=True) | {"kind": r.kind} for r in rules]
    rows = [{"kind": d.pop("kind"), **d} for d in rows]
    return yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, default_flow_style=False)


def parse_rules_text(text: str, survey=None, *, where: str = "alert rules") -> tuple[AlertRule, ...]:
    """Validate the Settings page's YAML list of rules (see :func:`rules_text`); with ``survey``,
    also the constructs, segments and themes the rules name (the survey file's own checks).

    Raises :class:`ParameterError` with one line per problem, naming the line (YAML syntax) or
    the rule number and field: ``alert rules, rule 2, field alpha: ... (got 0.7)``.
    """
    import yaml

    try:
        doc = yaml.safe_load(text or "")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ParameterError(f"{where}{at}: not valid YAML ({getattr(exc, 'problem', None) or exc}); "
                             "expected a list of rules such as '- kind: index_drop'.") from None
    if isinstance(doc, dict) and "rules" in doc:
        doc = doc["rules"]
    if not isinstance(doc, list) or not doc:
        raise ParameterError(f"{where}: expected a non-empty list of rules such as '- kind: index_drop'; "
                             f"got {type(doc).__name__}.")
    rules, problems = [], []
    for n, d in enumerate(doc, start=1):
        if not isinstance(d, dict):
            problems.append(f"{where}, rule {n}: expected a mapping such as 'kind: index_drop'; got {d!r}")
            continue
        try:
            r = AlertRule.model_validate(d)
        except ValidationError as exc:
            for e in exc.errors():
                field = ".".join(str(x) for x in e["loc"]) or "kind"
                got = f" (got {d[field]!r})" if field in d else ""
                problems.append(f"{where}, rule {n}, field {field}: {e['msg']}{got}")
            continue
        rules.append((n, r))
    for n, r in rules:
        if survey is None and r.kind == "segment_below" and (r.segment is None or r.threshold is None):
            problems.append(f"{where}, rule {n}: a segment_below rule needs a segment and a threshold "
                            "(0-100 index points)")
    if survey is not None:
        from types import SimpleNamespace

        from csi.survey.comments_spec import check_alerts

        doc = SimpleNamespace(questions=survey.questions, constructs=survey.constructs, comments=survey.comments,
                              alerts=SimpleNamespace(rules=[r for _, r in rules]))
        for loc, msg in check_alerts(doc):
            n = rules[loc[2]][0]
            field = f", field {loc[3]}" if len(loc) > 3 else ""
            problems.append(f"{where}, rule {n}{field}: {msg}")
    if problems:
        raise ParameterError("\n".join(problems))
    return tuple(r for _, r in rules)


def stored_rules(store, survey_id: str) -> tuple[AlertRule, ...] | None:
    """The rules saved in the store for ``survey_id``, or ``None`` when none were saved."""
    with store.engine.connect() as conn:
        v = conn.execute(sa.select(settings.c.value).where(settings.c.key == settings_key(survey_id))).scalar()
    if v is None:
        return None
    return tuple(AlertRule.model_validate(d) for d in json.loads(v)["rules"])


def _write(store, survey_id: str, value: str | None, actor: str, client: str | None, detail: str) -> None:
    key = settings_key(survey_id)

    def run() -> None:
        with write_transaction(store.engine) as conn, conn.begin():
            conn.execute(settings.delete().where(settings.c.key == key))
            if value is not None:
                conn.execute(settings.insert().values(key=key, value=value))
            record_in(conn, actor, "alert_rules_changed", target=survey_id, detail=detail, client=client)

    with_retry(run)


def save_rules(store, survey_id: str, rules, *, actor: str, client: str | None = None) -> None:
    """Save ``rules`` (AlertRule objects) for ``survey_id`` and audit the change."""
    rules = tuple(rules)
    if not rules:
        raise ParameterError("at least one alert rule is needed; to use the survey file's rules, "
                             "reset the stored rules instead.")
    value = json.dumps({"rules": [r.model_dump(by_alias=True, exclude_none=True) for r in rules]},
                       ensure_ascii=False, sort_keys=True)
    _write(store, survey_id, value, actor, client, value)


def clear_rules(store, survey_id: str, *, actor: str, client: str | None = None) -> None:
    """Remove the stored rules (the survey file's rules apply again) and audit it."""
    _write(store, survey_id, None, actor, client, "reset to the survey file's rules")


def rules_source(survey, store) -> str:
    """Where the survey's rules come from: ``"settings"``, ``"survey"`` or ``"default"``."""
    if store is not None and stored_rules(store, survey.id) is not None:
        return "settings"
    return "survey" if survey.alerts is not None else "default"


def effective_rules(survey, store) -> tuple[AlertRule, ...]:
    """The rules to check: stored ones, else the survey file's, else the defaults."""
    got = stored_rules(store, survey.id) if store is not None else None
    return got if got is not None else survey_rules(survey)
