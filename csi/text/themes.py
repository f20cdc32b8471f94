"""Comment themes linked to the numbers: counts, scores of mentioners, segments, waves.

Every function taking an ``analysis`` also takes ``matrix``, its precomputed
:func:`~csi.text.analyze.theme_matrix` (rows like ``analysis``, columns the lexicon's themes),
so the tables of one page compute it once.

Conventions: ``share`` is the share of *comments* (respondents who wrote one) that mention the
theme; scores are per-respondent 0-100 construct scores (the IndexResult's when a result is
given, else equal-weight item means on the theoretical scale; higher is better), compared
between respondents who mention a theme and **all other respondents** with a score (Welch
interval). Waves sort as text labels ("2026Q1" < "2026Q2").
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from csi.drivers.scores import construct_scores, group_labels, item_scores
from csi.errors import DataError
from csi.survey import Survey
from csi.text.analyze import analyze_comments, theme_matrix
from csi.text.lexicon import complaint_type_field, survey_lexicon
from csi.text.privacy import scrub_contacts
from csi.text.stats import mean_diff_ci, two_proportion_test, wilson_ci

__all__ = ["comment_overview", "theme_summary", "themes_by", "rising_themes", "representative_comments",
           "theme_disagreements", "keyword_counts"]


def _analysis(survey: Survey, frame: pd.DataFrame, analysis: pd.DataFrame | None) -> pd.DataFrame:
    return analysis if analysis is not None else analyze_comments(survey, frame)


def _matrix(a: pd.DataFrame, ids: list[str], matrix) -> np.ndarray:
    """``matrix`` (a precomputed :func:`~csi.text.analyze.theme_matrix` of ``a``, e.g. shared by
    the tables of one page) after a shape check, else computed."""
    if matrix is None:
        return theme_matrix(a["categories"], ids)
    if matrix.shape != (len(a), len(ids)):
        raise ValueError(f"matrix has shape {matrix.shape}; expected ({len(a)}, {len(ids)}): "
                         "theme_matrix(analysis['categories'], lexicon ids)")
    return matrix


def _score(survey: Survey, frame: pd.DataFrame, construct: str, result) -> pd.Series | None:
    if construct not in survey.constructs:
        return None
    if result is not None:
        return construct_scores(survey, frame, result)[construct]
    items = [it.id for it in survey.constructs[construct].items]
    if any(i not in frame for i in items):
        return None
    return item_scores(survey, frame, items).mean(axis=1, skipna=True)


def comment_overview(analysis: pd.DataFrame, n_respondents: int) -> dict:
    """Headline counts: ``n_comments``, ``comment_rate`` (of respondents), and the shares of
    ``negative`` / ``positive`` comments (fractions; NaN without comments).

    >>> comment_overview(pd.DataFrame({"sentiment_label": ["negative", "positive", "negative"]}), 6)
    {'n_comments': 3, 'comment_rate': 0.5, 'negative': 0.6666666666666666, 'positive': 0.3333333333333333}
    """
    n = len(analysis)
    lab = analysis["sentiment_label"] if n else pd.Series(dtype=str)
    return {"n_comments": n, "comment_rate": n / n_respondents if n_respondents else math.nan,
            "negative": float((lab == "negative").mean()) if n else math.nan,
            "positive": float((lab == "positive").mean()) if n else math.nan}


def theme_summary(survey: Survey, frame: pd.DataFrame, analysis: pd.DataFrame | None = None, *,
                  result=None, alpha: float = 0.05, matrix: np.ndarray | None = None) -> pd.DataFrame:
    """One row per theme: how often it is mentioned and how mentioners score.

    Columns: ``theme``, ``group``, ``n`` (comments mentioning it), ``share`` (of comments),
    ``mean_satisfaction`` (mentioners' mean score of the survey's headline construct, 0-100 --
    satisfaction unless the survey names another ``headline:``), ``mean_satisfaction_others``,
    ``diff`` (mentioners minus others), ``diff_ci_low``, ``diff_ci_high``, ``p_value`` (Welch),
    the same four for loyalty (``mean_loyalty``, ``mean_loyalty_others``, ``loyalty_diff``,
    ``loyalty_diff_ci_low``, ``loyalty_diff_ci_high``), and ``mean_sentiment``. Constructs the
    survey lacks give NaN.

    >>> from csi.survey import load_survey
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> f = pd.DataFrame({"respondent_id": list("abcd"), "cs1": [2, 3, 9, 8], "cs2": [2, 3, 9, 9],
    ...                   "cs3": [2, 2, 9, 8], "comment": ["太慢了，物流差", "快递很慢", "很好", None]})
    >>> t = theme_summary(s, f).set_index("theme")
    >>> int(t.loc["late", "n"]), float(t.loc["late", "share"])
    (2, 0.6666666666666666)
    """
    lex = survey_lexicon(survey)
    a = _analysis(survey, frame, analysis)
    M = _matrix(a, lex.ids, matrix)
    n_comments = len(a)
    senti = a["sentiment"].to_numpy(float) if n_comments else np.zeros(0)
    scores = {}
    roles = {"satisfaction": survey.headline_id, "loyalty": "loyalty"}  # column stem -> construct
    for c, construct in roles.items():
        sc = _score(survey, frame, construct, result)
        if sc is not None:  # values, and each comment's row in them (-1: not scored)
            scores[c] = (sc.to_numpy(float), sc.index.get_indexer(a.index))
    rows = []
    for j, th in enumerate(lex.themes):
        mention = M[:, j]
        k = int(mention.sum())
        row = {"theme": th.id, "group": th.group, "n": k, "share": k / n_comments if n_comments else math.nan}
        for c, prefix in (("satisfaction", ""), ("loyalty", "loyalty_")):
            name = "mean_satisfaction" if c == "satisfaction" else "mean_loyalty"
            if c not in scores:
                row.update({name: math.nan, f"{name}_others": math.nan, f"{prefix}diff": math.nan,
                            f"{prefix}diff_ci_low": math.nan, f"{prefix}diff_ci_high": math.nan})
                if c == "satisfaction":
                    row["p_value"] = math.nan
                continue
            vals, pos = scores[c]
            inside = np.zeros(len(vals), dtype=bool)
            inside[pos[mention & (pos >= 0)]] = True
            ok = np.isfinite(vals)
            x, y = vals[inside & ok], vals[~inside & ok]
            d, lo, hi, p = mean_diff_ci(x, y, alpha)
            row.update({name: float(x.mean()) if len(x) else math.nan,
                        f"{name}_others": float(y.mean()) if len(y) else math.nan,
                        f"{prefix}diff": d, f"{prefix}diff_ci_low": lo, f"{prefix}diff_ci_high": hi})
            if c == "satisfaction":
                row["p_value"] = p
        row["mean_sentiment"] = float(senti[mention].mean()) if k else math.nan
        rows.append(row)
    cols = ["theme", "group", "n", "share", "mean_satisfaction", "mean_satisfaction_others", "diff",
            "diff_ci_low", "diff_ci_high", "p_value", "mean_loyalty", "mean_loyalty_others",
            "loyalty_diff", "loyalty_diff_ci_low", "loyalty_diff_ci_high", "mean_sentiment"]
    return pd.DataFrame(rows, columns=cols)


def themes_by(survey: Survey, frame: pd.DataFrame, by: str, analysis: pd.DataFrame | None = None, *,
              alpha: float = 0.05, matrix: np.ndarray | None = None) -> pd.DataFrame:
    """Theme shares per group of ``by`` (``wave`` or a segment question id), long format.

    Columns: ``group_value``, ``theme``, ``n_comments`` (comments in the group), ``n``,
    ``share``, ``ci_low``, ``ci_high`` (Wilson).
    """
    lex = survey_lexicon(survey)
    a = _analysis(survey, frame, analysis)
    labels = group_labels(survey, frame, by).reindex(a.index)
    M = _matrix(a, lex.ids, matrix)
    rows = []
    for g in sorted(labels.dropna().unique()):
        m = (labels == g).fillna(False).to_numpy(bool)
        n_c = int(m.sum())
        counts = M[m].sum(axis=0)
        for j, t in enumerate(lex.ids):
            k = int(counts[j])
            lo, hi = wilson_ci(k, n_c, alpha)
            rows.append({"group_value": str(g), "theme": t, "n_comments": n_c, "n": k,
                         "share": k / n_c if n_c else math.nan, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["group_value", "theme", "n_comments", "n", "share", "ci_low", "ci_high"])


def rising_themes(survey: Survey, frame: pd.DataFrame, analysis: pd.DataFrame | None = None, *,
                  alpha: float = 0.05, min_change: float = 0.0, waves: tuple[str, str] | None = None,
                  matrix: np.ndarray | None = None) -> pd.DataFrame:
    """Themes whose share of comments rose from the previous wave to the latest.

    One row per theme: ``theme``, ``previous_wave``, ``wave``, ``n_prev``/``n_last`` (comments),
    ``share_prev``, ``share_last``, ``change`` (percentage points), ``p_value`` (one-sided
    two-proportion z-test), ``rising`` (``p_value < alpha / number of themes`` -- Bonferroni, so
    the chance of any false "rising" flag is at most ``alpha`` -- and ``change >= min_change``).
    Empty when there are fewer than two waves with comments.
    """
    lex = survey_lexicon(survey)
    cols = ["theme", "previous_wave", "wave", "n_prev", "n_last", "share_prev", "share_last", "change",
            "p_value", "rising"]
    a = _analysis(survey, frame, analysis)
    if "wave" not in a or not lex.ids:
        return pd.DataFrame(columns=cols)
    wv = a["wave"].astype("string")
    if waves is None:
        present = sorted(wv.dropna().unique())
        if len(present) < 2:
            return pd.DataFrame(columns=cols)
        waves = (present[-2], present[-1])
    prev, last = waves
    M = _matrix(a, lex.ids, matrix)
    mp, ml = (wv == prev).fillna(False).to_numpy(bool), (wv == last).fillna(False).to_numpy(bool)
    n1, n2 = int(mp.sum()), int(ml.sum())
    c1, c2 = M[mp].sum(axis=0), M[ml].sum(axis=0)
    rows = []
    for j, t in enumerate(lex.ids):
        k1, k2 = int(c1[j]), int(c2[j])
        p1, p2 = (k1 / n1 if n1 else math.nan), (k2 / n2 if n2 else math.nan)
        pv = two_proportion_test(k1, n1, k2, n2)
        change = 100 * (p2 - p1)
        rows.append({"theme": t, "previous_wave": prev, "wave": last, "n_prev": n1, "n_last": n2,
                     "share_prev": p1, "share_last": p2, "change": change, "p_value": pv,
                     "rising": bool(math.isfinite(pv) and pv < alpha / len(lex.ids) and change >= min_change)})
    return pd.DataFrame(rows, columns=cols)


def representative_comments(survey: Survey, frame: pd.DataFrame, analysis: pd.DataFrame | None = None, *,
                            per_theme: int = 3, matrix: np.ndarray | None = None) -> pd.DataFrame:
    """Up to ``per_theme`` comments per theme, scrubbed of contact data.

    Chosen to be typical (distinct texts): comments about this theme only come first, then those nearest the
    theme's median comment length, most negative first among equals. Columns: ``theme``,
    ``respondent_id``, ``comment`` (scrubbed), ``sentiment``.
    """
    lex = survey_lexicon(survey)
    a = _analysis(survey, frame, analysis)
    M = _matrix(a, lex.ids, matrix)
    others = M.sum(axis=1) - 1  # the comment's other themes
    text = a["comment"].astype(str)
    text_code = pd.factorize(text.str.strip())[0]  # equal texts (after trimming) share a code
    length = text.str.len().to_numpy(float)
    senti = a["sentiment"].to_numpy(float)
    rows = []
    for j, t in enumerate(lex.ids):
        where = np.flatnonzero(M[:, j])
        where = where[np.sort(np.unique(text_code[where], return_index=True)[1])]  # distinct texts only
        if not len(where):
            continue
        order = pd.DataFrame({"others": others[where], "dist": np.abs(length[where] - np.median(length[where])),
                              "sentiment": senti[where]}, index=a.index[where])
        pick = order.sort_values(["others", "dist", "sentiment"], kind="mergesort").index[:per_theme]
        for i in pick:
            rows.append({"theme": t, "respondent_id": a.at[i, "respondent_id"] if "respondent_id" in a else None,
                         "comment": scrub_contacts(str(a.at[i, "comment"]))[0], "sentiment": float(a.at[i, "sentiment"])})
    return pd.DataFrame(rows, columns=["theme", "respondent_id", "comment", "sentiment"])


def theme_disagreements(survey: Survey, frame: pd.DataFrame, analysis: pd.DataFrame | None = None, *,
                        limit: int | None = None, matrix: np.ndarray | None = None) -> pd.DataFrame:
    """Respondents whose answered complaint types and comment themes differ, with both.

    Only respondents who answered the complaint-type question *and* wrote a comment that
    mentions at least one theme are compared, on the themes that are complaint-type options
    (a comment about nothing in particular does not disagree). Columns: ``respondent_id``,
    ``answered`` (codes ticked), ``comment_themes``, ``only_answered``, ``only_in_comment``,
    ``comment`` (scrubbed). ``limit``: at most that many rows, in the analysis' order (only
    those are scrubbed: a page shows the first few hundred).
    """
    cols = ["respondent_id", "answered", "comment_themes", "only_answered", "only_in_comment", "comment"]
    q = complaint_type_field(survey)
    if q is None:
        raise DataError(f"survey {survey.id!r} has no complaint_type question to compare comments with.")
    if q.id not in frame:
        return pd.DataFrame(columns=cols)
    a = _analysis(survey, frame, analysis)
    codes = {str(o.code) for o in q.options}
    raw_ans = frame[q.id].reindex(a.index)
    lex_ids = survey_lexicon(survey).ids
    coded = [j for j, t in enumerate(lex_ids) if t in codes]
    # only comments with a theme that is a complaint-type option and a ticked answer can disagree
    keep = _matrix(a, lex_ids, matrix)[:, coded].any(axis=1)
    keep[keep] = raw_ans[keep].map(lambda v: isinstance(v, str) and v.strip() != "").to_numpy(bool)
    a, raw_ans = a.loc[keep], raw_ans.loc[keep]
    ans = raw_ans.tolist()
    rids = a["respondent_id"].tolist() if "respondent_id" in a else [None] * len(a)
    rows = []
    for rid, raw, cats, text in zip(rids, ans, a["categories"].tolist(), a["comment"].tolist(), strict=True):
        if not isinstance(raw, str) or not raw.strip():
            continue
        said = [c for c in cats if c in codes]
        if not said:
            continue
        answered = [c for c in raw.split(";") if c]
        if set(answered) != set(said):
            rows.append({"respondent_id": rid, "answered": answered, "comment_themes": said,
                         "only_answered": sorted(set(answered) - set(said)),
                         "only_in_comment": sorted(set(said) - set(answered)),
                         "comment": scrub_contacts(str(text))[0]})
            if limit is not None and len(rows) >= limit:
                break
    return pd.DataFrame(rows, columns=cols)


def keyword_counts(analysis: pd.DataFrame, top: int = 30) -> pd.DataFrame:
    """The ``top`` keywords by the number of comments using them: ``keyword``, ``n``, ``share``.

    >>> a = pd.DataFrame({"keywords": [["物流", "太慢"], ["物流"], []]})
    >>> keyword_counts(a).values.tolist()
    [['物流', 2, 0.6666666666666666], ['太慢', 1, 0.3333333333333333]]
    """
    counts = pd.Series([k for ks in analysis["keywords"] for k in ks], dtype=object).value_counts(sort=False)
    if not len(counts):
        return pd.DataFrame(columns=["keyword", "n", "share"])
    df = pd.DataFrame({"keyword": counts.index.astype(str), "n": counts.to_numpy().astype(int)})
    df = df.sort_values(["n", "keyword"], ascending=[False, True], kind="mergesort").head(top)
    df["share"] = df["n"] / len(analysis)
    return df.reset_index(drop=True)
