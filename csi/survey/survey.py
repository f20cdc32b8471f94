"""The validated survey: :class:`Survey` adds lookups and the model view to :class:`SurveyDoc`.

Use :func:`csi.survey.load_survey` to obtain one; a ``Survey`` is frozen and hashable by
``(id, version, sha256)``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from pydantic import PrivateAttr

from csi.survey.model import ACSI_DEFAULT_PATHS, ConstructSpec, ItemSpec, ModelSpec
from csi.survey.schema import Item, Question, Scale, Section, SurveyDoc, Text

__all__ = ["Survey", "ItemInfo", "localize"]


def localize(text: Text | None, lang: str | None, default: str) -> str:
    """Return ``text`` in ``lang``, falling back to ``default``, then to any language.

    >>> localize({"zh": "满意", "en": "Satisfied"}, "en", "zh")
    'Satisfied'
    >>> localize({"zh": "满意"}, "en", "zh")
    '满意'
    """
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    for key in (lang, default):
        if key in text:
            return text[key]
    return next(iter(text.values()))


@dataclass(frozen=True)
class ItemInfo:
    """A Likert item with where it belongs: ``group`` is ``construct`` or ``driver``."""

    item: Item
    owner: str  # construct id or driver lever id
    group: str  # "construct" | "driver"
    scale: Scale
    scale_id: str


class Survey(SurveyDoc):
    """A validated survey definition (frozen). Build with :func:`csi.survey.load_survey`."""

    _source_text: str = PrivateAttr(default="")
    _source_file: str = PrivateAttr(default="<survey>")

    model_config = SurveyDoc.model_config | {"ignored_types": (cached_property,)}

    # -- identity ---------------------------------------------------------------------------
    @property
    def source_text(self) -> str:
        """The YAML text the survey was loaded from."""
        return self._source_text

    @property
    def source_file(self) -> str:
        return self._source_file

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the source text (identifies a survey version in the store and caches)."""
        return hashlib.sha256(self._source_text.encode("utf-8")).hexdigest()

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.sha256))

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def t(self, text: Text | None, lang: str | None = None) -> str:
        """Localize a display text (fallback: default language, then any)."""
        return localize(text, lang, self.default_language)

    # -- lookups ----------------------------------------------------------------------------
    @property
    def items(self) -> dict[str, ItemInfo]:
        """Every Likert item (constructs first, then driver levers), by id, in survey order."""
        out: dict[str, ItemInfo] = {}
        for cid, c in self.constructs.items():
            for it in c.items:
                sid = it.scale or c.scale
                out[it.id] = ItemInfo(it, cid, "construct", self.scales[sid], sid)
        if self.drivers is not None:
            for lever in self.drivers.levers:
                for it in lever.items:
                    sid = it.scale or self.drivers.scale
                    out[it.id] = ItemInfo(it, lever.id, "driver", self.scales[sid], sid)
        return out

    @property
    def question_map(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def questions_with_role(self, role: str) -> list[Question]:
        return [q for q in self.questions if q.role == role]

    @property
    def segments(self) -> list[Question]:
        """Segment questions (channel, category, region, ...)."""
        return self.questions_with_role("segment")

    @property
    def pii_fields(self) -> list[str]:
        """Ids of fields holding respondent contact data (never shown, logged or exported)."""
        return [q.id for q in self.questions if q.pii is not None or q.role == "contact"]

    @property
    def driver_items(self) -> dict[str, list[str]]:
        """Driver lever id -> its item ids (empty when the survey has no battery)."""
        if self.drivers is None:
            return {}
        return {lv.id: [it.id for it in lv.items] for lv in self.drivers.levers}

    @property
    def headline_id(self) -> str:
        """The construct whose 0-100 index is the headline CSI: ``headline:`` or ``satisfaction``
        (the loader guarantees one of them names a non-binary construct)."""
        return self.headline or "satisfaction"

    @property
    def field_ids(self) -> list[str]:
        """All answer fields (items, then questions), in survey order."""
        return list(self.items) + [q.id for q in self.questions]

    @property
    def effective_paths(self) -> list[tuple[str, str]]:
        """The structural paths: as written, or the ACSI default restricted to present constructs."""
        if self.paths is not None:
            return [(p.from_, p.to) for p in self.paths]
        return [(s, t) for s, t in ACSI_DEFAULT_PATHS if s in self.constructs and t in self.constructs]

    # -- model ------------------------------------------------------------------------------
    def to_model(self) -> ModelSpec:
        """The measurement and structural model as a :class:`ModelSpec` for the estimators.

        Item bounds are the scale's theoretical ``min``/``max``; ``dont_know`` and
        ``missing_codes`` become the item's missing codes.
        """
        items = self.items
        constructs = []
        specs: dict[str, ItemSpec] = {}
        for cid, c in self.constructs.items():
            constructs.append(ConstructSpec(cid, tuple(it.id for it in c.items), c.mode, c.binary))
            for i, it in enumerate(c.items):
                sc = items[it.id].scale
                codes = tuple(sc.missing_codes) + ((sc.dont_know,) if sc.dont_know is not None else ())
                where = None
                if it.show_if is not None and it.not_shown is None:  # estimation will refuse it: say where
                    from csi.survey.load import locate

                    where = locate(self._source_text, self._source_file, ("constructs", cid, "items", i, "show_if"))
                specs[it.id] = ItemSpec(it.id, sc.min, sc.max, it.reverse, codes, sc.dont_know,
                                        _condition_text(it.show_if), it.not_shown, where)
        return ModelSpec(tuple(constructs), tuple(self.effective_paths), specs)

    def to_lavaan(self) -> str:
        """The model in lavaan syntax (``=~`` reflective, ``<~`` formative, ``~`` paths)."""
        from csi.survey.syntax import to_lavaan

        return to_lavaan(self.to_model())

    # -- form -------------------------------------------------------------------------------
    def form_sections(self) -> list[Section]:
        """The respondent form's sections: as written, or a default layout.

        Default: segment questions; each construct (complaint details right after the
        complaint construct); the driver battery; remaining respondent questions (comments,
        contact). System fields (``source: system``) are never on the form.
        """
        if self.sections is not None:
            return list(self.sections)
        asked = [q for q in self.questions if q.source == "respondent"]
        complaint_roles = {"complaint_type", "complaint_handling", "complaint_resolved"}
        out = []
        seg = [q.id for q in asked if q.role == "segment"]
        if seg:
            out.append(Section(title={"en": "About your purchase", "zh": "关于您的购买"}, fields=seg))
        for cid, c in self.constructs.items():
            fields = [cid]
            if c.binary or cid == "complaint":
                fields += [q.id for q in asked if q.role in complaint_roles]
            out.append(Section(title=c.label, fields=fields))
        if self.drivers is not None:
            out.append(Section(title=self.drivers.label or {"en": "What brings you back", "zh": "复购因素"},
                               fields=["drivers"]))
        used = {f for s in out for f in s.fields}
        rest = [q.id for q in asked if q.id not in used]
        if rest:
            out.append(Section(title={"en": "Anything else", "zh": "其他"}, fields=rest))
        return out


def _condition_text(cond) -> str | None:
    """``show_if`` as readable text (``"cc1 == 1"``, ``"channel in (jd, tmall)"``)."""
    if cond is None:
        return None
    values, positive = cond.allowed
    if cond.equals is not None:
        return f"{cond.field} == {cond.equals}"
    return f"{cond.field} {'in' if positive else 'not in'} ({', '.join(map(str, values))})"
