"""Alert rules evaluated on a response frame: what moved between the last two waves.

Every rule compares the latest wave with the one before it (waves sort as text labels) or
looks at the latest wave alone; see :class:`csi.survey.comments_spec.AlertRule` for the rule
kinds. Tests are one-sided at the rule's ``alpha``; a rule that tests several constructs or
themes at once uses ``alpha / k`` for each (Bonferroni), so the chance that a rule raises any
false alarm when nothing changed is at most ``alpha``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pandas as pd

from csi.drivers.scores import construct_scores, item_scores
from csi.survey import Survey
from csi.survey.comments_spec import AlertRule
from csi.text.stats import two_proportion_test, welch_one_sided

__all__ = ["Alert", "evaluate_alerts", "survey_rules", "DEFAULT_RULES"]

#: Rules used when the survey has no ``alerts:`` block.
DEFAULT_RULES = (AlertRule(kind="index_drop"), AlertRule(kind="complaint_rate_up"),
                 AlertRule(kind="theme_rising"))


@dataclass(frozen=True)
class Alert:
    """One raised alert. ``key`` identifies it across runs (it is sent once).

    ``value``/``previous`` are 0-100 index scores (``index_drop``, ``segment_below``), rates in
    percent (``complaint_rate_up``, ``theme_rising``) or a count (``overdue_cases``);
    ``change`` is ``value - previous`` in the same unit.
    """

    key: str
    kind: str
    subject: str
    wave: str | None
    previous_wave: str | None
    value: float
    previous: float | None
    change: float | None
    p_value: float | None
    threshold: float | None
    n: int

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


def survey_rules(survey: Survey) -> tuple[AlertRule, ...]:
    """The survey's alert rules, or :data:`DEFAULT_RULES` when it has no ``alerts:`` block."""
    return tuple(survey.alerts.rules) if survey.alerts is not None else DEFAULT_RULES


def _waves(frame: pd.DataFrame) -> list[str]:
    if "wave" not in frame:
        return []
    return sorted(frame["wave"].dropna().astype(str).unique())


def _score(survey: Survey, frame: pd.DataFrame, cid: str, result) -> pd.Series:
    if result is not None:
        return construct_scores(survey, frame, result)[cid]
    return item_scores(survey, frame, [it.id for it in survey.constructs[cid].items]).mean(axis=1)


def _index_drop(survey, frame, rule, waves, result) -> list[Alert]:
    if len(waves) < 2:
        return []
    prev, last = waves[-2], waves[-1]
    cids = [rule.construct_id] if rule.construct_id else [c for c, v in survey.constructs.items() if not v.binary]
    cids = [c for c in cids if all(it.id in frame for it in survey.constructs[c].items)]
    wv = frame["wave"].astype(str)
    out = []
    for cid in cids:
        sc = _score(survey, frame, cid, result)
        a, b = sc[(wv == prev).to_numpy()].dropna(), sc[(wv == last).to_numpy()].dropna()
        if len(a) < rule.min_n or len(b) < rule.min_n:
            continue
        change, p = welch_one_sided(a, b)
        if math.isfinite(p) and p < rule.alpha / len(cids) and -change >= rule.min_change:
            out.append(Alert(f"index_drop:{cid}:{prev}->{last}", "index_drop", cid, last, prev,
                             float(b.mean()), float(a.mean()), change, p, None, len(b)))
    return out


def _complaint_item(survey: Survey) -> str | None:
    for c in survey.constructs.values():
        if c.binary:
            return c.items[0].id
    return None


def _complaint_rate_up(survey, frame, rule, waves) -> list[Alert]:
    item = _complaint_item(survey)
    if item is None or item not in frame or len(waves) < 2:
        return []
    prev, last = waves[-2], waves[-1]
    x = pd.to_numeric(frame[item], errors="raise").where(lambda v: v.isin([0, 1]))
    wv = frame["wave"].astype(str)
    a, b = x[(wv == prev).to_numpy()].dropna(), x[(wv == last).to_numpy()].dropna()
    if len(a) < rule.min_n or len(b) < rule.min_n:
        return []
    k1, k2 = int(a.sum()), int(b.sum())
    p = two_proportion_test(k1, len(a), k2, len(b))
    change = 100 * (k2 / len(b) - k1 / len(a))
    if math.isfinite(p) and p < rule.alpha and change >= rule.min_change:
        return [Alert(f"complaint_rate_up:{item}:{prev}->{last}", "complaint_rate_up", item, last, prev,
                      100 * k2 / len(b), 100 * k1 / len(a), change, p, None, len(b))]
    return []


def _headline(survey: Survey) -> str | None:
    """The survey's headline construct (``headline:``, else ``satisfaction``) when it has one."""
    cid = getattr(survey, "headline_id", None) or "satisfaction"
    return cid if cid in survey.constructs else None


def _segment_below(survey, frame, rule, waves, result) -> list[Alert]:
    cid = rule.construct_id or _headline(survey)
    if cid is None or rule.segment not in frame or not waves:
        return []
    last = waves[-1]
    sub = frame[(frame["wave"].astype(str) == last).to_numpy()]
    sc = _score(survey, sub, cid, result)
    out = []
    for g, s in sc.groupby(sub[rule.segment].astype("string"), dropna=True):
        s = s.dropna()
        if len(s) >= rule.min_n and s.mean() < rule.threshold:
            out.append(Alert(f"segment_below:{rule.segment}={g}:{cid}:{last}", "segment_below",
                             f"{rule.segment}={g}:{cid}", last, None, float(s.mean()), None, None, None,
                             rule.threshold, len(s)))
    return out


def _theme_rising(survey, frame, rule, analysis) -> list[Alert]:
    from csi.text.lexicon import comment_field, survey_lexicon
    from csi.text.themes import rising_themes

    if not survey_lexicon(survey).ids or comment_field(survey) not in frame:
        return []
    r = rising_themes(survey, frame, analysis)
    if rule.theme is not None:
        r = r[r["theme"] == rule.theme]
    k = max(len(r), 1)
    out = []
    for row in r.itertuples():
        if row.n_prev < rule.min_n or row.n_last < rule.min_n:
            continue
        if math.isfinite(row.p_value) and row.p_value < rule.alpha / k and row.change >= rule.min_change:
            out.append(Alert(f"theme_rising:{row.theme}:{row.previous_wave}->{row.wave}", "theme_rising",
                             row.theme, row.wave, row.previous_wave, 100 * row.share_last,
                             100 * row.share_prev, row.change, row.p_value, None, int(row.n_last)))
    return out


def _overdue(cases: pd.DataFrame | None, now: pd.Timestamp) -> list[Alert]:
    if cases is None or not len(cases):
        return []
    due = pd.to_datetime(cases["due_at"])
    open_ = ~cases["status"].astype(str).isin(["closed", "resolved"])
    late = cases[(due < now).to_numpy() & open_.to_numpy()]
    return [Alert(f"overdue_cases:{cid}", "overdue_cases", str(cid), None, None, 1.0, None, None, None, None, 1)
            for cid in late["case_id"]]


def evaluate_alerts(survey: Survey, frame: pd.DataFrame, *, rules=None, analysis: pd.DataFrame | None = None,
                    result=None, cases: pd.DataFrame | None = None, now: pd.Timestamp | None = None) -> list[Alert]:
    """Every alert the rules raise on ``frame`` (rules: the survey's, see :func:`survey_rules`).

    ``analysis`` is a precomputed :func:`csi.text.analyze_comments` (else computed when a
    ``theme_rising`` rule needs it); ``result`` an IndexResult whose per-respondent scores are
    used instead of equal-weight item means; ``cases`` open follow-up cases (``case_id``,
    ``due_at``, ``status``) for ``overdue_cases`` -- skipped while the store has none.
    """
    rules = tuple(rules) if rules is not None else survey_rules(survey)
    waves = _waves(frame)
    out: list[Alert] = []
    for rule in rules:
        if rule.kind == "index_drop":
            out += _index_drop(survey, frame, rule, waves, result)
        elif rule.kind == "complaint_rate_up":
            out += _complaint_rate_up(survey, frame, rule, waves)
        elif rule.kind == "segment_below":
            out += _segment_below(survey, frame, rule, waves, result)
        elif rule.kind == "theme_rising":
            out += _theme_rising(survey, frame, rule, analysis)
        elif rule.kind == "overdue_cases":
            out += _overdue(cases, now if now is not None else pd.Timestamp.now(tz="UTC").tz_localize(None))
    return list({a.key: a for a in out}.values())
