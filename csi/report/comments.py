"""Presentation builders of the Comments page: theme labels, figures and the comment table.

No statistics here: the numbers come from :mod:`csi.text` (themes, scores of mentioners,
trends); this module labels, filters for display and draws.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from csi.text.lexicon import survey_lexicon
from csi.text.privacy import scrub_contacts

__all__ = ["page_tables", "share_table", "theme_labels", "themes_figure", "theme_score_figure", "theme_trend_figure", "comment_table",
           "filter_comments"]


def page_tables(survey, frame: pd.DataFrame, analysis: pd.DataFrame, *, disagreements: int = 500) -> dict:
    """Every table the Comments page draws on its first paint, from :mod:`csi.text.themes`:
    ``analysis``, ``matrix`` (its theme matrix), ``summary``, ``overview``, ``keywords`` (top 20), ``rising``, ``reps``,
    ``by_wave`` (None without waves) and ``disagree`` (the first ``disagreements`` rows; None
    when the survey has no complaint-type question)."""
    from csi.errors import CsiError
    from csi.text import themes as th
    from csi.text.analyze import theme_matrix

    m = theme_matrix(analysis["categories"], survey_lexicon(survey).ids)
    out = {"analysis": analysis, "matrix": m, "summary": th.theme_summary(survey, frame, analysis, matrix=m),
           "overview": th.comment_overview(analysis, len(frame)), "keywords": th.keyword_counts(analysis, 20),
           "rising": th.rising_themes(survey, frame, analysis, matrix=m),
           "reps": th.representative_comments(survey, frame, analysis, matrix=m)}
    out["by_wave"] = th.themes_by(survey, frame, "wave", analysis, matrix=m) if "wave" in frame else None
    try:
        out["disagree"] = th.theme_disagreements(survey, frame, analysis, limit=disagreements, matrix=m)
    except CsiError:
        out["disagree"] = None
    return out


def theme_labels(survey, lang: str) -> dict[str, str]:
    """Theme id -> display label in ``lang`` (the complaint option's label when linked)."""
    return {t.id: survey.t(t.label, lang) for t in survey_lexicon(survey).themes}


def themes_figure(summary: pd.DataFrame, labels: Mapping[str, str], *, x_title: str = "") -> go.Figure:
    """Horizontal bars: share of comments (percent) mentioning each theme, most frequent on top."""
    d = summary[summary["n"] > 0].sort_values("share")
    fig = go.Figure(go.Bar(x=100 * d["share"], y=[labels.get(t, t) for t in d["theme"]], orientation="h",
                           text=d["n"], textposition="outside", marker_color="#4C78A8",
                           hovertemplate="%{y}: %{x:.1f}% (n = %{text})<extra></extra>"))
    fig.update_layout(xaxis_title=x_title, margin={"l": 10, "r": 10, "t": 10, "b": 40},
                      height=max(240, 32 * len(d) + 80))
    return fig


def theme_score_figure(summary: pd.DataFrame, labels: Mapping[str, str], *, x_title: str = "") -> go.Figure:
    """Dots with CI whiskers: mean score of mentioners minus everyone else (0-100 points)."""
    d = summary[summary["diff"].notna()].sort_values("diff", ascending=False)
    fig = go.Figure(go.Scatter(
        x=d["diff"], y=[labels.get(t, t) for t in d["theme"]], mode="markers",
        marker={"size": 10, "color": "#E45756"},
        error_x={"type": "data", "symmetric": False, "array": d["diff_ci_high"] - d["diff"],
                 "arrayminus": d["diff"] - d["diff_ci_low"]},
        hovertemplate="%{y}: %{x:.1f}<extra></extra>"))
    fig.add_vline(x=0, line_dash="dash", line_color="grey")
    fig.update_layout(xaxis_title=x_title, margin={"l": 10, "r": 10, "t": 10, "b": 40},
                      height=max(240, 32 * len(d) + 80))
    return fig


def theme_trend_figure(by_wave: pd.DataFrame, labels: Mapping[str, str], *, top: int = 5,
                       y_title: str = "", x_title: str = "") -> go.Figure:
    """Share of comments per wave (percent) of the ``top`` most mentioned themes."""
    tot = by_wave.groupby("theme")["n"].sum().sort_values(ascending=False)
    keep = [t for t in tot.index[:top] if tot[t] > 0]
    fig = go.Figure()
    for t in keep:
        d = by_wave[by_wave["theme"] == t]
        fig.add_trace(go.Scatter(x=d["group_value"], y=100 * d["share"], mode="lines+markers",
                                 name=labels.get(t, t)))
    fig.update_layout(yaxis_title=y_title, xaxis_title=x_title, margin={"l": 10, "r": 10, "t": 10, "b": 40})
    return fig


def share_table(by_group: pd.DataFrame, labels: Mapping[str, str], group_labels: Mapping[str, str],
                n_label: str = "n") -> pd.DataFrame:
    """Themes (rows) x groups (columns): percent of the group's comments mentioning the theme
    (1 decimal), a last row with each group's number of comments; from :func:`csi.text.themes.themes_by`."""
    if not len(by_group):
        return pd.DataFrame()
    wide = by_group.pivot(index="theme", columns="group_value", values="share")
    order = [t for t in labels if t in wide.index] + [t for t in wide.index if t not in labels]
    wide = (100 * wide.loc[order]).round(1)
    counts = by_group.drop_duplicates("group_value").set_index("group_value")["n_comments"]
    wide.loc[n_label] = counts.reindex(wide.columns).astype(float)
    wide.index = [labels.get(t, t) for t in wide.index]
    wide.columns = [group_labels.get(str(c), str(c)) for c in wide.columns]
    return wide.rename_axis(None, axis=1)


def filter_comments(analysis: pd.DataFrame, *, themes: list[str] | None = None, sentiment: list[str] | None = None,
                    waves: list[str] | None = None, search: str = "") -> pd.DataFrame:
    """Rows of a :func:`csi.text.analyze_comments` table matching the table's filters: any of
    ``themes``, a ``sentiment`` label, a ``wave``, and ``search`` text (case-insensitive)."""
    m = pd.Series(True, index=analysis.index)
    if themes:
        want = set(themes)
        m &= analysis["categories"].map(lambda c: bool(want & set(c)))
    if sentiment:
        m &= analysis["sentiment_label"].isin(sentiment)
    if waves and "wave" in analysis:
        m &= analysis["wave"].astype(str).isin(waves)
    if search.strip():
        m &= analysis["comment"].astype(str).str.contains(search.strip(), case=False, regex=False)
    return analysis[m.to_numpy()]


def comment_table(analysis: pd.DataFrame, labels: Mapping[str, str], sentiment_names: Mapping[str, str],
                  columns: Mapping[str, str], limit: int = 500) -> pd.DataFrame:
    """The first ``limit`` comments for display: wave, text scrubbed of contact data, theme
    labels, sentiment label and score (2 decimals), keywords; headers from ``columns``."""
    d = analysis.head(limit)
    out = pd.DataFrame({
        "wave": d["wave"].astype(str) if "wave" in d else "",
        "comment": [scrub_contacts(str(t))[0] for t in d["comment"]],
        "themes": [", ".join(labels.get(c, c) for c in cats) for cats in d["categories"]],
        "sentiment": [sentiment_names.get(s, s) for s in d["sentiment_label"]],
        "score": d["sentiment"].round(2),
        "keywords": [" ".join(k[:6]) for k in d["keywords"]],
    }, index=d.index)
    return out.rename(columns=dict(columns))
