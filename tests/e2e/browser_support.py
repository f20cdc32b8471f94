"""Fixtures for the browser tests: a real ``streamlit run app.py`` server on a free port, with a
temporary SQLite store preloaded with the sample data and a manager password, and a headless
Chromium (Debian's). Imported by name from the test modules (no conftest.py here)."""

from __future__ import annotations

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


#: One server and one browser per test process, shared by every module that imports the
#: fixtures (each importing module registers its own copy of a session fixture; without this
#: each would start a server, and a second sync playwright in one process fails).
_SHARED: dict[str, list] = {}


def _shared(name: str, start):
    """A context manager yielding the process-wide ``name`` (started once by ``start``, a
    generator function; finished when the last user leaves)."""
    import contextlib

    @contextlib.contextmanager
    def use():
        entry = _SHARED.get(name)
        if entry is None:
            gen = start()
            entry = _SHARED[name] = [next(gen), gen, 0]
        entry[2] += 1
        try:
            yield entry[0]
        finally:
            entry[2] -= 1
            if entry[2] == 0:
                del _SHARED[name]
                with contextlib.suppress(StopIteration):
                    next(entry[1])

    return use()


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium_path):
    """Base URL of a running dashboard (stopped at the end of the session)."""
    with _shared("server", lambda: _server(tmp_path_factory)) as srv:
        yield srv


def _server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{tmp / 'csi.sqlite'}"
    load_sample(url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSI_ADMIN_PASSWORD")}
    env.update(CSI_DATABASE_URL=url, CSI_ADMIN_PASSWORD=PASSWORD, CSI_APP_N_BOOT="100",
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
    yield {"base": base, "db": url}
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    with _shared("browser", lambda: _browser(chromium_path)) as b:
        yield b


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
