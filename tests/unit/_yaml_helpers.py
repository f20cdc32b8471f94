"""Helpers for the fast-YAML tests: ruamel's own load and a type-strict tree comparison."""

from __future__ import annotations

import math

from ruamel.yaml import YAML

from csi.survey import fast_yaml


def ruamel_load(text: str):
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml.load(text)


def event_key(e):
    """What the composer and constructor use of an event: node events' start marks become the
    tree's line/column records; the marks of end events are not used."""
    node = hasattr(e, "anchor")
    return (type(e).__name__, getattr(e, "anchor", None), getattr(e, "tag", None),
            getattr(e, "implicit", None), getattr(e, "value", None), getattr(e, "style", None),
            getattr(e, "flow_style", None), getattr(e, "explicit", None),
            (e.start_mark.line, e.start_mark.column) if node else None)


def assert_same_tree(a, b, path="$"):
    """Equal values of identical types, keys in the same order, same line/column records."""
    assert type(a) is type(b), (path, type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            assert type(k) is type(next(x for x in b if x == k)), (path, k)
            assert_same_tree(a[k], b[k], f"{path}.{k}")
        assert (a.lc.line, a.lc.col, a.lc.data) == (b.lc.line, b.lc.col, b.lc.data), path
        assert [p for p, _ in a.merge] == [p for p, _ in b.merge], path
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_tree(x, y, f"{path}[{i}]")
        assert (a.lc.line, a.lc.col, a.lc.data) == (b.lc.line, b.lc.col, b.lc.data), path
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), path
    else:  # a TaggedScalar (e.g. the YAML value key ``=``) has no __eq__: compare its repr
        assert repr(a) == repr(b) and (a == b or type(a).__eq__ is object.__eq__), (path, a, b)


def assert_fast_matches_ruamel(text: str) -> bool:
    """When the libyaml path takes ``text``, it gives ruamel's events and tree; returns whether it did."""
    ok, tree = fast_yaml.load_fast(text)
    if not ok:
        return False
    try:
        reference = [event_key(e) for e in fast_yaml.ruamel_events(text)]
    except NotImplementedError:  # ruamel itself cannot read some comment placements: no reference
        return False
    assert [event_key(e) for e in fast_yaml.libyaml_events(text)] == reference
    assert_same_tree(tree, ruamel_load(text))
    return True
