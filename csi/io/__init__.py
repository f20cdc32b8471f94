"""Response I/O: reading CSV/Excel and survey-platform exports into the canonical response frame.

Only bytes <-> DataFrames here; no statistics. See :func:`read_responses`.
"""

from csi.io.canonical import canonical_columns, empty_frame, field_kinds
from csi.io.responses import ImportResult, read_responses

__all__ = ["ImportResult", "canonical_columns", "empty_frame", "field_kinds", "read_responses"]
