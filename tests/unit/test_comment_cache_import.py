"""Issue 19: comments are analysed into the store's cache when a batch is imported, so a page
view reads the analyses instead of computing them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from csi.store import close_store
from csi.store.comment_cache import CommentAnalysisCache, warm_comment_cache
from csi.survey import load_survey
from csi.text import analyze_texts, survey_lexicon
from csi.text.analyze import _text_hash

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "ecommerce_responses.csv"


def test_csi_import_fills_the_comment_cache(flagship_path, tmp_path):
    from csi.cli.main import app

    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    try:
        r = CliRunner().invoke(app, ["import", str(flagship_path), str(SAMPLE), "--db", db])
        assert r.exit_code == 0, r.output
        survey = load_survey(flagship_path)
        texts = pd.read_csv(SAMPLE, dtype=str)["comment"].dropna()
        texts = sorted({t for t in texts if t.strip()})
        assert len(texts) >= 5
        lex = survey_lexicon(survey)
        got = CommentAnalysisCache(db).get(lex.key, [_text_hash(t) for t in texts])
        assert len(got) == len(texts)  # every distinct comment analysed on import
        want = analyze_texts(pd.Series(texts), lex)  # and as the analysis computes it
        for t, (_, cats, score, kw) in zip(texts, (got[_text_hash(t)] for t in texts), strict=True):
            row = want[want.index == texts.index(t)].iloc[0]
            assert cats == row["categories"] and score == row["sentiment"] and kw == row["keywords"]
    finally:
        close_store(db)


def test_warm_cache_skips_a_frame_without_comments(flagship, tmp_path):
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    try:
        assert warm_comment_cache(flagship, pd.DataFrame({"respondent_id": ["a"]}), db) == 0
        n = warm_comment_cache(flagship, pd.DataFrame({"respondent_id": ["a", "b", "c"],
                                                       "comment": ["物流太慢了", None, "  "]}), db)
        assert n == 1
    finally:
        close_store(db)
