"""Page 3 (Complaints): the numbers come from csi.drivers.complaints."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import numpy as np
from apptest_expected import frame_and_fit, shown_frames, survey
from apptest_support import app_env, new_app, sample_db, writable_env  # noqa: F401 - pytest fixtures

from csi.drivers import complaints as cp
from csi.report.tables import option_labels


def test_complaints_match_csi(app_env, sample_db):
    frame, _ = frame_and_fit(str(sample_db))
    at = new_app().run()
    at.switch_page("app_pages/complaints.py").run()
    assert not at.exception
    rate = cp.complaint_rate(survey(), frame).iloc[0]
    assert at.metric[0].value == f"{100 * rate['rate']:.1f}%"
    by_wave = shown_frames(at, "group", "rate", "p_adjusted")[0]
    want = cp.complaints_by(survey(), frame, "wave")
    # shown in percent ("share who complained (%)"), two decimals
    np.testing.assert_allclose(by_wave["rate"].to_numpy(float), (100 * want["rate"]).round(2), atol=1e-9)
    at.selectbox(key="complaints_by").set_value("channel").run()
    assert not at.exception
    by_channel = shown_frames(at, "group", "rate", "p_adjusted")[0]
    channels = option_labels(survey(), "channel", "en")  # shown by their labels, not codes
    assert set(by_channel["group"]) == {channels[c] for c in frame["channel"].dropna()}
    rec = shown_frames(at, "group", "loyalty_index")[0]
    assert "no complaint" in set(rec["group"])
