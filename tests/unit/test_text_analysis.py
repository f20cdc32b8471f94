"""Comment analysis rules on hand-made cases: negation, intensity, contrast, mixed languages,
the lexicon as survey data, scores of mentioners, and contact-data scrubbing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.errors import SurveySpecError
from csi.survey.load import parse_survey
from csi.text import (
    analyze_comments,
    analyze_texts,
    classify_text,
    comment_flags,
    scrub_contacts,
    survey_lexicon,
)
from csi.text.sentiment import sentiment_label, sentiment_score
from csi.text.themes import (
    representative_comments,
    rising_themes,
    theme_disagreements,
    theme_summary,
    themes_by,
)


@pytest.fixture(scope="module")
def lex(flagship):
    return survey_lexicon(flagship)


@pytest.mark.parametrize(("text", "themes"), [
    ("物流太慢了", ["late"]),
    ("物流一点也不慢", []),  # negated complaint
    ("物流并不快", ["late"]),  # negated praise = complaint
    ("快递不是一般的慢", ["late"]),  # pseudo-negation: "not ordinary" = very
    ("快递不算慢", []),
    ("没有破损，包装很用心", []),
    ("客服不算专业但挺耐心", ["lack_expertise"]),  # the contrast word ends the negation
    ("摔坏了", ["damaged"]),  # leftmost-longest: damage, not the quality term 坏了
    ("不给补差价", ["price"]),  # refusal is not negation
    ("物流too slow，客服attitude很差", ["late", "staff_attitude"]),  # mixed zh/en
    ("Shipping was not slow at all", []),
    ("Not as described and the return shipping is on me", ["not_as_described", "return_shipping"]),
    ("Everything as described", []),
    ("ＮＯＴ ＡＳ ＤＥＳＣＲＩＢＥＤ", ["not_as_described"]),  # full-width letters
])
def test_negation_and_themes(lex, text, themes):
    assert classify_text(text, lex) == themes


def test_intensity_and_negation_move_sentiment():
    base, strong, weak = sentiment_score("满意"), sentiment_score("非常满意"), sentiment_score("有点满意")
    assert weak < base < strong
    assert sentiment_score("不是很满意") < 0 < sentiment_score("满意")
    assert sentiment_label(sentiment_score("东西不错，就是物流太慢了", n_themes=1)) == "negative"
    assert sentiment_label(sentiment_score("😡😡")) == "negative" and sentiment_label(sentiment_score("👍")) == "positive"


def test_analyze_texts_rows_and_languages(lex):
    a = analyze_texts(pd.Series(["物流太慢了", None, "  ", "Great quality", "物流太慢了"]), lex)
    assert a["language"].tolist() == ["zh", "und", "und", "en", "zh"]
    assert a["categories"].tolist() == [["late"], [], [], [], ["late"]]
    assert a.loc[0, "keywords"] == ["物流", "太慢"]
    a.loc[0, "categories"].append("x")  # identical texts do not share a list
    assert a.loc[4, "categories"] == ["late"]


def test_lexicon_is_read_from_the_survey_yaml(flagship_path):
    text = flagship_path.read_text(encoding="utf-8")
    extra = text.replace("        en: [return shipping,", "        en: [who foots the bill, return shipping,", 1)
    assert extra != text
    s = parse_survey(extra, file="edited.yaml")
    assert classify_text("who foots the bill for the return?", survey_lexicon(s)) == ["return_shipping"]


def test_lexicon_errors_are_located(flagship_path):
    text = flagship_path.read_text(encoding="utf-8").replace("  field: comment\n", "  field: phone\n", 1)
    with pytest.raises(SurveySpecError) as err:
        parse_survey(text, file="bad.yaml")
    issue = [i for i in err.value.issues if "comment field" in i.message][0]
    assert "phone" in issue.message and issue.line > 300


def _frame():
    return pd.DataFrame({
        "respondent_id": ["a", "b", "c", "d", "e", "f"],
        "wave": ["2026Q1"] * 3 + ["2026Q2"] * 3,
        "channel": ["jd", "jd", "tmall", "tmall", "jd", "tmall"],
        "cs1": [2, 3, 9, 8, 2, 7], "cs2": [2, 3, 9, 8, 2, 7], "cs3": [2, 3, 9, 8, 2, 7],
        "cl1": [1, 1, 10, 10, 1, 10], "cl2": [1, 1, 10, 10, 1, 10], "cl3": [1, 1, 10, 10, 1, 10],
        "complaint_type": ["late", "staff_attitude", None, "", None, None],
        "comment": ["物流太慢了", "快递很慢，客服电话13812345678", "很满意", None, "等了好久，物流慢", "好评"],
    })


def test_theme_summary_by_hand(flagship):
    f = _frame()
    t = theme_summary(flagship, f).set_index("theme").loc["late"]
    # late: a, b, e (5 comments) -> share 3/5; satisfaction items 2,3,2 -> 0-100: (x-1)/9*100
    assert t["n"] == 3 and t["share"] == pytest.approx(0.6)
    ment = [100 * (x - 1) / 9 for x in (2, 3, 2)]
    others = [100 * (x - 1) / 9 for x in (9, 8, 7)]
    assert t["mean_satisfaction"] == pytest.approx(sum(ment) / 3)
    assert t["mean_satisfaction_others"] == pytest.approx(sum(others) / 3)
    from scipy import stats

    ci = stats.ttest_ind(ment, others, equal_var=False).confidence_interval()
    assert (t["diff_ci_low"], t["diff_ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert t["loyalty_diff"] == pytest.approx(-100.0)


def test_theme_scores_follow_the_survey_headline(flagship_path):
    # a survey whose headline is loyalty: the mentioners' mean is of loyalty (before, it was of
    # satisfaction whatever the headline said)
    survey = parse_survey(flagship_path.read_text(encoding="utf-8") + "\nheadline: loyalty\n",
                          file=str(flagship_path))
    t = theme_summary(survey, _frame()).set_index("theme").loc["late"]
    assert t["mean_satisfaction"] == pytest.approx(0.0)  # loyalty items of a, b, e: all 1
    assert t["mean_satisfaction_others"] == pytest.approx(100.0)
    assert t["loyalty_diff"] == pytest.approx(-100.0)


def test_themes_by_wave_and_segment(flagship):
    f = _frame()
    w = themes_by(flagship, f, "wave").set_index(["group_value", "theme"])
    assert w.loc[("2026Q1", "late"), "n"] == 2 and w.loc[("2026Q1", "late"), "n_comments"] == 3
    assert w.loc[("2026Q2", "late"), "share"] == pytest.approx(0.5)
    seg = themes_by(flagship, f, "channel").set_index(["group_value", "theme"])
    assert seg.loc[("jd", "late"), "n"] == 3


def test_rising_themes_and_disagreements(flagship):
    f = _frame()
    r = rising_themes(flagship, f).set_index("theme")
    assert r.loc["late", "previous_wave"] == "2026Q1" and r.loc["late", "wave"] == "2026Q2"
    assert not r["rising"].any()  # two waves of three comments prove nothing
    d = theme_disagreements(flagship, f)
    # b ticked staff_attitude; the comment says late (and staff is not mentioned)
    row = d.set_index("respondent_id").loc["b"]
    assert row["only_answered"] == ["staff_attitude"] and row["only_in_comment"] == ["late"]
    assert "13812345678" not in row["comment"] and "[phone]" in row["comment"]
    assert "a" not in set(d["respondent_id"])  # ticked late, wrote about late


def test_representative_comments_are_scrubbed(flagship):
    reps = representative_comments(flagship, _frame())
    assert not reps["comment"].str.contains("138").any()
    assert set(reps["theme"]) >= {"late"}


def test_comment_flags_for_follow_up(flagship):
    fl = comment_flags(flagship, _frame()).set_index("respondent_id")
    assert fl.loc["b", "categories"] == ["late"] and fl.loc["b", "groups"] == ["logistics"]
    assert fl.loc["c", "sentiment_label"] == "positive"
    assert "d" not in fl.index  # no comment


def test_analyze_comments_keeps_the_frame_index(flagship):
    f = _frame().set_index(pd.Index([10, 11, 12, 13, 14, 15]))
    a = analyze_comments(flagship, f)
    assert a.index.tolist() == [10, 11, 12, 14, 15]


@pytest.mark.parametrize(("text", "expected", "kinds"), [
    ("电话 138-1234-5678 找我", "电话 [phone] 找我", {"[phone]": 1}),
    ("call +86 138 1234 5678 or mail me@shop.cn", "call [phone] or mail [email]", {"[phone]": 1, "[email]": 1}),
    ("身份证110101199003071234", "身份证[id]", {"[id]": 1}),
    ("座机 010-62345678", "座机 [phone]", {"[phone]": 1}),
    ("订单号 2026120212345 等了18天", "订单号 2026120212345 等了18天", {}),
    ("加我vx: shop_fan_88", "加我[account]", {"[account]": 1}),
])
def test_scrub_contacts(text, expected, kinds):
    out, counts = scrub_contacts(text)
    assert out == expected and counts == kinds


def test_store_cache_of_analyses(flagship, tmp_path, monkeypatch):
    from csi.store import close_store
    from csi.store.comment_cache import CommentAnalysisCache
    from csi.text import analyze as an

    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    try:
        cache = CommentAnalysisCache(url)
        plain = analyze_comments(flagship, _frame())
        first = analyze_comments(flagship, _frame(), cache=cache)
        pd.testing.assert_frame_equal(first, plain)

        def boom(*_a):
            raise AssertionError("analysed again instead of read from the cache")

        monkeypatch.setattr(an, "_one", boom)
        again = analyze_comments(flagship, _frame(), cache=CommentAnalysisCache(url))
        pd.testing.assert_frame_equal(again, plain)
        # an edited lexicon has another fingerprint: nothing stale is reused
        edited = parse_survey(flagship.source_text.replace("        en: [return shipping,",
                                                           "        en: [foots the bill, return shipping,", 1))
        assert survey_lexicon(edited).key != survey_lexicon(flagship).key
        with pytest.raises(AssertionError, match="analysed again"):
            analyze_comments(edited, _frame(), cache=cache)
    finally:
        close_store(url)


def test_cache_read_in_bulk_and_partly_cached(lex, tmp_path):
    """Over 3,600 distinct texts the cache reads the lexicon's rows in one table scan
    (column-wise); texts it lacks are analysed and added; results equal the uncached ones,
    with or without shared lists."""
    from csi.store import close_store
    from csi.store.comment_cache import _CHUNK, CommentAnalysisCache

    pool = ["物流太慢了，等了{i}天", "Box arrived crushed, order {i}", "客服态度很差{i}", "东西不错 #{i}", "  "]
    texts = pd.Series([pool[i % len(pool)].format(i=i // len(pool)) for i in range(6 * _CHUNK)] + [None, "物流太慢了，等了0天"])
    plain = analyze_texts(texts, lex)
    url = f"sqlite:///{tmp_path / 'bulk.sqlite'}"
    try:
        cache = CommentAnalysisCache(url)
        analyze_texts(texts.iloc[::2], lex, cache)  # half the texts cached first
        got = cache.get_columns(lex.key, ["0" * 64])
        assert not got["found"][0] and got["categories"][0] is None and np.isnan(got["sentiment"][0])
        for share in (False, True):
            again = analyze_texts(texts, lex, CommentAnalysisCache(url), share_lists=share)
            pd.testing.assert_frame_equal(again, plain)
        shared = again["categories"]
        assert shared.iloc[0] is shared.iloc[-1]  # same text, one list (read-only use)
        assert plain["categories"].iloc[0] is not plain["categories"].iloc[-1]
    finally:
        close_store(url)


def test_share_table_for_display(flagship):
    from csi.report.comments import share_table, theme_labels

    by = themes_by(flagship, _frame(), "channel")
    t = share_table(by, theme_labels(flagship, "en"), {"jd": "JD.com", "tmall": "Tmall"}, "Comments")
    # jd: comments a, b, e all about late -> 100%; tmall: c, f (no late) -> 0%
    assert t.loc["Late delivery", "JD.com"] == 100.0 and t.loc["Late delivery", "Tmall"] == 0.0
    assert t.loc["Comments"].tolist() == [3.0, 2.0]
