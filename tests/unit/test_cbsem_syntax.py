"""ModelSpec -> semopy description: blocks, single items, binary items, refusals."""

from __future__ import annotations

import pytest

from csi.errors import ParameterError
from csi.estimate.cbsem.syntax import binary_note, to_semopy_description
from csi.survey.model import ConstructSpec, ItemSpec, ModelSpec


def acsi_like(binary: bool = True) -> ModelSpec:
    cons = (
        ConstructSpec("quality", ("q1", "q2")),
        ConstructSpec("satisfaction", ("s1", "s2", "s3")),
        ConstructSpec("complaint", ("c1",), binary=binary),
        ConstructSpec("loyalty", ("l1",)),
    )
    items = {it: ItemSpec(it, 1, 10) for c in cons for it in c.items if it != "c1"}
    items["c1"] = ItemSpec("c1", 0, 1)
    paths = (("quality", "satisfaction"), ("satisfaction", "complaint"),
             ("satisfaction", "loyalty"), ("complaint", "loyalty"))
    return ModelSpec(cons, paths, items)


def test_description_blocks_single_items_and_paths():
    assert to_semopy_description(acsi_like()).splitlines() == [
        "quality =~ q1 + q2",
        "satisfaction =~ s1 + s2 + s3",
        "complaint =~ c1",
        "c1 ~~ 0*c1",
        "loyalty =~ l1",
        "l1 ~~ 0*l1",
        "satisfaction ~ quality",
        "complaint ~ satisfaction",
        "loyalty ~ satisfaction + complaint",
    ]


def test_single_item_reliability_fixes_error_variance():
    # (1 - 0.75) * 0.25 = 0.0625 and (1 - 0.75) * 4 = 1
    d = to_semopy_description(acsi_like(), {"c1": 0.25, "l1": 4.0}, single_item_reliability=0.75)
    assert "c1 ~~ 0.0625*c1" in d.splitlines()
    assert "l1 ~~ 1*l1" in d.splitlines()


@pytest.mark.parametrize("rel", [0, 1.5, -0.2, "high", True])
def test_bad_reliability(rel):
    with pytest.raises(ParameterError, match=r"'single_item_reliability' parameter .* range \(0, 1\]"):
        to_semopy_description(acsi_like(), single_item_reliability=rel)


def test_reliability_below_one_needs_variances():
    with pytest.raises(ParameterError, match="variance of item 'c1'"):
        to_semopy_description(acsi_like(), single_item_reliability=0.9)


def test_formative_refused_with_advice():
    m = ModelSpec.from_blocks({"a": ["a1", "a2"], "b": ["b1", "b2"]}, [("a", "b")],
                              modes={"a": "formative"})
    with pytest.raises(ParameterError, match=r"'a' are formative .*method='pls'"):
        to_semopy_description(m)


def test_construct_named_like_an_item_refused():
    m = ModelSpec.from_blocks({"a": ["a1", "b"], "b": ["b1", "b2"]}, [("a", "b")])
    with pytest.raises(ParameterError, match=r"construct id\(s\) 'b' are also item ids"):
        to_semopy_description(m)


def test_binary_note():
    assert "c1 (construct complaint)" in binary_note(acsi_like())
    assert binary_note(acsi_like(binary=False)) is None
