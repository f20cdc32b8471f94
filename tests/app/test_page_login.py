"""The login gate: pages 1-7 need the manager password; demo mode says so on every page."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import pytest
from apptest_support import (  # noqa: F401 - pytest fixtures
    app_env,  # noqa: F401 - pytest fixtures
    new_app,
    sample_db,
    texts,
    writable_env,
)

from csi.auth import hash_password

PAGES = ["app_pages/overview.py", "app_pages/drivers.py", "app_pages/complaints.py",
         "app_pages/segments.py", "app_pages/quality.py", "app_pages/data.py",
         "app_pages/editor.py", "app_pages/take_survey.py", "app_pages/followup.py", "app_pages/audit.py",
         "app_pages/users.py", "app_pages/settings.py"]


def test_password_required(app_env, monkeypatch):
    monkeypatch.setenv("CSI_ADMIN_PASSWORD", "correct horse")
    at = new_app().run()
    assert not at.exception
    assert "Manager login" in texts(at)
    assert len(at.metric) == 0  # no dashboard number before login
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert "Wrong password" in texts(at)
    assert len(at.metric) == 0
    at.text_input(key="login_password").input("correct horse")
    at.button[0].click().run()
    assert not at.exception
    assert len(at.metric) > 0
    assert "Local-demo mode" not in texts(at)


def test_pages_not_registered_before_login(app_env, monkeypatch):
    monkeypatch.setenv("CSI_ADMIN_PASSWORD", "pw")
    at = new_app().run()
    # before login no manager page script is registered: every address (kept for deep links,
    # issue 17) shows the login form
    with pytest.raises(ValueError, match="Could not find a navigation page for .*data.py"):
        at.switch_page("app_pages/data.py")
    assert "Manager login" in texts(at) and "Import batches" not in texts(at)
    at.session_state["authenticated"] = True  # the old flag no longer opens anything
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page for .*data.py"):
        at.switch_page("app_pages/data.py")
    at.text_input(key="login_password").input("pw")
    at.button[0].click().run()
    at.switch_page("app_pages/data.py").run()
    assert "Import batches" in texts(at)


def test_hash_from_env(app_env, monkeypatch):
    monkeypatch.setenv("CSI_ADMIN_PASSWORD_HASH", hash_password("s3cret", iterations=1000))
    at = new_app().run()
    at.text_input(key="login_password").input("s3cret")
    at.button[0].click().run()
    assert not at.exception
    assert len(at.metric) > 0


def test_malformed_hash_is_a_clear_error(app_env, monkeypatch):
    monkeypatch.setenv("CSI_ADMIN_PASSWORD_HASH", "md5$abc")
    at = new_app().run()
    assert not at.exception
    assert "pbkdf2_sha256$<iterations>$<salt_b64>$<hash_b64>" in texts(at)
    assert len(at.metric) == 0


@pytest.mark.parametrize("page", PAGES)
def test_demo_mode_banner_on_every_page(app_env, page):
    at = new_app().run()
    at.switch_page(page).run()
    assert not at.exception
    assert "Local-demo mode" in texts(at)
