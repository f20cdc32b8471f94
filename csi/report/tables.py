"""Display tables: localized labels and rounded copies of result tables (rounding lives here)."""

from __future__ import annotations

import pandas as pd

__all__ = ["construct_labels", "item_labels", "option_labels", "display_table"]


def construct_labels(survey, lang: str) -> dict[str, str]:
    """Construct id -> display label (plus driver lever ids), in ``lang``."""
    out = {cid: survey.t(c.label, lang) for cid, c in survey.constructs.items()}
    if survey.drivers is not None:
        out.update({lv.id: survey.t(lv.label, lang) for lv in survey.drivers.levers})
    return out


def item_labels(survey, lang: str) -> dict[str, str]:
    """Item id -> short label (or the question text) in ``lang``."""
    return {iid: survey.t(info.item.short or info.item.text, lang) for iid, info in survey.items.items()}


def option_labels(survey, question_id: str, lang: str) -> dict[str, str]:
    """Option code -> label of a choice question (empty for an unknown question)."""
    q = survey.question_map.get(question_id)
    if q is None:
        return {}
    return {str(o.code): survey.t(o.label, lang) for o in q.options}


def display_table(table: pd.DataFrame, digits: int = 3,
                  rename: dict[str, str] | None = None) -> pd.DataFrame:
    """A rounded copy of a result table for display; float columns to ``digits`` decimals.

    >>> display_table(pd.DataFrame({"a": ["x"], "b": [0.123456]}), 2)["b"].tolist()
    [0.12]
    """
    out = table.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(digits)
    return out.rename(columns=rename or {})
