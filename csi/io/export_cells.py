"""Whether a platform export's answer cells are option numbers or labels, decided per file.

Wenjuanxing's 按选项序号 download and SurveyMonkey's "Numerical Values (1-n)" write *every*
choice as its option number (see tests/data/platforms/PROVENANCE.md); their label downloads
write texts. One column alone cannot always tell: a 0–10 question whose respondents all chose
1–9 holds numbers that are both stored values and option numbers (2 -> stored 1 or 2?). The
other columns of the same file can: a yes/no column of 1s and 2s, a choice column of numbers, a
1–10 item with its don't-know option 11 are option numbers; a 是/否 or an option label is text.

:func:`cells_are_option_numbers` returns True (some column can only be option numbers and none
holds a label), False (some column holds labels and none option numbers) or None (nothing tells,
or the file mixes both: every column is then decided on its own, as before).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.io.mapping import normalize

__all__ = ["cells_are_option_numbers", "NUMBERED_PLATFORMS"]

#: platforms whose code download numbers every choice by its position (Qualtrics numeric
#: exports carry the author's recode values, which may equal the stored values: not forced)
NUMBERED_PLATFORMS = ("wenjuanxing", "surveymonkey")


def _uniques(s: pd.Series) -> list[str]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        vals = list(s.cat.categories)
    else:
        vals = list(pd.unique(s.dropna()))
    out = []
    for v in vals:
        if isinstance(v, float | np.floating):
            if np.isnan(v):
                continue
            t = str(int(v)) if float(v).is_integer() else repr(float(v))
        else:
            t = str(v).strip()
        if t and t.lower() != "nan":
            out.append(t)
    return out


def _number(t: str) -> float | None:
    try:
        return float(t)
    except ValueError:
        return None


def _column_evidence(values: list[str], spec, order: list[float] | None) -> tuple[bool, bool]:
    """``(only option numbers can explain it, it holds a label)`` for one mapped column."""
    missing = set(spec.missing_codes.tolist())
    if spec.kind == "single_choice":
        numbered = labelled = False
        for t in values:
            code = spec.option_map.get(normalize(t))
            if code is not None and _number(t) is None:
                labelled = True
            elif code is None and t in spec.positions:
                numbered = True
        return numbered, labelled
    if spec.allowed is None or order is None:
        return False, False
    allowed = set(spec.allowed.tolist())
    positions = set(range(1, len(order) + 1))
    numbered = labelled = False
    for t in values:
        x = _number(t)
        if x is None:
            labelled = labelled or normalize(t) in spec.labels
        elif x not in missing and x not in allowed and x in positions:
            numbered = True
    return numbered, labelled


def cells_are_option_numbers(body: pd.DataFrame, by_field: dict[str, str], kinds: dict[str, str],
                             specs: dict, orders: dict[str, list[float] | None]) -> bool | None:
    """True / False / None: see the module notes. ``orders``: presentation order per field."""
    numbered = labelled = False
    for fid, kind in kinds.items():
        src = by_field.get(fid)
        if src is None or kind not in ("item", "rating", "yes_no", "single_choice"):
            continue
        n, lab = _column_evidence(_uniques(body[src]), specs[fid], orders.get(fid))
        numbered, labelled = numbered or n, labelled or lab
        if numbered and labelled:
            return None
    if numbered:
        return True
    return False if labelled else None
