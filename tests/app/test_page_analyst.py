"""Issue 16 on the pages: specific indirect effects and PLSpredict (Model quality) and the MICOM
verdict with Holm-adjusted p-values (Segments) -- each equal to the csi function's output."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import numpy as np
from apptest_expected import frame_and_fit, shown_frames, survey
from apptest_support import app_env, new_app, sample_db, texts, writable_env  # noqa: F401 - pytest fixtures

from csi.estimate.analysis.indirect import mediation
from csi.estimate.analysis.predict import cvpat, predict_pls
from csi.report.tables import construct_labels


def test_quality_shows_mediation_and_prediction(app_env, sample_db):
    frame, res = frame_and_fit(str(sample_db))
    at = new_app().run()
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception
    spec = shown_frames(at, "path", "estimate", "se", "ci_low", "ci_high")[0]
    want, want_dec = mediation(res)
    labels = construct_labels(survey(), "en")  # "quality -> value" shown as "Perceived quality → Perceived value"
    assert list(spec["path"]) == [" → ".join(labels[c] for c in p.split(" -> ")) for p in want["path"]]
    np.testing.assert_allclose(spec["estimate"].to_numpy(float), want["estimate"].round(4), atol=1e-12)
    dec = shown_frames(at, "direct", "indirect", "total")[0]
    assert len(dec) == len(want_dec)
    pred = shown_frames(at, "item", "q2_predict", "rmse", "lm_rmse")[0]
    want = predict_pls(survey(), frame, folds=10, reps=10, seed=0)
    np.testing.assert_allclose(pred["q2_predict"].to_numpy(float), want["q2_predict"].round(3), atol=1e-12)
    assert "Q²predict" in texts(at)
    cv = shown_frames(at, "construct", "benchmark", "loss_pls", "loss_benchmark", "difference", "p_value")[0]
    want = cvpat(survey(), frame, benchmark="LM", folds=10, reps=10, seed=0)
    np.testing.assert_allclose(cv["difference"].to_numpy(float), want["difference"].round(4), atol=1e-12)


def test_segments_show_micom_and_holm(app_env, sample_db):
    at = new_app().run()
    at.switch_page("app_pages/segments.py").run()
    assert not at.exception
    diff = shown_frames(at, "kind", "name", "p_value", "p_adjusted", "invariance")[0]
    cons = diff[diff["kind"] == "construct"]
    assert set(cons["invariance"]) <= {"none", "partial", "full"} and cons["invariance"].notna().all()
    assert diff["p_adjusted"].isna().sum() == diff["p_value"].isna().sum()
    fin = diff["p_value"].notna()
    assert (diff.loc[fin, "p_adjusted"].astype(float) >= diff.loc[fin, "p_value"].astype(float) - 1e-3).all()
    assert "MICOM" in texts(at)
