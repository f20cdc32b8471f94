"""Persistent cache of comment analyses in the store (table ``comment_analysis``, migration 0019).

One row per (lexicon fingerprint, text hash): the analysis of one distinct comment text under
one version of a survey's theme lexicon and csi's language resources. Editing the lexicon
changes the fingerprint, so stale rows are never used. Rows hold no respondent id and no text
(only its SHA-256), so the cache carries no contact data.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import sqlalchemy as sa

from csi.store.engine import get_engine, with_retry, write_transaction
from csi.store.schema import comment_analysis

__all__ = ["CommentAnalysisCache", "warm_comment_cache"]

_CHUNK = 900


class CommentAnalysisCache:
    """``get(lexicon_key, hashes) -> {hash: (language, categories, sentiment, keywords)}``, its
    column-wise form :meth:`get_columns`, and ``put(lexicon_key, rows)`` on the store at ``url``
    (opened and migrated on first use). Lists returned may be shared between hashes with equal
    contents."""

    def __init__(self, url: str):
        from csi.store import open_store

        self.url = url
        open_store(url)  # creates / migrates the schema
        self.engine = get_engine(url)

    def get(self, lexicon_key: str, hashes: list[str]) -> dict[str, tuple]:
        got = self.get_columns(lexicon_key, hashes)
        cols = (got["language"], got["categories"], got["sentiment"], got["keywords"])
        return {h: (lang, cats, float(senti), kw) for h, ok, lang, cats, senti, kw in
                zip(hashes, got["found"], *cols, strict=True) if ok}

    def get_columns(self, lexicon_key: str, hashes: list[str]) -> dict[str, np.ndarray]:
        """The cached analyses of ``hashes`` column-wise, aligned with ``hashes``: ``found``
        (bool), ``language``, ``categories`` and ``keywords`` (object arrays; lists, one shared
        object per distinct JSON text; None where not found) and ``sentiment`` (float, NaN where
        not found). Each distinct JSON text is parsed once."""
        c = comment_analysis.c
        cols = (c.text_hash, c.language, c.categories, c.sentiment, c.keywords)
        with self.engine.connect() as conn:
            if len(hashes) > 4 * _CHUNK:  # many texts: one scan of the lexicon's rows beats many IN lists
                rows = _all_rows(conn, lexicon_key, cols)
            else:
                rows = []
                for i in range(0, len(hashes), _CHUNK):
                    rows += conn.execute(sa.select(*cols).where(c.lexicon_key == lexicon_key,
                                                                c.text_hash.in_(hashes[i:i + _CHUNK]))).fetchall()
        n = len(hashes)
        out = {"found": np.zeros(n, dtype=bool), "language": np.full(n, None, dtype=object),
               "categories": np.full(n, None, dtype=object), "sentiment": np.full(n, np.nan),
               "keywords": np.full(n, None, dtype=object)}
        if not rows or not n:
            return out
        table = np.array([tuple(r) for r in rows] if not isinstance(rows[0], tuple) else rows, dtype=object)
        lang, cats, senti, kws = table[:, 1], table[:, 2], table[:, 3], table[:, 4]
        where = {h: i for i, h in enumerate(table[:, 0].tolist())}  # the primary key: one row per hash
        pos = np.array([where.get(h, -1) for h in hashes], dtype=np.int64)
        ok = pos >= 0
        at = pos[ok]
        out["found"] = ok
        out["language"][ok] = lang[at]
        out["sentiment"][ok] = senti[at].astype(float)
        out["categories"][ok] = _parse_json(cats[at])
        out["keywords"][ok] = _parse_json(kws[at])
        return out

    def put(self, lexicon_key: str, rows: dict[str, tuple]) -> None:
        if not rows:
            return
        recs = [{"lexicon_key": lexicon_key, "text_hash": h, "language": lang,
                 "categories": json.dumps(cats, ensure_ascii=False), "sentiment": float(senti),
                 "keywords": json.dumps(kw, ensure_ascii=False)} for h, (lang, cats, senti, kw) in rows.items()]

        def run() -> None:
            with write_transaction(self.engine) as conn, conn.begin():
                c = comment_analysis.c
                have: set[str] = set()
                keys = [r["text_hash"] for r in recs]
                for i in range(0, len(keys), _CHUNK):
                    have |= {r[0] for r in conn.execute(sa.select(c.text_hash).where(
                        c.lexicon_key == lexicon_key, c.text_hash.in_(keys[i:i + _CHUNK])))}
                new = [r for r in recs if r["text_hash"] not in have]
                if new:
                    conn.execute(comment_analysis.insert(), new)

        with_retry(run)


def _parse_json(texts: np.ndarray) -> np.ndarray:
    """``json.loads`` of each element, each distinct text parsed once (equal texts share the result)."""
    codes, uniq = pd.factorize(texts)
    vals = np.empty(len(uniq), dtype=object)
    for i, t in enumerate(uniq.tolist()):
        vals[i] = json.loads(t)
    return vals[codes]


def _all_rows(conn, lexicon_key: str, cols) -> list[tuple]:
    """Every cached row of ``lexicon_key`` as plain tuples ``(hash, language, categories,
    sentiment, keywords)``: on SQLite through the DBAPI cursor (no per-row SQLAlchemy
    processing) and by a table scan (NOT INDEXED: reading the rows in storage order rather than
    one index probe per row halves the time for 100k rows); a SQLAlchemy select elsewhere."""
    if conn.dialect.name == "sqlite":
        cur = conn.connection.driver_connection.cursor()
        try:
            cur.execute("SELECT text_hash, language, categories, CAST(sentiment AS REAL), keywords "
                        "FROM comment_analysis NOT INDEXED WHERE lexicon_key = ?", (lexicon_key,))
            return cur.fetchall()
        finally:
            cur.close()
    return [(h, lang, cats, float(senti), kw) for h, lang, cats, senti, kw in
            conn.execute(sa.select(*cols).where(comment_analysis.c.lexicon_key == lexicon_key))]


def warm_comment_cache(survey, frame, url: str) -> int:
    """Analyse the comments of ``frame`` (e.g. a batch just imported) into the store's cache at
    ``url``, so the Comments page, the Overview alerts and ``csi alerts check`` read them instead
    of analysing on view. Returns the number of comments analysed; 0 when the survey has no
    comment question or no themes, or ``frame`` has no comment column."""
    from csi.errors import CsiError
    from csi.text import analyze_comments
    from csi.text.lexicon import comment_field, survey_lexicon

    try:
        if not survey_lexicon(survey).ids or comment_field(survey) not in frame:
            return 0
    except CsiError:
        return 0
    return len(analyze_comments(survey, frame, cache=CommentAnalysisCache(url)))
