"""Page 4 (Segments & trends): group indices and pairwise tests from csi.drivers.segments."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import warnings

import numpy as np
from apptest_expected import N_BOOT, frame_and_fit, shown_frames, survey
from apptest_support import app_env, new_app, sample_db, texts, writable_env  # noqa: F401 - pytest fixtures

from csi.drivers.segments import group_results
from csi.estimate.waves import fit_by_wave, trend_table
from csi.report.scope import wave_rows


def test_segments_match_csi(app_env, sample_db):
    frame, res = frame_and_fit(str(sample_db))
    at = new_app().run()
    at.switch_page("app_pages/segments.py").run()
    assert not at.exception
    got = shown_frames(at, "group", "kind", "name", "mean", "small_n")[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_wave = group_results(survey(), frame, "wave", res)
    # by wave, the constructs carry the Overview's per-wave fits (csi.report.scope.wave_rows)
    want = wave_rows(by_wave, trend_table(fit_by_wave(survey(), frame, n_boot=N_BOOT, seed=0).groups))
    np.testing.assert_allclose(got["mean"].to_numpy(float), want["mean"].round(2), atol=1e-12)
    assert "Pairwise differences" in texts(at)
    diff = shown_frames(at, "kind", "difference", "p_value", "significant")[0]
    assert {"construct", "path"} <= set(diff["kind"])


def test_segments_wave_index_is_the_overview_s(app_env, sample_db):
    # issue 17: the same wave's index is one number on the Overview and the Segments page
    frame, _ = frame_and_fit(str(sample_db))
    at = new_app().run()
    headline = at.metric[0].value  # the last wave's satisfaction index on the Overview
    at.switch_page("app_pages/segments.py").run()
    assert not at.exception
    got = shown_frames(at, "group", "kind", "name", "mean")[0]
    last = sorted(frame["wave"].dropna().unique())[-1]
    label = survey().t(survey().constructs["satisfaction"].label, "en")
    row = got[(got["group"] == last) & (got["name"] == label)]
    assert f"{row['mean'].iloc[0]:.1f}" == headline


def test_filters_apply_to_segments(app_env, sample_db):
    at = new_app().run()
    at.switch_page("app_pages/segments.py").run()
    at.selectbox(key="segments_by").set_value("channel").run()
    at.multiselect(key="waves").set_value(["2026Q1"]).run()
    assert not at.exception
    got = shown_frames(at, "group", "kind", "name", "mean", "n")[0]
    frame, _ = frame_and_fit(str(sample_db))
    q1 = frame[frame["wave"] == "2026Q1"]
    n_jd = got[(got["group"] == "JD.com") & (got["name"] == "Perceived quality")]["n"].iloc[0]
    assert n_jd <= (q1["channel"] == "jd").sum()


def test_segments_show_nps_by_group(app_env, sample_db):
    """Issue 19: NPS per group on the Segments page equals csi.drivers.nps.nps_by (3 decimals)."""
    from csi.drivers.nps import nps_by

    frame, _ = frame_and_fit(str(sample_db))
    at = new_app().run()
    at.switch_page("app_pages/segments.py").run()
    at.selectbox(key="segments_by").set_value("channel").run()
    assert not at.exception
    got = shown_frames(at, "group", "nps", "ci_low", "promoters", "detractors")[0]  # by their plain headings
    want = nps_by(survey(), frame, "channel")
    want = want[want["n"] > 0]
    assert len(got) == len(want) >= 2
    np.testing.assert_allclose(got["nps"].to_numpy(float), want["nps"].round(3), atol=1e-12)
    np.testing.assert_allclose(got["ci_low"].to_numpy(float), want["ci_low"].round(3), atol=1e-12)
    assert "JD.com" in set(got["group"])
    assert "Net Promoter Score by group" in texts(at)
