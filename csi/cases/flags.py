"""Comment flags for the follow-up rule ``comment_flag``: what the text analysis
(:func:`csi.text.comment_flags`) says about each respondent's comment.

A respondent's flags are the comment's sentiment label (``negative``, ``neutral``,
``positive``), the themes it mentions (``late``, ``poor_quality``, ... -- the ids of the
survey's ``comments.themes``) and their complaint groups (``logistics``, ...). A rule
``{kind: comment_flag, flag: negative}`` opens a case for every negative comment; ``flag:
late`` for every comment about late delivery. The analysis runs only for surveys with such a
rule.
"""

from __future__ import annotations

import pandas as pd

from csi.survey import Survey

__all__ = ["SENTIMENT_FLAGS", "needs_comment_flags", "comment_flag_sets"]

SENTIMENT_FLAGS = ("negative", "neutral", "positive")


def needs_comment_flags(survey: Survey) -> bool:
    """True when a follow-up rule of ``survey`` acts on comment flags."""
    fu = survey.followup
    return fu is not None and any(r.kind == "comment_flag" for r in fu.rules)


def comment_flag_sets(survey: Survey, frame: pd.DataFrame) -> dict[str, set[str]]:
    """``{respondent_id: flags}`` for the respondents of ``frame`` with a comment (empty when
    no rule needs them or the survey has no comment field)."""
    if not needs_comment_flags(survey) or not len(frame):
        return {}
    from csi.text import comment_flags

    flags = comment_flags(survey, frame)
    out: dict[str, set[str]] = {}
    for rid, cats, groups, label in zip(flags["respondent_id"], flags["categories"], flags["groups"],
                                        flags["sentiment_label"], strict=True):
        got = set(cats or ()) | set(groups or ()) | ({label} if isinstance(label, str) else set())
        if got and rid is not None:
            out[str(rid)] = got
    return out
