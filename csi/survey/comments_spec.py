"""The ``comments:`` and ``alerts:`` blocks of a survey file: comment themes and alert rules.

``comments:`` holds the category lexicon the comment analysis reads (:mod:`csi.text`); it is
data the survey author edits, one entry per theme::

    comments:
      field: comment                # the free-text question (default: the one with role comment)
      themes:
        late:                       # theme id; = a complaint_type option code to link the two
          terms:                    # a mention of the theme (not negated)
            zh: [物流...慢, 还没发货]
            en: [late, took forever]
          negated:                  # a mention when negated ("物流不快", "not on time")
            zh: [物流...快]
            en: [on time]

Term syntax: literal text, case-insensitive; ``...`` is a gap of at most 8 characters (Chinese)
or 4 words (English) inside one clause; a trailing ``*`` on an English word matches any ending
(``damag*``). English terms match whole words. A theme whose id is a ``complaint_type`` option
code takes that option's label and group unless it gives its own.

``alerts:`` holds the rules ``csi alerts check`` evaluates (see :mod:`csi.alerts`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = ["ThemeSpec", "CommentsSpec", "AlertRule", "AlertsSpec", "check_comments", "check_alerts",
           "RULE_KINDS"]

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Term = Annotated[str, StringConstraints(min_length=1, max_length=80)]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
Text = dict[LangCode, Annotated[str, StringConstraints(min_length=1)]] | str

#: Alert rule kinds (``overdue_cases`` is evaluated once follow-up cases exist in the store).
RULE_KINDS = ("index_drop", "complaint_rate_up", "segment_below", "theme_rising", "overdue_cases")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ThemeSpec(_Model):
    """One comment theme: its terms per language, and terms that count when negated."""

    label: Text | None = None
    group: Id | None = None
    terms: dict[LangCode, list[Term]] = Field(default_factory=dict)
    negated: dict[LangCode, list[Term]] = Field(default_factory=dict)


class CommentsSpec(_Model):
    """The comment analysis settings: the free-text field and the theme lexicon."""

    field: Id | None = None
    themes: dict[Id, ThemeSpec] = Field(default_factory=dict)


class AlertRule(_Model):
    """One alert rule.

    - ``index_drop``: a construct's 0-100 index fell significantly from the previous wave to the
      latest (one-sided Welch test at ``alpha``, Bonferroni over the constructs checked) by at
      least ``min_change`` points; ``construct`` limits it to one construct.
    - ``complaint_rate_up``: the complaint rate rose significantly (one-sided two-proportion
      z-test) by at least ``min_change`` percentage points.
    - ``segment_below``: in the latest wave, a group of ``segment`` has a mean ``construct``
      index below ``threshold`` (groups of fewer than ``min_n`` respondents are skipped).
    - ``theme_rising``: a comment theme's share of respondents rose significantly (one-sided
      z-test, Bonferroni over the themes) by at least ``min_change`` percentage points.
    - ``overdue_cases``: follow-up cases past their due date (when the store has cases).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: Literal["index_drop", "complaint_rate_up", "segment_below", "theme_rising", "overdue_cases"]
    construct_id: Id | None = Field(default=None, alias="construct")
    segment: Id | None = None
    threshold: float | None = None
    theme: Id | None = None
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    min_change: float = Field(default=0.0, ge=0)
    min_n: int = Field(default=30, ge=2)


class AlertsSpec(_Model):
    """Alert rules and where to send new alerts.

    ``webhook_env`` names the environment variable holding the webhook URL (URLs of chat-tool
    webhooks carry a secret key, so they do not belong in the survey file);
    ``webhook_format`` is the JSON body: ``generic`` (csi's own), ``wecom``, ``dingtalk``,
    ``feishu`` or ``slack``.
    """

    rules: list[AlertRule] = Field(min_length=1)
    webhook_env: Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$")] = "CSI_ALERT_WEBHOOK_URL"
    webhook_format: Literal["generic", "wecom", "dingtalk", "feishu", "slack"] = "generic"


def _one_of(names: Any) -> str:
    names = list(names)
    return ", ".join(str(n) for n in names) if names else "(none defined)"


def check_comments(doc: Any) -> Iterator[tuple[tuple, str]]:
    """Cross-reference checks of ``comments:`` and of a ``recommendation`` (NPS) question."""
    for i, q in enumerate(doc.questions):
        if q.role != "recommendation":
            continue
        sc = doc.scales.get(q.scale) if q.scale else None
        if q.type != "rating" or sc is None or (sc.min, sc.max, sc.step) != (0, 10, 1):
            yield ("questions", i), (
                f"a recommendation (NPS) question must be a rating on a 0-10 scale in steps of 1; "
                f"{q.id!r} is not (NPS is never computed from a 1-10 or 1-5 item)")
    spec = getattr(doc, "comments", None)
    if spec is None:
        return
    texts = [q.id for q in doc.questions if q.type == "text" and q.role != "contact" and q.pii is None]
    if spec.field is not None and spec.field not in texts:
        yield ("comments", "field"), (
            f"unknown comment field {spec.field!r}; expected a text question: {_one_of(texts)}")
    langs = set(doc.languages)
    groups: set[str] = set()
    for q in doc.questions:
        if q.role == "complaint_type":
            groups |= set(q.option_groups)
    for tid, th in spec.themes.items():
        if not th.terms:
            yield ("comments", "themes", tid, "terms"), f"theme {tid!r} has no terms"
        for key in ("terms", "negated"):
            for lang, terms in getattr(th, key).items():
                if lang not in langs:
                    yield ("comments", "themes", tid, key, lang), (
                        f"language {lang!r} is not declared; expected one of {_one_of(sorted(langs))}")
                for j, t in enumerate(terms):
                    if t.strip(". ") == "" or t.startswith("...") or t.endswith("..."):
                        yield ("comments", "themes", tid, key, lang, j), (
                            f"term {t!r}: `...` must stand between two words")
        if th.group is not None and groups and th.group not in groups:
            yield ("comments", "themes", tid, "group"), (
                f"unknown group {th.group!r}; expected one of {_one_of(sorted(groups))}")


def check_alerts(doc: Any) -> Iterator[tuple[tuple, str]]:
    """Cross-reference checks of ``alerts:`` (constructs, segments, themes named by rules)."""
    spec = getattr(doc, "alerts", None)
    if spec is None:
        return
    segs = [q.id for q in doc.questions if q.role == "segment"]
    themes = list(doc.comments.themes) if getattr(doc, "comments", None) is not None else []
    for i, r in enumerate(spec.rules):
        loc = ("alerts", "rules", i)
        if r.construct_id is not None and r.construct_id not in doc.constructs:
            yield (*loc, "construct"), (
                f"unknown construct {r.construct_id!r}; expected one of {_one_of(doc.constructs)}")
        if r.kind == "segment_below":
            if r.segment is None or r.threshold is None:
                yield loc, "a segment_below rule needs `segment:` and `threshold:` (0-100 index)"
            elif r.segment not in segs and r.segment != "wave":
                yield (*loc, "segment"), f"unknown segment {r.segment!r}; expected one of {_one_of(segs)}"
            if r.threshold is not None and not 0 <= r.threshold <= 100:
                yield (*loc, "threshold"), "threshold is a 0-100 index score"
        if r.kind == "complaint_rate_up" and not any(c.binary for c in doc.constructs.values()):
            yield loc, "a complaint_rate_up rule needs a binary complaint construct"
        if r.theme is not None and r.theme not in themes:
            yield (*loc, "theme"), f"unknown theme {r.theme!r}; expected one of {_one_of(themes)}"
