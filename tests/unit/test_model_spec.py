"""ModelSpec: the model contract between survey definitions and estimators."""

from __future__ import annotations

import pytest

from csi.errors import SurveySpecError
from csi.survey import ACSI_DEFAULT_PATHS, ConstructSpec, ItemSpec, ModelSpec

ACSI_BLOCKS = {
    "expectation": ["ce1", "ce2"],
    "quality": ["pq1", "pq2"],
    "value": ["pv1"],
    "satisfaction": ["cs1", "cs2"],
    "complaint": ["cc1"],
    "loyalty": ["cl1"],
}


def acsi() -> ModelSpec:
    return ModelSpec.from_blocks(ACSI_BLOCKS, ACSI_DEFAULT_PATHS, scale=(1, 10))


def test_views():
    m = acsi()
    assert m.construct_ids == tuple(ACSI_BLOCKS)
    assert m.item_ids == ("ce1", "ce2", "pq1", "pq2", "pv1", "cs1", "cs2", "cc1", "cl1")
    assert m.exogenous == ("expectation",)
    assert m.endogenous == ("quality", "value", "satisfaction", "complaint", "loyalty")
    assert m.predecessors("satisfaction") == ("expectation", "quality", "value")
    assert m.predecessors("loyalty") == ("satisfaction", "complaint")
    assert m.construct("value").items == ("pv1",)
    assert m.items["cs1"] == ItemSpec("cs1", 1, 10)
    with pytest.raises(KeyError):
        m.construct("nope")


def test_topological_order_puts_sources_first():
    # constructs listed "backwards": the order must still respect every path
    blocks = dict(reversed(list(ACSI_BLOCKS.items())))
    m = ModelSpec.from_blocks(blocks, ACSI_DEFAULT_PATHS)
    order = m.topological_order()
    assert sorted(order) == sorted(ACSI_BLOCKS)
    pos = {c: i for i, c in enumerate(order)}
    assert all(pos[s] < pos[t] for s, t in ACSI_DEFAULT_PATHS)
    assert order == ("expectation", "quality", "value", "satisfaction", "complaint", "loyalty")


def test_topological_order_is_stable_for_independent_constructs():
    m = ModelSpec.from_blocks({"b": ["b1"], "a": ["a1"], "y": ["y1"]}, [("a", "y"), ("b", "y")])
    assert m.topological_order() == ("b", "a", "y")


def test_modes():
    m = ModelSpec.from_blocks({"a": ["a1", "a2"], "b": ["b1"]}, [("a", "b")], modes={"a": "formative"})
    assert m.construct("a").pls_mode == "B" and m.construct("b").pls_mode == "A"


def test_reverse_and_missing_codes():
    m = ModelSpec.from_blocks({"a": ["a1", "a2"], "b": ["b1"]}, [("a", "b")], reverse=["a2"],
                              missing_codes=[99, -1])
    assert m.items["a2"].reverse and not m.items["a1"].reverse
    assert m.items["b1"].missing_codes == (99, -1)


@pytest.mark.parametrize(
    ("blocks", "paths", "message"),
    [
        ({"a": ["a1"], "b": ["b1"], "c": ["c1"]}, [("a", "b")], r"construct 'c' is in no structural path \(orphan\)"),
        ({"a": ["a1"], "b": ["b1"], "c": ["c1"]}, [("a", "b"), ("b", "c"), ("c", "a")],
         r"cycle: a -> b -> c -> a"),
        ({"a": ["a1"], "b": ["b1"]}, [("a", "b"), ("a", "b")], r"listed twice"),
        ({"a": ["a1"], "b": ["b1"]}, [("a", "b"), ("b", "b")], r"cannot predict itself"),
        ({"a": ["a1"], "b": ["b1"]}, [("a", "x")], r"unknown construct 'x'"),
        ({"a": ["x1"], "b": ["x1"]}, [("a", "b")], r"item 'x1' belongs to both 'a' and 'b'"),
        ({"a": [], "b": ["b1"]}, [("a", "b")], r"construct 'a' has no items"),
    ],
    ids=["orphan", "cycle", "duplicate-path", "self-loop", "unknown", "shared-item", "empty-block"],
)
def test_invalid_models(blocks, paths, message):
    with pytest.raises(SurveySpecError, match=message) as info:
        ModelSpec.from_blocks(blocks, paths)
    assert all(i.line is None for i in info.value.issues)


def test_single_construct_needs_no_path():
    assert ModelSpec.from_blocks({"a": ["a1", "a2"]}, []).topological_order() == ("a",)


def test_duplicate_construct():
    with pytest.raises(SurveySpecError, match="defined twice"):
        ModelSpec((ConstructSpec("a", ("a1",)), ConstructSpec("a", ("a2",))), (),
                  {"a1": ItemSpec("a1", 1, 5), "a2": ItemSpec("a2", 1, 5)})


def test_item_without_scale():
    with pytest.raises(SurveySpecError, match="item 'a2' of construct 'a' has no scale"):
        ModelSpec((ConstructSpec("a", ("a1", "a2")),), (), {"a1": ItemSpec("a1", 1, 5)})


def test_item_scale_bounds():
    with pytest.raises(SurveySpecError, match="scale min 5 must be below max 5"):
        ItemSpec("a1", 5, 5)


def test_is_immutable():
    m = acsi()
    with pytest.raises(TypeError):
        m.items["x"] = ItemSpec("x", 1, 2)  # type: ignore[index]
    with pytest.raises(AttributeError):
        m.paths = ()  # type: ignore[misc]
