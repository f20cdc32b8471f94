"""Streamlit's own English strings in the Chinese dashboard (issue 20, "every widget string
translated"): a search that matches no option says 无结果, not "No results", in selectboxes and
multiselects, and the Data page's uploader says 上传 and 每个文件不超过 200 MB; the English dashboard
keeps Streamlit's text. The page list has no "View N more"
button (every page is listed), and the survey picker shows the survey's Chinese title after
the switch (it kept the English one).

Streamlit 1.67 draws the empty state as a ``<span>No results</span>`` inside react-aria's
``[role=listbox][data-empty=true]`` (Selectbox and Multiselect bundles); the test types a
search that matches nothing into the sidebar's survey selectbox and wave multiselect."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import re

import pytest
from browser_support import PASSWORD, ROOT, browser, server, shot, wait_idle  # noqa: F401 - fixtures

from csi.survey import load_survey

pytestmark = pytest.mark.browser

TIMEOUT = 60_000
SURVEY = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")

#: What a reader sees in the open dropdown: the text Streamlit wrote if it is visible, and the
#: text drawn after it (CSS generated content), if any.
EMPTY_STATE = """() => {
    const span = document.querySelector('[role="listbox"][data-empty="true"] [role="option"] > span');
    if (!span) { return null; }
    const after = getComputedStyle(span, '::after');
    return {text: span.innerText, shown: getComputedStyle(span).visibility === 'visible',
            after: after.content === 'none' || after.content === 'normal' ? null : JSON.parse(after.content),
            afterShown: after.visibility === 'visible'};
}"""


def _empty_state(page, label: str) -> dict:
    widget = page.locator('[data-testid="stSidebar"]').get_by_label(label, exact=True).first
    widget.click()
    page.keyboard.type("zzzq")
    page.locator('[role="listbox"][data-empty="true"]').first.wait_for(timeout=TIMEOUT)
    state = page.evaluate(EMPTY_STATE)
    page.keyboard.press("Escape")
    for _ in range(4):
        page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    wait_idle(page)
    return state


def test_no_results_in_chinese_and_english(server, browser, shot):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server["base"])
    page.get_by_text("Manager login").wait_for(timeout=TIMEOUT)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Customer satisfaction index (0–100)").wait_for(timeout=TIMEOUT)
    wait_idle(page)
    en = _empty_state(page, "Waves")
    assert en == {"text": "No results", "shown": True, "after": None, "afterShown": True}

    page.locator('[data-testid="stSidebar"]').get_by_text("中文").click()
    page.locator('[data-testid="stSidebar"]').get_by_text("调查期", exact=True).first.wait_for(timeout=TIMEOUT)
    wait_idle(page)
    title = SURVEY.t(SURVEY.title, "zh")
    picker = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').first
    assert picker.input_value() == title, picker.input_value()
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.locator('[data-testid="stSidebarNavViewButton"]').count() == 0
    assert "View" not in nav.inner_text() and "回访跟进" in nav.inner_text()
    for label in ("调查期", "问卷"):  # the wave multiselect, the survey selectbox
        zh = _empty_state(page, label)
        assert zh is not None, label
        assert (zh["shown"], zh["after"], zh["afterShown"]) == (False, "无结果", True), (label, zh)
    page.locator('[data-testid="stSidebar"]').get_by_label("调查期", exact=True).first.click()
    page.keyboard.type("zzzq")
    page.wait_for_timeout(500)
    assert not page.get_by_text("No results", exact=True).is_visible()
    assert page.get_by_role("option", name="No results").count() == 0  # nor read out
    shot(page, "30_no_results_chinese")
    page.keyboard.press("Escape")
    wait_idle(page)

    # the Data page's uploader: Streamlit's "Upload" and "200MB per file • ..." in Chinese
    page.locator('[data-testid="stSidebarNav"]').get_by_text("数据", exact=True).click()
    box = page.locator('.st-key-upload_file [data-testid="stFileUploaderDropzone"]')
    box.wait_for(timeout=TIMEOUT)
    wait_idle(page)
    drawn = box.evaluate("""e => [e.querySelector('button [data-testid="stMarkdownContainer"] p'),
                                  e.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span')]
        .map(el => ({text: el.textContent, shown: getComputedStyle(el).visibility === 'visible',
                     after: JSON.parse(getComputedStyle(el, '::after').content)}))""")
    mb = re.match(r"(\d+)MB per file", drawn[1]["text"]).group(1)  # Streamlit's text, from server.maxUploadSize
    assert [(d["shown"], d["after"]) for d in drawn] == [
        (False, "上传"), (False, f"每个文件不超过 {mb} MB · CSV, TSV, TXT, XLSX, XLS")], drawn
    assert "per file" not in page.inner_text("body") or not page.get_by_text("per file").is_visible()
    shot(page, "31_uploader_chinese")
    page.close()
