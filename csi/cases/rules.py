"""Evaluate a survey's follow-up rules (:mod:`csi.survey.followup`) on a canonical frame.

Each rule kind has one evaluator ``(survey, rule, frame, flags) -> boolean Series``; a response
opens a case when any rule matches, and the case records every rule that did. Add a kind by
registering an evaluator in :data:`EVALUATORS` (and its parameters in
``csi.survey.followup.RULE_KINDS``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from csi.drivers.complaints import complained
from csi.drivers.scores import item_scores
from csi.survey import Survey
from csi.survey.followup import FollowUpRule

__all__ = ["EVALUATORS", "rule_matches", "case_reasons", "reason_label", "construct_score"]

Flags = Mapping[str, set[str]]
Evaluator = Callable[[Survey, FollowUpRule, pd.DataFrame, Flags], pd.Series]


def _complained(survey: Survey, rule: FollowUpRule, frame: pd.DataFrame, flags: Flags) -> pd.Series:
    return complained(survey, frame).eq(1.0)


def _score_below(survey: Survey, rule: FollowUpRule, frame: pd.DataFrame, flags: Flags) -> pd.Series:
    return construct_score(survey, frame, rule.construct_id).lt(float(rule.threshold))


def construct_score(survey: Survey, frame: pd.DataFrame, construct: str) -> pd.Series:
    """The respondent's equal-weight 0-100 score of ``construct`` (mean of answered items)."""
    items = [it.id for it in survey.constructs[construct].items]
    return item_scores(survey, frame, items).mean(axis=1, skipna=True)


def _item_below(survey: Survey, rule: FollowUpRule, frame: pd.DataFrame, flags: Flags) -> pd.Series:
    sc = survey.items[rule.item].scale
    x = pd.to_numeric(frame[rule.item], errors="raise").astype(float)
    x = x.where((x >= sc.min) & (x <= sc.max))  # don't-know and missing codes never match
    return x.lt(float(rule.threshold))


def _not_resolved(survey: Survey, rule: FollowUpRule, frame: pd.DataFrame, flags: Flags) -> pd.Series:
    q = next(q for q in survey.questions if q.role == "complaint_resolved")
    return pd.to_numeric(frame[q.id], errors="raise").astype(float).eq(0.0)


def _comment_flag(survey: Survey, rule: FollowUpRule, frame: pd.DataFrame, flags: Flags) -> pd.Series:
    ids = frame["respondent_id"].astype("str")
    return ids.map(lambda r: rule.flag in flags.get(r, ())).astype(bool)


EVALUATORS: dict[str, Evaluator] = {
    "complained": _complained,
    "score_below": _score_below,
    "item_below": _item_below,
    "not_resolved": _not_resolved,
    "comment_flag": _comment_flag,
}


def reason_label(rule: FollowUpRule) -> str:
    """A stable text for a matched rule, e.g. ``score_below:satisfaction<50``.

    >>> reason_label(FollowUpRule(kind="item_below", item="cl1", threshold=4))
    'item_below:cl1<4'
    """
    if rule.kind == "score_below":
        return f"score_below:{rule.construct_id}<{rule.threshold:g}"
    if rule.kind == "item_below":
        return f"item_below:{rule.item}<{rule.threshold:g}"
    if rule.kind == "comment_flag":
        return f"comment_flag:{rule.flag}"
    return rule.kind


def rule_matches(survey: Survey, frame: pd.DataFrame, flags: Flags | None = None) -> pd.DataFrame:
    """One boolean column per rule (named by :func:`reason_label`), indexed like ``frame``."""
    fu = survey.followup
    if fu is None:
        return pd.DataFrame(index=frame.index)
    flags = flags or {}
    out = {}
    for rule in fu.rules:
        out[reason_label(rule)] = EVALUATORS[rule.kind](survey, rule, frame, flags).fillna(False).astype(bool)
    return pd.DataFrame(out, index=frame.index)


def case_reasons(survey: Survey, frame: pd.DataFrame, flags: Flags | None = None) -> pd.Series:
    """Per row, the list of matched rule labels (empty list: no case).

    >>> from csi.survey import load_survey
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> f = pd.DataFrame({"respondent_id": ["a", "b"], "cc1": [1, 0], "cs1": [9, 2], "cs2": [9, 2],
    ...                   "cs3": [9, 2], "cl1": [8, 8], "cl2": [8, 8], "cl3": [8, 8],
    ...                   "complaint_resolved": [1, None]})
    >>> case_reasons(s, f).tolist()
    [['complained'], ['score_below:satisfaction<40']]
    """
    m = rule_matches(survey, frame, flags)
    cols = list(m.columns)
    return pd.Series([[c for c, v in zip(cols, row, strict=True) if v] for row in m.itertuples(index=False)],
                     index=frame.index, dtype=object)
