"""Where a survey problem is, and what it says: positions in ruamel's round-trip tree and
pydantic's validation errors as :class:`~csi.errors.SpecIssue` (file, 1-based line and column,
key path, a friendly message). Used by :mod:`csi.survey.load`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from csi.errors import SpecIssue

__all__ = ["_kind", "_path_text", "_pos", "_pydantic_issues"]

def _kind(v: Any) -> str:
    if isinstance(v, dict):
        return "mapping"
    if isinstance(v, list):
        return "list"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "text"
    return type(v).__name__


def _walk(raw: Any, loc: tuple[Any, ...]) -> tuple[list[Any], Any, Any]:
    """Follow ``loc`` through the raw YAML tree; returns (matched segments, parent, last key)."""
    node, parent, last = raw, None, None
    matched: list[Any] = []
    for seg in loc:
        if isinstance(node, dict) and seg in node:
            parent, last, node = node, seg, node[seg]
        elif isinstance(node, dict) and isinstance(seg, str) and _num(seg) in node:
            parent, last, node = node, _num(seg), node[_num(seg)]
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            parent, last, node = node, seg, node[seg]
        else:
            continue
        matched.append(last)
    return matched, parent, last


def _num(s: str) -> Any:
    try:
        return int(s)
    except ValueError:
        try:
            return float(s)
        except ValueError:
            return s


def _pos(raw: Any, loc: tuple[Any, ...], *, at_key: bool = False) -> tuple[int | None, int | None]:
    """1-based (line, column) of the node at ``loc`` (its value, or its key when ``at_key``)."""
    matched, parent, last = _walk(raw, loc)
    if parent is None:
        lc = getattr(raw, "lc", None)
        # a tagged scalar (`!x`) at the top has an `lc` without a position
        if lc is None or lc.line is None or lc.col is None:
            return (1, 1)
        return (lc.line + 1, lc.col + 1)
    lc = parent.lc
    if isinstance(parent, dict) and not at_key and parent.get(last) is None:
        at_key = True  # an empty value has no position of its own; point at its key
    try:
        if isinstance(parent, list):
            line, col = lc.item(last)
        elif at_key:
            line, col = lc.key(last)
        else:
            line, col = lc.value(last)
    except (KeyError, IndexError, TypeError, AttributeError):
        line, col = lc.line, lc.col
    if line is None or col is None:
        return (1, 1)
    return line + 1, col + 1


def _path_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for p in loc:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out


def _clean_loc(raw: Any, loc: tuple[Any, ...], kind: str) -> tuple[Any, ...]:
    """Drop pydantic's union/key tags from ``loc``; keep real keys and a missing field's name."""
    matched, _, _ = _walk(raw, loc)
    out: list[Any] = []
    it = iter(matched)
    nxt = next(it, None)
    for seg in loc:
        if nxt is not None and (seg == nxt or _num(str(seg)) == nxt):
            out.append(nxt)
            nxt = next(it, None)
    if kind in ("missing", "extra_forbidden") and loc and loc[-1] not in out:
        out.append(loc[-1])
    return tuple(out)


_FRIENDLY = {
    "string_pattern_mismatch": "not a valid id; expected ASCII snake_case (a-z, 0-9, _), starting with a letter",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected a text",
    "too_short": "must not be empty",
}
#: Error types pydantic gives when a value is not a number (``int | float`` fields).
_NUMBER_ERRORS = {"int_type", "int_parsing", "int_from_float", "float_type", "float_parsing"}


def _show(value: Any) -> str:
    """How the offending value is quoted in a message."""
    if isinstance(value, dict | list | tuple):
        return _kind(value)
    if value is None:
        return "an empty value"
    if isinstance(value, dt.date | dt.datetime):
        return repr(str(value))
    return repr(value)


def _pydantic_issues(exc: ValidationError, raw: Any, file: str) -> list[SpecIssue]:
    grouped: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for err in exc.errors():
        loc = _clean_loc(raw, tuple(err["loc"]), err["type"])
        grouped.setdefault(loc, []).append(err)
    # A union (e.g. a display text: plain string | {lang: text}) reports a type error for each
    # branch; when one branch has a deeper, more specific problem, the shallow "expected a
    # text" for the other branch is noise.
    for loc in [k for k, errs in grouped.items()
                if all(e["type"].endswith("_type") for e in errs)
                and any(len(o) > len(k) and o[: len(k)] == k for o in grouped)]:
        del grouped[loc]
    issues = []
    for loc, errs in grouped.items():
        err = errs[0]
        kind = err["type"]
        if kind == "missing":
            line, col = _pos(raw, loc[:-1])
            msg = f"missing required key {loc[-1]!r}"
        elif kind == "extra_forbidden":
            line, col = _pos(raw, loc, at_key=True)
            allowed = _allowed_keys(raw, loc[:-1])
            msg = f"unknown key {loc[-1]!r}" + (f"; expected one of {allowed}" if allowed else "")
        else:
            # a bad mapping key (pydantic's loc has "[key]") is located at the key itself
            line, col = _pos(raw, loc, at_key="[key]" in err["loc"])
            value = err.get("input")
            shown = _show(value)
            kinds = {e["type"] for e in errs}
            if kinds <= _NUMBER_ERRORS:
                msg = f"got {shown}; expected a number"
            elif len(errs) > 1 and all(e["type"].endswith("_type") for e in errs):
                msg = f"got {shown}; expected a text or a mapping of language to text" \
                    if any(e["type"] == "dict_type" for e in errs) and any(e["type"] == "string_type" for e in errs) \
                    else f"got {shown}; " + " or ".join(sorted({e['msg'].lower() for e in errs}))
            else:
                why = _FRIENDLY.get(kind, err["msg"][0].lower() + err["msg"][1:])
                if kind == "string_pattern_mismatch" and "{2,3}" in str(err.get("ctx", {}).get("pattern")):
                    why = "not a language code; expected e.g. zh, en, zh-TW"
                if kind == "literal_error":
                    why = err["msg"].replace("Input should be", "expected")
                msg = f"got {shown}; {why}"
        issues.append(SpecIssue(file, line, col, _path_text(loc), msg))
    return sorted(issues, key=lambda i: (i.line or 0, i.column or 0))


def _allowed_keys(raw: Any, parent_loc: tuple[Any, ...]) -> str:
    """The keys a mapping at ``parent_loc`` may have (best effort, for the error message)."""
    from csi.survey import schema as sc

    target: Any = sc.SurveyDoc
    path = list(parent_loc)
    while path and target is not None:
        seg = path.pop(0)
        field = target.model_fields.get(seg) if hasattr(target, "model_fields") else None
        if field is None:
            field = next((f for f in getattr(target, "model_fields", {}).values() if f.alias == seg), None)
        if field is None:
            return ""
        ann = field.annotation
        nested = _model_in(ann)
        if nested is None:
            return ""
        target = nested
        # Skip list indices / dict keys that follow a container field.
        while path and (isinstance(path[0], int) or (hasattr(target, "model_fields") and path[0] not in target.model_fields
                                                      and not any(f.alias == path[0] for f in target.model_fields.values()))):
            path.pop(0)
    if target is None or not hasattr(target, "model_fields"):
        return ""
    return ", ".join(f.alias or n for n, f in target.model_fields.items())


def _model_in(ann: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in get_args(ann):
        m = _model_in(a)
        if m is not None:
            return m
    return None
