"""A deep link survives the login: a new browser session opening /data sees the login, logs in
and lands on the Data page (not "Page not found", not the Overview)."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import pytest
from browser_support import PASSWORD, browser, server, shot, wait_idle  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

TIMEOUT = 120_000  # ms


@pytest.mark.parametrize("path,marker", [("data", "Import batches"), ("drivers", "Importance–performance map")])
def test_deep_link_lands_on_its_page_after_login(server, browser, shot, path, marker):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # a new session: no login yet
    page = context.new_page()
    try:
        page.goto(f"{server['base']}/{path}")
        page.get_by_text("Manager login").wait_for(timeout=TIMEOUT)
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_text(marker).count() == 0  # nothing of the page before the login
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_text(marker).first.wait_for(timeout=TIMEOUT)
        wait_idle(page)
        assert page.url.rstrip("/").endswith(f"/{path}")
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_text("Manager login").count() == 0
        shot(page, f"deep_link_{path}")
    finally:
        context.close()
