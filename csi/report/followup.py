"""Display tables of the Follow-up page: translated statuses and reasons, rounded scores.

Contact and reference columns arrive masked from :func:`csi.cases.store.list_cases`.
"""

from __future__ import annotations

import pandas as pd

from csi.report.i18n import tr
from csi.survey import Survey

__all__ = ["reason_text", "case_table", "TABLE_COLUMNS"]

TABLE_COLUMNS = ["case_id", "overdue", "status", "owner", "due_at", "reasons", "complaint_types", "wave",
                 "score_satisfaction", "score_loyalty", "contact"]


def reason_text(survey: Survey | None, label: str, lang: str) -> str:
    """A matched-rule label (``score_below:satisfaction<40``) in words.

    >>> reason_text(None, "score_below:satisfaction<40", "en")
    'satisfaction below 40'
    >>> reason_text(None, "complained", "zh")
    '有投诉'
    """
    kind, _, rest = label.partition(":")
    if not rest:
        return tr(f"reason_{kind}", lang)
    what, _, threshold = rest.partition("<")
    if survey is not None:
        if what in survey.constructs:
            what = survey.t(survey.constructs[what].label, lang)
        elif what in survey.items:
            it = survey.items[what].item
            what = survey.t(it.short or it.text, lang)
    return tr(f"reason_{kind}", lang, what=what, threshold=threshold)


def case_table(frame: pd.DataFrame, *, lang: str = "en", survey: Survey | None = None) -> pd.DataFrame:
    """The case list for display: :data:`TABLE_COLUMNS`, words for codes, scores to 1 decimal."""
    out = frame.reindex(columns=TABLE_COLUMNS).copy()
    if not len(out):
        return out
    out["status"] = out["status"].map(lambda s: tr(f"status_{s}", lang))
    out["reasons"] = out["reasons"].fillna("").map(
        lambda r: "; ".join(reason_text(survey, x, lang) for x in r.split(";") if x))
    out["due_at"] = out["due_at"].str.slice(0, 16).str.replace("T", " ")
    for c in ("score_satisfaction", "score_loyalty"):
        out[c] = pd.to_numeric(out[c], errors="coerce").round(1)
    return out
