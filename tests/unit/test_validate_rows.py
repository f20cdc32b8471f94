"""Row checks: duplicates, show_if violations, required answers (pure functions on frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.validate.rows import duplicate_ids, required_missing, show_if_masks, show_if_violations


def test_duplicate_ids_name_the_first_row():
    f = pd.DataFrame({"respondent_id": ["a", "b", "a", "b", None]}, index=[3, 4, 5, 6, 7])
    out = duplicate_ids(f)
    assert out["row"].tolist() == [5, 6]
    assert out["reason"].tolist() == ["duplicate respondent id (first seen in row 3)",
                                      "duplicate respondent id (first seen in row 4)"]


def test_show_if_literal_evaluation(flagship):
    f = pd.DataFrame({"cc1": [1.0, 0.0, np.nan], "complaint_type": ["late", "late", "late"],
                      "complaint_handling": [5.0, np.nan, 4.0], "complaint_resolved": [np.nan] * 3})
    shown = show_if_masks(f, flagship)
    assert shown["complaint_type"].tolist() == [True, False, False]
    out = show_if_violations(f, flagship, shown)
    # row 1 (cc1 = 0) answered complaint_type: violation; row 2 has no cc1 answer: lenient
    assert out[["row", "column"]].values.tolist() == [[1, "complaint_type"]]


def test_required_questions_only(flagship):
    f = pd.DataFrame({"channel": ["jd", None, ""], "pq1": [np.nan, 5.0, 5.0]})
    out = required_missing(f, flagship)
    assert out[["row", "column"]].values.tolist() == [[1, "channel"], [2, "channel"]]
