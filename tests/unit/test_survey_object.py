"""The Survey object: localization, lookups, the model view and the default form layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from csi.survey import ACSI_DEFAULT_PATHS, load_survey, localize, parse_survey

ROOT = Path(__file__).resolve().parent.parent.parent
MINI = (ROOT / "tests" / "data" / "surveys" / "mini.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shop():
    return load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")


def test_localize_fallback():
    text = {"zh": "满意", "en": "Satisfied"}
    assert localize(text, "en", "zh") == "Satisfied"
    assert localize(text, "fr", "zh") == "满意"  # unknown language -> default
    assert localize({"en": "Only English"}, "fr", "zh") == "Only English"  # -> any language
    assert localize("plain", "en", "zh") == "plain"
    assert localize(None, "en", "zh") == ""


def test_survey_t_uses_default_language(shop):
    label = shop.constructs["satisfaction"].label
    assert shop.default_language == "zh"
    assert shop.t(label) == "顾客满意度"
    assert shop.t(label, "en") == "Customer satisfaction"
    assert shop.t(label, "de") == "顾客满意度"


def test_plain_string_text_is_accepted():
    src = MINI.replace("title: {en: Mini, zh: 迷你}", "title: Mini")
    s = parse_survey(src)
    assert s.t(s.title, "zh") == "Mini"


def test_acsi_default_paths_when_omitted():
    s = parse_survey(MINI)
    assert s.paths is None
    assert s.effective_paths == [("satisfaction", "loyalty")]
    full = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    assert full.effective_paths == list(ACSI_DEFAULT_PATHS)
    assert full.to_model().paths == ACSI_DEFAULT_PATHS


def test_explicit_paths_replace_the_default():
    s = parse_survey(MINI + "paths:\n  - loyalty -> satisfaction\n")
    assert s.effective_paths == [("loyalty", "satisfaction")]


def test_items_and_fields(shop):
    items = shop.items
    assert list(items)[:3] == ["ce1", "ce2", "ce3"]
    assert items["cc1"].owner == "complaint" and items["cc1"].group == "construct"
    assert items["cc1"].scale_id == "yesno"
    assert items["dr_brand"].group == "driver" and items["dr_brand"].owner == "brand"
    assert list(items)[-1] == "dr_follow_up"
    assert shop.driver_items["product"] == ["dr_product_quality", "dr_product_value"]
    assert shop.field_ids[: len(items)] == list(items)
    assert shop.field_ids[len(items):] == [q.id for q in shop.questions]
    assert [q.id for q in shop.segments] == ["channel", "category", "region", "customer_type"]
    assert shop.pii_fields == ["phone", "order_ref"]  # order_ref: the case reference (vault only)
    assert shop.question_map["complaint_type"].show_if.allowed == ((1,), True)


def test_to_model_uses_theoretical_bounds_and_missing_codes(shop):
    m = shop.to_model()
    assert (m.items["pq1"].scale_min, m.items["pq1"].scale_max) == (1, 10)
    assert (m.items["cc1"].scale_min, m.items["cc1"].scale_max) == (0, 1)
    assert m.items["pq1"].missing_codes == (-99, -2, -3, 99)
    assert m.items["cc1"].missing_codes == (-99, -2, -3)
    assert m.construct("complaint").binary
    assert "dr_brand" not in m.items  # driver items are not part of the ACSI model


def test_identity(shop):
    again = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    assert shop.sha256 == again.sha256 and len(shop.sha256) == 64
    assert hash(shop) == hash(again)
    changed = parse_survey(shop.source_text + "\n# a comment\n")
    assert changed.sha256 != shop.sha256
    assert shop.source_file.endswith("ecommerce_csi.yaml")


def test_default_form_sections(shop):
    shop = parse_survey(shop.source_text.split("\nsections:")[0])  # the layout without `sections:`
    sections = shop.form_sections()
    fields = [s.fields for s in sections]
    assert fields[0] == ["channel", "category", "region", "customer_type"]
    assert fields[1:7] == [["expectation"], ["quality"], ["value"], ["satisfaction"],
                           ["complaint", "complaint_type", "complaint_handling", "complaint_resolved"],
                           ["loyalty"]]
    assert fields[7] == ["drivers"]
    assert fields[8] == ["comment", "contact_consent", "nps", "phone"]  # system fields (order_ref, repurchased_90d, ...) never shown
    assert len(sections) == 9
    assert shop.t(sections[1].title, "en") == "Customer expectation"


def test_default_form_without_segments_or_drivers():
    s = parse_survey(MINI.split("questions:")[0])
    assert [x.fields for x in s.form_sections()] == [["satisfaction"], ["loyalty"]]


def test_written_sections_are_kept():
    s = parse_survey(MINI + "sections:\n  - title: All\n    fields: [channel, satisfaction, cl1]\n")
    assert [x.fields for x in s.form_sections()] == [["channel", "satisfaction", "cl1"]]


def test_survey_is_frozen(shop):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        shop.id = "other"
