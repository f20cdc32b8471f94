"""House rules on imports (../shared/STYLE.md): the library never imports streamlit, estimators
never import the I/O layer, and lower layers never import higher ones."""

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
}


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
    bad = []
    for path in sorted(root.rglob("*.py")):
        for lineno, mod in _imports(path):
            for banned in FORBIDDEN[layer]:
                if mod == banned or mod.startswith(banned + "."):
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
