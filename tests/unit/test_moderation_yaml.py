"""Moderation declared in the survey YAML (``interactions:``): parsed, checked with file
positions, and used by :func:`csi.estimate.pls.moderation.fit_moderation`."""

from __future__ import annotations

import pandas as pd
import pytest

from csi.errors import SurveySpecError
from csi.estimate.pls.moderation import fit_moderation
from csi.survey import load_survey


def _survey(tmp_path, root, block: str):
    text = (root / "surveys" / "ecommerce_csi.yaml").read_text(encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")
    return path, len(text.rstrip("\n").splitlines())


def test_yaml_interactions_are_fitted(tmp_path, root):
    path, _ = _survey(tmp_path, root, "interactions:\n  - quality:expectation -> satisfaction\n"
                                       "  - {source: value, moderator: expectation, target: satisfaction}\n")
    survey = load_survey(path)
    assert [(x.source, x.moderator, x.target, x.method) for x in survey.interactions] == [
        ("quality", "expectation", "satisfaction", "two_stage"),
        ("value", "expectation", "satisfaction", "two_stage")]
    frame = pd.read_csv(root / "sample_data" / "ecommerce_responses.csv")
    res = fit_moderation(survey, frame)
    got = set(zip(res.paths["source"], res.paths["target"], strict=True))
    assert {("quality*expectation", "satisfaction"), ("value*expectation", "satisfaction")} <= got
    same = fit_moderation(survey.to_model(), frame, [("quality", "expectation", "satisfaction"),
                                                     ("value", "expectation", "satisfaction")])
    pd.testing.assert_frame_equal(res.paths, same.paths)
    assert len(res.simple_slopes) == 6


def test_yaml_interaction_errors_are_located(tmp_path, root):
    path, n = _survey(tmp_path, root, "interactions:\n  - value:complaint -> satisfaction\n"
                                      "  - quality:nope -> loyalty\n")
    with pytest.raises(SurveySpecError) as err:
        load_survey(path)
    msgs = {(i.line, i.message) for i in err.value.issues}
    assert any(line == n + 2 and "main effect complaint -> satisfaction is not a path" in m
               for line, m in msgs), msgs
    assert any(line == n + 3 and "unknown construct 'nope'" in m for line, m in msgs), msgs
