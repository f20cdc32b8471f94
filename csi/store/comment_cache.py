"""Persistent cache of comment analyses in the store (table ``comment_analysis``, migration 0019).

One row per (lexicon fingerprint, text hash): the analysis of one distinct comment text under
one version of a survey's theme lexicon and csi's language resources. Editing the lexicon
changes the fingerprint, so stale rows are never used. Rows hold no respondent id and no text
(only its SHA-256), so the cache carries no contact data.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from csi.store.engine import get_engine, with_retry, write_transaction
from csi.store.schema import comment_analysis

__all__ = ["CommentAnalysisCache", "warm_comment_cache"]

_CHUNK = 900


class CommentAnalysisCache:
    """``get(lexicon_key, hashes) -> {hash: (language, categories, sentiment, keywords)}`` and
    ``put(lexicon_key, rows)`` on the store at ``url`` (opened and migrated on first use).
    Lists returned by ``get`` may be shared between hashes with equal contents."""

    def __init__(self, url: str):
        from csi.store import open_store

        self.url = url
        open_store(url)  # creates / migrates the schema
        self.engine = get_engine(url)

    def get(self, lexicon_key: str, hashes: list[str]) -> dict[str, tuple]:
        c = comment_analysis.c
        cols = (c.text_hash, c.language, c.categories, c.sentiment, c.keywords)
        with self.engine.connect() as conn:
            if len(hashes) > 4 * _CHUNK:  # many texts: one scan of the lexicon's rows beats many IN lists
                wanted = set(hashes)
                rows = [r for r in conn.execute(sa.select(*cols).where(c.lexicon_key == lexicon_key)).fetchall()
                        if r[0] in wanted]
            else:
                rows = []
                for i in range(0, len(hashes), _CHUNK):
                    rows += conn.execute(sa.select(*cols).where(c.lexicon_key == lexicon_key,
                                                                c.text_hash.in_(hashes[i:i + _CHUNK]))).fetchall()
        parsed: dict[str, list] = {}  # category / keyword lists repeat a lot: parse each JSON text once

        def load(text: str) -> list:
            got = parsed.get(text)
            if got is None:
                got = parsed[text] = json.loads(text)
            return got

        return {r[0]: (r[1], load(r[2]), float(r[3]), load(r[4])) for r in rows}

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
