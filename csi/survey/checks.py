"""Cross-reference checks on a shape-valid :class:`~csi.survey.schema.SurveyDoc`.

Each check yields ``(loc, message)`` where ``loc`` is the key path into the YAML document
(e.g. ``("constructs", "value", "items", 2, "scale")``); :mod:`csi.survey.load` turns it into
a file:line:column. All problems are collected; nothing stops at the first.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from csi.survey.comments_spec import check_alerts, check_comments
from csi.survey.contact_check import check_contact_questions
from csi.survey.followup import check_followup
from csi.survey.model import ACSI_DEFAULT_PATHS, _find_cycle
from csi.survey.schema import Question, Scale, ShowIf, SurveyDoc

__all__ = ["check_survey"]

Loc = tuple[Any, ...]
TEXT_FIELDS = ("title", "label", "text", "description", "short", "dont_know_label")
#: Most answer points a scale may have (a 0-100 slider in steps of 0.01 is the extreme case).
MAX_SCALE_POINTS = 10_001


def check_survey(doc: SurveyDoc) -> list[tuple[Loc, str]]:
    """Return every cross-reference problem of ``doc`` (empty when the survey is consistent)."""
    out: list[tuple[Loc, str]] = []
    for check in (_languages, _scales, _ids, _constructs, _paths, _questions, _drivers,
                  _show_if, _sections, check_contact_questions, _interactions, _higher_order, check_followup,
                  check_comments, check_alerts, _item_anchors, _reporting, _headline):
        out.extend(check(doc))
    return out


def _one_of(names: Any) -> str:
    names = list(names)
    return ", ".join(str(n) for n in names) if names else "(none defined)"


def _languages(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    seen: set[str] = set()
    for i, lang in enumerate(doc.languages):
        if lang in seen:
            yield ("languages", i), f"language {lang!r} is listed twice"
        seen.add(lang)
    yield from _texts(doc, (), set(doc.languages))


def _texts(node: Any, loc: Loc, langs: set[str]) -> Iterator[tuple[Loc, str]]:
    """Every {lang: text} map may use only declared languages."""
    if isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            key = info.alias or name
            value = getattr(node, name)
            if name in TEXT_FIELDS and isinstance(value, dict):
                for lang in value:
                    if lang not in langs:
                        yield (*loc, key, lang), (
                            f"language {lang!r} is not declared; expected one of {_one_of(sorted(langs))}"
                        )
            elif name == "labels" and isinstance(value, dict):
                for point, text in value.items():
                    if isinstance(text, dict):
                        for lang in text:
                            if lang not in langs:
                                yield (*loc, key, point, lang), (
                                    f"language {lang!r} is not declared; expected one of "
                                    f"{_one_of(sorted(langs))}")
            else:
                yield from _texts(value, (*loc, key), langs)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _texts(v, (*loc, i), langs)
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _texts(v, (*loc, k), langs)


def _finite(x: Any) -> bool:
    return isinstance(x, int) or math.isfinite(x)


def _usable(sc: Scale | None) -> bool:
    """A scale whose points can be enumerated (finite bounds, positive step, not too many points)."""
    if sc is None or not all(_finite(x) for x in (sc.min, sc.max, sc.step)):
        return False
    return sc.min < sc.max and sc.step > 0 and (sc.max - sc.min) / sc.step < MAX_SCALE_POINTS


def _points(sc: Scale | None) -> list[Any]:
    """The scale's answer points, or [] when the scale is itself invalid (reported elsewhere)."""
    return sc.points if _usable(sc) else []


def _scales(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    for sid, sc in doc.scales.items():
        loc = ("scales", sid)
        bad = [k for k in ("min", "max", "step") if not _finite(getattr(sc, k))]
        if bad:
            for k in bad:
                yield (*loc, k), f"scale {k} must be a finite number; got {getattr(sc, k)}"
            continue
        if not sc.min < sc.max:
            yield (*loc, "max"), f"scale max ({sc.max}) must be greater than min ({sc.min})"
            continue
        if sc.step <= 0:
            yield (*loc, "step"), f"scale step must be positive; got {sc.step}"
            continue
        n = (sc.max - sc.min) / sc.step
        if n >= MAX_SCALE_POINTS:
            yield (*loc, "max"), (
                f"the scale {sc.min}..{sc.max} in steps of {sc.step} has more than "
                f"{MAX_SCALE_POINTS} points; use a number question for open numeric answers")
            continue
        if abs(n - round(n)) > 1e-9:
            yield (*loc, "step"), f"(max - min) = {sc.max - sc.min} is not a multiple of step {sc.step}"
            continue
        points = sc.points
        for p in sc.labels:
            if not _finite(p) or not any(abs(p - q) < 1e-9 for q in points):
                yield (*loc, "labels", p), (
                    f"label for {p} is outside the scale; expected a point from {sc.min} to {sc.max}")
        if sc.dont_know is not None and not _finite(sc.dont_know):
            yield (*loc, "dont_know"), f"the don't-know code must be a finite number; got {sc.dont_know}"
        elif sc.dont_know is not None and sc.min <= sc.dont_know <= sc.max:
            yield (*loc, "dont_know"), (
                f"the don't-know code {sc.dont_know} lies inside the scale {sc.min}..{sc.max}; "
                "choose a code outside it (e.g. 99 or -1)")
        for i, code in enumerate(sc.missing_codes):
            if sc.min <= code <= sc.max:
                yield (*loc, "missing_codes", i), (
                    f"missing code {code} lies inside the scale {sc.min}..{sc.max}; "
                    "a missing code must be outside the scale")


def _ids(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    """Item and question ids share one namespace (they are data columns)."""
    seen: dict[str, Loc] = {}
    for cid, c in doc.constructs.items():
        for i, it in enumerate(c.items):
            loc = ("constructs", cid, "items", i, "id")
            if it.id in seen:
                yield loc, f"item {it.id!r} is already defined at {_fmt(seen[it.id])}; an item belongs to one construct only"
            else:
                seen[it.id] = loc
    if doc.drivers is not None:
        for j, lv in enumerate(doc.drivers.levers):
            for i, it in enumerate(lv.items):
                loc = ("drivers", "levers", j, "items", i, "id")
                if it.id in seen:
                    yield loc, f"id {it.id!r} is already defined at {_fmt(seen[it.id])}"
                else:
                    seen[it.id] = loc
    for i, q in enumerate(doc.questions):
        loc = ("questions", i, "id")
        if q.id in seen:
            yield loc, f"id {q.id!r} is already defined at {_fmt(seen[q.id])}"
        else:
            seen[q.id] = loc


def _fmt(loc: Loc) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _scale_ref(doc: SurveyDoc, sid: str | None, loc: Loc, what: str) -> Iterator[tuple[Loc, str]]:
    if sid is not None and sid not in doc.scales:
        yield loc, f"unknown scale {sid!r} for {what}; expected one of {_one_of(doc.scales)}"


def _constructs(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    for cid, c in doc.constructs.items():
        yield from _scale_ref(doc, c.scale, ("constructs", cid, "scale"), f"construct {cid!r}")
        for i, it in enumerate(c.items):
            yield from _scale_ref(doc, it.scale, ("constructs", cid, "items", i, "scale"), f"item {it.id!r}")
            if (it.scale or c.scale) is None:
                yield ("constructs", cid, "items", i), (
                    f"item {it.id!r} has no scale; set `scale:` on construct {cid!r} or on the item")
        if c.binary:
            sc = doc.scales.get(c.scale or "")
            if sc is not None and (sc.min, sc.max) != (0, 1):
                yield ("constructs", cid, "scale"), (
                    f"binary construct {cid!r} needs a 0/1 scale; scale {c.scale!r} is {sc.min}..{sc.max}")
            if c.mode == "formative" and len(c.items) > 1:
                yield ("constructs", cid, "mode"), "a binary construct must be a single item"


def _paths(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    ids = list(doc.constructs)
    if doc.paths is None:
        pairs = [(s, t) for s, t in ACSI_DEFAULT_PATHS if s in doc.constructs and t in doc.constructs]
        extra = [c for c in ids if not any(c in p for p in ACSI_DEFAULT_PATHS)]
        if extra and len(ids) > 1:
            yield ("constructs", extra[0]), (
                f"construct {extra[0]!r} is not in the default ACSI model (expectation, quality, value, "
                "satisfaction, complaint, loyalty); list the structural model under `paths:`")
            return
        locs = [("constructs",)] * len(pairs)
    else:
        pairs = [(p.from_, p.to) for p in doc.paths]
        locs = [("paths", i) for i in range(len(pairs))]
        seen: set[tuple[str, str]] = set()
        for (s, t), loc in zip(pairs, locs, strict=True):
            if s not in doc.constructs:
                yield (*loc, "from"), f"unknown construct {s!r}; expected one of {_one_of(ids)}"
            if t not in doc.constructs:
                yield (*loc, "to"), f"unknown construct {t!r}; expected one of {_one_of(ids)}"
            if s == t:
                yield loc, f"path {s} -> {t}: a construct cannot predict itself"
            if (s, t) in seen:
                yield loc, f"path {s} -> {t} is listed twice"
            seen.add((s, t))
    valid = [(s, t) for s, t in pairs if s in doc.constructs and t in doc.constructs and s != t]
    cycle = _find_cycle(ids, valid)
    if cycle:
        yield ("paths",), "the structural model has a cycle: " + " -> ".join(cycle)
    if len(ids) > 1:
        used = {x for p in pairs for x in p}  # a bad path's known end is not also an orphan
        for cid in ids:
            if cid not in used:
                yield ("constructs", cid), (
                    f"construct {cid!r} is in no structural path (orphan); add a path or remove it")


def _questions(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    for i, q in enumerate(doc.questions):
        loc = ("questions", i)
        if q.type in ("single_choice", "multiple_choice"):
            if len(q.options) < 2:
                yield (*loc, "options"), f"{q.type} question {q.id!r} needs at least two options"
            codes = [o.code for o in q.options]
            for j, code in enumerate(codes):
                if code in codes[:j]:
                    yield (*loc, "options", j, "code"), f"option code {code!r} is listed twice"
            for j, o in enumerate(q.options):
                if o.group is not None and q.option_groups and o.group not in q.option_groups:
                    yield (*loc, "options", j, "group"), (
                        f"unknown option group {o.group!r}; expected one of {_one_of(q.option_groups)}")
        elif q.options:
            yield (*loc, "options"), f"a {q.type} question has no options; remove `options:`"
        if q.type == "rating":
            if q.scale is None:
                yield loc, f"rating question {q.id!r} needs `scale:`"
            else:
                yield from _scale_ref(doc, q.scale, (*loc, "scale"), f"question {q.id!r}")
        if q.min is not None and q.max is not None and not q.min < q.max:
            yield (*loc, "max"), f"max ({q.max}) must be greater than min ({q.min})"
        if q.role == "contact" and q.pii is None:
            yield (*loc, "pii"), (
                "a contact question must say which contact data it holds: "
                "pii: one of phone, email, address, name, ip, other")
        if q.role == "behavioural" and q.source != "system":
            yield (*loc, "source"), "a behavioural field comes from order systems: set `source: system`"


def _field_values(doc: SurveyDoc, fid: str) -> tuple[str, list[Any]] | None:
    """(kind, allowed answer values) of an item or question, or None when unknown."""
    for c in doc.constructs.values():
        for it in c.items:
            if it.id == fid:
                sc: Scale | None = doc.scales.get(it.scale or c.scale or "")
                return "item", _points(sc)
    if doc.drivers is not None:
        for lv in doc.drivers.levers:
            for it in lv.items:
                if it.id == fid:
                    sc = doc.scales.get(it.scale or doc.drivers.scale)
                    return "item", _points(sc)
    for q in doc.questions:
        if q.id == fid:
            return "question", _question_values(doc, q)
    return None


def _question_values(doc: SurveyDoc, q: Question) -> list[Any]:
    if q.type in ("single_choice", "multiple_choice"):
        return [o.code for o in q.options]
    if q.type == "yes_no":
        return [0, 1]
    if q.type == "rating" and q.scale in doc.scales:
        return _points(doc.scales[q.scale])
    return []


def _show_if(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    targets: list[tuple[Loc, str, ShowIf]] = []
    for cid, c in doc.constructs.items():
        for i, it in enumerate(c.items):
            if it.show_if:
                targets.append((("constructs", cid, "items", i, "show_if"), it.id, it.show_if))
    for i, q in enumerate(doc.questions):
        if q.show_if:
            targets.append((("questions", i, "show_if"), q.id, q.show_if))
    for loc, fid, cond in targets:
        given = [x for x in (cond.equals, cond.in_, cond.not_in) if x is not None]
        if len(given) != 1:
            yield loc, "show_if needs exactly one of `equals`, `in`, `not_in`"
            continue
        if cond.field == fid:
            yield (*loc, "field"), f"{fid!r} cannot depend on itself"
            continue
        found = _field_values(doc, cond.field)
        if found is None:
            yield (*loc, "field"), f"show_if refers to unknown field {cond.field!r}"
            continue
        allowed = found[1]
        values, _ = cond.allowed
        if allowed:
            for v in values:
                if v not in allowed:
                    yield loc, (f"show_if value {v!r} is not an answer of {cond.field!r}; "
                                f"expected one of {_one_of(allowed)}")


def _drivers(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    d = doc.drivers
    if d is None:
        return
    yield from _scale_ref(doc, d.scale, ("drivers", "scale"), "the driver battery")
    seen: set[str] = set()
    for j, lv in enumerate(d.levers):
        if lv.id in seen:
            yield ("drivers", "levers", j, "id"), f"lever {lv.id!r} is listed twice"
        seen.add(lv.id)
        for i, it in enumerate(lv.items):
            yield from _scale_ref(doc, it.scale, ("drivers", "levers", j, "items", i, "scale"), f"item {it.id!r}")
    if d.outcome is not None and _field_values(doc, d.outcome) is None and d.outcome not in doc.constructs:
        yield ("drivers", "outcome"), f"unknown outcome {d.outcome!r}; expected a construct or item id"
    if d.behaviour is not None:
        qs = {q.id: q for q in doc.questions}
        if d.behaviour not in qs:
            yield ("drivers", "behaviour"), f"unknown behavioural field {d.behaviour!r}"
        elif qs[d.behaviour].role != "behavioural":
            yield ("drivers", "behaviour"), f"{d.behaviour!r} must have role: behavioural"


def _sections(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    if doc.sections is None:
        return
    known = set(doc.constructs) | {q.id for q in doc.questions} | {"drivers"}
    for c in doc.constructs.values():
        known |= {it.id for it in c.items}
    if doc.drivers is not None:
        for lv in doc.drivers.levers:
            known |= {lv.id} | {it.id for it in lv.items}
    seen: set[str] = set()
    for j, s in enumerate(doc.sections):
        for i, f in enumerate(s.fields):
            if f not in known:
                yield ("sections", j, "fields", i), f"unknown field {f!r} in form section"
            elif f in seen:
                yield ("sections", j, "fields", i), f"field {f!r} appears twice in the form"
            seen.add(f)


def _interactions(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    """Moderated paths (issue 16): known constructs, both main effects in the model."""
    if not doc.interactions:
        return
    if doc.paths is None:
        pairs = {(s, t) for s, t in ACSI_DEFAULT_PATHS if s in doc.constructs and t in doc.constructs}
    else:
        pairs = {(p.from_, p.to) for p in doc.paths}
    ids = list(doc.constructs)
    for i, x in enumerate(doc.interactions):
        loc = ("interactions", i)
        bad = False
        for field in ("source", "moderator", "target"):
            if getattr(x, field) not in doc.constructs:
                bad = True
                yield (*loc, field), f"unknown construct {getattr(x, field)!r}; expected one of {_one_of(ids)}"
        if bad:
            continue
        for main in (x.source, x.moderator):
            if (main, x.target) not in pairs:
                yield loc, (f"interaction {x.source}:{x.moderator} -> {x.target}: the main effect "
                            f"{main} -> {x.target} is not a path of the model; add it under `paths:`")


def _higher_order(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    """Higher-order constructs (issue 16): a new id over two or more known, non-binary
    constructs, each the dimension of one HOC only; one mode and one method for all (they are
    estimated together)."""
    if not doc.higher_order:
        return
    ids = list(doc.constructs)
    owner: dict[str, str] = {}
    for i, h in enumerate(doc.higher_order):
        loc = ("higher_order", i)
        if h.id in doc.constructs:
            yield (*loc, "id"), (f"higher-order construct {h.id!r} is already a construct with items; "
                                 "give the higher-order construct a new id")
        for j, d in enumerate(h.dimensions):
            if d not in doc.constructs:
                yield (*loc, "dimensions", j), f"unknown construct {d!r}; expected one of {_one_of(ids)}"
            elif doc.constructs[d].binary:
                yield (*loc, "dimensions", j), f"{d!r} is a binary construct and cannot be a dimension"
            elif d in owner:
                yield (*loc, "dimensions", j), f"{d!r} is already a dimension of {owner[d]!r}"
            else:
                owner[d] = h.id
        if len(set(h.dimensions)) < len(h.dimensions):
            yield (*loc, "dimensions"), "a dimension is listed twice"
    for key in ("mode", "method"):
        vals = {getattr(h, key) for h in doc.higher_order}
        if len(vals) > 1:
            yield ("higher_order",), (f"all higher-order constructs must share one {key} (they are "
                                      f"estimated together); got {', '.join(sorted(vals))}")


# -- issue 20: item anchors on the item's scale; small-n thresholds in order ------------------
def _item_anchors(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    """An item's own ``labels`` (anchors) must name points of its scale."""
    owners = [(("constructs", cid), c.items, c.scale) for cid, c in doc.constructs.items()]
    if doc.drivers is not None:
        owners += [(("drivers", "levers", j), lv.items, doc.drivers.scale)
                   for j, lv in enumerate(doc.drivers.levers)]
    for loc, items, default in owners:
        for i, it in enumerate(items):
            points = _points(doc.scales.get(it.scale or default or ""))
            if not points:
                continue
            for p in it.labels:
                if not _finite(p) or not any(abs(p - q) < 1e-9 for q in points):
                    yield (*loc, "items", i, "labels", p), (
                        f"anchor for {p} is outside the item's scale; expected a point from "
                        f"{points[0]} to {points[-1]}")


def _reporting(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    rep = doc.reporting
    if rep.warn_below > rep.caution_below:
        yield ("reporting", "warn_below"), (
            f"warn_below ({rep.warn_below}) must not exceed caution_below ({rep.caution_below})")


#: The headline construct when a survey names none (``headline:``).
DEFAULT_HEADLINE = "satisfaction"


def _headline(doc: SurveyDoc) -> Iterator[tuple[Loc, str]]:
    """``headline:`` names a non-binary construct; without it a ``satisfaction`` construct is needed."""
    usable = [c for c, spec in doc.constructs.items() if not spec.binary]
    if doc.headline is None:
        if DEFAULT_HEADLINE not in doc.constructs:
            yield ("constructs",), (
                f"no {DEFAULT_HEADLINE!r} construct for the headline index; name the headline construct "
                f"with `headline: <construct id>`, one of {_one_of(usable)}")
        return
    if doc.headline not in doc.constructs:
        yield ("headline",), f"unknown construct {doc.headline!r}; expected one of {_one_of(usable)}"
    elif doc.constructs[doc.headline].binary:
        yield ("headline",), (f"construct {doc.headline!r} is yes/no (a rate), not an index; expected "
                              f"one of {_one_of(usable)}")
