"""The canonical response frame: its columns, their kinds, and an empty frame of the right shape.

One row per respondent. Columns, in this order:

- ``respondent_id`` (str, unique), ``submitted_at`` (datetime64[ns], naive UTC), ``wave`` (str
  label such as ``"2026Q1"``; derived from ``submitted_at`` by calendar quarter when absent);
- every Likert item (constructs' then drivers'): float64 holding a value of the item's scale, the
  scale's ``dont_know`` code (e.g. 99), or NaN (not answered / not shown);
- every question that is not contact data (PII), in survey order: ``single_choice`` -> str option
  code; ``multiple_choice`` -> str of codes joined by ``";"`` (``""`` when shown but nothing
  ticked); ``yes_no`` -> float 0/1; ``rating`` / ``number`` -> float; ``text`` / ``date`` -> str.

PII/contact fields (:attr:`Survey.pii_fields`) are never part of the frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.survey import Survey

__all__ = ["META_COLUMNS", "field_kinds", "canonical_columns", "empty_frame", "quarter_labels"]

#: The three metadata columns that start every canonical frame.
META_COLUMNS = ("respondent_id", "submitted_at", "wave")

#: kind -> question types
_STRING_TYPES = {"single_choice", "multiple_choice", "text", "date"}


def field_kinds(survey: Survey) -> dict[str, str]:
    """Answer field id -> kind (``item``, or the question type), PII fields excluded, in order.

    >>> from csi.survey import load_survey
    >>> kinds = field_kinds(load_survey("surveys/ecommerce_csi.yaml"))
    >>> kinds["pq1"], kinds["channel"], kinds["complaint_type"], kinds["orders_12m"]
    ('item', 'single_choice', 'multiple_choice', 'number')
    >>> "phone" in kinds
    False
    """
    pii = set(survey.pii_fields)
    out = {item_id: "item" for item_id in survey.items}
    for q in survey.questions:
        if q.id not in pii and q.id not in out and q.id not in META_COLUMNS:
            out[q.id] = q.type
    return out


def canonical_columns(survey: Survey) -> list[str]:
    """All columns of the canonical frame for ``survey``, in order."""
    return list(META_COLUMNS) + list(field_kinds(survey))


def is_string_kind(kind: str) -> bool:
    """Whether a field kind is stored as text (codes, joined codes, free text, dates)."""
    return kind in _STRING_TYPES


def empty_frame(survey: Survey) -> pd.DataFrame:
    """A zero-row canonical frame with the right columns and dtypes."""
    cols: dict[str, pd.Series] = {
        "respondent_id": pd.Series([], dtype="str"),
        "submitted_at": pd.Series([], dtype="datetime64[ns]"),
        "wave": pd.Series([], dtype="str"),
    }
    for fid, kind in field_kinds(survey).items():
        cols[fid] = pd.Series([], dtype="str" if is_string_kind(kind) else np.float64)
    return pd.DataFrame(cols)


def quarter_labels(submitted_at: pd.Series) -> pd.Series:
    """Calendar-quarter wave labels (``"2026Q1"``) for a datetime Series; NaN where NaT.

    Vectorised through the unique quarters (cheap on millions of rows).

    >>> quarter_labels(pd.Series(pd.to_datetime(["2026-01-05", "2026-11-30", None]))).tolist()
    ['2026Q1', '2026Q4', nan]
    """
    ts = pd.to_datetime(submitted_at)
    key = ts.dt.year * 10 + ts.dt.quarter
    codes, uniques = pd.factorize(key, use_na_sentinel=True)
    labels = np.array([f"{int(k) // 10}Q{int(k) % 10}" for k in uniques] + [np.nan], dtype=object)
    return pd.Series(labels[codes], index=submitted_at.index, dtype="str")
