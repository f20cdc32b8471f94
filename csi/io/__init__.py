"""Response I/O: reading CSV/Excel and survey-platform exports into the canonical response frame.

Only bytes <-> DataFrames here; no statistics. See :func:`read_responses`.

The public names are imported on first use (PEP 562), so modules that only need the canonical
columns (the store, on every dashboard start) do not load the readers and platform maps.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_LAZY = {
    "ImportResult": "csi.io.responses",
    "read_responses": "csi.io.responses",
    "canonical_columns": "csi.io.canonical",
    "empty_frame": "csi.io.canonical",
    "field_kinds": "csi.io.canonical",
}

__all__ = ["ImportResult", "canonical_columns", "empty_frame", "field_kinds", "read_responses"]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'csi.io' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this hook
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from csi.io.canonical import canonical_columns, empty_frame, field_kinds
    from csi.io.responses import ImportResult, read_responses
