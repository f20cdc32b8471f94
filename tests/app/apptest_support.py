"""Fixtures and helpers for the AppTest page tests.

Every test gets ``CSI_DATABASE_URL`` pointing at a store holding
``sample_data/ecommerce_responses.csv`` (imported once per session through the csi importer),
no manager password (local-demo mode) unless a test sets one, and a small bootstrap
(``CSI_APP_N_BOOT``) so a page renders in seconds. Test modules import the fixtures by name
(no conftest.py here: two sibling conftest modules clash under ``--doctest-modules``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
N_BOOT = 60
TIMEOUT = 240


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """An SQLite file with the sample data imported (copied per test that writes)."""
    from csi.io import read_responses
    from csi.store import close_store, open_store
    from csi.survey import load_survey

    path = tmp_path_factory.mktemp("store") / "sample.sqlite"
    url = f"sqlite:///{path}"
    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    res = read_responses(ROOT / "sample_data" / "ecommerce_responses.csv", survey)
    store = open_store(url)
    store.import_frame(survey, res.valid, source_name="ecommerce_responses.csv",
                       file_hash=res.file_hash, platform=res.platform, rejected=res.rejected,
                       issues=res.issues)
    close_store(url)
    return path


@pytest.fixture
def app_env(monkeypatch, sample_db):
    """Environment for a read-only page test; returns the store URL."""
    url = f"sqlite:///{sample_db}"
    monkeypatch.setenv("CSI_DATABASE_URL", url)
    monkeypatch.setenv("CSI_APP_N_BOOT", str(N_BOOT))
    monkeypatch.delenv("CSI_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("CSI_ADMIN_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("CSI_SURVEY_DIR", raising=False)
    return url


@pytest.fixture
def writable_env(monkeypatch, app_env, sample_db, tmp_path):
    """Like ``app_env`` but on a private copy of the store (for tests that write)."""
    path = tmp_path / "store.sqlite"
    shutil.copy(sample_db, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("CSI_DATABASE_URL", url)
    return url


def new_app(**state):
    """An AppTest of app.py with session state preset (before the first run)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["n_boot"] = N_BOOT
    for k, v in state.items():
        at.session_state[k] = v
    return at


def texts(at) -> str:
    """Every markdown/caption/alert/title text of the page, joined (for assertions)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)
