"""Fixtures for the browser tests: a real ``streamlit run app.py`` server on a free port, with a
temporary SQLite store preloaded with the sample data and a manager password, and a headless
Chromium (Debian's). Imported by name from the test modules (no conftest.py here)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
PASSWORD = "e2e-secret"
PII_KEY = "e2e-vault-secret-0123456789"  # issue 18: the server's contact-vault key


IDLE_TIMEOUT = 120_000  # ms


def wait_idle(page, timeout: int = IDLE_TIMEOUT) -> None:
    """Wait until Streamlit has finished the current run (no running indicator, nothing stale)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')", timeout=timeout)


def choose(page, label: str, option, tries: int = 4) -> None:
    """Open the select box ``label`` and click ``option`` (text or compiled pattern).

    A rerun that lands between opening the list and clicking closes the list again (seen in CI
    with the machine loaded), so the page is let go idle first and the list is reopened when the
    option does not show within a few seconds."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(tries):
        wait_idle(page)
        page.get_by_label(label).click()
        item = page.get_by_role("option", name=option)
        try:
            item.first.wait_for(timeout=8_000)
            item.first.click()
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_sample(url: str) -> None:
    from csi.io import read_responses
    from csi.store import close_store, open_store
    from csi.survey import load_survey

    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    res = read_responses(ROOT / "sample_data" / "ecommerce_responses.csv", survey)
    open_store(url).import_frame(survey, res.valid, source_name="ecommerce_responses.csv",
                                 file_hash=res.file_hash, platform=res.platform,
                                 rejected=res.rejected, issues=res.issues)
    close_store(url)


_SHARED: dict[str, list] = {}  # name -> [generator, value, number of users]


def _shared(name: str, make):
    """One instance per test session of a session fixture, even when several test modules
    import it by name (each import registers a fixture of its own, which would otherwise start a
    second server and a second playwright -- and playwright's sync API cannot nest)."""
    entry = _SHARED.get(name)
    if entry is None:
        gen = make()
        entry = _SHARED[name] = [gen, next(gen), 0]
    entry[2] += 1
    try:
        yield entry[1]
    finally:
        entry[2] -= 1
        if entry[2] == 0:
            del _SHARED[name]
            with contextlib.suppress(StopIteration):
                next(entry[0])


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium_path):
    """Base URL of a running dashboard (stopped at the end of the session)."""
    yield from _shared("server", lambda: _server(tmp_path_factory))


def _server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{tmp / 'csi.sqlite'}"
    load_sample(url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSI_ADMIN_PASSWORD")}
    env.update(CSI_DATABASE_URL=url, CSI_ADMIN_PASSWORD=PASSWORD, CSI_APP_N_BOOT="100", CSI_PII_KEY=PII_KEY,
               PYTHONWARNINGS="ignore")
    log = open(tmp / "server.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"streamlit did not start: {(tmp / 'server.log').read_text(errors='replace')[-2000:]}")
        time.sleep(0.5)
    yield {"base": base, "db": url, "log": tmp / "server.log"}
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    yield from _shared("browser", lambda: _browser(chromium_path))


def _browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def shot():
    """``shot(page, name)`` saves a full-page screenshot to test-artifacts/e2e/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
