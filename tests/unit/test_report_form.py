"""csi.report.form: form layout, show_if, required answers, canonical answers."""

from __future__ import annotations

import pytest

from csi.report.form import (
    canonical_answers,
    form_layout,
    is_visible,
    missing_required,
    scale_choices,
)


@pytest.fixture(scope="module")
def sections(flagship):
    return form_layout(flagship, "en")


def fields(sections):
    return {f.id: f for s in sections for f in s.fields}


def test_layout_has_every_respondent_field_and_no_system_field(flagship, sections):
    ids = [f.id for s in sections for f in s.fields]
    assert set(flagship.items) <= set(ids)
    assert "repurchased_90d" not in ids and "orders_12m" not in ids
    assert len(ids) == len(set(ids))
    f = fields(sections)
    assert f["cc1"].kind == "yes_no" and f["pq1"].kind == "likert" and f["complaint_type"].kind == "multi"
    assert f["phone"].pii and not f["comment"].pii
    assert sections[0].title == "About your purchase"
    assert form_layout(flagship, "zh")[0].title == "关于您的购买"


def test_scale_choices_include_dont_know(flagship):
    assert scale_choices(flagship.scales["sat10"]) == [float(v) for v in range(1, 11)] + [99.0]
    assert scale_choices(flagship.scales["yesno"]) == [0.0, 1.0]


def test_show_if_variants(sections):
    f = fields(sections)["complaint_type"]
    assert is_visible(f, {"cc1": 1}) and is_visible(f, {"cc1": "1"}) and not is_visible(f, {"cc1": 0.0})
    from dataclasses import replace

    from csi.survey.schema import ShowIf

    g = replace(f, show_if=ShowIf(field="channel", not_in=("jd",)))
    assert is_visible(g, {"channel": "tmall"}) and not is_visible(g, {"channel": "jd"})
    h = replace(f, show_if=ShowIf(field="complaint_type", **{"in": ("late", "lost")}))
    assert is_visible(h, {"complaint_type": ["damaged", "late"]}) and not is_visible(h, {"complaint_type": []})


def test_required_depends_on_visibility(flagship, sections):
    likert = [i for i in flagship.items]
    answers = {i: 5.0 for i in likert} | {"channel": "jd", "cc1": 0.0}
    assert missing_required(sections, answers) == []
    assert missing_required(sections, {k: v for k, v in answers.items() if k != "pq3"}) == ["pq3"]
    assert missing_required(sections, answers | {"channel": " "})[0] == "channel"


def test_canonical_answers_drop_hidden_and_type_values(sections):
    out = canonical_answers(sections, {"cc1": 0.0, "complaint_type": ["late"], "complaint_handling": 3,
                                       "pq1": 99, "channel": "jd", "orders_12m": 5, "comment": " ok "})
    assert out == {"channel": "jd", "pq1": 99.0, "cc1": 0.0, "comment": "ok"}
    out = canonical_answers(sections, {"cc1": 1.0, "complaint_type": []})
    assert out["complaint_type"] == ""  # shown, nothing ticked


# -- issue 20: anchors, human section titles, consent before contact data, invitation skips --
def test_anchors_from_the_item_or_the_scale_never_both(flagship, sections):
    f = fields(sections)
    assert f["cs2"].anchors == (("1", "Falls short"), ("10", "Exceeds"))  # the item's own
    assert "(1 =" not in f["cs2"].text  # ... and not repeated in the question text
    assert f["cs1"].anchors == (("1", "Very dissatisfied"), ("10", "Very satisfied"))  # the scale's
    assert f["ce1"].anchors == (("1", "Very low"), ("10", "Very high"))
    assert f["pq1"].dont_know_label == "Don't know / not applicable"
    zh = fields(form_layout(flagship, "zh"))
    assert zh["cs2"].anchors == (("1", "远低于期望"), ("10", "远超期望"))


def test_section_titles_are_human_not_model_names(flagship):
    titles = [s.title for s in form_layout(flagship, "zh")]
    labels = {flagship.t(c.label, "zh") for c in flagship.constructs.values()}
    assert not set(titles) & labels  # no "感知价值", "顾客抱怨"
    assert titles[-1] == "最后"


def test_contact_fields_follow_consent(flagship, sections):
    ids = [f.id for s in sections for f in s.fields]
    assert ids.index("contact_consent") == ids.index("phone") - 1
    phone = fields(sections)["phone"]
    assert not is_visible(phone, {}) and not is_visible(phone, {"contact_consent": 0.0})
    assert is_visible(phone, {"contact_consent": 1.0})
    out = canonical_answers(sections, {"contact_consent": 0.0, "phone": "13800000000"})
    assert out == {"contact_consent": 0.0}  # no consent: the number is not submitted


def test_survey_without_consent_question_gets_a_form_only_gate(flagship):
    from csi.survey import parse_survey

    text = flagship.source_text.replace("    show_if: {field: contact_consent, equals: 1}\n", "")
    text = text.replace("fields: [nps, comment, contact_consent, phone]", "fields: [nps, comment, phone]")
    text = text.replace("  keep_contact: true\n  consent: contact_consent\n", "")  # no consent: no vault (18)
    start = text.index("  - id: contact_consent")
    text = text[:start] + text[text.index("  - id: nps"):]
    s = parse_survey(text)
    assert "contact_consent" not in s.question_map
    f = fields(form_layout(s, "en"))
    assert f["contact_consent"].synthetic and f["phone"].show_if.field == "contact_consent"
    secs = form_layout(s, "en")
    assert canonical_answers(secs, {"contact_consent": 1.0, "phone": "1"}) == {"phone": "1"}


def test_invitation_fields_are_not_asked(flagship):
    ids = {f.id for s in form_layout(flagship, "en", skip={"channel", "category"}) for f in s.fields}
    assert "channel" not in ids and "category" not in ids and "region" in ids


def test_item_anchor_outside_the_scale_is_a_spec_error(flagship):
    from csi.errors import SurveySpecError
    from csi.survey import parse_survey

    bad = flagship.source_text.replace("          10: {zh: 远超期望, en: Exceeds}",
                                       "          11: {zh: 远超期望, en: Exceeds}")
    with pytest.raises(SurveySpecError, match=r"anchor for 11 is outside the item's scale") as err:
        parse_survey(bad)
    issue = err.value.issues[0]
    assert issue.path == "constructs.satisfaction.items[1].labels[11]" and issue.line > 0
