"""The libyaml path of the survey loader gives exactly ruamel's round-trip tree.

``csi.survey.fast_yaml`` lets libyaml scan and parse and ruamel compose and construct; these
tests check, for every shipped survey and test fixture and for YAML 1.1/1.2 traps, that the
event stream equals ruamel's own parser's and that the loaded tree is equal value for value,
type for type (``ScalarFloat``, ``CommentedMap``, ...) and line/column for line/column.
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from csi.errors import SurveySpecError
from csi.survey import fast_yaml, load_survey, parse_survey
from csi.survey.load import _parse_valid_fast
from tests.unit._yaml_helpers import assert_fast_matches_ruamel, ruamel_load

ROOT = Path(__file__).resolve().parents[2]
SURVEYS = sorted((ROOT / "surveys").glob("*.yaml"))
FIXTURES = sorted((ROOT / "tests" / "data" / "surveys").glob("*.yaml"))

pytestmark = pytest.mark.skipif(not fast_yaml.available(), reason="PyYAML without libyaml")


@pytest.mark.parametrize("path", SURVEYS + FIXTURES, ids=lambda p: p.name)
def test_files_load_as_ruamel_loads_them(path):
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    taken = assert_fast_matches_ruamel(text)
    if path in SURVEYS:
        assert taken  # the shipped surveys do take the fast path


@pytest.mark.parametrize("path", SURVEYS, ids=lambda p: p.name)
def test_shipped_surveys_equal_the_ruamel_only_load(path):
    fast = load_survey(path)
    with mock.patch.object(fast_yaml, "load_fast", return_value=(False, None)):
        slow = load_survey(path)
    assert fast == slow and repr(fast) == repr(slow)
    assert fast.sha256 == slow.sha256 and fast.source_file == slow.source_file == str(path)


TRAPS = """\
yes_: yes
no_: no
on_: on
off_: off
Yes_: Yes
y_: y
true_: true
False_: False
octal_old: 010
octal_new: 0o10
hex: 0x1F
binary: 0b101
sexagesimal: 1:30
sexagesimal_float: 190:20:30.15
underscore: 1_000
float_exp: 1e3
float_dot: .5
float_sign: -1.50
inf: .inf
nan: .NaN
null_tilde: ~
null_word: null
date: 2026-01-01
datetime: 2026-01-01 10:00:00
quoted_yes: "yes"
single: 'it''s'
escapes: "tab\\tnl\\nuni\\u00e9\\x41"
slash: "a\\/b"
colon_in_flow: [a:b, c, "d: e"]
flow_map: {x: 1, y: [1, 2.0, three]}
literal: |
  line 1
    line 2

keep: |+
  kept

multi_plain: a plain
  scalar over lines
key with spaces: v
"quoted key": v
? complex key
: complex value
list:
- 1
- - nested
  - 2
- {a: 1}
unicode: 顾客满意度 😀
"""


def test_yaml_11_and_12_traps_load_as_ruamel_loads_them():
    assert assert_fast_matches_ruamel(TRAPS)
    ok, tree = fast_yaml.load_fast(TRAPS)
    # YAML 1.2 (ruamel's default): yes/on are text, 010 is ten, 1:30 is text
    assert tree["yes_"] == "yes" and tree["on_"] == "on" and tree["true_"] is True
    assert tree["octal_old"] == 10 and tree["octal_new"] == 8 and tree["sexagesimal"] == "1:30"


@pytest.mark.parametrize("text", [
    "%YAML 1.1\n---\na: yes\n",           # directive: 1.1 rules (yes is true)
    "%TAG !e! tag:example.com,2000:\n---\na: 1\n",
    "a: !!str 1\n",                       # explicit tags
    "a: !custom x\n",
    "a: ! 1\n",
    "a:\tb\n",                            # tab
    "a: &x 1\nb: *x\n",                    # anchors and aliases
    "base: &b {k: 1}\nm:\n  <<: *b\n",
    "a: b\x85c\n",                        # NEL: a line break in YAML 1.1 only
    "a: b\u2028c\n",
    "a: \ufeffb\n",                       # byte-order mark inside the text
    "a: 1\n---\nb: 2\n",                  # two documents: ruamel reports it
    "a: 1\na: 2\n",                       # duplicate key: ruamel reports it
    "a: [1, 2\n",                         # syntax error
    "a: |#\n  x\n",                        # libyaml accepts a comment glued to the header
    "a: |\n  \n   x\n",                     # ruamel rejects a blank first line, then more indent
    "a: |\n\n  x\n",                        # (any literal block starting with an empty line)
    "a: |\n  \n    \n",                     # or empty
    "a: 1\n...\n...\n",                    # document end markers (libyaml accepts two)
    "a:\nb: 1\n",                         # an empty value (placed differently by libyaml)
    "a: >\n  folded\n  text\n",            # folded: ruamel marks the folds for round trips
])
def test_left_to_ruamel(text):
    assert fast_yaml.load_fast(text) == (False, None)


def test_directive_1_1_still_follows_yaml_11():
    # left to ruamel, which honours the directive exactly as before
    assert ruamel_load("%YAML 1.1\n---\na: yes\n")["a"] is True


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_invalid_fixtures_are_reported_from_ruamels_parse(path):
    data = path.read_bytes()
    try:
        expected = parse_survey(data, file=path.name)
    except SurveySpecError as exc:
        expected = [str(i) for i in exc.issues]
    with mock.patch.object(fast_yaml, "load_fast", return_value=(False, None)):
        try:
            got = parse_survey(data, file=path.name)
        except SurveySpecError as exc:
            got = [str(i) for i in exc.issues]
    assert got == expected


def test_only_valid_surveys_come_from_the_fast_path():
    text = (ROOT / "tests" / "data" / "surveys" / "several_errors.yaml").read_text(encoding="utf-8")
    assert fast_yaml.load_fast(text)[0] and _parse_valid_fast(text) is None
    assert _parse_valid_fast("- a list\n") is None and _parse_valid_fast("") is None
    assert _parse_valid_fast(SURVEYS[0].read_text(encoding="utf-8")) is not None
