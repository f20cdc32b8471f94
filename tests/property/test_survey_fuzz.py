"""Whatever a user feeds the survey loader, the only error is a located SurveySpecError.

Invariant: ``parse_survey`` either returns a Survey or raises :class:`SurveySpecError`; never
another exception (KeyError, RecursionError, OverflowError, ...), never a hang. Every issue
that has a line has ``line >= 1`` (and ``column >= 1``) within the text.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from csi.errors import SurveySpecError
from csi.survey import parse_survey

ROOT = Path(__file__).resolve().parent.parent.parent
FLAGSHIP = (ROOT / "surveys" / "ecommerce_csi.yaml").read_text(encoding="utf-8")
FLAGSHIP_LINES = FLAGSHIP.splitlines(keepends=True)
MINI = (ROOT / "tests" / "data" / "surveys" / "mini.yaml").read_text(encoding="utf-8")

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# ruamel's round-trip parser takes ~0.1-0.3 s for the 300-line flagship, so the flagship
# mutations draw fewer examples here; test_flagship_every_kind_of_line_deleted (slow) deletes one line of each kind.
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_outcome(source: str | bytes) -> None:
    try:
        parse_survey(source, file="fuzz.yaml")
    except SurveySpecError as exc:
        assert exc.issues, "a SurveySpecError without issues"
        n_lines = (source.count(b"\n") if isinstance(source, bytes) else source.count("\n")) + 1
        for issue in exc.issues:
            assert issue.file == "fuzz.yaml"
            assert issue.message
            if issue.line is not None:
                assert 1 <= issue.line <= n_lines + 1, str(issue)
            if issue.column is not None:
                assert issue.line is not None and issue.column >= 1, str(issue)
            str(issue)  # renders


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    check_outcome(text)


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data):
    check_outcome(data)


KEYS = st.sampled_from(["id", "version", "title", "languages", "scales", "constructs", "paths",
                        "questions", "items", "min", "max", "text", "label", "scale", "en", "zh",
                        "show_if", "field", "equals", "in", "options", "code", "drivers", "levers",
                        "from", "to", "binary", "mode", "labels", "dont_know"]) | st.text(max_size=8)
SCALARS = (st.none() | st.booleans() | st.integers(-10**20, 10**20)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20))
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(KEYS | st.integers(-5, 20), children, max_size=6),
    max_leaves=40,
)


def dump(tree) -> str:
    buf = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.dump(tree, buf)
    return buf.getvalue()


@settings(FUZZ, max_examples=100)
@given(TREES)
def test_yaml_structures(tree):
    check_outcome(dump(tree))


@settings(FUZZ, max_examples=60)
@given(st.dictionaries(KEYS, TREES, max_size=5))
def test_yaml_mappings_under_survey_keys(doc):
    base = {"id": "fuzz", "version": "1", "title": "t", "languages": ["en"]}
    check_outcome(dump({**base, **doc}))


# -- mutations of the flagship file -------------------------------------------------------------
@FEW
@given(st.integers(0, len(FLAGSHIP_LINES) - 1))
def test_flagship_with_a_line_deleted(i):
    check_outcome("".join(FLAGSHIP_LINES[:i] + FLAGSHIP_LINES[i + 1:]))


@FEW
@given(st.integers(0, len(FLAGSHIP_LINES) - 1))
def test_flagship_with_a_line_duplicated(i):
    check_outcome("".join(FLAGSHIP_LINES[: i + 1] + FLAGSHIP_LINES[i:]))


VALUES = st.sampled_from(["", "0", "-1", "1e309", ".nan", "~", "[]", "{}", "[a, b]", "yes", "x y",
                          "'quoted'", "nope", "99", "1.5", "&a x", "*a", "|", ">", "- x", "{a: [b", "!!int x",
                          "!x 1", "!!binary ab", "<<: *a", "\t1", "2026-01-01"])


@FEW
@given(st.integers(0, len(FLAGSHIP_LINES) - 1), VALUES)
def test_flagship_with_a_value_changed(i, value):
    line = FLAGSHIP_LINES[i]
    if ": " in line:
        key = line.split(": ", 1)[0]
        line = f"{key}: {value}\n"
    else:
        line = line.rstrip("\n") + " " + value + "\n"
    check_outcome("".join(FLAGSHIP_LINES[:i] + [line] + FLAGSHIP_LINES[i + 1:]))


@settings(FUZZ, max_examples=100)
@given(st.lists(st.tuples(st.integers(0, len(MINI)), st.sampled_from(list(" \t\n:-[]{}#&*!|>'\"%@`,?"))),
                min_size=1, max_size=4))
def test_mini_with_characters_inserted(edits):
    text = MINI
    for pos, ch in sorted(edits, reverse=True):
        text = text[:pos] + ch + text[pos:]
    check_outcome(text)


def line_kinds(lines: list[str]) -> dict[tuple, int]:
    """First line number of each kind of line: (depth, top-level section, list item?, key).

    Lines of one kind differ only in their values or in user-chosen names (two items' ``en:``
    labels, two scales' ``min:``), so the loader takes the same path when either is deleted.
    """
    kinds: dict[tuple, int] = {}
    stack: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        body = line.strip()
        if not body or body.startswith("#"):
            kind: tuple = ("blank or comment",)
        else:
            dash = body.startswith("- ")
            indent = len(line) - len(line.lstrip(" ")) + (2 if dash else 0)
            key = body[2:] if dash else body
            key = key.split(":", 1)[0] if ":" in key else "<scalar>"
            while stack and stack[-1][0] >= indent:
                stack.pop()
            kind = (len(stack), stack[0][1] if stack else "", dash, key)
            stack.append((indent, key))
        kinds.setdefault(kind, i)
    return kinds


def test_line_kinds_cover_every_section_and_key():
    kinds = line_kinds(FLAGSHIP_LINES)
    assert 100 < len(kinds) < len(FLAGSHIP_LINES) / 3  # ~118 of 510 lines
    top = {k[3] for k in kinds if len(k) == 4 and k[0] == 0}
    assert {"id", "scales", "constructs", "questions", "drivers", "comments"} <= top


@pytest.mark.slow
def test_flagship_every_kind_of_line_deleted():
    # Each parse of a broken flagship costs ~0.1-0.2 s: one deletion per kind of line (~118), not
    # all 510 lines, keeps this under half a minute.
    for i in line_kinds(FLAGSHIP_LINES).values():
        check_outcome("".join(FLAGSHIP_LINES[:i] + FLAGSHIP_LINES[i + 1:]))
