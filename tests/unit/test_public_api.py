"""The public API: every name in csi.__all__ resolves, and `import csi` stays light."""

from __future__ import annotations

import subprocess
import sys

import csi


def test_every_public_name_resolves():
    for name in csi.__all__:
        assert getattr(csi, name) is not None, name


def test_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        csi.nope  # noqa: B018


def test_import_csi_does_not_load_the_estimators():
    code = "import sys, csi; print(any(m.startswith(('scipy', 'semopy', 'csi.estimate')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
