"""Issue 13 point 7: timestamps decided per column (day-first vs month-first), never per cell.

Formats are the platforms' documented ones (tests/data/platforms/PROVENANCE.md): Google Forms
writes the spreadsheet locale's date (en-US ``3/4/2026 14:05:00``, en-GB ``04/03/2026 14:05:00``,
de-DE ``04.03.2026 14:05:00``, zh-CN ``2026/3/4 14:05:00``), SurveyMonkey ``MM/DD/YYYY hh:mm:ss AM``.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from csi.errors import ResponseImportError
from csi.io import read_responses
from csi.io.dates import parse_timestamps


def _ts(values, **kw):
    out, why = parse_timestamps(pd.Series(values), **kw)
    return [None if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M:%S") for t in out], (
        None if why is None else [None if pd.isna(w) else w for w in why])


def test_one_day_above_twelve_makes_the_whole_column_day_first():
    # pandas' per-cell guess (format="mixed") reads the first as 3 December and the second as
    # 13 March; the column is en-GB, so both are March
    mixed = pd.to_datetime(pd.Series(["12/03/2026 14:05:00", "13/03/2026 09:00:00"]), format="mixed")
    assert [t.month for t in mixed] == [12, 3]
    assert _ts(["12/03/2026 14:05:00", "13/03/2026 09:00:00", ""]) == (
        ["2026-03-12 14:05:00", "2026-03-13 09:00:00", None], None)


def test_one_second_number_above_twelve_makes_the_column_month_first():
    assert _ts(["3/4/2026 2:05:00 PM", "3/28/2026 12:01:00 AM", "12/1/2026 12:30:00 PM"]) == (
        ["2026-03-04 14:05:00", "2026-03-28 00:01:00", "2026-12-01 12:30:00"], None)


def test_dots_are_day_first_and_year_first_needs_no_decision():
    assert _ts(["04.03.2026 14:05:00"]) == (["2026-03-04 14:05:00"], None)
    assert _ts(["2026/3/4 14:05:00", "2026/3/4 下午2:05:00", "2026-03-04T06:05:00Z"]) == (
        ["2026-03-04 14:05:00", "2026-03-04 14:05:00", "2026-03-04 06:05:00"], None)


def test_undecidable_column_uses_the_platform_order_or_reports_every_ambiguous_cell():
    assert _ts(["03/04/2026 14:05:00"], hint="mdy")[0] == ["2026-03-04 14:05:00"]
    assert _ts(["03/04/2026 14:05:00"], hint="dmy")[0] == ["2026-04-03 14:05:00"]
    out, why = _ts(["03/04/2026 14:05:00", "05/05/2026 10:00:00"])
    assert out == [None, "2026-05-05 10:00:00"]  # 5 May either way
    assert why[0].startswith("ambiguous date: nothing in this column tells day-first from month-first")
    assert why[1] is None


def test_values_against_the_column_order_are_row_issues():
    out, why = _ts(["13/03/2026", "14/03/2026", "03/28/2026", "30/02/2026", "soon"])
    assert out == ["2026-03-13 00:00:00", "2026-03-14 00:00:00", None, None, None]
    assert why[2] == why[3] == "not a date in this column's order (day-first, e.g. 28/02/2026 14:05:00)"
    assert why[4] == "not a date/time; expected e.g. 2026-03-01 14:05:00"


def _google_forms(data_dir, fmt, keep=None) -> tuple[bytes, list[str]]:
    """The hand Google Forms fixture (en-US timestamps) with its Timestamp column rewritten."""
    rows = list(csv.reader(io.StringIO((data_dir / "platforms" / "google_forms_export.csv").read_text(encoding="utf-8"))))
    body = [r for r in rows[1:] if keep is None or keep(pd.Timestamp(r[0]))]
    stamps = [pd.Timestamp(r[0]) for r in body]
    for r, t in zip(body, stamps, strict=True):
        r[0] = fmt(t)
    buf = io.StringIO()
    csv.writer(buf).writerows([rows[0], *body])
    return buf.getvalue().encode("utf-8"), [t.strftime("%Y-%m-%d %H:%M:%S") for t in stamps]


#: Google Sheets' default date-time patterns of the locales (the CSV is the responses sheet)
LOCALES = {
    "en_US": lambda t: f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}",
    "en_GB": lambda t: t.strftime("%d/%m/%Y %H:%M:%S"),
    "de": lambda t: t.strftime("%d.%m.%Y %H:%M:%S"),
    "zh": lambda t: f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}",
}


@pytest.mark.parametrize("locale", list(LOCALES))
def test_google_forms_timestamps_in_each_locale(flagship, data_dir, locale):
    data, expected = _google_forms(data_dir, LOCALES[locale])
    res = read_responses(data, flagship, file_name="gf.csv")
    assert res.platform == "google_forms"
    assert len(res.valid) == 12, res.issues
    assert res.valid["submitted_at"].dt.strftime("%Y-%m-%d %H:%M:%S").tolist() == expected


def test_google_forms_ambiguous_column_is_refused_per_row_unless_the_order_is_given(flagship, data_dir):
    # only the responses of days 1..12 (and not 11/11 or 6/6): nothing tells en-GB from en-US
    data, expected = _google_forms(data_dir, LOCALES["en_GB"], keep=lambda t: t.day <= 12 and t.day != t.month)
    res = read_responses(data, flagship, file_name="gf.csv")
    assert len(res.valid) == 0
    assert {i.column for i in res.issues if "ambiguous date" in i.expected} == {"Timestamp"}
    assert sorted({i.row for i in res.issues if "ambiguous date" in i.expected}) == list(range(2, 2 + len(expected)))
    res = read_responses(data, flagship, file_name="gf.csv", date_order="dmy")
    assert res.valid["submitted_at"].dt.strftime("%Y-%m-%d %H:%M:%S").tolist() == expected
    with pytest.raises(ResponseImportError, match="date_order must be one of dmy, mdy, ymd"):
        read_responses(data, flagship, file_name="gf.csv", date_order="dd/mm")


def test_surveymonkey_dates_are_month_first_even_when_no_day_tells(flagship, data_dir):
    # SurveyMonkey writes MM/DD/YYYY hh:mm:ss AM: 04/06/2026 is 6 April even with no day above 12
    rows = list(csv.reader(io.StringIO((data_dir / "platforms" / "surveymonkey_export.csv").read_text(encoding="utf-8"))))
    end = rows[0].index("End Date")
    body = [r for r in rows[2:] if int(r[end][3:5]) <= 12]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows[:2] + body)
    res = read_responses(buf.getvalue().encode(), flagship, file_name="sm.csv")
    assert res.platform == "surveymonkey"
    assert len(res.valid) == len(body) >= 3
    assert res.valid["submitted_at"].dt.strftime("%m/%d/%Y %I:%M:%S %p").tolist() == [r[end] for r in body]


def test_date_question_answers_are_iso_dates_or_row_issues(tmp_path, data_dir):
    # before: a date question's answers were stored as written ("soon", "13/04/2026")
    from csi.survey import load_survey

    text = (data_dir / "surveys" / "mini.yaml").read_text(encoding="utf-8").replace(
        "questions:\n", "questions:\n  - id: bought_on\n    type: date\n    text: {en: Date of purchase, zh: 购买日期}\n", 1)
    path = tmp_path / "mini_date.yaml"
    path.write_text(text, encoding="utf-8")
    survey = load_survey(path)
    data = ("respondent_id,channel,cs1,cs2,cl1,bought_on\n"
            "a,web,5,5,5,13/04/2026\nb,web,5,5,5,02/04/2026\nc,web,5,5,5,soon\nd,web,5,5,5,\n")
    res = read_responses(data.encode(), survey, file_name="d.csv")
    assert res.valid["bought_on"].tolist()[:2] == ["2026-04-13", "2026-04-02"]
    assert pd.isna(res.valid["bought_on"].tolist()[2])
    assert [(i.row, i.column, i.value, i.expected) for i in res.issues] == [
        (4, "bought_on", "soon", "not a date; expected e.g. 2026-03-01")]
