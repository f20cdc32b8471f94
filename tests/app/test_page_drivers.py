"""Page 2 (Drivers): IPMA, relative weights, repurchase logit and what-if from csi.drivers."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import numpy as np
from apptest_expected import N_BOOT, frame_and_fit, shown_frames, survey
from apptest_support import app_env, new_app, sample_db, texts, writable_env  # noqa: F401 - pytest fixtures

from csi.drivers.ipma import importance_performance
from csi.drivers.whatif import what_if


def test_ipma_table_matches_csi(app_env, sample_db):
    frame, res = frame_and_fit(str(sample_db))
    want = importance_performance(survey(), frame, res, target="loyalty", level="both",
                                  n_boot=N_BOOT, seed=0)
    at = new_app().run()
    at.switch_page("app_pages/drivers.py").run()
    assert not at.exception
    got = shown_frames(at, "name", "importance", "performance", "quadrant")[0]
    w = want[want["level"] == "construct"]
    np.testing.assert_allclose(got["importance"].to_numpy(float), w["importance"].round(3), atol=1e-12)
    np.testing.assert_allclose(got["performance"].to_numpy(float), w["performance"].round(3), atol=1e-12)
    assert "fix first" in texts(at) or "keep up" in texts(at)
    # item level and another target
    at.radio(key="ipma_level").set_value("item").run()
    items = shown_frames(at, "name", "importance", "performance", "quadrant")[0]
    assert len(items) == (want["level"] == "item").sum()
    at.selectbox(key="ipma_target").set_value("satisfaction").run()
    assert not at.exception


def test_whatif_matches_csi(app_env, sample_db):
    frame, res = frame_and_fit(str(sample_db))
    at = new_app().run()
    at.switch_page("app_pages/drivers.py").run()
    first = at.multiselect(key="whatif_drivers").value[0]
    at.slider(key=f"whatif_{first}").set_value(10).run()
    assert not at.exception
    want = what_if(survey(), frame, {first: 10.0}, res, n_boot=200, seed=0)
    shown = [m.value for m in at.metric]
    for r in want.itertuples(index=False):
        unit = "%" if r.unit == "percent" else ""
        assert f"{r.predicted:.1f}{unit}" in shown
