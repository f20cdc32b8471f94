"""Load a survey YAML file into a validated :class:`~csi.survey.survey.Survey`.

Parsing uses ruamel.yaml's round-trip loader so every problem -- YAML syntax, shape (pydantic)
and cross-references (:mod:`csi.survey.checks`) -- is reported with file, 1-based line and
column, and the key path, all at once, as a :class:`~csi.errors.SurveySpecError`. A valid survey
is read through libyaml first (:mod:`csi.survey.fast_yaml`: the same tree, ~3x faster); anything
else is parsed again by ruamel alone, so every message comes from ruamel's parse.
"""

from __future__ import annotations

import os
import re
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from csi.errors import SpecIssue, SurveySpecError
from csi.survey import fast_yaml
from csi.survey.checks import check_survey
from csi.survey.spec_issues import _kind, _path_text, _pos, _pydantic_issues
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


def locate(text: str, file: str, loc: tuple[Any, ...], *, at_key: bool = True) -> str:
    """``"file:line:col"`` of the key at ``loc`` (e.g. ``("constructs", "quality", "items", 0,
    "show_if")``) in the survey source ``text``; ``"file"`` alone when it cannot be found.
    For errors found after loading (estimation refusing an item), so they point at the YAML."""
    try:
        line, col = _pos(_parse_yaml(text, file), loc, at_key=at_key)
    except SurveySpecError:
        return file
    return f"{file}:{line}:{col}" if line is not None else file
