"""Response I/O: reading CSV/Excel and survey-platform exports into the canonical response frame.

Only bytes <-> DataFrames here; no statistics. See :func:`read_responses`.

The public names are imported on first use (PEP 562), so modules that only need the canonical
columns (the store, on every dashboard start) do not load the readers and platform maps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csi._lazy import lazy_exports

_LAZY = {
    "ImportResult": "csi.io.responses",
    "read_responses": "csi.io.responses",
    "canonical_columns": "csi.io.canonical",
    "empty_frame": "csi.io.canonical",
    "field_kinds": "csi.io.canonical",
}

__all__ = ["ImportResult", "canonical_columns", "empty_frame", "field_kinds", "read_responses"]


__getattr__, __dir__ = lazy_exports('csi.io', _LAZY, globals())


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from csi.io.canonical import canonical_columns, empty_frame, field_kinds
    from csi.io.responses import ImportResult, read_responses
