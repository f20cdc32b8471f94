"""Settings page (issue 19): alert rules edited as YAML, saved in the store with an audit entry,
reset to the survey file's rules; bad rules give one error line each and save nothing."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

from apptest_support import app_env, new_app, sample_db, texts, writable_env  # noqa: F401 - pytest fixtures

from csi.accounts.audit import read_audit
from csi.alerts.settings import stored_rules
from csi.store import open_store


def _page():
    at = new_app().run()
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception
    return at


def test_edit_save_and_reset_alert_rules(writable_env):
    at = _page()
    assert "survey file's rules" in texts(at)
    box = at.text_area[0]
    assert "kind: segment_below" in box.value  # the flagship's own rules are shown
    box.input("- kind: index_drop\n  construct: loyalty\n  alpha: 0.01\n").run()
    at.button(key="alert_rules_save").click().run()
    assert not at.exception
    store = open_store(writable_env)
    rules = stored_rules(store, "ecommerce_csi")
    assert [(r.kind, r.construct_id, r.alpha) for r in rules] == [("index_drop", "loyalty", 0.01)]
    assert "1 rule(s) saved" in texts(at) and "saved here" in texts(at)
    log = read_audit(store, action="alert_rules_changed")
    assert len(log) == 1 and log["actor"].iloc[0] == "demo" and log["target"].iloc[0] == "ecommerce_csi"
    at.button(key="alert_rules_reset").click().run()
    assert not at.exception
    assert stored_rules(store, "ecommerce_csi") is None
    assert len(read_audit(store, action="alert_rules_changed")) == 2


def test_bad_rules_are_refused_line_by_line(writable_env):
    at = _page()
    at.text_area[0].input("- kind: index_drop\n  alpha: 0.9\n- kind: segment_below\n  segment: chanel\n"
                          "  threshold: 50\n").run()
    at.button(key="alert_rules_save").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("rule 1, field alpha" in e for e in errors)
    assert any("rule 2, field segment: unknown segment 'chanel'" in e for e in errors)
    assert stored_rules(open_store(writable_env), "ecommerce_csi") is None
