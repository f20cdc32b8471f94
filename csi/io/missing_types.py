"""Why an answer is missing: the companion frame ``ImportResult.missing_types``.

The canonical frame keeps NaN for a missing answer (and the scale's don't-know code as the
number it is); this frame records, for every answer field with a missing cell, which of the
four missingness types the cell is (:data:`csi.estimate.missing.policies.MISSING_TYPES`):

``dont_know``
    the scale's don't-know code or label (e.g. 99, "不知道");
``not_shown``
    the field's ``show_if`` condition is false for the respondent, or the platform wrote -3
    (Wenjuanxing: "not shown");
``skipped``
    the platform wrote -2 or "(跳过)" (skipped by jump logic);
``no_answer``
    anything else: a blank where the question was shown, another missing code (-99).

Index as the canonical frame; one column per answer field with any missing cell; values the
type strings, NaN (float) where the field was answered. Nothing here changes a value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ANSWER_KINDS", "missing_types_frame"]

ANSWER_KINDS = ("item", "rating", "yes_no", "number", "single_choice", "multiple_choice")
_SKIP_TEXT = {"(跳过)", "跳过"}


def _raw_codes(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(number or NaN, is-skip-text) per cell of a source column (only to read -2/-3 codes)."""
    if raw.dtype.kind in "fiub":
        return raw.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(raw), dtype=bool)
    txt = raw.astype("str").fillna("").str.strip()
    num = pd.to_numeric(txt.where(txt.str.fullmatch(r"-?\d+(\.0+)?"), None), errors="coerce")
    return num.to_numpy(dtype=np.float64, na_value=np.nan), txt.isin(_SKIP_TEXT).to_numpy()


def missing_types_frame(frame: pd.DataFrame, survey, kinds: dict[str, str], source: dict[str, pd.Series],
                        shown: dict[str, pd.Series]) -> pd.DataFrame:
    """The missingness type of every missing answer cell of the canonical ``frame``.

    Parameters
    ----------
    frame : DataFrame
        Canonical values (NaN = missing).
    survey : Survey
    kinds : dict
        Field id -> kind (``csi.io.canonical.field_kinds``).
    source : dict
        Field id -> the raw source column it was converted from (same index as ``frame``).
    shown : dict
        Field id -> shown mask (``csi.validate.rows.show_if_masks``).
    """
    items = survey.items
    qmap = survey.question_map
    out: dict[str, np.ndarray] = {}
    for fid, kind in kinds.items():
        if kind not in ANSWER_KINDS or fid not in frame or fid not in source:
            continue  # a field the file has no column for is not a missing answer
        v = frame[fid]
        miss = v.isna().to_numpy()
        if v.dtype.kind == "f":
            scale = items[fid].scale if kind == "item" else (
                survey.scales.get(qmap[fid].scale) if kind == "rating" and qmap[fid].scale else None)
            dk = np.zeros(len(v), dtype=bool)
            if scale is not None and scale.dont_know is not None:
                dk = v.to_numpy() == float(scale.dont_know)
        else:
            dk = np.zeros(len(v), dtype=bool)
            miss = miss | (v.astype("str").fillna("").to_numpy() == "") & (kind != "multiple_choice")
        if not (miss.any() or dk.any()):
            continue
        t = np.full(len(v), np.nan, dtype=object)
        t[miss] = "no_answer"
        raw = source.get(fid)
        if raw is not None and miss.any():
            num, skip_text = _raw_codes(raw)
            t[miss & (num == -2.0)] = "skipped"
            t[miss & skip_text] = "skipped"
            t[miss & (num == -3.0)] = "not_shown"
        if fid in shown:
            t[miss & ~shown[fid].to_numpy(dtype=bool)] = "not_shown"
        t[dk] = "dont_know"
        out[fid] = t
    return pd.DataFrame(out, index=frame.index)
