"""The dashboard in a real browser: login, overview, upload (Wenjuanxing GB18030 export and a
broken file), the public form on a phone-sized viewport, switching to Chinese, the Comments page in English and Chinese."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import re

import pytest
from browser_support import PASSWORD, ROOT, browser, server, shot, wait_idle  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

WJX = ROOT / "tests" / "data" / "platforms" / "wenjuanxing_labels_gb18030.csv"
TIMEOUT = 120_000  # ms; the first page view fits the model with a bootstrap


def login(page, base: str) -> None:
    page.goto(base)
    page.get_by_text("Manager login").wait_for(timeout=TIMEOUT)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Customer satisfaction index (0–100)").wait_for(timeout=TIMEOUT)


def stored_count(page) -> int:
    text = page.get_by_text(re.compile(r"Stored responses: \d+")).inner_text()
    return int(re.search(r"\d+", text).group())


def test_manager_flow(server, browser, shot):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server["base"])
    page.get_by_text("Manager login").wait_for(timeout=TIMEOUT)
    assert page.get_by_text("Customer satisfaction index (0–100)").count() == 0
    shot(page, "01_login")

    login(page, server["base"])
    wait_idle(page)
    metric = page.locator('[data-testid="stMetricValue"]').first
    assert re.fullmatch(r"\d{1,3}\.\d", metric.inner_text().strip())
    page.get_by_text("Path model").wait_for(timeout=TIMEOUT)
    page.locator(".js-plotly-plot .main-svg").nth(1).wait_for(timeout=TIMEOUT)  # trend + path
    page.wait_for_timeout(500)
    shot(page, "02_overview")

    page.get_by_role("link", name="Data").click()
    page.get_by_text("Import batches").wait_for(timeout=TIMEOUT)
    page.locator('input[type="file"]').set_input_files(str(WJX))
    report = page.get_by_text("Validation report: wenjuanxing_labels_gb18030.csv")
    report.wait_for(timeout=TIMEOUT)
    wait_idle(page)  # the report can be redrawn by a rerun just after it first shows (seen at load 13)
    report.wait_for(timeout=TIMEOUT)
    body = page.inner_text("body")
    assert "wenjuanxing" in body and "Rows read" in body
    shot(page, "03_upload_wenjuanxing_report")
    page.get_by_role("button", name="Import into the store").click()
    page.get_by_text(re.compile(r"Imported \d+ responses")).wait_for(timeout=TIMEOUT)
    shot(page, "04_upload_imported")

    broken = server_tmp_file(server, "broken.xlsx", b"PK\x03\x04 this is not really a workbook")
    page.locator('input[type="file"]').set_input_files(str(broken))
    page.get_by_text("This file cannot be imported").wait_for(timeout=TIMEOUT)
    wait_idle(page)
    body = page.inner_text("body")
    assert "Traceback" not in body
    shot(page, "05_upload_broken_file")

    page.get_by_role("link", name="Overview").click()
    page.locator('[data-testid="stSidebar"]').get_by_text("中文").click()
    page.get_by_text("顾客满意度指数（0–100）").wait_for(timeout=TIMEOUT)
    wait_idle(page)
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(500)
    assert page.get_by_role("link", name="总览").count() == 1
    shot(page, "06_overview_chinese")
    page.close()


def server_tmp_file(srv, name: str, data: bytes):
    from pathlib import Path

    path = Path(srv["db"].removeprefix("sqlite:///")).parent / name
    path.write_bytes(data)
    return path


def answer_form(page) -> None:
    """Answer every required question of the flagship form (one click per question)."""
    page.locator(".st-key-csi-q-channel, .st-key-csi-missing-channel").get_by_text("JD.com", exact=True).click()
    page.wait_for_timeout(150)
    page.locator(".st-key-csi-q-cc1, .st-key-csi-missing-cc1").get_by_text("No", exact=True).click()
    page.wait_for_timeout(150)
    scales = page.locator('[class*="st-key-csi-scale-"]')  # one container per scale question
    required = page.evaluate("""() => [...document.querySelectorAll('[class*="st-key-csi-scale-"]')]
        .map(el => el.innerText.split('\\n')[0].trim().endsWith('*'))""")
    for i, req in enumerate(required):
        if req:
            scales.nth(i).get_by_text("8", exact=True).click()
            page.wait_for_timeout(80)


def test_public_form_on_phone(server, browser, shot):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    desk = browser.new_page(viewport={"width": 1400, "height": 1000})
    login(desk, server["base"])
    wait_idle(desk)
    before = stored_count(desk)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True).new_page()
    phone.goto(f"{server['base']}/?survey=ecommerce_csi&lang=en")
    phone.get_by_text("Online shop customer satisfaction survey").wait_for(timeout=TIMEOUT)
    assert phone.locator('[data-testid="stSidebar"]').count() == 0 or \
        not phone.locator('[data-testid="stSidebar"]').is_visible()
    assert "Stored responses" not in phone.inner_text("body")
    shot(phone, "07_form_phone_top")
    phone.get_by_role("button", name="Submit").click()
    phone.get_by_text("Please answer the required questions").wait_for(timeout=TIMEOUT)
    answer_form(phone)
    wait_idle(phone)
    shot(phone, "08_form_phone_answered")
    thanks = phone.get_by_text("Thank you! Your answers have been recorded.")
    phone.get_by_role("button", name="Submit").click()
    try:
        thanks.wait_for(timeout=TIMEOUT)
    except PlaywrightTimeout:
        # still the form once the page is idle: a click answered while a rerun was drawing the
        # page did not take (seen once in CI with the machine loaded); answer again, submit again
        wait_idle(phone, timeout=2 * TIMEOUT)
        if not thanks.count() and phone.get_by_role("button", name="Submit").count():
            answer_form(phone)
            wait_idle(phone)
            phone.get_by_role("button", name="Submit").click()
        thanks.wait_for(timeout=2 * TIMEOUT)
    shot(phone, "09_form_phone_thanks")

    login(desk, server["base"])  # a new browser session: log in again
    desk.get_by_text(re.compile(r"Stored responses: \d+")).wait_for(timeout=TIMEOUT)
    assert stored_count(desk) == before + 1
    shot(desk, "10_count_after_submission")


# -- the Comments page (issue 19) ---------------------------------------------------------
def test_comments_page_in_chinese_and_english(server, browser, shot):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    login(page, server["base"])
    wait_idle(page)
    page.get_by_role("link", name="Comments").click()
    page.get_by_text("What customers talk about").wait_for(timeout=TIMEOUT)
    wait_idle(page)
    page.locator(".js-plotly-plot .main-svg").nth(1).wait_for(timeout=TIMEOUT)  # themes + theme x score
    page.wait_for_timeout(500)
    body = page.inner_text("body")
    assert "Late delivery" in body and "Customer satisfaction of those who mention it" in body
    assert "Traceback" not in body
    shot(page, "07_comments_english")

    page.locator('[data-testid="stSidebar"]').get_by_text("中文").click()
    page.get_by_text("顾客在说什么").wait_for(timeout=TIMEOUT)
    wait_idle(page)
    page.locator(".js-plotly-plot .main-svg").nth(1).wait_for(timeout=TIMEOUT)
    page.get_by_label("搜索文字").fill("太慢")
    page.keyboard.press("Enter")
    wait_idle(page)
    page.wait_for_timeout(500)
    body = page.inner_text("body")
    assert "配送延误" in body and "提及者的顾客满意度" in body and "Traceback" not in body
    assert page.get_by_role("link", name="评论分析").count() == 1
    shot(page, "08_comments_chinese")
    page.close()
