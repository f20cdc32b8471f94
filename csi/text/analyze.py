"""Per-comment analysis: language, themes (categories), sentiment and keywords.

:func:`analyze_texts` works on any texts; :func:`analyze_comments` on a survey's response frame
(one row per respondent who wrote a comment); :func:`comment_flags` is the short form other
features use (e.g. to open follow-up cases): per respondent, the flagged themes and sentiment.
Identical texts are analysed once (short reviews such as "好评" repeat a lot).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from csi.errors import DataError
from csi.survey import Survey
from csi.text.lexicon import Lexicon, comment_field, survey_lexicon
from csi.text.scan import NegationIndex, normalize
from csi.text.segment import detect_language, keywords
from csi.text.sentiment import NEGATIVE_BELOW, POSITIVE_ABOVE, sentiment_label, sentiment_score

__all__ = ["classify_text", "analyze_texts", "analyze_comments", "comment_flags", "theme_indicators",
           "theme_matrix", "ANALYSIS_COLUMNS"]

ANALYSIS_COLUMNS = ["language", "categories", "sentiment", "sentiment_label", "keywords"]


def classify_text(text: str, lexicon: Lexicon) -> list[str]:
    """Theme ids mentioned in ``text`` (lexicon order): a term not negated, or a
    ``negated`` term under negation.

    >>> from csi.survey import load_survey
    >>> lex = survey_lexicon(load_survey("surveys/ecommerce_csi.yaml"))
    >>> classify_text("物流一点也不慢", lex), classify_text("物流并不快，客服态度差", lex)
    ([], ['late', 'staff_attitude'])
    """
    norm = normalize(text)
    return _classify(norm, NegationIndex(norm), lexicon)


def _classify(norm: str, neg: NegationIndex, lexicon: Lexicon) -> list[str]:
    """Themes with a match. Contiguous matches of different themes that overlap compete:
    the leftmost, then longest, wins ("摔坏了" is damage, not the quality term "坏了")."""
    found: set[int] = set()
    spans: list[tuple[int, int, int]] = []
    for pos, negated, term in lexicon.candidates(norm):
        if term.key not in norm:
            continue
        for m in term.regex.finditer(norm):
            if neg.negated(m, term.cjk) != negated:
                continue
            if (m.lastindex or 1) > 1:
                found.add(pos)
            else:
                spans.append((m.start(), m.end(), pos))
    spans.sort(key=lambda s: (s[0], s[0] - s[1]))
    taken: list[tuple[int, int, int]] = []
    for a, b, pos in spans:
        if all(pos == t or b <= x or a >= y for x, y, t in taken):
            taken.append((a, b, pos))
            found.add(pos)
    return [lexicon.themes[i].id for i in sorted(found)]


def _one(text: str, lexicon: Lexicon) -> tuple:
    norm = normalize(text)
    neg = NegationIndex(norm)
    cats = _classify(norm, neg, lexicon)
    score = sentiment_score(norm, neg, len(cats))
    return detect_language(norm), cats, score, sentiment_label(score), keywords(norm)


def _is_text(v: object) -> bool:
    return isinstance(v, str) and v.strip() != ""


def _text_hash(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def analyze_texts(texts: Iterable[object], lexicon: Lexicon, cache=None, *, share_lists: bool = False,
                  _checked: bool = False) -> pd.DataFrame:
    """Analyse each text; one row per input (empty / missing texts get empty results).

    Returns a DataFrame with ``language`` (``zh``/``en``/``und``), ``categories`` (list of theme
    ids), ``sentiment`` (score in [-1, 1], higher is more positive), ``sentiment_label`` and
    ``keywords`` (list), indexed like ``texts`` when it is a Series. ``cache`` (e.g. a
    :class:`csi.store.comment_cache.CommentAnalysisCache`) keeps the analyses of distinct texts
    across processes, keyed by the lexicon's fingerprint. ``share_lists``: by default every row
    has its own lists; with True, rows with equal texts (or equal cached category lists) share
    one list object -- for read-only use such as the pages (no per-row copies: on 100k comments
    this saves ~200k list allocations and the garbage collector's passes over them).
    """
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    codes, uniques = pd.factorize(s if _checked else s.where(s.map(_is_text), None), use_na_sentinel=True)
    uniq = [str(u) for u in uniques]
    if cache is not None and uniq:
        cols = _cached_columns(uniq, lexicon, cache)
    else:
        rows = [_one(u, lexicon) for u in uniq]
        cols = (_objects([r[0] for r in rows]), _objects([r[1] for r in rows]),
                np.array([r[2] for r in rows], dtype=float), _objects([r[4] for r in rows]))
    return _frame(*cols, codes, s.index, share_lists=share_lists)


def _objects(values: list) -> np.ndarray:
    """A 1-d object array of ``values`` (lists stay elements, never a second dimension)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _cached_columns(uniq: list[str], lexicon: Lexicon, cache) -> tuple:
    """(language, categories, score, keywords) arrays of the distinct texts ``uniq``: read from
    ``cache`` column-wise (:meth:`~csi.store.comment_cache.CommentAnalysisCache.get_columns`);
    the texts it lacks are analysed here and written to it."""
    import hashlib

    sha = hashlib.sha256
    hashes = [sha(u.encode("utf-8")).hexdigest() for u in uniq]  # = _text_hash, inlined (100k texts)
    got = cache.get_columns(lexicon.key, hashes)
    lang, cats, score, kws = got["language"], got["categories"], got["sentiment"], got["keywords"]
    new = {}
    for i in np.flatnonzero(~got["found"]).tolist():
        full = _one(uniq[i], lexicon)
        lang[i], cats[i], score[i], kws[i] = full[0], full[1], full[2], full[4]
        new[hashes[i]] = (full[0], full[1], full[2], full[4])
    cache.put(lexicon.key, new)
    return lang, cats, score, kws


def _frame(lang: np.ndarray, cats: np.ndarray, score: np.ndarray, kws: np.ndarray, codes, index, *,
           share_lists: bool = False) -> pd.DataFrame:
    """One row per input from the distinct texts' columns (``codes`` from :func:`pandas.factorize`,
    -1 = empty text). Unless ``share_lists``, every row gets its own category and keyword lists."""
    codes = np.asarray(codes, dtype=np.int64)
    n = len(lang)
    empty = codes < 0
    take = np.where(empty, 0, codes) if n else np.zeros(len(codes), dtype=np.int64)
    if n:
        lang_r, score_r, cats_r, kws_r = lang[take], score[take], cats[take], kws[take]
    else:
        lang_r, score_r = np.empty(len(codes), dtype=object), np.zeros(len(codes))
        cats_r, kws_r = np.empty(len(codes), dtype=object), np.empty(len(codes), dtype=object)
    if empty.any():  # empty texts: the empty result
        lang_r[empty], score_r[empty] = "und", 0.0
        for i in np.flatnonzero(empty).tolist():
            cats_r[i], kws_r[i] = [], []
    if share_lists:
        cats_l, kws_l = cats_r, kws_r
    else:
        cats_l, kws_l = [list(x) for x in cats_r], [list(x) for x in kws_r]
    label = np.where(score_r < NEGATIVE_BELOW, "negative", np.where(score_r > POSITIVE_ABOVE, "positive", "neutral"))
    return pd.DataFrame({"language": lang_r, "categories": cats_l, "sentiment": score_r,
                         "sentiment_label": label.astype(object), "keywords": kws_l},
                        index=index, columns=ANALYSIS_COLUMNS)


def analyze_comments(survey: Survey, frame: pd.DataFrame, lexicon: Lexicon | None = None, *,
                     cache=None, share_lists: bool = False) -> pd.DataFrame:
    """The comments of a response frame, analysed: one row per respondent with a comment.

    Columns: ``respondent_id``, ``wave`` (when present), ``comment`` (the text as written),
    then :data:`ANALYSIS_COLUMNS`. The index is the frame's. ``cache`` and ``share_lists``: see
    :func:`analyze_texts`.
    """
    field = comment_field(survey)
    if field not in frame:
        raise DataError(f"the response data have no {field!r} column (the survey's comment question).")
    lexicon = lexicon if lexicon is not None else survey_lexicon(survey)
    has = frame[field].map(_is_text).to_numpy(bool)
    sub = frame.loc[has, [c for c in ("respondent_id", "wave", field) if c in frame]]  # not every column
    res = analyze_texts(sub[field].astype(object), lexicon, cache, share_lists=share_lists, _checked=True)  # only texts in ``sub``
    cols = {"respondent_id": sub["respondent_id"]} if "respondent_id" in sub else {}
    if "wave" in sub:
        cols["wave"] = sub["wave"]
    cols["comment"] = sub[field]
    return pd.concat([pd.DataFrame(cols, index=sub.index), res], axis=1)


def comment_flags(survey: Survey, frame: pd.DataFrame) -> pd.DataFrame:
    """Per respondent with a comment: ``respondent_id``, ``categories`` (theme ids), ``groups``
    (their complaint groups, e.g. ``logistics``), ``sentiment`` and ``sentiment_label``.

    Meant for features that act on comments (follow-up cases): a respondent whose comment
    mentions a theme or reads negative can be contacted.
    """
    lex = survey_lexicon(survey)
    a = analyze_comments(survey, frame, lex)
    group = {t.id: t.group for t in lex.themes}
    groups = [sorted({group[c] for c in cats if group.get(c)}) for cats in a["categories"]]
    return pd.DataFrame({"respondent_id": a.get("respondent_id"), "categories": a["categories"],
                         "groups": groups, "sentiment": a["sentiment"],
                         "sentiment_label": a["sentiment_label"]}, index=a.index)


def theme_indicators(categories: pd.Series, theme_ids: list[str]) -> pd.DataFrame:
    """0/1 matrix (rows like ``categories``, one column per theme) of who mentions what.

    >>> theme_indicators(pd.Series([["late"], [], ["late", "price"]]), ["late", "price"]).sum().tolist()
    [2, 1]
    """
    return pd.DataFrame(theme_matrix(categories, theme_ids), index=categories.index, columns=list(theme_ids),
                        dtype="int64")


def theme_matrix(categories: pd.Series | list, theme_ids: list[str]):
    """Boolean numpy matrix (rows like ``categories``, one column per theme id): one pass over
    the flattened category lists (ids not in ``theme_ids`` are ignored)."""
    import numpy as np

    cats = list(categories)
    lengths = np.fromiter((len(c) for c in cats), dtype=np.int64, count=len(cats))
    out = np.zeros((len(cats), len(theme_ids)), dtype=bool)
    if lengths.sum():
        col = {t: j for j, t in enumerate(theme_ids)}
        flat = np.fromiter((col.get(t, -1) for c in cats for t in c), dtype=np.int64, count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(cats)), lengths)
        keep = flat >= 0
        out[rows[keep], flat[keep]] = True
    return out
