"""The survey's ``followup:`` block: which responses open a follow-up case, and whether contact
data are kept (encrypted) for calling back.

.. code-block:: yaml

    followup:
      keep_contact: true          # opt-in: keep contact fields, encrypted (needs CSI_PII_KEY)
      consent: contact_consent    # yes/no question; contact kept only when answered yes (1)
      reference: order_id         # optional: an order / buyer id kept as the case reference
      due_hours: 24               # first contact due this long after the case opens
      rules:
        - {kind: complained}                                    # complaint item = yes
        - {kind: score_below, construct: satisfaction, threshold: 50}   # 0-100 index score
        - {kind: item_below, item: cl1, threshold: 4}           # raw answer on the item's scale
        - {kind: not_resolved}                                  # complaint not resolved
        - {kind: comment_flag, flag: negative}                  # set by the text analysis (csi.text)

Rule kinds and the parameters each needs are listed in :data:`RULE_KINDS` (add a kind here and
its evaluator in :mod:`csi.cases.rules`). ``score_below`` uses the respondent's equal-weight
0-100 construct score (theoretical scale bounds, higher is better); ``item_below`` compares the
raw answer (don't-know codes never match); ``comment_flag`` a flag the text analysis sets on the
comment (its sentiment, a theme it mentions, or that theme's complaint group; see
:mod:`csi.cases.flags`), which needs the survey's ``comments:`` block.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

if TYPE_CHECKING:
    from csi.survey.schema import SurveyDoc

__all__ = ["FollowUpRule", "FollowUp", "RULE_KINDS", "check_followup"]

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Number = int | float

#: Rule kind -> the parameters it needs (other branches add kinds: one per source).
RULE_KINDS: dict[str, tuple[str, ...]] = {
    "complained": (),
    "score_below": ("construct", "threshold"),
    "item_below": ("item", "threshold"),
    "not_resolved": (),
    "comment_flag": ("flag",),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FollowUpRule(_Model):
    """One condition that opens a case (see :data:`RULE_KINDS`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True)

    kind: str
    construct_id: Id | None = Field(default=None, alias="construct")  # `construct` shadows BaseModel.construct
    item: Id | None = None
    threshold: Number | None = None
    flag: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class FollowUp(_Model):
    """Follow-up settings of a survey (absent: no cases are opened, no contact kept)."""

    keep_contact: bool = False
    consent: Id | None = None
    contact_fields: list[Id] | None = None  # default: every contact (pii) field
    reference: Id | None = None
    due_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 24.0
    rules: list[FollowUpRule] = Field(min_length=1)


def _comment_flags(doc: SurveyDoc) -> list[str] | None:
    """Flags the text analysis can set (csi.cases.flags): sentiments, then the comment themes
    and the complaint groups of their options; None without a ``comments:`` block."""
    if doc.comments is None:
        return None
    themes = list(doc.comments.themes)
    groups = sorted({o.group for q in doc.questions if q.role == "complaint_type" for o in q.options
                     if o.group and str(o.code) in themes})
    return ["negative", "neutral", "positive", *themes, *[g for g in groups if g not in themes]]


def check_followup(doc: SurveyDoc) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Cross-reference problems of ``doc.followup`` as ``(loc, message)`` pairs."""
    fu = doc.followup
    if fu is None:
        return
    loc = ("followup",)
    questions = {q.id: q for q in doc.questions}
    pii = [q.id for q in doc.questions if q.pii is not None or q.role == "contact"]
    if fu.keep_contact and fu.consent is None:
        yield (*loc, "keep_contact"), ("keeping contact data needs the respondent's consent: name a "
                                       "yes/no question in `followup.consent`")
    if fu.consent is not None:
        q = questions.get(fu.consent)
        if q is None or q.type != "yes_no":
            yield (*loc, "consent"), (f"unknown consent question {fu.consent!r}; expected a yes_no "
                                      f"question, one of {', '.join(k for k, v in questions.items() if v.type == 'yes_no') or '(none)'}")
    for i, fid in enumerate(fu.contact_fields or []):
        if fid not in pii:
            yield (*loc, "contact_fields", i), (f"{fid!r} is not a contact field; expected one of "
                                                f"{', '.join(pii) or '(none: mark contact questions with pii:)'}")
    if fu.reference is not None and fu.reference not in pii:
        yield (*loc, "reference"), (f"the case reference {fu.reference!r} must be a question marked "
                                    "`pii: other` (it is kept only in the encrypted vault)")
    constructs = dict(doc.constructs)
    items = {it.id: (c, it) for c in constructs.values() for it in c.items}
    for i, rule in enumerate(fu.rules):
        rloc = (*loc, "rules", i)
        if rule.kind not in RULE_KINDS:
            yield (*rloc, "kind"), f"unknown rule kind {rule.kind!r}; expected one of {', '.join(RULE_KINDS)}"
            continue
        for param in RULE_KINDS[rule.kind]:
            if getattr(rule, "construct_id" if param == "construct" else param) is None:
                yield rloc, f"a {rule.kind} rule needs `{param}:`"
        if rule.kind == "complained" and not any(c.binary for c in constructs.values()):
            yield (*rloc, "kind"), "a complained rule needs a binary complaint construct (binary: true)"
        if rule.kind == "not_resolved" and not any(q.role == "complaint_resolved" for q in doc.questions):
            yield (*rloc, "kind"), "a not_resolved rule needs a question with role: complaint_resolved"
        if rule.kind == "score_below":
            if rule.construct_id is not None and rule.construct_id not in constructs:
                yield (*rloc, "construct"), (f"unknown construct {rule.construct_id!r}; expected one of "
                                             f"{', '.join(constructs)}")
            if rule.threshold is not None and not 0 <= rule.threshold <= 100:
                yield (*rloc, "threshold"), f"threshold {rule.threshold} is outside the 0-100 index scale"
        if rule.kind == "comment_flag" and rule.flag is not None:
            known = _comment_flags(doc)
            if known is None:
                yield (*rloc, "kind"), ("a comment_flag rule needs the survey's `comments:` block (the "
                                        "themes the text analysis finds)")
            elif rule.flag not in known:
                yield (*rloc, "flag"), (f"unknown comment flag {rule.flag!r}; expected a sentiment "
                                        f"(negative, neutral, positive), a theme or a complaint group: "
                                        f"{', '.join(known[3:])}")
        if rule.kind == "item_below" and rule.item is not None:
            if rule.item not in items:
                yield (*rloc, "item"), f"unknown item {rule.item!r}; expected an item of a construct"
            elif rule.threshold is not None:
                c, it = items[rule.item]
                sc = doc.scales.get(it.scale or c.scale or "")
                if sc is not None and not sc.min <= rule.threshold <= sc.max:
                    yield (*rloc, "threshold"), (f"threshold {rule.threshold} is outside the scale of "
                                                 f"{rule.item!r} ({sc.min}-{sc.max})")
