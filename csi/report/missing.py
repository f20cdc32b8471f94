"""What the missing-data policy did, for the dashboard: one sentence and a by-item table.

Both read ``IndexResult.missing`` (``{policy, n_total, n_used, by_type, by_item, em}``, see
:mod:`csi.estimate.missing.policies`); nothing is recomputed here.
"""

from __future__ import annotations

import pandas as pd

from csi.estimate.missing.policies import MISSING_TYPES
from csi.report.i18n import tr

__all__ = ["missing_statement", "missing_by_item", "dont_know_share"]

_POLICY_NAMES = {"em": "EM", "fiml": "FIML", "pairwise": "pairwise", "mean": "mean replacement",
                 "listwise": "listwise", "none": "moments"}


def dont_know_share(missing: dict) -> float:
    """Share of the model's answer cells that are "don't know" (0-1; NaN without data)."""
    cells = missing.get("n_total", 0) * len(missing.get("by_item", {}))
    return missing.get("by_type", {}).get("dont_know", 0) / cells if cells else float("nan")


def missing_statement(missing: dict, lang: str) -> str:
    """E.g. "3,000 respondents · model uses 3,000 (EM) · 0.9% of answers don't know".

    >>> m = {"policy": "em", "n_total": 3000, "n_used": 3000, "by_type": {"dont_know": 2520},
    ...      "by_item": dict.fromkeys(range(20), {}), "em": {"iterations": 6, "converged": True}}
    >>> missing_statement(m, "en")
    "3,000 respondents · model uses 3,000 (EM) · 4.2% of answers don't know"
    >>> missing_statement(m, "zh")
    '3,000 位受访者 · 模型使用 3,000 位（EM） · 4.2% 的回答为“不知道”'
    """
    policy = missing.get("policy", "")
    share = dont_know_share(missing)
    text = tr("missing_statement", lang, n_total=f"{missing.get('n_total', 0):,}",
              n_used=f"{missing.get('n_used', 0):,}", policy=_POLICY_NAMES.get(policy, policy),
              dk=f"{100 * share:.1f}" if share == share else "–")
    em = missing.get("em")
    if em and not em.get("converged", True):
        text += " · " + tr("missing_em_not_converged", lang, n=em.get("iterations"))
    return text


def missing_by_item(missing: dict, labels: dict | None = None) -> pd.DataFrame:
    """One row per item: ``item, label, dont_know, not_shown, skipped, no_answer, missing, share``
    (``share`` = missing / respondents, 0-1)."""
    n = missing.get("n_total", 0)
    rows = []
    for item, counts in missing.get("by_item", {}).items():
        row = {"item": item, "label": (labels or {}).get(item, item)}
        row.update({t: int(counts.get(t, 0)) for t in MISSING_TYPES})
        row["missing"] = sum(row[t] for t in MISSING_TYPES)
        row["share"] = row["missing"] / n if n else float("nan")
        rows.append(row)
    cols = ["item", "label", *MISSING_TYPES, "missing", "share"]
    return pd.DataFrame(rows, columns=cols)
