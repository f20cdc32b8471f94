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
