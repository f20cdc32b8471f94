"""Load a survey YAML file into a validated :class:`~csi.survey.survey.Survey`.

Parsing uses ruamel.yaml's round-trip loader so every problem -- YAML syntax, shape (pydantic)
and cross-references (:mod:`csi.survey.checks`) -- is reported with file, 1-based line and
column, and the key path, all at once, as a :class:`~csi.errors.SurveySpecError`. A valid survey
is read through libyaml first (:mod:`csi.survey.fast_yaml`: the same tree, ~3x faster); anything
else is parsed again by ruamel alone, so every message comes from ruamel's parse.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from csi.errors import SpecIssue, SurveySpecError
from csi.survey import fast_yaml
from csi.survey.checks import check_survey
from csi.survey.survey import Survey

__all__ = ["load_survey", "parse_survey", "MAX_SURVEY_BYTES", "MAX_NESTING"]

#: Largest survey file accepted (a questionnaire is a few KiB; this stops accidents).
MAX_SURVEY_BYTES = 2 * 1024 * 1024
#: Deepest nesting of YAML collections accepted.
MAX_NESTING = 40
#: Widest block indentation accepted (columns, counting leading "- " / "? " indicators).
MAX_INDENT = MAX_NESTING * 4


def load_survey(path: str | os.PathLike[str]) -> Survey:
    """Read and validate a survey YAML file.

    Parameters
    ----------
    path : str or path-like
        The survey file (UTF-8 YAML).

    Returns
    -------
    Survey
        Frozen, validated survey.

    Raises
    ------
    SurveySpecError
        With one :class:`~csi.errors.SpecIssue` per problem (file, line, column, key path).

    Examples
    --------
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> s.id, list(s.constructs)[:2]
    ('ecommerce_csi', ['expectation', 'quality'])
    """
    name = str(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SURVEY_BYTES + 1)
    except FileNotFoundError:
        raise SurveySpecError("file not found; expected a survey YAML file", file=name) from None
    except IsADirectoryError:
        raise SurveySpecError("is a directory; expected a survey YAML file", file=name) from None
    except OSError as exc:
        raise SurveySpecError(f"cannot be read ({exc.strerror})", file=name) from None
    return parse_survey(data, file=name)


def parse_survey(source: str | bytes, *, file: str = "<survey>") -> Survey:
    """Validate survey YAML given as text or bytes (see :func:`load_survey`)."""
    text = _decode(source, file)
    _check_nesting(text, file)
    survey = _parse_valid_fast(text)
    if survey is None:  # not valid, or left to ruamel: parse, validate and locate every issue
        survey = _parse_located(text, file)
    survey._source_text = text
    survey._source_file = file
    return survey


def _parse_valid_fast(text: str) -> Survey | None:
    """The survey when ``text`` is a valid survey read by :mod:`csi.survey.fast_yaml` (the
    same tree as ruamel's, ~3x faster), else None. Only a valid survey is taken from here;
    every problem is reported by :func:`_parse_located` from ruamel's own parse."""
    ok, raw = fast_yaml.load_fast(text)
    if not ok or not isinstance(raw, dict):
        return None
    try:
        survey = Survey.model_validate(raw)
    except ValidationError:
        return None
    return None if check_survey(survey) else survey


def _parse_located(text: str, file: str) -> Survey:
    raw = _parse_yaml(text, file)
    if raw is None:
        raise SurveySpecError([SpecIssue(file, 1, 1, "", "the file is empty; expected a survey "
                                         "mapping with id, version, title, languages, scales, constructs")])
    if not isinstance(raw, dict):
        line, col = _pos(raw, ())
        raise SurveySpecError([SpecIssue(file, line, col, "", f"expected a mapping of survey keys "
                                         f"(id, version, ...); got a {_kind(raw)}")])
    try:
        survey = Survey.model_validate(raw)
    except ValidationError as exc:
        raise SurveySpecError(_pydantic_issues(exc, raw, file)) from None
    problems = check_survey(survey)
    if problems:
        issues = []
        for loc, msg in problems:
            line, col = _pos(raw, loc)
            issues.append(SpecIssue(file, line, col, _path_text(loc), msg))
        raise SurveySpecError(sorted(issues, key=lambda i: (i.line or 0, i.column or 0)))
    return survey


# -- helpers ------------------------------------------------------------------------------------
def _decode(source: str | bytes, file: str) -> str:
    if isinstance(source, str):
        text = source
    else:
        if len(source) > MAX_SURVEY_BYTES:
            raise SurveySpecError([SpecIssue(file, None, None, "", f"the file is larger than "
                                             f"{MAX_SURVEY_BYTES // 1024} KiB; a survey definition "
                                             "is expected to be a small YAML file")])
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            before = source[: exc.start]
            line = before.count(b"\n") + 1
            col = exc.start - (before.rfind(b"\n") + 1) + 1
            raise SurveySpecError([SpecIssue(file, line, col, "", "not UTF-8 text (byte "
                                             f"0x{source[exc.start]:02x}); save the survey as UTF-8 YAML")]) from None
    if len(text) > MAX_SURVEY_BYTES:
        raise SurveySpecError([SpecIssue(file, None, None, "", "the survey text is too large")])
    if "\x00" in text:
        i = text.index("\x00")
        line = text.count("\n", 0, i) + 1
        col = i - (text.rfind("\n", 0, i) + 1) + 1
        raise SurveySpecError([SpecIssue(file, line, col, "", "binary data (NUL byte); expected YAML text")])
    return text


def _check_nesting(text: str, file: str) -> None:
    """Reject pathological nesting before the YAML composer recurses into it."""
    depth = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        # Block nesting: indentation plus any run of "- " / "? " indicators ("- - - x").
        m = re.match(r"[ ]*(?:[-?][ ]+)*", line)
        indent = m.end() if m else 0
        if indent > MAX_INDENT:
            raise SurveySpecError([SpecIssue(file, lineno, MAX_INDENT + 1, "",
                                             f"nesting too deep (indented more than {MAX_INDENT} "
                                             "columns); a survey needs only a few levels")])
        in_quote = None
        for col, ch in enumerate(line, start=1):
            if in_quote:
                if ch == in_quote:
                    in_quote = None
                continue
            if ch in "'\"":
                in_quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                depth += 1
                if depth > MAX_NESTING:
                    raise SurveySpecError([SpecIssue(file, lineno, col, "",
                                                     f"nesting too deep (more than {MAX_NESTING} "
                                                     "levels of [ and {); a survey needs only a few levels")])
            elif ch in "]}":
                depth = max(depth - 1, 0)


def _parse_yaml(text: str, file: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "found duplicate key" in str(exc):
            problem = problem.split(" with value")[0]
            key = problem.replace("found duplicate key", "").strip()
            problem = f"duplicate key {key}; each key may appear once in a mapping"
        elif "\\t" in problem or "tab" in problem:
            problem = f"{problem} (YAML indentation must use spaces, not tabs)"
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        raise SurveySpecError([SpecIssue(file, line, col, "", f"YAML syntax error: {problem}")]) from None
    except YAMLError as exc:
        raise SurveySpecError([SpecIssue(file, None, None, "", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise SurveySpecError([SpecIssue(file, None, None, "", "nesting too deep")]) from None
    except NotImplementedError as exc:  # ruamel gives up on some comment placements
        raise SurveySpecError([SpecIssue(file, None, None, "", f"YAML layout ruamel cannot read "
                                         f"({exc}); move the comment to a line of its own")]) from None
    except (ValueError, TypeError, OverflowError, KeyError, AttributeError, IndexError) as exc:
        # ruamel's constructors raise plain Python errors for explicit tags it cannot apply
        # (e.g. `!!int x`, `!!binary` with bad base64); the YAML is still the user's mistake.
        raise SurveySpecError([SpecIssue(file, None, None, "", f"YAML value cannot be read "
                                         f"({exc}); check explicit tags such as !!int")]) from None


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


def locate(text: str, file: str, loc: tuple[Any, ...], *, at_key: bool = True) -> str:
    """``"file:line:col"`` of the key at ``loc`` (e.g. ``("constructs", "quality", "items", 0,
    "show_if")``) in the survey source ``text``; ``"file"`` alone when it cannot be found.
    For errors found after loading (estimation refusing an item), so they point at the YAML."""
    try:
        line, col = _pos(_parse_yaml(text, file), loc, at_key=at_key)
    except SurveySpecError:
        return file
    return f"{file}:{line}:{col}" if line is not None else file


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
