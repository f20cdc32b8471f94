"""``python -m app_pages.serve``: the dashboard's launcher (``make run``) warms up, then hands
every argument to ``streamlit run app.py``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def launched(monkeypatch):
    """Calls of the launcher's steps, in order, with streamlit's command line replaced."""
    import streamlit.web.cli

    from app_pages import serve

    calls: list = []
    monkeypatch.setattr(serve, "warm_up", lambda: calls.append("warm_up") or
                        {"imports": 0.0, "kernels": 0.0, "figures": 0.0})
    monkeypatch.setattr(streamlit.web.cli, "main", lambda: calls.append(list(sys.argv)) or 0)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    return serve, calls


def test_launcher_warms_up_then_runs_the_app_with_the_arguments(launched, monkeypatch, capsys):
    serve, calls = launched
    monkeypatch.delenv("CSI_WARM_UP", raising=False)
    assert serve.main(["--server.port", "8599", "--server.address", "localhost"]) == 0
    assert calls == ["warm_up", ["streamlit", "run", str(ROOT / "app.py"), "--server.port", "8599",
                                 "--server.address", "localhost"]]
    assert "kernels ready" in capsys.readouterr().out


def test_launcher_without_warm_up(launched, monkeypatch):
    serve, calls = launched
    monkeypatch.setenv("CSI_WARM_UP", "0")
    serve.main([])
    assert calls == [["streamlit", "run", str(ROOT / "app.py")]]


def test_warm_up_loads_the_overview_modules():
    """In a fresh interpreter: after ``warm_up`` every module of ``WARM_MODULES`` is loaded."""
    code = ("import json, sys; from app_pages.serve import WARM_MODULES, warm_up; took = warm_up(); "
            "print(json.dumps({'took': sorted(took), 'missing': [m for m in WARM_MODULES if m not in sys.modules]}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"took": ["figures", "imports", "kernels"], "missing": []}
