"""Comments page and the Overview's NPS: the numbers come from csi.text and csi.drivers.nps."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import numpy as np
from apptest_expected import frame_and_fit, shown_frames, survey
from apptest_support import app_env, new_app, sample_db, texts  # noqa: F401 - pytest fixtures

from csi.drivers.nps import nps
from csi.text import analyze_comments
from csi.text.themes import theme_summary


def test_comments_page_matches_csi(app_env, sample_db):
    frame, _ = frame_and_fit(str(sample_db))
    s = survey()
    a = analyze_comments(s, frame)
    want = theme_summary(s, frame, a)
    at = new_app(lang="zh").run()
    at.switch_page("app_pages/comments.py").run()
    assert not at.exception
    assert at.metric[0].value == str(len(a))
    table = shown_frames(at, "theme", "n", "share", "diff_ci_low")[0]
    np.testing.assert_array_equal(table["n"].to_numpy(), want["n"].to_numpy())
    assert "配送延误" in set(table["theme"])  # theme labels in Chinese
    comments = shown_frames(at, "评论", "情感")[0]
    assert len(comments) == min(len(a), 500)
    at.multiselect(key="comments_theme").set_value(["late"]).run()
    assert not at.exception
    late = shown_frames(at, "评论", "情感")[0]
    assert len(late) == int(want.set_index("theme").loc["late", "n"])
    at.text_input(key="comments_search").set_value("太慢").run()
    assert not at.exception and len(shown_frames(at, "评论")[0]) <= len(late)


def test_comments_page_in_english(app_env):
    at = new_app(lang="en").run()
    at.switch_page("app_pages/comments.py").run()
    assert not at.exception
    assert "What customers talk about" in texts(at)
    assert "Late delivery" in set(shown_frames(at, "theme", "n")[0]["theme"])
    at.selectbox(key="comments_segment").set_value("category").run()
    assert not at.exception
    seg = [d.value for d in at.dataframe if "Apparel" in d.value.columns][0]
    assert "Late delivery" in seg.index and seg.loc["Comments"].sum() > 0


def test_overview_shows_nps(app_env, sample_db):
    frame, _ = frame_and_fit(str(sample_db))
    r = nps(survey(), frame).iloc[0]
    at = new_app(lang="en").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Net Promoter Score (NPS)"] == f"{r['nps']:.1f}"
