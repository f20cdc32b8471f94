"""Differential fuzzing of the libyaml survey path against ruamel's own round-trip load.

Invariant: whenever :func:`csi.survey.fast_yaml.load_fast` takes a text, ruamel's pure-Python
parser gives the same events and the same tree (values, types, line/column records), and does
not reject the text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csi.survey import fast_yaml
from tests.unit._yaml_helpers import assert_fast_matches_ruamel

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP_LINES = (ROOT / "surveys" / "ecommerce_csi.yaml").read_text(encoding="utf-8").splitlines(keepends=True)

pytestmark = pytest.mark.skipif(not fast_yaml.available(), reason="PyYAML without libyaml")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

YAMLISH = st.lists(st.sampled_from(list("ab01:- \n\n#\"'[]{},&*!|>?%@`\\.~_eé顾+=xyz\r\u00a0")
                                   + ["  ", "- ", ": ", "yes", "1:30", "0o7", "010", "\n  ", "|\n  ",
                                      "|-\n  ", "|+2\n", " #", "\\x4", "\\u00e9", "\\/", "? ",
                                      "---", "...", "\n- ", "\n  - "]),
                   max_size=60).map("".join)

#: Block scalars, multi-line quoted scalars, flow collections over lines, odd whitespace.
BLOCKY = st.lists(st.sampled_from(list("ab:- \n#\"'[]{},?|.~_é顾+\r\\") + [
    "  ", "- ", ": ", "\n  ", "\n    ", "|\n  ", "|-\n  ", "|+\n  ", "|2\n   ", "|1-\n ", '"a\n b"', "'a\n\n b'",
    "{a: [b, {c: d}]}", "? [a]\n: b", "key: ", "\n- ", "\n  - ", "\n\n", " #c\n", "---\n", "...\n", '"\\t"',
    '"\\u263A"', "'' ", "x: |\n  l1\n\n  l2\n", "a:\n  - b\n  - c\n", "[a,\n b]", "{a:\n 1}", "null", "~", "1e5",
    "0x1A", "+.inf", "2001-12-14t21:59:43.10-05:00", "  # c", "\u00a0", "\u3000", "\ue000", "\U0001F600"]),
    max_size=50).map("".join)

SCALARS = st.sampled_from([
    "yes", "No", "on", "OFF", "y", "true", "False", "null", "~", "010", "0o17", "0x1f", "0b11",
    "1:30", "190:20:30", "1_000", "1e3", "1.5e-3", ".5", "-.inf", ".NaN", "2026-01-01",
    "2026-01-01T10:00:00Z", "12:30:00", "a b", "a: b", "- x", "#x", "x #y", "é 顾客", "'q'", '"dq"',
    "x\\ny", "3.0", "+1", "-0", "0.", "1_0.5", "=", "<<", "",
]) | st.text(max_size=12)


@st.composite
def scalar_text(draw):
    s = draw(SCALARS)
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "single":
        return "'" + s.replace("'", "''") + "'"
    if style == "double":
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


def render(value, indent: int, flow: bool) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        if flow or not value:
            return "{" + ", ".join(f"{k}: {render(v, 0, True)}" for k, v in value.items()) + "}"
        return "\n" + "".join(f"{pad}{k}:{' ' if not isinstance(v, dict | list) or not v else ''}"
                              f"{render(v, indent + 2, False)}\n".replace(":\n\n", ":\n")
                              for k, v in value.items()).rstrip("\n")
    if isinstance(value, list):
        if flow or not value:
            return "[" + ", ".join(render(v, 0, True) for v in value) + "]"
        return "\n" + "\n".join(f"{pad}- {render(v, indent + 2, True)}" for v in value)
    return value


DOCS = st.recursive(
    scalar_text(),
    lambda kids: st.dictionaries(st.from_regex(r"[a-z_]{1,6}", fullmatch=True), kids, max_size=4)
    | st.lists(kids, max_size=4),
    max_leaves=12,
)


@FUZZ
@given(YAMLISH)
def test_arbitrary_yamlish_text(text):
    assert_fast_matches_ruamel(text)


@FUZZ
@given(BLOCKY)
def test_block_scalars_and_multiline_text(text):
    assert_fast_matches_ruamel(text)


@FUZZ
@given(DOCS.filter(lambda d: isinstance(d, dict) and d), st.booleans())
def test_generated_documents(doc, flow):
    text = render(doc, 0, flow).lstrip("\n") + "\n"
    assert_fast_matches_ruamel(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(FLAGSHIP_LINES) - 1), st.sampled_from(["delete", "indent", "dedent", "dup"]))
def test_flagship_line_mutations(i, how):
    lines = list(FLAGSHIP_LINES)
    if how == "delete":
        del lines[i]
    elif how == "indent":
        lines[i] = "  " + lines[i]
    elif how == "dedent":
        lines[i] = lines[i][2:] if lines[i].startswith("  ") else lines[i]
    else:
        lines.insert(i, lines[i])
    assert_fast_matches_ruamel("".join(lines))
