"""Small-n cautions on the pages (issue 20): the survey's rule on the headline, the cards, the
IPMA verdicts and the segments, and the active filters stated next to every headline number,
in both languages. Numbers are compared with csi.report.caution on the same rows."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import datetime as dt
import re

import pytest
from apptest_expected import shown_frames
from apptest_support import (  # noqa: F401 - pytest fixtures
    ROOT,
    app_env,
    new_app,
    sample_db,
    texts,
    writable_env,
)

from csi.report.caution import filter_statement, small_n_caution
from csi.report.filters import Filters, filter_frame
from csi.store import open_store
from csi.survey import load_survey

N, CAUTION = "Respondents (n)", "Caution"  # the en headings of the n and caution columns
TWO_DAYS = (dt.date(2026, 1, 1), dt.date(2026, 1, 2))  # 14 respondents in the sample
TEN_DAYS = (dt.date(2026, 1, 1), dt.date(2026, 1, 10))


def used(survey, full, dates) -> int:
    """Respondents behind the page's estimate of the filtered rows (the fit's n_obs)."""
    import warnings

    import csi

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small samples: inadmissible weights are expected here
        return int(csi.fit(survey, filter_frame(full, Filters(date_range=dates)), n_boot=0).n_obs)


@pytest.fixture(scope="module")
def frame(sample_db):
    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    return survey, open_store(f"sqlite:///{sample_db}").responses_frame(survey)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_days_headline_warns_and_states_the_filter(app_env, frame, lang):
    survey, full = frame
    n = len(filter_frame(full, Filters(date_range=TWO_DAYS)))
    assert n < 30
    at = new_app(lang=lang, date_range=TWO_DAYS).run()
    assert not at.exception
    body = texts(at)
    head_n = used(survey, full, TWO_DAYS)  # one wave in two days: the headline is its fit
    c = small_n_caution(head_n, survey)
    assert c.level == "warning"
    assert c.message(lang) in body
    statement = filter_statement(Filters(date_range=TWO_DAYS), lang, survey=survey, n=head_n)
    assert statement in body
    assert ("已筛选" if lang == "zh" else "Filtered: dates 2026-01-01 to 2026-01-02") in statement
    # every construct card carries the mark
    cards = [c.value for c in at.caption if "n < 30" in str(c.value)]
    assert len(cards) >= 5
    # the sidebar's wave filter offers no untranslated "Select all" entry in Chinese
    ms = at.multiselect(key="waves").proto
    assert (ms.HasField("select_all") and ms.select_all == 0) == (lang == "zh")


def test_full_data_headline_has_no_caution(app_env, frame):
    survey, full = frame
    at = new_app().run()
    assert not at.exception
    body = texts(at)
    ns = [int(m) for m in re.findall(r"All respondents · n = (\d+)", body)]
    assert len(ns) == 2 and all(small_n_caution(n, survey) is None for n in ns)  # headline, rate
    assert "Only n =" not in body and "respondents (fewer than" not in body


def test_ipma_verdicts_are_tentative_at_small_n(app_env, frame):
    survey, full = frame
    n = used(survey, full, TEN_DAYS)
    assert 30 <= n < 100
    at = new_app(date_range=TEN_DAYS)
    at.switch_page("app_pages/drivers.py").run()
    assert not at.exception
    body = texts(at)
    assert small_n_caution(n, survey).message("en") in body
    verdicts = [str(m.value) for m in at.markdown if "—" in str(m.value) and "**" in str(m.value)]
    assert verdicts and all(f"(tentative: n = {n})" in v for v in verdicts)


def test_segments_marked_by_the_survey_rule(app_env, frame):
    survey, full = frame
    at = new_app(lang="zh", date_range=TEN_DAYS, segments_by="region")
    at.switch_page("app_pages/segments.py").run()
    assert not at.exception
    table = shown_frames(at, "caution", "n")[0]
    sub = filter_frame(full, Filters(date_range=TEN_DAYS))
    sizes = sub["region"].value_counts()
    assert (sizes < 30).any()
    for _, row in table.iterrows():
        expected = small_n_caution(int(row["n"]), survey)
        assert row["caution"] == ("" if expected is None else f"{expected.icon} n < {expected.threshold}")
    assert any(small_n_caution(int(n), survey).message("zh") in texts(at) for n in sizes)


def test_followed_up_complainers_marked_when_few(writable_env, frame):
    """The Complaints page's loop comparison: 3 complainers called back -- their loyalty is
    shown with the survey's small-n mark, the large not-followed-up group without one."""
    from csi.cases.store import list_cases, open_cases
    from csi.cases.workflow import Actor, update_case

    survey, full = frame
    store = open_store(writable_env)
    open_cases(store, survey, full, source="import")
    complainers = list_cases(store, survey.id)
    complainers = complainers.loc[complainers["reasons"].str.contains("complained")]
    for cid in complainers["case_id"].head(3):
        update_case(store, int(cid), actor=Actor("boss", "admin"), status="contacted")
    at = new_app()
    at.switch_page("app_pages/complaints.py").run()
    assert not at.exception
    # the tables carry the plain headings of csi.report.i18n_dashboard (issue 17)
    (table,) = [d.value for d in at.dataframe
                if "Group" in d.value.columns and "followed up" in set(d.value["Group"])]
    rows = table.set_index("Group")
    assert rows.loc["followed up", N] == 3
    c = small_n_caution(3, survey)
    assert rows.loc["followed up", CAUTION] == f"{c.icon} n < {c.threshold}"
    assert small_n_caution(int(rows.loc["not followed up", N]), survey) is None
    assert rows.loc["not followed up", CAUTION] == ""
    assert c.message("en") in texts(at)
    # every group table of the page follows the same rule (complaint rate by group, handling, recovery)
    group_tables = [d.value for d in at.dataframe if {N, CAUTION} <= set(d.value.columns)]
    assert len(group_tables) >= 4
    for shown in group_tables:
        want = ["" if (k := small_n_caution(n, survey)) is None else f"{k.icon} n < {k.threshold}"
                for n in shown[N]]
        assert shown[CAUTION].tolist() == want


def test_comment_themes_marked_and_filters_stated(app_env, frame):
    """The Comments page: the filter statement with n beside its numbers, and each theme's
    row (the satisfaction and loyalty of those who mention it) marked by the survey's rule."""
    from csi.text import analyze_comments

    survey, full = frame
    sub = filter_frame(full, Filters(date_range=TEN_DAYS))
    n = len(analyze_comments(survey, sub))
    at = new_app(date_range=TEN_DAYS)
    at.switch_page("app_pages/comments.py").run()
    assert not at.exception
    body = texts(at)
    assert filter_statement(Filters(date_range=TEN_DAYS), "en", survey=survey, n=n) in body
    assert small_n_caution(n, survey).message("en") in body
    table = [d.value for d in at.dataframe if "caution" in d.value.columns and "theme" in d.value.columns][0]
    for _, row in table.iterrows():
        expected = small_n_caution(int(row["n"]), survey)
        assert row["caution"] == ("" if expected is None else f"{expected.icon} n < {expected.threshold}")
    assert (table["caution"] != "").any()
