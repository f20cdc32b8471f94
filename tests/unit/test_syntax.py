"""lavaan syntax <-> ModelSpec: parsing, located errors, rendering, round trip."""

from __future__ import annotations

import pytest

from csi.errors import SurveySpecError
from csi.survey import ModelSpec, parse_lavaan, to_lavaan

ACSI_LAVAAN = """\
# ACSI
expectation =~ ce1 + ce2 + ce3
quality =~ pq1 + pq2 + pq3
value =~ pv1 + pv2
satisfaction =~ cs1 + cs2 + cs3
complaint =~ cc1
loyalty =~ cl1 + cl2

quality ~ expectation
value ~ expectation + quality
satisfaction ~ expectation + quality + value   # three antecedents
complaint ~ satisfaction; loyalty ~ satisfaction + complaint
"""


def test_parse_acsi():
    m = parse_lavaan(ACSI_LAVAAN, scale=(1, 10), missing_codes=(99,))
    assert m.construct_ids == ("expectation", "quality", "value", "satisfaction", "complaint", "loyalty")
    assert m.construct("loyalty").items == ("cl1", "cl2")
    assert len(m.paths) == 9
    assert ("complaint", "loyalty") in m.paths
    assert m.items["cs2"].scale_max == 10 and m.items["cs2"].missing_codes == (99,)


def test_formative_and_repeated_blocks():
    m = parse_lavaan("A <~ a1 + a2\nA <~ a2 + a3\nB =~ b1\nB ~ A")
    assert m.construct("A").mode == "formative"
    assert m.construct("A").items == ("a1", "a2", "a3")


def test_round_trip():
    m = parse_lavaan(ACSI_LAVAAN)
    again = parse_lavaan(to_lavaan(m))
    assert again == m
    assert isinstance(again, ModelSpec)


def _issues(text: str):
    with pytest.raises(SurveySpecError) as info:
        parse_lavaan(text, file="m.lav")
    return [(i.line, i.column, i.message) for i in info.value.issues]


def test_unknown_construct_in_path_is_located():
    [(line, col, msg)] = _issues("A =~ a1\nB =~ b1\nB ~ A + C")
    assert (line, col) == (3, 9)
    assert msg.startswith("unknown construct 'C' in path C -> B; expected one of A, B")


def test_covariance_rejected():
    [(line, col, msg)] = _issues("A =~ a1\nB =~ b1\n  a1 ~~ b1\nB ~ A")
    assert (line, col) == (3, 3) and "residual covariances (~~)" in msg


def test_fixed_values_rejected_with_column():
    found = _issues("A =~ 0.5*a1 + a2\nB =~ b1\nB ~ A")
    line, col, msg = found[0]
    assert (line, col) == (1, 6) and "fixed values and labels" in msg
    # the rejected block is then unknown to the path that uses it
    assert found[1][:2] == (3, 5) and "unknown construct 'A'" in found[1][2]


def test_statement_without_operator():
    [(line, col, msg)] = _issues("A =~ a1\n   hello world\n")
    assert (line, col) == (2, 4) and msg.startswith("expected 'name =~ items'")


def test_second_statement_on_a_line_is_located():
    found = _issues("A =~ a1;  B =~ b1 +\nB ~ A")
    # the right-hand side of the second statement starts at column 16 ("b1 +")
    assert found[0] == (1, 16, "missing name after '=~' or '+'")
    assert found[1][:2] == (2, 1) and "unknown construct 'B'" in found[1][2]


def test_bad_name_and_mixed_modes():
    found = _issues("1A =~ a1\nB =~ b1\nB <~ b2\nC =~ c1\nC ~ B")
    assert [(line, col) for line, col, _ in found] == [(1, 1), (3, 1)]
    assert "not a valid name" in found[0][2]
    assert "both reflective (=~) and formative (<~)" in found[1][2]


def test_all_errors_reported_at_once():
    assert len(_issues("A =~ \nB =~ b1 ~~ x\nC =~ c1\nC ~ D")) == 3


def test_structural_problems_from_model():
    with pytest.raises(SurveySpecError, match="cycle"):
        parse_lavaan("A =~ a1\nB =~ b1\nB ~ A\nA ~ B")
    with pytest.raises(SurveySpecError, match="orphan"):
        parse_lavaan("A =~ a1\nB =~ b1\nC =~ c1\nB ~ A")


def test_empty_model():
    [(line, col, msg)] = _issues("# nothing\n\n")
    assert (line, col) == (None, None) and "defines no construct" in msg
