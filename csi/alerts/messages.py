"""One-line alert texts in the survey's languages (for the Overview and the webhook)."""

from __future__ import annotations

from csi.alerts.rules import Alert
from csi.survey import Survey

__all__ = ["alert_message"]

_TEMPLATES = {
    "index_drop": {
        "en": "{subject} index fell {drop:.1f} points, {prev} {previous:.1f} → {wave} {value:.1f} (p = {p:.3g})",
        "zh": "{subject}指数下降 {drop:.1f} 分：{prev} {previous:.1f} → {wave} {value:.1f}（p = {p:.3g}）"},
    "complaint_rate_up": {
        "en": "Complaint rate rose {change:.1f} points, {prev} {previous:.1f}% → {wave} {value:.1f}% (p = {p:.3g})",
        "zh": "投诉率上升 {change:.1f} 个百分点：{prev} {previous:.1f}% → {wave} {value:.1f}%（p = {p:.3g}）"},
    "segment_below": {
        "en": "{subject} in {wave}: {value:.1f}, below the threshold {threshold:.0f} (n = {n})",
        "zh": "{wave} {subject}：{value:.1f}，低于阈值 {threshold:.0f}（n = {n}）"},
    "theme_rising": {
        "en": "Comments about “{subject}” rose {change:.1f} points, {prev} {previous:.1f}% → {wave} {value:.1f}% "
              "of comments (p = {p:.3g})",
        "zh": "提及“{subject}”的评论上升 {change:.1f} 个百分点：{prev} {previous:.1f}% → {wave} {value:.1f}%（p = {p:.3g}）"},
    "overdue_cases": {"en": "Follow-up case {subject} is overdue", "zh": "回访工单 {subject} 已逾期"},
}


def _subject(survey: Survey, alert: Alert, lang: str) -> str:
    if alert.kind == "index_drop":
        return survey.t(survey.constructs[alert.subject].label, lang)
    if alert.kind == "segment_below":
        seg, cid = alert.subject.rsplit(":", 1)
        qid, code = seg.split("=", 1)
        q = survey.question_map.get(qid)
        label = next((survey.t(o.label, lang) for o in (q.options if q else []) if str(o.code) == code), code)
        qname = survey.t(q.short or q.text, lang) if q else qid
        return f"{qname} {label} · {survey.t(survey.constructs[cid].label, lang)}"
    if alert.kind == "theme_rising":
        from csi.text.lexicon import survey_lexicon

        try:
            return survey.t(survey_lexicon(survey).theme(alert.subject).label, lang)
        except KeyError:
            return alert.subject
    return alert.subject


def alert_message(survey: Survey, alert: Alert, lang: str | None = None) -> str:
    """The alert as one sentence in ``lang`` (default: the survey's default language).

    >>> from csi.survey import load_survey
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> a = Alert("k", "index_drop", "satisfaction", "2026Q4", "2026Q3", 61.0, 66.5, -5.5, 0.001, None, 400)
    >>> alert_message(s, a, "en")
    'Customer satisfaction index fell 5.5 points, 2026Q3 66.5 → 2026Q4 61.0 (p = 0.001)'
    """
    lang = lang if lang in ("zh", "en") else ("zh" if survey.default_language == "zh" else "en")
    t = _TEMPLATES[alert.kind][lang]
    return t.format(subject=_subject(survey, alert, lang), wave=alert.wave, prev=alert.previous_wave,
                    value=alert.value, previous=alert.previous if alert.previous is not None else float("nan"),
                    change=alert.change if alert.change is not None else float("nan"),
                    drop=-(alert.change or 0.0), p=alert.p_value if alert.p_value is not None else float("nan"),
                    threshold=alert.threshold if alert.threshold is not None else float("nan"), n=alert.n)
