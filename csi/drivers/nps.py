"""Net Promoter Score from a 0-10 "how likely are you to recommend" question.

Only a question with ``role: recommendation`` on a 0-10 scale (steps of 1) is used; the survey
check rejects any other, and NPS is never computed from a 1-10 or 1-5 item (the loyalty item
``cl3`` is not an NPS question). Answers 9-10 are promoters, 7-8 passives, 0-6 detractors;
missing codes and don't-know are missing.

Notes
-----
``NPS = 100 * (promoters - detractors) / n``, from -100 to 100 (higher is better). The CI is the
adjusted Wald interval of Rocks (2016): add 3/4 promoter and 3/4 detractor, ``n' = n + 3``,
``p' = (P + .75) / n'``, ``d' = (D + .75) / n'``, ``se = sqrt((p' + d' - (p' - d')**2) / n')``,
``CI = 100 * ((p' - d') -/+ z * se)``, clipped to [-100, 100]; it keeps its coverage near 0.95
for small n and extreme shares, where the plain Wald interval does not.

References: Reichheld (2003), "The one number you need to grow", HBR; Rocks (2016), "Interval
estimation for the 'net promoter score'", The American Statistician 70(4).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from csi.errors import DataError
from csi.survey import Survey

__all__ = ["nps_question", "nps_categories", "nps", "nps_by", "nps_loyalty", "nps_loyalty_correlation"]

_COLS = ["n", "promoters", "passives", "detractors", "nps", "ci_low", "ci_high"]


def nps_question(survey: Survey) -> str | None:
    """Id of the survey's 0-10 recommendation question, or ``None`` when it has none."""
    for q in survey.questions:
        if q.role == "recommendation" and q.scale in survey.scales:
            sc = survey.scales[q.scale]
            if (sc.min, sc.max, sc.step) == (0, 10, 1):
                return q.id
    return None


def _answers(survey: Survey, frame: pd.DataFrame) -> pd.Series:
    qid = nps_question(survey)
    if qid is None:
        raise DataError(f"survey {survey.id!r} has no 0-10 recommendation question (a rating with "
                        "`role: recommendation` on a 0-10 scale), so it has no NPS.")
    if qid not in frame:
        raise DataError(f"the response data have no {qid!r} column (the NPS question).")
    x = pd.to_numeric(frame[qid], errors="raise").astype(float)
    sc = survey.scales[survey.question_map[qid].scale]
    codes = set(sc.missing_codes) | ({sc.dont_know} if sc.dont_know is not None else set())
    x = x.where(~x.isin(codes))
    bad = x.notna() & ~x.isin(range(11))
    if bad.any():
        i = bad.idxmax()
        raise DataError(f"column {qid!r}, row {i}: {str(frame.at[i, qid])!r} is not an answer of the 0-10 "
                        "NPS scale (expected a whole number 0-10 or a missing code).")
    return x


def nps_categories(survey: Survey, frame: pd.DataFrame) -> pd.Series:
    """Per respondent: ``promoter`` (9-10), ``passive`` (7-8), ``detractor`` (0-6) or NA."""
    x = _answers(survey, frame)
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    out[x >= 9] = "promoter"
    out[(x >= 7) & (x <= 8)] = "passive"
    out[x <= 6] = "detractor"
    return out


def _nps_row(cat: pd.Series, alpha: float) -> dict:
    c = cat.dropna()
    n = len(c)
    if n == 0:
        return dict.fromkeys(_COLS, math.nan) | {"n": 0}
    p, d = int((c == "promoter").sum()), int((c == "detractor").sum())
    z = float(stats.norm.ppf(1 - alpha / 2))
    n2 = n + 3
    pa, da = (p + 0.75) / n2, (d + 0.75) / n2
    se = math.sqrt((pa + da - (pa - da) ** 2) / n2)
    return {"n": n, "promoters": p / n, "passives": (n - p - d) / n, "detractors": d / n,
            "nps": 100 * (p - d) / n, "ci_low": max(-100.0, 100 * (pa - da - z * se)),
            "ci_high": min(100.0, 100 * (pa - da + z * se))}


def nps(survey: Survey, frame: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """The NPS of all respondents who answered: one row with ``n``, the shares of
    ``promoters``/``passives``/``detractors`` (0-1), ``nps`` (-100..100) and its CI.

    >>> from csi.survey import load_survey
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> r = nps(s, pd.DataFrame({"nps": [10, 9, 8, 7, 6, 0, 10, -99]})).iloc[0]
    >>> int(r["n"]), float(r["nps"])   # 3 promoters, 2 detractors of 7 -> 100 * 1/7
    (7, 14.285714285714286)
    """
    return pd.DataFrame([_nps_row(nps_categories(survey, frame), alpha)], columns=_COLS)


def nps_by(survey: Survey, frame: pd.DataFrame, by: str, *, alpha: float = 0.05) -> pd.DataFrame:
    """NPS per group of ``by`` (``wave`` or a segment question id): ``group_value`` + the
    :func:`nps` columns."""
    from csi.drivers.scores import group_labels

    cat = nps_categories(survey, frame)
    g = group_labels(survey, frame, by)
    rows = [{"group_value": str(v), **_nps_row(cat[g == v], alpha)} for v in sorted(g.dropna().unique())]
    return pd.DataFrame(rows, columns=["group_value", *_COLS])


def _loyalty(survey: Survey, frame: pd.DataFrame, result) -> pd.Series:
    from csi.drivers.scores import construct_scores, item_scores

    if "loyalty" not in survey.constructs:
        raise DataError(f"survey {survey.id!r} has no loyalty construct to relate the NPS to.")
    if result is not None:
        return construct_scores(survey, frame, result)["loyalty"]
    return item_scores(survey, frame, [it.id for it in survey.constructs["loyalty"].items]).mean(axis=1)


def nps_loyalty(survey: Survey, frame: pd.DataFrame, result=None, *, alpha: float = 0.05) -> pd.DataFrame:
    """Mean loyalty index (0-100) of promoters, passives and detractors, with t intervals.

    Columns: ``category``, ``n``, ``mean_loyalty``, ``ci_low``, ``ci_high``.
    """
    cat = nps_categories(survey, frame)
    loy = _loyalty(survey, frame, result)
    rows = []
    for c in ("promoter", "passive", "detractor"):
        x = loy[(cat == c).fillna(False).to_numpy()].dropna().to_numpy()
        n = len(x)
        m = float(x.mean()) if n else math.nan
        half = float(stats.t.ppf(1 - alpha / 2, n - 1) * x.std(ddof=1) / math.sqrt(n)) if n >= 2 else math.nan
        rows.append({"category": c, "n": n, "mean_loyalty": m, "ci_low": m - half, "ci_high": m + half})
    return pd.DataFrame(rows, columns=["category", "n", "mean_loyalty", "ci_low", "ci_high"])


def nps_loyalty_correlation(survey: Survey, frame: pd.DataFrame, result=None, *, alpha: float = 0.05) -> dict:
    """Spearman correlation of the 0-10 answer with the loyalty index, with a Fisher-z CI
    (standard error ``1.06 / sqrt(n - 3)``, Fieller et al. 1957): ``{"rho", "ci_low",
    "ci_high", "n"}``."""
    x = _answers(survey, frame)
    y = _loyalty(survey, frame, result)
    ok = x.notna() & y.notna()
    n = int(ok.sum())
    if n < 4:
        return {"rho": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": n}
    rho = float(stats.spearmanr(x[ok], y[ok]).statistic)
    z = float(stats.norm.ppf(1 - alpha / 2))
    zr = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    se = 1.06 / math.sqrt(n - 3)
    return {"rho": rho, "ci_low": float(np.tanh(zr - z * se)), "ci_high": float(np.tanh(zr + z * se)), "n": n}
