"""Page 1 (Overview) renders on the sample data and shows the csi numbers."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import pytest
from apptest_support import (  # noqa: F401 - pytest fixtures
    N_BOOT,
    ROOT,
    app_env,  # noqa: F401 - pytest fixtures
    new_app,
    sample_db,
    texts,
    writable_env,
)

from csi.drivers.complaints import complaint_rate
from csi.drivers.ipma import importance_performance
from csi.estimate import waves
from csi.report import overview as ov
from csi.store import open_store
from csi.survey import load_survey


@pytest.fixture(scope="module")
def expected(sample_db):
    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    frame = open_store(f"sqlite:///{sample_db}").responses_frame(survey)
    fits = waves.fit_by_wave(survey, frame, n_boot=N_BOOT, seed=0)  # what the page fits
    return survey, frame, waves.trend_table(fits.groups), fits.pooled


def test_overview_numbers_match_csi(app_env, expected):
    survey, frame, trend, pooled = expected
    at = new_app().run()
    assert not at.exception
    waves = sorted(trend["wave"].unique())
    last = trend[trend["wave"] == waves[-1]].set_index("construct")
    prev = trend[trend["wave"] == waves[-2]].set_index("construct")
    head = at.metric[0]
    assert head.value == f"{last.loc['satisfaction', 'score']:.1f}"
    assert head.label == "Customer satisfaction index (0–100)"
    # one number, one meaning: the headline says its wave and n used of n collected
    n_wave = int((frame["wave"] == waves[-1]).sum())
    assert f"Wave {waves[-1]} · n = {int(last.loc['satisfaction', 'n_obs'])}" in texts(at)
    assert int(last.loc["satisfaction", "n_obs"]) <= n_wave
    # change vs the previous wave, in words, from csi.report.overview
    cur = ov.Headline("satisfaction", *last.loc["satisfaction", ["score", "se", "ci_low", "ci_high"]], 0)
    before = ov.Headline("satisfaction", *prev.loc["satisfaction", ["score", "se", "ci_low", "ci_high"]], 0)
    sentence = ov.change_sentence(ov.wave_change(cur, before, waves[-2]), "en")
    assert sentence in texts(at)
    # the first paint's placeholders (point estimates before the bootstrap) are all replaced
    assert "bootstrap running" not in texts(at) and "[…]" not in texts(at)
    # complaint rate (share who complained, Wilson CI) from csi.drivers.complaints
    rate = complaint_rate(survey, frame).iloc[0]
    assert any(m.value == f"{100 * rate['rate']:.1f}%" for m in at.metric)
    # one card per non-binary construct, same order as the survey
    cards = {m.label: m.value for m in at.metric}
    assert cards["Perceived quality"] == f"{last.loc['quality', 'score']:.1f}"
    n, start, end = ov.response_span(frame)
    assert f"{n} responses collected, {start} to {end}" in texts(at)
    # the complaint share says lower is better, and the path diagram that it is pooled
    assert any(m.label == "Share who complained (%)" for m in at.metric)
    assert "lower is better" in texts(at)
    assert f"Pooled over the selected waves · n = {pooled.n_obs}" in texts(at)
    assert "Local-demo mode" in texts(at)


def test_overview_segment_filter_changes_numbers(app_env, expected):
    at = new_app().run()
    before = at.metric[0].value
    at.selectbox(key="segment_by").set_value("channel").run()
    at.selectbox(key="segment_value").set_value("jd").run()
    assert not at.exception
    assert at.metric[0].value != before
    assert "jd" in str(at.selectbox(key="segment_value").value)


def test_overview_leads_with_what_to_fix_first(app_env, expected):
    from csi.drivers.fix_first import fix_first
    from csi.report.fix_first import fix_first_texts

    survey, frame, _, pooled = expected
    at = new_app().run()
    assert not at.exception
    assert "What to fix first" in [s.value for s in at.subheader]
    ipma = importance_performance(survey, frame, pooled, target="loyalty", level="both", n_boot=N_BOOT, seed=0)
    want = fix_first_texts(fix_first(survey, frame, pooled, ipma=ipma, n_boot=N_BOOT, seed=0), survey, "en")
    assert 1 <= len(want) <= 3
    shown = texts(at)
    for k, t in enumerate(want, start=1):
        assert f"**{k}. {t.title}** — {t.cause} {t.gain}" in shown
    links = [p.proto.page for p in at.get("page_link")]
    assert any(p.endswith("drivers") or "drivers" in p for p in links), links
    # the trend shows the headline alone by default; other constructs on request
    assert at.multiselect(key="trend_more").value == []


def test_overview_in_chinese(app_env, expected):
    at = new_app(lang="zh").run()
    assert not at.exception
    assert at.metric[0].label == "顾客满意度指数（0–100）"
    assert "优先改进" in [s.value for s in at.subheader]
    assert "本地演示模式" in texts(at)


def test_empty_store_says_what_to_do(monkeypatch, app_env, tmp_path):
    monkeypatch.setenv("CSI_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    at = new_app().run()
    assert not at.exception
    assert "No responses stored" in texts(at)
    assert "csi import" in texts(at)


def test_unfiltered_frame_is_keyed_like_a_filter_keeping_every_row(expected):
    # without filters the page uses the cached full frame; its fits must be cached under the
    # same key as before (a filter selecting every row)
    from app_pages.common import _subset_key
    from csi.report.filters import Filters, filter_frame

    survey, frame, _, _ = expected
    waves = tuple(sorted(frame["wave"].dropna().unique()))
    for f in (Filters(), Filters(waves=waves)):
        assert _subset_key("k", filter_frame(frame, f).index) == _subset_key("k", frame.index)
    assert _subset_key("k", filter_frame(frame, Filters(waves=waves[:1])).index) != _subset_key("k", frame.index)


def test_overview_states_how_many_respondents_the_model_uses(app_env, expected):
    # issue 14: every respondent enters the default EM fit, and the page says so
    from csi.report.missing import missing_statement

    survey, frame, trend, pooled = expected
    assert pooled.missing["policy"] == "em" and pooled.missing["n_used"] == len(frame) == 3000
    assert pooled.n_obs == 3000
    at = new_app().run()
    assert not at.exception
    shown = texts(at)
    assert missing_statement(pooled.missing, "en") in shown, shown[:400]
    assert "3,000 respondents · model uses 3,000 (EM)" in shown


def test_overview_draws_everything_from_point_estimates_before_the_bootstrap(app_env, expected, monkeypatch):
    """The first pass (no bootstrap) draws the headline, the cards, the trend and the path
    diagram; a bootstrap that then fails leaves them standing, CIs marked as pending, and says why."""
    from csi.errors import DataError

    survey, frame, trend, pooled = expected
    real = waves.fit_by_wave

    def point_only(*args, n_boot=0, **kw):
        if n_boot > 0:
            raise DataError("bootstrap unavailable in this test")
        return real(*args, n_boot=n_boot, **kw)

    monkeypatch.setattr(waves, "fit_by_wave", point_only)
    at = new_app(n_boot=N_BOOT + 7).run()  # a resample count no other test has cached
    assert not at.exception
    last = trend[trend["wave"] == sorted(trend["wave"].unique())[-1]].set_index("construct")
    assert at.metric[0].value == f"{last.loc['satisfaction', 'score']:.1f}"
    assert "bootstrap running" in texts(at) and "[…]" in texts(at)
    assert "bootstrap unavailable in this test" in texts(at)
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # trend chart and path diagram, drawn from the point estimates
    assert f"Pooled over the selected waves · n = {pooled.n_obs}" in texts(at)
