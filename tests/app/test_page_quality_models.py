"""Model-quality page, extended models (issue 16): a survey declaring interactions and a
higher-order construct gets both sections, with the numbers of the library functions."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

from pathlib import Path

import numpy as np
from apptest_expected import frame_and_fit, shown_frames
from apptest_support import app_env, new_app, sample_db, texts, writable_env  # noqa: F401 - pytest fixtures

from csi.estimate.pls.higher_order import fit_higher_order, higher_order_model
from csi.estimate.pls.moderation import fit_moderation
from csi.survey import load_survey

ROOT = Path(__file__).resolve().parents[2]
BLOCK = ("interactions:\n  - quality:expectation -> satisfaction\n"
         "higher_order:\n  - {id: offer, dimensions: [quality, value]}\n")


def test_moderation_and_higher_order_sections(app_env, sample_db, tmp_path, monkeypatch):
    text = (ROOT / "surveys" / "ecommerce_csi.yaml").read_text(encoding="utf-8")
    (tmp_path / "ecommerce_csi.yaml").write_text(text.rstrip("\n") + "\n" + BLOCK, encoding="utf-8")
    monkeypatch.setenv("CSI_SURVEY_DIR", str(tmp_path))
    survey = load_survey(tmp_path / "ecommerce_csi.yaml")
    at = new_app().run()
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception
    assert "Moderation (declared interactions)" in texts(at) and "Higher-order constructs" in texts(at)
    frame, _ = frame_and_fit(str(sample_db))
    want = fit_moderation(survey, frame).simple_slopes
    got = shown_frames(at, "moderator_sd", "slope")[0]
    np.testing.assert_allclose(got["slope"].to_numpy(float), want["slope"].round(4), atol=1e-12)
    hoc = fit_higher_order(data=frame, **higher_order_model(survey)).paths
    got = shown_frames(at, "source", "target", "estimate")
    row = [g for g in got if "offer" in set(g["source"])][0]
    w = hoc.set_index(["source", "target"])["estimate"]
    g = row.set_index(["source", "target"])["estimate"]
    np.testing.assert_allclose(g[w.index].to_numpy(float), w.round(4), atol=1e-12)
