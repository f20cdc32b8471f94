"""The shipped templates in ``surveys/``: valid, bilingual, and their lavaan model usable elsewhere.

semopy has no ``<~`` (formative) operator, so the semopy check applies to templates whose
constructs are all reflective -- every shipped template is; a formative template would be
skipped there (and still round-trip through csi's own parser).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from csi.survey import ACSI_DEFAULT_PATHS, load_survey, parse_lavaan

SURVEYS = Path(__file__).resolve().parent.parent.parent / "surveys"
TEMPLATES = sorted(p.name for p in SURVEYS.glob("*.yaml"))


def test_the_expected_templates_are_there():
    assert {"acsi.yaml", "ecsi.yaml", "ccsi.yaml", "ecommerce_csi.yaml"} <= set(TEMPLATES)


@pytest.fixture(scope="module", params=TEMPLATES)
def survey(request):
    return load_survey(SURVEYS / request.param)


def _texts(node, where=""):
    """Yield (where, text) for every display text in a pydantic tree."""
    from pydantic import BaseModel

    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if name in ("title", "label", "text", "description", "short", "dont_know_label"):
                if value is not None:
                    yield f"{where}.{name}", value
            elif name == "labels" and isinstance(value, dict):
                for k, v in value.items():
                    yield f"{where}.labels[{k}]", v
            else:
                yield from _texts(value, f"{where}.{name}")
    elif isinstance(node, list | tuple):
        for i, v in enumerate(node):
            yield from _texts(v, f"{where}[{i}]")
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _texts(v, f"{where}.{k}")


def test_every_display_text_in_every_language(survey):
    langs = set(survey.languages)
    assert {"zh", "en"} <= langs
    missing = [w for w, t in _texts(survey) if not (isinstance(t, dict) and set(t) >= langs)]
    assert not missing, f"{survey.id}: texts not in {sorted(langs)}: {missing[:5]}"


def test_structure(survey):
    model = survey.to_model()
    assert model.topological_order()  # acyclic, no orphan (checked at construction)
    assert survey.segments, "every template has at least one segment question"
    assert survey.questions_with_role("comment"), "every template has a comment field"
    if survey.paths is None:
        assert set(survey.constructs) <= {s for p in ACSI_DEFAULT_PATHS for s in p}


def test_lavaan_round_trip(survey):
    model = survey.to_model()
    again = parse_lavaan(survey.to_lavaan(), scale=(1, 10))
    assert again.construct_ids == model.construct_ids
    assert {c.id: (c.items, c.mode) for c in again.constructs} == {
        c.id: (c.items, c.mode) for c in model.constructs}
    assert set(again.paths) == set(model.paths)


def test_lavaan_parses_in_semopy(survey):
    semopy = pytest.importorskip("semopy")
    from semopy.parser import parse_desc

    if any(c.mode == "formative" for c in survey.constructs.values()):
        pytest.skip("semopy has no <~ (formative) operator")
    desc = survey.to_lavaan()
    semopy.Model(desc)  # raises on syntax it cannot read
    ops, _ = parse_desc(desc)
    assert {c: list(items) for c, items in ops["=~"].items()} == {
        cid: [it.id for it in c.items] for cid, c in survey.constructs.items()}
    paths = {(src, tgt) for tgt, srcs in ops["~"].items() for src in srcs}
    assert paths == set(survey.effective_paths)


def test_acsi_template_follows_fornell_1996():
    s = load_survey(SURVEYS / "acsi.yaml")
    sizes = {cid: len(c.items) for cid, c in s.constructs.items()}
    assert sizes == {"expectation": 3, "quality": 3, "value": 2, "satisfaction": 3,
                     "complaint": 1, "loyalty": 2}
    assert s.paths is None and set(s.effective_paths) == set(ACSI_DEFAULT_PATHS)
    assert s.constructs["complaint"].binary
    for cid, c in s.constructs.items():
        sc = s.scales[c.scale]
        assert (sc.min, sc.max) == ((0, 1) if cid == "complaint" else (1, 10))


def test_ecsi_paths():
    s = load_survey(SURVEYS / "ecsi.yaml")
    assert set(s.effective_paths) == {
        ("image", "expectation"), ("image", "satisfaction"), ("image", "loyalty"),
        ("expectation", "quality"), ("expectation", "value"), ("expectation", "satisfaction"),
        ("quality", "value"), ("quality", "satisfaction"), ("value", "satisfaction"),
        ("satisfaction", "complaint"), ("satisfaction", "loyalty"), ("complaint", "loyalty"),
    }


def test_ccsi_is_chinese_first_with_eleven_paths():
    s = load_survey(SURVEYS / "ccsi.yaml")
    assert s.languages[0] == "zh" and s.default_language == "zh"
    assert list(s.constructs) == ["image", "expectation", "quality", "value", "satisfaction", "loyalty"]
    assert len(s.effective_paths) == 11
    assert s.t(s.constructs["image"].label) == "品牌形象"
    assert s.t(s.constructs["image"].label, "en") == "Brand image"
