"""Overview (issue 19): the open alerts of the rules saved in the store (Settings page), in the
manager's language and plain words; no alert box when no rule fires.

Rules are saved with :func:`csi.alerts.settings.save_rules` into a private copy of the sample
store, so the page must read the stored rules (the survey file's own rule has threshold 55 and
would give different alerts, or none).
"""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import pytest
from apptest_support import ROOT, app_env, new_app, sample_db, writable_env  # noqa: F401 - pytest fixtures

from csi.alerts import alert_message, evaluate_alerts
from csi.alerts.settings import save_rules
from csi.store import close_store, open_store
from csi.survey import load_survey
from csi.survey.comments_spec import AlertRule

#: Raw field names and codes that must not reach a manager.
RAW = ("segment_below", "channel=", ":satisfaction", "construct", "threshold=")


def _save(url: str, *rules: AlertRule):
    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    store = open_store(url)
    save_rules(store, survey.id, rules, actor="test")
    frame = store.responses_frame(survey)
    close_store(url)
    return survey, frame


def _alerts(at) -> list[str]:
    return [str(w.value) for w in at.warning if w.proto.icon == ":material/notifications_active:"]


@pytest.mark.parametrize("lang, heading, words", [
    ("en", "Open alerts", ("Where did you place this order?", "Customer satisfaction", "below the threshold 100",
                           "JD.com", "Tmall", "Taobao")),
    ("zh", "当前预警", ("您这次是在哪个平台下单的？", "顾客满意度", "低于阈值 100", "京东", "天猫", "淘宝")),
])
def test_stored_rule_that_fires_shows_in_plain_words(writable_env, lang, heading, words):
    # every channel's satisfaction index is below 100, so each channel of the latest wave fires
    rule = AlertRule(kind="segment_below", segment="channel", construct="satisfaction", threshold=100)
    survey, frame = _save(writable_env, rule)
    want = [alert_message(survey, a, lang) for a in evaluate_alerts(survey, frame, rules=(rule,))]
    assert len(want) == 3  # tmall, jd, taobao
    at = new_app(lang=lang).run()
    assert not at.exception
    shown = _alerts(at)
    assert heading in [s.value for s in at.subheader]
    assert sorted(shown) == sorted(want)
    joined = "\n".join(shown)
    for w in words:
        assert w in joined, (w, joined)
    for raw in RAW:
        assert raw not in joined, (raw, joined)
    last = sorted(frame["wave"].dropna().astype(str).unique())[-1]
    assert all(last in m for m in shown)  # each alert names the wave it is about


def test_no_alert_box_when_no_rule_fires(writable_env):
    # a firing rule first (alerts shown), then a stored rule that never fires (no group's index is
    # below 0) replaces it: the box goes, in both languages, with no restart
    fires = AlertRule(kind="segment_below", segment="channel", construct="satisfaction", threshold=100)
    never = AlertRule(kind="segment_below", segment="channel", construct="satisfaction", threshold=0)
    for lang, heading in (("en", "Open alerts"), ("zh", "当前预警")):
        _save(writable_env, fires)
        at = new_app(lang=lang).run()
        assert not at.exception
        assert len(_alerts(at)) == 3 and heading in [s.value for s in at.subheader]
        _save(writable_env, never)
        at.run()
        assert not at.exception
        assert _alerts(at) == []
        assert heading not in [s.value for s in at.subheader]
