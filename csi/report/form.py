"""The respondent form as data: sections, fields, ``show_if`` and required-answer checks.

The app renders these :class:`FormField` objects with widgets; everything that decides *what*
is shown, *which* answers are required and *how* answers become a canonical response (the
values the store and the estimators expect) lives here, so it is tested without a browser.

Answer conventions (the canonical response frame): Likert items and ratings are floats on the
item's scale or the scale's ``dont_know`` code; ``yes_no`` is 0.0/1.0; ``single_choice`` is the
option code as text; ``multiple_choice`` is the ticked codes joined by ``;`` (``""`` when shown
and nothing ticked); ``number`` is a float; ``text``/``date`` are text. Fields not shown are
left out. Contact (PII) answers are kept only for the store, which keeps them apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from csi.report.i18n import tr
from csi.survey.schema import Option, Scale, ShowIf
from csi.survey.survey import Survey

__all__ = ["FormField", "FormSection", "form_layout", "is_visible", "missing_required",
           "canonical_answers", "scale_choices", "form_progress", "CONSENT_ID"]


@dataclass(frozen=True)
class FormField:
    """One answer field of the form.

    ``kind`` is the widget family: ``likert`` (a scale item or ``rating`` question), ``choice``
    (single choice), ``multi`` (multiple choice), ``yes_no``, ``number``, ``text`` or ``date``.
    """

    id: str
    kind: str
    text: str
    required: bool
    show_if: ShowIf | None = None
    scale: Scale | None = None
    options: tuple[tuple[str, str], ...] = ()  # (code, label)
    min: float | None = None
    max: float | None = None
    pii: bool = False
    group_labels: tuple[tuple[str, str], ...] = ()  # (option code, group label) for multi
    #: scale anchors shown at the scale's ends, ((point, label), ...): the item's own
    #: ``labels`` when it has them, else the scale's -- never both
    anchors: tuple[tuple[str, str], ...] = ()
    dont_know_label: str = ""
    synthetic: bool = False  # asked by the form itself (consent gate), not a survey field


@dataclass(frozen=True)
class FormSection:
    """A page of the form: a title and its fields, in order."""

    title: str
    fields: tuple[FormField, ...] = field(default_factory=tuple)


def _label(survey: Survey, opt: Option, lang: str) -> str:
    return survey.t(opt.label, lang)


def _expand(survey: Survey, fid: str) -> list[str]:
    """A section entry -> the answer field ids it stands for."""
    if fid == "drivers":
        return [i for items in survey.driver_items.values() for i in items]
    if fid in survey.constructs:
        return [it.id for it in survey.constructs[fid].items]
    if fid in survey.driver_items:
        return list(survey.driver_items[fid])
    return [fid]


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _anchors(survey: Survey, labels: dict, lang: str) -> tuple[tuple[str, str], ...]:
    return tuple((_num(p), survey.t(t, lang)) for p, t in sorted(labels.items()))


def _dk(survey: Survey, scale: Scale | None, lang: str) -> str:
    if scale is None or scale.dont_know is None:
        return ""
    return survey.t(scale.dont_know_label, lang) or tr("form_dont_know", lang)


def _field(survey: Survey, fid: str, lang: str) -> FormField | None:
    items = survey.items
    if fid in items:
        info = items[fid]
        kind = "yes_no" if info.scale.min == 0 and info.scale.max == 1 else "likert"
        anchors = _anchors(survey, info.item.labels or info.scale.labels, lang)
        return FormField(fid, kind, survey.t(info.item.text, lang), info.item.required,
                         info.item.show_if, info.scale, anchors=anchors,
                         dont_know_label=_dk(survey, info.scale, lang))
    q = survey.question_map.get(fid)
    if q is None or q.source != "respondent":
        return None
    opts = tuple((str(o.code), _label(survey, o, lang)) for o in q.options)
    groups = tuple((str(o.code), survey.t(q.option_groups.get(o.group), lang))
                   for o in q.options if o.group is not None)
    kind = {"single_choice": "choice", "multiple_choice": "multi", "rating": "likert"}.get(q.type, q.type)
    scale = survey.scales[q.scale] if q.scale else None
    return FormField(fid, kind, survey.t(q.text, lang), q.required, q.show_if, scale, opts,
                     q.min, q.max, q.pii is not None or q.role == "contact", groups,
                     anchors=_anchors(survey, scale.labels, lang) if scale is not None else (),
                     dont_know_label=_dk(survey, scale, lang))


CONSENT_ID = "contact_consent"


def _gate_contact(sections: list[FormSection], survey: Survey, lang: str) -> list[FormSection]:
    """Ask for consent before any contact field: the survey's ``contact_consent`` question
    when it has one, else a form-only yes/no question; contact fields without a ``show_if``
    are shown only after "yes"."""
    if not any(f.pii for s in sections for f in s.fields):
        return sections
    gate = ShowIf(field=CONSENT_ID, equals=1)
    asked = any(f.id == CONSENT_ID for s in sections for f in s.fields)
    out = []
    for sec in sections:
        fields = []
        for f in sec.fields:
            if f.pii and not asked:
                fields.append(FormField(CONSENT_ID, "yes_no", tr("form_consent", lang), False,
                                        synthetic=True))
                asked = True
            fields.append(replace(f, show_if=gate) if f.pii and f.show_if is None else f)
        out.append(FormSection(sec.title, tuple(fields)))
    return out


def form_layout(survey: Survey, lang: str | None = None, *, skip=()) -> list[FormSection]:
    """The respondent form: sections of :class:`FormField`, texts in ``lang``.

    System fields (``source: system``) are never on the form; nor are the fields in
    ``skip`` (answers an invitation already carries, e.g. ``channel``). Contact fields come
    after a consent question (``contact_consent``) and are shown only after "yes".

    Examples
    --------
    >>> from csi.survey import load_survey
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> secs = form_layout(s, "en")
    >>> secs[0].title, [f.id for f in secs[0].fields][:2]
    ('About your purchase', ['channel', 'category'])
    """
    lang = lang or survey.default_language
    skip = set(skip)
    out = []
    for sec in survey.form_sections():
        fields = []
        for entry in sec.fields:
            for fid in _expand(survey, entry):
                f = _field(survey, fid, lang) if fid not in skip else None
                if f is not None:
                    fields.append(f)
        if fields:
            out.append(FormSection(survey.t(sec.title, lang), tuple(fields)))
    return _gate_contact(out, survey, lang)


def form_progress(sections: list[FormSection], answers: dict[str, Any]) -> tuple[int, int]:
    """``(answered, shown)``: questions shown given the answers so far, and how many of them
    have an answer (a multiple-choice question counts once something is ticked).

    >>> f = FormField("a", "text", "?", False)
    >>> form_progress([FormSection("s", (f, FormField("b", "text", "?", False)))], {"a": "x"})
    (1, 2)
    """
    shown = answered = 0
    for sec in sections:
        for f in sec.fields:
            if not is_visible(f, answers):
                continue
            shown += 1
            value = answers.get(f.id)
            answered += not (_empty(value) or (f.kind == "multi" and not value))
    return answered, shown


def _same(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def is_visible(f: FormField, answers: dict[str, Any]) -> bool:
    """Whether ``f`` is shown given the answers so far (``show_if`` honoured).

    A condition on an unanswered field hides the field. For a multiple-choice condition
    field, the condition holds when any ticked code matches.

    Examples
    --------
    >>> from csi.survey.schema import ShowIf
    >>> f = FormField("complaint_type", "multi", "?", False, ShowIf(field="cc1", equals=1))
    >>> is_visible(f, {"cc1": 1.0}), is_visible(f, {"cc1": 0.0}), is_visible(f, {})
    (True, False, False)
    """
    if f.show_if is None:
        return True
    answer = answers.get(f.show_if.field)
    if answer is None or answer == "" or answer == []:
        return False
    values, positive = f.show_if.allowed
    given = answer if isinstance(answer, list | tuple | set) else [answer]
    hit = any(_same(a, v) for a in given for v in values)
    return hit if positive else not hit


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def missing_required(sections: list[FormSection], answers: dict[str, Any]) -> list[str]:
    """Ids of visible required fields without an answer (in form order).

    A multiple-choice field counts as answered when at least one code is ticked.
    """
    out = []
    for sec in sections:
        for f in sec.fields:
            if not f.required or not is_visible(f, answers):
                continue
            value = answers.get(f.id)
            if _empty(value) or (f.kind == "multi" and not value):
                out.append(f.id)
    return out


def scale_choices(scale: Scale) -> list[float]:
    """The answer values of a Likert scale: every point, then the ``dont_know`` code if any."""
    pts = [float(p) for p in scale.points]
    if scale.dont_know is not None:
        pts.append(float(scale.dont_know))
    return pts


def canonical_answers(sections: list[FormSection], answers: dict[str, Any]) -> dict[str, Any]:
    """Turn widget values into the canonical answer dict for :meth:`Store.submit_response`.

    Hidden fields and unanswered optional fields are left out; see the module docstring for
    the value types.

    Examples
    --------
    >>> from csi.survey import load_survey
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> secs = form_layout(s, "en")
    >>> out = canonical_answers(secs, {"cc1": 1, "complaint_type": ["late", "damaged"],
    ...                                "channel": "jd", "comment": "  "})
    >>> out
    {'channel': 'jd', 'cc1': 1.0, 'complaint_type': 'late;damaged'}
    """
    out: dict[str, Any] = {}
    for sec in sections:
        for f in sec.fields:
            if f.synthetic or not is_visible(f, answers):
                continue
            value = answers.get(f.id)
            if f.kind == "multi":
                if value is None:
                    continue
                out[f.id] = ";".join(str(v) for v in value)
                continue
            if _empty(value):
                continue
            if f.kind in ("likert", "yes_no", "number"):
                out[f.id] = float(value)
            elif f.kind == "choice":
                out[f.id] = str(value)
            else:
                out[f.id] = str(value).strip()
    return out
