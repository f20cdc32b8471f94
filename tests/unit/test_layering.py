"""House rules on imports (../shared/STYLE.md): the library never imports streamlit nor its own
top-level ``csi`` package (whose lazy exports are for users), estimators never import the I/O
layer, and lower layers never import higher ones."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CSI = Path(__file__).resolve().parents[2] / "csi"

# layer -> packages it must not import
FORBIDDEN = {
    "": ("streamlit",),  # anywhere in csi/
    "survey": ("csi.io", "csi.validate", "csi.estimate", "csi.drivers", "csi.report", "csi.store", "csi.cli"),
    "estimate": ("csi.io", "csi.validate", "csi.store", "csi.drivers", "csi.report", "csi.cli"),
    "io": ("csi.estimate", "csi.drivers", "csi.report", "csi.cli"),
    "validate": ("csi.estimate", "csi.drivers", "csi.report", "csi.store", "csi.cli"),
    "drivers": ("csi.report", "csi.cli"),
    "report": ("csi.cli",),
    "text": ("csi.store", "csi.report", "csi.cli", "csi.alerts"),  # csi.io.scrub: the one scrubber
    "alerts": ("csi.report", "csi.cli"),
    # persistence below analysis and presentation
    "store": ("csi.estimate", "csi.drivers", "csi.report", "csi.cli", "csi.engines", "csi.simulate"),
    # the simulator knows surveys only (truth is its own), never the estimators it tests
    "simulate": ("csi.io", "csi.estimate", "csi.store", "csi.report", "csi.drivers", "csi.cli"),
    "auth.py": ("csi.store", "csi.estimate", "csi.report", "csi.cli"),
    # the CLI is the top of the library; the app (app_pages) sits beside it, never below
    "cli": ("app_pages", "app"),
}
#: ``import csi`` / ``from csi import ...`` inside csi/: a cycle through the lazy exports
TOP = "csi"


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return out


def _violations(layer: str) -> list[str]:
    root = CSI / layer if layer else CSI
    paths = [root] if root.suffix == ".py" else sorted(root.rglob("*.py"))
    bad = []
    for path in paths:
        for lineno, mod in _imports(path):
            for banned in FORBIDDEN[layer]:
                if mod == banned or mod.startswith(banned + "."):
                    bad.append(f"{path.relative_to(CSI.parent)}:{lineno} imports {mod}")
            if not layer and mod == TOP:
                bad.append(f"{path.relative_to(CSI.parent)}:{lineno} imports {mod}")
    return bad


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer):
    assert _violations(layer) == []


def test_the_check_can_fail(tmp_path, monkeypatch):
    # A file importing streamlit is caught (guards against a check that cannot fail).
    fake = tmp_path / "csi"
    fake.mkdir()
    (fake / "bad.py").write_text("import streamlit as st\n")
    monkeypatch.setattr(sys.modules[__name__], "CSI", fake)
    assert _violations("") == ["csi/bad.py:1 imports streamlit"]


def test_a_bare_import_of_csi_inside_the_package_is_caught(tmp_path, monkeypatch):
    fake = tmp_path / "csi" / "estimate"
    fake.mkdir(parents=True)
    (fake / "uses_front_door.py").write_text("def f():\n    import csi\n    from csi import fit\n")
    monkeypatch.setattr(sys.modules[__name__], "CSI", tmp_path / "csi")
    assert _violations("") == ["csi/estimate/uses_front_door.py:2 imports csi",
                               "csi/estimate/uses_front_door.py:3 imports csi"]


def test_every_layer_rule_names_an_existing_layer():
    assert all((CSI / layer).exists() for layer in FORBIDDEN if layer)
