"""The small-n rule and the filter statement (csi.report.caution), with thresholds per survey."""

from __future__ import annotations

import datetime as dt

import pytest

from csi.errors import SurveySpecError
from csi.report.caution import caution_thresholds, filter_statement, small_n_caution
from csi.report.filters import Filters
from csi.survey import parse_survey


def test_default_boundaries():
    # below 30 a warning, below 100 a caution, 100 and more nothing (ACSI: ~250 per company)
    assert [getattr(small_n_caution(n), "level", None) for n in (0, 1, 29, 30, 99, 100, 250)] == \
        ["warning", "warning", "warning", "caution", "caution", None, None]
    assert small_n_caution(None).level == "warning" and small_n_caution(float("nan")).n == 0


def test_thresholds_from_the_survey(flagship):
    assert caution_thresholds(flagship) == (30, 100)
    strict = parse_survey(flagship.source_text.replace("  warn_below: 30\n  caution_below: 100",
                                                       "  warn_below: 50\n  caution_below: 250"))
    assert caution_thresholds(strict) == (50, 250)
    assert small_n_caution(120, strict).level == "caution" and small_n_caution(120, flagship) is None
    c = small_n_caution(40, strict)
    assert (c.level, c.threshold) == ("warning", 50)
    assert "n = 40" in c.message("en") and "少于 50" in c.message("zh")


def test_thresholds_out_of_order_are_a_spec_error(flagship):
    bad = flagship.source_text.replace("  warn_below: 30\n  caution_below: 100",
                                       "  warn_below: 200\n  caution_below: 100")
    with pytest.raises(SurveySpecError, match=r"warn_below \(200\) must not exceed caution_below"):
        parse_survey(bad)


def test_filter_statement_names_labels_and_ignores_the_full_date_range(flagship):
    bounds = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert filter_statement(Filters(date_range=bounds), "en", date_bounds=bounds, n=5) == \
        "All respondents · n = 5"
    f = Filters(waves=("2026Q2", "2026Q1"), segment=("channel", "jd"))
    assert filter_statement(f, "en", survey=flagship) == \
        "Filtered: wave 2026Q1, 2026Q2 · Where did you place this order? = JD.com"
    assert filter_statement(f, "zh", survey=flagship, n=12) == \
        "已筛选：调查期 2026Q1, 2026Q2 · 您这次是在哪个平台下单的？ = 京东 · n = 12"
