"""The survey definition: validated, frozen pydantic models of the YAML questionnaire format.

A survey file has these top-level keys (see ``surveys/ecommerce_csi.yaml`` for a full example):

``id``, ``version``, ``title``, ``languages`` (first = default), ``description``,
``scales`` (id -> Scale), ``constructs`` (id -> Construct, each with a list of items),
``paths`` (optional; the ACSI model when omitted), ``questions`` (segments, complaint details,
comments, behavioural fields, contact data), ``drivers`` (the repeat-purchase driver battery)
``sections`` (optional form layout) and ``headline`` (optional: the construct whose index is
the headline CSI; default ``satisfaction``).

Every display text is a ``{language: text}`` map (or a plain string in the default language);
a missing translation falls back to the default language. IDs are ASCII ``snake_case``.

Shape checks live here (pydantic, ``extra="forbid"``); cross-references (unknown scales,
items in two constructs, cycles, ...) are checked in :mod:`csi.survey.checks` so that every
problem can be reported at once with its line and column.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from csi.survey.comments_spec import AlertsSpec, CommentsSpec
from csi.survey.followup import FollowUp  # issue 18: the follow-up / contact-vault block

__all__ = [
    "Text",
    "Scale",
    "Item",
    "Construct",
    "Path",
    "ShowIf",
    "Option",
    "Question",
    "DriverLever",
    "DriverBattery",
    "Section",
    "SurveyDoc",
    "Access",
    "Reporting",
    "QUESTION_TYPES",
    "QUESTION_ROLES",
    "PII_KINDS",
]

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
#: A display text: ``{"zh": "...", "en": "..."}`` or a plain string in the default language.
Text = Annotated[dict[LangCode, Annotated[str, StringConstraints(min_length=1)]], Field(min_length=1)] | str
Number = int | float

QUESTION_TYPES = ("single_choice", "multiple_choice", "text", "number", "yes_no", "rating", "date")
QUESTION_ROLES = (
    "segment",  # a grouping variable: channel, category, region, new vs returning
    "complaint_type",  # what the complaint was about (multiple choice with option groups)
    "complaint_handling",  # satisfaction with how the complaint was handled (rating)
    "complaint_resolved",  # was it resolved (yes/no)
    "comment",  # free text
    "behavioural",  # from order systems, not asked: repurchased_90d, orders_12m
    "contact",  # respondent contact data (PII): never shown, logged or exported by default
    "wave",  # survey wave / period label
    "weight",  # sampling weight
    "recommendation",  # 0-10 "how likely to recommend" (NPS; see csi.drivers.nps)
    "other",
)
PII_KINDS = ("phone", "email", "address", "name", "ip", "other")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Scale(_Model):
    """A numeric answer scale with theoretical bounds (used for the 0-100 rescaling).

    ``labels`` maps scale points to display texts (endpoints at least, usually);
    ``dont_know`` is a code outside ``[min, max]`` meaning "don't know / not applicable"
    (missing by design); ``missing_codes`` are further codes treated as missing
    (e.g. -99, and the platform codes -2 skipped / -3 not shown).
    """

    min: Number
    max: Number
    step: Number = 1
    labels: dict[Number, Text] = Field(default_factory=dict)
    dont_know: Number | None = None
    dont_know_label: Text | None = None
    missing_codes: tuple[Number, ...] = ()
    #: issue 13: platform option number -> stored value, for code exports that do not number
    #: the points as stored (e.g. a 0-10 scale exported as 1-11); default: presentation order
    export_codes: dict[Number, Number] | None = None

    @property
    def points(self) -> list[Number]:
        """Every allowed answer value from min to max by step."""
        n = int(round((self.max - self.min) / self.step))
        return [self.min + k * self.step for k in range(n + 1)]


class ShowIf(_Model):
    """Conditional display: show a field only when another field's answer matches.

    Exactly one of ``equals``, ``in``, ``not_in`` is given. A field not shown is a
    *structural* missing, distinct from nonresponse.
    """

    field: Id
    equals: Number | str | None = None
    in_: tuple[Number | str, ...] | None = Field(default=None, alias="in")
    not_in: tuple[Number | str, ...] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def allowed(self) -> tuple[tuple[Number | str, ...], bool]:
        """(values, positive): show when the answer is (``positive``) / is not in ``values``."""
        if self.not_in is not None:
            return self.not_in, False
        if self.in_ is not None:
            return self.in_, True
        return (self.equals,), True


class Item(_Model):
    """A Likert-type item of a construct (or of the driver battery)."""

    id: Id
    text: Text
    reverse: bool = False
    scale: Id | None = None  # defaults to the construct's / battery's scale
    required: bool = True
    show_if: ShowIf | None = None
    short: Text | None = None  # short label for charts
    #: issue 13: platform option number -> stored value for this item (wins over the scale's)
    export_codes: dict[Number, Number] | None = None
    # issue 14: how a not-shown answer (show_if false) enters a model: "impute" (missing at
    # random given the condition, under the fit's policy), "listwise" (the model uses only the
    # respondents shown it), or the one policy it may be estimated under (em, fiml, pairwise,
    # mean); see csi.estimate.prepare
    not_shown: Literal["impute", "listwise", "em", "fiml", "pairwise", "mean"] | None = None
    # issue 20: the item's own scale anchors (e.g. {1: falls short, 10: exceeds}); when given,
    # the form shows these instead of the scale's labels (never both)
    labels: dict[Number, Text] = Field(default_factory=dict)


class Construct(_Model):
    """A construct measured by one or more items.

    ``mode``: ``reflective`` (PLS Mode A, lavaan ``=~``) or ``formative`` (Mode B, ``<~``).
    ``binary``: a yes/no construct such as the ACSI complaint item (scale must be 0/1).
    """

    label: Text
    mode: Literal["reflective", "formative"] = "reflective"
    binary: bool = False
    scale: Id | None = None
    description: Text | None = None
    items: list[Item] = Field(min_length=1)


class Path(_Model):
    """A structural path ``from -> to`` between constructs."""

    from_: Id = Field(alias="from")
    to: Id

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Interaction(_Model):
    """A moderated path (issue 16): ``moderator`` changes the effect of ``source`` on
    ``target`` (lavaan ``target ~ source + moderator + source:moderator``); both main effects
    must be paths of the model. YAML: ``- quality:value -> satisfaction`` or a mapping."""

    source: Id
    moderator: Id
    target: Id
    method: Literal["two_stage", "product_indicator"] = "two_stage"


class HigherOrder(_Model):
    """A higher-order construct (issue 16) over two or more first-order ``dimensions``: it takes
    their place in the structural model (paths to or from a dimension go to or from it) and is
    estimated by ``method`` -- ``disjoint`` / ``embedded`` two-stage or ``repeated`` indicators
    (:func:`csi.estimate.pls.higher_order.fit_higher_order`). ``mode``: of the HOC over its
    dimensions. YAML: ``- {id: service, dimensions: [quality, value]}``."""

    id: Id
    label: Text | None = None
    dimensions: list[Id] = Field(min_length=2)
    mode: Literal["reflective", "formative"] = "reflective"
    method: Literal["disjoint", "embedded", "repeated"] = "disjoint"


class Option(_Model):
    """An answer option of a choice question; ``group`` groups options (complaint sub-types)."""

    code: Id | int
    label: Text
    group: Id | None = None


class Question(_Model):
    """A non-Likert question or field: segments, complaint details, comments, behaviour, contact."""

    id: Id
    type: Literal[
        "single_choice", "multiple_choice", "text", "number", "yes_no", "rating", "date"
    ]
    role: Literal[
        "segment", "complaint_type", "complaint_handling", "complaint_resolved", "comment",
        "behavioural", "contact", "wave", "weight", "recommendation", "other",
    ] = "other"
    text: Text
    options: list[Option] = Field(default_factory=list)
    option_groups: dict[Id, Text] = Field(default_factory=dict)
    scale: Id | None = None  # for type rating
    min: Number | None = None  # for type number
    max: Number | None = None
    required: bool = False
    show_if: ShowIf | None = None
    source: Literal["respondent", "system"] = "respondent"
    pii: Literal["phone", "email", "address", "name", "ip", "other"] | None = None
    short: Text | None = None
    #: issue 13: ``false`` declares that a contact-looking question holds no contact data
    #: (``csi validate`` otherwise asks for ``pii``); platform option number -> stored value
    #: (or option code) for code exports that do not follow the presentation order
    contact_data: Literal[False] | None = None
    export_codes: dict[Number, Number | str] | None = None


class DriverLever(_Model):
    """One lever of repeat purchase (brand, product, innovation, VIP, ...) and its items."""

    id: Id
    label: Text
    items: list[Item] = Field(min_length=1)


class DriverBattery(_Model):
    """The repeat-purchase driver battery: rated levers and the stated outcome they explain."""

    label: Text | None = None
    scale: Id
    outcome: Id | None = None  # the item/construct they explain (default: loyalty construct)
    behaviour: Id | None = None  # behavioural question with actual repurchase (0/1)
    levers: list[DriverLever] = Field(min_length=1)


class Section(_Model):
    """A page/section of the respondent form: a title and the ids it shows, in order.

    ``fields`` may name items, questions, whole constructs or driver levers, or ``drivers``.
    """

    title: Text
    fields: list[Id] = Field(min_length=1)


# -- issue 20: respondent access (open link, rate limit) and small-n reporting thresholds --
class Access(_Model):
    """Who may answer the public form.

    ``open_link``: the plain link ``?survey=<id>`` is accepted (else only invitation tokens);
    ``rate_limit`` submissions per client (hashed IP) per ``rate_window_minutes`` on the open
    link; invitation tokens are single-use and not rate limited.
    """

    open_link: bool = True
    rate_limit: int = Field(default=10, ge=1)
    rate_window_minutes: int = Field(default=60, ge=1)


class Reporting(_Model):
    """Small-n rule: a number from fewer than ``warn_below`` respondents carries a warning, from
    fewer than ``caution_below`` a caution (see :mod:`csi.report.caution`)."""

    warn_below: int = Field(default=30, ge=1)
    caution_below: int = Field(default=100, ge=1)


class SurveyDoc(_Model):
    """The document as written in YAML (shape only; see :mod:`csi.survey.checks`)."""

    id: Id
    version: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    title: Text
    languages: list[LangCode] = Field(min_length=1)
    description: Text | None = None
    scales: dict[Id, Scale] = Field(min_length=1)
    constructs: dict[Id, Construct] = Field(min_length=1)
    paths: list[Path] | None = None
    questions: list[Question] = Field(default_factory=list)
    drivers: DriverBattery | None = None
    sections: list[Section] | None = None
    interactions: list[Interaction] | None = None  # issue 16: moderation
    higher_order: list[HigherOrder] | None = None  # issue 16: higher-order constructs
    followup: FollowUp | None = None  # issue 18: what opens a follow-up case, contact kept or not
    comments: CommentsSpec | None = None  # comment themes (csi.text)
    alerts: AlertsSpec | None = None  # alert rules (csi.alerts)
    access: Access = Field(default_factory=Access)  # issue 20
    reporting: Reporting = Field(default_factory=Reporting)  # issue 20
    headline: Id | None = None  # issue 17: the headline construct (default: satisfaction)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, v: object) -> object:
        # `version: 1.0` in YAML is a float and `version: 2026-01-15` a date; keep them as text.
        if isinstance(v, int | float | date) and not isinstance(v, bool):
            return str(v)
        return v

    @field_validator("interactions", mode="before")
    @classmethod
    def _interactions_as_text(cls, v: object) -> object:
        # `- quality:value -> satisfaction` (lavaan's x:z) as well as a mapping.
        if not isinstance(v, list):
            return v
        out = []
        for p in v:
            if isinstance(p, str) and "->" in p and ":" in p.split("->", 1)[0]:
                lhs, target = p.split("->", 1)
                source, moderator = lhs.split(":", 1)
                out.append({"source": source.strip(), "moderator": moderator.strip(),
                            "target": target.strip()})
            else:
                out.append(p)
        return out

    @field_validator("paths", mode="before")
    @classmethod
    def _paths_as_pairs(cls, v: object) -> object:
        # Accept `- [expectation, quality]` and `- expectation -> quality` as well as
        # `- {from: expectation, to: quality}`.
        if not isinstance(v, list):
            return v
        out = []
        for p in v:
            if isinstance(p, list | tuple) and len(p) == 2:
                out.append({"from": p[0], "to": p[1]})
            elif isinstance(p, str) and "->" in p:
                a, b = p.split("->", 1)
                out.append({"from": a.strip(), "to": b.strip()})
            else:
                out.append(p)
        return out
